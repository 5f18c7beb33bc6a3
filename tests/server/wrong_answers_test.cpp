// The eleven classes of wrong answers found in review, each reproduced as a new user would:
// hand-made registration files sent to POST /v1/registrations of a running `onshi serve`, then
// POST /v1/eligibility/confirm. Each test names the rule of docs/eligibility-rules.md it checks;
// the classes are covered as a whole by the property tests (core, services) and the
// differential test (tests/model/).
#include "tests/server/server_fixture.hpp"

namespace onshi::testing {
namespace {

class WrongAnswers : public ::testing::Test {
 protected:
  static constexpr const char* kHeader =
      "event,insurer_number,symbol,number,branch,relationship,name,name_kana,sex,birth_date,"
      "address,acquired_on,lost_on,loss_reason,copay_ratio,card_valid_from,card_valid_until,"
      "elderly_copay_ratio,elderly_valid_from,elderly_valid_until,limit_category,"
      "limit_valid_from,limit_valid_until,my_number\n";

  void SetUp() override {
    dir_ = temp_dir();
    write_text(dir_ + "/insurers.csv", "number,name,kind,prefecture\n" + k_ +
                                           ",協会けんぽ,kyokai_kenpo,13\n" + h_ +
                                           ",健保組合,health_insurance_society,13\n");
    write_text(dir_ + "/facilities.csv",
               "code,name,type,prefecture\n" + facility_ + ",𠮷田記念病院,hospital,13\n");
    std::string out;
    ASSERT_EQ(run_onshi({"load", "--data-dir", dir_, "insurers", dir_ + "/insurers.csv"}, &out), 0)
        << out;
    ASSERT_EQ(run_onshi({"load", "--data-dir", dir_, "facilities", dir_ + "/facilities.csv"}, &out),
              0)
        << out;
    desk_ = ServerProcess::issue(dir_, "facility", {facility_}, "desk");
    insurer_ = ServerProcess::issue(dir_, "insurer", {k_, h_}, "insurer");
    server_.start(dir_);
  }
  void TearDown() override {
    server_.stop();
    std::filesystem::remove_all(dir_);
  }

  // Sends a registration file; returns the receipt.
  nlohmann::json load(const std::string& rows) {
    HttpClient c(server_.port());
    const auto r =
        c.request(bhttp::verb::post, "/v1/registrations", kHeader + rows,
                  {{"Authorization", "Bearer " + insurer_}, {"Content-Type", "text/csv"}});
    EXPECT_EQ(r.status, 200) << r.body;
    return r.json();
  }
  nlohmann::json confirm(nlohmann::json request) {
    HttpClient c(server_.port());
    const auto r = c.request(bhttp::verb::post, "/v1/eligibility/confirm", request.dump(),
                             {{"Authorization", "Bearer " + desk_}});
    EXPECT_EQ(r.status, 200) << r.body;
    return r.json();
  }
  nlohmann::json ask(const std::string& insurer, const std::string& symbol,
                     const std::string& number, const std::string& birth, const std::string& as_of,
                     const std::string& branch = "") {
    nlohmann::json q{{"insurer_number", insurer},
                     {"symbol", symbol},
                     {"number", number},
                     {"birth_date", birth},
                     {"as_of", as_of}};
    if (!branch.empty()) q["branch"] = branch;
    return confirm(q);
  }
  static std::string reason(const nlohmann::json& a) {
    return a["reason"].is_null() ? "" : a["reason"]["code"].get<std::string>();
  }
  static std::string rejected_code(const nlohmann::json& receipt, int i = 0) {
    return receipt["rejected"].size() > static_cast<std::size_t>(i)
               ? receipt["rejected"][i]["code"].get<std::string>()
               : "";
  }
  // An acquire row: symbol, number, branch ("" = column empty), relationship, name, birth,
  // acquired, lost ("" = open), my number ("" = not linked).
  std::string acquire(const std::string& insurer, const std::string& symbol,
                      const std::string& number, const std::string& branch, int relationship,
                      const std::string& name, const std::string& birth,
                      const std::string& acquired, const std::string& lost = "",
                      const std::string& my_number = "", const std::string& copay = "3") {
    return "acquire," + insurer + "," + symbol + "," + number + "," + branch + "," +
           std::to_string(relationship) + "," + name + ",,1," + birth + ",," + acquired + "," +
           lost + "," + (lost.empty() ? "" : "03") + "," + copay + ",,,,,,,,," + my_number + "\n";
  }

  std::string k_ = core::make_insurer_number("0113001");  // 01130012
  std::string h_ = core::make_insurer_number("0613048");  // 06130488
  std::string facility_ = core::make_facility_code("131000001");
  std::string my_number_ = core::make_my_number("12345678901");
  std::string dir_, desk_, insurer_;
  ServerProcess server_;
};

// Class 1 (R-S1, R-S2): a re-sent file, typed with an empty default cell or without the branch,
// never undoes a later change.
TEST_F(WrongAnswers, Class1ResendWithEmptyDefaultsDoesNotUndoLaterChanges) {
  const std::string change_a = "change," + k_ + ",,2000,00,,,,,,住所A,,,,,,,,,,,,,\n";
  const std::string change_b = "change," + k_ + ",,2000,00,,,,,,住所B,,,,,,,,,,,,,\n";
  load(acquire(k_, "", "2000", "00", 1, "山田　太郎", "1970-01-01", "2010-04-01") + change_a);
  load(change_b);
  // The first file again: copay cell empty (means 3), then the branch column empty (means 00).
  auto again =
      load(acquire(k_, "", "2000", "00", 1, "山田　太郎", "1970-01-01", "2010-04-01", "", "", "") +
           change_a);
  EXPECT_EQ(again["rows_already_applied"], 2) << again.dump();
  again = load(acquire(k_, "", "2000", "", 1, "山田 太郎", "19700101", "H22.4.1") + "change," + k_ +
               ",,２０００,,,,,,,住所A,,,,,,,,,,,,,\n");
  EXPECT_EQ(again["rows_already_applied"], 2) << again.dump();
  const auto a = ask(k_, "", "2000", "1970-01-01", "2026-01-01");
  EXPECT_EQ(a["validity"], 1);
  EXPECT_EQ(a["record"]["address"], "住所B");
}

// Class 2 (R-A2, R-M3): a second person's acquire under the same card and branch is refused,
// and the first person's record stays.
TEST_F(WrongAnswers, Class2AcquireNeverReplacesAnotherPerson) {
  const auto receipt =
      load(acquire(k_, "", "1800", "", 1, "本人　一郎", "1970-01-01", "2020-04-01") +
           acquire(k_, "", "1800", "", 2, "家族　花子", "1972-02-02", "2020-04-01"));
  EXPECT_EQ(receipt["rows_applied"], 1);
  EXPECT_EQ(rejected_code(receipt), "ROW_PERSON_CONFLICT");
  EXPECT_EQ(receipt["rejected"][0]["line"], 3);
  const auto a = ask(k_, "", "1800", "1970-01-01", "2026-01-01");
  EXPECT_EQ(a["validity"], 1);
  EXPECT_EQ(a["record"]["name"], "本人　一郎");
  EXPECT_EQ(reason(ask(k_, "", "1800", "1972-02-02", "2026-01-01")),
            "ELIGIBILITY_BIRTH_DATE_MISMATCH");
  // With their own branches both are registered, and a lose without branch hits 00 only.
  load(acquire(k_, "", "1801", "00", 1, "本人　一郎", "1970-01-01", "2020-04-01") +
       acquire(k_, "", "1801", "01", 2, "家族　花子", "1972-02-02", "2020-04-01") + "lose," + k_ +
       ",,1801,,,,,,,,,2025-01-01,99,,,,,,,,,,\n");
  EXPECT_EQ(ask(k_, "", "1801", "1970-01-01", "2026-01-01")["validity"], 2);
  EXPECT_EQ(ask(k_, "", "1801", "1972-02-02", "2026-01-01")["validity"], 1);
}

// Class 3 (R-C3): a birth-date correction applies to every period of the member.
TEST_F(WrongAnswers, Class3BirthDateCorrectionKeepsOnePerson) {
  load(acquire(k_, "A", "300", "00", 1, "山田　太郎", "1980-01-01", "2010-04-01", "2015-04-01") +
       acquire(k_, "A", "300", "00", 1, "山田　太郎", "1980-01-01", "2016-04-01") + "change," + k_ +
       ",A,300,00,,,,,1980-01-10,,,,,,,,,,,,,,\n");
  const auto old_date = ask(k_, "A", "300", "1980-01-01", "2020-01-01");
  EXPECT_EQ(old_date["validity"], 4);
  EXPECT_EQ(reason(old_date), "ELIGIBILITY_BIRTH_DATE_MISMATCH");
  EXPECT_EQ(ask(k_, "A", "300", "1980-01-10", "2020-01-01")["validity"], 1);
  const auto early = ask(k_, "A", "300", "1980-01-10", "2012-01-01");
  EXPECT_EQ(early["validity"], 1);
  EXPECT_EQ(early["record"]["acquired_on"], "2010-04-01");
}

// Class 4 (R-C4): a birth date after an acquisition is refused.
TEST_F(WrongAnswers, Class4BirthDateAfterAcquisitionIsRefused) {
  load(acquire(k_, "", "400", "00", 1, "山田　太郎", "1980-01-01", "2010-04-01"));
  const auto receipt = load("change," + k_ + ",,400,00,,,,,2015-01-01,,,,,,,,,,,,,,\n");
  EXPECT_EQ(rejected_code(receipt), "ROW_DATES_INCONSISTENT");
  EXPECT_EQ(ask(k_, "", "400", "2015-01-01", "2012-01-01")["validity"], 4);
  EXPECT_EQ(ask(k_, "", "400", "1980-01-01", "2012-01-01")["validity"], 1);
}

// Class 5 (R-Q6): 3 only when the linked person is covered on the as-of date.
TEST_F(WrongAnswers, Class5NewerMeansInForceOnTheDay) {
  load(acquire(k_, "", "5000", "00", 1, "山田　太郎", "1970-01-01", "2010-04-01", "2024-04-01",
               my_number_) +
       acquire(h_, "", "5001", "00", 1, "山田　太郎", "1970-01-01", "2012-04-01", "2013-04-01",
               my_number_));
  const auto a = ask(k_, "", "5000", "1970-01-01", "2025-01-01");
  EXPECT_EQ(a["validity"], 2);
  EXPECT_EQ(reason(a), "ELIGIBILITY_LOST");
  EXPECT_EQ(a["record"]["lost_on"], "2024-04-01");
  // A job change: the new coverage is in force, so the old card answers 3.
  load(acquire(h_, "", "5002", "00", 1, "山田　太郎", "1970-01-01", "2024-04-01", "", my_number_));
  EXPECT_EQ(ask(k_, "", "5000", "1970-01-01", "2025-01-01")["validity"], 3);
}

// Class 6 (R-Q4): one linked person under two branches is one person.
TEST_F(WrongAnswers, Class6OneLinkedPersonUnderTwoBranchesIsOnePerson) {
  load(acquire(k_, "", "300", "01", 1, "山田　太郎", "1970-01-01", "2010-04-01", "2020-04-01",
               my_number_) +
       acquire(k_, "", "300", "02", 1, "山田　太郎", "1970-01-01", "2020-04-01", "", my_number_));
  const auto a = ask(k_, "", "300", "1970-01-01", "2025-01-01");
  EXPECT_EQ(a["validity"], 1);
  EXPECT_EQ(a["record"]["branch"], "02");
  // Twins under two branches without a common link stay two persons.
  load(acquire(k_, "", "301", "01", 2, "双子　一", "2015-06-06", "2015-06-06") +
       acquire(k_, "", "301", "02", 2, "双子　二", "2015-06-06", "2015-06-06"));
  EXPECT_EQ(ask(k_, "", "301", "2015-06-06", "2025-01-01")["validity"], 5);
}

// Class 7 (R-A4): overlapping periods of one member are refused.
TEST_F(WrongAnswers, Class7OverlappingPeriodsAreRefused) {
  const auto receipt =
      load(acquire(k_, "", "700", "00", 1, "山田　太郎", "1970-01-01", "2010-04-01", "2022-04-01") +
           acquire(k_, "", "700", "00", 1, "山田　太郎", "1970-01-01", "2015-04-01", "2018-04-01"));
  EXPECT_EQ(rejected_code(receipt), "ROW_PERIOD_OVERLAP");
  const auto a = ask(k_, "", "700", "1970-01-01", "2023-01-01");
  EXPECT_EQ(a["validity"], 2);
  EXPECT_EQ(a["record"]["lost_on"], "2022-04-01");
}

// Class 8 (R-Q10, R-Q11): elderly terms only while valid and only at 70-74.
TEST_F(WrongAnswers, Class8ElderlyTermsOnlyWhileValidAndAt70To74) {
  const std::string row_end = ",,,,\n";
  load("acquire," + k_ + ",,800,00,1,高齢　一,,1,1952-01-01,,2010-04-01,,,3,,,2,2022-07-01," +
       "2023-07-31" + row_end + "acquire," + k_ +
       ",,801,00,1,若年　一,,1,1986-01-01,,2010-04-01,,,3,,,2,2020-01-01,2030-12-31" + row_end);
  const auto outside = ask(k_, "", "800", "1952-01-01", "2025-01-01");
  EXPECT_EQ(outside["validity"], 1);
  EXPECT_TRUE(outside["record"]["elderly_recipient"].is_null());
  EXPECT_EQ(outside["record"]["applicable_copay_ratio"], 3);
  const auto inside = ask(k_, "", "800", "1952-01-01", "2023-01-01");
  EXPECT_EQ(inside["record"]["elderly_recipient"]["copay_ratio"], 2);
  EXPECT_EQ(inside["record"]["applicable_copay_ratio"], 2);
  EXPECT_EQ(inside["record"]["copay_ratio"], 3);
  const auto young = ask(k_, "", "801", "1986-01-01", "2025-06-01");  // 39 years old
  EXPECT_TRUE(young["record"]["elderly_recipient"].is_null());
  EXPECT_EQ(young["record"]["applicable_copay_ratio"], 3);
}

// Class 9 (R-Q12): consent-gated terms only while valid on the as-of date.
TEST_F(WrongAnswers, Class9ConsentedTermsOnlyWhileValid) {
  load("acquire," + k_ + ",,900,00,1,山田　太郎,,1,1970-01-01,,2010-04-01,,,3,,,,,,A03," +
       "2024-01-01,2024-12-31,\n");
  nlohmann::json q{{"insurer_number", k_},
                   {"number", "900"},
                   {"birth_date", "1970-01-01"},
                   {"as_of", "2025-06-01"},
                   {"self_pay_limit_consent", true}};
  auto a = confirm(q);
  ASSERT_TRUE(a["record"].contains("self_pay_limit"));
  EXPECT_TRUE(a["record"]["self_pay_limit"].is_null());
  q["as_of"] = "2024-06-01";
  a = confirm(q);
  EXPECT_EQ(a["record"]["self_pay_limit"]["category"], "A03");
}

// Class 10 (N2): matching folds how people type.
TEST_F(WrongAnswers, Class10MatchingFoldsHowPeopleType) {
  load(acquire(k_, "ｱｲ", "1", "00", 1, "山田　太郎", "1970-01-01", "2010-04-01") +
       acquire(k_, "ガ", "2", "00", 1, "山田　次郎", "1971-01-01", "2010-04-01") +
       acquire(k_, "ab", "3", "00", 1, "山田　三郎", "1972-01-01", "2010-04-01") +
       acquire(k_, "12-34", "4", "00", 1, "山田　四郎", "1973-01-01", "2010-04-01"));
  EXPECT_EQ(ask(k_, "アイ", "1", "1970-01-01", "2026-01-01")["validity"], 1);
  EXPECT_EQ(ask(k_, "ｶﾞ", "2", "1971-01-01", "2026-01-01")["validity"], 1);
  EXPECT_EQ(ask(k_, "カ\u3099", "2", "1971-01-01", "2026-01-01")["validity"], 1);
  EXPECT_EQ(ask(k_, "ＡＢ", "3", "1972-01-01", "2026-01-01")["validity"], 1);
  EXPECT_EQ(ask(k_, "12\u00a0\u200b34", "4", "1973-01-01", "2026-01-01")["validity"], 1);
  EXPECT_EQ(ask(k_, "12\u301c34", "4", "1973-01-01", "2026-01-01")["validity"], 1);
  EXPECT_EQ(ask(k_, "１２ー３４", "4", "1973-01-01", "2026-01-01")["validity"], 1);
  // Registered half-width, asked the other way round.
  load(acquire(k_, "アイ", "5", "00", 1, "山田　五郎", "1974-01-01", "2010-04-01"));
  EXPECT_EQ(ask(k_, "ｱｲ", "5", "1974-01-01", "2026-01-01")["validity"], 1);
}

// Class 11 (N1, N2): the symbol comes back as registered; ｰ is a letter, not a hyphen.
TEST_F(WrongAnswers, Class11SymbolAsRegisteredAndProlongedMarkIsALetter) {
  load(acquire(k_, "１２－３４", "1", "00", 1, "山田　太郎", "1970-01-01", "2010-04-01") +
       acquire(k_, "東京　北", "2", "00", 1, "山田　次郎", "1971-01-01", "2010-04-01") +
       acquire(k_, "ｺｰﾄﾞ", "3", "00", 1, "山田　三郎", "1972-01-01", "2010-04-01"));
  EXPECT_EQ(ask(k_, "12-34", "1", "1970-01-01", "2026-01-01")["record"]["symbol"], "１２－３４");
  EXPECT_EQ(ask(k_, "東京北", "2", "1971-01-01", "2026-01-01")["record"]["symbol"], "東京　北");
  EXPECT_EQ(ask(k_, "コード", "3", "1972-01-01", "2026-01-01")["validity"], 1);
  EXPECT_EQ(reason(ask(k_, "ｺﾄﾞ", "3", "1972-01-01", "2026-01-01")),
            "ELIGIBILITY_NO_COVERAGE_FOR_NUMBER");
}

// R-Q13: a valid answer whose card has expired says so.
TEST_F(WrongAnswers, CardValidityEndedIsANoticeOnAValidAnswer) {
  load("acquire," + k_ + ",,1300,00,1,山田　太郎,,1,1970-01-01,,2010-04-01,,,3,2010-04-01," +
       "2024-03-31,,,,,,,\n");
  const auto a = ask(k_, "", "1300", "1970-01-01", "2025-01-01");
  EXPECT_EQ(a["validity"], 1);
  ASSERT_EQ(a["notices"].size(), 1u) << a.dump();
  EXPECT_EQ(a["notices"][0]["code"], "NOTICE_CARD_VALIDITY_ENDED");
  EXPECT_NE(a["notices"][0]["message_en"].get<std::string>().find("2024-03-31"), std::string::npos);
  EXPECT_TRUE(ask(k_, "", "1300", "1970-01-01", "2020-01-01")["notices"].empty());
}

// R-Q9: a dependant's insured_name follows the 本人's name.
TEST_F(WrongAnswers, InsuredNameFollowsTheInsuredMembersName) {
  load(acquire(k_, "", "1900", "00", 1, "山田　太郎", "1970-01-01", "2010-04-01") +
       acquire(k_, "", "1900", "01", 2, "山田　花子", "1972-01-01", "2010-04-01") + "change," + k_ +
       ",,1900,00,,佐藤　太郎,,,,,,,,,,,,,,,,,\n");
  const auto a = ask(k_, "", "1900", "1972-01-01", "2026-01-01");
  EXPECT_EQ(a["record"]["insured_name"], "佐藤　太郎");
}

}  // namespace
}  // namespace onshi::testing
