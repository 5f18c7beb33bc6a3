// The answer record: texts kept in one buffer by offset, so that copies and moves keep them;
// equality field by field.
#include "core/answer_record.hpp"

#include <gtest/gtest.h>

#include <utility>

namespace onshi::core {
namespace {

Coverage registered() {
  Coverage c;
  c.id = 42;
  c.key = {"06130012", "千代田-12", "００４５", "01"};
  c.relationship = Relationship::kDependant;
  c.insured_name = "吉田 一郎";
  c.name = "吉田 花子";
  c.name_kana = "ヨシダ ハナコ";
  c.sex = Sex::kFemale;
  c.birth_date = Date::from_ymd(1950, 2, 28);
  c.address = "東京都千代田区霞が関1-2-2";
  c.postcode = "100-8916";
  c.acquired_on = Date::from_ymd(2015, 4, 1);
  c.copay_ratio = 2;
  c.elderly = ElderlyRecipientTerms{2, Date::from_ymd(2020, 3, 1), {}};
  c.self_pay_limit = SelfPayLimitTerms{"B10", Date::from_ymd(2024, 1, 1), {}};
  c.person_key = std::string(64, 'e');
  return c;
}

TEST(AnswerRecord, HoldsTheCoveragesAnswerFields) {
  const AnswerRecord r = answer_record_of(registered(), "高島屋健康保険組合");
  EXPECT_EQ(r.id, 42);
  EXPECT_EQ(r.insurer_number(), "06130012");
  EXPECT_EQ(r.insurer_name(), "高島屋健康保険組合");
  EXPECT_EQ(r.symbol(), "千代田-12");
  EXPECT_EQ(r.number(), "００４５");
  EXPECT_EQ(r.branch(), "01");
  EXPECT_EQ(r.insured_name(), "吉田 一郎");
  EXPECT_EQ(r.name(), "吉田 花子");
  EXPECT_EQ(r.name_kana(), "ヨシダ ハナコ");
  EXPECT_EQ(r.address(), "東京都千代田区霞が関1-2-2");
  EXPECT_EQ(r.postcode(), "100-8916");
  EXPECT_TRUE(r.my_number_linked) << "linked, and the key itself is not kept";
  ASSERT_TRUE(r.self_pay_limit);
  EXPECT_EQ(r.self_pay_limit->category, "B10");
  Coverage unlinked = registered();
  unlinked.person_key.clear();
  EXPECT_FALSE(answer_record_of(unlinked, "").my_number_linked);
}

TEST(AnswerRecord, CopiesAndMovesKeepTheTexts) {
  // Short texts: a small buffer lives inside the string, and a view into it would dangle
  // after a move; offsets do not.
  Coverage c;
  c.key = {"01", "a", "1", "00"};
  c.name = "x";
  AnswerRecord r = answer_record_of(c, "i");
  const AnswerRecord copy = r;
  AnswerRecord moved = std::move(r);
  const AnswerRecord* both[] = {&copy, &moved};
  for (const AnswerRecord* a : both) {
    EXPECT_EQ(a->insurer_number(), "01");
    EXPECT_EQ(a->insurer_name(), "i");
    EXPECT_EQ(a->symbol(), "a");
    EXPECT_EQ(a->name(), "x");
    EXPECT_EQ(a->branch(), "00");
  }
}

TEST(AnswerRecord, TextsCanBeSharedAndReplaced) {
  AnswerRecord r = answer_record_of(registered(), "");
  r.same_text(AnswerRecord::kInsuredName, AnswerRecord::kName);  // R-Q9: a 本人
  EXPECT_EQ(r.insured_name(), "吉田 花子");
  r.begin_text(AnswerRecord::kInsuredName);
  r.buffer() += "吉田 三郎";
  r.end_text(AnswerRecord::kInsuredName);
  EXPECT_EQ(r.insured_name(), "吉田 三郎");
  EXPECT_EQ(r.name(), "吉田 花子") << "the other texts stay";
  r.set_text(AnswerRecord::kPostcode, "");
  EXPECT_EQ(r.postcode(), "");
  EXPECT_EQ(r.address(), "東京都千代田区霞が関1-2-2");
}

TEST(AnswerRecord, EqualityComparesEveryField) {
  const AnswerRecord base = answer_record_of(registered(), "健保");
  EXPECT_TRUE(base == answer_record_of(registered(), "健保"));
  EXPECT_FALSE(base == answer_record_of(registered(), "別の健保"));
  // The same texts laid out differently in the buffer are equal.
  AnswerRecord relaid = base;
  relaid.set_text(AnswerRecord::kName, "吉田 花子");
  EXPECT_TRUE(relaid == base);
  auto differs = [&](auto change) {
    AnswerRecord other = base;
    change(other);
    return !(other == base);
  };
  EXPECT_TRUE(differs([](AnswerRecord& r) { r.id = 43; }));
  EXPECT_TRUE(differs([](AnswerRecord& r) { r.relationship = Relationship::kInsured; }));
  EXPECT_TRUE(differs([](AnswerRecord& r) { r.sex = Sex::kMale; }));
  EXPECT_TRUE(differs([](AnswerRecord& r) { r.birth_date = Date::from_ymd(1950, 3, 1); }));
  EXPECT_TRUE(differs([](AnswerRecord& r) { r.acquired_on = Date{}; }));
  EXPECT_TRUE(differs([](AnswerRecord& r) { r.lost_on = Date::from_ymd(2030, 1, 1); }));
  EXPECT_TRUE(differs([](AnswerRecord& r) { r.loss_reason = LossReason::kDeath; }));
  EXPECT_TRUE(differs([](AnswerRecord& r) { r.card_issued_on = Date::from_ymd(2015, 3, 1); }));
  EXPECT_TRUE(differs([](AnswerRecord& r) { r.card_valid_from = Date::from_ymd(2015, 3, 1); }));
  EXPECT_TRUE(differs([](AnswerRecord& r) { r.card_valid_until = Date::from_ymd(2031, 3, 1); }));
  EXPECT_TRUE(differs([](AnswerRecord& r) { r.copay_ratio = 3; }));
  EXPECT_TRUE(differs([](AnswerRecord& r) { r.elderly.reset(); }));
  EXPECT_TRUE(differs([](AnswerRecord& r) { r.elderly->copay_ratio = 3; }));
  EXPECT_TRUE(differs([](AnswerRecord& r) { r.self_pay_limit->category = "A01"; }));
  EXPECT_TRUE(differs([](AnswerRecord& r) {
    r.specific_disease = SpecificDiseaseTerms{1, Date{}, Date{}};
  }));
  EXPECT_TRUE(differs([](AnswerRecord& r) { r.my_number_linked = false; }));
  for (int t = 0; t < AnswerRecord::kTextCount; ++t)
    EXPECT_TRUE(differs([t](AnswerRecord& r) {
      r.set_text(static_cast<AnswerRecord::Text>(t), "違う");
    })) << "text "
        << t;
}

}  // namespace
}  // namespace onshi::core
