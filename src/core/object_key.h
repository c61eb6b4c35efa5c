// Object keys: the one place where the rules for a report's name live.
//
// A key names an object relative to the store's root (an S3 bucket prefix or a local
// directory). Every ObjectStore operation validates its key with ValidateObjectKey, so a key
// that passes here is safe to use as a relative path and as an S3 key.
//
// Rules (InvalidArgument with a message naming the first problem otherwise):
//   - 1..1024 bytes (S3's limit), valid UTF-8 (no overlongs, no surrogates, <= U+10FFFF);
//   - no control characters: C0 (U+0000..U+001F), DEL (U+007F), C1 (U+0080..U+009F);
//   - no leading '/', no trailing '/', no empty segment ("a//b"): a key is a file name, never
//     a directory marker, and the local backend could not store "a/" and "a" side by side;
//   - no "." or ".." segment.
// Backslashes, spaces, '+', '=', '%', '&' and any printable Unicode are allowed.
#pragma once

#include <cstddef>
#include <string_view>

#include "core/status.h"

namespace salesflow {

inline constexpr std::size_t kMaxObjectKeyBytes = 1024;

// Thread-safe, pure.
Status ValidateObjectKey(std::string_view key);

// A listing prefix: empty, or the start of a key. Same rules as a key except that the last
// segment may be incomplete (so "daily/2026-" and "daily/" are valid; "a//", "../x", "/x" are not).
Status ValidateKeyPrefix(std::string_view prefix);

// True when the key names a report file: ends in .csv, .tsv, .jsonl or .ndjson, each
// optionally followed by .gz, compared case-insensitively ("DAY.CSV.GZ" is a report).
bool LooksLikeReport(std::string_view key);

}  // namespace salesflow
