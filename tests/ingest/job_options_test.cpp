#include "ingest/job_options.h"

#include <gtest/gtest.h>

#include "test_util.h"

namespace salesflow::ingest {
namespace {

TEST(JobOptionsTest, JsonRoundTripKeepsEverything) {
  JobOptions options;
  options.dry_run = true;
  options.force = true;
  options.mapping = ColumnMapping{{"order_id", "InvoiceNo"}, {"sku", "Stock \"Code\""}};
  options.max_reject_ratio = 0.25;
  options.reader = {{"delimiter", ";"}, {"date_format", "%d/%m/%Y"}};
  auto parsed = JobOptions::FromJson(options.ToJson());
  ASSERT_OK(parsed.status());
  EXPECT_EQ(*parsed, options);
}

TEST(JobOptionsTest, EmptyAndNullAreDefaults) {
  for (std::string_view json : {"", "{}", "null"}) {
    auto parsed = JobOptions::FromJson(json);
    ASSERT_OK(parsed.status());
    EXPECT_EQ(*parsed, JobOptions{}) << json;
  }
  EXPECT_EQ(JobOptions{}.ToJson(), "{}");
}

TEST(JobOptionsTest, RequestWinsOverStoredMappingWhichWinsOverDefaults) {
  PrefixMapping stored;
  stored.prefix = "shop/";
  stored.mapping = {{"order_id", "Invoice"}};
  stored.reader = {{"delimiter", ";"}, {"currency", "EUR"}};
  stored.max_reject_ratio = 0.5;

  auto from_stored = ResolveOptions(JobOptions{}, &stored, "shop/a.csv", "USD");
  ASSERT_OK(from_stored.status());
  EXPECT_EQ(from_stored->reader.delimiter, ';');
  EXPECT_EQ(from_stored->reader.currency, "EUR");
  EXPECT_EQ(from_stored->reader.mapping.at("order_id"), "Invoice");
  EXPECT_EQ(from_stored->max_reject_ratio, 0.5);
  EXPECT_EQ(from_stored->reader.source_name, "shop/a.csv");

  JobOptions request;
  request.reader = {{"currency", "GBP"}};
  request.mapping = ColumnMapping{{"sku", "Code"}};
  request.max_reject_ratio = 0.1;
  auto mixed = ResolveOptions(request, &stored, "shop/a.csv", "USD");
  ASSERT_OK(mixed.status());
  EXPECT_EQ(mixed->reader.currency, "GBP");
  EXPECT_EQ(mixed->reader.delimiter, ';');  // not in the request: the stored value
  EXPECT_EQ(mixed->reader.mapping, (std::map<std::string, std::string>{{"sku", "Code"}}));
  EXPECT_EQ(mixed->max_reject_ratio, 0.1);

  auto defaults = ResolveOptions(JobOptions{}, nullptr, "a.csv", "CHF");
  ASSERT_OK(defaults.status());
  EXPECT_EQ(defaults->reader.currency, "CHF");
  EXPECT_EQ(defaults->max_reject_ratio, kDefaultMaxRejectRatio);
}

TEST(JobOptionsTest, BadOptionsAreInvalidArgumentNamingTheProblem) {
  JobOptions bad_ratio;
  bad_ratio.max_reject_ratio = 1.5;
  EXPECT_EQ(ValidateJobOptions(bad_ratio).code(), StatusCode::kInvalidArgument);
  JobOptions bad_column;
  bad_column.mapping = ColumnMapping{{"no_such_column", "X"}};
  Status status = ValidateJobOptions(bad_column);
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(status.message().find("no_such_column"), std::string::npos);
  JobOptions bad_delimiter;
  bad_delimiter.reader = {{"delimiter", "::"}};
  EXPECT_EQ(ValidateJobOptions(bad_delimiter).code(), StatusCode::kInvalidArgument);
  PrefixMapping mapping;
  mapping.reader = {{"currency", "dollars"}};
  EXPECT_EQ(ValidatePrefixMapping(mapping).code(), StatusCode::kInvalidArgument);
}

TEST(JobOptionsTest, StoredMappingJsonRoundTrip) {
  PrefixMapping mapping;
  mapping.prefix = "amazon/";
  mapping.mapping = {{"order_id", "amazon-order-id"}};
  mapping.reader = {{"delimiter", "\t"}};
  mapping.max_reject_ratio = 0.02;
  auto parsed = PrefixMappingFromJson(mapping.prefix, MappingJson(mapping.mapping),
                                      ReaderSettingsJson(mapping.reader, mapping.max_reject_ratio));
  ASSERT_OK(parsed.status());
  EXPECT_EQ(*parsed, mapping);
}

}  // namespace
}  // namespace salesflow::ingest
