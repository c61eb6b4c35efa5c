// Dashboard test in a real headless Chromium (playwright-core, Debian's /usr/bin/chromium)
// against the real binary, MariaDB and s3rver (scripts/with-services.sh sets the env).
//
//   node tests/browser/dashboard_test.mjs <path/to/salesflow> <output dir for dashboard.png>
//
// Every wait is on page state (locators, waitForFunction), never a fixed sleep.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const require = createRequire(path.join(root, 'test-tools', 'package.json'));
const { chromium } = require('playwright-core');

const binary = path.resolve(process.argv[2] || path.join(root, 'build/dashboard/salesflow'));
const outDir = path.resolve(process.argv[3] || path.join(root, 'build/dashboard'));
const CHROMIUM = process.env.SALESFLOW_CHROMIUM || '/usr/bin/chromium';
const STEP_TIMEOUT = 60_000;

function requiredEnv(name) {
  const value = process.env[name];
  if (!value) {
    throw new Error(`${name} is not set: run under scripts/with-services.sh (this test never skips)`);
  }
  return value;
}

const unique = `${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
const tmp = mkdtempSync(path.join(tmpdir(), 'salesflow-browser-'));
const database = `browser_${unique}`;
const env = {
  ...process.env,
  SALESFLOW_DB: requiredEnv('SALESFLOW_TEST_DB').replace(/\/?$/, '/') + database,
  SALESFLOW_STORAGE: `s3://${requiredEnv('SALESFLOW_TEST_S3_BUCKET')}/browser-${unique}`,
  SALESFLOW_LOG_LEVEL: 'warn',
};
requiredEnv('AWS_ENDPOINT_URL_S3');
delete env.SALESFLOW_API_KEYS_FILE;

const run = promisify(execFile);
const servers = [];
let browser;
let manifest;

// Starts `salesflow serve` on a free port; resolves with its base URL once it listens.
function startServer(extraEnv = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(binary, ['serve', '--listen', '127.0.0.1:0', '--log-level', 'info'],
                        { env: { ...env, ...extraEnv }, stdio: ['ignore', 'ignore', 'pipe'] });
    servers.push(child);
    let log = '';
    child.log = () => log;
    const timer = setTimeout(() => reject(new Error('serve did not listen within 30 s:\n' + log)), 30_000);
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (text) => {
      if (log.length < 1_000_000) log += text;
      const match = /listening on (https?:\/\/[^\s]+)/.exec(log);
      if (match) {
        clearTimeout(timer);
        resolve(match[1].replace(/\/$/, ''));
      }
    });
    child.exited = new Promise((done) => child.on('exit', (code, signal) => done({ code, signal })));
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`serve exited with ${code}:\n${log}`));
    });
  });
}

async function newPage(context) {
  const page = await context.newPage();
  page.setDefaultTimeout(STEP_TIMEOUT);
  page.problems = [];
  page.on('pageerror', (error) => page.problems.push('pageerror: ' + error.message));
  page.on('console', (message) => {
    if (message.type() === 'error') page.problems.push('console: ' + message.text());
  });
  return page;
}

const rowOf = (page, key) => page.locator(`#reports tr[data-key="${key}"]`);

async function getJson(url, headers = {}) {
  const response = await fetch(url, { headers });
  assert.equal(response.status, 200, `GET ${url}: ${response.status}`);
  return response.json();
}

// A small report: 200 good lines and `badLines` with a non-numeric quantity (1 of 201 is
// under the default max_reject_ratio of 1%, so the load succeeds with one reject).
function reportCsv(day, orderTag, badLines) {
  const lines = ['order_id,line_no,order_date,sku,quantity,unit_price,category,region,channel,currency'];
  for (let i = 1; i <= 200; i++) {
    lines.push(`UP-${orderTag}-${i},1,${day},SKU-${i % 7},${(i % 3) + 1},${(i % 5) + 1}.25,uploads,North,web,USD`);
  }
  for (let i = 1; i <= badLines; i++) lines.push(`UP-${orderTag}-bad${i},1,${day},SKU-1,lots,1.00,uploads,North,web,USD`);
  return lines.join('\n') + '\n';
}

let base;
let page;
let context;

before(async () => {
  mkdirSync(outDir, { recursive: true });
  await run(binary, ['generate', '--days', '5', '--rows-per-day', '400', '--seed', '11',
                     '--dirty-rate', '0.004', '--out', path.join(tmp, 'gen'), '--upload',
                     '--prefix', 'daily/'], { env });
  manifest = JSON.parse(readFileSync(path.join(tmp, 'gen', 'manifest.json'), 'utf8'));
  base = await startServer();
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
           '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  context = await browser.newContext({ viewport: { width: 1280, height: 900 }, acceptDownloads: true });
  page = await newPage(context);
  await page.goto(base + '/');
}, { timeout: 120_000 });

after(async () => {
  if (browser) await browser.close();
  for (const child of servers) {
    if (child.exitCode === null) child.kill('SIGTERM');
  }
  await Promise.all(servers.map((child) => child.exited));
  const socket = process.env.SALESFLOW_TEST_DB_SOCKET;
  if (socket) {
    await run('mariadb', ['--no-defaults', '--socket', socket, '-uroot', '-e',
                          `DROP DATABASE IF EXISTS \`${database}\``]).catch(() => {});
  }
  rmSync(tmp, { recursive: true, force: true });
});

test('the reports table lists every generated report', async () => {
  for (const file of manifest.files) {
    const row = rowOf(page, 'daily/' + file.name);
    await row.waitFor();
    assert.equal(await row.locator('.badge').textContent(), 'new');
  }
});

test('process pending loads every report and shows the outcome', async () => {
  await page.getByRole('button', { name: 'Process pending' }).click();
  const notice = page.locator('#notice-text', { hasText: 'jobs finished' });
  await notice.waitFor();
  assert.match(await notice.textContent(), new RegExp(`^${manifest.files.length} jobs finished: ${manifest.files.length} succeeded`));
  for (const file of manifest.files) {
    const row = rowOf(page, 'daily/' + file.name);
    await row.locator('.badge', { hasText: 'loaded' }).waitFor();
    assert.equal(Number(await row.locator('td.loaded').textContent()), file.lines - file.bad_lines);
    assert.equal(Number(await row.locator('td.rejected').textContent()), file.bad_lines);
  }
});

test('the totals tiles show the API totals as they are', async () => {
  const stats = await getJson(base + '/api/stats');
  const tile = (name) => page.locator(`[data-total="${name}"]`)
    .evaluate((node) => node.firstChild ? node.firstChild.textContent : '');
  await page.waitForFunction((expected) =>
    document.querySelector('[data-total="lines"]').firstChild?.textContent === expected,
    String(stats.totals.lines));
  for (const name of ['revenue', 'orders', 'lines', 'units', 'customers', 'avg_order_value']) {
    assert.equal(await tile(name), String(stats.totals[name]), name);
  }
  const currency = manifest.currencies[0];
  if (stats.currency === currency) {
    assert.equal(stats.totals.revenue, manifest.totals[currency].revenue);
  }
  assert.deepEqual(await page.locator('#currency option').allTextContents(),
                   [...new Set([stats.currency, ...stats.currencies])].sort());
});

test('revenue by day has one point per day, and the bar charts are drawn', async () => {
  const byDay = await getJson(base + '/api/stats?group_by=day');
  assert.equal(byDay.groups.length, manifest.days);
  await page.waitForFunction((n) => globalThis.Chart?.getChart('chart-day')?.data.labels.length === n,
                             byDay.groups.length);
  const chart = await page.evaluate(() => {
    const c = Chart.getChart('chart-day');
    return { type: c.config.type, labels: c.data.labels, points: c.data.datasets[0].data.length,
             exact: c.data.datasets[0].exact };
  });
  assert.equal(chart.type, 'line');
  assert.deepEqual(chart.labels, byDay.groups.map((g) => g.key));
  assert.equal(chart.points, byDay.groups.length);
  assert.deepEqual(chart.exact, byDay.groups.map((g) => g.revenue));
  for (const [id, group] of [['chart-category', 'category'], ['chart-region', 'region'], ['chart-channel', 'channel']]) {
    const stats = await getJson(`${base}/api/stats?group_by=${group}&top=10`);
    const labels = await page.evaluate((canvas) => Chart.getChart(canvas).data.labels, id);
    assert.deepEqual(labels, stats.groups.map((g) => g.key === '' ? '(none)' : g.key), group);
  }
});

test('the date range narrows the stats', async () => {
  const day = manifest.files[1].date;
  const stats = await getJson(`${base}/api/stats?from=${day}&to=${day}`);
  await page.getByLabel('From', { exact: true }).fill(day);
  await page.getByLabel('To', { exact: true }).fill(day);
  await page.getByRole('button', { name: 'Apply' }).click();
  await page.waitForFunction((n) => Chart.getChart('chart-day').data.labels.length === n, 1);
  await page.waitForFunction((revenue) =>
    document.querySelector('[data-total="revenue"]').firstChild?.textContent === revenue,
    stats.totals.revenue);
  await page.getByRole('button', { name: 'All dates' }).click();
  await page.waitForFunction((n) => Chart.getChart('chart-day').data.labels.length === n, manifest.days);
});

const uploadKey = `uploads/picked-${unique}.csv`;

test('a file chosen with the file picker is uploaded and listed', async () => {
  const file = path.join(tmp, `picked-${unique}.csv`);
  writeFileSync(file, reportCsv(manifest.files[0].date, 'P', 1));
  await page.getByLabel('Upload under prefix').fill('uploads/');
  await page.locator('#file-input').setInputFiles(file);
  await page.locator(`#uploads li[data-upload="${uploadKey}"] .outcome.succeeded`).waitFor();
  const row = rowOf(page, uploadKey);
  await row.waitFor();
  assert.equal(await row.locator('.badge').textContent(), 'new');
});

test('process on one report shows its progress to a final outcome', async () => {
  const row = rowOf(page, uploadKey);
  // Records whether the row ever showed a progress bar (rows are re-rendered, so watch
  // the table body); the callback runs before the page's next await, so none is missed.
  await page.evaluate((key) => {
    globalThis.progressSeen = false;
    new MutationObserver(() => {
      const tr = Array.from(document.querySelectorAll('#reports tr[data-key]')).find((r) => r.dataset.key === key);
      if (tr && tr.querySelector('.progress progress')) globalThis.progressSeen = true;
    }).observe(document.querySelector('#reports tbody'), { childList: true, subtree: true });
  }, uploadKey);
  await page.getByRole('button', { name: 'Process ' + uploadKey }).click();
  // While it runs the row has a progress bar or, once final, the outcome line.
  const outcome = row.locator('.outcome');
  await outcome.waitFor();
  assert.match(await outcome.textContent(), /^loaded · 200 loaded, 0 updated, 1 rejected$/);
  await row.locator('.badge', { hasText: 'loaded' }).waitFor();
  assert.equal(await row.locator('td.loaded').textContent(), '200');
  assert.equal(await page.evaluate(() => globalThis.progressSeen), true, 'no progress bar shown');
  const jobRow = page.locator('#jobs tbody tr', { has: page.locator('td.key', { hasText: uploadKey }) }).first();
  await jobRow.locator('.badge', { hasText: 'succeeded' }).waitFor();
  // The job the page watched really finished with all its bytes read.
  const jobId = await jobRow.getAttribute('data-job-id');
  const job = await getJson(`${base}/api/jobs/${jobId}`);
  assert.equal(job.bytes_read, job.bytes_total);
  assert.equal(job.outcome, 'loaded');
});

test('the rejects link downloads the rejected rows as CSV', async () => {
  const link = rowOf(page, uploadKey).getByRole('link', { name: 'Download rejected rows of ' + uploadKey });
  const href = await link.getAttribute('href');
  assert.equal(href, '/api/reports/' + encodeURIComponent(uploadKey) + '/rejects');
  assert.ok(href.includes('%2F'));
  const response = await page.request.get(base + href);
  assert.equal(response.status(), 200);
  assert.match(response.headers()['content-type'], /^text\/csv/);
  const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
  const text = readFileSync(await download.path(), 'utf8');
  const lines = text.trim().split(/\r?\n/);
  assert.equal(lines[0], 'line,column,reason,message,raw');
  assert.equal(lines.length, 2);
  assert.match(lines[1], /quantity/);
});

const brokenKey = `broken-${unique}.csv`;

test('a dropped file with a broken header fails with its reason shown', async () => {
  const key = brokenKey;
  await page.getByLabel('Upload under prefix').fill('');
  await page.locator('#dropzone').evaluate((zone, name) => {
    const data = new DataTransfer();
    data.items.add(new File(['order,when,what\n1,2026-10-01,x\n'], name, { type: 'text/csv' }));
    zone.dispatchEvent(new DragEvent('drop', { dataTransfer: data, bubbles: true, cancelable: true }));
  }, key);
  const row = rowOf(page, key);
  await row.waitFor();
  await page.getByRole('button', { name: 'Process ' + key }).click();
  const outcome = row.locator('.outcome.failed');
  await outcome.waitFor();
  await row.locator('.badge', { hasText: 'failed' }).waitFor();
  assert.match(await outcome.textContent(), /^failed: .*missing required column order_date/);
  const jobRow = page.locator('#jobs tbody tr', { has: page.locator('td.key', { hasText: key }) }).first();
  assert.match(await jobRow.locator('.reason').textContent(), /order_id/);
  // A bad header rejects no rows, so there is nothing to download.
  assert.equal(await row.locator('a.rejects').count(), 0);
});

test('every control has an accessible name', async () => {
  const unnamed = await page.evaluate(() => Array.from(document.querySelectorAll('input, select, button, a'))
    .filter((node) => !(node.labels && node.labels.length) && !node.getAttribute('aria-label') &&
                      !node.textContent.trim())
    .map((node) => node.outerHTML));
  assert.deepEqual(unnamed, []);
  assert.equal(await page.locator('html').getAttribute('lang'), 'en');
});

test('the page is decent: screenshot, no script or policy errors', async () => {
  await page.getByRole('button', { name: 'Refresh' }).click();
  await page.locator('[data-total="revenue"]').waitFor();
  await page.screenshot({ path: path.join(outDir, 'dashboard.png'), fullPage: true });
  // Narrow screens: nothing wider than the viewport but the tables' own scroll boxes.
  await page.setViewportSize({ width: 390, height: 844 });
  await page.screenshot({ path: path.join(outDir, 'dashboard-narrow.png'), fullPage: true });
  assert.equal(await page.evaluate(() => document.documentElement.scrollWidth), 390);
  await page.setViewportSize({ width: 1280, height: 900 });
  assert.deepEqual(page.problems, []);
  // Nothing but this origin was ever asked for.
  const csp = (await page.request.get(base + '/')).headers()['content-security-policy'];
  assert.match(csp, /default-src 'none'/);
});

test('with a keys file the page asks for a key, then works', async () => {
  const keysFile = path.join(tmp, 'keys.jsonl');
  const { stdout } = await run(binary, ['keys', 'add', 'browser', '--role', 'admin', '--file', keysFile], { env });
  const secret = stdout.trim();
  assert.match(secret, /^sf_/);
  const secured = await startServer({ SALESFLOW_API_KEYS_FILE: keysFile });
  const keyContext = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const keyPage = await newPage(keyContext);
  await keyPage.goto(secured + '/');
  const form = keyPage.locator('#auth');
  await form.waitFor();
  await keyPage.getByRole('textbox', { name: 'API key', exact: true }).fill('sf_wrong');
  await keyPage.getByRole('button', { name: 'Use key' }).click();
  await keyPage.locator('#auth-reason', { hasText: 'refused' }).waitFor();
  await keyPage.getByRole('textbox', { name: 'API key', exact: true }).fill(secret);
  await keyPage.getByRole('button', { name: 'Use key' }).click();
  await rowOf(keyPage, 'daily/' + manifest.files[0].name).waitFor();
  assert.equal(await form.isHidden(), true);
  assert.equal(await keyPage.evaluate(() => sessionStorage.getItem('salesflow.apiKey')), secret);
  // The key survives a reload of the tab, and the rejects download carries it.
  await keyPage.reload();
  const row = rowOf(keyPage, uploadKey);
  await row.waitFor();
  assert.equal(await form.isHidden(), true);
  // A fresh page shows why a report failed, from its last job.
  assert.match(await rowOf(keyPage, brokenKey).locator('.reason').textContent(), /order_id/);
  const [download] = await Promise.all([
    keyPage.waitForEvent('download'),
    row.getByRole('link', { name: 'Download rejected rows of ' + uploadKey }).click(),
  ]);
  assert.match(readFileSync(await download.path(), 'utf8'), /^line,column,reason,message,raw/);
  await keyPage.locator('[data-total="lines"]').waitFor();
  assert.equal(await keyPage.locator('[data-total="lines"]').evaluate((n) => n.firstChild.textContent),
               String((await getJson(secured + '/api/stats', { Authorization: 'Bearer ' + secret })).totals.lines));
  // Only the expected 401s of the first load and the wrong key were errors.
  assert.deepEqual(keyPage.problems.filter((p) => !/401/.test(p)), []);
  await keyContext.close();
});

test('the servers stop cleanly on SIGTERM and logged no sanitizer report', async () => {
  for (const child of servers) child.kill('SIGTERM');
  for (const child of servers) {
    const { code } = await child.exited;
    const log = child.log();
    assert.doesNotMatch(log, /Sanitizer|runtime error:/, log.slice(-4000));
    assert.equal(code, 0, log.slice(-4000));
  }
});
