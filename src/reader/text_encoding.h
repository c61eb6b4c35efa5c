// UTF-8 checks and the fallback decoders for text that is not UTF-8 (DESIGN.md: text is
// never stored as mojibake). Pure functions, thread-safe.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "core/status.h"
#include "reader/report_reader.h"

namespace salesflow::reader {

// Well-formed UTF-8 (no overlongs, no surrogates, <= U+10FFFF). Fast for ASCII.
bool IsValidUtf8(std::string_view text);

// Appends `text`, read in `encoding`, to *out as UTF-8. Windows-1252's five undefined
// bytes (81 8D 8F 90 9D) map to the C1 controls of the same value, as Windows does.
void AppendDecoded(std::string_view text, TextEncoding encoding, std::string* out);

// Sets *out to `text` as UTF-8: unchanged when valid UTF-8, otherwise decoded from
// `fallback`. Reuses *out's capacity.
void AssignUtf8(std::string_view text, TextEncoding fallback, std::string* out);

// The largest cut <= cap that does not split a UTF-8 sequence of s (s.size() when it fits).
size_t Utf8SafeCut(std::string_view s, size_t cap);

// Code points in valid UTF-8.
size_t CountCodePoints(std::string_view utf8);

// "windows-1252" (also "cp1252", "win-1252"), "latin1" (also "iso-8859-1", "latin-1"),
// case-insensitive. InvalidArgument listing the accepted names otherwise.
Result<TextEncoding> ParseEncodingName(std::string_view name);
std::string_view EncodingName(TextEncoding encoding);

}  // namespace salesflow::reader
