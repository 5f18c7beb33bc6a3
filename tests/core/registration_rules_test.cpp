// The registration rules of docs/eligibility-rules.md (R-M*, R-S*, R-A*, R-C*), one test per
// rule over whole cards, then properties over random event sequences: no event ever leaves a
// member with two persons in it, overlapping periods or a birth after an acquisition, a refusal
// changes nothing, and a re-send in any typing means the same.
#include <gtest/gtest.h>

#include <map>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "core/identifiers.hpp"
#include "core/registration.hpp"
#include "core/text_normalise.hpp"

namespace onshi::core {
namespace {

using F = RegistrationField;
const std::string kInsurer = make_insurer_number("0613048");

Date ymd(int y, int m, int d) {
  return Date::from_ymd(y, m, d);
}

using Cells = std::map<F, std::string>;

RegistrationEvent event(const Cells& cells, const std::string& person_key = "") {
  RegistrationRow row;
  row.line = 2;
  row[F::kInsurerNumber] = kInsurer;
  row[F::kNumber] = "1001";
  for (const auto& [f, v] : cells) row[f] = v;
  auto ev = validate_registration(row);
  if (!ev) ADD_FAILURE() << ev.error().detail;
  RegistrationEvent out = ev ? ev.value() : RegistrationEvent{};
  out.values.person_key = person_key;  // what the registry puts in place of the My Number
  return out;
}

RegistrationEvent acquire(const std::string& branch, const std::string& birth,
                          const std::string& acquired, const std::string& lost = "",
                          const std::string& person_key = "",
                          const std::string& name = "山田 太郎") {
  Cells c{{F::kEvent, "acquire"},    {F::kBranch, branch}, {F::kRelationship, "1"},
          {F::kName, name},          {F::kSex, "1"},       {F::kBirthDate, birth},
          {F::kAcquiredOn, acquired}};
  if (!lost.empty()) {
    c[F::kLostOn] = lost;
    c[F::kLossReason] = "03";
  }
  return event(c, person_key);
}

RegistrationEvent change(const std::string& branch, Cells cells, const std::string& key = "") {
  cells[F::kEvent] = "change";
  cells[F::kBranch] = branch;
  return event(cells, key);
}

RegistrationEvent lose(const std::string& branch, const std::string& lost,
                       const std::string& acquired = "") {
  Cells c{{F::kEvent, "lose"}, {F::kBranch, branch}, {F::kLostOn, lost}, {F::kLossReason, "99"}};
  if (!acquired.empty()) c[F::kAcquiredOn] = acquired;
  return event(c);
}

// Applies and returns the error code (or nullopt), checking that a refusal changed nothing.
std::optional<ErrorCode> try_apply(std::vector<Coverage>& card, const RegistrationEvent& ev) {
  const std::vector<Coverage> before = card;
  auto r = apply_registration(card, ev);
  if (r) return std::nullopt;
  EXPECT_EQ(card.size(), before.size());
  for (std::size_t i = 0; i < card.size() && i < before.size(); ++i) {
    EXPECT_EQ(card[i].birth_date, before[i].birth_date);
    EXPECT_EQ(card[i].lost_on, before[i].lost_on);
    EXPECT_EQ(card[i].person_key, before[i].person_key);
    EXPECT_EQ(card[i].address, before[i].address);
  }
  return r.error().code;
}

TEST(RegistrationRules, RuleA1AcquireCreatesTheMember) {
  std::vector<Coverage> card;
  EXPECT_EQ(try_apply(card, acquire("", "1970-01-01", "2010-04-01")), std::nullopt);
  ASSERT_EQ(card.size(), 1u);
  EXPECT_EQ(card[0].key.branch, "00");  // R-M1: no branch is branch 00
}

TEST(RegistrationRules, RuleA2AnotherPersonUnderTheBranchIsRefused) {
  std::vector<Coverage> card;
  try_apply(card, acquire("", "1970-01-01", "2020-04-01"));
  EXPECT_EQ(try_apply(card, acquire("", "1972-02-02", "2020-04-01")),
            ErrorCode::kRowPersonConflict);
  EXPECT_EQ(try_apply(card, acquire("", "1972-02-02", "2030-04-01")),
            ErrorCode::kRowPersonConflict);
  // Under its own branch the same row is fine.
  EXPECT_EQ(try_apply(card, acquire("01", "1972-02-02", "2020-04-01")), std::nullopt);
  // Another My Number under the same branch is another person too.
  std::vector<Coverage> linked;
  try_apply(linked, acquire("00", "1970-01-01", "2010-04-01", "2015-04-01", "K1"));
  EXPECT_EQ(try_apply(linked, acquire("00", "1970-01-01", "2016-04-01", "", "K2")),
            ErrorCode::kRowPersonConflict);
}

TEST(RegistrationRules, RuleA3ARegisteredPeriodIsNotReapplied) {
  std::vector<Coverage> card;
  try_apply(card, acquire("00", "1970-01-01", "2010-04-01"));
  try_apply(card, change("00", {{F::kAddress, "住所B"}}));
  EXPECT_EQ(try_apply(card, acquire("00", "1970-01-01", "2010-04-01", "", "", "山田 次郎")),
            ErrorCode::kRowPeriodAlreadyRegistered);
  EXPECT_EQ(card[0].address, "住所B");
}

TEST(RegistrationRules, RuleA4OverlapsAreRefusedTouchingIsNot) {
  std::vector<Coverage> card;
  try_apply(card, acquire("00", "1970-01-01", "2010-04-01", "2022-04-01"));
  EXPECT_EQ(try_apply(card, acquire("00", "1970-01-01", "2015-04-01", "2018-04-01")),
            ErrorCode::kRowPeriodOverlap);
  EXPECT_EQ(try_apply(card, acquire("00", "1970-01-01", "2000-04-01")),
            ErrorCode::kRowPeriodOverlap);
  EXPECT_EQ(try_apply(card, acquire("00", "1970-01-01", "2000-04-01", "2010-04-02")),
            ErrorCode::kRowPeriodOverlap);
  EXPECT_EQ(try_apply(card, acquire("00", "1970-01-01", "2000-04-01", "2010-04-01")), std::nullopt);
  EXPECT_EQ(try_apply(card, acquire("00", "1970-01-01", "2022-04-01")), std::nullopt);
  // An open period overlaps everything after it.
  EXPECT_EQ(try_apply(card, acquire("00", "1970-01-01", "2030-04-01")),
            ErrorCode::kRowPeriodOverlap);
}

TEST(RegistrationRules, RuleA5ANewPeriodTakesTheMembersLink) {
  std::vector<Coverage> card;
  try_apply(card, acquire("00", "1970-01-01", "2010-04-01", "2015-04-01"));
  try_apply(card, acquire("00", "1970-01-01", "2016-04-01", "", "K1"));
  ASSERT_EQ(card.size(), 2u);
  EXPECT_EQ(card[0].person_key, "K1") << "a link given later reaches every period";
  try_apply(card, lose("00", "2020-04-01"));
  try_apply(card, acquire("00", "1970-01-01", "2021-04-01"));
  EXPECT_EQ(card[2].person_key, "K1");
}

TEST(RegistrationRules, RuleA7RowChecks) {
  RegistrationRow row;
  row[F::kEvent] = "acquire";
  row[F::kInsurerNumber] = kInsurer;
  row[F::kNumber] = "1";
  row[F::kRelationship] = "1";
  row[F::kName] = "x";
  row[F::kSex] = "1";
  row[F::kBirthDate] = "2010-04-02";
  row[F::kAcquiredOn] = "2010-04-01";
  ASSERT_FALSE(validate_registration(row));
  EXPECT_EQ(validate_registration(row).error().code, ErrorCode::kRowDatesInconsistent);
}

TEST(RegistrationRules, RuleC1TargetsTheNamedOrTheLatestPeriod) {
  std::vector<Coverage> card;
  try_apply(card, acquire("00", "1970-01-01", "2010-04-01", "2015-04-01"));
  try_apply(card, acquire("00", "1970-01-01", "2016-04-01"));
  try_apply(card, change("00", {{F::kAddress, "latest"}}));
  EXPECT_EQ(card[1].address, "latest");
  try_apply(card, change("00", {{F::kAddress, "named"}, {F::kAcquiredOn, "2010-04-01"}}));
  EXPECT_EQ(card[0].address, "named");
  EXPECT_EQ(try_apply(card, change("00", {{F::kAddress, "x"}, {F::kAcquiredOn, "2011-04-01"}})),
            ErrorCode::kRowCoverageNotFound);
  EXPECT_EQ(try_apply(card, change("05", {{F::kAddress, "x"}})), ErrorCode::kRowCoverageNotFound);
}

TEST(RegistrationRules, RuleC2ChangeTouchesOnlyItsFieldsOnItsPeriod) {
  std::vector<Coverage> card;
  try_apply(card, acquire("00", "1970-01-01", "2010-04-01", "2015-04-01"));
  try_apply(card, acquire("00", "1970-01-01", "2016-04-01"));
  try_apply(card, change("00", {{F::kName, "佐藤 太郎"}, {F::kCopayRatio, "2"}}));
  EXPECT_EQ(card[1].name, "佐藤 太郎");
  EXPECT_EQ(card[1].copay_ratio, 2);
  EXPECT_EQ(card[0].name, "山田 太郎") << "the name is a period field";
  EXPECT_EQ(card[0].copay_ratio, 3);
}

TEST(RegistrationRules, RuleC3PersonFieldsReachEveryPeriod) {
  std::vector<Coverage> card;
  try_apply(card, acquire("00", "1970-01-01", "2010-04-01", "2015-04-01"));
  try_apply(card, acquire("00", "1970-01-01", "2016-04-01"));
  try_apply(card, acquire("01", "1990-01-01", "2016-04-01"));
  try_apply(card, change("00", {{F::kBirthDate, "1970-01-10"}}));
  EXPECT_EQ(card[0].birth_date, ymd(1970, 1, 10));
  EXPECT_EQ(card[1].birth_date, ymd(1970, 1, 10));
  EXPECT_EQ(card[2].birth_date, ymd(1990, 1, 1)) << "another member is another person";
  try_apply(card, change("00", {{F::kAddress, "x"}}, "K9"));
  EXPECT_EQ(card[0].person_key, "K9");
  EXPECT_EQ(card[1].person_key, "K9");
  EXPECT_EQ(card[2].person_key, "");
}

TEST(RegistrationRules, RuleC4NoBirthAfterAnAcquisition) {
  std::vector<Coverage> card;
  try_apply(card, acquire("00", "1970-01-01", "2010-04-01", "2015-04-01"));
  try_apply(card, acquire("00", "1970-01-01", "2016-04-01"));
  // After the first period's acquisition, although before the targeted one's.
  EXPECT_EQ(try_apply(card, change("00", {{F::kBirthDate, "2012-01-01"}})),
            ErrorCode::kRowDatesInconsistent);
  EXPECT_EQ(try_apply(card, change("00", {{F::kBirthDate, "2010-04-01"}})), std::nullopt);
}

TEST(RegistrationRules, RuleC5LossDatesAreChecked) {
  std::vector<Coverage> card;
  try_apply(card, acquire("00", "1970-01-01", "2010-04-01", "2015-04-01"));
  try_apply(card, acquire("00", "1970-01-01", "2016-04-01"));
  EXPECT_EQ(try_apply(card, lose("00", "2016-03-31")), ErrorCode::kRowDatesInconsistent);
  EXPECT_EQ(try_apply(card, lose("00", "2016-04-02", "2010-04-01")), ErrorCode::kRowPeriodOverlap);
  EXPECT_EQ(
      try_apply(card, change("00", {{F::kLostOn, "2017-01-01"}, {F::kAcquiredOn, "2010-04-01"}})),
      ErrorCode::kRowPeriodOverlap);
  EXPECT_EQ(try_apply(card, lose("00", "2016-04-01", "2010-04-01")), std::nullopt);
  EXPECT_EQ(try_apply(card, lose("00", "2016-04-01")), std::nullopt);  // lost on its first day
}

TEST(RegistrationRules, RuleS2MeaningIgnoresTypingAndSpelledOutDefaults) {
  auto fp = [](Cells c) { return registration_fingerprint_text(event(c)); };
  const Cells base{
      {F::kEvent, "acquire"},        {F::kSymbol, "ｱｲ-12"},          {F::kBranch, "00"},
      {F::kRelationship, "1"},       {F::kName, "山田 太郎"},        {F::kSex, "1"},
      {F::kBirthDate, "1970-01-01"}, {F::kAcquiredOn, "2010-04-01"}, {F::kCopayRatio, "3"}};
  Cells typed = base;
  typed.erase(F::kBranch);
  typed.erase(F::kCopayRatio);
  typed[F::kSymbol] = "アイ １２";
  typed[F::kName] = "山田　太郎";
  typed[F::kBirthDate] = "S45.1.1";
  typed[F::kAcquiredOn] = "平成22年4月1日";
  EXPECT_EQ(fp(base), fp(typed));
  Cells other = base;
  other[F::kCopayRatio] = "2";
  EXPECT_NE(fp(base), fp(other));
  // A change means which fields it sets: the same value under another field differs.
  EXPECT_NE(fp({{F::kEvent, "change"}, {F::kAddress, "A"}}),
            fp({{F::kEvent, "change"}, {F::kInsuredName, "A"}}));
  EXPECT_EQ(fp({{F::kEvent, "change"}, {F::kAddress, "A"}}),
            fp({{F::kEvent, "change"}, {F::kAddress, "A"}, {F::kBranch, "0"}}));
  // A lose means its date and reason; other cells are ignored (R-S2).
  EXPECT_EQ(fp({{F::kEvent, "lose"}, {F::kLostOn, "2020-01-01"}, {F::kLossReason, "3"}}),
            fp({{F::kEvent, "lose"},
                {F::kLostOn, "20200101"},
                {F::kLossReason, "03"},
                {F::kAddress, "x"}}));
}

// ------------------------------------------------------------------------------- properties

// Checks the invariants every card must keep (R-M2, R-A4, R-C4).
void expect_invariants(const std::vector<Coverage>& card, const std::string& trace) {
  std::map<std::string, std::vector<const Coverage*>> members;
  for (const auto& c : card) members[c.key.branch].push_back(&c);
  for (const auto& [branch, periods] : members) {
    for (const Coverage* a : periods) {
      EXPECT_EQ(a->birth_date, periods[0]->birth_date) << trace;
      EXPECT_EQ(a->person_key, periods[0]->person_key) << trace;
      EXPECT_LE(a->birth_date, a->acquired_on) << trace;
      for (const Coverage* b : periods) {
        if (a == b || a->lost_on == a->acquired_on || b->lost_on == b->acquired_on) continue;
        const bool overlap = (!b->lost_on.valid() || a->acquired_on < b->lost_on) &&
                             (!a->lost_on.valid() || b->acquired_on < a->lost_on);
        EXPECT_FALSE(overlap) << trace << " branch " << branch;
      }
    }
  }
}

TEST(RegistrationRulesProperty, NoSequenceBreaksAMemberAndRefusalsChangeNothing) {
  std::mt19937_64 rng(42);
  auto pick = [&](int n) { return static_cast<int>(rng() % static_cast<std::uint64_t>(n)); };
  const std::vector<std::string> branches = {"", "00", "01", "02"};
  // The last birth date is only sent by changes: after some acquisitions, so R-C4 must refuse.
  const std::vector<std::string> births = {"1970-01-01", "1972-02-02", "1999-06-06", "2012-06-06"};
  const std::vector<std::string> keys = {"", "", "K1", "K2"};
  auto date = [&](int year_from) {
    return std::to_string(year_from + pick(20)) + "-0" + std::to_string(1 + pick(9)) + "-01";
  };
  int applied = 0, refused = 0;
  for (int history = 0; history < 2000; ++history) {
    std::vector<Coverage> card;
    std::string trace = "history " + std::to_string(history) + ":";
    for (int step = 0; step < 12; ++step) {
      const std::string& branch = branches[pick(4)];
      RegistrationEvent ev;
      switch (pick(4)) {
        case 0:
        case 1: {
          const std::string acquired = date(2000);
          const std::string lost = pick(2) ? "" : std::to_string(2021 + pick(10)) + "-04-01";
          ev = acquire(branch, births[pick(3)], acquired, lost, keys[pick(4)]);
          trace += " acquire " + branch + "/" + acquired + "-" + lost;
          break;
        }
        case 2:
          ev = pick(2) ? change(branch, {{F::kBirthDate, births[pick(4)]}})
                       : change(branch, {{F::kAddress, "x"}}, keys[pick(4)]);
          trace += " change " + branch;
          break;
        default: {
          const std::string lost = date(2005);
          ev = lose(branch, lost);
          trace += " lose " + branch + "/" + lost;
          break;
        }
      }
      if (ev.values.key.number.empty()) continue;  // a date outside the calendar: skipped
      (try_apply(card, ev) ? refused : applied) += 1;
      expect_invariants(card, trace);
      if (::testing::Test::HasFailure()) return;
    }
  }
  EXPECT_GT(applied, 5000);
  EXPECT_GT(refused, 5000);
}

}  // namespace
}  // namespace onshi::core
