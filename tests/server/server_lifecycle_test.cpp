// The service as an operator runs it: TLS, graceful shutdown with nothing lost, a pinned clock,
// and a load killed before or after its COMMIT leaving exactly the expected store.
#include <fcntl.h>

#include <atomic>
#include <map>
#include <utility>

#include "store/open_store.hpp"
#include "store/store.hpp"
#include "store/table_copy.hpp"
#include "tests/server/server_fixture.hpp"

namespace onshi::testing {
namespace {

class ServerLifecycle : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = ServerProcess::make_data_dir(data_);
    token_ = ServerProcess::issue(dir_, "facility", {data_.hospital}, "desk-1");
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  nlohmann::json yoshida() const {
    return {{"insurer_number", data_.kyokai},
            {"symbol", "12-34"},
            {"number", "5678"},
            {"branch", "00"},
            {"birth_date", "1972-05-01"},
            {"as_of", "2026-11-22"}};
  }
  std::int64_t open_count() {
    return store::open_store(dir_, test_store_url(dir_))->coverage_count();
  }
  TestData data_;
  std::string dir_, token_;
};

TEST_F(ServerLifecycle, ServesHttpsWithTheGivenCertificate) {
  const std::string cert = dir_ + "/cert.pem", key = dir_ + "/key.pem";
  ASSERT_EQ(std::system(("openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=localhost "
                         "-keyout " +
                         key + " -out " + cert + " >/dev/null 2>&1")
                            .c_str()),
            0);
  ServerProcess server;
  server.start(dir_, {"--tls-cert", cert, "--tls-key", key});

  asio::io_context ioc;
  asio::ssl::context ctx(asio::ssl::context::tls_client);
  ctx.load_verify_file(cert);
  ctx.set_verify_mode(asio::ssl::verify_peer);
  beast::ssl_stream<beast::tcp_stream> stream(ioc, ctx);
  // Every step has a deadline, as in HttpClient: a hung server fails the test, never CI.
  auto await = [&](auto start) {
    beast::error_code result = beast::error::timeout;
    beast::get_lowest_layer(stream).expires_after(std::chrono::seconds(10));
    start([&](beast::error_code ec, auto&&...) { result = ec; });
    ioc.restart();
    ioc.run();
    beast::get_lowest_layer(stream).expires_never();
    if (result) throw beast::system_error(result);
  };
  const tcp::endpoint endpoint(asio::ip::make_address("127.0.0.1"), server.port());
  await([&](auto done) { beast::get_lowest_layer(stream).async_connect(endpoint, done); });
  await([&](auto done) { stream.async_handshake(asio::ssl::stream_base::client, done); });
  bhttp::request<bhttp::string_body> req{bhttp::verb::post, "/v1/eligibility/confirm", 11};
  req.set(bhttp::field::host, "localhost");
  req.set(bhttp::field::authorization, "Bearer " + token_);
  req.set(bhttp::field::content_type, "application/json");
  req.body() = yoshida().dump();
  req.prepare_payload();
  await([&](auto done) { bhttp::async_write(stream, req, done); });
  beast::flat_buffer buf;
  bhttp::response<bhttp::string_body> res;
  await([&](auto done) { bhttp::async_read(stream, buf, res, done); });
  EXPECT_EQ(res.result_int(), 200u);
  EXPECT_EQ(nlohmann::json::parse(res.body())["record"]["name"], "𠮷田　太郎");

  // A plain-HTTP client gets nothing from a TLS listener (and the server survives it).
  EXPECT_ANY_THROW({
    HttpClient plain(server.port());
    plain.request(bhttp::verb::get, "/healthz");
  });
  EXPECT_EQ(server.stop(), 0);
}

// SIGTERM arrives while clients are still sending. Whatever was answered 200 is in the access
// log (exactly those: one record per answer, no more, no fewer); whoever was cut off sees a
// connection error or a 503, never a 200 without its record; the server exits 0.
TEST_F(ServerLifecycle, SigtermFinishesRequestsAndKeepsEveryAccessRecord) {
  constexpr int kClients = 8;
  constexpr int kAnsweredBeforeSigterm = 100;
  using Clock = std::chrono::steady_clock;
  // Two kinds of confirmation: a valid one (personal data: answered once its record is durable)
  // and a no-match (nothing personal: answered at once, its record written behind it).
  const std::string valid = yoshida().dump();
  auto nobody = yoshida();
  nobody["number"] = "0000";
  const std::string no_match = nobody.dump();

  struct Answered {
    std::string confirmation_id;
    int validity = 0;
  };
  struct ClientLog {
    std::vector<Answered> answered;  // every 200
    int unavailable = 0;             // 503s
    int other_status = 0;            // anything else: a failure
    int errors_before_sigterm = 0;   // connection errors before SIGTERM: a failure
    int errors_after_sigterm = 0;    // cut off by the shutdown: fine
    int straddling = 0;              // sent before SIGTERM, ended after it
    std::string first_other;
  };
  std::vector<ClientLog> logs(kClients);
  std::atomic<int> answered{0};
  std::atomic<bool> sigterm_sent{false};
  std::atomic<Clock::rep> sigterm_at{0};
  const auto give_up = Clock::now() + std::chrono::seconds(60);

  ServerProcess server;
  server.start(dir_);
  {
    std::vector<std::thread> clients;
    for (int t = 0; t < kClients; ++t)
      clients.emplace_back([&, t] {
        ClientLog& log = logs[t];
        int i = 0;
        while (Clock::now() < give_up) {
          const bool after_sigterm_at_connect = sigterm_sent.load();
          try {
            HttpClient c(server.port());
            for (; Clock::now() < give_up; ++i) {
              const auto sent = Clock::now().time_since_epoch().count();
              auto finished = [&] {
                const auto at = sigterm_at.load();
                if (at != 0 && sent < at) ++log.straddling;
              };
              HttpResult r;
              try {
                r = c.request(bhttp::verb::post, "/v1/eligibility/confirm",
                              i % 2 ? no_match : valid, {{"Authorization", "Bearer " + token_}});
              } catch (...) {
                finished();
                throw;
              }
              finished();
              if (r.status == 200) {
                const auto j = r.json();
                log.answered.push_back(
                    {j.value("confirmation_id", std::string()), j.value("validity", 0)});
                ++answered;
              } else if (r.status == 503) {
                ++log.unavailable;
              } else {
                if (!log.other_status++) log.first_other = std::to_string(r.status) + " " + r.body;
              }
            }
          } catch (const std::exception&) {
            // Refused, reset or closed: the server is going away (or has gone).
            if (sigterm_sent.load())
              ++log.errors_after_sigterm;
            else
              ++log.errors_before_sigterm;
            if (after_sigterm_at_connect) break;  // even a fresh connection failed: it is gone
          }
        }
      });
    // SIGTERM once some requests have been answered, with the clients still sending.
    while (answered.load() < kAnsweredBeforeSigterm && Clock::now() < give_up)
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    sigterm_at = Clock::now().time_since_epoch().count();
    sigterm_sent = true;
    server.signal(SIGTERM);
    for (auto& t : clients) t.join();
  }
  const ChildExit exit = server.wait(std::chrono::seconds(30));
  const std::string log = server.log();
  EXPECT_TRUE(exit.exited && exit.code == 0)
      << "exited " << exit.exited << " code " << exit.code << " signal " << exit.signal
      << " timed out " << exit.timed_out << "\n"
      << log;
  EXPECT_NE(log.find("onshi stopped"), std::string::npos) << log;

  std::map<std::string, int> answers;  // confirmation id -> validity
  int straddling = 0, cut_off = 0;
  for (const auto& l : logs) {
    EXPECT_EQ(l.other_status, 0) << l.first_other;
    EXPECT_EQ(l.errors_before_sigterm, 0);
    straddling += l.straddling;
    cut_off += l.errors_after_sigterm + l.unavailable;
    for (const auto& a : l.answered) {
      EXPECT_TRUE(a.validity == 1 || a.validity == 4) << a.validity;
      EXPECT_TRUE(answers.emplace(a.confirmation_id, a.validity).second) << a.confirmation_id;
    }
  }
  ASSERT_GE(static_cast<int>(answers.size()), kAnsweredBeforeSigterm);
  // The test tested something: requests were in flight when SIGTERM was sent, and every client
  // was eventually cut off (it loops until it is).
  EXPECT_GE(straddling, 1) << "no request was in flight at SIGTERM";
  EXPECT_GE(cut_off, kClients);

  // Exactly the answered confirmations are in the access log, each as answered.
  auto store = store::open_store(dir_, test_store_url(dir_));
  const auto records = store->access_records("", 1000000);
  std::map<std::string, const core::AccessRecord*> by_id;
  for (const auto& r : records) {
    EXPECT_TRUE(by_id.emplace(r.request_id, &r).second) << "duplicate " << r.request_id;
    EXPECT_EQ(r.facility_code, data_.hospital);
    EXPECT_EQ(r.actor, "desk-1");
  }
  for (const auto& [id, validity] : answers) {
    const auto it = by_id.find(id);
    if (it == by_id.end()) {
      ADD_FAILURE() << "answered 200 but no access record: " << id;
      continue;
    }
    EXPECT_EQ(it->second->validity, validity) << id;
    if (validity == 1)
      EXPECT_GT(it->second->coverage_id, 0) << id;
    else
      EXPECT_EQ(it->second->coverage_id, 0) << id;
  }
  for (const auto& [id, r] : by_id)
    EXPECT_TRUE(answers.count(id)) << "access record of a request never answered 200: " << id
                                   << " (validity " << r->validity << ")";
  EXPECT_EQ(records.size(), answers.size());
}

// The test client gives up on a server that never answers instead of hanging the test: here a
// listening socket nobody reads (the kernel completes the connection and takes the request).
TEST(HttpClientTest, ASilentServerFailsTheRequestWithATimeout) {
  asio::io_context ioc;
  tcp::acceptor silent(ioc, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  const auto t0 = std::chrono::steady_clock::now();
  try {
    HttpClient c(silent.local_endpoint().port(), std::chrono::milliseconds(300));
    c.request(bhttp::verb::get, "/healthz");
    ADD_FAILURE() << "a server that never answers gave an answer";
  } catch (const beast::system_error& e) {
    EXPECT_EQ(e.code(), beast::error::timeout) << e.code().message();
  }
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(5));
}

// The 'now' of `onshi serve` can be pinned (ONSHI_TEST_NOW), and the default confirmation date
// is the Japan date of that instant: the last millisecond of 2026-11-22 in Japan, then the
// first of 2026-11-23.
TEST_F(ServerLifecycle, DefaultAsOfIsTheJapanDateOfThePinnedClock) {
  auto body = yoshida();
  body.erase("as_of");
  for (const auto& [now, day] : std::vector<std::pair<std::string, std::string>>{
           {"2026-11-22T23:59:59.999+09:00", "2026-11-22"},
           {"2026-11-22T15:00:00.000Z", "2026-11-23"}}) {
    ServerProcess server;
    server.start(dir_, {}, {{"ONSHI_TEST_NOW", now}});
    HttpClient c(server.port());
    const auto r = c.request(bhttp::verb::post, "/v1/eligibility/confirm", body.dump(),
                             {{"Authorization", "Bearer " + token_}});
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.json()["as_of"], day) << now;
    EXPECT_EQ(server.stop(), 0) << server.log();
  }
  // A malformed value is refused at start rather than silently ignored.
  std::string out;
  const ChildExit e = run_onshi_with({"serve", "--data-dir", dir_, "--port", "0"},
                                     {{"ONSHI_TEST_NOW", "tomorrow"}}, &out);
  EXPECT_TRUE(e.exited && e.code != 0) << out;
  EXPECT_NE(out.find("ONSHI_TEST_NOW"), std::string::npos) << out;
}

// A load killed at a known point (test-only fault points, src/store/fault_point.hpp): after
// every row is written inside the transaction but before COMMIT, or right after COMMIT.
class KilledLoad : public ServerLifecycle {
 protected:
  static constexpr int kRows = 20000;
  void SetUp() override {
    ServerLifecycle::SetUp();
    std::string file =
        "event,insurer_number,symbol,number,branch,relationship,name,sex,birth_date,acquired_on\n";
    for (int i = 0; i < kRows; ++i)
      file += "acquire," + data_.kyokai + ",K," + std::to_string(100000 + i) +
              ",00,1,試験　太郎,1,1980-01-01,2024-04-01\n";
    file_ = dir_ + "/big.csv";
    write_text(file_, file);
  }
  // Rows in a table, counted on a connection of its own, whichever the backend.
  std::int64_t rows_in(const std::string& table) {
    auto tables = store::open_table_copy(dir_, test_store_url(dir_));
    for (const auto& t : store::copied_tables())
      if (t.name == table) return tables->count(t);
    ADD_FAILURE() << "no table " << table;
    return -1;
  }
  struct Counts {
    std::int64_t coverages, events, loads;
  };
  Counts counts() {
    return {store::open_store(dir_, test_store_url(dir_))->coverage_count(),
            rows_in("applied_events"), rows_in("loads")};
  }
  // `onshi load` with the fault point armed: it must die by SIGKILL.
  void load_killed_at(const std::string& point) {
    std::string out;
    const ChildExit e = run_onshi_with({"load", "--data-dir", dir_, "registrations", file_},
                                       {{"ONSHI_FAULT_POINT", point}}, &out);
    ASSERT_FALSE(e.timed_out) << out;
    ASSERT_FALSE(e.exited) << "exit code " << e.code << ": " << out;
    ASSERT_EQ(e.signal, SIGKILL) << out;
  }
  // A plain reload; its receipt.
  nlohmann::json reload() {
    std::string out;
    const int rc = run_onshi({"load", "--data-dir", dir_, "--json", "registrations", file_}, &out);
    EXPECT_EQ(rc, 0) << out;
    return nlohmann::json::parse(out, nullptr, false);
  }
  std::string file_;
};

TEST_F(KilledLoad, BeforeCommitLeavesTheStoreAsBefore) {
  const Counts before = counts();
  ASSERT_GT(before.events, 0);
  load_killed_at("commit_load.before_commit");
  const Counts after = counts();
  EXPECT_EQ(after.coverages, before.coverages);
  EXPECT_EQ(after.events, before.events) << "no event of the killed load counts as applied";
  EXPECT_EQ(after.loads, before.loads);
  // The data directory is usable and the reload applies every row.
  const auto receipt = reload();
  EXPECT_EQ(receipt["rows_total"], kRows) << receipt.dump();
  EXPECT_EQ(receipt["rows_applied"], kRows) << receipt.dump();
  EXPECT_EQ(receipt["rows_already_applied"], 0) << receipt.dump();
  EXPECT_EQ(receipt["rows_rejected"], 0) << receipt.dump();
  const Counts reloaded = counts();
  EXPECT_EQ(reloaded.coverages, before.coverages + kRows);
  EXPECT_EQ(reloaded.events, before.events + kRows);
  EXPECT_EQ(reloaded.loads, before.loads + 1);
}

TEST_F(KilledLoad, RightAfterCommitKeepsEveryRow) {
  const Counts before = counts();
  load_killed_at("commit_load.after_commit");
  const Counts after = counts();
  EXPECT_EQ(after.coverages, before.coverages + kRows);
  EXPECT_EQ(after.events, before.events + kRows);
  EXPECT_EQ(after.loads, before.loads + 1);
  // The reload finds every row already applied and changes nothing.
  const auto receipt = reload();
  EXPECT_EQ(receipt["rows_total"], kRows) << receipt.dump();
  EXPECT_EQ(receipt["rows_applied"], 0) << receipt.dump();
  EXPECT_EQ(receipt["rows_already_applied"], kRows) << receipt.dump();
  EXPECT_EQ(receipt["rows_rejected"], 0) << receipt.dump();
  EXPECT_EQ(counts().coverages, before.coverages + kRows);
  EXPECT_EQ(counts().events, before.events + kRows);
}

}  // namespace
}  // namespace onshi::testing
