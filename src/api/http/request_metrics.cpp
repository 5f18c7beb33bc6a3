#include "api/http/request_metrics.hpp"

#include <cstdio>

#include "services/thread_shard.hpp"

namespace onshi::api::http {
namespace {

void line(std::string& out, const char* fmt, auto... args) {
  char buf[256];
  const int n = std::snprintf(buf, sizeof buf, fmt, args...);
  if (n > 0) out.append(buf, std::min<std::size_t>(static_cast<std::size_t>(n), sizeof buf - 1));
}

}  // namespace

RequestMetrics::RequestMetrics(std::vector<std::string_view> route_labels)
    : labels_(std::move(route_labels)) {
  labels_.push_back("other");
  counters_ = std::make_unique<Counters[]>(kShards * labels_.size());
}

RequestMetrics::~RequestMetrics() = default;

RequestMetrics::Counters& RequestMetrics::counters(std::size_t shard, std::size_t route) const {
  return counters_[shard * labels_.size() + route];
}

void RequestMetrics::observe(std::size_t route, int status, double seconds) {
  if (route >= labels_.size() - 1) route = labels_.size() - 1;
  Counters& c = counters(services::thread_shard(kShards), route);
  const int cls = status / 100;
  if (cls >= 1 && cls <= 5) c.by_status[cls - 1].fetch_add(1, std::memory_order_relaxed);
  std::size_t b = 0;
  while (b < kBuckets.size() && seconds > kBuckets[b]) ++b;
  c.buckets[b].fetch_add(1, std::memory_order_relaxed);
  c.micros_sum.fetch_add(static_cast<std::uint64_t>(seconds * 1e6), std::memory_order_relaxed);
}

void RequestMetrics::render(std::string& out) const {
  const auto sum = [&](std::size_t route, auto member) {
    std::uint64_t n = 0;
    for (std::size_t s = 0; s < kShards; ++s) n += member(counters(s, route)).load();
    return n;
  };
  out += "# HELP onshi_http_requests_total HTTP requests by route and status class.\n";
  out += "# TYPE onshi_http_requests_total counter\n";
  for (std::size_t r = 0; r < labels_.size(); ++r)
    for (int c = 0; c < 5; ++c)
      line(out, "onshi_http_requests_total{route=\"%.*s\",code=\"%dxx\"} %llu\n",
           static_cast<int>(labels_[r].size()), labels_[r].data(), c + 1,
           static_cast<unsigned long long>(sum(
               r, [c](Counters & k) -> auto& { return k.by_status[c]; })));
  out += "# HELP onshi_http_request_duration_seconds Time from request read to response queued.\n";
  out += "# TYPE onshi_http_request_duration_seconds histogram\n";
  for (std::size_t r = 0; r < labels_.size(); ++r) {
    const int n = static_cast<int>(labels_[r].size());
    const char* label = labels_[r].data();
    std::uint64_t cumulative = 0;
    for (std::size_t b = 0; b <= kBuckets.size(); ++b) {
      cumulative += sum(
          r, [b](Counters & k) -> auto& { return k.buckets[b]; });
      if (b < kBuckets.size())
        line(out, "onshi_http_request_duration_seconds_bucket{route=\"%.*s\",le=\"%g\"} %llu\n", n,
             label, kBuckets[b], static_cast<unsigned long long>(cumulative));
      else
        line(out, "onshi_http_request_duration_seconds_bucket{route=\"%.*s\",le=\"+Inf\"} %llu\n",
             n, label, static_cast<unsigned long long>(cumulative));
    }
    line(out, "onshi_http_request_duration_seconds_sum{route=\"%.*s\"} %.6f\n", n, label,
         static_cast<double>(sum(
             r, [](Counters & k) -> auto& { return k.micros_sum; })) /
             1e6);
    line(out, "onshi_http_request_duration_seconds_count{route=\"%.*s\"} %llu\n", n, label,
         static_cast<unsigned long long>(cumulative));
  }
}

}  // namespace onshi::api::http
