#include "warehouse/load_data.h"

#include <gtest/gtest.h>

#include "test_db.h"

namespace salesflow::warehouse {
namespace {

using testing::WarehouseTest;

const std::string_view kHostile[] = {
    "plain",
    "",
    "\\N",
    "N",
    "\\",
    "back\\slash\\\\double",
    "tab\tinside",
    "new\nline",
    "crlf\r\n",
    std::string_view("nul\0byte", 8),
    "'single' \"double\" `back`",
    "'); DROP TABLE sales; --",
    "žluťoučký kůň 🐎 日本語",
    "\\t\\n literally",
};

constexpr std::string_view kColumns[] = {"id", "v"};

class LoadDataTest : public WarehouseTest, public ::testing::WithParamInterface<bool> {
 protected:
  void SetUp() override {
    WarehouseTest::SetUp();
    ASSERT_OK(conn_->Execute("CREATE TABLE t (id INT PRIMARY KEY, v TEXT NULL) ENGINE=InnoDB"));
  }

  std::string HostileRows() {
    std::string text;
    int64_t id = 0;
    for (std::string_view value : kHostile) {
      AppendIntField(++id, &text);
      AppendField(value, &text);
      EndRow(&text);
    }
    AppendIntField(++id, &text);
    AppendNullField(&text);
    EndRow(&text);
    return text;
  }

  void ExpectHostileRows(Connection& connection) {
    auto rows = connection.Query("SELECT v FROM t ORDER BY id");
    ASSERT_OK(rows.status());
    ASSERT_EQ(rows->rows.size(), std::size(kHostile) + 1);
    for (size_t i = 0; i < std::size(kHostile); ++i) {
      ASSERT_FALSE(rows->IsNull(i, 0)) << i;
      EXPECT_EQ(rows->Text(i, 0), kHostile[i]) << i;
    }
    EXPECT_TRUE(rows->IsNull(std::size(kHostile), 0));
  }

  LoadOptions Options() const {
    LoadOptions options;
    options.force_insert_fallback = GetParam();
    options.insert_batch_rows = 4;  // several full batches and a partial one
    return options;
  }
};

TEST_P(LoadDataTest, HostileTextRoundTripsVerbatimAtAnyChunkSize) {
  const std::string text = HostileRows();
  for (size_t chunk : {size_t{1}, size_t{2}, size_t{7}, size_t{1} << 20}) {
    SCOPED_TRACE(chunk);
    ASSERT_OK(conn_->Execute("DELETE FROM t"));
    auto tx = Transaction::Start(*conn_);
    ASSERT_OK(tx.status());
    StringChunkSource source(text, chunk);
    auto stats = LoadData(*conn_, "t", kColumns, source, Options());
    ASSERT_OK(stats.status());
    EXPECT_EQ(stats->records, std::size(kHostile) + 1);
    EXPECT_EQ(stats->used_insert_fallback, GetParam());
    ASSERT_OK(tx->Commit());
    ExpectHostileRows(*conn_);
  }
}

TEST_P(LoadDataTest, DuplicateKeysFailIgnoreOrReplaceAsAsked) {
  std::string text = "1\ta\n2\tb\n1\tc\n";
  {
    auto tx = Transaction::Start(*conn_);
    StringChunkSource source(text);
    auto stats = LoadData(*conn_, "t", kColumns, source, Options());
    EXPECT_EQ(stats.status().code(), StatusCode::kAlreadyExists) << stats.status().ToString();
  }
  {
    auto tx = Transaction::Start(*conn_);
    StringChunkSource source(text);
    LoadOptions options = Options();
    options.on_duplicate = OnDuplicateKey::kIgnore;
    auto stats = LoadData(*conn_, "t", kColumns, source, options);
    ASSERT_OK(stats.status());
    EXPECT_EQ(stats->skipped, 1u);
    ASSERT_OK(tx->Commit());
  }
  auto first = conn_->Query("SELECT v FROM t WHERE id = 1");
  ASSERT_OK(first.status());
  EXPECT_EQ(first->Text(0, 0), "a");
  {
    auto tx = Transaction::Start(*conn_);
    StringChunkSource source("1\tz\n");
    LoadOptions options = Options();
    options.on_duplicate = OnDuplicateKey::kReplace;
    auto stats = LoadData(*conn_, "t", kColumns, source, options);
    ASSERT_OK(stats.status());
    EXPECT_EQ(stats->deleted, 1u);
    ASSERT_OK(tx->Commit());
  }
  auto replaced = conn_->Query("SELECT v FROM t WHERE id = 1");
  ASSERT_OK(replaced.status());
  EXPECT_EQ(replaced->Text(0, 0), "z");
}

TEST_P(LoadDataTest, ConstantColumnsTakeTheirValueOnEveryRow) {
  ASSERT_OK(
      conn_->Execute("ALTER TABLE t ADD COLUMN a BIGINT UNSIGNED NOT NULL, "
                     "ADD COLUMN b BIGINT NOT NULL"));
  auto tx = Transaction::Start(*conn_);
  ASSERT_OK(tx.status());
  StringChunkSource source("1\tx\n2\t\\N\n3\ty\n", 5);
  LoadOptions options = Options();
  options.insert_batch_rows = 2;
  options.constants = {{"a", 9007199254740993}, {"b", -7}};
  auto stats = LoadData(*conn_, "t", kColumns, source, options);
  ASSERT_OK(stats.status());
  EXPECT_EQ(stats->records, 3u);
  ASSERT_OK(tx->Commit());
  auto rows = conn_->Query("SELECT id, v, a, b FROM t ORDER BY id");
  ASSERT_OK(rows.status());
  ASSERT_EQ(rows->rows.size(), 3u);
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(rows->Int(i, 0), static_cast<int64_t>(i + 1));
    EXPECT_EQ(rows->Text(i, 2), "9007199254740993") << "exact, not through a double";
    EXPECT_EQ(rows->Int(i, 3), -7);
  }
  EXPECT_EQ(rows->Text(0, 1), "x");
  EXPECT_TRUE(rows->IsNull(1, 1)) << "the row's own fields keep their meaning";
}

TEST_P(LoadDataTest, BadValuesAreErrorsNotSilentTruncation) {
  ASSERT_OK(conn_->Execute("CREATE TABLE narrow (id INT PRIMARY KEY, v VARCHAR(3)) ENGINE=InnoDB"));
  auto tx = Transaction::Start(*conn_);
  StringChunkSource source("1\tabc\n2\tabcdef\n");
  auto stats = LoadData(*conn_, "narrow", kColumns, source, Options());
  ASSERT_FALSE(stats.ok());
  EXPECT_EQ(stats.status().code(), StatusCode::kInvalidArgument) << stats.status().ToString();
}

// A source that fails after some rows: inside a transaction nothing stays.
class RowsThenFail : public ChunkSource {
 public:
  Result<std::string_view> Next() override {
    if (next_ < 3) {
      rows_ = std::to_string(++next_) + "\tx\n";
      return std::string_view(rows_);
    }
    return Status::DataLoss("storage stream truncated");
  }

 private:
  int next_ = 0;
  std::string rows_;
};

TEST_P(LoadDataTest, SourceErrorMidStreamLeavesNothingAfterRollback) {
  {
    auto tx = Transaction::Start(*conn_);
    ASSERT_OK(tx.status());
    RowsThenFail source;
    auto stats = LoadData(*conn_, "t", kColumns, source, Options());
    ASSERT_FALSE(stats.ok());
    EXPECT_EQ(stats.status().code(), StatusCode::kDataLoss) << stats.status().ToString();
    EXPECT_NE(stats.status().message().find("truncated"), std::string::npos);
  }  // rolled back
  auto count = conn_->Query("SELECT COUNT(*) FROM t");
  ASSERT_OK(count.status());
  EXPECT_EQ(count->Int(0, 0), 0);
  // The session is still usable.
  EXPECT_OK(conn_->Execute("SELECT 1"));
}

INSTANTIATE_TEST_SUITE_P(Paths, LoadDataTest, ::testing::Values(false, true),
                         [](const ::testing::TestParamInfo<bool>& p) {
                           return p.param ? "InsertFallback" : "LoadData";
                         });

class LoadDataRefusedTest : public WarehouseTest {};

// A client that does not advertise local infile: the server genuinely refuses LOAD DATA
// LOCAL, and LoadData falls back to INSERTs by itself.
TEST_F(LoadDataRefusedTest, RefusedLocalInfileFallsBackToInserts) {
  ConnectOptions options;
  options.local_infile = false;
  Connection connection = Connect(options);
  ASSERT_OK(connection.Execute("CREATE TABLE t (id INT PRIMARY KEY, v TEXT NULL) ENGINE=InnoDB"));
  std::string text;
  int64_t id = 0;
  for (std::string_view value : kHostile) {
    AppendIntField(++id, &text);
    AppendField(value, &text);
    EndRow(&text);
  }
  auto tx = Transaction::Start(connection);
  ASSERT_OK(tx.status());
  StringChunkSource source(text, 5);
  auto stats = LoadData(connection, "t", kColumns, source);
  ASSERT_OK(stats.status());
  EXPECT_TRUE(stats->used_insert_fallback);
  EXPECT_EQ(stats->records, std::size(kHostile));
  ASSERT_OK(tx->Commit());
  auto rows = connection.Query("SELECT v FROM t ORDER BY id");
  ASSERT_OK(rows.status());
  ASSERT_EQ(rows->rows.size(), std::size(kHostile));
  for (size_t i = 0; i < std::size(kHostile); ++i) EXPECT_EQ(rows->Text(i, 0), kHostile[i]);
}

}  // namespace
}  // namespace salesflow::warehouse
