// Several nodes, one truth (issue 6): two `onshi serve` nodes on one store answer the same. On
// PostgreSQL (ONSHI_TEST_BACKEND=postgresql) this is the reference deployment's two-node case;
// on SQLite the two nodes share one data directory's file, which is one truth the same way.
#include "tests/server/server_fixture.hpp"

namespace onshi::testing {
namespace {

class TwoNodes : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = ServerProcess::make_data_dir(data_);
    insurer_token_ = ServerProcess::issue(dir_, "insurer", {data_.kyokai}, "kyokai-ops");
    facility_token_ = ServerProcess::issue(dir_, "facility", {data_.pharmacy}, "pharmacy-desk");
    a_.start(dir_, {"--node-id", "node-a"});
    b_.start(dir_, {"--node-id", "node-b"});
  }
  void TearDown() override {
    a_.stop();
    b_.stop();
    std::filesystem::remove_all(dir_);
  }

  nlohmann::json confirm(ServerProcess& node, const std::string& number) {
    HttpClient c(node.port());
    const auto r = c.request(bhttp::verb::post, "/v1/eligibility/confirm",
                             nlohmann::json{{"insurer_number", data_.kyokai},
                                            {"symbol", "77"},
                                            {"number", number},
                                            {"birth_date", "1980-01-01"},
                                            {"as_of", "2026-11-22"}}
                                 .dump(),
                             {{"Authorization", "Bearer " + facility_token_}});
    EXPECT_EQ(r.status, 200) << r.body;
    return r.json();
  }
  int validity(ServerProcess& node, const std::string& number) {
    return confirm(node, number).value("validity", 0);
  }
  void register_on(ServerProcess& node, const std::string& number) {
    HttpClient c(node.port());
    const auto r =
        c.request(bhttp::verb::post, "/v1/registrations",
                  "event,insurer_number,symbol,number,branch,relationship,name,"
                  "name_kana,sex,birth_date,acquired_on,copay_ratio\nacquire," +
                      data_.kyokai + ",77," + number +
                      ",00,1,﨑山　守,サキヤマ　マモル,1,1980-01-01,2024-04-01,3\n",
                  {{"Authorization", "Bearer " + insurer_token_}, {"Content-Type", "text/csv"}});
    ASSERT_EQ(r.status, 200) << r.body;
    ASSERT_EQ(r.json().value("rows_applied", 0), 1) << r.body;
  }

  TestData data_;
  std::string dir_, insurer_token_, facility_token_;
  ServerProcess a_{"node-a"}, b_{"node-b"};
};

TEST_F(TwoNodes, ARegistrationThroughOneNodeIsAnsweredByTheOther) {
  ASSERT_EQ(validity(b_, "9401"), 4);
  register_on(a_, "9401");
  EXPECT_EQ(validity(a_, "9401"), 1);  // the writing node answers at once
  EXPECT_TRUE(eventually([&] { return validity(b_, "9401") == 1; })) << b_.log();
  // And the other way round.
  register_on(b_, "9402");
  EXPECT_TRUE(eventually([&] { return validity(a_, "9402") == 1; })) << a_.log();
}

TEST_F(TwoNodes, ConfirmationIdsCarryTheNodeAndNeverCollide) {
  std::set<std::string> ids;
  for (int i = 0; i < 50; ++i) {
    for (ServerProcess* node : {&a_, &b_}) {
      const std::string id = confirm(*node, "9999").value("confirmation_id", std::string());
      EXPECT_EQ(id.rfind(node == &a_ ? "node-a-" : "node-b-", 0), 0u) << id;
      EXPECT_TRUE(ids.insert(id).second) << id;
    }
  }
}

TEST_F(TwoNodes, ANodeThatWasDownAnswersWhatWasWrittenMeanwhile) {
  b_.stop();
  register_on(a_, "9403");
  const std::string token = ServerProcess::issue(dir_, "facility", {data_.hospital}, "new-desk");
  b_.start(dir_, {"--node-id", "node-b"});
  EXPECT_EQ(validity(b_, "9403"), 1);
  HttpClient c(b_.port());
  const auto r = c.request(bhttp::verb::post, "/v1/eligibility/confirm",
                           nlohmann::json{{"insurer_number", data_.kyokai},
                                          {"symbol", "77"},
                                          {"number", "9403"},
                                          {"birth_date", "1980-01-01"}}
                               .dump(),
                           {{"Authorization", "Bearer " + token}});
  EXPECT_EQ(r.status, 200) << r.body;
}

}  // namespace
}  // namespace onshi::testing
