// Counter confirmation over HTTP against a running `onshi serve` (照会区分 2).
#include "tests/server/server_fixture.hpp"

namespace onshi::testing {
namespace {

class ConfirmApi : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    data_ = new TestData();
    dir_ = new std::string(ServerProcess::make_data_dir(*data_));
    hospital_token_ =
        new std::string(ServerProcess::issue(*dir_, "facility", {data_->hospital}, "desk-1"));
    insurer_token_ =
        new std::string(ServerProcess::issue(*dir_, "insurer", {data_->kyokai}, "kyokai-ops"));
    operator_token_ = new std::string(ServerProcess::issue(*dir_, "operator", {"ops"}, "ops"));
    server_ = new ServerProcess();
    server_->start(*dir_);
  }
  static void TearDownTestSuite() {
    delete server_;
    std::filesystem::remove_all(*dir_);
    delete dir_;
    delete data_;
    delete hospital_token_;
    delete insurer_token_;
    delete operator_token_;
  }

  HttpResult confirm(const nlohmann::json& body, const std::string& token = "") {
    HttpClient c(server_->port());
    return c.request(bhttp::verb::post, "/v1/eligibility/confirm", body.dump(),
                     {{"Authorization", "Bearer " + (token.empty() ? *hospital_token_ : token)}});
  }
  nlohmann::json yoshida(const std::string& branch = "00") const {
    return {{"insurer_number", data_->kyokai},
            {"symbol", "12-34"},
            {"number", "5678"},
            {"branch", branch},
            {"birth_date", "1972-05-01"},
            {"as_of", "2026-11-22"}};
  }

  static TestData* data_;
  static std::string* dir_;
  static std::string* hospital_token_;
  static std::string* insurer_token_;
  static std::string* operator_token_;
  static ServerProcess* server_;
};
TestData* ConfirmApi::data_ = nullptr;
std::string* ConfirmApi::dir_ = nullptr;
std::string* ConfirmApi::hospital_token_ = nullptr;
std::string* ConfirmApi::insurer_token_ = nullptr;
std::string* ConfirmApi::operator_token_ = nullptr;
ServerProcess* ConfirmApi::server_ = nullptr;

TEST_F(ConfirmApi, HealthzAnswers) {
  HttpClient c(server_->port());
  auto r = c.request(bhttp::verb::get, "/healthz");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.json()["status"], "ok");
  EXPECT_EQ(r.json()["coverages"], 7);  // 8 rows: one is the loss of an earlier coverage
}

TEST_F(ConfirmApi, ValidAnswerCarriesTheWholeRecordWithRareKanjiIntact) {
  auto r = confirm(yoshida());
  ASSERT_EQ(r.status, 200) << r.body;
  auto j = r.json();
  EXPECT_EQ(j["validity"], 1);
  EXPECT_EQ(j["validity_label"], "valid");
  EXPECT_TRUE(j["reason"].is_null());
  const auto& rec = j["record"];
  EXPECT_EQ(rec["name"], "𠮷田　太郎");
  EXPECT_EQ(rec["name_kana"], "ヨシダ　タロウ");
  EXPECT_EQ(rec["insurer_name"], "全国健康保険協会 東京支部");
  EXPECT_EQ(rec["insurer_number"], data_->kyokai);
  EXPECT_EQ(rec["symbol"], "12-34");
  EXPECT_EQ(rec["branch"], "00");
  EXPECT_EQ(rec["relationship"], 1);
  EXPECT_EQ(rec["sex"], 1);
  EXPECT_EQ(rec["birth_date"], "1972-05-01");
  EXPECT_EQ(rec["address"], "東京都千代田区千代田1-1");
  EXPECT_EQ(rec["postcode"], "100-0001");
  EXPECT_EQ(rec["acquired_on"], "2020-04-01");
  EXPECT_TRUE(rec["lost_on"].is_null());
  EXPECT_EQ(rec["copay_ratio"], 3);
  // Consent-gated terms are absent without the consent flags.
  EXPECT_FALSE(rec.contains("self_pay_limit"));
  EXPECT_FALSE(rec.contains("specific_disease"));
}

TEST_F(ConfirmApi, SelfPayLimitAndSpecificDiseaseOnlyWithConsent) {
  auto body = yoshida();
  body["self_pay_limit_consent"] = true;
  auto j = confirm(body).json();
  EXPECT_EQ(j["record"]["self_pay_limit"]["category"], "A03");
  EXPECT_FALSE(j["record"].contains("specific_disease"));
  body["specific_disease_consent"] = true;
  j = confirm(body).json();
  EXPECT_EQ(j["record"]["specific_disease"]["disease"], 1);
  EXPECT_EQ(j["record"]["specific_disease"]["valid_until"], "2026-12-31");
}

TEST_F(ConfirmApi, ForgivingInputFullWidthDigitsHyphensPaddingAndEraDates) {
  nlohmann::json body = {
      {"insurer_number", " " + data_->kyokai.substr(0, 4) + "-" + data_->kyokai.substr(4)},
      {"symbol", "１２ー３４"},
      {"number", "５６７８"},
      {"birth_date", "S47.05.01"},
      {"as_of", "R8/11/22"}};
  auto j = confirm(body).json();
  EXPECT_EQ(j["validity"], 1) << j.dump();
  EXPECT_EQ(j["record"]["branch"], "00");     // picked by birth date without a branch
  EXPECT_EQ(j["record"]["symbol"], "12-34");  // what the insurer registered
  for (const char* birth : {"昭和47年5月1日", "19720501", "１９７２－０５－０１"}) {
    body["birth_date"] = birth;
    EXPECT_EQ(confirm(body).json()["validity"], 1) << birth;
  }
  // A 6-digit 国保 number padded to 8 with zeros or spaces.
  nlohmann::json kokuho = {{"insurer_number", "00" + data_->kokuho},
                           {"symbol", "千代田"},
                           {"number", "777"},
                           {"birth_date", "1950-01-15"},
                           {"as_of", "2025-01-01"}};
  EXPECT_EQ(confirm(kokuho).json()["validity"], 1);
  kokuho["insurer_number"] = "  " + data_->kokuho;
  EXPECT_EQ(confirm(kokuho).json()["validity"], 1);
}

TEST_F(ConfirmApi, LostWithNewerCoverageSaysWhy) {
  nlohmann::json body = {{"insurer_number", data_->kokuho},
                         {"symbol", "千代田"},
                         {"number", "777"},
                         {"birth_date", "1950-01-15"},
                         {"as_of", "2026-11-22"}};
  auto j = confirm(body).json();
  EXPECT_EQ(j["validity"], 3) << j.dump();
  EXPECT_EQ(j["reason"]["code"], "ELIGIBILITY_LOST_NEWER_EXISTS");
  EXPECT_NE(j["reason"]["message_en"].get<std::string>().find("2026-04-01"), std::string::npos);
  EXPECT_NE(j["reason"]["message_en"].get<std::string>().find("other insurance"),
            std::string::npos);
  EXPECT_NE(j["reason"]["message_ja"].get<std::string>().find("新しい資格"), std::string::npos);
  EXPECT_FALSE(j["reason"]["remedy_en"].get<std::string>().empty());
  EXPECT_EQ(j["record"]["name"], "渡邉󠄁　健");  // variation sequence kept byte for byte
  EXPECT_EQ(j["record"]["lost_on"], "2026-04-01");
  EXPECT_EQ(j["record"]["loss_reason"], "03");
  // The day before the loss date the old coverage was still valid.
  body["as_of"] = "2026-03-31";
  EXPECT_EQ(confirm(body).json()["validity"], 1);
}

TEST_F(ConfirmApi, LostWithoutNewerCoverageIsInvalid) {
  nlohmann::json body = {{"insurer_number", data_->kyokai},
                         {"symbol", "9"},
                         {"number", "4242"},
                         {"birth_date", "1940-02-02"},
                         {"as_of", "2026-11-22"}};
  auto j = confirm(body).json();
  EXPECT_EQ(j["validity"], 2);
  EXPECT_EQ(j["reason"]["code"], "ELIGIBILITY_LOST");
  EXPECT_NE(j["reason"]["message_en"].get<std::string>().find("2026-01-10"), std::string::npos);
  EXPECT_EQ(j["record"]["name"], "髙橋　一");
}

TEST_F(ConfirmApi, NoMatchNamesTheCause) {
  auto body = yoshida();
  body["number"] = "5679";
  auto j = confirm(body).json();
  EXPECT_EQ(j["validity"], 4);
  EXPECT_EQ(j["reason"]["code"], "ELIGIBILITY_NO_COVERAGE_FOR_NUMBER");
  EXPECT_TRUE(j["record"].is_null());

  body = yoshida();
  body["birth_date"] = "1972-05-02";
  EXPECT_EQ(confirm(body).json()["reason"]["code"], "ELIGIBILITY_BIRTH_DATE_MISMATCH");
  body = yoshida("07");
  EXPECT_EQ(confirm(body).json()["reason"]["code"], "ELIGIBILITY_BRANCH_NOT_FOUND");
  body = yoshida();
  body["insurer_number"] = core::make_insurer_number("0113999");
  EXPECT_EQ(confirm(body).json()["reason"]["code"], "ELIGIBILITY_INSURER_UNKNOWN");
}

TEST_F(ConfirmApi, TwinsWithoutBranchAreSeveralMatchWithBranchValid) {
  auto body = yoshida();
  body.erase("branch");
  body["birth_date"] = "2015-06-06";
  auto j = confirm(body).json();
  EXPECT_EQ(j["validity"], 5);
  EXPECT_EQ(j["reason"]["code"], "ELIGIBILITY_SEVERAL_MATCH");
  body["branch"] = "3";
  j = confirm(body).json();
  EXPECT_EQ(j["validity"], 1);
  EXPECT_EQ(j["record"]["name"], "𠮷田　二郎");
}

TEST_F(ConfirmApi, BadInputGetsStableCodesNeverACrash) {
  HttpClient c(server_->port());
  const std::map<std::string, std::string> auth{{"Authorization", "Bearer " + *hospital_token_}};
  auto r = c.request(bhttp::verb::post, "/v1/eligibility/confirm", "{not json", auth);
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.json()["error"]["code"], "REQUEST_BODY_INVALID");
  EXPECT_FALSE(r.json()["error"]["message_ja"].get<std::string>().empty());
  EXPECT_FALSE(r.json()["error"]["remedy_en"].get<std::string>().empty());

  auto body = yoshida();
  body["insurer_number"] = "01130019";  // wrong check digit
  r = c.request(bhttp::verb::post, "/v1/eligibility/confirm", body.dump(), auth);
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.json()["error"]["code"], "INSURER_NUMBER_CHECK_DIGIT");

  body = yoshida();
  body["birth_date"] = "H31.05.01";  // Heisei ended 2019-04-30
  r = c.request(bhttp::verb::post, "/v1/eligibility/confirm", body.dump(), auth);
  EXPECT_EQ(r.json()["error"]["code"], "DATE_OUT_OF_RANGE");

  body = yoshida();
  body.erase("birth_date");
  r = c.request(bhttp::verb::post, "/v1/eligibility/confirm", body.dump(), auth);
  EXPECT_EQ(r.json()["error"]["code"], "REQUEST_FIELD_MISSING");

  body = yoshida();
  body["surname"] = "x";
  r = c.request(bhttp::verb::post, "/v1/eligibility/confirm", body.dump(), auth);
  EXPECT_EQ(r.json()["error"]["code"], "REQUEST_FIELD_INVALID");

  r = c.request(bhttp::verb::get, "/v1/eligibility/confirm", "", auth);
  EXPECT_EQ(r.status, 405);
  r = c.request(bhttp::verb::get, "/v1/nothing-here");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.json()["error"]["code"], "NOT_FOUND");
  // The connection survived every error above.
  r = c.request(bhttp::verb::get, "/healthz");
  EXPECT_EQ(r.status, 200);
}

TEST_F(ConfirmApi, UnauthenticatedAndWrongRoleAreRefused) {
  HttpClient c(server_->port());
  auto r = c.request(bhttp::verb::post, "/v1/eligibility/confirm", yoshida().dump());
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(r.json()["error"]["code"], "UNAUTHENTICATED");
  r = c.request(bhttp::verb::post, "/v1/eligibility/confirm", yoshida().dump(),
                {{"Authorization", "Bearer not-a-real-token"}});
  EXPECT_EQ(r.status, 401);
  r = c.request(bhttp::verb::post, "/v1/eligibility/confirm", yoshida().dump(),
                {{"Authorization", "Bearer " + *insurer_token_}});
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(r.json()["error"]["code"], "FORBIDDEN");
}

// The value of one Prometheus sample line, or -1.
long long metric(const std::string& text, const std::string& sample) {
  const auto at = text.find(sample + " ");
  if (at == std::string::npos) return -1;
  return std::stoll(text.substr(at + sample.size() + 1));
}

TEST_F(ConfirmApi, ConfirmationsAreCountedInMetricsAndDailyStats) {
  HttpClient c(server_->port());
  const std::map<std::string, std::string> ops{{"Authorization", "Bearer " + *operator_token_}};
  auto daily = [&](int validity) {
    std::int64_t n = 0;
    for (const auto& row : c.request(bhttp::verb::get, "/v1/stats/daily", "", ops).json()) {
      EXPECT_EQ(row["facility_type"], "hospital");
      EXPECT_EQ(row["method"], "insurance_card");
      if (row["validity"] == validity) n += row["count"].get<std::int64_t>();
    }
    return n;
  };
  const std::string valid_sample = "onshi_confirmations_total{validity=\"1\",result=\"valid\"}";
  const std::string ok_sample = "onshi_http_requests_total{route=\"confirm\",code=\"2xx\"}";
  const auto before = c.request(bhttp::verb::get, "/metrics").body;
  const std::int64_t valid_before = daily(1), no_match_before = daily(4);

  for (int i = 0; i < 3; ++i) ASSERT_EQ(confirm(yoshida()).json()["validity"], 1);
  auto body = yoshida();
  body["number"] = "0000";
  ASSERT_EQ(confirm(body).json()["validity"], 4);

  auto m = c.request(bhttp::verb::get, "/metrics");
  EXPECT_EQ(m.status, 200);
  EXPECT_NE(m.content_type.find("text/plain"), std::string::npos);
  EXPECT_EQ(metric(m.body, valid_sample) - metric(before, valid_sample), 3) << m.body;
  EXPECT_EQ(metric(m.body, ok_sample) - metric(before, ok_sample), 4);
  EXPECT_NE(m.body.find("onshi_http_request_duration_seconds_bucket{route=\"confirm\""),
            std::string::npos);

  // Daily counters for the operator: per day, facility type, method and result. They are
  // copied from the journal about once a second (JournalOptions::import_every).
  for (int attempt = 0; attempt < 500 && daily(4) - no_match_before < 1; ++attempt)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  EXPECT_EQ(daily(1) - valid_before, 3);
  EXPECT_EQ(daily(4) - no_match_before, 1);
  auto s = c.request(bhttp::verb::get, "/v1/stats/daily", "",
                     {{"Authorization", "Bearer " + *hospital_token_}});
  EXPECT_EQ(s.status, 403);
}

TEST_F(ConfirmApi, KeepAliveAndPipelinedRequestsAnswerInOrder) {
  HttpClient c(server_->port());
  // Two requests written back to back before reading anything.
  std::string wire;
  auto spouse = yoshida("01");
  spouse["birth_date"] = "1975-03-03";
  for (const auto& body : {yoshida(), spouse}) {
    const std::string b = body.dump();
    wire +=
        "POST /v1/eligibility/confirm HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        "Authorization: Bearer " +
        *hospital_token_ + "\r\nContent-Length: " + std::to_string(b.size()) + "\r\n\r\n" + b;
  }
  asio::write(c.stream().socket(), asio::buffer(wire));
  auto first = c.read();
  auto second = c.read();
  EXPECT_EQ(first.json()["record"]["name"], "𠮷田　太郎");
  EXPECT_EQ(second.json()["record"]["name"], "𠮷田　花子");
  for (int i = 0; i < 20; ++i) EXPECT_EQ(c.request(bhttp::verb::get, "/healthz").status, 200);
}

TEST_F(ConfirmApi, OversizedBodyIsRefusedWith413) {
  HttpClient c(server_->port());
  auto r = c.request(bhttp::verb::post, "/v1/eligibility/confirm", std::string(100 * 1024, ' '),
                     {{"Authorization", "Bearer " + *hospital_token_}});
  EXPECT_EQ(r.status, 413);
  EXPECT_EQ(r.json()["error"]["code"], "REQUEST_TOO_LARGE");
}

}  // namespace
}  // namespace onshi::testing
