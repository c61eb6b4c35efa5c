// The api::Backend adapter's conversions between the API's types and the engine's.
#include "api/engine_backend.h"

#include <gtest/gtest.h>

namespace salesflow::api {
namespace {

TEST(EngineBackendTest, ProcessRequestBecomesJobOptionsWithReaderSettingsByName) {
  ProcessRequest request;
  request.keys = {"a.csv", "b.csv"};
  request.dry_run = true;
  request.force = true;
  request.mapping = ColumnMapping{{"order_id", "Invoice"}};
  request.max_reject_ratio = 0.2;
  request.reader.delimiter = ";";
  request.reader.currency = "EUR";
  const ingest::ProcessSpec spec = ToProcessSpec(request);
  EXPECT_EQ(spec.keys, request.keys);
  EXPECT_FALSE(spec.pending);
  EXPECT_TRUE(spec.options.dry_run);
  EXPECT_TRUE(spec.options.force);
  EXPECT_EQ(spec.options.mapping, request.mapping);
  EXPECT_EQ(spec.options.max_reject_ratio, 0.2);
  EXPECT_EQ(spec.options.reader, (ingest::ReaderSettings{{"currency", "EUR"}, {"delimiter", ";"}}));
}

TEST(EngineBackendTest, MappingsRoundTrip) {
  PrefixMapping mapping;
  mapping.prefix = "shop/";
  mapping.mapping = {{"sku", "Code"}};
  mapping.reader.date_format = "%d/%m/%Y";
  mapping.reader.encoding = "latin1";
  mapping.max_reject_ratio = 0.05;
  const PrefixMapping back = ToApiMapping(ToIngestMapping(mapping));
  EXPECT_EQ(back.prefix, mapping.prefix);
  EXPECT_EQ(back.mapping, mapping.mapping);
  EXPECT_EQ(back.reader.date_format, mapping.reader.date_format);
  EXPECT_EQ(back.reader.encoding, mapping.reader.encoding);
  EXPECT_FALSE(back.reader.delimiter.has_value());
  EXPECT_FALSE(back.reader.currency.has_value());
  EXPECT_EQ(back.max_reject_ratio, mapping.max_reject_ratio);
}

TEST(EngineBackendTest, JobInfoShowsErrorsOfFailedJobsOnly) {
  ingest::JobRecord job;
  job.id = 7;
  job.key = "a.csv";
  job.state = ingest::JobState::kQueued;
  job.error = "storage unavailable (retrying)";
  job.counts.bytes_total = std::nullopt;
  JobInfo queued = ToJobInfo(job);
  EXPECT_EQ(queued.status, JobStatus::kQueued);
  EXPECT_EQ(queued.error, "");
  EXPECT_EQ(queued.bytes_total, 0);
  EXPECT_FALSE(queued.outcome.has_value());

  job.state = ingest::JobState::kSucceeded;
  job.outcome = ingest::JobOutcome::kDuplicate;
  job.duplicate_of = "day.csv";
  job.error.clear();
  job.counts = {10, 7, 2, 1, 100, 100};
  JobInfo done = ToJobInfo(job);
  EXPECT_EQ(done.status, JobStatus::kSucceeded);
  EXPECT_EQ(done.outcome, JobOutcome::kDuplicate);
  EXPECT_EQ(done.duplicate_of, "day.csv");
  EXPECT_EQ(done.rows_read, 10);
  EXPECT_EQ(done.rows_loaded, 7);
  EXPECT_EQ(done.rows_updated, 2);
  EXPECT_EQ(done.rows_rejected, 1);
  EXPECT_EQ(done.bytes_total, 100);

  job.state = ingest::JobState::kFailed;
  job.outcome.reset();
  job.error = "report 'a.csv': missing required column sku";
  EXPECT_EQ(ToJobInfo(job).error, job.error);
}

}  // namespace
}  // namespace salesflow::api
