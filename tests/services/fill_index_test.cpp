// App::fill_index, the start-up build: the store is read on a second thread while the index is
// built from the batches already read. Every coverage arrives exactly as stored, over many
// batches; a store that fails mid-scan fails the build instead of leaving a partial index.
#include <gtest/gtest.h>

#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/text_normalise.hpp"
#include "services/app.hpp"
#include "store/store.hpp"
#include "tests/store/store_test_data.hpp"
#include "tests/temp_dir.hpp"

namespace onshi::services {
namespace {

using store::testing::batch_of;
using store::testing::expect_same_coverage;
using store::testing::sample_coverage;

std::vector<core::Insurer> sample_insurers() {
  return {{"06130012", "健保組合", core::InsurerKind::kHealthInsuranceSociety, 13},
          {"138057", "千代田区", core::InsurerKind::kMunicipalNhi, 13}};
}

// More rows than the reader's three batches of 4,096 hold at once, so batches are reused.
constexpr int kRows = 20000;

TEST(FillIndexTest, EveryCoverageArrivesAsStoredOverManyBatches) {
  onshi::testing::TempDir dir;
  auto st = store::open_sqlite_store(dir.path() + "/onshi.db");
  st->upsert_insurers(sample_insurers());
  std::vector<core::Coverage> rows;
  for (int i = 1; i <= kRows; ++i) rows.push_back(sample_coverage(i));
  auto batch = batch_of(rows);
  st->commit_load(batch);

  index::EligibilityIndex index;
  App::fill_index(index, *st);
  ASSERT_EQ(index.coverage_count(), static_cast<std::size_t>(kRows));
  int checked = 0;
  for (const core::Coverage& want : batch.upserts) {
    const auto under =
        index.coverages_under(want.key.insurer_number, core::match_key(want.key.symbol),
                              core::match_key(want.key.number));
    const core::Coverage* got = nullptr;
    for (const auto& u : under)
      if (u.id == want.id) got = &u;
    ASSERT_NE(got, nullptr) << want.id;
    expect_same_coverage(want, *got);
    ++checked;
  }
  EXPECT_EQ(checked, kRows);
}

// Passes reads through to a real store, but its scan throws after `fail_after` rows.
class FailingScan : public store::Store {
 public:
  FailingScan(store::Store& inner, int fail_after) : inner_(inner), fail_after_(fail_after) {}
  std::vector<core::Insurer> insurers() override { return inner_.insurers(); }
  std::vector<core::Facility> facilities() override { return inner_.facilities(); }
  std::vector<store::Credential> credentials() override { return inner_.credentials(); }
  void for_each_coverage(const std::function<void(const core::Coverage&)>& visit) override {
    int n = 0;
    inner_.for_each_coverage([&](const core::Coverage& c) {
      if (n++ == fail_after_) throw store::StoreError("connection lost mid-scan");
      visit(c);
    });
  }
  std::int64_t coverage_count() override { return inner_.coverage_count(); }
  std::int64_t last_change_seq() override { return inner_.last_change_seq(); }
  std::vector<store::Change> changes_after(std::int64_t after, int limit) override {
    return inner_.changes_after(after, limit);
  }
  std::vector<core::Coverage> coverages_of_load(std::int64_t load_id, std::int64_t after_id,
                                                int limit) override {
    return inner_.coverages_of_load(load_id, after_id, limit);
  }
  core::JournalAnchor journal_head(std::string_view node) override {
    return inner_.journal_head(node);
  }
  bool append_journal(std::span<const core::JournalRecord> records,
                      std::span<const core::DailyCount> counts) override {
    return inner_.append_journal(records, counts);
  }
  void add_journal_anchor(const core::JournalAnchor& a) override { inner_.add_journal_anchor(a); }
  std::vector<core::JournalAnchor> journal_anchors(std::string_view node) override {
    return inner_.journal_anchors(node);
  }
  std::vector<std::string> journal_nodes() override { return inner_.journal_nodes(); }
  std::int64_t journal_count() override { return inner_.journal_count(); }
  void for_each_journal_record(
      std::string_view node,
      const std::function<void(const core::JournalRecord&)>& visit) override {
    inner_.for_each_journal_record(node, visit);
  }
  std::vector<core::AccessRecord> access_records(const std::string& facility, int limit) override {
    return inner_.access_records(facility, limit);
  }
  std::vector<core::DailyCount> daily_counts(std::int32_t from, std::int32_t to) override {
    return inner_.daily_counts(from, to);
  }

 protected:
  std::int64_t run_transaction(const std::function<void(store::Transaction&)>&) override {
    throw store::StoreError("read only");
  }

 private:
  store::Store& inner_;
  int fail_after_;
};

TEST(FillIndexTest, AScanThatFailsFailsTheBuild) {
  onshi::testing::TempDir dir;
  auto st = store::open_sqlite_store(dir.path() + "/onshi.db");
  st->upsert_insurers(sample_insurers());
  std::vector<core::Coverage> rows;
  for (int i = 1; i <= kRows; ++i) rows.push_back(sample_coverage(i));
  auto batch = batch_of(rows);
  st->commit_load(batch);
  for (const int fail_after : {0, 1, 4095, 4096, 12289, kRows - 1}) {
    FailingScan failing(*st, fail_after);
    index::EligibilityIndex index;
    EXPECT_THROW(App::fill_index(index, failing), store::StoreError) << fail_after;
  }
}

}  // namespace
}  // namespace onshi::services
