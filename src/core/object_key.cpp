#include "core/object_key.h"

#include <array>
#include <cstdint>
#include <string>

#include "core/utf8.h"

namespace salesflow {
namespace {

// Formats a code point for messages; the key itself is never echoed raw because it may hold
// the very bytes that make it invalid (terminal escapes, NUL).
std::string HexCodePoint(uint32_t cp) {
  constexpr char kHex[] = "0123456789ABCDEF";
  std::string out = "U+";
  const int digits = cp > 0xFFFF ? 6 : 4;
  for (int i = digits - 1; i >= 0; --i) out += kHex[(cp >> (4 * i)) & 0xF];
  return out;
}

// Checks encoding and characters of the whole text; `what` is "key" or "prefix".
Status ValidateCharacters(std::string_view text, std::string_view what) {
  if (text.size() > kMaxObjectKeyBytes) {
    return Status::InvalidArgument("object " + std::string(what) + " is " +
                                   std::to_string(text.size()) + " bytes; the limit is " +
                                   std::to_string(kMaxObjectKeyBytes));
  }
  for (std::size_t pos = 0; pos < text.size();) {
    uint32_t cp = 0;
    const std::size_t length = core::DecodeUtf8(text, pos, &cp);
    if (length == 0) {
      return Status::InvalidArgument("object " + std::string(what) +
                                     " is not valid UTF-8 (at byte " + std::to_string(pos) + ")");
    }
    if (core::IsControlCodePoint(cp)) {
      return Status::InvalidArgument("object " + std::string(what) +
                                     " contains the control character " + HexCodePoint(cp) +
                                     " at byte " + std::to_string(pos));
    }
    pos += length;
  }
  return Status::Ok();
}

// Checks the '/'-separated segments. When `last_may_be_partial`, the text after the last '/'
// is only the start of a segment (a prefix), so it may be empty, "." or "..".
Status ValidateSegments(std::string_view text, std::string_view what, bool last_may_be_partial) {
  if (!text.empty() && text.front() == '/') {
    return Status::InvalidArgument("object " + std::string(what) + " must not start with '/'");
  }
  std::size_t start = 0;
  while (true) {
    const std::size_t slash = text.find('/', start);
    const bool last = slash == std::string_view::npos;
    const std::string_view segment =
        text.substr(start, last ? std::string_view::npos : slash - start);
    if (!(last && last_may_be_partial)) {
      if (segment.empty()) {
        return Status::InvalidArgument("object " + std::string(what) +
                                       " has an empty path segment ('//' or a trailing '/')");
      }
      if (segment == "." || segment == "..") {
        return Status::InvalidArgument("object " + std::string(what) + " has a '" +
                                       std::string(segment) + "' path segment");
      }
    }
    if (last) break;
    start = slash + 1;
  }
  return Status::Ok();
}

char AsciiLower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool EndsWithIgnoreCase(std::string_view text, std::string_view suffix) {
  if (text.size() < suffix.size()) return false;
  const std::string_view tail = text.substr(text.size() - suffix.size());
  for (std::size_t i = 0; i < suffix.size(); ++i) {
    if (AsciiLower(tail[i]) != suffix[i]) return false;
  }
  return true;
}

}  // namespace

Status ValidateObjectKey(std::string_view key) {
  if (key.empty()) return Status::InvalidArgument("object key is empty");
  SF_RETURN_IF_ERROR(ValidateCharacters(key, "key"));
  return ValidateSegments(key, "key", /*last_may_be_partial=*/false);
}

Status ValidateKeyPrefix(std::string_view prefix) {
  if (prefix.empty()) return Status::Ok();
  SF_RETURN_IF_ERROR(ValidateCharacters(prefix, "prefix"));
  return ValidateSegments(prefix, "prefix", /*last_may_be_partial=*/true);
}

bool LooksLikeReport(std::string_view key) {
  if (EndsWithIgnoreCase(key, ".gz")) key.remove_suffix(3);
  constexpr std::array<std::string_view, 4> kExtensions = {".csv", ".tsv", ".jsonl", ".ndjson"};
  for (const std::string_view extension : kExtensions) {
    // The extension must follow a non-empty base name: ".csv" alone is a hidden file.
    if (key.size() > extension.size() && EndsWithIgnoreCase(key, extension) &&
        key[key.size() - extension.size() - 1] != '/') {
      return true;
    }
  }
  return false;
}

}  // namespace salesflow
