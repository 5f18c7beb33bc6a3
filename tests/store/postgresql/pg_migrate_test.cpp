// onshi migrate SQLite -> PostgreSQL -> SQLite: every table's checksum is the same on all three
// (the canonical text is backend-independent), and the PostgreSQL copy works as a store.
#include <gtest/gtest.h>

#include "services/migration_service.hpp"
#include "store/postgresql/pg_store.hpp"
#include "store/table_copy.hpp"
#include "tests/store/migration_roundtrip.hpp"
#include "tests/store/postgresql/pg_test_env.hpp"
#include "tests/temp_dir.hpp"

namespace onshi::store::testing {
namespace {

TEST(PgMigration, SqliteToPostgresqlAndBackKeepsEveryChecksum) {
  onshi::testing::TempDir a, c;
  fill_for_migration(*open_sqlite_store(a.path() + "/onshi.db"));
  const std::string url = fresh_store_url(a.path());
  auto sqlite_a = open_table_copy(a.path(), {});
  auto pg = open_table_copy({}, url);
  const auto there = services::migrate(*sqlite_a, *pg);
  ASSERT_FALSE(there.error) << there.error->detail;
  auto pg_again = open_table_copy({}, url);
  auto sqlite_c = open_table_copy(c.path(), {});
  const auto back = services::migrate(*pg_again, *sqlite_c);
  ASSERT_FALSE(back.error) << back.error->detail;
  for (std::size_t i = 0; i < there.tables.size(); ++i) {
    EXPECT_TRUE(there.tables[i].matches()) << there.tables[i].table;
    EXPECT_EQ(there.tables[i].source_checksum, back.tables[i].target_checksum)
        << there.tables[i].table;
  }
  auto store = open_postgresql_store(url);
  EXPECT_EQ(store->coverage_count(), 300);
  EXPECT_EQ(store->last_change_seq(), 4);
  store->upsert_insurers(std::vector<core::Insurer>{
      {"39130018", "東京都後期高齢者医療広域連合", core::InsurerKind::kLateStageElderly, 13}});
  EXPECT_EQ(store->last_change_seq(), 5);  // the counter moved past the copied log
  LoadBatch b;
  b.source = "after-migration.csv";
  b.actor = "local";
  b.upserts.push_back(sample_coverage(1000));
  EXPECT_GT(store->commit_load(b), 1);  // load ids go on after the copied ones
  EXPECT_GT(b.upserts[0].id, 300);
}

}  // namespace
}  // namespace onshi::store::testing
