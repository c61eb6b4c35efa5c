#include "warehouse/line_numberer.h"

#include <limits>

namespace salesflow::warehouse {

int32_t LineNumberer::Next(const core::SalesLine& line) {
  if (!in_run_ || line.order_id != run_order_id_) {
    run_order_id_.assign(line.order_id);  // no allocation once the capacity is reached
    run_position_ = 0;
    in_run_ = true;
  }
  if (line.line_no > 0) return line.line_no;
  // A run longer than INT32_MAX lines keeps the last position: the repeat collides, and the
  // exact SQL numbering takes over.
  if (run_position_ < std::numeric_limits<int32_t>::max()) ++run_position_;
  ++numbered_;
  return -run_position_;
}

}  // namespace salesflow::warehouse
