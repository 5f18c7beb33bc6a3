#pragma once
// What a route declares about itself, besides its handler: the method and path it answers, who
// may call it, how large a body it takes, and its documentation (summary, request and answer
// fields, error codes). The route table (api/http/routes.cpp) lists every endpoint once with
// these; the dispatch, the per-route metrics, the body limits, the OpenAPI document and the
// API reference in docs/api.md are all derived from that one list.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include "core/error_code.hpp"

namespace onshi::api::http {

enum class Method : std::uint8_t { kGet, kPost, kPut, kDelete, kPatch };
std::string_view to_string(Method method);
// The method named exactly (HTTP methods are case-sensitive), or nullopt for any other token.
std::optional<Method> method_named(std::string_view name);

// Who may call a route: the credential's role, checked before the handler runs.
enum class Access : std::uint8_t { kPublic, kFacility, kInsurer, kOperator };
std::string_view to_string(Access access);

// Where the transport puts a route's body.
enum class BodyTo : std::uint8_t {
  kMemory,  // a string, at most body_limit bytes
  kFile,    // streamed to a private file (large registration files cost page cache, not RSS)
};

inline constexpr std::size_t kSmallBody = std::size_t{64} << 10;  // counter requests, GETs
inline constexpr std::size_t kFileBody = std::size_t{256} << 20;  // registration files

// A JSON value's shape, for the documentation and the OpenAPI schema. `fields` are an object's
// members or, for an array, the members of each item (empty for an array of scalars: `items`).
struct Field {
  std::string_view name;
  std::string_view type;  // "string", "integer", "number", "boolean", "object", "array"
  std::string_view description;
  bool required = false;         // always present in an answer; must be sent in a request
  bool nullable = false;         // may be JSON null
  std::string_view format = {};  // OpenAPI format ("date", "date-time") or ""
  std::span<const Field> fields = {};
  std::string_view items = {};  // the item type of an array of scalars
};

struct QueryParam {
  std::string_view name;
  std::string_view type;  // "string", "integer"
  std::string_view description;
  bool required = false;
};

struct Body {
  std::string_view media_type;  // "application/json", "text/csv", …
  std::string_view description;
  std::span<const Field> fields = {};  // for JSON bodies: the object's (or each item's) members
  bool is_array = false;               // a JSON array of such objects
};

struct RouteDoc {
  std::string_view summary;      // one line
  std::string_view description;  // a paragraph (Markdown)
  std::span<const QueryParam> query = {};
  std::span<const Body> request = {};  // accepted bodies (several media types), or none
  Body answer = {};                    // the 200 answer
  // The codes this route may answer besides the ones every route may (NOT_FOUND,
  // METHOD_NOT_ALLOWED, REQUEST_TOO_LARGE, INTERNAL) and the ones its access implies
  // (UNAUTHENTICATED, FORBIDDEN).
  std::span<const core::ErrorCode> errors = {};
};

// The route-independent part of a declaration; the handler is added by the router.
struct RouteSpec {
  Method method;
  std::string_view path;    // "/v1/eligibility/confirm"; a segment "{name}" is a parameter
  std::string_view metric;  // the `route` label of its metrics ("confirm")
  Access access;
  std::size_t body_limit;  // checked before the body is read
  BodyTo body;
  const RouteDoc* doc;
};

// A path parameter's value, by the name of its segment in the route's path.
struct PathParams {
  static constexpr std::size_t kMax = 4;
  std::string_view names[kMax];
  std::string_view values[kMax];
  std::size_t count = 0;
  std::string_view get(std::string_view name) const;
};

// Whether `path` (no query string) matches `pattern`; fills `params` when it does.
bool path_matches(std::string_view pattern, std::string_view path, PathParams& params);

}  // namespace onshi::api::http
