#pragma once
// Routes requests to the handlers of the JSON API (/v1), health and metrics. Handlers stay
// thin: authenticate, decode, call a service, encode.
#include <boost/asio/thread_pool.hpp>

#include "api/http/http_exchange.hpp"
#include "services/app.hpp"

namespace onshi::api::http {

class Router {
 public:
  explicit Router(services::App& app);
  ~Router();
  void handle(const HttpRequest& request, Respond respond);
  // Waits for background work (registration loads) to finish.
  void drain();

 private:
  void confirm(const HttpRequest& request, Respond respond);
  void registrations(const HttpRequest& request, Respond respond);
  void daily_stats(const HttpRequest& request, Respond respond);
  services::App& app_;
  // Registration loads run here, not on the I/O threads that answer counter checks.
  boost::asio::thread_pool loads_{1};
};

}  // namespace onshi::api::http
