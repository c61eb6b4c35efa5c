#include "reader/report_reader.h"

#include <algorithm>
#include <deque>
#include <optional>
#include <vector>

#include "reader/columns.h"
#include "reader/csv_parser.h"
#include "reader/date_parser.h"
#include "reader/gzip_inflater.h"
#include "reader/header_mapping.h"
#include "reader/jsonl_parser.h"
#include "reader/row_validator.h"
#include "reader/text_encoding.h"

namespace salesflow::reader {
namespace {

constexpr std::string_view kUtf8Bom = "\xEF\xBB\xBF";
constexpr size_t kContentProbeBytes = 4096;
constexpr size_t kMaxHeldBytes = size_t{8} << 20;

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

// The format an object key's extension names, or kAuto.
ReportFormat FormatFromName(std::string_view source_name, char* delimiter_hint) {
  std::string name = Lower(source_name);
  if (EndsWith(name, ".gz")) name.resize(name.size() - 3);
  if (EndsWith(name, ".jsonl") || EndsWith(name, ".ndjson")) return ReportFormat::kJsonLines;
  if (EndsWith(name, ".tsv")) {
    *delimiter_hint = '\t';
    return ReportFormat::kCsv;
  }
  if (EndsWith(name, ".csv") || EndsWith(name, ".txt")) return ReportFormat::kCsv;
  return ReportFormat::kAuto;
}

bool IsAllowedDelimiter(char c) { return c == ',' || c == ';' || c == '\t' || c == '|'; }

// A record held while the day/month order of its dates is undecided.
struct HeldRow {
  std::array<std::string, kColumnCount> values;
  int64_t line = 0;
  std::string raw;
  // Set for a row the CSV layer already rejected (field count, too long): it is held
  // only to keep rejects in file order.
  std::optional<core::RejectReason> whole_row_reject;
  std::string message;
};

}  // namespace

Status ValidateOptions(const ReaderOptions& o) {
  if (o.currency.size() != 3 || !std::all_of(o.currency.begin(), o.currency.end(), [](char c) {
        return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
      })) {
    return Status::InvalidArgument("currency \"" + o.currency +
                                   "\" is not an ISO 4217 code of three letters like USD");
  }
  if (o.delimiter != '\0' && !IsAllowedDelimiter(o.delimiter)) {
    return Status::InvalidArgument("delimiter must be one of , ; | or tab");
  }
  if (o.max_line_bytes < 64 || o.max_line_bytes > (size_t{1} << 30)) {
    return Status::InvalidArgument("max_line_bytes must be between 64 bytes and 1 GiB");
  }
  if (o.max_compression_ratio < 2 || o.max_decompressed_bytes == 0) {
    return Status::InvalidArgument("gzip limits must be positive (ratio at least 2)");
  }
  if (!o.date_format.empty()) SF_RETURN_IF_ERROR(DateFormat::Compile(o.date_format).status());
  for (const auto& [column, header] : o.mapping) {
    if (!ColumnFromName(column)) {
      return Status::InvalidArgument("mapping names unknown column \"" + column +
                                     "\"; canonical columns: order_id, line_no, order_date, "
                                     "sku, quantity, unit_price, product_name, category, "
                                     "discount, currency, customer_id, country, region, "
                                     "channel, payment_method");
    }
    if (header.empty()) {
      return Status::InvalidArgument("mapping for " + column + " names an empty header");
    }
  }
  return Status::Ok();
}

Status SetReaderOption(ReaderOptions* options, std::string_view name, std::string_view value) {
  const std::string v = Lower(value);
  if (name == "format") {
    if (v == "auto" || v.empty()) {
      options->format = ReportFormat::kAuto;
    } else if (v == "csv" || v == "tsv") {
      options->format = ReportFormat::kCsv;
    } else if (v == "jsonl" || v == "ndjson" || v == "json_lines") {
      options->format = ReportFormat::kJsonLines;
    } else {
      return Status::InvalidArgument("format \"" + std::string(value) +
                                     "\" is not one of auto, csv, jsonl");
    }
  } else if (name == "delimiter") {
    if (value == "tab" || value == "\\t") {
      options->delimiter = '\t';
    } else if (value.empty() || v == "auto") {
      options->delimiter = '\0';
    } else if (value.size() == 1 && IsAllowedDelimiter(value[0])) {
      options->delimiter = value[0];
    } else {
      return Status::InvalidArgument("delimiter \"" + std::string(value) +
                                     "\" is not one of , ; | tab");
    }
  } else if (name == "date_format") {
    if (!value.empty()) SF_RETURN_IF_ERROR(DateFormat::Compile(value).status());
    options->date_format = std::string(value);
  } else if (name == "decimal_format") {
    if (v == "point" || v == "." || v == "1234.50") {
      options->decimal_format = DecimalFormat::kPoint;
    } else if (v == "point_grouped" || v == "1,234.50") {
      options->decimal_format = DecimalFormat::kPointGrouped;
    } else if (v == "comma" || v == "," || v == "1.234,50") {
      options->decimal_format = DecimalFormat::kComma;
    } else {
      return Status::InvalidArgument("decimal_format \"" + std::string(value) +
                                     "\" is not one of point (1234.50), point_grouped "
                                     "(1,234.50), comma (1.234,50)");
    }
  } else if (name == "encoding") {
    SF_ASSIGN_OR_RETURN(options->fallback_encoding, ParseEncodingName(value));
  } else if (name == "currency") {
    ReaderOptions probe;
    probe.currency = std::string(value);
    SF_RETURN_IF_ERROR(ValidateOptions(probe));
    options->currency = std::string(value);
  } else {
    return Status::InvalidArgument("unknown reader option \"" + std::string(name) +
                                   "\"; options: format, delimiter, date_format, "
                                   "decimal_format, encoding, currency");
  }
  return Status::Ok();
}

Status AddMappingArg(ReaderOptions* options, std::string_view arg) {
  const size_t eq = arg.find('=');
  if (eq == std::string_view::npos || eq == 0 || eq + 1 == arg.size()) {
    return Status::InvalidArgument("mapping \"" + std::string(arg) +
                                   "\" is not column=header, e.g. order_id=InvoiceNo");
  }
  const std::string column(arg.substr(0, eq));
  if (!ColumnFromName(column)) {
    return Status::InvalidArgument("mapping names unknown column \"" + column +
                                   "\"; use a canonical column such as order_id");
  }
  options->mapping[column] = std::string(arg.substr(eq + 1));
  return Status::Ok();
}

class ReportReader::Impl : public CsvRecordHandler, public JsonLinesHandler {
 public:
  Impl(const ReaderOptions& options, LineSink* sink) : options_(options), sink_(sink) {}

  Status Feed(std::string_view bytes) {
    if (!error_.ok()) return error_;
    if (finished_) return Fail(Status::Internal("ReportReader::Feed after Finish"));
    if (!started_) SF_RETURN_IF_ERROR(Fail(Start()));
    stats_.bytes_in += static_cast<int64_t>(bytes.size());
    return Fail(FeedRaw(bytes));
  }

  Status Finish() {
    if (!error_.ok()) return error_;
    if (finished_) return Status::Ok();
    finished_ = true;
    if (!started_) SF_RETURN_IF_ERROR(Fail(Start()));
    return Fail(FinishAll());
  }

  const ReaderStats& stats() const { return stats_; }

  // CsvRecordHandler
  Status OnRecord(const CsvRecord& record) override;
  Status OnTooLong(int64_t line, std::string_view prefix) override;
  // JsonLinesHandler
  Status OnObject(int64_t line, std::span<const JsonMember> members, std::string_view raw) override;
  Status OnBadLine(int64_t line, std::string_view raw, std::string why) override;

 private:
  Status Fail(Status status) {
    if (!status.ok() && error_.ok()) error_ = status;
    return status;
  }
  Status Start();
  Status FeedRaw(std::string_view bytes);
  Status FeedText(std::string_view bytes);
  Status DecideFormat();
  Status FinishAll();
  Status ResolveColumns(const std::vector<std::string>& headers);
  template <typename RawFn>
  Status ProcessRow(const RowFields& fields, const RawFn& raw);
  template <typename RawFn>
  Status ValidateAndEmit(const RowFields& fields, const RawFn& raw);
  // `raw` is called only when the reject keeps raw text (see max_raw_rejects).
  template <typename RawFn>
  Status EmitReject(int64_t line, std::string column, core::RejectReason reason,
                    std::string message, const RawFn& raw);
  template <typename RawFn>
  Status RejectWholeRow(int64_t line, core::RejectReason reason, std::string message,
                        const RawFn& raw);
  Status CheckHeldLimits() const;
  Status Hold(const RowFields& fields, std::string raw);
  Status ReleaseHeld();
  Status AmbiguousDates() const;
  std::string CapRaw(std::string_view raw) const;

  ReaderOptions options_;
  LineSink* sink_;
  ReaderStats stats_;
  Status error_;
  bool started_ = false;
  bool finished_ = false;

  std::string raw_probe_;  // first bytes, until gzip can be told
  bool raw_decided_ = false;
  std::unique_ptr<GzipInflater> gzip_;

  std::string text_probe_;  // first text bytes, until BOM and format are known
  bool text_decided_ = false;
  char delimiter_hint_ = '\0';
  std::unique_ptr<CsvParser> csv_;
  std::unique_ptr<JsonLinesParser> jsonl_;

  std::optional<RowValidator> validator_;
  bool have_header_ = false;
  size_t header_fields_ = 0;
  HeaderMap header_map_;
  bool dates_decided_ = false;
  std::deque<HeldRow> held_;
  size_t held_bytes_ = 0;
  std::string first_ambiguous_;
  int64_t first_ambiguous_line_ = 0;

  core::SalesLine line_;
  core::RejectedRow reject_;
  size_t rejects_with_raw_ = 0;
};

Status ReportReader::Impl::Start() {
  started_ = true;
  SF_RETURN_IF_ERROR(ValidateOptions(options_));
  SF_ASSIGN_OR_RETURN(RowValidator v, RowValidator::Create(options_));
  validator_.emplace(std::move(v));
  dates_decided_ = !options_.date_format.empty();
  if (dates_decided_) stats_.date_format = options_.date_format;
  stats_.format = options_.format;
  const ReportFormat from_name = FormatFromName(options_.source_name, &delimiter_hint_);
  if (stats_.format == ReportFormat::kAuto) stats_.format = from_name;
  return Status::Ok();
}

Status ReportReader::Impl::FeedRaw(std::string_view bytes) {
  if (!raw_decided_) {
    // The first two bytes tell gzip from text.
    const size_t take = std::min(bytes.size(), 2 - raw_probe_.size());
    raw_probe_.append(bytes.substr(0, take));
    bytes.remove_prefix(take);
    if (raw_probe_.size() < 2) return Status::Ok();
    raw_decided_ = true;
    stats_.gzip = HasGzipMagic(raw_probe_);
    if (stats_.gzip) {
      GzipInflater::Limits limits;
      limits.max_output_bytes = options_.max_decompressed_bytes;
      limits.max_ratio = options_.max_compression_ratio;
      gzip_ = std::make_unique<GzipInflater>(limits);
    }
    const std::string head = std::move(raw_probe_);
    SF_RETURN_IF_ERROR(FeedRaw(head));
  }
  if (gzip_) {
    return gzip_->Inflate(bytes, [this](std::string_view out) { return FeedText(out); });
  }
  return FeedText(bytes);
}

Status ReportReader::Impl::FeedText(std::string_view bytes) {
  stats_.bytes_out += static_cast<int64_t>(bytes.size());
  if (!text_decided_) {
    text_probe_.append(bytes);
    if (text_probe_.size() < kContentProbeBytes) {
      // Decide as soon as the first non-blank byte after a possible BOM is in.
      // Four bytes tell a BOM and a ZIP archive apart from text.
      const std::string_view probe = text_probe_;
      if (probe.size() < 4) return Status::Ok();
      const size_t start = probe.substr(0, 3) == kUtf8Bom ? 3 : 0;
      if (probe.find_first_not_of(" \t\r\n", start) == std::string_view::npos) {
        return Status::Ok();
      }
    }
    return DecideFormat();
  }
  if (csv_) return csv_->Feed(bytes);
  return jsonl_->Feed(bytes);
}

Status ReportReader::Impl::DecideFormat() {
  text_decided_ = true;
  std::string probe = std::move(text_probe_);
  std::string_view text = probe;
  if (text.substr(0, 3) == kUtf8Bom) text.remove_prefix(3);
  const size_t first = text.find_first_not_of(" \t\r\n");
  if (text.substr(0, 4) == std::string_view("PK\x03\x04", 4)) {
    return Status::InvalidArgument(
        "not a text file: this is a ZIP archive (an .xlsx workbook?); export the report as "
        "CSV, or unzip it first");
  }
  if (stats_.format == ReportFormat::kAuto) {
    stats_.format = first != std::string_view::npos && text[first] == '{' ? ReportFormat::kJsonLines
                                                                          : ReportFormat::kCsv;
  }
  if (stats_.format == ReportFormat::kCsv) {
    CsvParser::Options csv_options;
    csv_options.delimiter = options_.delimiter != '\0' ? options_.delimiter : delimiter_hint_;
    csv_options.max_record_bytes = options_.max_line_bytes;
    csv_ = std::make_unique<CsvParser>(csv_options, this);
    SF_RETURN_IF_ERROR(csv_->Feed(text));
  } else {
    jsonl_ = std::make_unique<JsonLinesParser>(options_.max_line_bytes, this);
    SF_RETURN_IF_ERROR(jsonl_->Feed(text));
  }
  return Status::Ok();
}

Status ReportReader::Impl::FinishAll() {
  if (!raw_decided_) {
    raw_decided_ = true;
    std::string head = std::move(raw_probe_);
    SF_RETURN_IF_ERROR(FeedText(head));
  }
  if (gzip_) SF_RETURN_IF_ERROR(gzip_->Finish());
  if (!text_decided_) SF_RETURN_IF_ERROR(DecideFormat());
  if (csv_) {
    SF_RETURN_IF_ERROR(csv_->Finish());
    stats_.delimiter = csv_->delimiter();
  } else {
    SF_RETURN_IF_ERROR(jsonl_->Finish());
  }
  if (!have_header_ && stats_.rows_read == 0) {
    return Status::FailedPrecondition(
        "the report is empty: no header line and no rows (required columns: " +
        std::string(RequiredColumnList()) + ")");
  }
  if (!held_.empty()) return AmbiguousDates();
  if (stats_.date_format.empty() && dates_decided_) stats_.date_format = "ISO 8601";
  return Status::Ok();
}

Status ReportReader::Impl::ResolveColumns(const std::vector<std::string>& headers) {
  SF_ASSIGN_OR_RETURN(header_map_, ResolveHeader(headers, options_.mapping));
  have_header_ = true;
  if (csv_) stats_.delimiter = csv_->delimiter();
  header_fields_ = headers.size();
  return Status::Ok();
}

std::string ReportReader::Impl::CapRaw(std::string_view raw) const {
  // Cut the source at a UTF-8 boundary first, so that valid UTF-8 cut short is not taken
  // for fallback-encoded text; then cap the decoded text, which may have grown.
  const size_t cap = options_.max_raw_bytes;
  std::string out;
  AssignUtf8(raw.substr(0, Utf8SafeCut(raw, cap)), options_.fallback_encoding, &out);
  out.resize(Utf8SafeCut(out, cap));
  return out;
}

template <typename RawFn>
Status ReportReader::Impl::EmitReject(int64_t line, std::string column, core::RejectReason reason,
                                      std::string message, const RawFn& raw) {
  ++stats_.rows_read;
  ++stats_.rejects_by_reason[static_cast<size_t>(reason)];
  reject_.line = line;
  reject_.column = std::move(column);
  reject_.reason = reason;
  reject_.message = std::move(message);
  reject_.raw.clear();
  if (rejects_with_raw_ < options_.max_raw_rejects) {
    ++rejects_with_raw_;
    reject_.raw = CapRaw(raw());
  }
  return sink_->OnReject(reject_);
}

Status ReportReader::Impl::OnRecord(const CsvRecord& record) {
  if (!have_header_) {
    std::vector<std::string> headers(record.fields.size());
    for (size_t i = 0; i < headers.size(); ++i) {
      AssignUtf8(TrimBlanks(record.fields[i]), options_.fallback_encoding, &headers[i]);
    }
    return ResolveColumns(headers);
  }
  auto raw = [&] {
    return JoinCsvFields(record.fields, csv_->delimiter(), options_.max_raw_bytes + 4);
  };
  if (record.fields.size() != header_fields_) {
    const std::string message = "the record has " + std::to_string(record.fields.size()) +
                                " fields but the header has " + std::to_string(header_fields_) +
                                " (a stray delimiter, or an unquoted field containing one?)";
    return RejectWholeRow(record.line, core::RejectReason::kFieldCount, message, raw);
  }
  RowFields fields;
  fields.line = record.line;
  for (size_t c = 0; c < kColumnCount; ++c) {
    const int f = header_map_.field_of[c];
    if (f != kUnmapped) fields.value[c] = record.fields[static_cast<size_t>(f)];
  }
  return ProcessRow(fields, raw);
}

Status ReportReader::Impl::OnTooLong(int64_t line, std::string_view prefix) {
  if (!have_header_) {
    return Status::InvalidArgument("the header line is longer than max_line_bytes (" +
                                   std::to_string(options_.max_line_bytes) +
                                   " bytes): is this a sales report?");
  }
  const std::string message = "the record is longer than max_line_bytes (" +
                              std::to_string(options_.max_line_bytes) + " bytes) and was skipped";
  auto raw = [&] { return std::string(prefix.substr(0, options_.max_raw_bytes + 4)); };
  return RejectWholeRow(line, core::RejectReason::kLineTooLong, message, raw);
}

Status ReportReader::Impl::OnObject(int64_t line, std::span<const JsonMember> members,
                                    std::string_view raw_text) {
  if (!have_header_) {
    std::vector<std::string> keys;
    keys.reserve(members.size());
    for (const JsonMember& m : members) keys.push_back(m.key);
    SF_RETURN_IF_ERROR(ResolveColumns(keys));
  }
  auto raw = [&] { return std::string(raw_text); };
  RowFields fields;
  fields.line = line;
  for (const JsonMember& m : members) {
    for (size_t c = 0; c < kColumnCount; ++c) {
      if (header_map_.field_of[c] == kUnmapped || header_map_.header_of[c] != m.key) continue;
      if (!m.scalar) {
        return EmitReject(line, std::string(kColumns[c].name), core::RejectReason::kBadJson,
                          std::string(kColumns[c].name) + " (key \"" + m.key +
                              "\") holds an object or array, not a value",
                          raw);
      }
      fields.value[c] = m.value;
    }
  }
  return ProcessRow(fields, raw);
}

Status ReportReader::Impl::OnBadLine(int64_t line, std::string_view raw_text, std::string why) {
  auto raw = [&] { return std::string(raw_text.substr(0, options_.max_raw_bytes + 4)); };
  return RejectWholeRow(line, core::RejectReason::kBadJson,
                        "the line is not one JSON object: " + why, raw);
}

template <typename RawFn>
Status ReportReader::Impl::RejectWholeRow(int64_t line, core::RejectReason reason,
                                          std::string message, const RawFn& raw) {
  if (held_.empty()) return EmitReject(line, "", reason, std::move(message), raw);
  HeldRow row;
  row.line = line;
  row.raw = raw();
  row.whole_row_reject = reason;
  row.message = std::move(message);
  held_bytes_ += sizeof(HeldRow) + row.raw.size() + row.message.size();
  held_.push_back(std::move(row));
  return CheckHeldLimits();
}

template <typename RawFn>
Status ReportReader::Impl::ProcessRow(const RowFields& fields, const RawFn& raw) {
  if (!dates_decided_) {
    const std::string_view date = TrimBlanks(fields[Column::kOrderDate]);
    const DateShape shape = ClassifyDate(date);
    switch (shape.evidence) {
      case DateEvidence::kIso:
        dates_decided_ = true;
        stats_.date_format = "ISO 8601";
        break;
      case DateEvidence::kYearFirst:
      case DateEvidence::kDayFirst:
      case DateEvidence::kMonthFirst: {
        const std::string& pattern = shape.evidence == DateEvidence::kMonthFirst
                                         ? shape.month_first_format
                                         : shape.day_first_format;
        SF_ASSIGN_OR_RETURN(DateFormat format, DateFormat::Compile(pattern));
        validator_->SetDateFormat(std::move(format));
        dates_decided_ = true;
        stats_.date_format = pattern;
        SF_RETURN_IF_ERROR(ReleaseHeld());
        break;
      }
      case DateEvidence::kAmbiguous:
        if (held_.empty()) {
          first_ambiguous_ = std::string(date.substr(0, 40));
          first_ambiguous_line_ = fields.line;
        }
        return Hold(fields, raw());
      case DateEvidence::kNotADate:
        if (!held_.empty()) return Hold(fields, raw());
        break;  // validated in ISO mode: a bad_date reject
    }
  }
  return ValidateAndEmit(fields, raw);
}

template <typename RawFn>
Status ReportReader::Impl::ValidateAndEmit(const RowFields& fields, const RawFn& raw) {
  if (validator_->Validate(fields, &line_, &reject_)) {
    ++stats_.rows_read;
    ++stats_.rows_good;
    return sink_->OnLine(line_);
  }
  return EmitReject(fields.line, std::move(reject_.column), reject_.reason,
                    std::move(reject_.message), raw);
}

Status ReportReader::Impl::Hold(const RowFields& fields, std::string raw) {
  HeldRow row;
  row.line = fields.line;
  row.raw = std::move(raw);
  held_bytes_ += sizeof(HeldRow) + row.raw.size();
  for (size_t c = 0; c < kColumnCount; ++c) {
    row.values[c].assign(fields.value[c]);
    held_bytes_ += row.values[c].size();
  }
  held_.push_back(std::move(row));
  return CheckHeldLimits();
}

Status ReportReader::Impl::CheckHeldLimits() const {
  if (held_.size() > options_.date_detect_rows || held_bytes_ > kMaxHeldBytes) {
    return AmbiguousDates();
  }
  return Status::Ok();
}

Status ReportReader::Impl::ReleaseHeld() {
  while (!held_.empty()) {
    HeldRow row = std::move(held_.front());
    held_.pop_front();
    auto raw = [&] { return row.raw; };
    if (row.whole_row_reject) {
      SF_RETURN_IF_ERROR(EmitReject(row.line, "", *row.whole_row_reject, row.message, raw));
      continue;
    }
    RowFields fields;
    fields.line = row.line;
    for (size_t c = 0; c < kColumnCount; ++c) fields.value[c] = row.values[c];
    SF_RETURN_IF_ERROR(ValidateAndEmit(fields, raw));
  }
  held_bytes_ = 0;
  return Status::Ok();
}

Status ReportReader::Impl::AmbiguousDates() const {
  return Status::FailedPrecondition(
      "ambiguous order_date values: \"" + first_ambiguous_ + "\" (line " +
      std::to_string(first_ambiguous_line_) + ") and the " + std::to_string(held_.size() - 1) +
      " rows after it read as day/month and as month/day alike, so the order cannot be "
      "detected; set the date_format option, e.g. \"date_format\": \"%m/%d/%Y\" (US) or "
      "\"%d/%m/%Y\"");
}

ReportReader::ReportReader(const ReaderOptions& options, LineSink* sink)
    : impl_(std::make_unique<Impl>(options, sink)) {}
ReportReader::~ReportReader() = default;
Status ReportReader::Feed(std::string_view bytes) { return impl_->Feed(bytes); }
Status ReportReader::Finish() { return impl_->Finish(); }
const ReaderStats& ReportReader::stats() const { return impl_->stats(); }

}  // namespace salesflow::reader
