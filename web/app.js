// salesflow dashboard: vanilla JS over the HTTP API (docs/api.md), no build step.
// Money arrives as decimal strings and is shown as it arrives; charts plot Number(...) of
// those strings only to draw bars, while their tooltips show the exact strings.
'use strict';

(() => {
  const KEY_STORE = 'salesflow.apiKey';
  const POLL_MS = 500;
  const REFRESH_MS = 15000;
  const FINAL_JOB = new Set(['succeeded', 'failed']);

  const $ = (selector) => document.querySelector(selector);
  const charts = {};
  const trackedJobs = new Map();  // job_id -> latest job JSON, while it is being watched
  const finishedJobs = new Map(); // report key -> the last job this page watched to its end
  let jobsById = new Map();       // recent jobs, for failure reasons in the reports table
  let authWanted = false;

  // ---- API access -------------------------------------------------------------------

  class ApiError extends Error {
    constructor(status, code, message) {
      super(message);
      this.status = status;
      this.code = code;
    }
  }

  function apiKey() { return sessionStorage.getItem(KEY_STORE) || ''; }

  function authHeaders() {
    const key = apiKey();
    return key ? { Authorization: 'Bearer ' + key } : {};
  }

  async function errorFrom(response) {
    let code = 'http_' + response.status;
    let message = response.status + ' ' + response.statusText;
    try {
      const body = await response.json();
      if (body && body.error) {
        code = body.error.code || code;
        message = body.error.message || message;
      }
    } catch (_) { /* not JSON: keep the status line */ }
    return new ApiError(response.status, code, message);
  }

  // fetch() with the stored key; a 401 opens the key form, any error becomes an ApiError.
  async function api(path, options = {}) {
    const headers = Object.assign({}, options.headers || {}, authHeaders());
    const response = await fetch(path, Object.assign({}, options, { headers }));
    if (response.ok) return response;
    const error = await errorFrom(response);
    if (response.status === 401) askForKey(apiKey() ? 'The server refused that key: ' + error.message
                                                    : 'This server needs an API key.');
    throw error;
  }

  async function apiJson(path, options) { return (await api(path, options)).json(); }

  function postJson(path, body) {
    return apiJson(path, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    });
  }

  // "daily/2026-10-01.csv" -> "daily%2F2026-10-01.csv": one path segment, as the API wants.
  function keySegment(key) { return encodeURIComponent(key); }

  // ---- notices and auth ---------------------------------------------------------------

  let noticeTimer = 0;
  function notify(message, kind = 'ok') {
    const box = $('#notice');
    $('#notice-text').textContent = message;
    box.className = 'notice ' + kind;
    box.hidden = false;
    clearTimeout(noticeTimer);
    if (kind === 'ok') noticeTimer = setTimeout(() => { box.hidden = true; }, 6000);
  }

  $('#notice-close').addEventListener('click', () => { $('#notice').hidden = true; });

  function reportError(what, error) {
    if (error instanceof ApiError && error.status === 401) return;  // the key form says it
    const detail = error instanceof ApiError && error.status === 403
      ? 'your key\'s role does not allow this (' + error.message + ')'
      : error.message;
    notify(what + ': ' + detail, 'error');
  }

  function askForKey(reason) {
    authWanted = true;
    $('#auth-reason').textContent = reason;
    const section = $('#auth');
    if (section.hidden) {
      section.hidden = false;
      $('#api-key').focus();
    }
    updateAuthState();
  }

  function updateAuthState() {
    const key = apiKey();
    $('#auth-state').textContent = key ? 'Using an API key' : (authWanted ? 'Signed out' : '');
    $('#forget-key').hidden = !key;
  }

  $('#auth-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const value = $('#api-key').value.trim();
    if (!value) return;
    sessionStorage.setItem(KEY_STORE, value);
    $('#api-key').value = '';
    $('#auth').hidden = true;
    updateAuthState();
    refreshAll();
  });

  $('#forget-key').addEventListener('click', () => {
    sessionStorage.removeItem(KEY_STORE);
    updateAuthState();
    refreshAll();
  });

  // ---- formatting ---------------------------------------------------------------------

  function formatBytes(bytes) {
    const n = Number(bytes);
    if (!Number.isFinite(n)) return '';
    const units = ['B', 'KB', 'MB', 'GB', 'TB'];
    let value = n;
    let unit = 0;
    while (value >= 1024 && unit < units.length - 1) { value /= 1024; unit++; }
    return (unit === 0 ? String(value) : value.toFixed(1)) + ' ' + units[unit];
  }

  // Local time as YYYY-MM-DD HH:MM: short, sortable, unambiguous across locales.
  function formatTime(iso) {
    if (!iso) return '';
    const date = new Date(iso);
    if (Number.isNaN(date.getTime())) return iso;
    const two = (n) => String(n).padStart(2, '0');
    return date.getFullYear() + '-' + two(date.getMonth() + 1) + '-' + two(date.getDate()) + ' ' +
           two(date.getHours()) + ':' + two(date.getMinutes());
  }

  function el(tag, props = {}, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(props)) {
      if (value === undefined || value === null || value === false) continue;
      if (name === 'className') node.className = value;
      else if (name === 'text') node.textContent = value;
      else if (name.startsWith('on')) node.addEventListener(name.slice(2), value);
      else node.setAttribute(name, value === true ? '' : value);
    }
    for (const child of children) {
      if (child !== null && child !== undefined) node.append(child);
    }
    return node;
  }

  function badge(status) { return el('span', { className: 'badge ' + status, text: status }); }

  // ---- stats and charts ---------------------------------------------------------------

  const PALETTE = ['#1d5fbf', '#e07b00', '#1e7a3c', '#8e44ad', '#b3261e', '#00838f',
                   '#6d4c41', '#c2185b', '#546e7a', '#7cb342'];

  function statsQuery(extra) {
    const params = new URLSearchParams();
    const from = $('#from').value;
    const to = $('#to').value;
    const currency = $('#currency').value;
    if (from) params.set('from', from);
    if (to) params.set('to', to);
    if (currency) params.set('currency', currency);
    for (const [name, value] of Object.entries(extra)) params.set(name, value);
    return '/api/stats?' + params.toString();
  }

  function drawChart(id, type, groups, label) {
    const canvas = document.getElementById(id);
    const data = {
      labels: groups.map((g) => g.key === '' ? '(none)' : g.key),
      datasets: [{
        label,
        data: groups.map((g) => Number(g.revenue)),
        exact: groups.map((g) => g.revenue),
        borderColor: PALETTE[0],
        backgroundColor: type === 'line' ? 'rgba(29, 95, 191, 0.12)'
                                         : groups.map((_, i) => PALETTE[i % PALETTE.length]),
        fill: type === 'line',
        tension: 0.25,
        pointRadius: groups.length > 60 ? 0 : 3,
      }],
    };
    const summary = groups.slice(0, 12).map((g) => (g.key || '(none)') + ' ' + g.revenue).join(', ');
    canvas.setAttribute('aria-label', label + (groups.length ? ': ' + summary : ': no data'));
    if (typeof Chart === 'undefined') return;  // chart.js failed to load: tiles still work
    if (charts[id]) {
      charts[id].config.type = type;
      charts[id].data = data;
      charts[id].update();
      return;
    }
    charts[id] = new Chart(canvas, {
      type,
      data,
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        indexAxis: type === 'bar' ? 'y' : 'x',
        plugins: {
          legend: { display: false },
          tooltip: {
            callbacks: {
              // The exact decimal string from the API, not the float used for drawing.
              label: (ctx) => ' ' + ctx.dataset.exact[ctx.dataIndex] + ' ' + currentCurrency,
            },
          },
        },
        scales: {
          x: { ticks: { maxRotation: 0, autoSkip: true } },
          y: { beginAtZero: true },
        },
      },
    });
  }

  let currentCurrency = '';

  function showTotals(stats) {
    currentCurrency = stats.currency;
    for (const node of document.querySelectorAll('[data-total]')) {
      const name = node.dataset.total;
      node.textContent = String(stats.totals[name]);
      if (name === 'revenue' || name === 'avg_order_value') {
        node.append(el('span', { className: 'tile-unit', text: stats.currency }));
      }
    }
    const select = $('#currency');
    const choices = Array.from(new Set([stats.currency, ...(stats.currencies || [])])).sort();
    const current = Array.from(select.options).map((o) => o.value);
    if (choices.join() !== current.join()) {
      select.replaceChildren(...choices.map((c) => el('option', { value: c, text: c })));
    }
    select.value = stats.currency;
    const from = $('#from').value;
    const to = $('#to').value;
    $('#stats-range').textContent = (from || to)
      ? 'From ' + (from || 'the first day') + ' to ' + (to || 'the last day') + ', in ' + stats.currency
      : 'All dates, in ' + stats.currency;
  }

  async function refreshStats() {
    const from = $('#from').value;
    const to = $('#to').value;
    if (from && to && from > to) {
      notify('The "From" date is after the "To" date.', 'error');
      return;
    }
    try {
      const [byDay, byCategory, byRegion, byChannel] = await Promise.all([
        apiJson(statsQuery({ group_by: 'day' })),
        apiJson(statsQuery({ group_by: 'category', top: 10 })),
        apiJson(statsQuery({ group_by: 'region', top: 10 })),
        apiJson(statsQuery({ group_by: 'channel', top: 10 })),
      ]);
      showTotals(byDay);
      drawChart('chart-day', 'line', byDay.groups, 'Revenue by day');
      drawChart('chart-category', 'bar', byCategory.groups, 'Revenue by category');
      drawChart('chart-region', 'bar', byRegion.groups, 'Revenue by region');
      drawChart('chart-channel', 'bar', byChannel.groups, 'Revenue by channel');
      document.body.dataset.statsLoaded = 'true';
    } catch (error) {
      reportError('Could not load the stats', error);
    }
  }

  $('#stats-form').addEventListener('submit', (event) => {
    event.preventDefault();
    refreshStats();
  });
  $('#all-dates').addEventListener('click', () => {
    $('#from').value = '';
    $('#to').value = '';
    refreshStats();
  });

  // ---- reports ------------------------------------------------------------------------

  function rejectsLink(key) {
    const href = '/api/reports/' + keySegment(key) + '/rejects';
    const name = key.replace(/[^A-Za-z0-9._-]+/g, '_') + '.rejects.csv';
    // A plain link works without keys; with a key, the click fetches with the header.
    return el('a', { href, download: name, className: 'rejects', onclick: downloadWithKey });
  }

  async function downloadWithKey(event) {
    if (!apiKey()) return;
    event.preventDefault();
    const link = event.currentTarget;
    try {
      const blob = await (await api(link.getAttribute('href'))).blob();
      const url = URL.createObjectURL(blob);
      const temp = el('a', { href: url, download: link.getAttribute('download') });
      document.body.append(temp);
      temp.click();
      temp.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10000);
    } catch (error) {
      reportError('Could not download the rejects', error);
    }
  }

  function failureReason(report) {
    const job = report.last_job_id != null ? jobsById.get(report.last_job_id) : null;
    return job && job.error ? job.error : '';
  }

  function reportRow(report) {
    const active = activeJobFor(report.key);
    const statusCell = el('td', { className: 'status' }, badge(report.status));
    const watched = finishedJobs.get(report.key);
    if (active) {
      statusCell.append(progressView(active));
    } else if (watched && watched.job_id >= (report.last_job_id ?? 0)) {
      statusCell.append(outcomeView(watched));  // says the reason itself when it failed
    } else if (report.status === 'failed') {
      const reason = failureReason(report);
      if (reason) statusCell.append(el('div', { className: 'reason', text: reason }));
    }
    const actions = el('td', { className: 'actions' });
    if (report.status !== 'ignored') {
      actions.append(el('button', {
        type: 'button', className: 'small process', text: 'Process',
        'aria-label': 'Process ' + report.key, disabled: Boolean(active),
        onclick: () => processKeys({ key: report.key }),
      }));
    }
    // A load that failed on too many rejects keeps them to download; a bad header has none.
    const lastJob = watched && watched.job_id >= (report.last_job_id ?? 0)
      ? watched : jobsById.get(report.last_job_id);
    const failedWithRejects = report.status === 'failed' && (!lastJob || lastJob.rows_rejected > 0);
    if (report.rows_rejected > 0 || failedWithRejects) {
      const link = rejectsLink(report.key);
      link.textContent = 'Rejects';
      link.setAttribute('aria-label', 'Download rejected rows of ' + report.key);
      actions.append(link);
    }
    return el('tr', { 'data-key': report.key },
      el('td', { className: 'key', text: report.key }),
      el('td', { className: 'num', text: formatBytes(report.size), title: String(report.size) }),
      el('td', { className: 'when', text: formatTime(report.last_modified), title: report.last_modified }),
      statusCell,
      el('td', { className: 'num loaded', text: String(report.rows_loaded) }),
      el('td', { className: 'num rejected', text: String(report.rows_rejected) }),
      actions);
  }

  async function listAllReports() {
    const reports = [];
    let token = '';
    do {
      const query = new URLSearchParams({ limit: '1000' });
      if (token) query.set('page_token', token);
      const page = await apiJson('/api/reports?' + query.toString());
      reports.push(...page.reports);
      token = page.next_page_token || '';
    } while (token && reports.length < 20000);
    return reports;
  }

  let lastReports = [];
  async function refreshReports() {
    try {
      lastReports = await listAllReports();
      // Reasons of failed reports whose job is not among the recent ones.
      const missing = lastReports
        .filter((r) => r.status === 'failed' && r.last_job_id != null && !jobsById.has(r.last_job_id))
        .slice(0, 20);
      await Promise.all(missing.map(async (r) => {
        try { jobsById.set(r.last_job_id, await apiJson('/api/jobs/' + r.last_job_id)); } catch (_) { /* shown without reason */ }
      }));
      renderReports();
      document.body.dataset.reportsLoaded = 'true';
    } catch (error) {
      reportError('Could not list the reports', error);
    }
  }

  function renderReports() {
    const body = $('#reports tbody');
    if (lastReports.length === 0) {
      body.replaceChildren(el('tr', { className: 'empty' },
        el('td', { colspan: 7, text: 'No reports yet: upload one above.' })));
      return;
    }
    body.replaceChildren(...lastReports.map(reportRow));
  }

  // ---- jobs and live progress ---------------------------------------------------------

  function activeJobFor(key) {
    for (const job of trackedJobs.values()) {
      if (job.key === key && !FINAL_JOB.has(job.status)) return job;
    }
    return null;
  }

  function progressView(job) {
    const total = Number(job.bytes_total) || 0;
    const read = Number(job.bytes_read) || 0;
    const bar = el('progress', { max: total > 0 ? total : null, value: total > 0 ? read : null,
                                 'aria-label': 'Progress of job ' + job.job_id });
    const text = total > 0
      ? Math.floor((100 * read) / total) + '% · ' + formatBytes(read) + ' of ' + formatBytes(total)
      : job.status;
    return el('div', { className: 'progress', 'data-job': job.job_id }, bar, el('span', { text }));
  }

  function outcomeText(job) {
    if (job.status === 'failed') return 'failed: ' + (job.error || 'no reason given');
    let text = job.outcome || job.status;
    if (job.duplicate_of) text += ' of ' + job.duplicate_of;
    return text + ' · ' + job.rows_loaded + ' loaded, ' + job.rows_updated + ' updated, ' +
           job.rows_rejected + ' rejected';
  }

  function outcomeView(job) {
    return el('div', { className: 'outcome ' + job.status, text: outcomeText(job) });
  }

  function jobRow(job) {
    const detail = el('td', { className: 'detail' });
    if (!FINAL_JOB.has(job.status)) {
      detail.append(progressView(job));
    } else if (job.status === 'failed') {
      detail.append(el('div', { className: 'reason', text: job.error || 'no reason given' }));
    }
    if (job.rows_rejected > 0) {
      const link = rejectsLink(job.key);
      link.textContent = 'Rejects';
      link.setAttribute('aria-label', 'Download rejected rows of ' + job.key);
      detail.append(link);
    }
    return el('tr', { 'data-job-id': job.job_id },
      el('td', { className: 'num', text: String(job.job_id) }),
      el('td', { className: 'key', text: job.key }),
      el('td', {}, badge(job.status)),
      el('td', { text: job.outcome || '' }),
      el('td', { className: 'num', text: String(job.rows_read) }),
      el('td', { className: 'num', text: String(job.rows_loaded) }),
      el('td', { className: 'num', text: String(job.rows_updated) }),
      el('td', { className: 'num', text: String(job.rows_rejected) }),
      detail);
  }

  let lastJobs = [];
  async function refreshJobs() {
    try {
      const page = await apiJson('/api/jobs?limit=25');
      lastJobs = page.jobs;
      jobsById = new Map(lastJobs.map((j) => [j.job_id, j]));
      renderJobs();
    } catch (error) {
      reportError('Could not list the jobs', error);
    }
  }

  function renderJobs() {
    const body = $('#jobs tbody');
    // Tracked jobs carry fresher progress than the last listing.
    const rows = lastJobs.map((j) => trackedJobs.get(j.job_id) || j);
    for (const job of trackedJobs.values()) {
      if (!jobsById.has(job.job_id)) rows.unshift(job);
    }
    if (rows.length === 0) {
      body.replaceChildren(el('tr', { className: 'empty' },
        el('td', { colspan: 9, text: 'No jobs yet.' })));
      return;
    }
    body.replaceChildren(...rows.map(jobRow));
  }

  // Starts jobs and watches them until every one is final; `request` is the process body.
  async function processKeys(request) {
    const pendingBox = $('#pending-progress');
    try {
      const answer = await postJson('/api/process', request);
      const jobs = answer.jobs || [];
      if (jobs.length === 0) {
        notify(request.pending ? 'Nothing pending: every report is processed.' : 'No job started.');
        return;
      }
      for (const job of jobs) trackedJobs.set(job.job_id, Object.assign({ bytes_read: 0, bytes_total: 0 }, job));
      renderReports();
      renderJobs();
      const finals = await Promise.all(jobs.map((job) => watchJob(job.job_id, request.pending ? pendingBox : null, jobs.length)));
      const failed = finals.filter((j) => j.status === 'failed');
      if (jobs.length === 1) {
        notify((jobs[0].key) + ': ' + outcomeText(finals[0]), failed.length ? 'error' : 'ok');
      } else {
        notify(jobs.length + ' jobs finished: ' + (jobs.length - failed.length) + ' succeeded, ' +
               failed.length + ' failed.', failed.length ? 'error' : 'ok');
      }
      for (const job of finals) trackedJobs.delete(job.job_id);
      pendingBox.hidden = true;
      await refreshJobs();
      await Promise.all([refreshReports(), refreshStats()]);
    } catch (error) {
      pendingBox.hidden = true;
      reportError('Could not process', error);
    }
  }

  const batch = { done: 0 };
  async function watchJob(jobId, batchBox, batchSize) {
    for (;;) {
      const job = await apiJson('/api/jobs/' + jobId);
      trackedJobs.set(jobId, job);
      updateProgress(job);
      if (FINAL_JOB.has(job.status)) {
        finishedJobs.set(job.key, job);
        if (batchBox) {
          batch.done++;
          batchBox.textContent = batch.done + ' of ' + batchSize + ' jobs finished';
        }
        return job;
      }
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
  }

  // Updates the progress of one job in place (both tables) without re-rendering rows,
  // so focus and hover survive the polling.
  function updateProgress(job) {
    const reportRowNode = Array.from(document.querySelectorAll('#reports tr[data-key]'))
      .find((tr) => tr.dataset.key === job.key);
    if (reportRowNode) {
      const cell = reportRowNode.querySelector('td.status');
      cell.querySelector('.progress')?.remove();
      cell.querySelector('.outcome')?.remove();
      if (FINAL_JOB.has(job.status)) {
        cell.append(outcomeView(job));
        const button = reportRowNode.querySelector('button.process');
        if (button) button.disabled = false;
      } else {
        cell.append(progressView(job));
      }
    }
    const jobRowNode = document.querySelector('#jobs tr[data-job-id="' + job.job_id + '"]');
    if (jobRowNode) jobRowNode.replaceWith(jobRow(job));
    else renderJobs();
  }

  $('#process-pending').addEventListener('click', () => {
    batch.done = 0;
    const box = $('#pending-progress');
    box.textContent = 'Starting…';
    box.hidden = false;
    processKeys({ pending: true });
  });

  // ---- uploads ------------------------------------------------------------------------

  // XMLHttpRequest, not fetch: only it reports upload progress.
  function uploadOne(file, key, onProgress) {
    return new Promise((resolve, reject) => {
      const form = new FormData();
      form.append('key', key);  // before `file`: the server opens the object with it
      form.append('file', file, file.name);
      const xhr = new XMLHttpRequest();
      xhr.open('POST', '/api/upload');
      for (const [name, value] of Object.entries(authHeaders())) xhr.setRequestHeader(name, value);
      xhr.upload.onprogress = (e) => { if (e.lengthComputable) onProgress(e.loaded, e.total); };
      xhr.onerror = () => reject(new ApiError(0, 'network', 'the upload did not reach the server'));
      xhr.onload = () => {
        let body = null;
        try { body = JSON.parse(xhr.responseText); } catch (_) { /* not JSON */ }
        if (xhr.status === 201) return resolve(body);
        const error = body && body.error
          ? new ApiError(xhr.status, body.error.code, body.error.message)
          : new ApiError(xhr.status, 'http_' + xhr.status, 'HTTP ' + xhr.status);
        if (xhr.status === 401) askForKey('This server needs an API key.');
        reject(error);
      };
      xhr.send(form);
    });
  }

  async function uploadFiles(files) {
    const prefix = $('#upload-prefix').value.trim();
    const list = $('#uploads');
    for (const file of files) {
      const key = prefix + file.name;
      const bar = el('progress', { max: file.size || 1, value: 0, 'aria-label': 'Upload of ' + key });
      const state = el('span', { text: 'uploading…' });
      const item = el('li', { 'data-upload': key }, el('span', { className: 'key', text: key }), bar, state);
      list.prepend(item);
      try {
        const result = await uploadOne(file, key, (loaded, total) => { bar.max = total; bar.value = loaded; });
        bar.value = bar.max;
        state.textContent = 'uploaded (' + formatBytes(result.size) + ')';
        state.className = 'outcome succeeded';
      } catch (error) {
        state.textContent = 'failed: ' + error.message;
        state.className = 'outcome failed';
      }
    }
    await refreshReports();
  }

  const input = $('#file-input');
  input.addEventListener('change', () => {
    const files = Array.from(input.files);
    input.value = '';
    if (files.length) uploadFiles(files);
  });

  const zone = $('#dropzone');
  zone.addEventListener('dragover', (event) => {
    event.preventDefault();
    event.dataTransfer.dropEffect = 'copy';
    zone.classList.add('over');
  });
  zone.addEventListener('dragleave', () => zone.classList.remove('over'));
  zone.addEventListener('drop', (event) => {
    event.preventDefault();
    zone.classList.remove('over');
    const files = Array.from(event.dataTransfer.files || []);
    if (files.length) uploadFiles(files);
  });
  // A file dropped beside the zone must not navigate away from the page.
  window.addEventListener('dragover', (event) => event.preventDefault());
  window.addEventListener('drop', (event) => event.preventDefault());

  // ---- start --------------------------------------------------------------------------

  async function refreshAll() {
    await refreshJobs();
    await Promise.all([refreshReports(), refreshStats()]);
  }

  $('#refresh-all').addEventListener('click', refreshAll);

  // Reports change behind our back (the watcher, other users): refresh while visible,
  // unless jobs are being watched (they refresh on completion) or a key is needed.
  setInterval(() => {
    if (document.visibilityState === 'visible' && trackedJobs.size === 0 && $('#auth').hidden) {
      refreshJobs().then(refreshReports);
    }
  }, REFRESH_MS);

  updateAuthState();
  refreshAll();
})();
