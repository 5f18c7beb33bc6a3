// What an answer shows of its record on the as-of date (R-Q10..R-Q13 of
// docs/eligibility-rules.md): elderly terms only in force and at 70-74, the co-pay the desk
// charges, consented terms only in force, and the card-validity notices of a valid answer.
#include "core/answer_terms.hpp"

#include <gtest/gtest.h>

namespace onshi::core {
namespace {

Date ymd(int y, int m, int d) {
  return Date::from_ymd(y, m, d);
}

AnswerRecord elderly_record() {
  AnswerRecord c;
  c.birth_date = ymd(1952, 3, 10);
  c.copay_ratio = 3;
  c.elderly = ElderlyRecipientTerms{2, ymd(2022, 4, 1), Date{}};
  return c;
}

TEST(AnswerTerms, RuleQ10ElderlyTermsOnlyFrom70To74) {
  for (const auto& [as_of, shown] : std::vector<std::pair<Date, bool>>{
           {ymd(2022, 3, 9), false},   // 69, and before the terms start
           {ymd(2022, 4, 1), true},    // 70
           {ymd(2027, 3, 9), true},    // 74, the day before the 75th birthday
           {ymd(2027, 3, 10), false},  // 75: 後期高齢者
       }) {
    AnswerRecord c = elderly_record();
    const AnswerTerms t = settle_terms(c, as_of, Validity::kValid);
    EXPECT_EQ(c.elderly.has_value(), shown) << as_of.iso();
    EXPECT_EQ(t.applicable_copay_ratio, shown ? 2 : 3) << as_of.iso();  // R-Q11
    EXPECT_EQ(c.copay_ratio, 3) << "the registered ratio is kept";
  }
}

TEST(AnswerTerms, RuleQ10ElderlyTermsOnlyWithinTheirValidity) {
  AnswerRecord c = elderly_record();
  c.elderly->valid_until = ymd(2023, 7, 31);
  AnswerRecord after = c;
  settle_terms(after, ymd(2023, 8, 1), Validity::kValid);
  EXPECT_FALSE(after.elderly);
  settle_terms(c, ymd(2023, 7, 31), Validity::kValid);  // inclusive end
  EXPECT_TRUE(c.elderly);
}

TEST(AnswerTerms, RuleQ12ConsentedTermsOnlyWithinTheirValidity) {
  AnswerRecord c;
  c.self_pay_limit = SelfPayLimitTerms{"A03", ymd(2024, 1, 1), ymd(2024, 12, 31)};
  c.specific_disease = SpecificDiseaseTerms{1, ymd(2025, 1, 1), Date{}};
  AnswerRecord in_2024 = c, in_2025 = c;
  settle_terms(in_2024, ymd(2024, 12, 31), Validity::kValid);
  settle_terms(in_2025, ymd(2025, 1, 1), Validity::kValid);
  EXPECT_TRUE(in_2024.self_pay_limit);
  EXPECT_FALSE(in_2024.specific_disease);
  EXPECT_FALSE(in_2025.self_pay_limit);
  EXPECT_TRUE(in_2025.specific_disease);
}

TEST(AnswerTerms, RuleQ13CardNoticesOnValidAnswersOnly) {
  AnswerRecord c;
  c.card_valid_from = ymd(2020, 4, 1);
  c.card_valid_until = ymd(2024, 3, 31);
  AnswerRecord copy = c;
  auto t = settle_terms(copy, ymd(2024, 4, 1), Validity::kValid);
  ASSERT_EQ(t.notices.size(), 1u);
  EXPECT_EQ(t.notices[0].code, ErrorCode::kNoticeCardValidityEnded);
  EXPECT_NE(t.notices[0].ja.find("2024-03-31"), std::string::npos);
  copy = c;
  EXPECT_TRUE(settle_terms(copy, ymd(2024, 3, 31), Validity::kValid).notices.empty());
  copy = c;
  t = settle_terms(copy, ymd(2020, 3, 31), Validity::kValid);
  ASSERT_EQ(t.notices.size(), 1u);
  EXPECT_EQ(t.notices[0].code, ErrorCode::kNoticeCardNotYetValid);
  copy = c;
  EXPECT_TRUE(settle_terms(copy, ymd(2025, 1, 1), Validity::kInvalid).notices.empty());
}

}  // namespace
}  // namespace onshi::core
