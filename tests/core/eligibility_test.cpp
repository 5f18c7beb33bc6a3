// As-of-date eligibility resolution (資格確認): validity codes 1-5, the reason for every answer
// that is not "valid", date boundaries, and a property test over random coverage histories.
#include "core/eligibility.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "core/error_catalogue.hpp"

namespace onshi::core {
namespace {

Date ymd(int y, int m, int d) {
  return Date::from_ymd(y, m, d);
}

const Date kBirth = ymd(1972, 5, 1);
const Date kTwinsBirth = ymd(2015, 8, 8);

CoverageFacts fact(std::string_view branch, Date birth, Date acquired, Date lost = {},
                   LossReason reason = LossReason::kNone, bool linked_in_force = false) {
  CoverageFacts f;
  f.branch = branch;
  f.birth_date = birth;
  f.acquired_on = acquired;
  f.lost_on = lost;
  f.loss_reason = reason;
  f.linked_in_force = linked_in_force;
  return f;
}

EligibilityQuery query(Date birth, Date as_of, std::optional<std::string> branch = std::nullopt) {
  EligibilityQuery q;
  q.branch = std::move(branch);
  q.birth_date = birth;
  q.as_of = as_of;
  return q;
}

Resolution resolve(const EligibilityQuery& q, const std::vector<CoverageFacts>& all,
                   bool insurer_known = true) {
  return resolve_eligibility(q, all, insurer_known);
}

// A family under one card number: the member (00), the spouse (01), twins (02, 03).
std::vector<CoverageFacts> family() {
  return {
      fact("00", kBirth, ymd(2010, 4, 1)),
      fact("01", ymd(1974, 2, 3), ymd(2010, 4, 1)),
      fact("02", kTwinsBirth, kTwinsBirth),
      fact("03", kTwinsBirth, kTwinsBirth),
  };
}

// ---------------------------------------------------------------------------- validity codes

TEST(EligibilityResolve, ValidityCodesMatchTheRealSystem) {
  EXPECT_EQ(static_cast<int>(Validity::kValid), 1);
  EXPECT_EQ(static_cast<int>(Validity::kInvalid), 2);
  EXPECT_EQ(static_cast<int>(Validity::kInvalidNewerExists), 3);
  EXPECT_EQ(static_cast<int>(Validity::kNoMatch), 4);
  EXPECT_EQ(static_cast<int>(Validity::kSeveralMatch), 5);
  EXPECT_EQ(to_string(Validity::kValid), "valid");
  EXPECT_EQ(to_string(Validity::kInvalid), "invalid");
  EXPECT_EQ(to_string(Validity::kInvalidNewerExists), "invalid_newer_coverage_exists");
  EXPECT_EQ(to_string(Validity::kNoMatch), "no_matching_coverage");
  EXPECT_EQ(to_string(Validity::kSeveralMatch), "several_match");
}

TEST(EligibilityResolve, ValidCoverage) {
  const auto r = resolve(query(kBirth, ymd(2024, 6, 1)), family());
  EXPECT_EQ(r.validity, Validity::kValid);
  ASSERT_TRUE(r.chosen);
  EXPECT_EQ(*r.chosen, 0u);
  EXPECT_FALSE(r.reason);
}

TEST(EligibilityResolve, ValidByBranchAndBirthDate) {
  const auto r = resolve(query(ymd(1974, 2, 3), ymd(2024, 6, 1), "01"), family());
  EXPECT_EQ(r.validity, Validity::kValid);
  ASSERT_TRUE(r.chosen);
  EXPECT_EQ(*r.chosen, 1u);
}

TEST(EligibilityResolve, NoCoverageInsurerKnown) {
  const auto r = resolve(query(kBirth, ymd(2024, 6, 1)), {}, true);
  EXPECT_EQ(r.validity, Validity::kNoMatch);
  EXPECT_FALSE(r.chosen);
  EXPECT_EQ(r.reason, ErrorCode::kEligibilityNoCoverageForNumber);
}

TEST(EligibilityResolve, NoCoverageInsurerUnknown) {
  const auto r = resolve(query(kBirth, ymd(2024, 6, 1)), {}, false);
  EXPECT_EQ(r.validity, Validity::kNoMatch);
  EXPECT_FALSE(r.chosen);
  EXPECT_EQ(r.reason, ErrorCode::kEligibilityInsurerUnknown);
}

TEST(EligibilityResolve, BranchNotFound) {
  const auto r = resolve(query(kBirth, ymd(2024, 6, 1), "07"), family());
  EXPECT_EQ(r.validity, Validity::kNoMatch);
  EXPECT_FALSE(r.chosen);
  EXPECT_EQ(r.reason, ErrorCode::kEligibilityBranchNotFound);
}

TEST(EligibilityResolve, BirthDateMismatch) {
  // With a branch: the member exists but was born on another day.
  auto r = resolve(query(ymd(1972, 5, 2), ymd(2024, 6, 1), "00"), family());
  EXPECT_EQ(r.validity, Validity::kNoMatch);
  EXPECT_FALSE(r.chosen);
  EXPECT_EQ(r.reason, ErrorCode::kEligibilityBirthDateMismatch);
  // Without a branch: nobody under the number was born that day.
  r = resolve(query(ymd(1999, 1, 1), ymd(2024, 6, 1)), family());
  EXPECT_EQ(r.validity, Validity::kNoMatch);
  EXPECT_EQ(r.reason, ErrorCode::kEligibilityBirthDateMismatch);
  // A birth date of another member with the wrong branch is still a mismatch.
  r = resolve(query(kBirth, ymd(2024, 6, 1), "01"), family());
  EXPECT_EQ(r.reason, ErrorCode::kEligibilityBirthDateMismatch);
}

TEST(EligibilityResolve, TwinsWithoutBranchAreSeveralMatch) {
  const auto r = resolve(query(kTwinsBirth, ymd(2024, 6, 1)), family());
  EXPECT_EQ(r.validity, Validity::kSeveralMatch);
  EXPECT_FALSE(r.chosen) << "no record may be returned when it is unclear whose it is";
  EXPECT_EQ(r.reason, ErrorCode::kEligibilitySeveralMatch);
}

TEST(EligibilityResolve, TwinsWithBranchAreValid) {
  for (const char* branch : {"02", "03"}) {
    SCOPED_TRACE(branch);
    const auto r = resolve(query(kTwinsBirth, ymd(2024, 6, 1), branch), family());
    EXPECT_EQ(r.validity, Validity::kValid);
    ASSERT_TRUE(r.chosen);
    EXPECT_EQ(family()[*r.chosen].branch, branch);
  }
}

TEST(EligibilityResolve, SeveralPeriodsOfOnePersonAreNotSeveralMatch) {
  const std::vector<CoverageFacts> all = {
      fact("00", kBirth, ymd(2001, 4, 1), ymd(2005, 4, 1), LossReason::kOther),
      fact("00", kBirth, ymd(2010, 4, 1)),
  };
  const auto r = resolve(query(kBirth, ymd(2024, 6, 1)), all);
  EXPECT_EQ(r.validity, Validity::kValid);
  EXPECT_EQ(r.chosen, 1u);
}

TEST(EligibilityResolve, Lost) {
  const std::vector<CoverageFacts> all = {
      fact("00", kBirth, ymd(2010, 4, 1), ymd(2024, 4, 1), LossReason::kOtherInsurance)};
  const auto r = resolve(query(kBirth, ymd(2024, 6, 1)), all);
  EXPECT_EQ(r.validity, Validity::kInvalid);
  EXPECT_EQ(r.chosen, 0u) << "the lost record is returned so the desk sees the loss date";
  EXPECT_EQ(r.reason, ErrorCode::kEligibilityLost);
}

TEST(EligibilityResolve, LostWithNewerCoverageFlag) {
  const std::vector<CoverageFacts> all = {fact("00", kBirth, ymd(2010, 4, 1), ymd(2024, 4, 1),
                                               LossReason::kOtherInsurance, /*newer=*/true)};
  const auto r = resolve(query(kBirth, ymd(2024, 6, 1)), all);
  EXPECT_EQ(r.validity, Validity::kInvalidNewerExists);
  EXPECT_EQ(r.chosen, 0u);
  EXPECT_EQ(r.reason, ErrorCode::kEligibilityLostNewerExists);
}

TEST(EligibilityResolve, RuleQ6ALaterPeriodNotYetStartedIsNotNewer) {
  // Left on 2024-04-01, re-joins on 2024-07-01; asked in between: uninsured that day (R-Q6).
  const std::vector<CoverageFacts> all = {
      fact("00", kBirth, ymd(2024, 7, 1)),
      fact("00", kBirth, ymd(2010, 4, 1), ymd(2024, 4, 1), LossReason::kOther),
  };
  const auto r = resolve(query(kBirth, ymd(2024, 6, 1)), all);
  EXPECT_EQ(r.validity, Validity::kInvalid);
  EXPECT_EQ(r.chosen, 1u);
  EXPECT_EQ(r.reason, ErrorCode::kEligibilityLost);
  // Once the later period has started, it is the answer.
  const auto later = resolve(query(kBirth, ymd(2024, 7, 1)), all);
  EXPECT_EQ(later.validity, Validity::kValid);
  EXPECT_EQ(later.chosen, 0u);
}

TEST(EligibilityResolve, AnotherMembersLaterPeriodIsNotNewerForThisOne) {
  const std::vector<CoverageFacts> all = {
      fact("00", kBirth, ymd(2010, 4, 1), ymd(2024, 4, 1), LossReason::kDeath),
      fact("01", ymd(1974, 2, 3), ymd(2030, 1, 1)),
  };
  const auto r = resolve(query(kBirth, ymd(2024, 6, 1)), all);
  EXPECT_EQ(r.validity, Validity::kInvalid);
  EXPECT_EQ(r.reason, ErrorCode::kEligibilityLost);
}

TEST(EligibilityResolve, LatestLostPeriodIsChosen) {
  const std::vector<CoverageFacts> all = {
      fact("00", kBirth, ymd(2001, 4, 1), ymd(2005, 4, 1), LossReason::kOther),
      fact("00", kBirth, ymd(2012, 4, 1), ymd(2020, 4, 1), LossReason::kPublicAssistance),
      fact("00", kBirth, ymd(2006, 4, 1), ymd(2010, 4, 1), LossReason::kOther),
  };
  const auto r = resolve(query(kBirth, ymd(2024, 6, 1)), all);
  EXPECT_EQ(r.validity, Validity::kInvalid);
  EXPECT_EQ(r.chosen, 1u);
}

TEST(EligibilityResolve, NotYetStarted) {
  const std::vector<CoverageFacts> all = {
      fact("00", kBirth, ymd(2025, 4, 1), ymd(2026, 4, 1), LossReason::kOther),
      fact("00", kBirth, ymd(2024, 10, 1), ymd(2025, 4, 1), LossReason::kOther),
  };
  const auto r = resolve(query(kBirth, ymd(2024, 6, 1)), all);
  EXPECT_EQ(r.validity, Validity::kInvalid);
  EXPECT_EQ(r.chosen, 1u) << "the earliest future period";
  EXPECT_EQ(r.reason, ErrorCode::kEligibilityNotYetStarted);
}

// --------------------------------------------------------------------------- date boundaries

TEST(EligibilityResolve, AcquisitionDayIsCovered) {
  const std::vector<CoverageFacts> all = {fact("00", kBirth, ymd(2024, 4, 1))};
  EXPECT_EQ(resolve(query(kBirth, ymd(2024, 4, 1)), all).validity, Validity::kValid);
  const auto before = resolve(query(kBirth, ymd(2024, 3, 31)), all);
  EXPECT_EQ(before.validity, Validity::kInvalid);
  EXPECT_EQ(before.reason, ErrorCode::kEligibilityNotYetStarted);
}

TEST(EligibilityResolve, LossDayIsNotCoveredTheDayBeforeIs) {
  const std::vector<CoverageFacts> all = {
      fact("00", kBirth, ymd(2010, 4, 1), ymd(2024, 4, 1), LossReason::kOtherInsurance)};
  EXPECT_EQ(resolve(query(kBirth, ymd(2024, 3, 31)), all).validity, Validity::kValid);
  const auto on = resolve(query(kBirth, ymd(2024, 4, 1)), all);
  EXPECT_EQ(on.validity, Validity::kInvalid);
  EXPECT_EQ(on.reason, ErrorCode::kEligibilityLost);
}

TEST(EligibilityResolve, AdjacentPeriodsHandOverOnTheLossDay) {
  const std::vector<CoverageFacts> all = {
      fact("00", kBirth, ymd(2010, 4, 1), ymd(2024, 4, 1), LossReason::kOther),
      fact("00", kBirth, ymd(2024, 4, 1)),
  };
  auto r = resolve(query(kBirth, ymd(2024, 3, 31)), all);
  EXPECT_EQ(r.validity, Validity::kValid);
  EXPECT_EQ(r.chosen, 0u);
  r = resolve(query(kBirth, ymd(2024, 4, 1)), all);
  EXPECT_EQ(r.validity, Validity::kValid);
  EXPECT_EQ(r.chosen, 1u);
}

TEST(EligibilityResolve, LostOnTheAcquisitionDayNeverCovers) {
  const std::vector<CoverageFacts> all = {
      fact("00", kBirth, ymd(2024, 4, 1), ymd(2024, 4, 1), LossReason::kOther)};
  for (Date d : {ymd(2024, 3, 31), ymd(2024, 4, 1), ymd(2024, 4, 2)})
    EXPECT_NE(resolve(query(kBirth, d), all).validity, Validity::kValid) << d.iso();
}

// ------------------------------------------------------------------------------ property test

struct Period {
  Date acquired;
  Date lost;  // invalid = open
};

// Thousands of random histories of one person (non-overlapping periods, possibly adjacent,
// the last possibly open) shuffled among other members' records, asked on random days with
// extra weight on the boundary days.
TEST(EligibilityResolveProperty, ValidExactlyWhenAPeriodContainsTheDay) {
  const std::vector<std::string> branches = {"00", "01", "02", "03", "04"};
  std::array<int, 6> outcomes{};  // by validity code, to show the generator reaches every case
  int not_started = 0;
  for (const std::uint64_t seed : {1ULL, 20240401ULL, 0x5eedULL, 987654321ULL}) {
    std::mt19937_64 rng(seed);
    auto uniform = [&rng](int lo, int hi) {
      return std::uniform_int_distribution<int>(lo, hi)(rng);
    };
    for (int iter = 0; iter < 5000; ++iter) {
      SCOPED_TRACE("seed " + std::to_string(seed) + " iteration " + std::to_string(iter));
      const Date birth = ymd(1930, 1, 1).add_days(uniform(0, 30000));
      const std::string& branch = branches[static_cast<std::size_t>(uniform(0, 4))];
      // The person's periods.
      std::vector<Period> periods;
      Date cursor = birth.add_days(uniform(0, 5000));
      const int count = uniform(1, 6);
      for (int i = 0; i < count; ++i) {
        const Date acquired = cursor.add_days(uniform(0, 1) == 0 ? 0 : uniform(1, 800));
        const bool open = i == count - 1 && uniform(0, 1) == 0;
        const Date lost = open ? Date{} : acquired.add_days(uniform(0, 3000));
        periods.push_back({acquired, lost});
        cursor = lost;
      }
      std::vector<CoverageFacts> all;
      std::vector<int> owner;  // index into periods, or -1 for someone else's record
      for (std::size_t i = 0; i < periods.size(); ++i) {
        all.push_back(fact(branch, birth, periods[i].acquired, periods[i].lost,
                           periods[i].lost.valid() ? LossReason::kOther : LossReason::kNone));
        owner.push_back(static_cast<int>(i));
      }
      // Other members: another branch and another birth date, so never "several match".
      const int others = uniform(0, 3);
      for (int i = 0; i < others; ++i) {
        std::string_view other_branch;
        do {
          other_branch = branches[static_cast<std::size_t>(uniform(0, 4))];
        } while (other_branch == branch);
        all.push_back(fact(other_branch, birth.add_days(uniform(1, 9000)),
                           periods.front().acquired.add_days(uniform(-500, 500))));
        owner.push_back(-1);
      }
      std::vector<std::size_t> order(all.size());
      for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
      std::shuffle(order.begin(), order.end(), rng);
      std::vector<CoverageFacts> shuffled;
      std::vector<int> shuffled_owner;
      for (std::size_t i : order) {
        shuffled.push_back(all[i]);
        shuffled_owner.push_back(owner[i]);
      }

      // The day asked: a boundary day half of the time.
      Date as_of;
      const Period& p = periods[static_cast<std::size_t>(uniform(0, count - 1))];
      switch (uniform(0, 5)) {
        case 0:
          as_of = p.acquired;
          break;
        case 1:
          as_of = p.acquired.add_days(-1);
          break;
        case 2:
          as_of = p.lost.valid() ? p.lost : p.acquired.add_days(1);
          break;
        case 3:
          as_of = p.lost.valid() ? p.lost.add_days(-1) : p.acquired.add_days(400);
          break;
        default:
          as_of = periods.front().acquired.add_days(uniform(-400, 12000));
          break;
      }

      // The oracle.
      int containing = -1;
      int latest_started = -1;
      int earliest = -1;
      for (int i = 0; i < count; ++i) {
        const Period& q = periods[static_cast<std::size_t>(i)];
        const bool started = q.acquired <= as_of;
        if (started && (!q.lost.valid() || as_of < q.lost)) containing = i;
        if (started) latest_started = i;  // periods are in date order
        if (earliest < 0) earliest = i;
      }
      // Two periods start on the same day only when the first also ended that day (lost on
      // the acquisition day): it never covers a day, so "containing" stays unambiguous.

      const Resolution r = resolve(query(birth, as_of), shuffled);
      const Resolution rb = resolve(query(birth, as_of, branch), shuffled);
      ++outcomes[static_cast<std::size_t>(r.validity)];
      if (r.reason == ErrorCode::kEligibilityNotYetStarted) ++not_started;
      for (const Resolution* res : {&r, &rb}) {
        SCOPED_TRACE(res == &r ? "without branch" : "with branch");
        ASSERT_TRUE(res->chosen.has_value());
        const int chosen = shuffled_owner[*res->chosen];
        ASSERT_GE(chosen, 0) << "answered with someone else's record";
        EXPECT_EQ(res->validity == Validity::kValid, containing >= 0) << "as of " << as_of.iso();
        if (containing >= 0) {
          EXPECT_EQ(res->validity, Validity::kValid);
          EXPECT_FALSE(res->reason);
          EXPECT_EQ(chosen, containing);
          EXPECT_TRUE(periods[static_cast<std::size_t>(chosen)].acquired <= as_of);
        } else if (latest_started >= 0) {
          // Unlinked: a later period of the same card is never "newer" (R-Q6).
          EXPECT_EQ(res->validity, Validity::kInvalid);
          EXPECT_EQ(res->reason, ErrorCode::kEligibilityLost);
          // The latest period that had started: equal start days are indistinguishable.
          EXPECT_EQ(periods[static_cast<std::size_t>(chosen)].acquired,
                    periods[static_cast<std::size_t>(latest_started)].acquired);
        } else {
          EXPECT_EQ(res->validity, Validity::kInvalid);
          EXPECT_EQ(res->reason, ErrorCode::kEligibilityNotYetStarted);
          EXPECT_EQ(periods[static_cast<std::size_t>(chosen)].acquired,
                    periods[static_cast<std::size_t>(earliest)].acquired);
        }
      }
      if (::testing::Test::HasFailure()) return;  // one counterexample is enough
    }
  }
  EXPECT_GT(outcomes[static_cast<std::size_t>(Validity::kValid)], 2000);
  EXPECT_GT(outcomes[static_cast<std::size_t>(Validity::kInvalid)], 3000);
  EXPECT_EQ(outcomes[static_cast<std::size_t>(Validity::kInvalidNewerExists)], 0);
  EXPECT_GT(not_started, 500);
  EXPECT_EQ(outcomes[static_cast<std::size_t>(Validity::kSeveralMatch)], 0);
  EXPECT_EQ(outcomes[static_cast<std::size_t>(Validity::kNoMatch)], 0);
}

// ------------------------------------------------------------- rules of eligibility-rules.md

CoverageFacts linked(CoverageFacts f, std::string_view key, bool in_force_elsewhere = false) {
  f.person_key = key;
  f.linked_in_force = in_force_elsewhere;
  return f;
}

TEST(EligibilityResolve, RuleQ1UnknownInsurerBeforeAnythingElse) {
  const auto r = resolve(query(kBirth, ymd(2024, 6, 1)), family(), /*insurer_known=*/false);
  EXPECT_EQ(r.validity, Validity::kNoMatch);
  EXPECT_EQ(r.reason, ErrorCode::kEligibilityInsurerUnknown);
}

TEST(EligibilityResolve, RuleQ4OneLinkedPersonUnderTwoBranchesIsOnePerson) {
  const std::vector<CoverageFacts> all = {
      linked(fact("01", kBirth, ymd(2010, 4, 1), ymd(2020, 4, 1)), "P"),
      linked(fact("02", kBirth, ymd(2020, 4, 1)), "P"),
  };
  const auto r = resolve(query(kBirth, ymd(2025, 1, 1)), all);
  EXPECT_EQ(r.validity, Validity::kValid);
  EXPECT_EQ(r.chosen, 1u);
  // Another link, or none, is another person (R-Q4): several match.
  const std::vector<CoverageFacts> two = {
      linked(fact("01", kBirth, ymd(2010, 4, 1)), "P"),
      linked(fact("02", kBirth, ymd(2020, 4, 1)), "Q"),
  };
  EXPECT_EQ(resolve(query(kBirth, ymd(2025, 1, 1)), two).validity, Validity::kSeveralMatch);
  const std::vector<CoverageFacts> unlinked = {fact("01", kBirth, ymd(2010, 4, 1)),
                                               linked(fact("02", kBirth, ymd(2020, 4, 1)), "P")};
  EXPECT_EQ(resolve(query(kBirth, ymd(2025, 1, 1)), unlinked).validity, Validity::kSeveralMatch);
}

TEST(EligibilityResolve, RuleQ4GroupingIsTransitive) {
  // 01 and 02 share link P; 02's other period (same branch) has no link shown: still one person.
  const std::vector<CoverageFacts> all = {
      linked(fact("01", kBirth, ymd(2010, 4, 1), ymd(2015, 4, 1)), "P"),
      linked(fact("02", kBirth, ymd(2015, 4, 1), ymd(2020, 4, 1)), "P"),
      fact("02", kBirth, ymd(2020, 4, 1)),
  };
  const auto r = resolve(query(kBirth, ymd(2025, 1, 1)), all);
  EXPECT_EQ(r.validity, Validity::kValid);
  EXPECT_EQ(r.chosen, 2u);
}

TEST(EligibilityResolve, RuleQ5SeveralInForceTakesTheLatestAcquisitionThenLowestBranch) {
  const std::vector<CoverageFacts> all = {
      linked(fact("03", kBirth, ymd(2010, 4, 1)), "P"),
      linked(fact("02", kBirth, ymd(2020, 4, 1)), "P"),
      linked(fact("01", kBirth, ymd(2020, 4, 1)), "P"),
  };
  const auto r = resolve(query(kBirth, ymd(2025, 1, 1)), all);
  EXPECT_EQ(r.validity, Validity::kValid);
  EXPECT_EQ(r.chosen, 2u);
}

TEST(EligibilityResolve, RuleQ6NewerMeansTheLinkedPersonIsCoveredOnTheDay) {
  const auto lost = fact("00", kBirth, ymd(2010, 4, 1), ymd(2024, 4, 1));
  EXPECT_EQ(resolve(query(kBirth, ymd(2025, 1, 1)), {linked(lost, "P", true)}).validity,
            Validity::kInvalidNewerExists);
  EXPECT_EQ(resolve(query(kBirth, ymd(2025, 1, 1)), {linked(lost, "P", false)}).validity,
            Validity::kInvalid);
}

TEST(EligibilityResolve, RuleQ6TheLastLostPeriodIsTheOneShown) {
  const std::vector<CoverageFacts> all = {
      linked(fact("01", kBirth, ymd(2010, 4, 1), ymd(2022, 4, 1)), "P"),
      linked(fact("02", kBirth, ymd(2015, 4, 1), ymd(2018, 4, 1)), "P"),
  };
  const auto r = resolve(query(kBirth, ymd(2023, 1, 1)), all);
  EXPECT_EQ(r.validity, Validity::kInvalid);
  EXPECT_EQ(r.chosen, 0u) << "lost 2022, although acquired before the other";
}

TEST(EligibilityResolve, RuleQ7NotStartedTakesTheEarliest) {
  const std::vector<CoverageFacts> all = {
      fact("00", kBirth, ymd(2031, 4, 1)),
      fact("00", kBirth, ymd(2030, 4, 1), ymd(2031, 4, 1)),
  };
  const auto r = resolve(query(kBirth, ymd(2025, 1, 1)), all);
  EXPECT_EQ(r.validity, Validity::kInvalid);
  EXPECT_EQ(r.reason, ErrorCode::kEligibilityNotYetStarted);
  EXPECT_EQ(r.chosen, 1u);
}

TEST(EligibilityInsuredPerson, RuleQ9PrefersTheInsuredInForceThenTheLatest) {
  auto insured = [](std::string_view branch, Date from, Date until = {}) {
    auto f = fact(branch, kBirth, from, until);
    f.relationship = Relationship::kInsured;
    return f;
  };
  auto dependant = fact("05", kTwinsBirth, ymd(2016, 1, 1));
  dependant.relationship = Relationship::kDependant;
  const std::vector<CoverageFacts> all = {dependant, insured("01", ymd(2010, 4, 1)),
                                          insured("02", ymd(2020, 4, 1), ymd(2022, 4, 1))};
  EXPECT_EQ(insured_person_of(all, ymd(2021, 1, 1)), 2u);  // both in force: the latest
  EXPECT_EQ(insured_person_of(all, ymd(2023, 1, 1)), 1u);  // only 01 in force
  EXPECT_EQ(insured_person_of(std::vector<CoverageFacts>{dependant}, ymd(2023, 1, 1)),
            std::nullopt);
}

// --------------------------------------------------------------------------------- explain()

TEST(EligibilityExplain, ValidHasNoReasonText) {
  Resolution r{Validity::kValid, 0, std::nullopt};
  const auto f = fact("00", kBirth, ymd(2010, 4, 1));
  const auto t = explain(r, &f);
  EXPECT_TRUE(t.en.empty());
  EXPECT_TRUE(t.ja.empty());
}

TEST(EligibilityExplain, NoMatchUsesTheCatalogueMessage) {
  for (ErrorCode code :
       {ErrorCode::kEligibilityNoCoverageForNumber, ErrorCode::kEligibilityBranchNotFound,
        ErrorCode::kEligibilityBirthDateMismatch, ErrorCode::kEligibilitySeveralMatch,
        ErrorCode::kEligibilityInsurerUnknown}) {
    const Resolution r{
        code == ErrorCode::kEligibilitySeveralMatch ? Validity::kSeveralMatch : Validity::kNoMatch,
        std::nullopt, code};
    const auto t = explain(r, nullptr);
    EXPECT_EQ(t.en, error_info(code).message_en);
    EXPECT_EQ(t.ja, error_info(code).message_ja);
    EXPECT_FALSE(t.en.empty());
  }
}

TEST(EligibilityExplain, LostNamesTheDateAndTheReasonCode) {
  const std::vector<CoverageFacts> all = {
      fact("00", kBirth, ymd(2010, 4, 1), ymd(2026, 3, 31), LossReason::kOtherInsurance)};
  const auto r = resolve(query(kBirth, ymd(2026, 4, 2)), all);
  ASSERT_EQ(r.reason, ErrorCode::kEligibilityLost);
  const auto t = explain(r, &all[*r.chosen]);
  EXPECT_NE(t.en.find("2026-03-31"), std::string::npos) << t.en;
  EXPECT_NE(t.en.find("03"), std::string::npos) << t.en;
  EXPECT_NE(t.en.find("other insurance"), std::string::npos) << t.en;
  EXPECT_EQ(t.en.find("newer"), std::string::npos) << t.en;
  EXPECT_NE(t.ja.find("2026-03-31"), std::string::npos) << t.ja;
  EXPECT_NE(t.ja.find("03"), std::string::npos) << t.ja;
  EXPECT_NE(t.ja.find("他保険加入"), std::string::npos) << t.ja;
}

TEST(EligibilityExplain, LostNewerExistsSaysSo) {
  const std::vector<CoverageFacts> all = {
      fact("00", kBirth, ymd(2010, 4, 1), ymd(2026, 3, 31), LossReason::kOtherInsurance, true)};
  const auto r = resolve(query(kBirth, ymd(2026, 4, 2)), all);
  ASSERT_EQ(r.reason, ErrorCode::kEligibilityLostNewerExists);
  const auto t = explain(r, &all[*r.chosen]);
  EXPECT_NE(t.en.find("2026-03-31"), std::string::npos) << t.en;
  EXPECT_NE(t.en.find("(03 "), std::string::npos) << t.en;
  EXPECT_NE(t.en.find("newer coverage"), std::string::npos) << t.en;
  EXPECT_NE(t.ja.find("2026-03-31"), std::string::npos) << t.ja;
  EXPECT_NE(t.ja.find("新しい資格"), std::string::npos) << t.ja;
}

TEST(EligibilityExplain, EveryLossReasonCodeIsNamed) {
  const struct {
    LossReason reason;
    const char* code;
    const char* ja;
  } cases[] = {{LossReason::kDeath, "01", "死亡"},
               {LossReason::kPublicAssistance, "02", "生活保護"},
               {LossReason::kOtherInsurance, "03", "他保険加入"},
               {LossReason::kOther, "99", "その他"}};
  for (const auto& c : cases) {
    const auto f = fact("00", kBirth, ymd(2010, 4, 1), ymd(2020, 1, 1), c.reason);
    const Resolution r{Validity::kInvalid, 0, ErrorCode::kEligibilityLost};
    const auto t = explain(r, &f);
    EXPECT_NE(t.en.find(std::string("(") + c.code + " "), std::string::npos) << t.en;
    EXPECT_NE(t.ja.find(std::string(c.code) + " " + c.ja), std::string::npos) << t.ja;
    EXPECT_NE(t.en.find("2020-01-01"), std::string::npos) << t.en;
  }
}

TEST(EligibilityExplain, LostWithoutAReasonSaysSo) {
  const auto f = fact("00", kBirth, ymd(2010, 4, 1), ymd(2020, 1, 1), LossReason::kNone);
  const Resolution r{Validity::kInvalid, 0, ErrorCode::kEligibilityLost};
  const auto t = explain(r, &f);
  EXPECT_NE(t.en.find("2020-01-01"), std::string::npos) << t.en;
  EXPECT_NE(t.en.find("reason not given"), std::string::npos) << t.en;
  EXPECT_NE(t.ja.find("事由未設定"), std::string::npos) << t.ja;
}

TEST(EligibilityExplain, NotYetStartedNamesTheStartDate) {
  const std::vector<CoverageFacts> all = {fact("00", kBirth, ymd(2025, 4, 1))};
  const auto r = resolve(query(kBirth, ymd(2025, 3, 1)), all);
  ASSERT_EQ(r.reason, ErrorCode::kEligibilityNotYetStarted);
  const auto t = explain(r, &all[*r.chosen]);
  EXPECT_NE(t.en.find("2025-04-01"), std::string::npos) << t.en;
  EXPECT_NE(t.ja.find("2025-04-01"), std::string::npos) << t.ja;
}

TEST(EligibilityExplain, WithoutTheRecordFallsBackToTheCatalogue) {
  const Resolution r{Validity::kInvalid, std::nullopt, ErrorCode::kEligibilityLost};
  const auto t = explain(r, nullptr);
  EXPECT_EQ(t.en, error_info(ErrorCode::kEligibilityLost).message_en);
  EXPECT_EQ(t.ja, error_info(ErrorCode::kEligibilityLost).message_ja);
}

}  // namespace
}  // namespace onshi::core
