#include "reader/jsonl_parser.h"

#include <cstring>
#include <exception>
#include <nlohmann/json.hpp>

namespace salesflow::reader {
namespace {

using Json = nlohmann::json;

// SAX events of one line into (key, value) members; nested values are skipped.
class MemberCollector {
 public:
  using number_integer_t = Json::number_integer_t;
  using number_unsigned_t = Json::number_unsigned_t;
  using number_float_t = Json::number_float_t;
  using string_t = Json::string_t;
  using binary_t = Json::binary_t;

  MemberCollector(std::vector<JsonMember>* members, size_t* used)
      : members_(members), used_(used) {}

  std::string error;

  bool null() { return Scalar(""); }
  bool boolean(bool v) { return Scalar(v ? "true" : "false"); }
  bool number_integer(number_integer_t v) { return Scalar(std::to_string(v)); }
  bool number_unsigned(number_unsigned_t v) { return Scalar(std::to_string(v)); }
  // The source text, not the double: money stays exact.
  bool number_float(number_float_t, const string_t& text) { return Scalar(text); }
  bool string(string_t& v) { return Scalar(v); }
  bool binary(binary_t&) { return Scalar(""); }
  bool start_object(size_t) { return Open(); }
  bool start_array(size_t) {
    if (depth_ == 0) return Fail("the line is a JSON array, not an object");
    return Open();
  }
  bool end_object() { return Close(); }
  bool end_array() { return Close(); }
  bool key(string_t& k) {
    if (depth_ == 1) {
      if (*used_ == members_->size()) members_->emplace_back();
      JsonMember& m = (*members_)[(*used_)++];
      m.key.assign(k);
      m.value.clear();
      m.scalar = true;
    }
    return true;
  }
  bool parse_error(size_t position, const std::string&, const nlohmann::detail::exception& e) {
    error = "not valid JSON at byte " + std::to_string(position) + ": " + e.what();
    return false;
  }

 private:
  bool Scalar(std::string_view v) {
    if (depth_ == 0) return Fail("the line is a JSON value, not an object");
    if (depth_ == 1 && *used_ > 0) (*members_)[*used_ - 1].value.assign(v);
    return true;
  }
  bool Open() {
    if (depth_ == 1 && *used_ > 0) (*members_)[*used_ - 1].scalar = false;
    ++depth_;
    return depth_ < 64 || Fail("nested deeper than 64 levels");
  }
  bool Close() {
    --depth_;
    return true;
  }
  bool Fail(std::string why) {
    error = std::move(why);
    return false;
  }

  std::vector<JsonMember>* members_;
  size_t* used_;
  int depth_ = 0;
};

bool IsBlank(std::string_view s) {
  for (char c : s) {
    if (c != ' ' && c != '\t' && c != '\r') return false;
  }
  return true;
}

}  // namespace

JsonLinesParser::JsonLinesParser(size_t max_line_bytes, JsonLinesHandler* handler)
    : max_line_bytes_(max_line_bytes), handler_(handler) {
  line_.reserve(4096);
}

Status JsonLinesParser::Feed(std::string_view bytes) {
  while (!bytes.empty()) {
    const size_t newline = bytes.find('\n');
    const std::string_view part = bytes.substr(0, newline);
    if (std::memchr(part.data(), '\0', part.size()) != nullptr) {
      return Status::InvalidArgument("not a text file: NUL byte at line " +
                                     std::to_string(line_no_) +
                                     " (binary data, or a UTF-16 export: save as UTF-8)");
    }
    if (!overflow_) {
      if (line_.size() + part.size() > max_line_bytes_) {
        line_.append(part.substr(0, max_line_bytes_ - line_.size()));
        overflow_ = true;
      } else {
        line_.append(part);
      }
    }
    if (newline == std::string_view::npos) break;
    SF_RETURN_IF_ERROR(EndLine());
    bytes.remove_prefix(newline + 1);
  }
  return Status::Ok();
}

Status JsonLinesParser::Finish() {
  if (!line_.empty() || overflow_) return EndLine();
  return Status::Ok();
}

Status JsonLinesParser::EndLine() {
  const int64_t line = line_no_++;
  Status status;
  if (overflow_) {
    status = handler_->OnTooLong(line, line_);
  } else if (!IsBlank(line_)) {
    std::string_view text = line_;
    if (!text.empty() && text.back() == '\r') text.remove_suffix(1);
    used_members_ = 0;
    MemberCollector collector(&members_, &used_members_);
    bool ok = false;
    try {
      ok = Json::sax_parse(text.begin(), text.end(), &collector);
    } catch (const std::exception& e) {  // nlohmann throws for a few malformed inputs
      collector.error = e.what();
    }
    if (ok) {
      status = handler_->OnObject(line, std::span<const JsonMember>(members_.data(), used_members_),
                                  text);
    } else {
      status = handler_->OnBadLine(
          line, text, collector.error.empty() ? std::string("not a JSON object") : collector.error);
    }
  }
  line_.clear();
  overflow_ = false;
  return status;
}

}  // namespace salesflow::reader
