// PostgreSQL restarted under a running node (issue 6, "Bad input and faults"): while the store
// is away, requests that need it get 503 with Retry-After, confirmations are still answered from
// the index and their access records are durable in the node's journal (they always are: the
// answer waits only for the journal); once PostgreSQL is back the node reconnects by itself,
// follows the change log again and the journal's importer catches up, every record exactly once.
//
// The cluster here is this test's own (scripts/pg-test-cluster.sh in a temp folder), never the
// pg_cluster fixture's: tests running in parallel against that one must not see it go away.
// The outage is real: pg_ctl stop (fast: a clean shutdown; immediate: as if it crashed).
#include <algorithm>
#include <filesystem>
#include <set>

#include "tests/server/server_fixture.hpp"

namespace onshi::testing {
namespace {

// Runs scripts/pg-test-cluster.sh; throws with its output if it fails.
void cluster_script(const std::vector<std::string>& args, const std::string& log) {
  std::vector<std::string> argv{"/bin/bash", ONSHI_PG_TEST_CLUSTER_SCRIPT};
  argv.insert(argv.end(), args.begin(), args.end());
  const ChildExit e = wait_child(spawn(argv, {}, log), std::chrono::seconds(120));
  if (!e.exited || e.code != 0)
    throw std::runtime_error("pg-test-cluster.sh " + args.at(0) + " failed: " + read_text(log));
}

std::string make_temp(const char* prefix) {
  std::string tmpl = std::string("/tmp/") + prefix + "-XXXXXX";
  if (mkdtemp(tmpl.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  return tmpl;
}

// The request ids (confirmation ids) of the records in a data directory's journal files, in
// chain order (field 10 of each complete line; see src/services/journal_format.hpp).
std::vector<std::string> journal_ids(const std::string& journal_dir) {
  std::vector<std::string> ids;
  if (!std::filesystem::exists(journal_dir)) return ids;
  std::vector<std::string> files;
  for (const auto& e : std::filesystem::recursive_directory_iterator(journal_dir))
    if (e.path().extension() == ".jnl") files.push_back(e.path().string());
  std::sort(files.begin(), files.end());
  for (const auto& f : files) {
    std::istringstream in(read_text(f));
    std::string line;
    while (std::getline(in, line)) {
      std::size_t at = 0;
      for (int field = 0; field < 9 && at != std::string::npos; ++field) {
        at = line.find('\t', at);
        if (at != std::string::npos) ++at;
      }
      if (at == std::string::npos) continue;
      ids.push_back(line.substr(at, line.find('\t', at) - at));
    }
  }
  return ids;
}

class PgRestart : public ::testing::TestWithParam<const char*> {
 protected:
  void SetUp() override {
    cluster_ = make_temp("onshi-pgrestart");
    cluster_script({"start", cluster_}, cluster_ + ".log");
    {
      std::ifstream in(cluster_ + "/url");
      std::getline(in, url_);
    }
    ASSERT_FALSE(url_.empty());
    env_ = {{"ONSHI_STORE", url_}};  // in the environment: the password stays out of argv

    dir_ = make_temp("onshi-pgrestart-node");
    write_text(dir_ + "/insurers.csv", data_.insurers_csv());
    write_text(dir_ + "/facilities.csv", data_.facilities_csv());
    write_text(dir_ + "/registrations.csv", data_.registrations_csv());
    for (const char* kind : {"insurers", "facilities", "registrations"})
      onshi({"load", "--data-dir", dir_, kind, dir_ + "/" + kind + ".csv"});
    facility_token_ = issue("facility", data_.hospital, "hospital-desk");
    insurer_token_ = issue("insurer", data_.kyokai, "kyokai-ops");
    operator_token_ = issue("operator", "ops", "ops");
    server_.start(dir_, {}, env_);
  }

  void TearDown() override {
    server_.stop();
    // Whether the server is running or halted: stop removes the folder either way.
    try {
      cluster_script({"stop", cluster_}, cluster_ + ".log");
    } catch (const std::exception& e) {
      ADD_FAILURE() << e.what();
    }
    std::filesystem::remove(cluster_ + ".log");
    std::filesystem::remove_all(dir_);
  }

  // Runs an onshi command on this test's store; fails the test if it does not succeed.
  std::string onshi(const std::vector<std::string>& args) {
    std::string out;
    const ChildExit e = run_onshi_with(args, env_, &out);
    if (!e.exited || e.code != 0) throw std::runtime_error("onshi " + args.at(0) + ": " + out);
    return out;
  }

  std::string issue(const std::string& role, const std::string& subject, const std::string& label) {
    std::vector<std::string> args{"credential", "issue", "--data-dir", dir_,
                                  "--role",     role,    "--label",    label};
    args.insert(args.end(), {"--subject", subject});
    std::string token = onshi(args);
    while (!token.empty() && (token.back() == '\n' || token.back() == '\r')) token.pop_back();
    return token;
  }

  // One SQL query on the store, rows as "a|b" lines.
  std::string sql(const std::string& query) {
    const std::string log = dir_ + "/psql.out";
    const ChildExit e = wait_child(
        spawn({"/usr/bin/psql", "-X", "-q", "-At", "-v", "ON_ERROR_STOP=1", url_, "-c", query}, {},
              log),
        std::chrono::seconds(30));
    std::string out = read_text(log);
    if (!e.exited || e.code != 0) throw std::runtime_error("psql failed: " + out);
    return out;
  }

  // How many times each request id is in the store's access log.
  std::map<std::string, int> stored_ids() {
    std::map<std::string, int> ids;
    std::istringstream in(sql("SELECT request_id, count(*) FROM journal GROUP BY request_id"));
    std::string line;
    while (std::getline(in, line)) {
      const auto bar = line.find('|');
      if (bar != std::string::npos) ids[line.substr(0, bar)] = std::stoi(line.substr(bar + 1));
    }
    return ids;
  }

  // Confirms (kyokai, symbol, number, birth date); returns the answer's validity, and records
  // the confirmation id of every answer (each one must reach the access log exactly once).
  int confirm(const std::string& symbol, const std::string& number, const std::string& birth) {
    HttpClient c(server_.port());
    const auto r = c.request(bhttp::verb::post, "/v1/eligibility/confirm",
                             nlohmann::json{{"insurer_number", data_.kyokai},
                                            {"symbol", symbol},
                                            {"number", number},
                                            {"birth_date", birth},
                                            {"as_of", "2026-11-22"}}
                                 .dump(),
                             {{"Authorization", "Bearer " + facility_token_}});
    EXPECT_EQ(r.status, 200) << r.body;
    const auto j = r.json();
    const std::string id = j.value("confirmation_id", std::string());
    EXPECT_FALSE(id.empty()) << r.body;
    if (!id.empty()) answered_.push_back(id);
    return j.value("validity", 0);
  }
  // 𠮷田 太郎: a valid coverage, so the answer carries personal data and waits for its record.
  int confirm_yoshida() { return confirm("12-34", "5678", "1972-05-01"); }
  int confirm_new(const std::string& number) { return confirm("77", number, "1980-01-01"); }

  HttpResult register_over_http(const std::string& number) {
    HttpClient c(server_.port());
    return c.request(bhttp::verb::post, "/v1/registrations", registration_csv(number),
                     {{"Authorization", "Bearer " + insurer_token_}, {"Content-Type", "text/csv"}});
  }
  std::string registration_csv(const std::string& number) const {
    return "event,insurer_number,symbol,number,branch,relationship,name,name_kana,sex,"
           "birth_date,acquired_on,copay_ratio\nacquire," +
           data_.kyokai + ",77," + number +
           ",00,1,﨑山　守,サキヤマ　マモル,1,1980-01-01,2024-04-01,3\n";
  }

  // The 503 a request that needs the store gets while it is away.
  static void expect_unavailable(const HttpResult& r) {
    EXPECT_EQ(r.status, 503) << r.body;
    EXPECT_EQ(r.retry_after, "2");
    const auto j = r.json();
    ASSERT_TRUE(j.contains("error")) << r.body;
    EXPECT_EQ(j["error"].value("code", std::string()), "UNAVAILABLE") << r.body;
    EXPECT_FALSE(j["error"].value("message_ja", std::string()).empty()) << r.body;
    EXPECT_FALSE(j["error"].value("message_en", std::string()).empty()) << r.body;
  }

  std::string journal() const { return dir_ + "/journal"; }

  TestData data_;
  std::string cluster_, url_, dir_;
  Env env_;
  std::string facility_token_, insurer_token_, operator_token_;
  ServerProcess server_;
  std::vector<std::string> answered_;  // confirmation ids of every answer, in order
};

TEST_P(PgRestart, ConfirmationsGoOnAndNothingIsLostOrDoubled) {
  const std::string mode = GetParam();
  // Before: the node works on the store.
  ASSERT_EQ(confirm_yoshida(), 1);
  {
    const auto r = register_over_http("9401");
    ASSERT_EQ(r.status, 200) << r.body;
  }
  ASSERT_EQ(confirm_new("9401"), 1);
  ASSERT_TRUE(eventually([&] { return stored_ids().size() == answered_.size(); })) << server_.log();
  const std::size_t before = answered_.size();

  cluster_script({"halt", cluster_, mode}, cluster_ + ".log");

  // During: confirmations are answered from the index, their records in the journal before the
  // answer leaves (the personal ones) or right after (the "not found" one, which carries
  // nothing); none of them in the store yet.
  for (int i = 0; i < 5; ++i) EXPECT_EQ(confirm_yoshida(), 1) << server_.log();
  EXPECT_EQ(confirm_new("9401"), 1);
  EXPECT_EQ(confirm_new("9499"), 4);  // not registered: no personal data in the answer
  const std::vector<std::string> outage(answered_.begin() + static_cast<std::ptrdiff_t>(before),
                                        answered_.end());
  EXPECT_TRUE(eventually([&] { return journal_ids(journal()) == answered_; })) << server_.log();
  // What needs the store says so, and when to try again.
  expect_unavailable(register_over_http("9402"));
  {
    HttpClient c(server_.port());
    expect_unavailable(c.request(bhttp::verb::get, "/v1/stats/daily", {},
                                 {{"Authorization", "Bearer " + operator_token_}}));
  }
  {
    HttpClient c(server_.port());
    EXPECT_EQ(c.request(bhttp::verb::get, "/healthz").status, 200);
  }
  // The importer's next turn (about a second: JournalOptions::import_every) finds the store
  // away and says so.
  EXPECT_TRUE(eventually([&] {
    return server_.log().find("the store does not take journal records") != std::string::npos;
  })) << server_.log();

  cluster_script({"resume", cluster_}, cluster_ + ".log");

  // After: the node reconnects by itself. A write succeeds again (the first attempts may still
  // find the store starting up)...
  EXPECT_TRUE(eventually([&] { return register_over_http("9402").status == 200; }))
      << server_.log();
  // ...and the importer catches up without waiting for another confirmation: every record
  // answered during the outage exactly once, nothing else.
  EXPECT_TRUE(eventually([&] { return stored_ids().size() == answered_.size(); })) << server_.log();
  // The change follower resumed: a registration by another process (the CLI) reaches the index.
  write_text(dir_ + "/later.csv", registration_csv("9403"));
  onshi({"load", "--data-dir", dir_, "registrations", dir_ + "/later.csv"});
  EXPECT_TRUE(eventually([&] { return confirm_new("9403") == 1; })) << server_.log();
  EXPECT_EQ(confirm_new("9402"), 1);

  EXPECT_EQ(server_.stop(), 0) << server_.log();  // a clean exit; flushes the access log
  std::map<std::string, int> want;
  for (const auto& id : answered_) want[id] = 1;
  EXPECT_EQ(stored_ids(), want);
  // The daily counters were added once per record too.
  EXPECT_EQ(sql("SELECT coalesce(sum(count), 0) FROM daily_counts"),
            std::to_string(answered_.size()) + "\n");
  EXPECT_EQ(journal_ids(journal()), answered_);
  // The node told the operator what happened, and never printed the store's password.
  const std::string log = server_.log();
  EXPECT_NE(log.find("the store does not take journal records"), std::string::npos) << log;
  EXPECT_NE(log.find("store reachable again"), std::string::npos) << log;
  EXPECT_NE(log.find("change log readable again"), std::string::npos) << log;
  const std::string password =
      url_.substr(url_.find(':', 13) + 1, url_.find('@') - url_.find(':', 13) - 1);
  ASSERT_GE(password.size(), 16u);
  EXPECT_EQ(log.find(password), std::string::npos);
}

// fast: PostgreSQL shuts down cleanly, disconnecting the node; immediate: it quits at once, as
// in a crash, and recovers at the next start.
INSTANTIATE_TEST_SUITE_P(StopModes, PgRestart, ::testing::Values("fast", "immediate"));

}  // namespace
}  // namespace onshi::testing
