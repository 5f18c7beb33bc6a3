#include "api/http/router.hpp"

#include <boost/asio/post.hpp>
#include <charconv>
#include <chrono>

#include "api/confirm_json.hpp"
#include "api/error_json.hpp"
#include "api/http/api_reference.hpp"
#include "api/json_writer.hpp"
#include "api/load_receipt_json.hpp"
#include "core/error_catalogue.hpp"

namespace onshi::api::http {
namespace {

using core::ErrorCode;

constexpr const char* kJson = "application/json; charset=utf-8";

// Retry-After for UNAVAILABLE: the store or the access log is away for seconds, not minutes
// (a restart, a failover); a client that waits this long usually succeeds.
constexpr int kRetryAfterSeconds = 2;

HttpResponse error_response(const core::Error& e) {
  HttpResponse r{http_status_of(e), kJson, error_json(e)};
  if (e.code == ErrorCode::kUnavailable) r.retry_after_seconds = kRetryAfterSeconds;
  return r;
}
HttpResponse error_response(ErrorCode code, std::string detail = {}) {
  return error_response(core::make_error(code, std::move(detail)));
}

std::string_view path_of(std::string_view target) {
  return target.substr(0, target.find('?'));
}

// The value of `name` in the query string, or "".
std::string_view query_param(std::string_view target, std::string_view name) {
  const auto q = target.find('?');
  if (q == std::string_view::npos) return {};
  std::string_view rest = target.substr(q + 1);
  while (!rest.empty()) {
    const auto amp = rest.find('&');
    const std::string_view pair = rest.substr(0, amp);
    const auto eq = pair.find('=');
    if (pair.substr(0, eq) == name) return eq == std::string_view::npos ? "" : pair.substr(eq + 1);
    if (amp == std::string_view::npos) break;
    rest = rest.substr(amp + 1);
  }
  return {};
}

store::Role role_of(Access access) {
  switch (access) {
    case Access::kFacility:
      return store::Role::kFacility;
    case Access::kInsurer:
      return store::Role::kInsurer;
    case Access::kOperator:
      return store::Role::kOperator;
    case Access::kPublic:
      break;
  }
  return store::Role::kOperator;
}

// The route a request goes to. HEAD is answered by the GET route of the path (the transport
// sends the headers only). When the path is known but not the method, `route` is null,
// `path_index` names the path's first route, and `allow` lists the methods the path answers.
struct Lookup {
  const Router::Route* route = nullptr;
  std::size_t index = RequestMetrics::kUnmatched;
  std::size_t path_index = RequestMetrics::kUnmatched;
  PathParams params;
  std::string allow;
};

Lookup find_route(std::string_view method, std::string_view target, bool want_allow) {
  Lookup found;
  const std::string_view path = path_of(target);
  const std::string_view asked = method == "HEAD" ? std::string_view("GET") : method;
  const auto routes = Router::routes();
  for (std::size_t i = 0; i < routes.size(); ++i) {
    const RouteSpec& spec = routes[i].spec;
    PathParams params;
    if (!path_matches(spec.path, path, params)) continue;
    if (found.path_index == RequestMetrics::kUnmatched) found.path_index = i;
    if (to_string(spec.method) == asked) {
      found.route = &routes[i];
      found.index = i;
      found.params = params;
      return found;
    }
    if (!want_allow) continue;
    if (!found.allow.empty()) found.allow += ", ";
    found.allow += to_string(spec.method);
    if (spec.method == Method::kGet) found.allow += ", HEAD";
  }
  return found;
}

}  // namespace

RouteMatch match_route(std::string_view method, std::string_view target) {
  const Lookup l = find_route(method, target, false);
  RouteMatch m;
  if (!l.route) {
    m.body_limit = kSmallBody;
    return m;
  }
  m.route = l.index;
  m.body_limit = l.route->spec.body_limit;
  m.body_to_file = l.route->spec.body == BodyTo::kFile;
  return m;
}

std::vector<RouteSpec> route_specs() {
  std::vector<RouteSpec> specs;
  for (const auto& r : Router::routes()) specs.push_back(r.spec);
  return specs;
}

Router::Router(services::App& app)
    : app_(app), request_metrics_([] {
        std::vector<std::string_view> labels;
        for (const auto& r : routes()) labels.push_back(r.spec.metric);
        return labels;
      }()) {}

Router::~Router() {
  drain();
}

void Router::drain() {
  loads_.join();
}

void Router::handle(const HttpRequest& req, Respond respond_raw) {
  Lookup found;
  const auto routes = Router::routes();
  if (req.route < routes.size() &&
      path_matches(routes[req.route].spec.path, path_of(req.target), found.params)) {
    // The transport found it (match_route): only its path parameters are left to read.
    found.route = &routes[req.route];
    found.index = req.route;
  } else {
    found = find_route(req.method, req.target, true);
  }
  const std::size_t metric = found.route ? found.index : found.path_index;
  Respond respond = [this, metric, started = std::chrono::steady_clock::now(),
                     respond_raw = std::move(respond_raw)](HttpResponse r) {
    request_metrics_.observe(
        metric, r.status,
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
    respond_raw(std::move(r));
  };
  if (!found.route) {
    if (found.allow.empty()) return respond(error_response(ErrorCode::kNotFound));
    HttpResponse r =
        error_response(ErrorCode::kMethodNotAllowed, "this path answers " + found.allow);
    r.allow = std::move(found.allow);
    return respond(std::move(r));
  }
  const RouteSpec& spec = found.route->spec;
  Call call{req, found.params, nullptr};
  if (spec.access != Access::kPublic) {
    call.who = app_.auth().authenticate(req.authorization);
    if (!call.who) return respond(error_response(ErrorCode::kUnauthenticated));
    if (call.who->role != role_of(spec.access))
      return respond(error_response(
          ErrorCode::kForbidden,
          "this route needs a " + std::string(to_string(spec.access)) + " credential"));
  }
  (this->*found.route->handler)(call, std::move(respond));
}

void Router::confirm(const Call& call, Respond respond) {
  auto request = decode_confirm_request(call.request.body);
  if (!request) return respond(error_response(request.error()));
  app_.eligibility().confirm(*call.who, *request, &encode_confirm_outcome,
                             [respond = std::move(respond)](core::Result<std::string> answer) {
                               if (!answer) return respond(error_response(answer.error()));
                               respond(HttpResponse{200, kJson, std::move(answer).value()});
                             });
}

void Router::registrations(const Call& call, Respond respond) {
  const HttpRequest& req = call.request;
  ingest::RegistrationFormat format = ingest::RegistrationFormat::kAuto;
  const std::string_view ct = req.content_type.substr(0, req.content_type.find(';'));
  if (ct == "text/csv")
    format = ingest::RegistrationFormat::kCsv;
  else if (ct == "application/x-ndjson" || ct == "application/jsonl" ||
           ct == "application/json-lines")
    format = ingest::RegistrationFormat::kJsonLines;
  else if (!ct.empty() && ct != "application/octet-stream" && ct != "text/plain")
    return respond(error_response(ErrorCode::kUnsupportedMediaType));
  // Not copied: the transport keeps the body (in memory, or as a file: BodyTo::kFile) until
  // we answer (http_exchange.hpp), and the load runs before the answer; the loader reads it in
  // place, in chunks.
  const std::string_view body = req.body;
  const std::string body_file(req.body_file);
  boost::asio::post(loads_, [this, who = call.who, body, body_file, format,
                             respond = std::move(respond)]() {
    try {
      auto receipt = body_file.empty()
                         ? app_.registry().load(body, format, who.get(), "http")
                         : app_.registry().load_file(body_file, format, who.get(), "http");
      const int status = receipt.file_error ? http_status_of(*receipt.file_error) : 200;
      respond(HttpResponse{status, kJson, encode_load_receipt(receipt)});
    } catch (const store::UnavailableError&) {
      // The store is away (PostgreSQL restarting, failing over): nothing was committed.
      respond(error_response(ErrorCode::kUnavailable,
                             "the store is not reachable; nothing was loaded; resend the file"));
    } catch (const store::ConflictError&) {
      respond(error_response(ErrorCode::kUnavailable,
                             "other loads held the store; nothing was loaded; resend the file"));
    } catch (const std::exception&) {
      // Nothing was committed (the store rolled back); the insurer can resend the file.
      respond(error_response(ErrorCode::kInternal, "load rolled back; resend the file"));
    }
  });
}

void Router::daily_stats(const Call& call, Respond respond) {
  auto day_param = [&](std::string_view name, std::int32_t fallback) {
    const std::string_view v = query_param(call.request.target, name);
    std::int32_t d = fallback;
    if (!v.empty()) std::from_chars(v.data(), v.data() + v.size(), d);
    return d;
  };
  std::vector<core::DailyCount> counts;
  try {
    counts = app_.store().daily_counts(day_param("from", 0), day_param("to", 99991231));
  } catch (const store::StoreError&) {
    return respond(error_response(ErrorCode::kUnavailable, "the store is not reachable"));
  }
  std::string out;
  JsonWriter w(out);
  w.begin_array();
  for (const auto& c : counts)
    w.begin_object()
        .field("day", c.day)
        .field("facility_type", core::to_string(c.facility_type))
        .field("method", core::to_string(c.method))
        .field("validity", c.validity)
        .field("count", c.count)
        .end_object();
  w.end_array();
  out += '\n';
  respond(HttpResponse{200, kJson, std::move(out)});
}

void Router::health(const Call&, Respond respond) {
  std::string body = "{\"status\":\"ok\",\"coverages\":";
  body += std::to_string(app_.index().coverage_count());
  body += "}\n";
  respond(HttpResponse{200, kJson, std::move(body)});
}

void Router::metrics(const Call&, Respond respond) {
  std::string out;
  request_metrics_.render(out);
  out += app_.metrics().render(app_.index().coverage_count(), app_.index().memory_bytes(),
                               app_.journal().committed());
  respond(HttpResponse{200, "text/plain; version=0.0.4; charset=utf-8", std::move(out)});
}

void Router::errors(const Call&, Respond respond) {
  std::string out;
  JsonWriter w(out);
  w.begin_array();
  for (int i = 0; i < core::error_count(); ++i) {
    const auto& info = core::error_info(static_cast<ErrorCode>(i));
    w.begin_object()
        .field("code", info.code)
        .field("http_status", info.http_status)
        .field("message_ja", info.message_ja)
        .field("message_en", info.message_en)
        .field("remedy_ja", info.remedy_ja)
        .field("remedy_en", info.remedy_en)
        .end_object();
  }
  w.end_array();
  out += '\n';
  respond(HttpResponse{200, kJson, std::move(out)});
}

void Router::openapi(const Call&, Respond respond) {
  // The same for the life of the process: made once.
  static const std::string document = openapi_document(route_specs());
  respond(HttpResponse{200, kJson, document});
}

void Router::docs(const Call&, Respond respond) {
  static const std::string page = reference_html(route_specs());
  respond(HttpResponse{200, "text/html; charset=utf-8", page});
}

void Router::home(const Call&, Respond respond) {
  respond(HttpResponse{200, "text/html; charset=utf-8", home_html()});
}

}  // namespace onshi::api::http
