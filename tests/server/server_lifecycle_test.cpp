// The service as an operator runs it: TLS, graceful shutdown with nothing lost, and a load
// killed midway leaving the database as before.
#include <fcntl.h>

#include "store/store.hpp"
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
    return store::open_sqlite_store(dir_ + "/onshi.db")->coverage_count();
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
  beast::get_lowest_layer(stream).connect(
      tcp::endpoint(asio::ip::make_address("127.0.0.1"), server.port()));
  stream.handshake(asio::ssl::stream_base::client);
  bhttp::request<bhttp::string_body> req{bhttp::verb::post, "/v1/eligibility/confirm", 11};
  req.set(bhttp::field::host, "localhost");
  req.set(bhttp::field::authorization, "Bearer " + token_);
  req.set(bhttp::field::content_type, "application/json");
  req.body() = yoshida().dump();
  req.prepare_payload();
  bhttp::write(stream, req);
  beast::flat_buffer buf;
  bhttp::response<bhttp::string_body> res;
  bhttp::read(stream, buf, res);
  EXPECT_EQ(res.result_int(), 200u);
  EXPECT_EQ(nlohmann::json::parse(res.body())["record"]["name"], "𠮷田　太郎");

  // A plain-HTTP client gets nothing from a TLS listener (and the server survives it).
  EXPECT_ANY_THROW({
    HttpClient plain(server.port());
    plain.request(bhttp::verb::get, "/healthz");
  });
  EXPECT_EQ(server.stop(), 0);
}

TEST_F(ServerLifecycle, SigtermFinishesRequestsAndKeepsEveryAccessRecord) {
  constexpr int kRequests = 200;
  {
    ServerProcess server;
    server.start(dir_);
    std::vector<std::thread> clients;
    std::atomic<int> answered{0};
    for (int t = 0; t < 4; ++t)
      clients.emplace_back([&] {
        HttpClient c(server.port());
        for (int i = 0; i < kRequests / 4; ++i)
          if (c.request(bhttp::verb::post, "/v1/eligibility/confirm", yoshida().dump(),
                        {{"Authorization", "Bearer " + token_}})
                  .status == 200)
            ++answered;
      });
    for (auto& t : clients) t.join();
    EXPECT_EQ(answered.load(), kRequests);
    EXPECT_EQ(server.stop(), 0) << server.log();
    EXPECT_NE(server.log().find("onshi stopped"), std::string::npos);
  }
  // Every answered confirmation is in the access log, with no personal data in it.
  auto store = store::open_sqlite_store(dir_ + "/onshi.db");
  const auto records = store->access_records("", 10000);
  EXPECT_EQ(static_cast<int>(records.size()), kRequests);
  for (const auto& r : records) {
    EXPECT_EQ(r.facility_code, data_.hospital);
    EXPECT_EQ(r.actor, "desk-1");
    EXPECT_EQ(r.validity, 1);
    EXPECT_GT(r.coverage_id, 0);
  }
}

TEST_F(ServerLifecycle, ALoadKilledMidwayLeavesTheDatabaseAsBefore) {
  // A big file: 150,000 acquisitions under one insurer.
  std::string file =
      "event,insurer_number,symbol,number,branch,relationship,name,sex,birth_date,acquired_on\n";
  for (int i = 0; i < 150000; ++i)
    file += "acquire," + data_.kyokai + ",K," + std::to_string(100000 + i) +
            ",00,1,試験　太郎,1,1980-01-01,2024-04-01\n";
  write_text(dir_ + "/big.csv", file);
  std::int64_t before = open_count();
  pid_t pid = fork();
  if (pid == 0) {
    const int devnull = open("/dev/null", O_WRONLY);
    dup2(devnull, 1);
    dup2(devnull, 2);
    execl(ONSHI_BINARY, ONSHI_BINARY, "load", "--data-dir", dir_.c_str(), "registrations",
          (dir_ + "/big.csv").c_str(), nullptr);
    _exit(127);
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(400));
  kill(pid, SIGKILL);
  int status = 0;
  waitpid(pid, &status, 0);
  const std::int64_t after = open_count();
  // All or nothing: either the kill came first (nothing) or the load had committed (all).
  EXPECT_TRUE(after == before || after == before + 150000) << before << " -> " << after;
  // And the data directory is still usable: a full load now applies what is missing.
  std::string out;
  const int rc = run_onshi({"load", "--data-dir", dir_, "registrations", dir_ + "/big.csv"}, &out);
  EXPECT_EQ(rc, 0) << out;
  EXPECT_EQ(open_count(), before + 150000);
}

}  // namespace
}  // namespace onshi::testing
