#pragma once
// The documentation of each route of the table (routes.cpp): summary, fields, error codes.
// Kept apart from the handlers so that the table stays one line per route; the OpenAPI
// document and docs/api.md's reference are generated from these.
#include "api/http/route.hpp"

namespace onshi::api::http::docs {

extern const RouteDoc kConfirm;
extern const RouteDoc kRegistrations;
extern const RouteDoc kDailyStats;
extern const RouteDoc kHealth;
extern const RouteDoc kMetrics;
extern const RouteDoc kErrors;
extern const RouteDoc kOpenApi;
extern const RouteDoc kDocs;
extern const RouteDoc kHome;

}  // namespace onshi::api::http::docs
