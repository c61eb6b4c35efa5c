// Human output: aligned tables whose width is measured in terminal columns, not bytes, and
// the bar column of grouped stats. Pure functions over strings: no I/O besides the ostream
// a caller passes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

namespace salesflow::cli {

// Terminal columns `text` occupies: UTF-8 decoded, East Asian wide and emoji code points
// count 2, combining marks and zero-width characters 0, each invalid byte 1. Enough for the
// keys and names that reach a table; not a full wcwidth().
size_t DisplayWidth(std::string_view text);

// `text` made safe to print on one terminal line: control characters (C0, DEL, C1, e.g. ESC
// that would start a terminal escape sequence, or a newline inside a key) become '?'.
// Valid UTF-8 passes through unchanged.
std::string SanitizeForTerminal(std::string_view text);

enum class Align { kLeft, kRight };

struct Column {
  std::string header;
  Align align = Align::kLeft;
};

// Columns separated by two spaces, headers first, no trailing blanks. Cells are sanitised
// for the terminal. A row with fewer cells than columns is padded with empty cells; extra
// cells are ignored.
class Table {
 public:
  explicit Table(std::vector<Column> columns) : columns_(std::move(columns)) {}

  void AddRow(std::vector<std::string> cells);
  size_t row_count() const { return rows_.size(); }
  void Render(std::ostream& out) const;

 private:
  std::vector<Column> columns_;
  std::vector<std::vector<std::string>> rows_;
};

// A horizontal bar `value / max` of `width` columns, drawn with eighth blocks in Unicode
// ("██▍") or '#' in ASCII. Exact integer arithmetic (the inputs are cents), never floating
// point. Non-positive values or max give "".
std::string Bar(int64_t value, int64_t max, int width, bool unicode);

}  // namespace salesflow::cli
