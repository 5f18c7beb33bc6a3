#pragma once
// Runs a real `onshi serve` on a free loopback port over a data directory the test builds
// with the real CLI, and talks HTTP (or HTTPS) to it.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "core/identifiers.hpp"

namespace onshi::testing {

namespace beast = boost::beast;
namespace bhttp = beast::http;
namespace asio = boost::asio;
using tcp = asio::ip::tcp;

inline std::string temp_dir() {
  char tmpl[] = "/tmp/onshi-server-test-XXXXXX";
  const char* d = mkdtemp(tmpl);
  if (!d) throw std::runtime_error("mkdtemp failed");
  return d;
}

inline void write_text(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
}

// Runs the onshi binary to completion; returns its exit code, output in `out`.
inline int run_onshi(const std::vector<std::string>& args, std::string* out = nullptr) {
  std::string cmd = ONSHI_BINARY;
  for (const auto& a : args) cmd += " '" + a + "'";
  cmd += " 2>&1";
  FILE* p = popen(cmd.c_str(), "r");
  if (!p) return -1;
  std::string text;
  char buf[4096];
  while (std::size_t n = fread(buf, 1, sizeof buf, p)) text.append(buf, n);
  const int status = pclose(p);
  if (out) *out = text;
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

struct HttpResult {
  int status = 0;
  std::string body;
  std::string content_type;
  nlohmann::json json() const { return nlohmann::json::parse(body, nullptr, false); }
};

// One keep-alive connection.
class HttpClient {
 public:
  explicit HttpClient(std::uint16_t port) : stream_(ioc_) {
    stream_.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
  }
  HttpResult request(bhttp::verb verb, const std::string& target, const std::string& body = {},
                     const std::map<std::string, std::string>& headers = {}) {
    bhttp::request<bhttp::string_body> req{verb, target, 11};
    req.set(bhttp::field::host, "127.0.0.1");
    for (const auto& [k, v] : headers) req.set(k, v);
    if (verb == bhttp::verb::post) {
      if (!headers.count("Content-Type")) req.set(bhttp::field::content_type, "application/json");
      req.body() = body;
      req.prepare_payload();
    }
    bhttp::write(stream_, req);
    return read();
  }
  HttpResult read() {
    bhttp::response_parser<bhttp::string_body> parser;
    parser.body_limit(512 << 20);
    bhttp::read(stream_, buffer_, parser);
    const auto& res = parser.get();
    return HttpResult{static_cast<int>(res.result_int()), res.body(),
                      std::string(res[bhttp::field::content_type])};
  }
  beast::tcp_stream& stream() { return stream_; }

 private:
  asio::io_context ioc_;
  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
};

// Known test data: two insurers, two facilities, families with every confirmation outcome.
struct TestData {
  std::string kyokai = core::make_insurer_number("0113001");  // 協会けんぽ 8 digits
  std::string kokuho = core::make_insurer_number("13101");    // 国保 6 digits
  std::string other = core::make_insurer_number("0627001");   // 健保組合
  std::string hospital = core::make_facility_code("131000001");
  std::string pharmacy = core::make_facility_code("134000002");
  std::string my_number = core::make_my_number("12345678901");

  std::string insurers_csv() const {
    return "number,name,kind,prefecture\n" + kyokai +
           ",全国健康保険協会 東京支部,kyokai_kenpo,13\n" + kokuho +
           ",千代田区,municipal_nhi,13\n" + other +
           ",髙島屋健康保険組合,health_insurance_society,27\n";
  }
  std::string facilities_csv() const {
    return "code,name,type,prefecture\n" + hospital + ",𠮷田記念病院,hospital,13\n" + pharmacy +
           ",山﨑薬局,pharmacy,13\n";
  }
  // CSV rows: header then events. Names cover old-form and rare kanji, and a variation sequence.
  std::string registrations_csv() const {
    const std::string h =
        "event,insurer_number,symbol,number,branch,relationship,insured_name,name,name_kana,sex,"
        "birth_date,address,postcode,acquired_on,lost_on,loss_reason,copay_ratio,"
        "elderly_copay_ratio,elderly_valid_from,elderly_valid_until,limit_category,"
        "limit_valid_from,limit_valid_until,specific_disease,specific_disease_valid_from,"
        "specific_disease_valid_until,my_number\n";
    std::string r = h;
    // 𠮷田 family: member (valid), spouse, twins without branch.
    r += "acquire," + kyokai +
         ",12-34,5678,00,1,𠮷田　太郎,𠮷田　太郎,ヨシダ　タロウ,1,1972-05-01,"
         "東京都千代田区千代田1-1,100-0001,2020-04-01,,,3,,,,A03,2026-01-01,2026-12-31,1,"
         "2026-01-01,2026-12-31,\n";
    r += "acquire," + kyokai +
         ",12-34,5678,01,2,𠮷田　太郎,𠮷田　花子,ヨシダ　ハナコ,2,1975-03-03,"
         "東京都千代田区千代田1-1,100-0001,2020-04-01,,,3,,,,,,,,,,\n";
    r += "acquire," + kyokai +
         ",12-34,5678,02,2,𠮷田　太郎,𠮷田　一郎,ヨシダ　イチロウ,1,2015-06-06,"
         "東京都千代田区千代田1-1,100-0001,2020-04-01,,,3,,,,,,,,,,\n";
    r += "acquire," + kyokai +
         ",12-34,5678,03,2,𠮷田　太郎,𠮷田　二郎,ヨシダ　ジロウ,1,2015-06-06,"
         "東京都千代田区千代田1-1,100-0001,2020-04-01,,,3,,,,,,,,,,\n";
    // 渡邉 (with variation selector U+E0101) lost coverage, newer coverage at another insurer.
    r += "acquire," + kokuho +
         ",千代田,777,00,1,渡邉󠄁　健,渡邉󠄁　健,ワタナベ　ケン,1,1950-01-15,"
         "東京都千代田区神田1-2,101-0047,2010-04-01,,,3,,,,,,,,,," +
         my_number + "\n";
    r += "lose," + kokuho + ",千代田,777,00,,,,,,,,,,2026-04-01,03,,,,,,,,,,," + my_number + "\n";
    r += "acquire," + other +
         ",55,1001,00,1,渡邉󠄁　健,渡邉󠄁　健,ワタナベ　ケン,1,1950-01-15,"
         "大阪府大阪市中央区1-1,541-0041,2026-04-01,,,2,2,2026-04-01,2027-03-31,,,,,,," +
         my_number + "\n";
    // 髙橋: lost (death), no newer coverage.
    r += "acquire," + kyokai +
         ",9,4242,00,1,髙橋　一,髙橋　一,タカハシ　ハジメ,1,1940-02-02,"
         "東京都港区1-1,105-0001,2000-04-01,2026-01-10,01,3,,,,,,,,,,\n";
    return r;
  }
};

class ServerProcess {
 public:
  // Builds a data directory with the CLI (reference lists, registrations, credentials).
  static std::string make_data_dir(const TestData& d) {
    const std::string dir = temp_dir();
    write_text(dir + "/insurers.csv", d.insurers_csv());
    write_text(dir + "/facilities.csv", d.facilities_csv());
    write_text(dir + "/registrations.csv", d.registrations_csv());
    std::string out;
    for (const auto& args : std::vector<std::vector<std::string>>{
             {"load", "--data-dir", dir, "insurers", dir + "/insurers.csv"},
             {"load", "--data-dir", dir, "facilities", dir + "/facilities.csv"},
             {"load", "--data-dir", dir, "registrations", dir + "/registrations.csv"}}) {
      if (run_onshi(args, &out) != 0) throw std::runtime_error("onshi load failed: " + out);
    }
    return dir;
  }

  static std::string issue(const std::string& dir, const std::string& role,
                           const std::vector<std::string>& subjects, const std::string& label) {
    std::vector<std::string> args{"credential", "issue", "--data-dir", dir,
                                  "--role",     role,    "--label",    label};
    for (const auto& s : subjects) {
      args.push_back("--subject");
      args.push_back(s);
    }
    std::string out;
    if (run_onshi(args, &out) != 0) throw std::runtime_error("credential issue failed: " + out);
    while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
    return out;
  }

  void start(const std::string& dir, const std::vector<std::string>& extra = {}) {
    dir_ = dir;
    const std::string port_file = dir + "/port";
    std::filesystem::remove(port_file);
    std::vector<std::string> args{ONSHI_BINARY, "serve", "--data-dir",  dir,      "--port", "0",
                                  "--threads",  "2",     "--port-file", port_file};
    for (const auto& e : extra) args.push_back(e);
    pid_ = fork();
    if (pid_ == 0) {
      const std::string log = dir + "/serve.log";
      FILE* f = freopen(log.c_str(), "w", stdout);
      (void)f;
      dup2(fileno(stdout), fileno(stderr));
      std::vector<char*> argv;
      for (auto& a : args) argv.push_back(a.data());
      argv.push_back(nullptr);
      execv(argv[0], argv.data());
      _exit(127);
    }
    for (int i = 0; i < 300 && !std::filesystem::exists(port_file); ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    std::ifstream in(port_file);
    int port = 0;
    in >> port;
    if (port <= 0) throw std::runtime_error("onshi serve did not start");
    port_ = static_cast<std::uint16_t>(port);
  }

  // SIGTERM and wait; returns the exit status (or -1 if it had to be killed).
  int stop() {
    if (pid_ <= 0) return 0;
    kill(pid_, SIGTERM);
    int status = 0;
    for (int i = 0; i < 500; ++i) {
      if (waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = 0;
        return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    kill(pid_, SIGKILL);
    waitpid(pid_, &status, 0);
    pid_ = 0;
    return -1;
  }
  ~ServerProcess() { stop(); }
  std::uint16_t port() const { return port_; }
  std::string log() const {
    std::ifstream in(dir_ + "/serve.log");
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }

 private:
  pid_t pid_ = 0;
  std::uint16_t port_ = 0;
  std::string dir_;
};

}  // namespace onshi::testing
