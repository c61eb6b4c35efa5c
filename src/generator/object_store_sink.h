// A ReportSink that uploads into object storage (storage::ObjectStore), for
// `salesflow generate --upload`. Each file is one ObjectWriter: streamed, and visible only
// once committed.
#pragma once

#include <memory>
#include <string>

#include "generator/report_sink.h"
#include "storage/object_store.h"

namespace salesflow::generator {

// Files land at key `prefix + name` ("daily/" + "2026-10-01.csv"). An empty prefix means
// the store's root; a non-empty prefix should end in '/'.
// REQUIRES: store outlives the sink.
std::unique_ptr<ReportSink> MakeObjectStoreSink(storage::ObjectStore* store, std::string prefix);

}  // namespace salesflow::generator
