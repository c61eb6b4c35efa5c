#include "ingest/line_sinks.h"

#include <algorithm>

#include "ingest/runner.h"
#include "warehouse/load_data.h"

namespace salesflow::ingest {

// ---- QueuedSink -----------------------------------------------------------------------------

QueuedSink::QueuedSink(const Target& target) : target_(target) {
  rejects_.reserve(target_.chunk_bytes + 4096);
}

Status QueuedSink::OnReject(const core::RejectedRow& reject) {
  tally_.Add(reject.reason, reject.line);
  warehouse::AppendRejectRow(target_.report_id, target_.job_id, reject, &rejects_);
  if (rejects_.size() >= target_.chunk_bytes) return Ship(ChunkKind::kRejects, &rejects_);
  return Status::Ok();
}

Status QueuedSink::Flush() { return Ship(ChunkKind::kRejects, &rejects_); }

Status QueuedSink::Ship(ChunkKind kind, std::string* buffer) {
  if (buffer->empty()) return Status::Ok();
  std::string full = std::move(*buffer);
  *buffer = target_.queue->TakeBuffer();
  Status pushed = target_.queue->Push(kind, std::move(full));
  if (!pushed.ok()) return Failed(std::move(pushed));
  return pushed;
}

Status QueuedSink::Failed(Status status) {
  if (error_.ok()) error_ = status;
  return status;
}

void QueuedSink::CountLoaded() {
  target_.progress->rows_loaded.fetch_add(1, std::memory_order_relaxed);
}

// ---- StagingSink ---------------------------------------------------------------------------

StagingSink::StagingSink(const Target& target) : QueuedSink(target) {
  sales_.reserve(target.chunk_bytes + 4096);
}

Status StagingSink::OnLine(const core::SalesLine& line) {
  warehouse::AppendLoadDataRow(line, numberer_.Next(line), &sales_);
  CountLoaded();
  if (sales_.size() >= target().chunk_bytes) return Ship(ChunkKind::kSales, &sales_);
  return Status::Ok();
}

Status StagingSink::Flush() {
  SF_RETURN_IF_ERROR(Ship(ChunkKind::kSales, &sales_));
  return QueuedSink::Flush();
}

// ---- SummaryMerge --------------------------------------------------------------------------

Status SummaryMerge::Request(ChunkQueue& queue) {
  {
    std::lock_guard lock(mutex_);
    pending_ = true;
  }
  SF_RETURN_IF_ERROR(queue.Push(ChunkKind::kSummaries, std::string()));
  std::unique_lock lock(mutex_);
  done_changed_.wait(lock, [&] { return !pending_; });
  return outcome_;
}

void SummaryMerge::Complete(Status status) {
  std::lock_guard lock(mutex_);
  if (!pending_) return;
  pending_ = false;
  outcome_ = std::move(status);
  done_changed_.notify_all();
}

// ---- DirectSink ----------------------------------------------------------------------------

namespace {
constexpr size_t kFirstBatchBytes = size_t{256} << 10;
}  // namespace

uint32_t DirectSink::Ids::Slot(const std::string& id) {
  // An order's lines come together: the previous id is the usual answer.
  if (!distinct.empty() && distinct.back() == id) return static_cast<uint32_t>(distinct.size() - 1);
  if (!dedup_all) {
    distinct.push_back(id);
    return static_cast<uint32_t>(distinct.size() - 1);
  }
  auto [it, inserted] = slots.try_emplace(id, static_cast<uint32_t>(distinct.size()));
  if (inserted) distinct.push_back(id);
  return it->second;
}

void DirectSink::Ids::Clear() {
  distinct.clear();
  slots.clear();
}

DirectSink::DirectSink(const Target& target, const Direct& direct)
    : QueuedSink(target), direct_(direct) {
  orders_.dedup_all = false;
  batch_.reserve(direct_.batch_bytes + 4096);
  sales_.reserve(target.chunk_bytes + 4096);
}

Status DirectSink::OnLine(const core::SalesLine& line) {
  // The direct load needs a line number on every line: a run's position (see LineNumberer;
  // an order in two runs collides and sends the report down the exact path).
  const int32_t numbered = numberer_.Next(line);
  warehouse::AppendSalesLineFields(line, numbered < 0 ? -numbered : numbered, &batch_);
  PendingLine& pending = pending_.emplace_back();
  pending.end = batch_.size();
  pending.order = orders_.Slot(line.order_id);
  if (!line.customer_id.empty()) pending.customer = customers_.Slot(line.customer_id);
  pending.summary = direct_.delta->AddLine(line);
  CountLoaded();
  // The first batch is small, so that the LOAD DATA starts while the rest is parsed.
  const size_t batch_bytes =
      batches_ == 0 ? std::min(direct_.batch_bytes, kFirstBatchBytes) : direct_.batch_bytes;
  if (batch_.size() >= batch_bytes) return CompleteBatch();
  return Status::Ok();
}

Status DirectSink::Flush() {
  SF_RETURN_IF_ERROR(CompleteBatch());
  return QueuedSink::Flush();
}

Status DirectSink::CompleteBatch() {
  if (pending_.empty()) return Status::Ok();
  std::vector<std::string_view> ids(orders_.distinct.begin(), orders_.distinct.end());
  auto order_keys = direct_.dictionary->Resolve(warehouse::KeyKind::kOrder, ids);
  if (!order_keys.ok()) return Failed(order_keys.status());
  ids.assign(customers_.distinct.begin(), customers_.distinct.end());
  auto customer_keys = direct_.dictionary->Resolve(warehouse::KeyKind::kCustomer, ids);
  if (!customer_keys.ok()) return Failed(customer_keys.status());
  size_t start = 0;
  for (const PendingLine& pending : pending_) {
    sales_.append(batch_, start, pending.end - start);
    start = pending.end;
    const uint32_t order_key = (*order_keys)[pending.order];
    warehouse::AppendIntField(order_key, &sales_);
    std::optional<uint32_t> customer_key;
    if (pending.customer != kNoCustomer) {
      customer_key = (*customer_keys)[pending.customer];
      warehouse::AppendIntField(*customer_key, &sales_);
    } else {
      warehouse::AppendNullField(&sales_);
    }
    warehouse::EndRow(&sales_);
    direct_.delta->AddKeys(pending.summary, order_key, customer_key);
    if (sales_.size() >= target().chunk_bytes) SF_RETURN_IF_ERROR(Ship(ChunkKind::kSales, &sales_));
  }
  ++batches_;
  lines_since_merge_ += pending_.size();
  batch_.clear();
  pending_.clear();
  orders_.Clear();
  customers_.Clear();
  SF_RETURN_IF_ERROR(Ship(ChunkKind::kSales, &sales_));
  if (lines_since_merge_ < direct_.merge_every_lines) return Status::Ok();
  lines_since_merge_ = 0;
  if (Status merged = direct_.merge->Request(*target().queue); !merged.ok()) {
    return Failed(std::move(merged));
  }
  return Status::Ok();
}

}  // namespace salesflow::ingest
