// Process-wide logging through spdlog: structured JSON lines on stderr for servers,
// plain text for interactive commands. Secrets never go into a log line: callers log
// DbConfig::Redacted() / ObjectStore::Describe(), never raw URLs or keys.
#pragma once

#include <spdlog/spdlog.h>

#include <string_view>

namespace salesflow::core {

enum class LogFormat { kText, kJson };

// Configures the default logger. `level` is one of trace, debug, info, warn, error, off
// (unknown names mean info). Safe to call more than once; not thread-safe against logging.
void InitLogging(LogFormat format, std::string_view level);

// Escapes a string for embedding in a JSON log line (quotes, backslashes, control chars).
std::string JsonEscape(std::string_view text);

}  // namespace salesflow::core
