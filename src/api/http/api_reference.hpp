#pragma once
// The API's documentation, generated from the route table's declarations (route.hpp): the
// OpenAPI 3.1 document (GET /openapi.json), the reference section of docs/api.md (Markdown,
// checked by a test) and the browsable page (GET /docs). Nothing here is written by hand
// per route: a route documents itself where it is declared.
#include <span>
#include <string>
#include <vector>

#include "api/http/route.hpp"

namespace onshi::api::http {

std::string openapi_document(std::span<const RouteSpec> routes);
std::string reference_markdown(std::span<const RouteSpec> routes);
std::string reference_html(std::span<const RouteSpec> routes);
std::string home_html();

// The error codes a route may answer: its own, those its access implies, and those of every
// route, in catalogue order.
std::vector<core::ErrorCode> route_errors(const RouteSpec& route);

}  // namespace onshi::api::http
