// onshi migrate between two SQLite data directories: everything copied and verified, an
// occupied target refused with nothing written.
#include "services/migration_service.hpp"

#include <gtest/gtest.h>

#include "store/table_copy.hpp"
#include "tests/store/migration_roundtrip.hpp"
#include "tests/temp_dir.hpp"

namespace onshi::services {
namespace {

TEST(Migration, CopiesEveryTableAndVerifiesIt) {
  onshi::testing::TempDir a, b;
  store::testing::fill_for_migration(*store::open_sqlite_store(a.path() + "/onshi.db"));
  auto from = store::open_table_copy(a.path(), {});
  auto to = store::open_table_copy(b.path(), {});
  std::int64_t last_done = -1, last_total = 0;
  const auto report = migrate(*from, *to, [&](std::int64_t done, std::int64_t total) {
    EXPECT_GE(done, last_done);
    last_done = done;
    last_total = total;
  });
  ASSERT_FALSE(report.error) << report.error->detail;
  EXPECT_EQ(last_done, last_total);
  ASSERT_EQ(report.tables.size(), store::copied_tables().size());
  for (const auto& t : report.tables) {
    EXPECT_TRUE(t.matches()) << t.table;
    EXPECT_EQ(t.source_checksum.size(), 64u);
  }
  auto copy = store::open_sqlite_store(b.path() + "/onshi.db");
  EXPECT_EQ(copy->coverage_count(), 300);
  EXPECT_EQ(copy->access_records("", 100).size(), 50u);
  EXPECT_EQ(copy->last_change_seq(), 4);
  // The copy keeps working as a store: the next change gets the next seq.
  copy->upsert_insurers(std::vector<core::Insurer>{
      {"39130018", "東京都後期高齢者医療広域連合", core::InsurerKind::kLateStageElderly, 13}});
  EXPECT_EQ(copy->last_change_seq(), 5);
}

TEST(Migration, AnOccupiedTargetIsRefusedAndLeftAsItWas) {
  onshi::testing::TempDir a, b;
  store::testing::fill_for_migration(*store::open_sqlite_store(a.path() + "/onshi.db"));
  store::open_sqlite_store(b.path() + "/onshi.db")
      ->upsert_insurers(std::vector<core::Insurer>{
          {"06130012", "別の組合", core::InsurerKind::kHealthInsuranceSociety, 27}});
  auto from = store::open_table_copy(a.path(), {});
  auto to = store::open_table_copy(b.path(), {});
  const auto report = migrate(*from, *to);
  ASSERT_TRUE(report.error);
  EXPECT_EQ(report.error->code, core::ErrorCode::kMigrateTargetNotEmpty);
  auto target = store::open_sqlite_store(b.path() + "/onshi.db");
  EXPECT_EQ(target->coverage_count(), 0);
  ASSERT_EQ(target->insurers().size(), 1u);
  EXPECT_EQ(target->insurers()[0].name, "別の組合");
}

}  // namespace
}  // namespace onshi::services
