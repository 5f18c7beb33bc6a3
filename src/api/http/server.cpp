#include "api/http/server.hpp"

#include <unistd.h>
#include <atomic>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>

#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <chrono>
#include <ctime>
#include <filesystem>
#include <limits>
#include <optional>
#include <thread>
#include <vector>

#include "api/error_json.hpp"

namespace onshi::api::http {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using tcp = asio::ip::tcp;

struct Shared {
  Router& router;
  ServerOptions options;
  std::optional<asio::ssl::context> tls;
  std::atomic<bool> stopping{false};
  std::atomic<int> in_flight{0};
};

// The Date header, formatted once a second per thread.
std::string_view http_date() {
  thread_local std::time_t cached_at = 0;
  thread_local char buf[64];
  const std::time_t now = std::time(nullptr);
  if (now != cached_at) {
    cached_at = now;
    std::tm tm{};
    gmtime_r(&now, &tm);
    std::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S GMT", &tm);
  }
  return buf;
}

// A name for a body file no other request of this process uses (write_new refuses to reuse).
std::string next_upload_path(const std::string& dir) {
  static std::atomic<std::uint64_t> counter{0};
  return dir + "/" + std::to_string(::getpid()) + "-" + std::to_string(++counter) + ".body";
}

template <typename Derived>
class Session {
 public:
  explicit Session(Shared& shared) : shared_(shared) {}
  ~Session() { remove_upload(); }

 protected:
  Derived& self() { return static_cast<Derived&>(*this); }

  void read_request(bool first) {
    file_parser_.reset();
    parser_.emplace();
    parser_->header_limit(16 * 1024);
    // The limit depends on the route, known only once the header is read; Beast checks a
    // Content-Length against the limit in force while it parses the header, so that one is
    // unbounded and on_header checks it (a limit set later binds only chunked bodies). Not
    // boost::none: Boost 1.81 compares the length with the empty optional and refuses all.
    parser_->body_limit(std::numeric_limits<std::uint64_t>::max());
    const int seconds =
        first ? shared_.options.read_timeout_seconds : shared_.options.idle_timeout_seconds;
    beast::get_lowest_layer(self().stream()).expires_after(std::chrono::seconds(seconds));
    bhttp::async_read_header(
        self().stream(), buffer_, *parser_,
        [s = self().shared_from_this()](beast::error_code ec, std::size_t) { s->on_header(ec); });
  }

  void on_header(beast::error_code ec) {
    if (ec) return fail_read(ec);
    const auto& h = parser_->get();
    const std::string_view target(h.target().data(), h.target().size());
    const std::string_view method(h.method_string().data(), h.method_string().size());
    route_ = match_route(method, target);
    const std::size_t limit = route_.body_limit;
    if (const auto length = parser_->content_length(); length && *length > limit)
      return fail_read(bhttp::error::body_limit);
    parser_->body_limit(limit);
    if (parser_->is_done()) return on_request(ec);
    beast::get_lowest_layer(self().stream())
        .expires_after(std::chrono::seconds(shared_.options.read_timeout_seconds));
    if (!shared_.options.upload_dir.empty() && route_.body_to_file) return read_body_to_file(limit);
    bhttp::async_read(
        self().stream(), buffer_, *parser_,
        [s = self().shared_from_this()](beast::error_code ec, std::size_t) { s->on_request(ec); });
  }

  // The header is read and the body not yet: the same parser goes on with a file body.
  void read_body_to_file(std::size_t limit) {
    file_parser_.emplace(std::move(*parser_));
    parser_.reset();
    file_parser_->body_limit(limit);
    upload_path_ = next_upload_path(shared_.options.upload_dir);
    beast::error_code ec;
    file_parser_->get().body().open(upload_path_.c_str(), beast::file_mode::write_new, ec);
    if (ec) {
      upload_path_.clear();
      return send_error(core::ErrorCode::kUnavailable, "the upload could not be stored");
    }
    bhttp::async_read(
        self().stream(), buffer_, *file_parser_,
        [s = self().shared_from_this()](beast::error_code ec, std::size_t) { s->on_request(ec); });
  }

  void remove_upload() {
    if (upload_path_.empty()) return;
    if (file_parser_) {
      beast::error_code ignored;
      file_parser_->get().body().file().close(ignored);
    }
    ::unlink(upload_path_.c_str());
    upload_path_.clear();
  }

  void fail_read(beast::error_code ec) {
    remove_upload();
    if (ec == bhttp::error::body_limit) {
      return send_error(core::ErrorCode::kRequestTooLarge, "larger than this route takes");
    }
    if (ec == bhttp::error::header_limit || ec == bhttp::error::bad_target ||
        ec == bhttp::error::bad_method || ec == bhttp::error::bad_version ||
        ec == bhttp::error::bad_field || ec == bhttp::error::bad_value ||
        ec == bhttp::error::bad_content_length || ec == bhttp::error::bad_transfer_encoding ||
        ec == bhttp::error::bad_chunk || ec == bhttp::error::bad_line_ending ||
        ec == bhttp::error::bad_obs_fold) {
      return send_error(core::ErrorCode::kRequestBodyInvalid, "the HTTP request cannot be read");
    }
    // Timeouts, resets and end of stream just close the connection.
    self().close();
  }

  // A protocol-level error: answered, then the connection is closed (the stream may be
  // out of step with request boundaries).
  void send_error(core::ErrorCode code, std::string detail) {
    const core::Error e = core::make_error(code, std::move(detail));
    HttpResponse r{http_status_of(e), "application/json; charset=utf-8", error_json(e)};
    head_ = false;
    keep_alive_ = false;
    write(std::move(r));
  }

  void on_request(beast::error_code ec) {
    if (ec) return fail_read(ec);
    if (file_parser_) {
      // Written with plain write(2) calls: closed, the whole body is in the file for a mapping.
      file_parser_->get().body().file().close(ec);
      if (ec) return fail_read(ec);
      return dispatch(file_parser_->get(), {}, upload_path_);
    }
    const auto& req = parser_->get();
    dispatch(req, req.body(), {});
  }

  template <typename Request>
  void dispatch(const Request& req, std::string_view body, std::string_view body_file) {
    ++shared_.in_flight;
    counted_ = true;
    keep_alive_ = req.keep_alive() && !shared_.stopping.load(std::memory_order_relaxed);
    head_ = req.method() == bhttp::verb::head;
    HttpRequest r;
    r.method = std::string_view(req.method_string().data(), req.method_string().size());
    r.target = std::string_view(req.target().data(), req.target().size());
    if (auto it = req.find(bhttp::field::authorization); it != req.end())
      r.authorization = std::string_view(it->value().data(), it->value().size());
    if (auto it = req.find(bhttp::field::content_type); it != req.end())
      r.content_type = std::string_view(it->value().data(), it->value().size());
    r.body = body;
    r.body_file = body_file;
    r.route = route_.route;
    // The router may answer later from another thread: come back to this connection's thread.
    shared_.router.handle(r, [s = self().shared_from_this()](HttpResponse response) {
      auto* raw = s.get();
      asio::dispatch(raw->stream().get_executor(),
                     [s = std::move(s), response = std::move(response)]() mutable {
                       s->finish(std::move(response));
                     });
    });
  }

  void finish(HttpResponse response) {
    remove_upload();  // the handler is done with it
    write(std::move(response));
  }

  void write(HttpResponse response) {
    res_ = {};
    res_.version(11);
    res_.result(static_cast<unsigned>(response.status));
    res_.set(bhttp::field::server, "onshi");
    res_.set(bhttp::field::date, http_date());
    res_.set(bhttp::field::content_type, response.content_type);
    if (response.retry_after_seconds > 0)
      res_.set(bhttp::field::retry_after, std::to_string(response.retry_after_seconds));
    if (!response.allow.empty()) res_.set(bhttp::field::allow, response.allow);
    res_.body() = std::move(response.body);
    res_.keep_alive(keep_alive_);
    res_.prepare_payload();
    if (head_) {
      // HEAD: the GET answer's headers, Content-Length included, without its body.
      const auto length = res_.body().size();
      res_.body().clear();
      res_.content_length(length);
    }
    beast::get_lowest_layer(self().stream())
        .expires_after(std::chrono::seconds(shared_.options.read_timeout_seconds));
    bhttp::async_write(
        self().stream(), res_,
        [s = self().shared_from_this()](beast::error_code ec, std::size_t) { s->on_write(ec); });
  }

  void on_write(beast::error_code ec) {
    if (counted_) {
      counted_ = false;
      --shared_.in_flight;
    }
    if (ec || !keep_alive_ || shared_.stopping.load(std::memory_order_relaxed))
      return self().close();
    read_request(false);
  }

  Shared& shared_;
  beast::flat_buffer buffer_;
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  std::optional<bhttp::request_parser<bhttp::file_body>> file_parser_;  // route_.body_to_file
  RouteMatch route_;                                                    // of the request being read
  std::string upload_path_;                                             // its file, or ""
  bhttp::response<bhttp::string_body> res_;
  bool keep_alive_ = true;
  bool head_ = false;     // the request in flight is a HEAD
  bool counted_ = false;  // a request of this connection is in flight
};

class PlainSession : public Session<PlainSession>,
                     public std::enable_shared_from_this<PlainSession> {
 public:
  PlainSession(tcp::socket socket, Shared& shared) : Session(shared), stream_(std::move(socket)) {}
  void start() { read_request(true); }
  beast::tcp_stream& stream() { return stream_; }
  void close() {
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    stream_.close();
  }

 private:
  friend class Session<PlainSession>;
  beast::tcp_stream stream_;
};

class TlsSession : public Session<TlsSession>, public std::enable_shared_from_this<TlsSession> {
 public:
  TlsSession(tcp::socket socket, Shared& shared)
      : Session(shared), stream_(std::move(socket), *shared.tls) {}
  void start() {
    beast::get_lowest_layer(stream_).expires_after(
        std::chrono::seconds(shared_.options.read_timeout_seconds));
    stream_.async_handshake(asio::ssl::stream_base::server,
                            [s = shared_from_this()](beast::error_code ec) {
                              if (ec) return s->close_now();
                              s->read_request(true);
                            });
  }
  beast::ssl_stream<beast::tcp_stream>& stream() { return stream_; }
  void close() {
    beast::get_lowest_layer(stream_).expires_after(std::chrono::seconds(5));
    stream_.async_shutdown([s = shared_from_this()](beast::error_code) { s->close_now(); });
  }
  void close_now() { beast::get_lowest_layer(stream_).close(); }

 private:
  beast::ssl_stream<beast::tcp_stream> stream_;
};

// One per thread: its own io_context and its own SO_REUSEPORT acceptor.
struct Worker {
  asio::io_context ioc{1};
  // Keeps run() going when no socket operation is pending: once the acceptor is closed at
  // SIGTERM, a connection whose answer waits for its access-log record has none, and without
  // this guard the thread would return and the answer never be written. Only
  // Server::wait_for_quiet stops a worker.
  asio::executor_work_guard<asio::io_context::executor_type> work = asio::make_work_guard(ioc);
  tcp::acceptor acceptor{ioc};
};

void accept_loop(Worker& w, Shared& shared) {
  w.acceptor.async_accept([&w, &shared](beast::error_code ec, tcp::socket socket) {
    if (ec) {
      if (ec == asio::error::operation_aborted || shared.stopping) return;
    } else {
      socket.set_option(tcp::no_delay(true), ec);
      if (shared.tls)
        std::make_shared<TlsSession>(std::move(socket), shared)->start();
      else
        std::make_shared<PlainSession>(std::move(socket), shared)->start();
    }
    accept_loop(w, shared);
  });
}

}  // namespace

struct Server::Impl {
  Impl(Router& router, ServerOptions options) : shared{router, std::move(options)} {}
  Shared shared;
  std::vector<std::unique_ptr<Worker>> workers;
  asio::io_context signals_ioc{1};
  std::uint16_t port = 0;
};

Server::Server(Router& router, ServerOptions options)
    : impl_(std::make_unique<Impl>(router, std::move(options))) {
  // Bodies a stopped process left behind hold personal data and will never be used.
  if (const auto& dir = impl_->shared.options.upload_dir; !dir.empty()) {
    std::filesystem::create_directories(dir);
    for (const auto& entry : std::filesystem::directory_iterator(dir))
      if (entry.path().extension() == ".body") std::filesystem::remove(entry.path());
  }
}

Server::~Server() = default;

std::uint16_t Server::bind() {
  auto& opt = impl_->shared.options;
  if (!opt.tls_certificate.empty()) {
    auto& tls = impl_->shared.tls.emplace(asio::ssl::context::tls_server);
    tls.set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                    asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 |
                    asio::ssl::context::no_tlsv1_1);
    tls.use_certificate_chain_file(opt.tls_certificate);
    tls.use_private_key_file(opt.tls_private_key, asio::ssl::context::pem);
  }
  int threads = opt.threads > 0
                    ? opt.threads
                    : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  const tcp::endpoint first(asio::ip::make_address(opt.host), opt.port);
  std::uint16_t port = opt.port;
  for (int i = 0; i < threads; ++i) {
    auto w = std::make_unique<Worker>();
    const tcp::endpoint ep(first.address(), port);
    w->acceptor.open(ep.protocol());
    w->acceptor.set_option(asio::socket_base::reuse_address(true));
    // Every worker binds the same port; the kernel spreads connections over them.
    int one = 1;
    ::setsockopt(w->acceptor.native_handle(), SOL_SOCKET, SO_REUSEPORT, &one, sizeof one);
    w->acceptor.bind(ep);
    w->acceptor.listen(asio::socket_base::max_listen_connections);
    port = w->acceptor.local_endpoint().port();
    impl_->workers.push_back(std::move(w));
  }
  impl_->port = port;
  return port;
}

void Server::run() {
  if (impl_->workers.empty()) bind();
  auto& shared = impl_->shared;
  for (auto& w : impl_->workers) accept_loop(*w, shared);
  asio::signal_set signals(impl_->signals_ioc, SIGINT, SIGTERM);
  signals.async_wait([this](beast::error_code ec, int) {
    if (!ec) stop();
  });
  std::vector<std::thread> threads;
  for (auto& w : impl_->workers) threads.emplace_back([&w] { w->ioc.run(); });
  impl_->signals_ioc.run();
  for (auto& t : threads) t.join();
}

void Server::stop() {
  auto& shared = impl_->shared;
  if (shared.stopping.exchange(true)) return;
  for (auto& w : impl_->workers)
    asio::post(w->ioc, [&w] {
      beast::error_code ec;
      w->acceptor.close(ec);
    });
  // Let requests in flight finish (their answers may wait on the access log), then stop.
  asio::post(impl_->signals_ioc, [this] { wait_for_quiet(std::chrono::steady_clock::now()); });
}

void Server::wait_for_quiet(std::chrono::steady_clock::time_point since) {
  auto& shared = impl_->shared;
  if (std::chrono::steady_clock::now() - since > std::chrono::seconds(10)) {
    for (auto& w : impl_->workers) w->ioc.stop();
    impl_->signals_ioc.stop();
    return;
  }
  // Each worker stops itself, on its own thread, when nothing is in flight anywhere: a request
  // of that worker can then not begin between the check and the stop (as it could if this
  // thread checked and stopped it), and none of its answers is still waiting to be written.
  bool all_stopped = true;
  for (auto& w : impl_->workers) {
    if (w->ioc.stopped()) continue;
    all_stopped = false;
    asio::post(w->ioc, [&shared, w = w.get()] {
      if (shared.in_flight.load() == 0) w->ioc.stop();
    });
  }
  if (all_stopped) {
    impl_->signals_ioc.stop();
    return;
  }
  auto timer = std::make_shared<asio::steady_timer>(impl_->signals_ioc);
  timer->expires_after(std::chrono::milliseconds(10));
  timer->async_wait([this, timer, since](beast::error_code) { wait_for_quiet(since); });
}

}  // namespace onshi::api::http
