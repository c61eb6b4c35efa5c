#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "reader/columns.h"
#include "warehouse/migrations.h"

namespace salesflow::warehouse {
namespace {

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

TEST(SchemaSql, InitSqlMatchesTheMigrations) {
  const std::string path = std::string(SALESFLOW_SOURCE_DIR) + "/mysql/init/init.sql";
  const std::string file = ReadFile(path);
  ASSERT_FALSE(file.empty()) << path << " is missing";
  EXPECT_TRUE(file == SchemaSql()) << path << " drifted from the migrations: regenerate it with "
                                   << "`salesflow migrate --print-sql > mysql/init/init.sql`";
}

TEST(SchemaSql, VersionsAscendAndStatementsHaveNoTerminator) {
  int previous = 0;
  for (const Migration& migration : Migrations()) {
    EXPECT_GT(migration.version, previous);
    previous = migration.version;
    for (std::string_view statement : migration.statements) {
      EXPECT_NE(statement.back(), ';') << statement.substr(0, 60);
    }
  }
}

// The sales columns are as wide as the reader's too_long limits: a row the reader accepts
// always fits, and one it rejects would not have.
TEST(SchemaSql, SalesTextColumnsMatchReaderLimits) {
  const std::string sql = SchemaSql();
  const size_t sales = sql.find("CREATE TABLE IF NOT EXISTS sales (");
  ASSERT_NE(sales, std::string::npos);
  const std::string table = sql.substr(sales, sql.find(";\n", sales) - sales);
  for (const reader::ColumnInfo& column : reader::kColumns) {
    if (column.max_chars == 0 || column.name == "currency") continue;
    const std::string expected =
        "\n  " + std::string(column.name) + " VARCHAR(" + std::to_string(column.max_chars) + ")";
    EXPECT_NE(table.find(expected), std::string::npos) << column.name;
  }
}

}  // namespace
}  // namespace salesflow::warehouse
