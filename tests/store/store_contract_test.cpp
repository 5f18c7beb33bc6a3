// The Store contract: what every backend must do, tested through the interface alone.
// Backends instantiate the suite (see store_contract.hpp).
#include <algorithm>
#include <atomic>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "store/store.hpp"
#include "store_contract.hpp"
#include "store_test_data.hpp"

namespace onshi::store::testing {
namespace {

std::vector<core::Coverage> all_coverages(Store& s) {
  std::vector<core::Coverage> out;
  s.for_each_coverage([&](const core::Coverage& c) { out.push_back(c); });
  return out;
}

std::string hash_of(int i) {
  std::string h = std::to_string(i);
  return std::string(64 - h.size(), '0') + h;
}

// --- Reference data -------------------------------------------------------------------------

TEST_P(StoreContract, InsurersUpsertAndListRoundtrip) {
  EXPECT_TRUE(store().insurers().empty());
  const std::vector<core::Insurer> first{
      {"06130012", kTaka + "島屋健康保険組合", core::InsurerKind::kHealthInsuranceSociety, 13},
      {"138057", "千代田区", core::InsurerKind::kMunicipalNhi, 13},
      {"01130012", "全国健康保険協会 東京支部", core::InsurerKind::kKyokaiKenpo, 13},
  };
  store().upsert_insurers(first);
  // Upsert: an existing number is replaced, a new one added.
  const std::vector<core::Insurer> second{
      {"138057", "千代田区国民健康保険", core::InsurerKind::kMunicipalNhi, 13},
      {"39272011", "大阪府後期高齢者医療広域連合", core::InsurerKind::kLateStageElderly, 27},
  };
  store().upsert_insurers(second);

  auto got = store().insurers();
  std::sort(got.begin(), got.end(), [](auto& a, auto& b) { return a.number < b.number; });
  ASSERT_EQ(got.size(), 4u);
  EXPECT_EQ(got[0].number, "01130012");
  EXPECT_EQ(got[0].kind, core::InsurerKind::kKyokaiKenpo);
  EXPECT_EQ(got[1].number, "06130012");
  EXPECT_EQ(got[1].name, kTaka + "島屋健康保険組合");
  EXPECT_EQ(got[1].kind, core::InsurerKind::kHealthInsuranceSociety);
  EXPECT_EQ(got[1].prefecture, 13);
  EXPECT_EQ(got[2].number, "138057");
  EXPECT_EQ(got[2].name, "千代田区国民健康保険");
  EXPECT_EQ(got[3].number, "39272011");
  EXPECT_EQ(got[3].kind, core::InsurerKind::kLateStageElderly);
  EXPECT_EQ(got[3].prefecture, 27);
}

TEST_P(StoreContract, FacilitiesUpsertAndListRoundtrip) {
  EXPECT_TRUE(store().facilities().empty());
  const std::vector<core::Facility> facilities{
      {"1311234567", "山" + kSaki + "内科クリニック", core::FacilityType::kMedicalClinic, 13},
      {"1341234563", kYoshi + "野薬局", core::FacilityType::kPharmacy, 13},
      {"2731234560", "渡" + kBeVs + "歯科医院", core::FacilityType::kDentalClinic, 27},
  };
  store().upsert_facilities(facilities);
  store().upsert_facilities(std::vector<core::Facility>{
      {"1311234567", "山" + kSaki + "総合病院", core::FacilityType::kHospital, 14}});

  auto got = store().facilities();
  std::sort(got.begin(), got.end(), [](auto& a, auto& b) { return a.code < b.code; });
  ASSERT_EQ(got.size(), 3u);
  EXPECT_EQ(got[0].code, "1311234567");
  EXPECT_EQ(got[0].name, "山" + kSaki + "総合病院");
  EXPECT_EQ(got[0].type, core::FacilityType::kHospital);
  EXPECT_EQ(got[0].prefecture, 14);
  EXPECT_EQ(got[1].name, kYoshi + "野薬局");
  EXPECT_EQ(got[1].type, core::FacilityType::kPharmacy);
  EXPECT_EQ(got[2].name, "渡" + kBeVs + "歯科医院");
  EXPECT_EQ(got[2].type, core::FacilityType::kDentalClinic);
  EXPECT_EQ(got[2].prefecture, 27);
}

TEST_P(StoreContract, NamesAreKeptByteExact) {
  // No normalisation, no re-encoding: the bytes that went in come out, including a character
  // outside the BMP and an ideographic variation sequence.
  const std::string name = kTaka + kSaki + kYoshi + kBeVs;
  ASSERT_EQ(name.size(), 3u + 3u + 4u + 7u);
  store().upsert_insurers(std::vector<core::Insurer>{
      {"06130012", name, core::InsurerKind::kHealthInsuranceSociety, 13}});
  store().upsert_facilities(
      std::vector<core::Facility>{{"1311234567", name, core::FacilityType::kHospital, 13}});
  auto c = sample_coverage(1);
  c.insured_name = name;
  c.name = name;
  c.address = name;
  c.key.symbol = kYoshi;
  auto batch = batch_of({c});
  store().commit_load(batch);

  EXPECT_EQ(store().insurers().at(0).name, name);
  EXPECT_EQ(store().facilities().at(0).name, name);
  auto got = all_coverages(store());
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].insured_name, name);
  EXPECT_EQ(got[0].name, name);
  EXPECT_EQ(got[0].address, name);
  EXPECT_EQ(got[0].key.symbol, kYoshi);
}

TEST_P(StoreContract, CredentialsWithSeveralSubjects) {
  EXPECT_TRUE(store().credentials().empty());
  const std::string insurer_token(64, 'a');
  const std::string facility_token(64, 'b');
  store().add_credential({insurer_token, Role::kInsurer, "06130012", "kenpo-desk"});
  store().add_credential({insurer_token, Role::kInsurer, "06130020", "kenpo-desk"});
  store().add_credential({facility_token, Role::kFacility, "1311234567", "demo-desk-1"});
  store().add_credential({std::string(64, 'c'), Role::kOperator, "ops", "operator"});

  auto got = store().credentials();
  ASSERT_EQ(got.size(), 4u);
  std::set<std::string> insurer_subjects;
  for (const auto& c : got) {
    if (c.token_sha256 == insurer_token) {
      EXPECT_EQ(c.role, Role::kInsurer);
      EXPECT_EQ(c.label, "kenpo-desk");
      insurer_subjects.insert(c.subject);
    } else if (c.token_sha256 == facility_token) {
      EXPECT_EQ(c.role, Role::kFacility);
      EXPECT_EQ(c.subject, "1311234567");
      EXPECT_EQ(c.label, "demo-desk-1");
    } else {
      EXPECT_EQ(c.role, Role::kOperator);
      EXPECT_EQ(c.subject, "ops");
    }
  }
  EXPECT_EQ(insurer_subjects, (std::set<std::string>{"06130012", "06130020"}));
}

TEST_P(StoreContract, AddingTheSameTokenAndSubjectAgainReplacesIt) {
  const std::string token(64, 'a');
  store().add_credential({token, Role::kFacility, "1311234567", "desk-1"});
  store().add_credential({token, Role::kFacility, "1311234567", "desk-1-renamed"});
  auto got = store().credentials();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].label, "desk-1-renamed");
}

// --- Registrations --------------------------------------------------------------------------

TEST_P(StoreContract, CommitLoadAssignsIdsAndRoundtripsEveryField) {
  // Enough rows that a backend writing in chunks has full chunks and a remainder.
  std::vector<core::Coverage> coverages;
  for (int i = 0; i < 150; ++i) coverages.push_back(sample_coverage(i));
  auto batch = batch_of(coverages);
  const std::int64_t load_id = store().commit_load(batch);
  EXPECT_GT(load_id, 0);

  std::set<std::int64_t> ids;
  for (const auto& c : batch.upserts) {
    EXPECT_GT(c.id, 0);
    ids.insert(c.id);
  }
  EXPECT_EQ(ids.size(), batch.upserts.size()) << "ids must be distinct";
  EXPECT_EQ(store().coverage_count(), 150);

  auto got = all_coverages(store());
  ASSERT_EQ(got.size(), batch.upserts.size());
  std::sort(got.begin(), got.end(), [](auto& a, auto& b) { return a.id < b.id; });
  auto want = batch.upserts;
  std::sort(want.begin(), want.end(), [](auto& a, auto& b) { return a.id < b.id; });
  for (std::size_t i = 0; i < want.size(); ++i) expect_same_coverage(want[i], got[i]);
}

TEST_P(StoreContract, OptionalTermsAbsentAndPresentWithInvalidDates) {
  core::Coverage bare = sample_coverage(1);
  bare.elderly.reset();
  bare.self_pay_limit.reset();
  bare.specific_disease.reset();
  bare.birth_date = {};
  bare.lost_on = {};
  bare.card_issued_on = {};
  bare.card_valid_from = {};
  bare.card_valid_until = {};

  core::Coverage full = sample_coverage(2);
  // Present but with nothing in them: presence must not depend on the values.
  full.elderly = core::ElderlyRecipientTerms{0, {}, {}};
  full.self_pay_limit = core::SelfPayLimitTerms{"", {}, {}};
  full.specific_disease = core::SpecificDiseaseTerms{0, {}, {}};

  core::Coverage dated = sample_coverage(3);
  dated.elderly = core::ElderlyRecipientTerms{2, ymd(2024, 2, 29), ymd(2999, 12, 31)};
  dated.self_pay_limit = core::SelfPayLimitTerms{"A01", ymd(1868, 1, 1), ymd(2000, 2, 29)};
  dated.specific_disease = core::SpecificDiseaseTerms{3, ymd(1989, 1, 8), ymd(2019, 5, 1)};

  auto batch = batch_of({bare, full, dated});
  store().commit_load(batch);
  auto got = all_coverages(store());
  ASSERT_EQ(got.size(), 3u);
  for (std::size_t i = 0; i < 3; ++i) expect_same_coverage(batch.upserts[i], got[i]);
}

TEST_P(StoreContract, UpdateByIdReplacesTheRow) {
  auto first = batch_of({sample_coverage(1), sample_coverage(2), sample_coverage(3)});
  store().commit_load(first);
  const std::int64_t id = first.upserts[1].id;

  core::Coverage changed = first.upserts[1];
  changed.lost_on = ymd(2024, 10, 1);
  changed.loss_reason = core::LossReason::kDeath;
  changed.elderly.reset();
  changed.self_pay_limit = core::SelfPayLimitTerms{"B05", ymd(2024, 4, 1), ymd(2025, 3, 31)};
  changed.name = kYoshi + "田 一郎";
  changed.key.branch = "02";
  changed.person_key = std::string(64, 'f');
  auto second = batch_of({changed, sample_coverage(4)});
  store().commit_load(second);

  EXPECT_EQ(second.upserts[0].id, id) << "an update keeps its id";
  EXPECT_GT(second.upserts[1].id, 0);
  EXPECT_EQ(store().coverage_count(), 4);
  bool seen = false;
  store().for_each_coverage([&](const core::Coverage& c) {
    if (c.id != id) return;
    seen = true;
    expect_same_coverage(changed, c);
  });
  EXPECT_TRUE(seen);
}

TEST_P(StoreContract, UpdateOfUnknownIdFailsAndWritesNothing) {
  auto first = batch_of({sample_coverage(1)});
  store().commit_load(first);
  core::Coverage ghost = sample_coverage(2);
  ghost.id = first.upserts[0].id + 1000;
  auto second = batch_of({sample_coverage(3), ghost}, {hash_of(7)});
  EXPECT_THROW(store().commit_load(second), StoreError);
  EXPECT_EQ(store().coverage_count(), 1);
  EXPECT_EQ(second.upserts[0].id, 0) << "no id handed out by a failed load";
  EXPECT_EQ(store().applied_events(std::vector<std::string>{hash_of(7)}), std::vector<bool>{false});
}

TEST_P(StoreContract, AppliedEventsBeforeAndAfterCommit) {
  const std::vector<std::string> hashes{hash_of(1), hash_of(2), hash_of(3)};
  EXPECT_EQ(store().applied_events(hashes), (std::vector<bool>{false, false, false}));
  EXPECT_TRUE(store().applied_events({}).empty());

  // A duplicate inside one batch and a hash already applied by an earlier load are both fine.
  auto first = batch_of({sample_coverage(1)}, {hash_of(1), hash_of(3), hash_of(1)});
  store().commit_load(first);
  EXPECT_EQ(store().applied_events(hashes), (std::vector<bool>{true, false, true}));
  auto second = batch_of({}, {hash_of(3), hash_of(2)});
  second.rows_already_applied = 1;
  store().commit_load(second);
  EXPECT_EQ(store().applied_events(hashes), (std::vector<bool>{true, true, true}));
  // Order and multiplicity of the question are kept in the answer.
  const std::vector<std::string> asked{hash_of(9), hash_of(2), hash_of(9), hash_of(1)};
  EXPECT_EQ(store().applied_events(asked), (std::vector<bool>{false, true, false, true}));
}

TEST_P(StoreContract, AppliedEventsForLargeBatchesInAnyOrder) {
  // Shuffled, with repeats, and large enough for any batching a backend does.
  std::vector<std::string> committed;
  for (int i = 0; i < 1500; ++i) committed.push_back(hash_of((i * 7919) % 3000 * 2));
  for (int i = 0; i < 40; ++i) committed.push_back(committed[static_cast<std::size_t>(i * 13)]);
  auto batch = batch_of({}, committed);
  store().commit_load(batch);

  std::vector<std::string> asked;
  std::vector<bool> want;
  for (int i = 0; i < 3000; ++i) {
    const int v = (i * 4001) % 3000;  // every value once, out of order
    asked.push_back(hash_of(v));
    want.push_back(std::find(committed.begin(), committed.end(), asked.back()) != committed.end());
  }
  EXPECT_EQ(store().applied_events(asked), want);
  EXPECT_GT(std::count(want.begin(), want.end(), true), 500);
}

TEST_P(StoreContract, CommitLoadIsAllOrNothing) {
  auto good = batch_of({sample_coverage(1)}, {hash_of(1)});
  store().commit_load(good);

  // The third coverage repeats the key (insurer, symbol, number, branch, acquired_on) of the
  // first: the batch fails after some rows were already written inside the transaction.
  core::Coverage dup = sample_coverage(10);
  dup.name = "別人";
  auto bad = batch_of({sample_coverage(10), sample_coverage(11), dup}, {hash_of(2), hash_of(3)});
  EXPECT_THROW(store().commit_load(bad), StoreError);

  EXPECT_EQ(store().coverage_count(), 1);
  EXPECT_EQ(all_coverages(store()).size(), 1u);
  EXPECT_EQ(store().applied_events(std::vector<std::string>{hash_of(1), hash_of(2), hash_of(3)}),
            (std::vector<bool>{true, false, false}));
  for (const auto& c : bad.upserts) EXPECT_EQ(c.id, 0);

  // The store is still usable, and the same rows load once the conflict is gone.
  bad.upserts.pop_back();
  EXPECT_NO_THROW(store().commit_load(bad));
  EXPECT_EQ(store().coverage_count(), 3);
}

TEST_P(StoreContract, CommitLoadReturnsIncreasingLoadIds) {
  auto a = batch_of({});
  auto b = batch_of({sample_coverage(1)});
  auto c = batch_of({}, {hash_of(1)});
  const auto ida = store().commit_load(a);
  const auto idb = store().commit_load(b);
  const auto idc = store().commit_load(c);
  EXPECT_GT(ida, 0);
  EXPECT_LT(ida, idb);
  EXPECT_LT(idb, idc);
}

TEST_P(StoreContract, ForEachCoverageStreamsAllInIdOrder) {
  EXPECT_EQ(store().coverage_count(), 0);
  int calls = 0;
  store().for_each_coverage([&](const core::Coverage&) { ++calls; });
  EXPECT_EQ(calls, 0);

  std::vector<core::Coverage> first_load;
  for (int load = 0; load < 4; ++load) {
    std::vector<core::Coverage> rows;
    for (int i = 0; i < 250; ++i) rows.push_back(sample_coverage(load * 250 + i));
    // Updates of earlier rows interleaved with new ones must not disturb the order.
    if (load > 0) {
      core::Coverage upd = first_load[static_cast<std::size_t>(load)];
      upd.copay_ratio = 1;
      rows.insert(rows.begin() + 100, upd);
    }
    auto batch = batch_of(std::move(rows));
    store().commit_load(batch);
    if (load == 0) first_load = batch.upserts;
  }

  std::vector<std::int64_t> ids;
  store().for_each_coverage([&](const core::Coverage& c) { ids.push_back(c.id); });
  EXPECT_EQ(ids.size(), 1000u);
  EXPECT_EQ(store().coverage_count(), 1000);
  EXPECT_TRUE(std::is_sorted(ids.begin(), ids.end()));
  EXPECT_EQ(std::set<std::int64_t>(ids.begin(), ids.end()).size(), ids.size());
}

TEST_P(StoreContract, ExceptionFromVisitorPropagatesAndStoreStaysUsable) {
  auto batch = batch_of({sample_coverage(1), sample_coverage(2)});
  store().commit_load(batch);
  EXPECT_THROW(store().for_each_coverage(
                   [](const core::Coverage&) { throw std::runtime_error("visitor gave up"); }),
               std::runtime_error);
  auto more = batch_of({sample_coverage(3)});
  EXPECT_NO_THROW(store().commit_load(more));
  EXPECT_EQ(store().coverage_count(), 3);
}

// --- Access log and counters ----------------------------------------------------------------

TEST_P(StoreContract, AccessRecordsNewestFirstFilteredAndLimited) {
  const std::string fa = "1311234567", fb = "1341234563";
  // Out of time order on purpose, with two records in the same millisecond.
  const std::vector<core::AccessRecord> records{
      sample_access(1'714'500'000'300, fa, 11, "r3"),
      sample_access(1'714'500'000'100, fb, 12, "r1"),
      sample_access(1'714'500'000'500, fa, 0, "r5"),
      sample_access(1'714'500'000'200, fa, 14, "r2"),
      sample_access(1'714'500'000'500, fb, 15, "r5b"),
  };
  ChainBuilder chain("n1");
  ASSERT_TRUE(store().append_journal(chain.next(records), {}));

  auto all = store().access_records("", 100);
  ASSERT_EQ(all.size(), 5u);
  EXPECT_EQ(all[0].request_id, "r5b") << "same millisecond: the later record is newer";
  EXPECT_EQ(all[1].request_id, "r5");
  EXPECT_EQ(all[2].request_id, "r3");
  EXPECT_EQ(all[3].request_id, "r2");
  EXPECT_EQ(all[4].request_id, "r1");
  expect_same_access(records[2], all[1]);
  expect_same_access(records[1], all[4]);

  auto only_a = store().access_records(fa, 100);
  ASSERT_EQ(only_a.size(), 3u);
  EXPECT_EQ(only_a[0].request_id, "r5");
  EXPECT_EQ(only_a[1].request_id, "r3");
  EXPECT_EQ(only_a[2].request_id, "r2");
  for (const auto& r : only_a) EXPECT_EQ(r.facility_code, fa);

  auto top2 = store().access_records("", 2);
  ASSERT_EQ(top2.size(), 2u);
  EXPECT_EQ(top2[0].request_id, "r5b");
  EXPECT_EQ(top2[1].request_id, "r5");
  auto top1_a = store().access_records(fa, 1);
  ASSERT_EQ(top1_a.size(), 1u);
  EXPECT_EQ(top1_a[0].request_id, "r5");

  EXPECT_TRUE(store().access_records("", 0).empty());
  EXPECT_TRUE(store().access_records("9999999999", 10).empty());
}

TEST_P(StoreContract, DailyCountsAddUpAndFilterByDayRange) {
  using core::ConfirmMethod;
  using core::FacilityType;
  EXPECT_TRUE(store().daily_counts(0, 99999999).empty());
  const std::vector<core::DailyCount> first{
      {20240430, FacilityType::kHospital, ConfirmMethod::kMyNumberCard, 1, 3},
      {20240501, FacilityType::kHospital, ConfirmMethod::kMyNumberCard, 1, 2},
      {20240501, FacilityType::kPharmacy, ConfirmMethod::kInsuranceCard, 3, 1},
      {20240502, FacilityType::kDentalClinic, ConfirmMethod::kBatch, 1, 100},
  };
  ChainBuilder chain("n1");
  ASSERT_TRUE(store().append_journal(chain.next({sample_access(1, "1311234567", 1, "w")}), first));
  const std::vector<core::DailyCount> second{
      {20240501, FacilityType::kHospital, ConfirmMethod::kMyNumberCard, 1, 5},
      {20240501, FacilityType::kHospital, ConfirmMethod::kMyNumberCard, 2, 1},
      {20240503, FacilityType::kMedicalClinic, ConfirmMethod::kInsuranceCard, 1, 7},
  };
  ASSERT_TRUE(store().append_journal(chain.next({sample_access(1, "1311234567", 1, "x")}), second));

  auto may1_2 = store().daily_counts(20240501, 20240502);  // both ends included
  ASSERT_EQ(may1_2.size(), 4u);
  std::int64_t hospital_card_valid = -1;
  for (const auto& d : may1_2) {
    EXPECT_GE(d.day, 20240501);
    EXPECT_LE(d.day, 20240502);
    if (d.day == 20240501 && d.facility_type == FacilityType::kHospital &&
        d.method == ConfirmMethod::kMyNumberCard && d.validity == 1)
      hospital_card_valid = d.count;
  }
  EXPECT_EQ(hospital_card_valid, 7) << "2 + 5 on the same key";
  std::int64_t total = 0;
  for (const auto& d : store().daily_counts(0, 99999999)) total += d.count;
  EXPECT_EQ(total, 3 + 2 + 1 + 100 + 5 + 1 + 7);
  EXPECT_EQ(store().daily_counts(20240504, 20241231).size(), 0u);
  EXPECT_EQ(store().daily_counts(20240503, 20240503).size(), 1u);
}

TEST_P(StoreContract, AppendJournalWithNothingIsHarmless) {
  EXPECT_TRUE(store().append_journal({}, {}));
  EXPECT_TRUE(store().access_records("", 10).empty());
  EXPECT_TRUE(store().daily_counts(0, 99999999).empty());
}

// --- Journal --------------------------------------------------------------------------------

TEST_P(StoreContract, JournalImportIsIdempotentAndKeepsTheCountersExact) {
  EXPECT_EQ(store().journal_head("n1").seq, 0);
  EXPECT_EQ(store().journal_head("n1").hash, "");
  ChainBuilder chain("n1");
  const auto first = chain.next({sample_access(1'714'500'000'000, "1311234567", 1, "n1-a"),
                                 sample_access(1'714'500'000'001, "1311234567", 2, "n1-b"),
                                 sample_access(1'714'500'000'002, "1341234563", 3, "n1-c")});
  const std::vector<core::DailyCount> three{
      {20240501, core::FacilityType::kHospital, core::ConfirmMethod::kInsuranceCard, 1, 3}};
  ASSERT_TRUE(store().append_journal(first, three));
  EXPECT_EQ(store().journal_head("n1").seq, 3);
  EXPECT_EQ(store().journal_head("n1").hash, first.back().hash);
  // The importer died between the commit and learning of it: the same records again, or
  // overlapping ones, write nothing -- neither records nor counts.
  EXPECT_FALSE(store().append_journal(first, three));
  EXPECT_FALSE(store().append_journal(std::span(first).subspan(1), three));
  EXPECT_EQ(store().journal_count(), 3);
  ASSERT_EQ(store().daily_counts(20240501, 20240501).size(), 1u);
  EXPECT_EQ(store().daily_counts(20240501, 20240501)[0].count, 3);
  // What comes next is taken.
  const auto more = chain.next({sample_access(1'714'500'000'003, "1311234567", 4, "n1-d")});
  ASSERT_TRUE(store().append_journal(more, {}));
  EXPECT_EQ(store().journal_head("n1").seq, 4);
  EXPECT_EQ(store().journal_head("n2").seq, 0) << "one chain per node";
}

TEST_P(StoreContract, AppendJournalRefusesRecordsThatDoNotContinueTheChain) {
  ChainBuilder chain("n1");
  auto recs =
      chain.next({sample_access(1, "1311234567", 1, "a"), sample_access(2, "1311234567", 2, "b"),
                  sample_access(3, "1311234567", 3, "c")});
  auto not_genesis = recs[0];
  not_genesis.prev_hash = recs[1].hash;
  EXPECT_FALSE(store().append_journal(std::vector{not_genesis}, {}));
  EXPECT_FALSE(store().append_journal(std::vector{recs[1]}, {})) << "seq 2 before seq 1";
  EXPECT_FALSE(store().append_journal(std::vector{recs[0], recs[2]}, {})) << "a gap";
  auto other_node = recs[1];
  other_node.node_id = "n2";
  EXPECT_FALSE(store().append_journal(std::vector{recs[0], other_node}, {}));
  EXPECT_EQ(store().journal_count(), 0);
  ASSERT_TRUE(store().append_journal(std::vector{recs[0]}, {}));
  auto wrong_link = recs[1];
  wrong_link.prev_hash = std::string(core::kJournalGenesis);
  EXPECT_FALSE(store().append_journal(std::vector{wrong_link}, {}));
  EXPECT_TRUE(store().append_journal(std::vector{recs[1], recs[2]}, {}));
  EXPECT_EQ(store().journal_count(), 3);
}

TEST_P(StoreContract, JournalRecordsReadBackExactlyPerNodeInSeqOrder) {
  ChainBuilder a("node-a"), b("node-b");
  std::vector<core::AccessRecord> access;
  for (int i = 0; i < 25; ++i) {
    auto r = sample_access(1'714'500'000'000 + i, "1311234567", i, "x-" + std::to_string(i));
    r.actor = kTaka + "\t%\n" + kYoshi;  // text that needs escaping, byte for byte
    access.push_back(r);
  }
  const auto ra = a.next(access, core::FacilityType::kPharmacy);
  const auto rb = b.next({access[0], access[1]});
  ASSERT_TRUE(store().append_journal(std::span(ra).first(10), {}));
  ASSERT_TRUE(store().append_journal(rb, {}));
  ASSERT_TRUE(store().append_journal(std::span(ra).subspan(10), {}));
  EXPECT_EQ(store().journal_nodes(), (std::vector<std::string>{"node-a", "node-b"}));
  EXPECT_EQ(store().journal_count(), 27);
  std::vector<core::JournalRecord> got;
  store().for_each_journal_record("node-a",
                                  [&](const core::JournalRecord& r) { got.push_back(r); });
  ASSERT_EQ(got.size(), ra.size());
  for (std::size_t i = 0; i < ra.size(); ++i) expect_same_record(ra[i], got[i]);
  got.clear();
  store().for_each_journal_record("node-c",
                                  [&](const core::JournalRecord& r) { got.push_back(r); });
  EXPECT_TRUE(got.empty());
}

TEST_P(StoreContract, JournalAnchorsAreKeptOnceInSeqOrder) {
  EXPECT_TRUE(store().journal_anchors("n1").empty());
  store().add_journal_anchor({"n1", 20, std::string(64, 'b'), 2000});
  store().add_journal_anchor({"n1", 10, std::string(64, 'a'), 1000});
  store().add_journal_anchor({"n1", 10, std::string(64, 'c'), 3000});  // ignored
  store().add_journal_anchor({"n2", 5, std::string(64, 'd'), 4000});
  const auto anchors = store().journal_anchors("n1");
  ASSERT_EQ(anchors.size(), 2u);
  EXPECT_EQ(anchors[0].seq, 10);
  EXPECT_EQ(anchors[0].hash, std::string(64, 'a'));
  EXPECT_EQ(anchors[0].at_ms, 1000);
  EXPECT_EQ(anchors[0].node_id, "n1");
  EXPECT_EQ(anchors[1].seq, 20);
  EXPECT_EQ(store().journal_anchors("n2").size(), 1u);
}

// --- Threads --------------------------------------------------------------------------------

TEST_P(StoreContract, SafeToCallFromSeveralThreads) {
  constexpr int kThreads = 4;
  constexpr int kRounds = 50;
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      ChainBuilder chain("n" + std::to_string(t));  // one chain per thread, as per node
      try {
        for (int r = 0; r < kRounds; ++r) {
          const std::string facility = "131123456" + std::to_string(t);
          const std::vector<core::AccessRecord> recs{sample_access(
              1000 * r + t, facility, r, std::to_string(t) + "-" + std::to_string(r))};
          const std::vector<core::DailyCount> counts{
              {20240501, core::FacilityType::kHospital, core::ConfirmMethod::kMyNumberCard, 1, 1}};
          if (!store().append_journal(chain.next(recs), counts)) ++failures;
          auto batch = batch_of({sample_coverage(t * kRounds + r)}, {hash_of(t * kRounds + r)});
          store().commit_load(batch);
          if (store().access_records(facility, 5).empty()) ++failures;
          (void)store().coverage_count();
        }
      } catch (const std::exception&) {
        ++failures;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(store().access_records("", 1000).size(), static_cast<std::size_t>(kThreads * kRounds));
  EXPECT_EQ(store().coverage_count(), kThreads * kRounds);
  auto counts = store().daily_counts(20240501, 20240501);
  ASSERT_EQ(counts.size(), 1u);
  EXPECT_EQ(counts[0].count, kThreads * kRounds);
}

}  // namespace
}  // namespace onshi::store::testing
