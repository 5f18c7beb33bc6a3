// The Store contract, continued: transactions and the change log (変更履歴) that every node
// follows. Written against the interface alone; every backend runs it (store_contract.hpp).
#include <stdexcept>
#include <string>
#include <vector>

#include "core/text_normalise.hpp"
#include "store/store.hpp"
#include "store_contract.hpp"
#include "store_test_data.hpp"

namespace onshi::store::testing {
namespace {

core::Insurer insurer(const std::string& number) {
  return {number, "テスト健康保険組合", core::InsurerKind::kHealthInsuranceSociety, 13};
}

std::vector<std::int64_t> ids_of(const std::vector<core::Coverage>& cs) {
  std::vector<std::int64_t> out;
  for (const auto& c : cs) out.push_back(c.id);
  return out;
}

TEST_P(StoreContract, ChangeLogNumbersEveryCommittedWriteInCommitOrder) {
  EXPECT_EQ(store().last_change_seq(), 0);
  EXPECT_TRUE(store().changes_after(0, 10).empty());

  const std::vector<core::Insurer> ins{insurer("06130012"), insurer("138057")};
  store().upsert_insurers(ins);
  store().add_credential({std::string(64, 'a'), Role::kFacility, "1312345678", "desk"});
  auto load = batch_of({sample_coverage(1)}, {std::string(64, '1')});
  const std::int64_t load_id = store().commit_load(load);
  store().upsert_facilities(std::vector<core::Facility>{
      {"1312345678", "霞が関クリニック", core::FacilityType::kMedicalClinic, 13}});

  const auto all = store().changes_after(0, 100);
  ASSERT_EQ(all.size(), 4u);
  for (std::size_t i = 0; i < all.size(); ++i) EXPECT_EQ(all[i].seq, std::int64_t(i + 1));
  EXPECT_EQ(all[0].kind, ChangeKind::kInsurers);
  EXPECT_EQ(all[1].kind, ChangeKind::kCredentials);
  EXPECT_EQ(all[2].kind, ChangeKind::kLoad);
  EXPECT_EQ(all[2].load_id, load_id);
  EXPECT_EQ(all[3].kind, ChangeKind::kFacilities);
  for (const auto& c : all) EXPECT_GT(c.at_ms, 1'600'000'000'000);
  EXPECT_EQ(store().last_change_seq(), 4);

  const auto tail = store().changes_after(2, 100);
  ASSERT_EQ(tail.size(), 2u);
  EXPECT_EQ(tail[0].seq, 3);
  const auto limited = store().changes_after(0, 3);
  ASSERT_EQ(limited.size(), 3u);
  EXPECT_EQ(limited.back().seq, 3);
  EXPECT_TRUE(store().changes_after(4, 100).empty());
}

TEST_P(StoreContract, TransactReturnsTheSeqOfItsLastChangeAndOneEntryPerKind) {
  const std::int64_t seq = store().transact([](Transaction& tx) {
    const std::vector<core::Insurer> a{insurer("06130012")}, b{insurer("138057")};
    tx.upsert_insurers(a);
    tx.upsert_insurers(b);  // the same kind twice: one entry
    tx.add_credential({std::string(64, 'b'), Role::kInsurer, "06130012", "insurer-desk"});
  });
  EXPECT_EQ(seq, 2);
  const auto all = store().changes_after(0, 10);
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].kind, ChangeKind::kInsurers);
  EXPECT_EQ(all[1].kind, ChangeKind::kCredentials);
  // Work that writes nothing adds no entry and returns 0.
  EXPECT_EQ(store().transact([](Transaction& tx) { (void)tx.insurer_known("06130012"); }), 0);
  EXPECT_EQ(store().last_change_seq(), 2);
}

TEST_P(StoreContract, WorkThatThrowsWritesNothingAndAddsNoChange) {
  const std::vector<core::Insurer> ins{insurer("06130012")};
  EXPECT_THROW(store().transact([&](Transaction& tx) {
    tx.upsert_insurers(ins);
    auto load = batch_of({sample_coverage(1)}, {std::string(64, '1')});
    tx.write_load(load);
    throw std::runtime_error("the caller changed its mind");
  }),
               std::runtime_error);
  EXPECT_TRUE(store().insurers().empty());
  EXPECT_EQ(store().coverage_count(), 0);
  EXPECT_EQ(store().last_change_seq(), 0);
  EXPECT_EQ(store().applied_events(std::vector<std::string>{std::string(64, '1')}),
            std::vector<bool>{false});
}

TEST_P(StoreContract, TransactionSeesItsOwnWrites) {
  store().transact([](Transaction& tx) {
    EXPECT_FALSE(tx.insurer_known("06130012"));
    const std::vector<core::Insurer> ins{insurer("06130012")};
    tx.upsert_insurers(ins);
    EXPECT_TRUE(tx.insurer_known("06130012"));
    EXPECT_FALSE(tx.insurer_known("138057"));

    core::Coverage c = sample_coverage(3);  // insurer 06130012
    auto load = batch_of({c}, {std::string(64, '3')});
    tx.write_load(load);
    EXPECT_GT(load.upserts[0].id, 0);
    EXPECT_EQ(tx.applied_events(std::vector<std::string>{std::string(64, '3')}),
              std::vector<bool>{true});
    const auto under = tx.coverages_under(c.key.insurer_number, core::match_key(c.key.symbol),
                                          core::match_key(c.key.number));
    ASSERT_EQ(under.size(), 1u);
    EXPECT_EQ(under[0].id, load.upserts[0].id);
    EXPECT_EQ(under[0].name, c.name);
  });
}

// A load of any size is written in pieces (one per chunk of rows) under one load id: each
// piece is visible to the transaction's own reads at once, and the commit adds one change-log
// entry for the whole load.
TEST_P(StoreContract, ALoadWrittenInPiecesIsOneLoadWithOneChangeEntry) {
  const std::vector<core::Insurer> ins{insurer("06130012")};
  store().upsert_insurers(ins);
  const std::int64_t seq_before = store().last_change_seq();
  std::int64_t load_id = 0;
  std::vector<core::Coverage> first{sample_coverage(11), sample_coverage(12)};
  core::Coverage updated;
  const std::string h1(64, 'a'), h2(64, 'b'), h3(64, 'c');
  const std::int64_t seq = store().transact([&](Transaction& tx) {
    load_id = tx.begin_load("big.csv", "insurer-desk-1");
    EXPECT_GT(load_id, 0);
    tx.write_coverages(load_id, first);
    EXPECT_GT(first[0].id, 0);
    EXPECT_GT(first[1].id, first[0].id);  // ascending in span order
    tx.write_event_hashes(load_id, std::vector<std::string>{h1, h2, h1});  // h1 twice: kept once
    // The next piece sees the first with its ids and its hashes.
    EXPECT_EQ(tx.applied_events(std::vector<std::string>{h1, h2, h3}),
              (std::vector<bool>{true, true, false}));
    const core::Coverage& c = first[1];
    auto under = tx.coverages_under(c.key.insurer_number, core::match_key(c.key.symbol),
                                    core::match_key(c.key.number));
    ASSERT_EQ(under.size(), 1u);
    EXPECT_EQ(under[0].id, c.id);
    updated = under[0];
    updated.address = "大阪府大阪市北区1-1";
    std::vector<core::Coverage> second{updated, sample_coverage(13)};
    tx.write_coverages(load_id, second);
    EXPECT_EQ(second[0].id, c.id);  // an update keeps its id
    EXPECT_GT(second[1].id, first[1].id);
    tx.write_event_hashes(load_id, std::vector<std::string>{h2, h3});  // h2 again: kept
    tx.finish_load(load_id, LoadCounts{10, 3, 2});
  });
  EXPECT_EQ(store().coverage_count(), 3);
  const auto changes = store().changes_after(seq_before, 10);
  ASSERT_EQ(changes.size(), 1u);
  EXPECT_EQ(changes[0].kind, ChangeKind::kLoad);
  EXPECT_EQ(changes[0].load_id, load_id);
  EXPECT_EQ(changes[0].seq, seq);
  const auto written = store().coverages_of_load(load_id, 0, 100);
  ASSERT_EQ(written.size(), 3u);
  EXPECT_EQ(written[1].id, updated.id);
  EXPECT_EQ(written[1].address, "大阪府大阪市北区1-1");
  EXPECT_EQ(store().applied_events(std::vector<std::string>{h1, h2, h3}),
            (std::vector<bool>{true, true, true}));
}

TEST_P(StoreContract, ALoadInPiecesThatThrowsBeforeItFinishesWritesNothing) {
  EXPECT_THROW(store().transact([&](Transaction& tx) {
    const std::int64_t id = tx.begin_load("big.csv", "insurer-desk-1");
    std::vector<core::Coverage> piece{sample_coverage(21)};
    tx.write_coverages(id, piece);
    tx.write_event_hashes(id, std::vector<std::string>{std::string(64, 'd')});
    std::vector<core::Coverage> more{sample_coverage(22)};
    tx.write_coverages(id, more);
    throw std::runtime_error("a file error found at the end");
  }),
               std::runtime_error);
  EXPECT_EQ(store().coverage_count(), 0);
  EXPECT_EQ(store().last_change_seq(), 0);
  EXPECT_EQ(store().applied_events(std::vector<std::string>{std::string(64, 'd')}),
            std::vector<bool>{false});
}

TEST_P(StoreContract, CoveragesUnderMatchByMatchKeyAcrossBranchesAndPeriods) {
  // One card typed two ways (full-width digits, half-width kana in the symbol): one card key.
  core::Coverage a = sample_coverage(2);
  a.key.symbol = "ｱｲ-12";
  a.key.number = "０１２３";
  a.key.branch = "00";
  core::Coverage b = a;
  b.key.symbol = "アイ－１２";
  b.key.number = "0123";
  b.key.branch = "01";
  core::Coverage later = a;
  later.acquired_on = ymd(2030, 4, 1);
  core::Coverage other = a;
  other.key.number = "0124";
  auto load = batch_of({a, b, later, other});
  store().commit_load(load);

  const std::string sym = core::match_key("アイ-12"), num = core::match_key("0123");
  ASSERT_EQ(sym, core::match_key(a.key.symbol));
  std::vector<core::Coverage> under;
  store().transact(
      [&](Transaction& tx) { under = tx.coverages_under(a.key.insurer_number, sym, num); });
  EXPECT_EQ(ids_of(under), (std::vector<std::int64_t>{load.upserts[0].id, load.upserts[1].id,
                                                      load.upserts[2].id}));
  EXPECT_EQ(under[0].key.symbol, "ｱｲ-12");  // kept verbatim
  EXPECT_EQ(under[1].key.number, "0123");
  store().transact([&](Transaction& tx) {
    ASSERT_EQ(a.key.insurer_number, "138057");
    EXPECT_TRUE(tx.coverages_under("06130012", sym, num).empty());
    EXPECT_TRUE(tx.coverages_under(a.key.insurer_number, sym, core::match_key("9999")).empty());
  });
}

TEST_P(StoreContract, TwoTypingsOfOneCardKeyCannotBothHoldOnePeriod) {
  core::Coverage a = sample_coverage(2);
  a.key.number = "０１２３";
  core::Coverage b = a;
  b.key.number = "0123";
  auto first = batch_of({a});
  store().commit_load(first);
  auto second = batch_of({b});
  EXPECT_THROW(store().commit_load(second), StoreError);
  EXPECT_EQ(store().coverage_count(), 1);
}

TEST_P(StoreContract, CoveragesOfLoadAreTheRowsItWroteLastPaged) {
  std::vector<core::Coverage> rows;
  for (int i = 0; i < 7; ++i) rows.push_back(sample_coverage(100 + i));
  auto first = batch_of(rows);
  const std::int64_t first_id = store().commit_load(first);
  // The second load updates two rows of the first and adds one.
  core::Coverage changed = first.upserts[1];
  changed.address = "大阪府大阪市北区1-1";
  core::Coverage changed2 = first.upserts[4];
  changed2.copay_ratio = 1;
  auto second = batch_of({changed, changed2, sample_coverage(200)});
  const std::int64_t second_id = store().commit_load(second);

  std::vector<std::int64_t> seen;
  std::int64_t after = 0;
  for (;;) {
    const auto page = store().coverages_of_load(first_id, after, 2);
    if (page.empty()) break;
    EXPECT_LE(page.size(), 2u);
    for (const auto& c : page) seen.push_back(c.id);
    after = page.back().id;
  }
  EXPECT_EQ(seen, (std::vector<std::int64_t>{first.upserts[0].id, first.upserts[2].id,
                                             first.upserts[3].id, first.upserts[5].id,
                                             first.upserts[6].id}));
  const auto of_second = store().coverages_of_load(second_id, 0, 100);
  ASSERT_EQ(of_second.size(), 3u);
  EXPECT_EQ(of_second[0].id, changed.id);
  EXPECT_EQ(of_second[0].address, "大阪府大阪市北区1-1");
  EXPECT_EQ(of_second[1].copay_ratio, 1);
  EXPECT_TRUE(store().coverages_of_load(second_id + 1, 0, 100).empty());
}

TEST_P(StoreContract, RevokingACredentialRemovesEverySubjectOnce) {
  const std::string h(64, 'c');
  store().add_credential({h, Role::kInsurer, "06130012", "insurer-desk"});
  store().add_credential({h, Role::kInsurer, "138057", "insurer-desk"});
  store().add_credential({std::string(64, 'd'), Role::kFacility, "1312345678", "desk"});
  const std::int64_t before = store().last_change_seq();
  bool revoked = false;
  store().transact([&](Transaction& tx) { revoked = tx.revoke_credential(h); });
  EXPECT_TRUE(revoked);
  const auto left = store().credentials();
  ASSERT_EQ(left.size(), 1u);
  EXPECT_EQ(left[0].subject, "1312345678");
  EXPECT_EQ(store().last_change_seq(), before + 1);
  EXPECT_EQ(store().changes_after(before, 10).at(0).kind, ChangeKind::kCredentials);

  store().transact([&](Transaction& tx) { revoked = tx.revoke_credential(h); });
  EXPECT_FALSE(revoked);
  EXPECT_EQ(store().last_change_seq(), before + 1);  // nothing changed: no entry
}

}  // namespace
}  // namespace onshi::store::testing
