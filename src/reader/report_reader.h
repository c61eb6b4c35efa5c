// The report reader: bytes of one sales report in, validated SalesLines and precise
// RejectedRows out. Read this header first; the rest of src/reader/ is its machinery.
//
//   ReaderOptions opts;                 // defaults: format/delimiter/date order detected
//   opts.source_name = "2026/day.csv.gz";
//   ReportReader reader(opts, &sink);   // sink: your LineSink
//   while (chunk = storage.Next()) SF_RETURN_IF_ERROR(reader.Feed(chunk));
//   SF_RETURN_IF_ERROR(reader.Finish());
//   reader.stats().rows_read == rows_good + sum(rejects_by_reason)   // always
//
// Pure: no I/O, no storage, no SQL, no threads. Push-based: the caller owns the loop and
// the buffers (any size, even 1 byte). Memory is bounded by the largest buffer passed to
// Feed plus options.max_line_bytes (plus the date-detection window, see below), never by
// the file size. Decisions (synonyms, limits, date rules) are in docs/reader.md.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "core/sales_line.h"
#include "core/status.h"

namespace salesflow::reader {

enum class ReportFormat { kAuto, kCsv, kJsonLines };

// How money and discount numbers are written. Grouping separators are only accepted when
// an explicit option names them, and then only in well-formed groups of three digits, so
// "1.5" is never silently read as 15.
enum class DecimalFormat {
  kPoint,         // "1234.50" (default; no grouping)
  kPointGrouped,  // "1,234.50" or "1234.50"
  kComma,         // "1.234,50", "1 234,50" or "1234,50"
};

// Fallback for text that is not valid UTF-8 (DESIGN.md: never stored as mojibake).
enum class TextEncoding { kWindows1252, kLatin1 };

struct ReaderOptions {
  // kAuto: JSON Lines when source_name ends in .jsonl/.ndjson (optionally .gz) or the
  // content starts with '{'; CSV otherwise. gzip is always detected by its magic bytes.
  ReportFormat format = ReportFormat::kAuto;
  // The object key (or file name); only its extension is used, as a format hint.
  std::string source_name;
  // CSV delimiter; '\0' = detect among , ; \t | from the header line.
  char delimiter = '\0';
  // canonical column -> header in the file. Wins over names and synonyms.
  // Keys must be canonical column names (see ColumnName in reader/columns.h).
  std::map<std::string, std::string> mapping;
  // strptime-like subset: %Y %y %m %d %H %M %S %b %%, other characters literal.
  // "" = ISO 8601, or day/month order detected from the data when the dates are
  // numeric like 03/15/2026 (see ReaderStats::date_format and docs/reader.md).
  std::string date_format;
  DecimalFormat decimal_format = DecimalFormat::kPoint;
  TextEncoding fallback_encoding = TextEncoding::kWindows1252;
  // Currency of rows without a currency value; 3 ASCII letters.
  std::string currency = "USD";

  // Limits. A record longer than max_line_bytes is a line_too_long reject (the reader
  // resynchronises at the next record); a quote left open for longer fails the read.
  size_t max_line_bytes = size_t{1} << 20;
  // gzip bomb guards: total inflated bytes, and inflated/compressed ratio (checked once
  // more than 64 MiB have been inflated; real CSV compresses 5-30:1, deflate tops out near
  // 1030:1). Exceeding either fails with ResourceExhausted.
  uint64_t max_decompressed_bytes = uint64_t{64} << 30;
  uint64_t max_compression_ratio = 200;
  // Rejects beyond the first max_raw_rejects keep their message but not their raw text;
  // raw text is capped at max_raw_bytes (UTF-8 safe). Counts are kept for all rejects.
  size_t max_raw_rejects = 10'000;
  size_t max_raw_bytes = 4096;
  // Rows held back (at most, and at most 8 MiB) while the day/month order is undecided.
  size_t date_detect_rows = 10'000;
};

// Checks option values (currency, limits, date_format syntax, mapping keys) without
// reading anything: the API calls it to answer 400 before queueing a job.
Status ValidateOptions(const ReaderOptions& options);

// Sets one option by its request-JSON / CLI name: "format" (auto|csv|jsonl),
// "delimiter" (one of , ; | \t or "tab"), "date_format", "decimal_format"
// (point|point_grouped|comma, or the examples "1234.50", "1,234.50", "1.234,50"),
// "encoding" (windows-1252|cp1252|latin1|iso-8859-1), "currency".
// InvalidArgument naming the option and the accepted values otherwise.
Status SetReaderOption(ReaderOptions* options, std::string_view name, std::string_view value);

// Adds one CLI mapping argument "order_id=Invoice" (canonical=header) to options->mapping.
Status AddMappingArg(ReaderOptions* options, std::string_view arg);

inline constexpr size_t kRejectReasonCount = static_cast<size_t>(core::RejectReason::kCount_);

struct ReaderStats {
  int64_t rows_read = 0;  // data records seen (blank lines are not records)
  int64_t rows_good = 0;  // passed to OnLine
  std::array<int64_t, kRejectReasonCount> rejects_by_reason{};  // indexed by RejectReason
  int64_t bytes_in = 0;   // bytes given to Feed (compressed when gzip)
  int64_t bytes_out = 0;  // bytes after gzip inflation (== bytes_in when not gzip)

  // What was detected or used; filled once known.
  ReportFormat format = ReportFormat::kAuto;
  bool gzip = false;
  char delimiter = '\0';    // CSV only
  std::string date_format;  // "" while undecided; "ISO 8601" or e.g. "%m/%d/%Y"

  int64_t rows_rejected() const {
    int64_t total = 0;
    for (int64_t n : rejects_by_reason) total += n;
    return total;
  }
};

// Receives the reader's output, in file order. A non-ok Status from either method stops the
// read: Feed/Finish return it unchanged. The references are valid only during the call
// (the reader reuses one SalesLine for every row: copy what you keep).
class LineSink {
 public:
  virtual ~LineSink() = default;
  virtual Status OnLine(const core::SalesLine& line) = 0;
  virtual Status OnReject(const core::RejectedRow& reject) = 0;
};

// One reader per report. Not thread-safe (one thread feeds it); distinct readers are
// independent. SalesLine::line_no is the file's line_no column when present, otherwise 0,
// meaning "assign by position within the order": the loader numbers them and detects
// duplicate (order_id, line_no) set-based, so the reader keeps no per-order state.
// SalesLine::source_line / RejectedRow::line are the 1-based physical line where the
// record starts (JSON Lines: the line of the object).
//
// Errors (the read stops; later calls return the same Status):
//   InvalidArgument     bad options; not a text file (NUL bytes, ZIP archive); a quote
//                       left open past max_line_bytes (names the line where it opened);
//                       ambiguous numeric dates (names the date_format option)
//   FailedPrecondition  header lacks a required column (lists required, found, closest)
//   DataLoss            truncated or corrupt gzip stream
//   ResourceExhausted   gzip bomb guard tripped
//   anything the sink returns
class ReportReader {
 public:
  // REQUIRES: sink outlives the reader. Options are validated on the first Feed/Finish.
  ReportReader(const ReaderOptions& options, LineSink* sink);
  ~ReportReader();
  ReportReader(const ReportReader&) = delete;
  ReportReader& operator=(const ReportReader&) = delete;

  // Consumes bytes of the report, calling the sink for every complete record.
  Status Feed(std::string_view bytes);
  // End of input: flushes the last record (a file need not end in a newline) and any rows
  // held for date detection, and checks the stream ended cleanly. Call once.
  Status Finish();

  const ReaderStats& stats() const;

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace salesflow::reader
