#include "reader/text_encoding.h"

#include <cstdint>
#include <cstring>

namespace salesflow::reader {
namespace {

// Windows-1252 0x80..0x9F; the undefined bytes keep their C1 value.
constexpr char16_t kCp1252High[32] = {
    0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
    0x2039, 0x0152, 0x008D, 0x017D, 0x008F, 0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
    0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x009D, 0x017E, 0x0178};

void AppendCodePoint(uint32_t cp, std::string* out) {
  if (cp < 0x80) {
    *out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    *out += static_cast<char>(0xC0 | (cp >> 6));
    *out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    *out += static_cast<char>(0xE0 | (cp >> 12));
    *out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    *out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

}  // namespace

bool IsValidUtf8(std::string_view text) {
  const auto* p = reinterpret_cast<const unsigned char*>(text.data());
  const unsigned char* end = p + text.size();
  while (p < end) {
    // ASCII fast path, eight bytes at a time.
    while (end - p >= 8) {
      uint64_t word;
      std::memcpy(&word, p, 8);
      if ((word & 0x8080808080808080ULL) != 0) break;
      p += 8;
    }
    if (p == end) break;
    const unsigned char c = *p;
    if (c < 0x80) {
      ++p;
      continue;
    }
    size_t need;
    uint32_t cp;
    if (c >= 0xC2 && c <= 0xDF) {
      need = 1;
      cp = c & 0x1Fu;
    } else if (c >= 0xE0 && c <= 0xEF) {
      need = 2;
      cp = c & 0x0Fu;
    } else if (c >= 0xF0 && c <= 0xF4) {
      need = 3;
      cp = c & 0x07u;
    } else {
      return false;
    }
    if (static_cast<size_t>(end - p) <= need) return false;
    for (size_t i = 1; i <= need; ++i) {
      if ((p[i] & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (p[i] & 0x3Fu);
    }
    if ((need == 2 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) ||
        (need == 3 && (cp < 0x10000 || cp > 0x10FFFF))) {
      return false;
    }
    p += need + 1;
  }
  return true;
}

void AppendDecoded(std::string_view text, TextEncoding encoding, std::string* out) {
  for (char ch : text) {
    const auto b = static_cast<unsigned char>(ch);
    if (b < 0x80) {
      *out += ch;
    } else if (encoding == TextEncoding::kWindows1252 && b < 0xA0) {
      AppendCodePoint(kCp1252High[b - 0x80], out);
    } else {
      AppendCodePoint(b, out);
    }
  }
}

void AssignUtf8(std::string_view text, TextEncoding fallback, std::string* out) {
  if (IsValidUtf8(text)) {
    out->assign(text);
  } else {
    out->clear();
    AppendDecoded(text, fallback, out);
  }
}

size_t Utf8SafeCut(std::string_view s, size_t cap) {
  if (cap >= s.size()) return s.size();
  size_t cut = cap;
  while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80) --cut;
  return cut;
}

size_t CountCodePoints(std::string_view utf8) {
  size_t n = 0;
  for (char c : utf8) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80 ? 1 : 0;
  return n;
}

Result<TextEncoding> ParseEncodingName(std::string_view name) {
  const std::string lower = Lower(name);
  if (lower == "windows-1252" || lower == "cp1252" || lower == "win-1252" ||
      lower == "windows1252") {
    return TextEncoding::kWindows1252;
  }
  if (lower == "latin1" || lower == "latin-1" || lower == "iso-8859-1" || lower == "iso8859-1") {
    return TextEncoding::kLatin1;
  }
  return Status::InvalidArgument("unknown encoding \"" + std::string(name) +
                                 "\": the fallback for text that is not UTF-8 is one of "
                                 "windows-1252 (default), latin1");
}

std::string_view EncodingName(TextEncoding encoding) {
  return encoding == TextEncoding::kWindows1252 ? "windows-1252" : "latin1";
}

}  // namespace salesflow::reader
