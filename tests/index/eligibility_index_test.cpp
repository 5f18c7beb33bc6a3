// The in-memory eligibility index: lookups by normalised card key, byte-exact records, replace
// by id, the cross-insurer "newer coverage" link, and a 100k-record property check.
#include "index/eligibility_index.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <optional>
#include <random>
#include <span>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "core/identifiers.hpp"
#include "core/text_normalise.hpp"
#include "tests/store/store_test_data.hpp"

namespace onshi::index {
namespace {

using core::Coverage;
using core::Date;
using core::ErrorCode;
using core::LossReason;
using core::Validity;

// Characters that break naive encodings: 髙 U+9AD9, 﨑 U+FA11 (CJK compatibility ideograph),
// 𠮷 U+20BB7 (outside the BMP) and 邉 followed by the variation selector U+E0101.
const std::string kTaka = "\xE9\xAB\x99";
const std::string kSaki = "\xEF\xA8\x91";
const std::string kYoshi = "\xF0\xA0\xAE\xB7";
const std::string kBeVs = "\xE9\x82\x89\xF3\xA0\x84\x81";

const std::string kKenpo = core::make_insurer_number("0613048");   // 06130488
const std::string kKyokai = core::make_insurer_number("0113001");  // 協会けんぽ
const std::string kKokuho = core::make_insurer_number("13805");    // 6-digit 国保

Date ymd(int y, int m, int d) {
  return Date::from_ymd(y, m, d);
}

std::vector<core::Insurer> insurers() {
  return {
      {kKenpo, kTaka + "島屋健康保険組合", core::InsurerKind::kHealthInsuranceSociety, 13},
      {kKyokai, "全国健康保険協会 北海道支部", core::InsurerKind::kKyokaiKenpo, 1},
      {kKokuho, "千代田区", core::InsurerKind::kMunicipalNhi, 13},
  };
}

Coverage coverage(std::int64_t id, const std::string& insurer, const std::string& symbol,
                  const std::string& number, const std::string& branch, Date birth, Date acquired,
                  Date lost = {}, const std::string& person_key = "") {
  Coverage c;
  c.id = id;
  c.key = core::CoverageKey{insurer, symbol, number, branch};
  c.name = kTaka + "橋 太郎";
  c.insured_name = c.name;
  c.name_kana = "タカハシ タロウ";
  c.sex = core::Sex::kMale;
  c.birth_date = birth;
  c.acquired_on = acquired;
  c.lost_on = lost;
  c.loss_reason = lost.valid() ? LossReason::kOtherInsurance : LossReason::kNone;
  c.person_key = person_key;
  return c;
}

// Every field set, with the characters that break encodings.
Coverage rich_coverage(std::int64_t id) {
  Coverage c = coverage(id, kKenpo, "千代田-12", "００４５", "01", ymd(1950, 2, 28),
                        ymd(2015, 4, 1), ymd(2030, 4, 1), std::string(64, 'e'));
  c.relationship = core::Relationship::kDependant;
  c.insured_name = kYoshi + "田 一郎";
  c.name = "山" + kSaki + "\xE3\x80\x80" + kBeVs + "子";
  c.name_kana = "ヤマサキ ベコ";
  c.sex = core::Sex::kFemale;
  c.address = "東京都千代田区霞が関1-2-2 " + kYoshi + "野ビル";
  c.postcode = "100-8916";
  c.loss_reason = LossReason::kDeath;
  c.card_issued_on = ymd(2015, 3, 20);
  c.card_valid_from = ymd(2015, 4, 1);
  c.card_valid_until = ymd(2031, 3, 31);
  c.copay_ratio = 2;
  c.elderly = core::ElderlyRecipientTerms{2, ymd(2020, 3, 1), ymd(2025, 2, 28)};
  c.self_pay_limit = core::SelfPayLimitTerms{"B10", ymd(2024, 1, 1), {}};
  c.specific_disease = core::SpecificDiseaseTerms{3, ymd(2016, 1, 1), ymd(2029, 12, 31)};
  return c;
}

CardLookup lookup(const std::string& insurer, std::string_view symbol, std::string_view number,
                  Date birth, Date as_of, std::optional<std::string> branch = std::nullopt) {
  CardLookup q;
  q.insurer_number = insurer;
  q.symbol_key = core::match_key(symbol);
  q.number_key = core::match_key(number);
  q.query.branch = std::move(branch);
  q.query.birth_date = birth;
  q.query.as_of = as_of;
  return q;
}

// The store tests' field-by-field comparison, which names the field that differs.
using store::testing::expect_same_coverage;
void expect_same(const Coverage& want, const Coverage& got) {
  expect_same_coverage(want, got);
}
// An answer's record against the coverage registered (texts named when they differ).
void expect_same(const Coverage& want, const core::AnswerRecord& got) {
  const core::AnswerRecord w = core::answer_record_of(want, got.insurer_name());
  for (int t = 0; t < core::AnswerRecord::kTextCount; ++t) {
    const auto text = static_cast<core::AnswerRecord::Text>(t);
    EXPECT_EQ(got.text(text), w.text(text)) << "text " << t;
  }
  EXPECT_TRUE(got == w) << "a non-text field differs";
}

class EligibilityIndexTest : public ::testing::Test {
 protected:
  void SetUp() override { index_.upsert_insurers(insurers()); }
  void add(const Coverage& c) { index_.upsert(std::vector<Coverage>{c}); }
  EligibilityIndex index_;
};

// ---------------------------------------------------------------------------------- lookups

TEST_F(EligibilityIndexTest, SymbolAndNumberTypedDifferentlyMatch) {
  add(coverage(1, kKenpo, "12-34", "0056", "00", ymd(1972, 5, 1), ymd(2020, 4, 1)));
  for (const auto& [symbol, number] : std::vector<std::pair<std::string, std::string>>{
           {"12-34", "0056"},
           {"1234", "0056"},
           {"12 34", "00 56"},
           {"１２－３４", "００５６"},
           {"１２ー３４", "００５６"},  // the IME's prolonged sound mark between digits
           {"12\xE2\x80\x90"
            "34",
            "0056"},  // U+2010 HYPHEN
           {"12\xE2\x88\x92"
            "34",
            "0056"},                // U+2212 MINUS SIGN
           {"１２　３４", "0056"},  // ideographic space
       }) {
    SCOPED_TRACE(symbol + " / " + number);
    const auto a = index_.confirm(lookup(kKenpo, symbol, number, ymd(1972, 5, 1), ymd(2024, 6, 1)));
    EXPECT_EQ(a.resolution.validity, Validity::kValid);
    ASSERT_TRUE(a.record);
    // Always what the insurer registered, never what the desk typed.
    EXPECT_EQ(a.record->symbol(), "12-34");
    EXPECT_EQ(a.record->number(), "0056");
    EXPECT_EQ(a.record->insurer_name(), kTaka + "島屋健康保険組合");
  }
  // Leading zeros are significant: "56" is another card.
  const auto other = index_.confirm(lookup(kKenpo, "1234", "56", ymd(1972, 5, 1), ymd(2024, 6, 1)));
  EXPECT_EQ(other.resolution.validity, Validity::kNoMatch);
  EXPECT_EQ(other.resolution.reason, ErrorCode::kEligibilityNoCoverageForNumber);
}

TEST_F(EligibilityIndexTest, KanaAndKanjiSymbolsMatch) {
  add(coverage(1, kKokuho, "ｱｲ-12", "7", "00", ymd(1980, 1, 15), ymd(2024, 4, 1)));
  add(coverage(2, kKokuho, "千代田", "8", "00", ymd(1980, 1, 15), ymd(2024, 4, 1)));
  auto a = index_.confirm(lookup(kKokuho, "ｱｲ12", "7", ymd(1980, 1, 15), ymd(2024, 6, 1)));
  EXPECT_EQ(a.resolution.validity, Validity::kValid);
  ASSERT_TRUE(a.record);
  EXPECT_EQ(a.record->symbol(), "ｱｲ-12");
  a = index_.confirm(lookup(kKokuho, "千代田", "８", ymd(1980, 1, 15), ymd(2024, 6, 1)));
  EXPECT_EQ(a.resolution.validity, Validity::kValid);
  // Katakana ー between kana is a letter, not a hyphen: カード and カド are different symbols.
  add(coverage(3, kKokuho, "カード", "9", "00", ymd(1980, 1, 15), ymd(2024, 4, 1)));
  a = index_.confirm(lookup(kKokuho, "カード", "9", ymd(1980, 1, 15), ymd(2024, 6, 1)));
  EXPECT_EQ(a.resolution.validity, Validity::kValid);
  a = index_.confirm(lookup(kKokuho, "カド", "9", ymd(1980, 1, 15), ymd(2024, 6, 1)));
  EXPECT_EQ(a.resolution.validity, Validity::kNoMatch);
  // The half-width prolonged sound mark ｰ (U+FF70) is read as a hyphen.
  a = index_.confirm(lookup(kKokuho, "ｱｲｰ12", "7", ymd(1980, 1, 15), ymd(2024, 6, 1)));
  EXPECT_EQ(a.resolution.validity, Validity::kValid);
}

TEST_F(EligibilityIndexTest, RecordIsByteExactAsRegistered) {
  const Coverage c = rich_coverage(7);
  add(c);
  const auto a = index_.confirm(
      lookup(kKenpo, "千代田12", "0045", c.birth_date, ymd(2024, 6, 1), std::string("01")));
  EXPECT_EQ(a.resolution.validity, Validity::kValid);
  ASSERT_TRUE(a.record);
  expect_same(c, *a.record);
  // The four bytes of 𠮷 and the variation selector survive.
  EXPECT_NE(a.record->insured_name().find(kYoshi), std::string::npos);
  EXPECT_NE(a.record->name().find(kBeVs), std::string::npos);
  EXPECT_NE(a.record->name().find(kSaki), std::string::npos);
  EXPECT_EQ(a.record->number(), "００４５") << "registered full-width, returned full-width";
  const auto under =
      index_.coverages_under(kKenpo, core::match_key("千代田-12"), core::match_key("0045"));
  ASSERT_EQ(under.size(), 1u);
  expect_same(c, under[0]);
}

TEST_F(EligibilityIndexTest, OptionalTermsAbsentStayAbsent) {
  const Coverage c = coverage(3, kKyokai, "", "99", "00", ymd(1990, 1, 1), ymd(2020, 1, 1));
  add(c);
  const auto under = index_.coverages_under(kKyokai, "", "99");
  ASSERT_EQ(under.size(), 1u);
  expect_same(c, under[0]);
}

TEST_F(EligibilityIndexTest, UnknownInsurerVersusUnknownNumber) {
  add(coverage(1, kKenpo, "1", "2", "00", ymd(1972, 5, 1), ymd(2020, 4, 1)));
  const std::string never_registered = core::make_insurer_number("3913001");
  EXPECT_FALSE(index_.insurer_known(never_registered));
  auto a = index_.confirm(lookup(never_registered, "1", "2", ymd(1972, 5, 1), ymd(2024, 6, 1)));
  EXPECT_EQ(a.resolution.validity, Validity::kNoMatch);
  EXPECT_EQ(a.resolution.reason, ErrorCode::kEligibilityInsurerUnknown);
  EXPECT_FALSE(a.record);
  EXPECT_FALSE(a.reason_text.en.empty());
  // A registered insurer without coverages under the number.
  EXPECT_TRUE(index_.insurer_known(kKyokai));
  a = index_.confirm(lookup(kKyokai, "1", "2", ymd(1972, 5, 1), ymd(2024, 6, 1)));
  EXPECT_EQ(a.resolution.reason, ErrorCode::kEligibilityNoCoverageForNumber);
  a = index_.confirm(lookup(kKenpo, "1", "3", ymd(1972, 5, 1), ymd(2024, 6, 1)));
  EXPECT_EQ(a.resolution.reason, ErrorCode::kEligibilityNoCoverageForNumber);
  EXPECT_FALSE(a.record);
}

TEST_F(EligibilityIndexTest, InsurerNamesAreUpdatedInPlace) {
  add(coverage(1, kKenpo, "1", "2", "00", ymd(1972, 5, 1), ymd(2020, 4, 1)));
  index_.upsert_insurers(std::vector<core::Insurer>{
      {kKenpo, "新しい名前の健保", core::InsurerKind::kHealthInsuranceSociety, 13}});
  const auto a = index_.confirm(lookup(kKenpo, "1", "2", ymd(1972, 5, 1), ymd(2024, 6, 1)));
  ASSERT_TRUE(a.record);
  EXPECT_EQ(a.record->insurer_name(), "新しい名前の健保");
}

TEST_F(EligibilityIndexTest, KeysThatOnlyDifferInWhereTheSymbolEndsAreDistinct) {
  add(coverage(1, kKenpo, "1", "23", "00", ymd(1972, 5, 1), ymd(2020, 4, 1)));
  add(coverage(2, kKenpo, "12", "3", "00", ymd(1972, 5, 1), ymd(2020, 4, 1)));
  add(coverage(3, kKenpo, "", "123", "00", ymd(1972, 5, 1), ymd(2020, 4, 1)));
  add(coverage(4, kKyokai, "1", "23", "00", ymd(1972, 5, 1), ymd(2020, 4, 1)));
  const struct {
    std::string insurer, symbol, number;
    std::int64_t id;
  } cases[] = {{kKenpo, "1", "23", 1},
               {kKenpo, "12", "3", 2},
               {kKenpo, "", "123", 3},
               {kKyokai, "1", "23", 4}};
  for (const auto& c : cases) {
    const auto a =
        index_.confirm(lookup(c.insurer, c.symbol, c.number, ymd(1972, 5, 1), ymd(2024, 6, 1)));
    ASSERT_TRUE(a.record);
    EXPECT_EQ(a.record->id, c.id);
    EXPECT_EQ(index_.coverages_under(c.insurer, c.symbol, c.number).size(), 1u);
  }
}

TEST_F(EligibilityIndexTest, CoveragesUnderListsEveryBranchAndPeriod) {
  add(coverage(1, kKenpo, "A", "100", "00", ymd(1970, 1, 1), ymd(2000, 4, 1), ymd(2010, 4, 1)));
  add(coverage(2, kKenpo, "A", "100", "00", ymd(1970, 1, 1), ymd(2012, 4, 1)));
  add(coverage(3, kKenpo, "A", "100", "01", ymd(1972, 1, 1), ymd(2012, 4, 1)));
  add(coverage(4, kKenpo, "A", "1000", "00", ymd(1970, 1, 1), ymd(2012, 4, 1)));
  add(coverage(5, kKenpo, "B", "100", "00", ymd(1970, 1, 1), ymd(2012, 4, 1)));
  add(coverage(6, kKyokai, "A", "100", "00", ymd(1970, 1, 1), ymd(2012, 4, 1)));
  const auto under = index_.coverages_under(kKenpo, "A", "100");
  std::vector<std::int64_t> ids;
  for (const auto& c : under) ids.push_back(c.id);
  std::sort(ids.begin(), ids.end());
  EXPECT_EQ(ids, (std::vector<std::int64_t>{1, 2, 3}));
  EXPECT_TRUE(index_.coverages_under(kKenpo, "A", "10").empty());
  EXPECT_TRUE(index_.coverages_under(core::make_insurer_number("3913001"), "A", "100").empty());
  EXPECT_EQ(index_.coverage_count(), 6u);
}

// ---------------------------------------------------------------------------- replace by id

TEST_F(EligibilityIndexTest, ReplaceByIdMovesACoverageToAnotherKey) {
  add(coverage(5, kKenpo, "1", "100", "00", ymd(1972, 5, 1), ymd(2020, 4, 1)));
  add(coverage(6, kKenpo, "1", "100", "01", ymd(1975, 5, 1), ymd(2020, 4, 1)));
  // The insurer corrects a mistyped number.
  add(coverage(5, kKyokai, "9", "200", "02", ymd(1972, 5, 1), ymd(2020, 4, 1)));
  EXPECT_EQ(index_.coverage_count(), 2u);
  auto a = index_.confirm(lookup(kKenpo, "1", "100", ymd(1972, 5, 1), ymd(2024, 6, 1)));
  EXPECT_EQ(a.resolution.validity, Validity::kNoMatch);
  EXPECT_EQ(a.resolution.reason, ErrorCode::kEligibilityBirthDateMismatch);
  a = index_.confirm(lookup(kKyokai, "9", "200", ymd(1972, 5, 1), ymd(2024, 6, 1)));
  EXPECT_EQ(a.resolution.validity, Validity::kValid);
  ASSERT_TRUE(a.record);
  EXPECT_EQ(a.record->id, 5);
  EXPECT_EQ(a.record->branch(), "02");
  EXPECT_EQ(a.record->insurer_name(), "全国健康保険協会 北海道支部");
  // The member left behind is still there, alone.
  const auto left = index_.coverages_under(kKenpo, "1", "100");
  ASSERT_EQ(left.size(), 1u);
  EXPECT_EQ(left[0].id, 6);
}

TEST_F(EligibilityIndexTest, ReplaceByIdUpdatesInPlace) {
  add(coverage(1, kKenpo, "1", "100", "00", ymd(1972, 5, 1), ymd(2020, 4, 1)));
  Coverage lost =
      coverage(1, kKenpo, "1", "100", "00", ymd(1972, 5, 1), ymd(2020, 4, 1), ymd(2024, 4, 1));
  lost.name = kYoshi + "田 花子";
  add(lost);
  add(lost);  // idempotent
  EXPECT_EQ(index_.coverage_count(), 1u);
  EXPECT_EQ(index_.coverages_under(kKenpo, "1", "100").size(), 1u);
  const auto a = index_.confirm(lookup(kKenpo, "1", "100", ymd(1972, 5, 1), ymd(2024, 6, 1)));
  EXPECT_EQ(a.resolution.validity, Validity::kInvalid);
  EXPECT_EQ(a.resolution.reason, ErrorCode::kEligibilityLost);
  ASSERT_TRUE(a.record);
  EXPECT_EQ(a.record->name(), kYoshi + "田 花子");
  EXPECT_NE(a.reason_text.en.find("2024-04-01"), std::string::npos) << a.reason_text.en;
}

// --------------------------------------------------------------------- newer coverage link

TEST_F(EligibilityIndexTest, NewerCoverageAtAnotherInsurerViaPersonKey) {
  const std::string person(64, 'a');
  add(coverage(1, kKenpo, "1", "100", "00", ymd(1972, 5, 1), ymd(2010, 4, 1), ymd(2024, 4, 1),
               person));
  add(coverage(2, kKyokai, "7", "700", "00", ymd(1972, 5, 1), ymd(2024, 4, 1), {}, person));
  auto a = index_.confirm(lookup(kKenpo, "1", "100", ymd(1972, 5, 1), ymd(2024, 6, 1)));
  EXPECT_EQ(a.resolution.validity, Validity::kInvalidNewerExists);
  EXPECT_EQ(a.resolution.reason, ErrorCode::kEligibilityLostNewerExists);
  ASSERT_TRUE(a.record);
  EXPECT_EQ(a.record->id, 1) << "the old insurer's record, never the new insurer's";
  EXPECT_NE(a.reason_text.en.find("newer"), std::string::npos);
  // The new coverage itself is valid.
  a = index_.confirm(lookup(kKyokai, "7", "700", ymd(1972, 5, 1), ymd(2024, 6, 1)));
  EXPECT_EQ(a.resolution.validity, Validity::kValid);
}

TEST_F(EligibilityIndexTest, NoNewerCoverageWithoutTheSamePersonKey) {
  add(coverage(1, kKenpo, "1", "100", "00", ymd(1972, 5, 1), ymd(2010, 4, 1), ymd(2024, 4, 1),
               std::string(64, 'a')));
  add(coverage(2, kKyokai, "7", "700", "00", ymd(1972, 5, 1), ymd(2024, 4, 1), {},
               std::string(64, 'b')));
  add(coverage(3, kKokuho, "", "800", "00", ymd(1972, 5, 1), ymd(2024, 4, 1)));  // not linked
  const auto a = index_.confirm(lookup(kKenpo, "1", "100", ymd(1972, 5, 1), ymd(2024, 6, 1)));
  EXPECT_EQ(a.resolution.validity, Validity::kInvalid);
  EXPECT_EQ(a.resolution.reason, ErrorCode::kEligibilityLost);
}

TEST_F(EligibilityIndexTest, AnOlderCoverageOfThePersonIsNotNewer) {
  const std::string person(64, 'a');
  add(coverage(1, kKenpo, "1", "100", "00", ymd(1972, 5, 1), ymd(2010, 4, 1), ymd(2024, 4, 1),
               person));
  add(coverage(2, kKyokai, "7", "700", "00", ymd(1972, 5, 1), ymd(2000, 4, 1), ymd(2010, 4, 1),
               person));
  const auto a = index_.confirm(lookup(kKenpo, "1", "100", ymd(1972, 5, 1), ymd(2024, 6, 1)));
  EXPECT_EQ(a.resolution.validity, Validity::kInvalid);
}

TEST_F(EligibilityIndexTest, ReplacingThePersonKeyUnlinks) {
  const std::string person(64, 'a');
  add(coverage(1, kKenpo, "1", "100", "00", ymd(1972, 5, 1), ymd(2010, 4, 1), ymd(2024, 4, 1),
               person));
  add(coverage(2, kKyokai, "7", "700", "00", ymd(1972, 5, 1), ymd(2024, 4, 1), {}, person));
  // The link was wrong (誤登録): the insurer re-registers with the right person.
  add(coverage(2, kKyokai, "7", "700", "00", ymd(1972, 5, 1), ymd(2024, 4, 1), {},
               std::string(64, 'c')));
  auto a = index_.confirm(lookup(kKenpo, "1", "100", ymd(1972, 5, 1), ymd(2024, 6, 1)));
  EXPECT_EQ(a.resolution.validity, Validity::kInvalid);
  // ... and linking it back restores the answer.
  add(coverage(2, kKyokai, "7", "700", "00", ymd(1972, 5, 1), ymd(2024, 4, 1), {}, person));
  a = index_.confirm(lookup(kKenpo, "1", "100", ymd(1972, 5, 1), ymd(2024, 6, 1)));
  EXPECT_EQ(a.resolution.validity, Validity::kInvalidNewerExists);
}

TEST_F(EligibilityIndexTest, ExplainTextsAreFilledIn) {
  add(coverage(1, kKenpo, "1", "100", "00", ymd(1972, 5, 1), ymd(2025, 4, 1)));
  const auto a = index_.confirm(lookup(kKenpo, "1", "100", ymd(1972, 5, 1), ymd(2025, 3, 1)));
  EXPECT_EQ(a.resolution.reason, ErrorCode::kEligibilityNotYetStarted);
  EXPECT_NE(a.reason_text.en.find("2025-04-01"), std::string::npos);
  EXPECT_NE(a.reason_text.ja.find("2025-04-01"), std::string::npos);
  const auto v = index_.confirm(lookup(kKenpo, "1", "100", ymd(1972, 5, 1), ymd(2025, 4, 1)));
  EXPECT_EQ(v.resolution.validity, Validity::kValid);
  EXPECT_TRUE(v.reason_text.en.empty());
}

// ------------------------------------------------------------------------------- properties

// Retypes a key the way a front desk might: full-width digits, hyphens dropped or added.
std::string retype(const std::string& s, std::mt19937_64& rng) {
  std::string out;
  for (char ch : s) {
    if (static_cast<unsigned char>(ch) >= 0x80) {  // inside a multi-byte character
      out += ch;
      continue;
    }
    const auto r = rng() % 8;
    if (ch == '-' && r < 4) continue;  // drop the hyphen
    if (ch >= '0' && ch <= '9' && r == 0) {
      out += "\xEF\xBC";
      out += static_cast<char>(0x90 + (ch - '0'));  // U+FF10..U+FF19
      continue;
    }
    out += ch;
    if (r == 7) out += ' ';
  }
  return out;
}

TEST(EligibilityIndexProperty, EveryOneOf100kRandomCoveragesIsFound) {
  std::mt19937_64 rng(20240401);
  auto uniform = [&rng](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  std::vector<core::Insurer> ins;
  for (const char* body : {"0113001", "0613048", "3113005", "3913001", "13805", "27101"})
    ins.push_back({core::make_insurer_number(body), std::string("保険者") + body,
                   core::InsurerKind::kKyokaiKenpo, 13});
  const std::vector<std::string> symbol_forms = {"", "12-34", "ｱｲ-", "記号", "5", "千代田-"};
  constexpr int kCount = 100000;
  std::vector<Coverage> all;
  all.reserve(kCount);
  for (int i = 0; i < kCount; ++i) {
    const int family = i / 3;  // ~33k card keys with up to three members each
    Coverage c;
    c.id = i + 1;
    c.key.insurer_number = ins[static_cast<std::size_t>(family % ins.size())].number;
    const std::string& form = symbol_forms[static_cast<std::size_t>(family % symbol_forms.size())];
    c.key.symbol = form.empty() ? "" : form + std::to_string(family % 97);
    std::string number = std::to_string(1000000 + family);
    if (family % 4 == 0) number.insert(3, "-");
    c.key.number = number;
    c.key.branch = "0" + std::to_string(i % 3);
    c.relationship = i % 3 == 0 ? core::Relationship::kInsured : core::Relationship::kDependant;
    c.name = (i % 5 == 0 ? kYoshi : kTaka) + "田 " + std::to_string(i);
    c.name_kana = "ヨシダ";
    c.sex = i % 2 == 0 ? core::Sex::kMale : core::Sex::kFemale;
    c.birth_date = ymd(1930, 1, 1).add_days(uniform(0, 32000));
    c.acquired_on = c.birth_date.add_days(uniform(0, 8000));
    if (uniform(0, 3) == 0) {
      c.lost_on = c.acquired_on.add_days(uniform(1, 5000));
      c.loss_reason = LossReason::kOther;
    }
    c.copay_ratio = 1 + i % 3;
    if (i % 7 == 0)
      c.self_pay_limit =
          core::SelfPayLimitTerms{"A0" + std::to_string(1 + i % 6), c.acquired_on, {}};
    if (i % 11 == 0) c.person_key = std::string(64, static_cast<char>('a' + i % 6));
    all.push_back(std::move(c));
  }
  EligibilityIndex index;
  index.upsert_insurers(ins);
  const std::size_t empty_bytes = index.memory_bytes();
  std::size_t previous = empty_bytes;
  for (std::size_t from = 0; from < all.size(); from += 10000) {
    const std::size_t to = std::min(all.size(), from + 10000);
    index.upsert(std::span<const Coverage>(all.data() + from, to - from));
    EXPECT_GE(index.memory_bytes(), previous) << "memory never shrinks while adding";
    previous = index.memory_bytes();
  }
  ASSERT_EQ(index.coverage_count(), static_cast<std::size_t>(kCount));
  // Sensible size: at least the fixed part of a record, at most a few KiB per record.
  const double per_record =
      static_cast<double>(index.memory_bytes() - empty_bytes) / static_cast<double>(kCount);
  EXPECT_GT(per_record, 48.0);
  EXPECT_LT(per_record, 2048.0);
  RecordProperty("index_bytes_per_coverage", std::to_string(per_record));

  int failures = 0;
  for (const Coverage& c : all) {
    const auto a =
        index.confirm(lookup(c.key.insurer_number, retype(c.key.symbol, rng),
                             retype(c.key.number, rng), c.birth_date, c.acquired_on, c.key.branch));
    const bool ok = a.resolution.validity == Validity::kValid && a.record && a.record->id == c.id &&
                    a.record->name() == c.name && a.record->symbol() == c.key.symbol &&
                    a.record->number() == c.key.number && a.record->birth_date == c.birth_date &&
                    a.record->lost_on == c.lost_on && a.record->copay_ratio == c.copay_ratio &&
                    a.record->my_number_linked == !c.person_key.empty() &&
                    a.record->self_pay_limit.has_value() == c.self_pay_limit.has_value();
    if (!ok && ++failures <= 5) {
      ADD_FAILURE() << "coverage " << c.id << " not found as registered (validity "
                    << static_cast<int>(a.resolution.validity) << ")";
    }
  }
  EXPECT_EQ(failures, 0);
  // Full field-by-field comparison on a sample.
  for (std::size_t i = 0; i < all.size(); i += 997) {
    const Coverage& c = all[i];
    const auto under = index.coverages_under(c.key.insurer_number, core::match_key(c.key.symbol),
                                             core::match_key(c.key.number));
    const Coverage* found = nullptr;
    for (const auto& u : under)
      if (u.id == c.id) found = &u;
    ASSERT_NE(found, nullptr) << c.id;
    expect_same(c, *found);
  }
}

TEST(EligibilityIndexProperty, MemoryGrowsWithTheRecordsNotWithReplacements) {
  EligibilityIndex index;
  index.upsert_insurers(insurers());
  std::vector<Coverage> batch;
  for (int i = 1; i <= 2000; ++i)
    batch.push_back(
        coverage(i, kKenpo, "", std::to_string(i), "00", ymd(1972, 5, 1), ymd(2020, 4, 1)));
  index.upsert(batch);
  const std::size_t after_insert = index.memory_bytes();
  EXPECT_GT(after_insert, 2000u * 48u);
  // Replacing the same ids keeps the count; the arena may grow (old blobs stay until rebuild)
  // but not beyond one more copy of the text.
  index.upsert(batch);
  EXPECT_EQ(index.coverage_count(), 2000u);
  EXPECT_LT(index.memory_bytes(), after_insert * 3);
}

TEST(EligibilityIndexConcurrency, ReadersSeeWholeRecordsWhileAWriterReplaces) {
  EligibilityIndex index;
  index.upsert_insurers(insurers());
  std::vector<Coverage> batch;
  for (int i = 1; i <= 200; ++i)
    batch.push_back(
        coverage(i, kKenpo, "S", std::to_string(5000 + i), "00", ymd(1972, 5, 1), ymd(2020, 4, 1)));
  index.upsert(batch);
  std::atomic<bool> stop{false};
  std::atomic<int> bad{0};
  std::thread writer([&] {
    for (int round = 0; round < 200 && !stop; ++round) {
      for (auto& c : batch) c.name = (round % 2 ? kYoshi : kTaka) + "田 " + std::to_string(round);
      index.upsert(batch);
    }
    stop = true;
  });
  std::thread reader([&] {
    while (!stop) {
      for (int i = 1; i <= 200; i += 7) {
        const auto a = index.confirm(
            lookup(kKenpo, "S", std::to_string(5000 + i), ymd(1972, 5, 1), ymd(2024, 6, 1)));
        if (a.resolution.validity != Validity::kValid || !a.record || a.record->id != i ||
            !core::is_valid_utf8(a.record->name()))
          ++bad;
      }
    }
  });
  writer.join();
  reader.join();
  EXPECT_EQ(bad.load(), 0);
}

}  // namespace
}  // namespace onshi::index
