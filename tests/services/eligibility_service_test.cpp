// EligibilityService: request validation, "today in Japan" as the default confirmation date,
// consent flags, and the access log and daily counters written through Journal into a
// real SQLite store. The service's clock is injected: no test here depends on the real date or
// the time of day (the one test of the default system clock checks only time stamps).
#include "services/eligibility_service.hpp"
#include "tests/temp_dir.hpp"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <map>
#include <memory>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include "core/identifiers.hpp"
#include "services/clock.hpp"
#include "services/japan_clock.hpp"
#include "store/store.hpp"

namespace onshi::services {
namespace {

using core::ConfirmMethod;
using core::Coverage;
using core::Date;
using core::ErrorCode;
using core::FacilityType;
using core::Validity;

const std::string kKenpo = core::make_insurer_number("0613048");          // 06130488
const std::string kKokuho = core::make_insurer_number("13805");           // 6 digits
const std::string kHospitalCode = core::make_facility_code("341071236");  // 3410712362
const std::string kPharmacyCode = core::make_facility_code("134123456");

const std::string kTaka = "\xE9\xAB\x99";       // 髙
const std::string kYoshi = "\xF0\xA0\xAE\xB7";  // 𠮷

// The patient's data; none of it may reach the access log.
const std::string kName = kTaka + "橋 太郎";
const std::string kNumber = "7654321";
const std::string kSymbol = "記号-98";

// The outcome as if asked by another method (the card and batch paths come later).
ConfirmOutcome with_method(ConfirmOutcome out, ConfirmMethod method) {
  out.method = method;
  return out;
}

Date ymd(int y, int m, int d) {
  return Date::from_ymd(y, m, d);
}

// "Today" at a Japanese front desk, computed here without the code under test: UTC+9, no DST.
Date japan_day_of_ms(std::int64_t utc_ms) {
  const std::int64_t jst = utc_ms + 9LL * 3600 * 1000;
  std::int64_t days = jst / 86400000;
  if (jst % 86400000 < 0) --days;
  return Date::from_days(static_cast<std::int32_t>(days));
}

// UTC ms of a Japan wall-clock time, computed here without the code under test.
std::int64_t jst_ms(int y, int mo, int d, int h, int mi, int s, int ms = 0) {
  return static_cast<std::int64_t>(Date::from_ymd(y, mo, d).days()) * 86400000 +
         (h - 9) * 3600000LL + mi * 60000LL + s * 1000LL + ms;
}

// The fixture's "now": 2026-11-22 10:00 in Japan (01:00 UTC); tests move it.
const std::int64_t kPinnedNow = jst_ms(2026, 11, 22, 10, 0, 0);
const Date kToday = Date::from_ymd(2026, 11, 22);

std::int64_t real_now_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

using onshi::testing::TempDir;

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

std::vector<std::string> raw_query(const std::string& db_path, const std::string& sql) {
  std::vector<std::string> out;
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(db_path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
    ADD_FAILURE() << "cannot open " << db_path;
    sqlite3_close_v2(db);
    return out;
  }
  sqlite3_stmt* s = nullptr;
  if (sqlite3_prepare_v2(db, sql.c_str(), -1, &s, nullptr) != SQLITE_OK) {
    ADD_FAILURE() << sql << ": " << sqlite3_errmsg(db);
  } else {
    while (sqlite3_step(s) == SQLITE_ROW) {
      std::string row;
      for (int i = 0; i < sqlite3_column_count(s); ++i) {
        const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(s, i));
        if (i) row += '|';
        row += p ? std::string(p, static_cast<std::size_t>(sqlite3_column_bytes(s, i))) : "NULL";
      }
      out.push_back(row);
    }
  }
  sqlite3_finalize(s);
  sqlite3_close_v2(db);
  return out;
}

Principal facility(const std::string& code, FacilityType type, const std::string& label) {
  Principal p;
  p.role = store::Role::kFacility;
  p.label = label;
  p.facility = core::Facility{code, "テスト医療機関", type, std::stoi(code.substr(0, 2))};
  return p;
}

Coverage coverage(std::int64_t id, const std::string& insurer, const std::string& symbol,
                  const std::string& number, const std::string& branch, Date birth, Date acquired,
                  Date lost = {}) {
  Coverage c;
  c.id = id;
  c.key = core::CoverageKey{insurer, symbol, number, branch};
  c.name = kName;
  c.insured_name = kName;
  c.name_kana = "タカハシ タロウ";
  c.sex = core::Sex::kMale;
  c.birth_date = birth;
  c.address = "広島県広島市中区基町1-1";
  c.postcode = "730-0011";
  c.acquired_on = acquired;
  c.lost_on = lost;
  c.loss_reason = lost.valid() ? core::LossReason::kOtherInsurance : core::LossReason::kNone;
  c.self_pay_limit = core::SelfPayLimitTerms{"A03", ymd(2024, 1, 1), {}};
  return c;
}

ConfirmRequest request() {
  ConfirmRequest r;
  r.insurer_number = kKenpo;
  r.symbol = kSymbol;
  r.number = kNumber;
  r.branch = "00";
  r.birth_date = "1972-05-01";
  r.as_of = "2024-06-01";
  return r;
}

class EligibilityServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = store::open_sqlite_store(db_path());
    index_.upsert_insurers(std::vector<core::Insurer>{
        {kKenpo, kTaka + "島屋健康保険組合", core::InsurerKind::kHealthInsuranceSociety, 13},
        {kKokuho, "千代田区", core::InsurerKind::kMunicipalNhi, 13}});
    // The coverages live only in the index here, so that any personal data found in the
    // database file could only have come from the access log.
    const Date today = kToday;
    index_.upsert(std::vector<Coverage>{
        coverage(11, kKenpo, kSymbol, kNumber, "00", ymd(1972, 5, 1), ymd(2020, 4, 1)),
        coverage(12, kKenpo, kSymbol, kNumber, "01", ymd(1975, 3, 3), ymd(2020, 4, 1),
                 ymd(2024, 4, 1)),
        coverage(13, kKokuho, "", "100", "00", ymd(1980, 1, 15), ymd(2000, 1, 1), today),
        coverage(14, kKokuho, "", "200", "00", ymd(1980, 1, 15), today.add_days(1)),
        coverage(15, kKokuho, "", "300", "00", ymd(1980, 1, 15), ymd(2000, 1, 1),
                 today.add_days(1)),
    });
    writer_ = std::make_unique<Journal>(*store_);
    service_ = std::make_unique<EligibilityService>(index_, *writer_, metrics_,
                                                    [this] { return now_.load(); });
  }
  void TearDown() override {
    service_.reset();
    writer_.reset();
    store_.reset();
  }
  std::string db_path() const { return dir_.path() + "/onshi.db"; }

  ConfirmOutcome resolve_ok(const Principal& who, const ConfirmRequest& r) {
    auto out = service_->resolve(who, r);
    EXPECT_TRUE(out.ok()) << (out.ok() ? "" : out.error().detail);
    return out.ok() ? out.value() : ConfirmOutcome{};
  }

  TempDir dir_;
  std::atomic<std::int64_t> now_{kPinnedNow};  // the service's clock
  std::unique_ptr<store::Store> store_;
  index::EligibilityIndex index_;
  Metrics metrics_;
  std::unique_ptr<Journal> writer_;
  std::unique_ptr<EligibilityService> service_;
  const Principal hospital_ = facility(kHospitalCode, FacilityType::kHospital, "desk-1");
  const Principal pharmacy_ = facility(kPharmacyCode, FacilityType::kPharmacy, "counter-2");
};

// ------------------------------------------------------------------------------ validation

TEST_F(EligibilityServiceTest, OnlyFacilitiesConfirm) {
  Principal insurer;
  insurer.role = store::Role::kInsurer;
  insurer.label = "kenpo";
  insurer.insurer_numbers = {kKenpo};
  auto r = service_->resolve(insurer, request());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kForbidden);
  Principal no_facility = hospital_;
  no_facility.facility.reset();
  r = service_->resolve(no_facility, request());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kForbidden);
}

struct BadRequest {
  const char* what;
  std::function<void(ConfirmRequest&)> edit;
  ErrorCode code;
  const char* field;
};

TEST_F(EligibilityServiceTest, ValidationErrors) {
  const std::vector<BadRequest> cases = {
      {"no insurer number", [](ConfirmRequest& r) { r.insurer_number.clear(); },
       ErrorCode::kRequestFieldMissing, "insurer_number"},
      {"bad check digit", [](ConfirmRequest& r) { r.insurer_number = "06130487"; },
       ErrorCode::kInsurerNumberCheckDigit, "insurer_number"},
      {"7 digits", [](ConfirmRequest& r) { r.insurer_number = "0613048"; },
       ErrorCode::kInsurerNumberFormat, "insurer_number"},
      {"letters", [](ConfirmRequest& r) { r.insurer_number = "O6I3O488"; },
       ErrorCode::kInsurerNumberFormat, "insurer_number"},
      {"no number", [](ConfirmRequest& r) { r.number.clear(); }, ErrorCode::kRequestFieldMissing,
       "number"},
      {"number of hyphens only", [](ConfirmRequest& r) { r.number = "- -"; },
       ErrorCode::kInsuredNumberFormat, "number"},
      {"number too long", [](ConfirmRequest& r) { r.number = std::string(65, '1'); },
       ErrorCode::kRequestFieldInvalid, "number"},
      {"bad branch", [](ConfirmRequest& r) { r.branch = "123"; }, ErrorCode::kBranchFormat,
       "branch"},
      {"no birth date", [](ConfirmRequest& r) { r.birth_date.clear(); },
       ErrorCode::kRequestFieldMissing, "birth_date"},
      {"unreadable birth date", [](ConfirmRequest& r) { r.birth_date = "May 1st 1972"; },
       ErrorCode::kDateFormat, "birth_date"},
      {"no such birth date", [](ConfirmRequest& r) { r.birth_date = "1972-02-30"; },
       ErrorCode::kDateOutOfRange, "birth_date"},
      {"birth date outside its era", [](ConfirmRequest& r) { r.birth_date = "H31.05.01"; },
       ErrorCode::kDateOutOfRange, "birth_date"},
      {"unknown era", [](ConfirmRequest& r) { r.birth_date = "X47.05.01"; }, ErrorCode::kEraUnknown,
       "birth_date"},
      {"bad as_of", [](ConfirmRequest& r) { r.as_of = "tomorrow"; }, ErrorCode::kDateFormat,
       "as_of"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.what);
    ConfirmRequest r = request();
    c.edit(r);
    const auto out = service_->resolve(hospital_, r);
    ASSERT_FALSE(out.ok());
    EXPECT_EQ(out.error().code, c.code) << out.error().detail;
    EXPECT_NE(out.error().detail.find(std::string("'") + c.field + "'"), std::string::npos)
        << out.error().detail;
  }
  // Unknown request fields are the adapter's business (the JSON layer refuses them): the
  // service's request type has no room for them.
}

// Regression: a bad symbol is reported as the symbol, not the number.
TEST_F(EligibilityServiceTest, ABadSymbolIsReportedAsTheSymbol) {
  for (const std::string& symbol : {std::string(65, 'a'), std::string("\xFF\xFE")}) {
    ConfirmRequest r = request();
    r.symbol = symbol;
    const auto out = service_->resolve(hospital_, r);
    ASSERT_FALSE(out.ok());
    EXPECT_EQ(out.error().code, ErrorCode::kRequestFieldInvalid);
    EXPECT_NE(out.error().detail.find("'symbol'"), std::string::npos) << out.error().detail;
  }
}

TEST_F(EligibilityServiceTest, ForgivingInputIsAccepted) {
  ConfirmRequest r = request();
  r.insurer_number = "０６１３ ０４８８";
  r.symbol = "記号ー９８";  // ー next to a digit: an IME hyphen
  r.number = "７６５４３２１";
  r.branch = "0";
  r.birth_date = "昭和47年5月1日";
  r.as_of = "R6.6.1";
  const auto out = resolve_ok(hospital_, r);
  EXPECT_EQ(out.as_of, ymd(2024, 6, 1));
  EXPECT_EQ(out.answer.resolution.validity, Validity::kValid);
  ASSERT_TRUE(out.answer.record);
  EXPECT_EQ(out.answer.record->id, 11);
  EXPECT_EQ(out.answer.record->symbol(), kSymbol) << "returned as registered";
  EXPECT_EQ(out.answer.record->insurer_name(), kTaka + "島屋健康保険組合");
  // A branch is optional: the birth date picks the member.
  r.branch.clear();
  EXPECT_EQ(resolve_ok(hospital_, r).answer.record->id, 11);
  // A 国保 number padded to 8 characters, as in the XML.
  ConfirmRequest k;
  k.insurer_number = "  " + kKokuho;
  k.number = "300";
  k.birth_date = "1980-01-15";
  EXPECT_EQ(resolve_ok(hospital_, k).answer.resolution.validity, Validity::kValid);
}

TEST_F(EligibilityServiceTest, AnswersCarryTheReason) {
  ConfirmRequest r = request();
  r.branch = "01";
  r.birth_date = "1975-03-03";
  auto out = resolve_ok(hospital_, r);
  EXPECT_EQ(out.answer.resolution.validity, Validity::kInvalid);
  EXPECT_EQ(out.answer.resolution.reason, ErrorCode::kEligibilityLost);
  EXPECT_NE(out.answer.reason_text.en.find("2024-04-01"), std::string::npos);
  r = request();
  r.insurer_number = core::make_insurer_number("3913001");
  out = resolve_ok(hospital_, r);
  EXPECT_EQ(out.answer.resolution.validity, Validity::kNoMatch);
  EXPECT_EQ(out.answer.resolution.reason, ErrorCode::kEligibilityInsurerUnknown);
}

// ------------------------------------------------------------------------------- as-of date

TEST_F(EligibilityServiceTest, DefaultAsOfIsTodayInJapan) {
  ConfirmRequest r = request();
  r.as_of.clear();
  const auto out = resolve_ok(hospital_, r);
  EXPECT_EQ(out.as_of, kToday);
  EXPECT_EQ(out.at_ms, kPinnedNow) << "the answer's time stamp is the clock's";
  EXPECT_EQ(out.as_of, japan_day_of_ms(out.at_ms)) << "the day of the answer's own time stamp";
  // An explicit date wins.
  r.as_of = "2021-01-01";
  EXPECT_EQ(resolve_ok(hospital_, r).as_of, ymd(2021, 1, 1));
}

// JST midnight is 15:00 UTC: the default date follows the injected clock to the millisecond.
TEST_F(EligibilityServiceTest, DefaultAsOfIsTheJapanDateOfTheInjectedClock) {
  ConfirmRequest r = request();
  r.as_of.clear();
  const auto last_ms = parse_instant_ms("2026-11-22T14:59:59.999Z");
  const auto next_day = parse_instant_ms("2026-11-22T15:00:00.000Z");
  ASSERT_TRUE(last_ms && next_day);
  EXPECT_EQ(*last_ms, jst_ms(2026, 11, 22, 23, 59, 59, 999));
  EXPECT_EQ(*next_day, *last_ms + 1);
  now_ = *last_ms;
  auto out = resolve_ok(hospital_, r);
  EXPECT_EQ(out.as_of, ymd(2026, 11, 22));
  EXPECT_EQ(out.at_ms, *last_ms);
  now_ = *next_day;
  out = resolve_ok(hospital_, r);
  EXPECT_EQ(out.as_of, ymd(2026, 11, 23));
  EXPECT_EQ(out.at_ms, *next_day);
}

// Without a clock the service uses the system clock (only time stamps are checked here, never
// a date, so this does not depend on the time of day either).
TEST_F(EligibilityServiceTest, WithoutAClockTheSystemClockIsUsed) {
  EligibilityService real(index_, *writer_, metrics_);
  const std::int64_t before = real_now_ms();
  const auto out = real.resolve(hospital_, request());
  const std::int64_t after = real_now_ms();
  ASSERT_TRUE(out.ok());
  EXPECT_GE(out->at_ms, before);
  EXPECT_LE(out->at_ms, after);
  EligibilityService empty(index_, *writer_, metrics_, Clock{});  // an empty function too
  const auto out2 = empty.resolve(hospital_, request());
  ASSERT_TRUE(out2.ok());
  EXPECT_GE(out2->at_ms, after);
}

TEST(ClockTest, InstantsAreReadWithTheirOffset) {
  EXPECT_EQ(parse_instant_ms("2026-11-22T23:59:59.999+09:00"),
            jst_ms(2026, 11, 22, 23, 59, 59, 999));
  EXPECT_EQ(parse_instant_ms("2026-11-22T14:59:59.999Z"), jst_ms(2026, 11, 22, 23, 59, 59, 999));
  EXPECT_EQ(parse_instant_ms("2026-11-23T00:00:00+09:00"), jst_ms(2026, 11, 23, 0, 0, 0));
  EXPECT_EQ(parse_instant_ms("2026-11-22T10:00:00-05:30"), jst_ms(2026, 11, 23, 0, 30, 0));
  EXPECT_EQ(parse_instant_ms("1970-01-01T00:00:00Z"), 0);
  for (const char* bad : {"", "2026-11-22", "2026-11-22T23:59:59", "2026-11-22 23:59:59Z",
                          "2026-02-30T00:00:00Z", "2026-11-22T24:00:00Z", "2026-11-22T23:59:59.9Z",
                          "2026-11-22T23:59:59+0900", "2026-11-22T23:59:59Zjunk", "tomorrow"})
    EXPECT_FALSE(parse_instant_ms(bad).has_value()) << bad;
  EXPECT_EQ(fixed_clock(42)(), 42);
}

TEST(ClockTest, OnshiTestNowPinsTheEnvironmentClock) {
  ::setenv("ONSHI_TEST_NOW", "2026-11-22T23:59:59.999+09:00", 1);
  EXPECT_EQ(clock_from_environment()(), jst_ms(2026, 11, 22, 23, 59, 59, 999));
  ::setenv("ONSHI_TEST_NOW", "not a time", 1);
  EXPECT_THROW(clock_from_environment(), std::runtime_error);
  ::unsetenv("ONSHI_TEST_NOW");
  const std::int64_t before = real_now_ms();
  EXPECT_GE(clock_from_environment()(), before);
}

TEST_F(EligibilityServiceTest, JapanTimeIsUtcPlusNine) {
  // 2024-03-31 15:00 UTC is 2024-04-01 00:00 in Japan; one millisecond earlier is still March.
  const std::int64_t midnight_jst =
      static_cast<std::int64_t>(ymd(2024, 4, 1).days()) * 86400000 - 9LL * 3600 * 1000;
  EXPECT_EQ(japan_date_of(midnight_jst), ymd(2024, 4, 1));
  EXPECT_EQ(japan_date_of(midnight_jst - 1), ymd(2024, 3, 31));
  EXPECT_EQ(japan_date_of(midnight_jst + 86400000 - 1), ymd(2024, 4, 1));
}

TEST_F(EligibilityServiceTest, DefaultAsOfDrivesTheAnswer) {
  ConfirmRequest r;
  r.insurer_number = kKokuho;
  r.birth_date = "1980-01-15";
  // The last millisecond of the fixture's day in Japan: the answers of "today".
  now_ = jst_ms(2026, 11, 22, 23, 59, 59, 999);
  r.number = "100";  // lost today: invalid
  EXPECT_EQ(resolve_ok(hospital_, r).answer.resolution.reason, ErrorCode::kEligibilityLost);
  r.number = "200";  // starts tomorrow
  EXPECT_EQ(resolve_ok(hospital_, r).answer.resolution.reason,
            ErrorCode::kEligibilityNotYetStarted);
  r.number = "300";  // lost tomorrow: still valid today
  EXPECT_EQ(resolve_ok(hospital_, r).answer.resolution.validity, Validity::kValid);
  // One millisecond later it is tomorrow in Japan: 200 has started, 300 is lost.
  now_ = now_.load() + 1;
  r.number = "200";
  EXPECT_EQ(resolve_ok(hospital_, r).answer.resolution.validity, Validity::kValid);
  r.number = "300";
  EXPECT_EQ(resolve_ok(hospital_, r).answer.resolution.reason, ErrorCode::kEligibilityLost);
}

// ------------------------------------------------------------------------- outcome contents

TEST_F(EligibilityServiceTest, ConsentFlagsAndArbitraryIdAreCarried) {
  for (const bool limit : {false, true})
    for (const bool disease : {false, true}) {
      ConfirmRequest r = request();
      r.self_pay_limit_consent = limit;
      r.specific_disease_consent = disease;
      r.arbitrary_id = "受付-" + std::to_string(limit) + std::to_string(disease);
      const auto out = resolve_ok(hospital_, r);
      EXPECT_EQ(out.self_pay_limit_consent, limit);
      EXPECT_EQ(out.specific_disease_consent, disease);
      EXPECT_EQ(out.arbitrary_id, r.arbitrary_id);
    }
}

TEST_F(EligibilityServiceTest, ConfirmationIdsAreUniqueAndTimeStamped) {
  std::set<std::string> ids;
  // Unique even while the clock stands still, and stamped with the clock's time.
  for (int i = 0; i < 200; ++i) {
    if (i == 100) now_ = kPinnedNow + 1;
    const auto out = resolve_ok(hospital_, request());
    EXPECT_FALSE(out.confirmation_id.empty());
    EXPECT_TRUE(ids.insert(out.confirmation_id).second) << out.confirmation_id;
    EXPECT_EQ(out.at_ms, i < 100 ? kPinnedNow : kPinnedNow + 1);
  }
}

TEST_F(EligibilityServiceTest, ResolveHasNoSideEffects) {
  for (int i = 0; i < 5; ++i) resolve_ok(hospital_, request());
  writer_->flush();
  EXPECT_EQ(writer_->committed(), 0u);
  EXPECT_TRUE(store_->access_records("", 100).empty());
  EXPECT_EQ(metrics_.render(0, 0, 0).find("validity=\"1\",result=\"valid\"} 1"), std::string::npos);
}

// ------------------------------------------------------------------------------ access log

TEST_F(EligibilityServiceTest, RecordAppendsAccessRecords) {
  const auto valid = resolve_ok(hospital_, request());
  ConfirmRequest unknown = request();
  unknown.number = "1111111";
  const auto no_match = resolve_ok(hospital_, unknown);
  ASSERT_EQ(no_match.answer.resolution.validity, Validity::kNoMatch);

  std::atomic<int> durable{0}, not_durable{0};
  auto done = [&](bool ok) { ++(ok ? durable : not_durable); };
  service_->record(hospital_, valid, done);
  auto by_card = no_match;
  by_card.method = ConfirmMethod::kMyNumberCard;
  service_->record(hospital_, by_card, done);
  writer_->flush();
  EXPECT_EQ(durable.load(), 2);
  EXPECT_EQ(not_durable.load(), 0);
  EXPECT_EQ(writer_->committed(), 2u);
  EXPECT_EQ(writer_->failed_batches(), 0u);

  const auto records = store_->access_records(kHospitalCode, 10);
  ASSERT_EQ(records.size(), 2u);
  const core::AccessRecord* v = nullptr;
  const core::AccessRecord* n = nullptr;
  for (const auto& rec : records) (rec.request_id == valid.confirmation_id ? v : n) = &rec;
  ASSERT_NE(v, nullptr);
  ASSERT_NE(n, nullptr);
  EXPECT_EQ(v->facility_code, kHospitalCode);
  EXPECT_EQ(v->actor, "desk-1");
  EXPECT_EQ(v->method, ConfirmMethod::kInsuranceCard);
  EXPECT_EQ(v->coverage_id, 11);
  EXPECT_EQ(v->validity, 1);
  EXPECT_EQ(v->at_ms, valid.at_ms);
  EXPECT_EQ(n->request_id, no_match.confirmation_id);
  EXPECT_EQ(n->coverage_id, 0) << "nothing matched";
  EXPECT_EQ(n->validity, 4);
  EXPECT_EQ(n->method, ConfirmMethod::kMyNumberCard);
  // Another facility sees none of them.
  EXPECT_TRUE(store_->access_records(kPharmacyCode, 10).empty());
  // Counted in the metrics too.
  const std::string m = metrics_.render(0, 0, 0);
  EXPECT_NE(m.find("onshi_confirmations_total{validity=\"1\",result=\"valid\"} 1"),
            std::string::npos);
  EXPECT_NE(m.find("onshi_confirmations_total{validity=\"4\",result=\"no_matching_coverage\"} 1"),
            std::string::npos);
}

TEST_F(EligibilityServiceTest, RecordWorksWithoutACallback) {
  service_->record(pharmacy_, with_method(resolve_ok(pharmacy_, request()), ConfirmMethod::kBatch),
                   {});
  writer_->flush();
  ASSERT_EQ(store_->access_records(kPharmacyCode, 10).size(), 1u);
}

TEST_F(EligibilityServiceTest, AccessLogHoldsNoPersonalData) {
  ConfirmRequest r = request();
  r.arbitrary_id = "";
  for (int i = 0; i < 3; ++i) service_->record(hospital_, resolve_ok(hospital_, r), {});
  writer_->flush();
  ASSERT_EQ(store_->access_records("", 10).size(), 3u);
  // Only these columns exist ...
  const auto columns = raw_query(db_path(), "SELECT name FROM pragma_table_info('journal')");
  EXPECT_EQ(std::set<std::string>(columns.begin(), columns.end()),
            (std::set<std::string>{"node_id", "seq", "at_ms", "facility_code", "facility_type",
                                   "actor", "method", "coverage_id", "validity", "request_id",
                                   "prev_hash", "hash"}));
  // ... and no byte of the patient's data is anywhere in the database.
  std::string bytes;
  for (const char* suffix : {"", "-wal"})
    if (std::filesystem::exists(db_path() + suffix)) bytes += read_file(db_path() + suffix);
  ASSERT_NE(bytes.find(kHospitalCode), std::string::npos) << "positive control";
  for (const std::string& personal :
       {kName, std::string("高橋"), kNumber, std::string("記号"), std::string("1972-05-01"),
        std::string("19720501"), std::string("タカハシ"), std::string("730-0011")})
    EXPECT_EQ(bytes.find(personal), std::string::npos) << personal;
}

TEST_F(EligibilityServiceTest, DailyCountsPerFacilityTypeMethodAndValidity) {
  ConfirmRequest lost = request();
  lost.branch = "01";
  lost.birth_date = "1975-03-03";
  ConfirmRequest nothing = request();
  nothing.number = "1111111";
  struct Call {
    const Principal* who;
    const ConfirmRequest* req;
    ConfirmMethod method;
    int validity;
  };
  const ConfirmRequest ok = request();
  const std::vector<Call> calls = {
      {&hospital_, &ok, ConfirmMethod::kInsuranceCard, 1},
      {&hospital_, &ok, ConfirmMethod::kInsuranceCard, 1},
      {&hospital_, &ok, ConfirmMethod::kInsuranceCard, 1},
      {&hospital_, &nothing, ConfirmMethod::kInsuranceCard, 4},
      {&hospital_, &ok, ConfirmMethod::kMyNumberCard, 1},
      {&hospital_, &ok, ConfirmMethod::kMyNumberCard, 1},
      {&hospital_, &ok, ConfirmMethod::kBatch, 1},
      {&pharmacy_, &ok, ConfirmMethod::kInsuranceCard, 1},
      {&pharmacy_, &lost, ConfirmMethod::kInsuranceCard, 2},
      {&pharmacy_, &lost, ConfirmMethod::kInsuranceCard, 2},
  };
  using Key = std::tuple<std::int32_t, FacilityType, ConfirmMethod, int>;
  std::map<Key, std::int64_t> expected;
  std::int32_t first_day = 99999999, last_day = 0;
  for (const auto& c : calls) {
    const auto out = resolve_ok(*c.who, *c.req);
    ASSERT_EQ(static_cast<int>(out.answer.resolution.validity), c.validity);
    service_->record(*c.who, with_method(out, c.method), {});
    const std::int32_t day = japan_day_of_ms(out.at_ms).yyyymmdd();
    first_day = std::min(first_day, day);
    last_day = std::max(last_day, day);
    ++expected[{day, c.who->facility->type, c.method, c.validity}];
  }
  writer_->flush();
  std::map<Key, std::int64_t> got;
  for (const auto& d : store_->daily_counts(first_day, last_day))
    got[{d.day, d.facility_type, d.method, d.validity}] += d.count;
  EXPECT_EQ(got, expected);
  // Other days hold nothing.
  EXPECT_TRUE(store_->daily_counts(19000101, first_day - 1).empty());

  // Counters add up across batches.
  service_->record(hospital_, resolve_ok(hospital_, ok), {});
  writer_->flush();
  std::int64_t total = 0;
  for (const auto& d : store_->daily_counts(first_day, 29991231)) total += d.count;
  EXPECT_EQ(total, static_cast<std::int64_t>(calls.size()) + 1);
}

TEST_F(EligibilityServiceTest, ConcurrentRecordsAreAllKept) {
  constexpr int kThreads = 4, kEach = 50;
  std::vector<std::thread> threads;
  std::atomic<int> durable{0};
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([&] {
      for (int i = 0; i < kEach; ++i) {
        auto out = service_->resolve(hospital_, request());
        if (out.ok())
          service_->record(hospital_, out.value(), [&](bool ok) { durable += ok ? 1 : 0; });
      }
    });
  for (auto& t : threads) t.join();
  writer_->flush();
  EXPECT_EQ(durable.load(), kThreads * kEach);
  const auto records = store_->access_records(kHospitalCode, 1000);
  EXPECT_EQ(records.size(), static_cast<std::size_t>(kThreads * kEach));
  std::set<std::string> ids;
  for (const auto& r : records) ids.insert(r.request_id);
  EXPECT_EQ(ids.size(), records.size()) << "request ids are unique";
  for (std::size_t i = 1; i < records.size(); ++i)
    EXPECT_GE(records[i - 1].at_ms, records[i].at_ms) << "newest first";
}

}  // namespace
}  // namespace onshi::services
