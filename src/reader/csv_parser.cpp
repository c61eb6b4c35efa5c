#include "reader/csv_parser.h"

#include <algorithm>

#include "reader/text_encoding.h"

namespace salesflow::reader {
namespace {

constexpr std::string_view kCandidateDelimiters = ",;\t|";

// Index of a byte in 256-entry tables.
inline size_t Byte(char c) { return static_cast<unsigned char>(c); }

}  // namespace

char DetectDelimiter(std::string_view header_line) {
  std::array<size_t, 4> counts{};
  bool quoted = false;
  for (char c : header_line) {
    if (c == '"') quoted = !quoted;
    if (quoted) continue;
    const size_t at = kCandidateDelimiters.find(c);
    if (at != std::string_view::npos) ++counts[at];
  }
  size_t best = 0;
  for (size_t i = 1; i < counts.size(); ++i) {
    if (counts[i] > counts[best]) best = i;
  }
  return counts[best] == 0 ? ',' : kCandidateDelimiters[best];
}

std::string JoinCsvFields(const std::vector<std::string_view>& fields, char delimiter, size_t cap) {
  std::string out;
  for (size_t i = 0; i < fields.size() && out.size() < cap; ++i) {
    if (i > 0) out += delimiter;
    const std::string_view f = fields[i];
    const bool quote =
        f.find_first_of(std::string{'"', '\n', '\r', delimiter}) != std::string_view::npos;
    if (!quote) {
      out.append(f);
      continue;
    }
    out += '"';
    for (char c : f) {
      if (c == '"') out += '"';
      out += c;
    }
    out += '"';
  }
  if (out.size() > cap) out.resize(Utf8SafeCut(out, cap));
  return out;
}

CsvParser::CsvParser(const Options& options, CsvRecordHandler* handler)
    : options_(options), handler_(handler), delimiter_('\0') {
  if (options.delimiter != '\0') SetDelimiter(options.delimiter);
  values_.reserve(4096);
  ends_.reserve(64);
  record_.fields.reserve(64);
}

void CsvParser::SetDelimiter(char delimiter) {
  delimiter_ = delimiter;
  unquoted_special_.fill(false);
  for (char c : {delimiter, '\n', '\r', '"', '\0'}) unquoted_special_[Byte(c)] = true;
  quoted_special_.fill(false);
  for (char c : {'"', '\n', '\0'}) quoted_special_[Byte(c)] = true;
}

Status CsvParser::Feed(std::string_view bytes) {
  if (failed_) return error_;
  Status status;
  if (delimiter_ == '\0') {
    // Hold the first line (bounded by the record limit) to detect the delimiter.
    const size_t newline = bytes.find('\n');
    const size_t room =
        options_.max_record_bytes - std::min(options_.max_record_bytes, header_probe_.size());
    if (newline == std::string_view::npos && bytes.size() <= room) {
      header_probe_.append(bytes);
      return Status::Ok();
    }
    const size_t take =
        std::min(newline == std::string_view::npos ? bytes.size() : newline + 1, room);
    header_probe_.append(bytes.substr(0, take));
    bytes.remove_prefix(take);
    SetDelimiter(DetectDelimiter(header_probe_));
    std::string probe;
    probe.swap(header_probe_);
    status = Consume(probe.data(), probe.data() + probe.size());
  }
  if (status.ok()) status = Consume(bytes.data(), bytes.data() + bytes.size());
  if (!status.ok()) {
    failed_ = true;
    error_ = status;
  }
  return status;
}

Status CsvParser::Finish() {
  if (failed_) return error_;
  Status status;
  if (delimiter_ == '\0') {
    SetDelimiter(DetectDelimiter(header_probe_));
    std::string probe;
    probe.swap(header_probe_);
    status = Consume(probe.data(), probe.data() + probe.size());
  }
  if (status.ok() && state_ == State::kQuoted) {
    status = Status::InvalidArgument("unterminated quote: the quoted field opened at line " +
                                     std::to_string(quote_line_) +
                                     " is never closed before the end of the file");
  }
  if (status.ok() && in_record_) {
    EndField();
    status = EndRecord();
  }
  if (!status.ok()) {
    failed_ = true;
    error_ = status;
  }
  return status;
}

void CsvParser::BeginRecord() {
  in_record_ = true;
  overflow_ = false;
  record_bytes_ = 0;
  values_.clear();
  ends_.clear();
  record_.line = line_;
}

// Every byte of a record counts towards the limit; content bytes are kept only while the
// record is within it. Decided per byte position, so the result never depends on how the
// input was split into buffers.
inline void CsvParser::Append(const char* data, size_t n) {
  const size_t max = options_.max_record_bytes;
  if (record_bytes_ < max) values_.append(data, std::min(n, max - record_bytes_));
  Count(n);
}

inline void CsvParser::Count(size_t n) {
  record_bytes_ += n;
  if (record_bytes_ > options_.max_record_bytes) overflow_ = true;
}

inline void CsvParser::EndField() {
  if (!overflow_) ends_.push_back(static_cast<uint32_t>(values_.size()));
}

Status CsvParser::EndRecord() {
  in_record_ = false;
  record_.fields.clear();
  uint32_t begin = 0;
  for (uint32_t end : ends_) {
    record_.fields.emplace_back(values_.data() + begin, end - begin);
    begin = end;
  }
  if (overflow_) {
    // The fields finished before the limit, plus the unfinished one's first bytes.
    if (begin < values_.size()) {
      record_.fields.emplace_back(values_.data() + begin, values_.size() - begin);
    }
    return handler_->OnTooLong(
        record_.line, JoinCsvFields(record_.fields, delimiter_, options_.max_record_bytes));
  }
  return handler_->OnRecord(record_);
}

Status CsvParser::CheckQuoteLimit() const {
  if (quoted_bytes_ <= options_.max_record_bytes) return Status::Ok();
  return Status::InvalidArgument(
      "unterminated quote: the quoted field opened at line " + std::to_string(quote_line_) +
      " runs past " + std::to_string(options_.max_record_bytes) +
      " bytes without a closing quote (max_line_bytes); check that line's quotes");
}

Status CsvParser::NulError() const {
  return Status::InvalidArgument(
      "not a text file: NUL byte at line " + std::to_string(line_) +
      " (binary data, or a UTF-16 export: save the report as UTF-8 CSV)");
}

Status CsvParser::Consume(const char* p, const char* end) {
  while (p < end) {
    switch (state_) {
      case State::kRecordStart: {
        const char c = *p;
        if (c == '\n' || c == '\r') {  // blank line
          ++p;
          ++line_;
          if (c == '\r') state_ = State::kBlankCR;
          continue;
        }
        BeginRecord();
        state_ = State::kFieldStart;
        continue;
      }
      case State::kBlankCR:
      case State::kCR:
        if (*p == '\n') ++p;
        state_ = State::kRecordStart;
        continue;
      case State::kFieldStart:
        if (*p == '"') {
          ++p;
          Count(1);
          quoted_bytes_ = 0;
          quote_line_ = line_;
          state_ = State::kQuoted;
        } else {
          state_ = State::kUnquoted;  // handles an empty field's terminator too
        }
        continue;
      case State::kUnquoted: {
        const char* start = p;
        while (p < end && !unquoted_special_[Byte(*p)]) ++p;
        if (p != start) Append(start, static_cast<size_t>(p - start));
        if (p == end) return Status::Ok();
        const char c = *p++;
        if (c == delimiter_) {
          EndField();
          Count(1);
          state_ = State::kFieldStart;
        } else if (c == '\n' || c == '\r') {  // the line end is not part of the record
          EndField();
          SF_RETURN_IF_ERROR(EndRecord());
          ++line_;
          state_ = c == '\n' ? State::kRecordStart : State::kCR;
        } else if (c == '"') {
          Append(&c, 1);  // stray quote in an unquoted field: literal
        } else {
          return NulError();
        }
        continue;
      }
      case State::kQuoted: {
        const char* start = p;
        while (p < end && !quoted_special_[Byte(*p)]) ++p;
        const size_t run = static_cast<size_t>(p - start);
        quoted_bytes_ += run;
        if (run != 0) Append(start, run);
        SF_RETURN_IF_ERROR(CheckQuoteLimit());
        if (p == end) return Status::Ok();
        const char c = *p++;
        ++quoted_bytes_;
        if (c == '"') {
          Count(1);
          state_ = State::kQuoteInQuoted;
        } else if (c == '\n') {
          Append(&c, 1);
          ++line_;
        } else {
          return NulError();
        }
        continue;
      }
      case State::kQuoteInQuoted: {
        const char c = *p;
        if (c == '"') {  // "" escape
          ++p;
          Append(&c, 1);
          ++quoted_bytes_;
          state_ = State::kQuoted;
        } else if (c == '\0') {
          return NulError();
        } else {
          // Closing quote: the delimiter / line end (or stray text) is the unquoted
          // state's business.
          state_ = State::kUnquoted;
        }
        continue;
      }
    }
  }
  return Status::Ok();
}

}  // namespace salesflow::reader
