// One truth for every process (issue 6): a running `onshi serve` answers what another process
// wrote to the same data directory -- registrations, credentials issued and revoked -- without
// a restart, and two loads from two processes end as if one ran after the other.
//
// Deadlines: kVisibleWithin (server_fixture.hpp).
#include "tests/server/server_fixture.hpp"

namespace onshi::testing {
namespace {

class ChangeLog : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = ServerProcess::make_data_dir(data_);
    facility_token_ = ServerProcess::issue(dir_, "facility", {data_.pharmacy}, "pharmacy-desk");
    server_.start(dir_);
  }
  void TearDown() override {
    server_.stop();
    std::filesystem::remove_all(dir_);
  }

  HttpResult confirm(const std::string& number, const std::string& token) {
    HttpClient c(server_.port());
    nlohmann::json body = {{"insurer_number", data_.kyokai},
                           {"symbol", "77"},
                           {"number", number},
                           {"birth_date", "1980-01-01"},
                           {"as_of", "2026-11-22"}};
    return c.request(bhttp::verb::post, "/v1/eligibility/confirm", body.dump(),
                     {{"Authorization", "Bearer " + token}});
  }
  int validity(const std::string& number) {
    const auto r = confirm(number, facility_token_);
    EXPECT_EQ(r.status, 200) << r.body;
    return r.json().value("validity", 0);
  }

  std::string write_registrations(const std::string& name, const std::string& rows) {
    const std::string path = dir_ + "/" + name;
    write_text(path,
               "event,insurer_number,symbol,number,branch,relationship,name,name_kana,sex,"
               "birth_date,acquired_on,copay_ratio\n" +
                   rows);
    return path;
  }
  std::string acquire_row(const std::string& number, const std::string& name) const {
    return "acquire," + data_.kyokai + ",77," + number + ",00,1," + name +
           ",サキヤマ　マモル,1,1980-01-01,2024-04-01,3\n";
  }

  TestData data_;
  std::string dir_, facility_token_;
  ServerProcess server_;
};

TEST_F(ChangeLog, RegistrationLoadedByAnotherProcessIsAnsweredWithoutRestart) {
  ASSERT_EQ(validity("9101"), 4);  // not registered yet: 該当なし
  const std::string file = write_registrations("new.csv", acquire_row("9101", "﨑山　守"));
  std::string out;
  ASSERT_EQ(run_onshi({"load", "--data-dir", dir_, "registrations", file}, &out), 0) << out;
  EXPECT_TRUE(eventually([&] { return validity("9101") == 1; }))
      << "the running server still answers " << validity("9101") << "; its log:\n"
      << server_.log();
}

TEST_F(ChangeLog, CredentialIssuedByAnotherProcessAuthenticatesAndRevokedIsRefused) {
  const std::string token =
      ServerProcess::issue(dir_, "facility", {data_.hospital}, "hospital-desk-new");
  EXPECT_TRUE(eventually([&] { return confirm("9101", token).status == 200; }))
      << confirm("9101", token).body;

  std::string out;
  ASSERT_EQ(run_onshi({"credential", "revoke", "--data-dir", dir_, "--token", token}, &out), 0)
      << out;
  EXPECT_TRUE(eventually([&] { return confirm("9101", token).status == 401; }));
  // The other credential is untouched.
  EXPECT_EQ(confirm("9101", facility_token_).status, 200);

  // Revoking by label, and revoking what is not there.
  ASSERT_EQ(
      run_onshi({"credential", "revoke", "--data-dir", dir_, "--label", "pharmacy-desk"}, &out), 0)
      << out;
  EXPECT_TRUE(eventually([&] { return confirm("9101", facility_token_).status == 401; }));
  EXPECT_EQ(
      run_onshi({"credential", "revoke", "--data-dir", dir_, "--token", "no-such-token"}, &out), 2)
      << out;
}

// Two processes load at the same moment, each a big file (so that their transactions overlap)
// ending with one row for the same card key -- typed differently, for two different persons.
// As if one ran after the other: exactly one of the two rows is applied, the other is refused
// with a row code, and every filler row of both files is applied.
TEST_F(ChangeLog, TwoLoadsOfOneCardKeyFromTwoProcessesEndAsIfOneRanAfterTheOther) {
  constexpr int kFiller = 15000;
  std::string a, b;
  for (int i = 0; i < kFiller; ++i) {
    a += acquire_row(std::to_string(200000 + i), "石川　亮");
    b += acquire_row(std::to_string(300000 + i), "森　葵");
  }
  a += acquire_row("9301", "﨑山　守");
  b += "acquire," + data_.kyokai + ",７７,９３０１,00,1,邊見　茂,ヘンミ　シゲル,1,1970-07-07," +
       "2024-04-01,3\n";
  const std::string fa = write_registrations("a.csv", a), fb = write_registrations("b.csv", b);

  const std::string log_a = dir_ + "/load-a.log", log_b = dir_ + "/load-b.log";
  auto start = [&](const std::string& file, const std::string& log) {
    return spawn({ONSHI_BINARY, "load", "--data-dir", dir_, "--json", "registrations", file}, {},
                 log);
  };
  const pid_t pa = start(fa, log_a);
  const pid_t pb = start(fb, log_b);
  const ChildExit ea = wait_child(pa, kCommandLimit), eb = wait_child(pb, kCommandLimit);
  ASSERT_TRUE(ea.exited) << read_text(log_a);
  ASSERT_TRUE(eb.exited) << read_text(log_b);
  auto receipt = [](const std::string& log) {
    const std::string text = read_text(log);
    const auto j = nlohmann::json::parse(text.substr(text.find('{')), nullptr, false);
    EXPECT_FALSE(j.is_discarded()) << text;
    return j;
  };
  const auto ra = receipt(log_a), rb = receipt(log_b);
  const int applied = ra.value("rows_applied", 0) + rb.value("rows_applied", 0);
  EXPECT_EQ(applied, 2 * kFiller + 1) << ra.dump() << '\n' << rb.dump();
  const std::size_t refused = ra["rejected"].size() + rb["rejected"].size();
  ASSERT_EQ(refused, 1u) << ra.dump() << '\n' << rb.dump();
  const auto& refusal = ra["rejected"].empty() ? rb["rejected"][0] : ra["rejected"][0];
  EXPECT_EQ(refusal["line"], kFiller + 2);
  EXPECT_EQ(refusal["code"], "ROW_PERSON_CONFLICT") << refusal.dump();

  // The server answers the one person the card key holds, whichever load won.
  EXPECT_TRUE(eventually([&] { return validity(std::to_string(300000 + kFiller - 1)) == 1; }));
  HttpClient c(server_.port());
  const auto r =
      c.request(bhttp::verb::post, "/v1/eligibility/confirm",
                nlohmann::json{{"insurer_number", data_.kyokai},
                               {"symbol", "77"},
                               {"number", "9301"},
                               {"birth_date", ra["rejected"].empty() ? "1980-01-01" : "1970-07-07"},
                               {"as_of", "2026-11-22"}}
                    .dump(),
                {{"Authorization", "Bearer " + facility_token_}});
  EXPECT_EQ(r.json().value("validity", 0), 1) << r.body;
}

}  // namespace
}  // namespace onshi::testing
