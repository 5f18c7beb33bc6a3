#include "api/http/router.hpp"

#include <boost/asio/post.hpp>
#include <charconv>
#include <chrono>

#include "api/confirm_json.hpp"
#include "api/error_json.hpp"
#include "api/json_writer.hpp"
#include "api/load_receipt_json.hpp"
#include "core/error_catalogue.hpp"

namespace onshi::api::http {
namespace {

using core::ErrorCode;

// Retry-After for UNAVAILABLE: the store or the access log is away for seconds, not minutes
// (a restart, a failover); a client that waits this long usually succeeds.
constexpr int kRetryAfterSeconds = 2;

HttpResponse error_response(const core::Error& e) {
  HttpResponse r{http_status_of(e), "application/json; charset=utf-8", error_json(e)};
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

bool starts_with(std::string_view s, std::string_view p) {
  return s.substr(0, p.size()) == p;
}

}  // namespace

std::size_t body_limit_for(std::string_view target) {
  // Registration files come whole in one request; counter checks are a few hundred bytes.
  return starts_with(path_of(target), "/v1/registrations") ||
                 starts_with(path_of(target), "/v1/reference/")
             ? std::size_t{256} << 20
             : std::size_t{64} << 10;
}

bool body_goes_to_file(std::string_view method, std::string_view target) {
  return method == "POST" && path_of(target) == "/v1/registrations";
}

Router::Router(services::App& app) : app_(app) {}
Router::~Router() {
  drain();
}

void Router::drain() {
  loads_.join();
}

void Router::handle(const HttpRequest& req, Respond respond_raw) {
  const std::string_view path = path_of(req.target);
  const services::Route route = path == "/v1/eligibility/confirm" ? services::Route::kConfirm
                                : path == "/v1/registrations"     ? services::Route::kRegistrations
                                : path == "/healthz"              ? services::Route::kHealth
                                : path == "/metrics"              ? services::Route::kMetrics
                                                                  : services::Route::kOther;
  Respond respond = [this, route, started = std::chrono::steady_clock::now(),
                     respond_raw = std::move(respond_raw)](HttpResponse r) {
    app_.metrics().observe_request(
        route, r.status,
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
    respond_raw(std::move(r));
  };
  if (path == "/v1/eligibility/confirm") {
    if (req.method != "POST") return respond(error_response(ErrorCode::kMethodNotAllowed));
    return confirm(req, std::move(respond));
  }
  if (path == "/v1/registrations") {
    if (req.method != "POST") return respond(error_response(ErrorCode::kMethodNotAllowed));
    return registrations(req, std::move(respond));
  }
  if (path == "/healthz") {
    std::string body = "{\"status\":\"ok\",\"coverages\":";
    body += std::to_string(app_.index().coverage_count());
    body += "}\n";
    return respond(HttpResponse{200, "application/json; charset=utf-8", std::move(body)});
  }
  if (path == "/metrics") {
    return respond(HttpResponse{
        200, "text/plain; version=0.0.4; charset=utf-8",
        app_.metrics().render(app_.index().coverage_count(), app_.index().memory_bytes(),
                              app_.journal().committed())});
  }
  if (path == "/v1/errors") {
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
    return respond(HttpResponse{200, "application/json; charset=utf-8", std::move(out)});
  }
  if (path == "/v1/stats/daily") return daily_stats(req, std::move(respond));
  if (path == "/") {
    return respond(HttpResponse{200, "text/plain; charset=utf-8",
                                "onshi: online eligibility confirmation. API: docs/api.md\n"});
  }
  respond(error_response(ErrorCode::kNotFound));
}

void Router::confirm(const HttpRequest& req, Respond respond) {
  auto who = app_.auth().authenticate(req.authorization);
  if (!who) return respond(error_response(ErrorCode::kUnauthenticated));
  if (who->role != store::Role::kFacility)
    return respond(error_response(ErrorCode::kForbidden, "only facilities confirm eligibility"));
  auto request = decode_confirm_request(req.body);
  if (!request) return respond(error_response(request.error()));

  auto outcome = app_.eligibility().resolve(*who, *request);
  if (!outcome) return respond(error_response(outcome.error()));
  HttpResponse answer{200, "application/json; charset=utf-8", encode_confirm_outcome(*outcome)};
  if (!outcome->answer.record) {
    // Nothing personal in the answer: it need not wait for the access log.
    app_.eligibility().record(*who, *outcome, core::ConfirmMethod::kInsuranceCard, {});
    return respond(std::move(answer));
  }
  // The answer carries personal data: it leaves only once its access-log record is durable.
  app_.eligibility().record(
      *who, *outcome, core::ConfirmMethod::kInsuranceCard,
      [answer = std::move(answer), respond = std::move(respond)](bool durable) mutable {
        if (!durable)
          return respond(
              error_response(ErrorCode::kUnavailable, "access log could not be written"));
        respond(std::move(answer));
      });
}

void Router::registrations(const HttpRequest& req, Respond respond) {
  auto who = app_.auth().authenticate(req.authorization);
  if (!who) return respond(error_response(ErrorCode::kUnauthenticated));
  if (who->role != store::Role::kInsurer)
    return respond(error_response(ErrorCode::kForbidden, "only insurers register coverage"));
  ingest::RegistrationFormat format = ingest::RegistrationFormat::kAuto;
  const std::string_view ct = req.content_type.substr(0, req.content_type.find(';'));
  if (ct == "text/csv")
    format = ingest::RegistrationFormat::kCsv;
  else if (ct == "application/x-ndjson" || ct == "application/jsonl" ||
           ct == "application/json-lines")
    format = ingest::RegistrationFormat::kJsonLines;
  else if (!ct.empty() && ct != "application/octet-stream" && ct != "text/plain")
    return respond(error_response(ErrorCode::kUnsupportedMediaType));
  // Not copied: the transport keeps the body (in memory, or as a file: body_goes_to_file)
  // until we answer (http_exchange.hpp), and the load runs before the answer; the loader reads
  // it in place, in chunks.
  const std::string_view body = req.body;
  const std::string body_file(req.body_file);
  boost::asio::post(loads_, [this, who, body, body_file, format, respond = std::move(respond)]() {
    try {
      auto receipt = body_file.empty()
                         ? app_.registry().load(body, format, who.get(), "http")
                         : app_.registry().load_file(body_file, format, who.get(), "http");
      const int status = receipt.file_error ? http_status_of(*receipt.file_error) : 200;
      respond(
          HttpResponse{status, "application/json; charset=utf-8", encode_load_receipt(receipt)});
    } catch (const store::UnavailableError&) {
      // The store is away (PostgreSQL restarting, failing over): nothing was committed.
      respond(error_response(ErrorCode::kUnavailable,
                             "the store is not reachable; nothing was "
                             "loaded; resend the file"));
    } catch (const store::ConflictError&) {
      respond(error_response(ErrorCode::kUnavailable,
                             "other loads held the store; nothing was "
                             "loaded; resend the file"));
    } catch (const std::exception&) {
      // Nothing was committed (the store rolled back); the insurer can resend the file.
      respond(error_response(ErrorCode::kInternal, "load rolled back; resend the file"));
    }
  });
}

void Router::daily_stats(const HttpRequest& req, Respond respond) {
  auto who = app_.auth().authenticate(req.authorization);
  if (!who) return respond(error_response(ErrorCode::kUnauthenticated));
  if (who->role != store::Role::kOperator)
    return respond(error_response(ErrorCode::kForbidden, "operator credential required"));
  auto day_param = [&](std::string_view name, std::int32_t fallback) {
    const std::string_view v = query_param(req.target, name);
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
  respond(HttpResponse{200, "application/json; charset=utf-8", std::move(out)});
}

}  // namespace onshi::api::http
