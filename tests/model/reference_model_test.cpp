// Hand-written checks of the reference model against docs/eligibility-rules.md, so that the
// differential test compares the real code with something trustworthy; and checks of the
// generator's typing variants and date forms.
#include "tests/model/reference_model.hpp"

#include <gtest/gtest.h>

#include "core/date.hpp"
#include "core/identifiers.hpp"
#include "tests/model/history_generator.hpp"

namespace onshi::model {
namespace {

const std::string kIns = core::make_insurer_number("0613048");
const std::string kKokuho = core::make_insurer_number("13805");
const std::string kMy1 = core::make_my_number("12345678901");
const std::string kMy2 = core::make_my_number("23456789012");

Day D(int y, int m, int d) {
  return day_of(y, m, d);
}

// ---- N2 / N3 ----

TEST(ModelMatchKey, TableRows) {
  EXPECT_EQ(match_key("１２Ａａ－"), "12AA");
  EXPECT_EQ(match_key("ab"), "AB");
  EXPECT_EQ(match_key("ｱｲ-12"), "アイ12");
  EXPECT_EQ(match_key("アイ１２"), "アイ12");
  EXPECT_EQ(match_key("ｱｲ 12"), "アイ12");
  EXPECT_EQ(match_key("ｶﾞ"), "ガ");
  EXPECT_EQ(match_key("カ゛"), "ガ");
  EXPECT_EQ(match_key("カ\u3099"), "ガ");
  EXPECT_EQ(match_key("ﾊﾟ"), "パ");
  EXPECT_EQ(match_key("ｳﾞ"), "ヴ");
  EXPECT_EQ(match_key("ｯ"), "ッ");
  EXPECT_EQ(match_key("1ﾞ2"), "12");  // a stray mark is dropped
  EXPECT_EQ(match_key("カﾟ"), "カ");  // カ has no semi-voiced form
  EXPECT_EQ(match_key("ｺｰﾄﾞ"), "コード");
  EXPECT_NE(match_key("ｺｰﾄﾞ"), match_key("ｺﾄﾞ"));
  EXPECT_EQ(match_key("12ー34"), "1234");
  EXPECT_EQ(match_key("12ｰ34"), "1234");
  EXPECT_EQ(match_key("１ー"), "1");
  EXPECT_EQ(match_key("ア\u00A0イ\u3000ウ\t1\u2003"), "アイウ1");
  EXPECT_EQ(match_key("A\u200BB\uFEFFC\u2060"), "ABC");
  EXPECT_EQ(match_key("1~2〜3‐4−5゠6﹣7～8"), "12345678");
  EXPECT_EQ(match_key("邉\U000E0101"), "邉");
  EXPECT_EQ(match_key("邉\uFE00"), "邉");
  EXPECT_EQ(match_key("𠮷"), "𠮷");
}

TEST(ModelMatchKey, NothingElseFolds) {
  EXPECT_NE(match_key("あ"), match_key("ア"));
  EXPECT_NE(match_key("髙"), match_key("高"));
  EXPECT_NE(match_key("﨑"), match_key("崎"));
  EXPECT_NE(match_key("ガ"), match_key("カ"));
  EXPECT_EQ(match_key("\xFF"), "\xFF");  // an invalid byte is kept
}

TEST(ModelDates, AgeAndLeapDay) {
  EXPECT_EQ(iso_of(D(2024, 2, 29)), "2024-02-29");
  EXPECT_EQ(ymd_of(D(1952, 2, 29)).d, 29);
  EXPECT_EQ(age_in_years(D(1952, 2, 29), D(2022, 2, 28)), 69);
  EXPECT_EQ(age_in_years(D(1952, 2, 29), D(2022, 3, 1)), 70);
  EXPECT_EQ(age_in_years(D(1952, 2, 29), D(2024, 2, 29)), 72);
  EXPECT_EQ(age_in_years(D(1950, 6, 10), D(2020, 6, 10)), 70);
  EXPECT_EQ(age_in_years(D(1950, 6, 10), D(2020, 6, 9)), 69);
  for (Day d = D(1900, 1, 1); d < D(2100, 1, 1); d += 37)
    EXPECT_EQ(core::Date::from_ymd(ymd_of(d).y, ymd_of(d).m, ymd_of(d).d).days(), d);
}

// ---- Registration ----

Row acquire(std::string number, std::optional<std::string> branch, Day birth, Day acquired,
            int relationship = 1, std::string name = "山田 太郎") {
  Row r;
  r.kind = Kind::kAcquire;
  r.insurer = kIns;
  r.symbol = "ｱｲ-12";
  r.number = std::move(number);
  r.branch = std::move(branch);
  r.f.relationship = relationship;
  r.f.name = std::move(name);
  r.f.sex = 1;
  r.f.birth_date = birth;
  r.f.acquired_on = acquired;
  return r;
}

Row lose(std::string number, std::optional<std::string> branch, Day lost,
         std::optional<Day> acquired = std::nullopt) {
  Row r;
  r.kind = Kind::kLose;
  r.insurer = kIns;
  r.symbol = "アイ12";
  r.number = std::move(number);
  r.branch = std::move(branch);
  r.f.lost_on = lost;
  r.f.loss_reason = 3;
  r.f.acquired_on = acquired;
  return r;
}

Row change(std::string number, std::optional<std::string> branch) {
  Row r;
  r.kind = Kind::kChange;
  r.insurer = kIns;
  r.symbol = "ｱｲ12";
  r.number = std::move(number);
  r.branch = std::move(branch);
  return r;
}

const Outcome kApplied{Outcome::Kind::kApplied, "", {}};
const Outcome kAlready{Outcome::Kind::kAlreadyApplied, "", {}};
Outcome refused(const char* code) {
  return Outcome{Outcome::Kind::kRejected, code, {}};
}

// The outcome without the alternative codes (the tests name the first rule broken).
Outcome apply(Model& m, const Row& r) {
  Outcome o = m.apply(r);
  o.alternatives.clear();
  return o;
}

Model model() {
  return Model({{kIns, "健保"}, {kKokuho, "国保"}});
}

Query query(std::string number, Day birth, Day as_of, std::optional<std::string> branch = {}) {
  Query q;
  q.insurer = kIns;
  q.symbol = "ｱｲ１２";
  q.number = std::move(number);
  q.branch = std::move(branch);
  q.birth_date = birth;
  q.as_of = as_of;
  return q;
}

TEST(ModelRegistration, ResendTypedDifferentlyIsAlreadyApplied) {  // R-S1, R-S2
  Model m = model();
  Row a = acquire("12", std::nullopt, D(1980, 1, 1), D(2020, 4, 1));
  EXPECT_EQ(apply(m, a), kApplied);
  Row b = a;
  b.branch = "00";
  b.symbol = "アイ１２";
  b.number = "１２";
  b.f.copay_ratio = 3;
  b.f.name = "山田\u3000太郎";
  EXPECT_EQ(apply(m, b), kAlready);
  b.f.copay_ratio = 2;  // not a re-send: same period, other content
  EXPECT_EQ(apply(m, b), refused("ROW_PERIOD_ALREADY_REGISTERED"));  // R-A3
  EXPECT_EQ(m.periods().size(), 1u);
  EXPECT_EQ(m.periods()[0].symbol, "ｱｲ-12");  // N1: bytes of the acquire
}

TEST(ModelRegistration, PersonConflictAndOverlap) {  // R-A2, R-A4
  Model m = model();
  EXPECT_EQ(apply(m, acquire("12", "01", D(1980, 1, 1), D(2020, 4, 1))), kApplied);
  EXPECT_EQ(apply(m, acquire("12", "01", D(1981, 1, 1), D(2022, 4, 1))),
            refused("ROW_PERSON_CONFLICT"));
  EXPECT_EQ(apply(m, acquire("12", "01", D(1980, 1, 1), D(2022, 4, 1))),
            refused("ROW_PERIOD_OVERLAP"));
  EXPECT_EQ(apply(m, lose("12", "01", D(2022, 4, 1))), kApplied);
  EXPECT_EQ(apply(m, acquire("12", "01", D(1980, 1, 1), D(2022, 4, 1))), kApplied);  // touching
  Row linked = acquire("12", "01", D(1980, 1, 1), D(2025, 4, 1));
  linked.f.my_number = kMy1;
  EXPECT_EQ(apply(m, linked), refused("ROW_PERIOD_OVERLAP"));  // the second period is open
  EXPECT_EQ(apply(m, lose("12", "01", D(2023, 1, 1))), kApplied);
  EXPECT_EQ(apply(m, linked), kApplied);  // R-A5: the link goes to every period
  for (const auto& p : m.periods()) EXPECT_EQ(p.person_key, kMy1);
  Row other = acquire("12", "01", D(1980, 1, 1), D(2030, 4, 1));
  other.f.my_number = kMy2;
  EXPECT_EQ(apply(m, other), refused("ROW_PERSON_CONFLICT"));
}

TEST(ModelRegistration, FamilyWithoutBranchesIsOneMember) {  // R-M3
  Model m = model();
  EXPECT_EQ(apply(m, acquire("12", std::nullopt, D(1980, 1, 1), D(2020, 4, 1))), kApplied);
  EXPECT_EQ(apply(m, acquire("12", std::nullopt, D(2010, 1, 1), D(2020, 4, 1), 2, "山田 花子")),
            refused("ROW_PERSON_CONFLICT"));
  EXPECT_EQ(apply(m, acquire("12", "00", D(1980, 1, 1), D(2020, 4, 1), 1, "山田 次郎")),
            refused("ROW_PERIOD_ALREADY_REGISTERED"));  // twin: same birth date, same period
}

TEST(ModelRegistration, ChangeAndLoseTargets) {  // R-C1..R-C5
  Model m = model();
  EXPECT_EQ(apply(m, lose("12", std::nullopt, D(2021, 1, 1))), refused("ROW_COVERAGE_NOT_FOUND"));
  EXPECT_EQ(apply(m, acquire("12", std::nullopt, D(1980, 1, 1), D(2020, 4, 1))), kApplied);
  EXPECT_EQ(apply(m, lose("12", std::nullopt, D(2020, 3, 1))), refused("ROW_DATES_INCONSISTENT"));
  EXPECT_EQ(apply(m, lose("12", std::nullopt, D(2021, 4, 1), D(2020, 4, 2))),
            refused("ROW_COVERAGE_NOT_FOUND"));
  EXPECT_EQ(apply(m, lose("12", std::nullopt, D(2021, 4, 1))), kApplied);
  EXPECT_EQ(apply(m, acquire("12", std::nullopt, D(1980, 1, 1), D(2022, 4, 1))), kApplied);
  Row c = change("12", std::nullopt);
  c.f.address = "東京都";
  EXPECT_EQ(apply(m, c), kApplied);  // latest period
  EXPECT_EQ(m.periods()[1].address, "東京都");
  EXPECT_EQ(m.periods()[0].address, "");
  // Extending the first period into the second: overlap.
  EXPECT_EQ(apply(m, lose("12", std::nullopt, D(2022, 5, 1), D(2020, 4, 1))),
            refused("ROW_PERIOD_OVERLAP"));
  Row born = change("12", std::nullopt);
  born.f.birth_date = D(1979, 12, 31);
  EXPECT_EQ(apply(m, born), kApplied);  // R-C3: every period
  EXPECT_EQ(m.periods()[0].birth_date, D(1979, 12, 31));
  born.f.birth_date = D(2021, 1, 1);  // after the first period's acquired_on: R-C4
  EXPECT_EQ(apply(m, born), refused("ROW_DATES_INCONSISTENT"));
  EXPECT_EQ(m.periods()[1].birth_date, D(1979, 12, 31));
}

TEST(ModelRegistration, ChangeBackWithoutChangedOnIsAResend) {  // R-S3
  Model m = model();
  EXPECT_EQ(apply(m, acquire("12", std::nullopt, D(1980, 1, 1), D(2020, 4, 1))), kApplied);
  Row a = change("12", std::nullopt);
  a.f.address = "A";
  Row b = a;
  b.f.address = "B";
  EXPECT_EQ(apply(m, a), kApplied);
  EXPECT_EQ(apply(m, b), kApplied);
  EXPECT_EQ(apply(m, a), kAlready);
  EXPECT_EQ(m.periods()[0].address, "B");
  a.f.changed_on = D(2021, 1, 1);
  EXPECT_EQ(apply(m, a), kApplied);
  EXPECT_EQ(m.periods()[0].address, "A");
}

TEST(ModelRegistration, LoseIgnoresOtherCells) {  // R-S2
  Model m = model();
  EXPECT_EQ(apply(m, acquire("12", std::nullopt, D(1980, 1, 1), D(2020, 4, 1))), kApplied);
  Row l = lose("12", std::nullopt, D(2021, 4, 1));
  EXPECT_EQ(apply(m, l), kApplied);
  l.f.address = "ignored";
  l.f.copay_ratio = 1;
  EXPECT_EQ(apply(m, l), kAlready);
  EXPECT_EQ(m.periods()[0].address, "");
}

TEST(ModelRegistration, RowChecks) {  // R-A7
  Model m = model();
  EXPECT_EQ(apply(m, acquire("12", std::nullopt, D(2021, 1, 1), D(2020, 4, 1))),
            refused("ROW_DATES_INCONSISTENT"));
  Row a = acquire("12", std::nullopt, D(1980, 1, 1), D(2020, 4, 1));
  a.f.limit_category = "A01";
  a.f.limit_valid_from = D(2020, 5, 1);
  a.f.limit_valid_until = D(2020, 4, 30);
  EXPECT_EQ(apply(m, a), refused("ROW_DATES_INCONSISTENT"));
  a.f.limit_valid_until = D(2020, 5, 1);  // one day is fine
  EXPECT_EQ(apply(m, a), kApplied);
  Row u = a;
  u.insurer = core::make_insurer_number("0113001");
  EXPECT_EQ(apply(m, u), refused("ROW_INSURER_UNKNOWN"));
}

// ---- Confirmation ----

TEST(ModelConfirm, WhichPerson) {  // R-Q1..R-Q4
  Model m = model();
  const Day twins = D(2015, 5, 5);
  EXPECT_EQ(apply(m, acquire("12", "00", D(1980, 1, 1), D(2020, 4, 1))), kApplied);
  EXPECT_EQ(apply(m, acquire("12", "02", twins, D(2020, 4, 1), 2, "山田 一郎")), kApplied);
  EXPECT_EQ(apply(m, acquire("12", "03", twins, D(2020, 4, 1), 2, "山田 次郎")), kApplied);
  Query q = query("12", twins, D(2021, 1, 1));
  q.insurer = core::make_insurer_number("0113001");
  EXPECT_EQ(m.confirm(q)["reason"]["code"], "ELIGIBILITY_INSURER_UNKNOWN");
  EXPECT_EQ(m.confirm(query("13", twins, D(2021, 1, 1)))["reason"]["code"],
            "ELIGIBILITY_NO_COVERAGE_FOR_NUMBER");
  EXPECT_EQ(m.confirm(query("12", twins, D(2021, 1, 1), "04"))["reason"]["code"],
            "ELIGIBILITY_BRANCH_NOT_FOUND");
  EXPECT_EQ(m.confirm(query("12", twins, D(2021, 1, 1), "00"))["reason"]["code"],
            "ELIGIBILITY_BIRTH_DATE_MISMATCH");
  const auto several = m.confirm(query("１２", twins, D(2021, 1, 1)));
  EXPECT_EQ(several["validity"], 5);
  EXPECT_TRUE(several["record"].is_null());
  const auto one = m.confirm(query("12", twins, D(2021, 1, 1), "03"));
  EXPECT_EQ(one["validity"], 1);
  EXPECT_EQ(one["record"]["name"], "山田 次郎");
  EXPECT_EQ(one["record"]["insured_name"], "山田 太郎");  // R-Q9
  EXPECT_EQ(one["record"]["symbol"], "ｱｲ-12");
}

TEST(ModelConfirm, WhichPeriod) {  // R-Q5..R-Q7
  Model m = model();
  const Day b = D(1980, 1, 1);
  Row a1 = acquire("12", "00", b, D(2020, 4, 1));
  a1.f.my_number = kMy1;
  EXPECT_EQ(apply(m, a1), kApplied);
  EXPECT_EQ(apply(m, lose("12", "00", D(2022, 4, 1))), kApplied);
  EXPECT_EQ(m.confirm(query("12", b, D(2020, 3, 31)))["reason"]["code"],
            "ELIGIBILITY_NOT_YET_STARTED");
  EXPECT_EQ(m.confirm(query("12", b, D(2022, 3, 31)))["validity"], 1);
  EXPECT_EQ(m.confirm(query("12", b, D(2022, 4, 1)))["reason"]["code"], "ELIGIBILITY_LOST");
  // The same person (linked) at a 国保 from 2022-05-01.
  Row k = acquire("99", std::nullopt, b, D(2022, 5, 1));
  k.insurer = kKokuho;
  k.f.my_number = kMy1;
  EXPECT_EQ(apply(m, k), kApplied);
  EXPECT_EQ(m.confirm(query("12", b, D(2022, 4, 15)))["validity"], 2);  // not in force on D
  const auto three = m.confirm(query("12", b, D(2022, 5, 1)));
  EXPECT_EQ(three["validity"], 3);
  EXPECT_EQ(three["reason"]["code"], "ELIGIBILITY_LOST_NEWER_EXISTS");
  EXPECT_EQ(three["record"]["lost_on"], "2022-04-01");
  EXPECT_EQ(three["record"]["loss_reason"], "03");
}

TEST(ModelConfirm, WhatTheAnswerShows) {  // R-Q10..R-Q13
  Model m = model();
  const Day b = D(1952, 2, 29);
  Row a = acquire("12", std::nullopt, b, D(2020, 4, 1));
  a.f.copay_ratio = 3;
  a.f.elderly_copay_ratio = 2;
  a.f.elderly_valid_from = D(2021, 1, 1);
  a.f.limit_category = "A03";
  a.f.limit_valid_from = D(2021, 1, 1);
  a.f.limit_valid_until = D(2021, 12, 31);
  a.f.card_valid_from = D(2020, 5, 1);
  a.f.card_valid_until = D(2022, 3, 31);
  EXPECT_EQ(apply(m, a), kApplied);
  auto on = [&](Day d, bool consent) {
    Query q = query("12", b, d);
    q.limit_consent = consent;
    return m.confirm(q);
  };
  EXPECT_TRUE(on(D(2022, 2, 28), false)["record"]["elderly_recipient"].is_null());  // 69
  EXPECT_EQ(on(D(2022, 2, 28), false)["record"]["applicable_copay_ratio"], 3);
  const auto at70 = on(D(2022, 3, 1), false);
  EXPECT_EQ(at70["record"]["elderly_recipient"]["copay_ratio"], 2);
  EXPECT_EQ(at70["record"]["applicable_copay_ratio"], 2);
  EXPECT_EQ(at70["record"]["copay_ratio"], 3);
  EXPECT_FALSE(at70["record"].contains("self_pay_limit"));
  EXPECT_TRUE(on(D(2022, 3, 1), true)["record"]["self_pay_limit"].is_null());
  EXPECT_EQ(on(D(2021, 12, 31), true)["record"]["self_pay_limit"]["category"], "A03");
  EXPECT_TRUE(on(D(2027, 3, 1), false)["record"]["elderly_recipient"].is_null());  // 75
  EXPECT_EQ(on(D(2027, 2, 28), false)["record"]["elderly_recipient"]["copay_ratio"], 2);
  EXPECT_EQ(on(D(2022, 4, 1), false)["notices"][0]["code"], "NOTICE_CARD_VALIDITY_ENDED");
  EXPECT_EQ(on(D(2020, 4, 30), false)["notices"][0]["code"], "NOTICE_CARD_NOT_YET_VALID");
  EXPECT_TRUE(on(D(2022, 3, 31), false)["notices"].empty());
  EXPECT_EQ(on(D(2022, 3, 31), false)["record"]["my_number_linked"], false);
}

// ---- Generator ----

TEST(ModelGenerator, TypedVariantsKeepTheKeyAndDifferentOnesDoNot) {
  Rng rng(7);
  for (const std::string s :
       {"ｱｲ-12", "コード7", "ｶﾞ3", "記号1", "AB-12", "ヴ1", "12ー34", "山田 太郎", "ﾔﾏﾀﾞ ﾀﾛｳ"}) {
    for (int i = 0; i < 200; ++i) {
      const std::string v = typed_variant(rng, s, 400, 400);
      EXPECT_EQ(match_key(v), match_key(s)) << s << " -> " << v;
      if (auto d = different_variant(rng, s)) {
        EXPECT_NE(match_key(*d), match_key(s)) << *d;
      }
    }
  }
  EXPECT_TRUE(different_variant(rng, "ｺｰﾄﾞ").has_value());
  EXPECT_FALSE(different_variant(rng, "123").has_value());
}

TEST(ModelGenerator, EveryDateFormParsesToTheDay) {
  Rng rng(11);
  for (Day d = D(1927, 1, 1); d < D(2030, 12, 31); d += 13) {
    const std::string s = render_date(rng, d);
    auto parsed = core::parse_date(s);
    ASSERT_TRUE(parsed.ok()) << s;
    EXPECT_EQ(parsed->days(), d) << s;
  }
  for (Day d : {D(1989, 1, 7), D(1989, 1, 8), D(2019, 4, 30), D(2019, 5, 1), D(2019, 12, 31)})
    for (int i = 0; i < 50; ++i) {
      const std::string s = render_date(rng, d);
      auto parsed = core::parse_date(s);
      ASSERT_TRUE(parsed.ok()) << s;
      EXPECT_EQ(parsed->days(), d) << s;
    }
}

}  // namespace
}  // namespace onshi::model
