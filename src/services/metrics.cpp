#include "services/metrics.hpp"

#include <cstdio>

namespace onshi::services {
namespace {
constexpr std::array<const char*, 5> kRouteNames{"confirm", "registrations", "healthz", "metrics",
                                                 "other"};
constexpr std::array<const char*, 6> kValidityNames{"",
                                                    "valid",
                                                    "invalid",
                                                    "invalid_newer_coverage_exists",
                                                    "no_matching_coverage",
                                                    "several_match"};

void line(std::string& out, const char* fmt, auto... args) {
  char buf[256];
  const int n = std::snprintf(buf, sizeof buf, fmt, args...);
  if (n > 0) out.append(buf, std::min<std::size_t>(static_cast<std::size_t>(n), sizeof buf - 1));
}
}  // namespace

void Metrics::observe_request(Route route, int status, double seconds) {
  const auto r = static_cast<std::size_t>(route);
  const int cls = status / 100;
  if (cls >= 1 && cls <= 5) by_status_[r][cls - 1].fetch_add(1, std::memory_order_relaxed);
  std::size_t b = 0;
  while (b < kBuckets.size() && seconds > kBuckets[b]) ++b;
  buckets_[r][b].fetch_add(1, std::memory_order_relaxed);
  latency_micros_sum_[r].fetch_add(static_cast<std::uint64_t>(seconds * 1e6),
                                   std::memory_order_relaxed);
}

void Metrics::count_confirmation(int validity) {
  if (validity >= 1 && validity <= 5)
    confirmations_[validity].fetch_add(1, std::memory_order_relaxed);
}

std::string Metrics::render(std::size_t index_coverages, std::size_t index_bytes,
                            std::uint64_t access_log_committed) const {
  std::string out;
  out.reserve(4096);
  out += "# HELP onshi_http_requests_total HTTP requests by route and status class.\n";
  out += "# TYPE onshi_http_requests_total counter\n";
  for (std::size_t r = 0; r < kRoutes; ++r)
    for (int c = 0; c < 5; ++c)
      line(out, "onshi_http_requests_total{route=\"%s\",code=\"%dxx\"} %llu\n", kRouteNames[r],
           c + 1, static_cast<unsigned long long>(by_status_[r][c].load()));
  out += "# HELP onshi_http_request_duration_seconds Time from request read to response queued.\n";
  out += "# TYPE onshi_http_request_duration_seconds histogram\n";
  for (std::size_t r = 0; r < kRoutes; ++r) {
    std::uint64_t cumulative = 0;
    for (std::size_t b = 0; b <= kBuckets.size(); ++b) {
      cumulative += buckets_[r][b].load();
      if (b < kBuckets.size())
        line(out, "onshi_http_request_duration_seconds_bucket{route=\"%s\",le=\"%g\"} %llu\n",
             kRouteNames[r], kBuckets[b], static_cast<unsigned long long>(cumulative));
      else
        line(out, "onshi_http_request_duration_seconds_bucket{route=\"%s\",le=\"+Inf\"} %llu\n",
             kRouteNames[r], static_cast<unsigned long long>(cumulative));
    }
    line(out, "onshi_http_request_duration_seconds_sum{route=\"%s\"} %.6f\n", kRouteNames[r],
         static_cast<double>(latency_micros_sum_[r].load()) / 1e6);
    line(out, "onshi_http_request_duration_seconds_count{route=\"%s\"} %llu\n", kRouteNames[r],
         static_cast<unsigned long long>(cumulative));
  }
  out += "# HELP onshi_confirmations_total Eligibility confirmations by result (validity).\n";
  out += "# TYPE onshi_confirmations_total counter\n";
  for (int v = 1; v <= 5; ++v)
    line(out, "onshi_confirmations_total{validity=\"%d\",result=\"%s\"} %llu\n", v,
         kValidityNames[v], static_cast<unsigned long long>(confirmations_[v].load()));
  out += "# HELP onshi_index_coverages Coverages held in the in-memory eligibility index.\n";
  out += "# TYPE onshi_index_coverages gauge\n";
  line(out, "onshi_index_coverages %zu\n", index_coverages);
  out += "# HELP onshi_index_bytes Approximate memory held by the eligibility index.\n";
  out += "# TYPE onshi_index_bytes gauge\n";
  line(out, "onshi_index_bytes %zu\n", index_bytes);
  out += "# HELP onshi_access_log_records_total Access-log records committed.\n";
  out += "# TYPE onshi_access_log_records_total counter\n";
  line(out, "onshi_access_log_records_total %llu\n",
       static_cast<unsigned long long>(access_log_committed));
  return out;
}

}  // namespace onshi::services
