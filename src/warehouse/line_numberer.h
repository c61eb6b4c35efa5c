// Line numbers by position, computed while the report streams, in O(1) memory.
//
// DESIGN.md: a line without a line_no in the file gets "its position within its order in
// that file". Most files keep an order's lines together, so the producer numbers each run
// of equal order_id itself: the value it writes into the staging table's line_no column is
//   * the file's own line_no (>= 1) when the line has one;
//   * -(position among the run's lines without a line_no) otherwise: negative means
//     "assigned here, not from the file", so the set-based renumbering can still tell the
//     two apart (the reader only ever produces line_no >= 1 or 0 = absent).
// When an order's unnumbered lines come in two or more runs, each run restarts at 1, so
// (order_id, 1) appears twice: the optimistic apply (report_load.h, TryFastApply) sees a
// duplicate key and falls back to the exact SQL numbering (AssignLineNumbers). The
// numbering is therefore either the SQL one or detected as possibly different, never
// silently different.
//
// Use (one numberer per report, lines in file order):
//   warehouse::LineNumberer numberer;
//   ... for each good line: AppendLoadDataRow(line, numberer.Next(line), &buffer);
//
// Thread-safety: a value type, not synchronised (one producer thread).
#pragma once

#include <cstdint>
#include <string>

#include "core/sales_line.h"

namespace salesflow::warehouse {

class LineNumberer {
 public:
  // The staging line_no of `line` (see above). REQUIRES: lines in file order.
  int32_t Next(const core::SalesLine& line);
  // Lines numbered by position so far.
  uint64_t numbered() const { return numbered_; }

 private:
  std::string run_order_id_;  // order_id of the current run (capacity reused)
  int32_t run_position_ = 0;  // unnumbered lines seen in the current run
  bool in_run_ = false;
  uint64_t numbered_ = 0;
};

}  // namespace salesflow::warehouse
