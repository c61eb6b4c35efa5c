// UTF-8 decoding shared by object-key validation and terminal rendering.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace salesflow::core {

// Decodes one UTF-8 sequence at text[pos] into *code_point. Returns its length in bytes, or
// 0 when it is malformed (truncated, overlong, surrogate, above U+10FFFF).
// REQUIRES: pos < text.size().
size_t DecodeUtf8(std::string_view text, size_t pos, uint32_t* code_point);

// C0 controls, DEL and C1 controls.
constexpr bool IsControlCodePoint(uint32_t cp) { return cp < 0x20 || (cp >= 0x7F && cp <= 0x9F); }

}  // namespace salesflow::core
