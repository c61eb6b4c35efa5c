// CsvParser: the RFC 4180 state machine under the report reader, exposed for tests and
// tools that want raw records (fields as text, no mapping, no validation).
//
// Fed buffers of any size; a record may straddle any number of them. Accepts quoted
// fields, "" escapes, embedded newlines, CRLF / LF / lone-CR line ends, a last record
// without a line end. Blank lines are skipped. Lenient where RFC 4180 is silent and real
// exports disagree: a quote inside an unquoted field is literal (ab"c), text after a
// closing quote is appended (Python's csv does the same: "ab"c -> abc).
// Bounded memory: a record longer than max_record_bytes is reported through OnTooLong
// with its first bytes and the parser resynchronises at the record's end; a quote open for
// more than max_record_bytes (an unterminated quote) is an InvalidArgument error naming
// the line where it opened. A NUL byte is an InvalidArgument error (not a text file).
// Not thread-safe.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace salesflow::reader {

struct CsvRecord {
  int64_t line = 0;  // 1-based physical line where the record starts
  // Unescaped field texts; the views are valid only during the handler call.
  std::vector<std::string_view> fields;
};

class CsvRecordHandler {
 public:
  virtual ~CsvRecordHandler() = default;
  // A non-ok Status stops the parser; Feed/Finish return it.
  virtual Status OnRecord(const CsvRecord& record) = 0;
  // A record longer than the limit: `prefix` holds its first fields (re-joined, about
  // max_record_bytes at most), for the reject's raw text.
  virtual Status OnTooLong(int64_t line, std::string_view prefix) = 0;
};

// Among , ; \t | : the candidate that occurs most often outside quotes in `header_line`;
// ',' when none occurs.
char DetectDelimiter(std::string_view header_line);

// Re-serialises fields as one RFC 4180 record (quoting where needed), stopping after about
// `cap` bytes (never splitting a UTF-8 sequence). Used for rejects' raw text.
std::string JoinCsvFields(const std::vector<std::string_view>& fields, char delimiter, size_t cap);

class CsvParser {
 public:
  struct Options {
    char delimiter = '\0';  // '\0' = DetectDelimiter on the first line
    size_t max_record_bytes = size_t{1} << 20;
  };

  // REQUIRES: handler outlives the parser.
  CsvParser(const Options& options, CsvRecordHandler* handler);

  Status Feed(std::string_view bytes);
  // End of input: emits the last record, fails if a quote is still open.
  Status Finish();

  // The delimiter in use ('\0' until detected).
  char delimiter() const { return delimiter_; }
  // Physical lines started so far (for messages).
  int64_t line() const { return line_; }

 private:
  enum class State {
    kRecordStart,    // before the first byte of a record (blank lines skipped here)
    kBlankCR,        // after the CR of a blank line: swallow its LF
    kFieldStart,     // at the first byte of a field
    kUnquoted,       // inside an unquoted field
    kQuoted,         // inside a quoted field
    kQuoteInQuoted,  // after a quote inside a quoted field: escape, close, or stray
    kCR,             // after the CR that ended a record: swallow its LF
  };

  Status Consume(const char* p, const char* end);
  void SetDelimiter(char delimiter);
  void BeginRecord();
  void Append(const char* data, size_t n);
  void Count(size_t n);
  void EndField();
  Status EndRecord();
  Status CheckQuoteLimit() const;
  Status NulError() const;

  Options options_;
  CsvRecordHandler* handler_;
  char delimiter_;
  std::string header_probe_;  // bytes held until the delimiter is detected
  bool failed_ = false;
  Status error_;

  State state_ = State::kRecordStart;
  int64_t line_ = 1;
  bool in_record_ = false;
  bool overflow_ = false;
  size_t record_bytes_ = 0;
  size_t quoted_bytes_ = 0;
  int64_t quote_line_ = 0;
  std::string values_;          // field texts of the current record, concatenated
  std::vector<uint32_t> ends_;  // end offset of each finished field in values_
  CsvRecord record_;
  std::array<bool, 256> unquoted_special_{};
  std::array<bool, 256> quoted_special_{};
};

}  // namespace salesflow::reader
