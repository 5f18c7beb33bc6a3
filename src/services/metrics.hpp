#pragma once
// Service metrics in the Prometheus text format: confirmations by result, the index and the
// access log. (HTTP requests per route are counted by the router: api/http/request_metrics.hpp.)
// Lock-free counters: the hot path only adds.
#include <array>
#include <atomic>
#include <cstdint>
#include <string>

namespace onshi::services {

class Metrics {
 public:
  void count_confirmation(int validity);  // 1..5
  std::string render(std::size_t index_coverages, std::size_t index_bytes,
                     std::uint64_t access_log_committed) const;

 private:
  std::array<std::atomic<std::uint64_t>, 6> confirmations_{};
};

}  // namespace onshi::services
