// JsonLinesParser: JSON Lines (one object per line) fed buffers of any size. Numbers keep
// their source text (never converted through double), so money stays exact. Lines longer
// than max_line_bytes are reported through OnTooLong and skipped. Blank lines are skipped.
// A NUL byte is an InvalidArgument error (not a text file). Not thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace salesflow::reader {

struct JsonMember {
  std::string key;
  std::string value;   // strings unescaped; numbers as written; true/false; null -> ""
  bool scalar = true;  // false for a nested object or array (value is then "")
};

class JsonLinesHandler {
 public:
  virtual ~JsonLinesHandler() = default;
  // A line holding one JSON object; `members` in document order; `raw` is the line.
  virtual Status OnObject(int64_t line, std::span<const JsonMember> members,
                          std::string_view raw) = 0;
  // A line that is not one JSON object: `why` says what is wrong.
  virtual Status OnBadLine(int64_t line, std::string_view raw, std::string why) = 0;
  virtual Status OnTooLong(int64_t line, std::string_view prefix) = 0;
};

class JsonLinesParser {
 public:
  // REQUIRES: handler outlives the parser.
  JsonLinesParser(size_t max_line_bytes, JsonLinesHandler* handler);
  Status Feed(std::string_view bytes);
  Status Finish();

 private:
  Status EndLine();

  size_t max_line_bytes_;
  JsonLinesHandler* handler_;
  std::string line_;  // the current line's bytes (at most max_line_bytes_)
  bool overflow_ = false;
  int64_t line_no_ = 1;
  std::vector<JsonMember> members_;
  size_t used_members_ = 0;
};

}  // namespace salesflow::reader
