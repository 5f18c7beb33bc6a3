#pragma once
// What the transport hands the router and gets back, free of any HTTP library's types, so that
// handlers can be tested and the transport swapped without touching them.
#include <functional>
#include <string>
#include <string_view>

namespace onshi::api::http {

// What the transport needs of a request's route once its header is read; found once per
// request (match_route) and handed back to the router in HttpRequest::route.
struct RouteMatch {
  static constexpr std::size_t kNone = static_cast<std::size_t>(-1);
  std::size_t route = kNone;  // index in the route table (routes.cpp); kNone: no route takes it
  // Largest body accepted, checked before the body is read. A request no route takes is
  // answered 404/405 after its body is read: that limit is small.
  std::size_t body_limit = 0;
  // The route takes its body as a file rather than in memory: a registration file of hundreds
  // of megabytes then costs the node page cache, not resident memory, and the loader reads it
  // through a mapping in chunks like a file given to `onshi load`.
  bool body_to_file = false;
};
RouteMatch match_route(std::string_view method, std::string_view target);

struct HttpRequest {
  std::string_view method;
  std::string_view target;  // path and query
  std::string_view authorization;
  std::string_view content_type;
  // Valid until the Respond of this request is called (the transport keeps the request until
  // it has an answer), so a handler that answers later may read it in place meanwhile.
  std::string_view body;
  // Set for a route whose body the transport streams to a file (RouteMatch::body_to_file): the body
  // is this file, whole, and `body` is empty. The file exists until Respond is called.
  std::string_view body_file;
  // The transport's match_route of this request, so that the router does not search again;
  // kNone (a request built by hand, or one no route takes) makes the router search.
  std::size_t route = RouteMatch::kNone;
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "application/json; charset=utf-8";
  std::string body;
  // > 0: sent as Retry-After (a 503 while the store is away says when to try again).
  int retry_after_seconds = 0;
  // Sent as Allow when not empty (a 405 names the methods the path answers).
  std::string allow;
};

// Called exactly once, from any thread; the transport takes it back to the connection.
using Respond = std::function<void(HttpResponse)>;

}  // namespace onshi::api::http
