#include "services/metrics.hpp"

#include <cstdio>

#include "services/thread_shard.hpp"

namespace onshi::services {
namespace {
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

void Metrics::count_confirmation(int validity) {
  if (validity >= 1 && validity <= 5)
    shards_[thread_shard(kShards)].confirmations[validity].fetch_add(1, std::memory_order_relaxed);
}

std::uint64_t Metrics::total(int validity) const {
  std::uint64_t n = 0;
  for (const Shard& s : shards_) n += s.confirmations[validity].load(std::memory_order_relaxed);
  return n;
}

std::string Metrics::render(std::size_t index_coverages, std::size_t index_bytes,
                            std::uint64_t access_log_committed) const {
  std::string out;
  out.reserve(4096);
  out += "# HELP onshi_confirmations_total Eligibility confirmations by result (validity).\n";
  out += "# TYPE onshi_confirmations_total counter\n";
  for (int v = 1; v <= 5; ++v)
    line(out, "onshi_confirmations_total{validity=\"%d\",result=\"%s\"} %llu\n", v,
         kValidityNames[v], static_cast<unsigned long long>(total(v)));
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
