#pragma once
// Runs a real `onshi serve` on a free loopback port over a data directory the test builds
// with the real CLI, and talks HTTP (or HTTPS) to it.
//
// Nothing here may hang CI: every HttpClient operation times out (HttpClient::kTimeout), every
// onshi command run to completion is killed past kCommandLimit, the server start waits until a
// deadline and reports the server's log, and every child process is started with
// PR_SET_PDEATHSIG so that it dies with the test process.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/prctl.h>
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
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "core/identifiers.hpp"

extern char** environ;

namespace onshi::testing {

namespace beast = boost::beast;
namespace bhttp = beast::http;
namespace asio = boost::asio;
using tcp = asio::ip::tcp;

// "Now" for every server the tests start (ONSHI_TEST_NOW, see src/services/clock.hpp), so that
// no server test depends on the real date or time of day.
inline constexpr const char* kTestNow = "2026-11-22T10:00:00.000+09:00";
// How long a write may take to reach a running server in the tests: a functional bound ("seen
// without a restart"), generous for a loaded CI machine; the delay itself is measured in bench/.
inline constexpr auto kVisibleWithin = std::chrono::seconds(5);

// Polls `done` every 20 ms until it holds or kVisibleWithin has passed; returns the last answer.
template <typename F>
bool eventually(F&& done) {
  const auto deadline = std::chrono::steady_clock::now() + kVisibleWithin;
  while (std::chrono::steady_clock::now() < deadline) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return done();
}

// Longest an onshi command run to completion may take before it is killed.
inline constexpr std::chrono::seconds kCommandLimit{120};

inline void write_text(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
}

inline std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// The backend every server test runs on, one parameter for the whole suite:
// ONSHI_TEST_BACKEND=postgresql puts each data directory's store in a fresh schema of the test
// cluster (ONSHI_TEST_POSTGRES_URL, or the file ONSHI_TEST_POSTGRES_URL_FILE names: CTest's
// pg_cluster fixture); anything else keeps the embedded SQLite store in the directory.
inline bool on_postgresql() {
  const char* b = std::getenv("ONSHI_TEST_BACKEND");
  return b != nullptr && std::string(b) == "postgresql";
}

inline std::string test_postgres_url() {
  if (const char* url = std::getenv("ONSHI_TEST_POSTGRES_URL"); url && *url) return url;
  const char* file = std::getenv("ONSHI_TEST_POSTGRES_URL_FILE");
  std::string url;
  if (file && *file) {
    std::ifstream in(file);
    std::getline(in, url);
  }
  // Never a skip: a run that asked for PostgreSQL and quietly used nothing would prove nothing.
  if (url.empty())
    throw std::runtime_error(
        "ONSHI_TEST_BACKEND=postgresql but no test cluster URL (run "
        "through ctest, whose pg_cluster fixture starts one)");
  return url;
}

// The file in a data directory that names its PostgreSQL store (PostgreSQL runs only).
inline std::string store_url_file(const std::string& dir) {
  return dir + "/test-store-url";
}

using Env = std::map<std::string, std::string>;

// This process's environment with `extra` set on top. The test-only hooks (ONSHI_TEST_NOW,
// ONSHI_FAULT_POINT) are never inherited: a child gets them only when a test sets them. Built
// before fork(): only async-signal-safe calls belong between fork() and exec().
inline std::vector<std::string> environment_with(const Env& extra) {
  std::vector<std::string> env;
  for (char** e = environ; e && *e; ++e) {
    const std::string entry = *e;
    const std::string name = entry.substr(0, entry.find('='));
    if (!extra.count(name) && name != "ONSHI_TEST_NOW" && name != "ONSHI_FAULT_POINT" &&
        name != "ONSHI_STORE")
      env.push_back(entry);
  }
  for (const auto& [k, v] : extra) env.push_back(k + "=" + v);
  return env;
}

// Starts `args` (args[0] is the program) with stdout and stderr going to `log_path`. The child
// gets SIGKILL when the thread that started it dies (PR_SET_PDEATHSIG), so a crashed or killed
// test leaves no server behind: start children from the test's main thread. A command given
// `--data-dir D` gets D's PostgreSQL store (ONSHI_STORE) when the suite runs on PostgreSQL.
inline pid_t spawn(std::vector<std::string> args, const Env& extra_env,
                   const std::string& log_path) {
  Env with_store = extra_env;
  for (std::size_t i = 0; i + 1 < args.size(); ++i)
    if (args[i] == "--data-dir" && std::filesystem::exists(store_url_file(args[i + 1])))
      with_store.emplace("ONSHI_STORE", read_text(store_url_file(args[i + 1])));
  std::vector<std::string> env = environment_with(with_store);
  std::vector<char*> argv, envp;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  for (auto& e : env) envp.push_back(e.data());
  envp.push_back(nullptr);
  const pid_t parent = getpid();
  const pid_t pid = fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) _exit(126);  // the parent died before prctl took effect
    const int fd = ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) _exit(125);
    dup2(fd, STDOUT_FILENO);
    dup2(fd, STDERR_FILENO);
    execve(argv[0], argv.data(), envp.data());
    _exit(127);
  }
  return pid;
}

// How a child ended.
struct ChildExit {
  bool exited = false;  // exit() or return from main: `code`
  int code = -1;
  int signal = 0;          // killed by this signal
  bool timed_out = false;  // still running at the deadline: the test killed it
};

// Waits for `pid` up to `limit`, then kills it with SIGKILL.
inline ChildExit wait_child(pid_t pid, std::chrono::milliseconds limit) {
  ChildExit out;
  int status = 0;
  const auto deadline = std::chrono::steady_clock::now() + limit;
  for (;;) {
    const pid_t r = waitpid(pid, &status, WNOHANG);
    if (r == pid) break;
    if (r < 0) throw std::runtime_error("waitpid failed");
    if (std::chrono::steady_clock::now() > deadline) {
      out.timed_out = true;
      kill(pid, SIGKILL);
      waitpid(pid, &status, 0);
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  if (WIFEXITED(status)) {
    out.exited = true;
    out.code = WEXITSTATUS(status);
  } else if (WIFSIGNALED(status)) {
    out.signal = WTERMSIG(status);
  }
  return out;
}

// The PostgreSQL URL of a data directory's store, or "" (SQLite in the directory).
inline std::string test_store_url(const std::string& dir) {
  return std::filesystem::exists(store_url_file(dir)) ? read_text(store_url_file(dir)) : "";
}

// A fresh data directory; on PostgreSQL with a fresh schema for its store.
inline std::string temp_dir() {
  char tmpl[] = "/tmp/onshi-server-test-XXXXXX";
  const char* d = mkdtemp(tmpl);
  if (!d) throw std::runtime_error("mkdtemp failed");
  const std::string dir = d;
  if (on_postgresql()) {
    std::string schema = "srv_" + dir.substr(dir.rfind('-') + 1);
    for (char& c : schema) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    const std::string url = test_postgres_url();
    const std::string log = dir + "/create-schema.log";
    const ChildExit e = wait_child(spawn({"/usr/bin/psql", "-q", "-v", "ON_ERROR_STOP=1", url, "-c",
                                          "CREATE SCHEMA \"" + schema + "\""},
                                         {}, log),
                                   std::chrono::seconds(30));
    if (!e.exited || e.code != 0)
      throw std::runtime_error("cannot create test schema: " + read_text(log));
    write_text(store_url_file(dir), url + (url.find('?') == std::string::npos ? "?" : "&") +
                                        "options=-csearch_path%3D" + schema);
  }
  return dir;
}

// Runs the onshi binary to completion (killed past kCommandLimit) with `extra_env` added to the
// environment; output (stdout and stderr) in `out`.
inline ChildExit run_onshi_with(const std::vector<std::string>& args, const Env& extra_env,
                                std::string* out = nullptr) {
  char tmpl[] = "/tmp/onshi-command-XXXXXX";
  const int fd = mkstemp(tmpl);
  if (fd < 0) throw std::runtime_error("mkstemp failed");
  ::close(fd);
  std::vector<std::string> argv{ONSHI_BINARY};
  argv.insert(argv.end(), args.begin(), args.end());
  const ChildExit e = wait_child(spawn(argv, extra_env, tmpl), kCommandLimit);
  std::string text = read_text(tmpl);
  std::filesystem::remove(tmpl);
  if (e.timed_out)
    text += "\n[test: onshi killed after " + std::to_string(kCommandLimit.count()) + " s]\n";
  if (out) *out = std::move(text);
  return e;
}

// Runs the onshi binary to completion; returns its exit code (-1 if it did not exit by itself),
// output in `out`.
inline int run_onshi(const std::vector<std::string>& args, std::string* out = nullptr) {
  const ChildExit e = run_onshi_with(args, {}, out);
  return e.exited ? e.code : -1;
}

struct HttpResult {
  int status = 0;
  std::string body;
  std::string content_type;
  std::string retry_after;  // the Retry-After header, "" if none
  std::string allow;        // the Allow header, "" if none
  std::string content_length;
  nlohmann::json json() const { return nlohmann::json::parse(body, nullptr, false); }
};

// One keep-alive connection. Connect, write and read each fail with beast::error::timeout
// (thrown as beast::system_error) after `timeout` (kTimeout), so a hung server fails the test.
class HttpClient {
 public:
  static constexpr std::chrono::milliseconds kTimeout{10000};

  explicit HttpClient(std::uint16_t port, std::chrono::milliseconds timeout = kTimeout)
      : timeout_(timeout), stream_(ioc_) {
    const tcp::endpoint ep(asio::ip::make_address("127.0.0.1"), port);
    await([&](auto done) { stream_.async_connect(ep, done); });
  }
  HttpResult request(bhttp::verb verb, const std::string& target, const std::string& body = {},
                     const std::map<std::string, std::string>& headers = {}) {
    return request(std::string(bhttp::to_string(verb)), target, body, headers);
  }
  // Any method token, known to Beast or not ("BREW").
  HttpResult request(const std::string& method, const std::string& target,
                     const std::string& body = {},
                     const std::map<std::string, std::string>& headers = {}) {
    bhttp::request<bhttp::string_body> req;
    req.method_string(method);
    req.target(target);
    req.version(11);
    const bhttp::verb verb = req.method();
    req.set(bhttp::field::host, "127.0.0.1");
    for (const auto& [k, v] : headers) req.set(k, v);
    if (verb == bhttp::verb::post || !body.empty()) {
      if (!headers.count("Content-Type")) req.set(bhttp::field::content_type, "application/json");
      req.body() = body;
      req.prepare_payload();
    }
    await([&](auto done) { bhttp::async_write(stream_, req, done); });
    return read(verb == bhttp::verb::head);
  }
  // `head`: the answer to a HEAD, whose Content-Length announces no body.
  HttpResult read(bool head = false) {
    bhttp::response_parser<bhttp::string_body> parser;
    parser.skip(head);
    parser.body_limit(512 << 20);
    await([&](auto done) { bhttp::async_read(stream_, buffer_, parser, done); });
    const auto& res = parser.get();
    return HttpResult{static_cast<int>(res.result_int()),
                      res.body(),
                      std::string(res[bhttp::field::content_type]),
                      std::string(res[bhttp::field::retry_after]),
                      std::string(res[bhttp::field::allow]),
                      std::string(res[bhttp::field::content_length])};
  }
  beast::tcp_stream& stream() { return stream_; }

 private:
  // Runs one asynchronous operation of the stream to completion or until kTimeout.
  template <typename Start>
  void await(Start start) {
    beast::error_code result;
    bool finished = false;
    stream_.expires_after(timeout_);
    start([&](beast::error_code ec, auto&&...) {
      result = ec;
      finished = true;
    });
    ioc_.restart();
    ioc_.run();
    stream_.expires_never();
    if (!finished) throw std::logic_error("HttpClient: operation did not complete");
    if (result) throw beast::system_error(result);
  }

  std::chrono::milliseconds timeout_;
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
  // `name` tells apart several servers on one data directory (port file, log).
  explicit ServerProcess(std::string name = "serve") : name_(std::move(name)) {}
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

  // Starts `onshi serve` with "now" pinned to kTestNow (`env` may set another ONSHI_TEST_NOW,
  // or other variables) and waits until it listens; throws with the server's log if it has not
  // within kStartLimit or exits first.
  static constexpr std::chrono::seconds kStartLimit{30};
  void start(const std::string& dir, const std::vector<std::string>& extra = {},
             const Env& env = {}) {
    dir_ = dir;
    const std::string port_file = dir + "/" + name_ + ".port";
    std::filesystem::remove(port_file);
    std::vector<std::string> args{ONSHI_BINARY, "serve", "--data-dir",  dir,      "--port", "0",
                                  "--threads",  "2",     "--port-file", port_file};
    for (const auto& e : extra) args.push_back(e);
    Env child_env{{"ONSHI_TEST_NOW", kTestNow}};
    for (const auto& [k, v] : env) child_env[k] = v;
    pid_ = spawn(args, child_env, dir + "/" + name_ + ".log");
    const auto deadline = std::chrono::steady_clock::now() + kStartLimit;
    while (!std::filesystem::exists(port_file)) {
      int status = 0;
      if (waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = 0;
        throw std::runtime_error("onshi serve exited before listening (status " +
                                 std::to_string(status) + "); its log:\n" + log());
      }
      if (std::chrono::steady_clock::now() > deadline) {
        kill(pid_, SIGKILL);
        waitpid(pid_, &status, 0);
        pid_ = 0;
        throw std::runtime_error("onshi serve did not listen within " +
                                 std::to_string(kStartLimit.count()) + " s; its log:\n" + log());
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    std::ifstream in(port_file);
    int port = 0;
    in >> port;
    if (port <= 0) throw std::runtime_error("onshi serve wrote no port; its log:\n" + log());
    port_ = static_cast<std::uint16_t>(port);
  }

  // Sends `sig` to the server without waiting.
  void signal(int sig) {
    if (pid_ > 0) kill(pid_, sig);
  }
  // Waits for the server to exit (SIGKILL after `limit`).
  ChildExit wait(std::chrono::milliseconds limit = std::chrono::seconds(10)) {
    if (pid_ <= 0) return ChildExit{true, 0};
    const ChildExit e = wait_child(pid_, limit);
    pid_ = 0;
    return e;
  }
  // SIGTERM and wait; returns the exit status (or -1 if it was killed or had to be).
  int stop() {
    if (pid_ <= 0) return 0;
    signal(SIGTERM);
    const ChildExit e = wait();
    return e.exited ? e.code : -1;
  }
  ~ServerProcess() { stop(); }
  ServerProcess(const ServerProcess&) = delete;
  ServerProcess& operator=(const ServerProcess&) = delete;
  std::uint16_t port() const { return port_; }
  std::string log() const { return read_text(dir_ + "/" + name_ + ".log"); }

 private:
  pid_t pid_ = 0;
  std::uint16_t port_ = 0;
  std::string dir_;
  std::string name_;
};

}  // namespace onshi::testing
