#pragma once
// The JSON API (/v1), health, metrics and the API's own documentation, answered from one route
// table (routes.cpp): each endpoint is declared there once, with its method, path, access,
// body limit, handler and documentation. The dispatch checks the method (405 with Allow) and
// the credential's role before a handler runs; handlers only decode, call a service, encode.
#include <boost/asio/thread_pool.hpp>
#include <memory>
#include <span>
#include <vector>

#include "api/http/http_exchange.hpp"
#include "api/http/request_metrics.hpp"
#include "api/http/route.hpp"
#include "services/app.hpp"

namespace onshi::api::http {

class Router {
 public:
  // What a handler is given: the request, its path parameters, and who is calling (null on a
  // public route; on any other, authenticated and of the route's role).
  struct Call {
    const HttpRequest& request;
    PathParams params;
    std::shared_ptr<const services::Principal> who;
  };
  using Handler = void (Router::*)(const Call&, Respond);
  struct Route {
    RouteSpec spec;
    Handler handler;
  };
  // The route table: every endpoint, once.
  static std::span<const Route> routes();

  explicit Router(services::App& app);
  ~Router();
  void handle(const HttpRequest& request, Respond respond);
  // Waits for background work (registration loads) to finish.
  void drain();

 private:
  // Handlers, one per route (routes.cpp lists them).
  void confirm(const Call& call, Respond respond);
  void registrations(const Call& call, Respond respond);
  void daily_stats(const Call& call, Respond respond);
  void health(const Call& call, Respond respond);
  void metrics(const Call& call, Respond respond);
  void errors(const Call& call, Respond respond);
  void openapi(const Call& call, Respond respond);
  void docs(const Call& call, Respond respond);
  void home(const Call& call, Respond respond);

  services::App& app_;
  RequestMetrics request_metrics_;
  // Registration loads run here, not on the I/O threads that answer counter checks.
  boost::asio::thread_pool loads_{1};
};

// The route table's declarations without the handlers (for OpenAPI and the reference).
std::vector<RouteSpec> route_specs();

}  // namespace onshi::api::http
