#pragma once
// The HTTP/1.1 listener (Boost.Beast over Asio; chosen by measurement, see
// docs/http-server-choice.md). One io_context per thread, each accepting on its own
// SO_REUSEPORT socket, so a connection lives on one thread and needs no locks. Keep-alive,
// pipelined requests answered in order, bounded header and body sizes, read and idle timeouts,
// optional TLS, graceful shutdown on SIGTERM/SIGINT.
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "api/http/router.hpp"

namespace onshi::api::http {

struct ServerOptions {
  std::string host = "127.0.0.1";
  std::uint16_t port = 8080;    // 0 = any free port
  int threads = 0;              // 0 = one per core
  std::string tls_certificate;  // PEM files; both set = HTTPS
  std::string tls_private_key;
  int read_timeout_seconds = 30;
  int idle_timeout_seconds = 75;
  // Where bodies of routes that take them as files (RouteMatch::body_to_file) are written while
  // their request is handled (private to this node: they hold personal data; emptied at start). ""
  // = every body in memory.
  std::string upload_dir;
};

class Server {
 public:
  Server(Router& router, ServerOptions options);
  ~Server();
  // Binds; returns the port actually bound (useful with port 0).
  std::uint16_t bind();
  // Serves until SIGTERM/SIGINT or stop(); then stops accepting, lets requests in flight
  // finish (up to a few seconds) and returns.
  void run();
  void stop();

 private:
  void wait_for_quiet(std::chrono::steady_clock::time_point since);
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace onshi::api::http
