// What a process request asks for, how it is stored with its job, and how it combines with
// a stored prefix mapping into the reader's options.
//
// Precedence, per setting: the request, else the mapping stored for the longest prefix of
// the key (`mappings` table), else the defaults (SALESFLOW_CURRENCY for the currency,
// max_reject_ratio 0.01). A request's column mapping replaces the stored one as a whole.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "core/status.h"
#include "reader/report_reader.h"

namespace salesflow::ingest {

inline constexpr double kDefaultMaxRejectRatio = 0.01;

using ColumnMapping = std::map<std::string, std::string>;  // canonical column -> header

// Reader options by their request/CLI name (reader::SetReaderOption): "date_format",
// "delimiter", "encoding", "currency", "decimal_format", "format".
using ReaderSettings = std::map<std::string, std::string>;

struct JobOptions {
  bool dry_run = false;
  bool force = false;
  std::optional<ColumnMapping> mapping;
  std::optional<double> max_reject_ratio;
  ReaderSettings reader;

  // Compact JSON for jobs.options; FromJson accepts exactly what ToJson writes (and NULL
  // or "" as the defaults). Internal on errors: the column is written only by ToJson.
  std::string ToJson() const;
  static Result<JobOptions> FromJson(std::string_view json);
  friend bool operator==(const JobOptions&, const JobOptions&) = default;
};

// A stored mapping and reader options for every report under a prefix.
struct PrefixMapping {
  std::string prefix;
  ColumnMapping mapping;
  ReaderSettings reader;
  std::optional<double> max_reject_ratio;
  friend bool operator==(const PrefixMapping&, const PrefixMapping&) = default;
};

// The mappings table stores reader settings and the ratio together in reader_options.
std::string MappingJson(const ColumnMapping& mapping);
std::string ReaderSettingsJson(const ReaderSettings& reader,
                               std::optional<double> max_reject_ratio);
Result<PrefixMapping> PrefixMappingFromJson(std::string prefix, std::string_view mapping_json,
                                            std::string_view reader_json);

struct ResolvedOptions {
  reader::ReaderOptions reader;
  double max_reject_ratio = kDefaultMaxRejectRatio;
  bool dry_run = false;
  bool force = false;
};

// Combines request, stored mapping (may be null) and defaults for the report `key`.
// InvalidArgument naming the bad option (unknown column, bad delimiter, ratio outside 0..1).
Result<ResolvedOptions> ResolveOptions(const JobOptions& request, const PrefixMapping* stored,
                                       std::string_view key, std::string_view default_currency);

// Checks a request's options alone (before queueing: the API answers 400 with the message).
Status ValidateJobOptions(const JobOptions& options);
// Checks a mapping before it is stored.
Status ValidatePrefixMapping(const PrefixMapping& mapping);

}  // namespace salesflow::ingest
