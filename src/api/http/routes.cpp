// The route table: every endpoint of onshi, once. Dispatch, metrics labels, body limits,
// OpenAPI and docs/api.md's reference all come from here; to add an endpoint, add its line and
// its documentation (route_docs.cpp).
#include "api/http/route_docs.hpp"
#include "api/http/router.hpp"

namespace onshi::api::http {

std::span<const Router::Route> Router::routes() {
  using enum Method;
  using enum Access;
  using enum BodyTo;
  // clang-format off
  static const Route kRoutes[] = {
    // method path                       metric           access     body limit  body     handler                 documentation
    {{kPost, "/v1/eligibility/confirm", "confirm",       kFacility, kSmallBody, kMemory, &docs::kConfirm},       &Router::confirm},
    {{kPost, "/v1/registrations",       "registrations", kInsurer,  kFileBody,  kFile,   &docs::kRegistrations}, &Router::registrations},
    {{kGet,  "/v1/stats/daily",         "stats_daily",   kOperator, kSmallBody, kMemory, &docs::kDailyStats},    &Router::daily_stats},
    {{kGet,  "/v1/errors",              "errors",        kPublic,   kSmallBody, kMemory, &docs::kErrors},        &Router::errors},
    {{kGet,  "/healthz",                "healthz",       kPublic,   kSmallBody, kMemory, &docs::kHealth},        &Router::health},
    {{kGet,  "/metrics",                "metrics",       kPublic,   kSmallBody, kMemory, &docs::kMetrics},       &Router::metrics},
    {{kGet,  "/openapi.json",           "openapi",       kPublic,   kSmallBody, kMemory, &docs::kOpenApi},       &Router::openapi},
    {{kGet,  "/docs",                   "docs",          kPublic,   kSmallBody, kMemory, &docs::kDocs},          &Router::docs},
    {{kGet,  "/",                       "home",          kPublic,   kSmallBody, kMemory, &docs::kHome},          &Router::home},
  };
  // clang-format on
  return kRoutes;
}

}  // namespace onshi::api::http
