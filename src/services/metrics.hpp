#pragma once
// Process metrics in the Prometheus text format: requests by route and status class, request
// latency histogram, confirmations by result. Lock-free counters: the hot path only adds.
#include <array>
#include <atomic>
#include <cstdint>
#include <string>

namespace onshi::services {

enum class Route : std::uint8_t { kConfirm, kRegistrations, kHealth, kMetrics, kOther, kCount_ };

class Metrics {
 public:
  void observe_request(Route route, int status, double seconds);
  void count_confirmation(int validity);  // 1..5
  std::string render(std::size_t index_coverages, std::size_t index_bytes,
                     std::uint64_t access_log_committed) const;

  static constexpr std::array<double, 12> kBuckets{0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005,
                                                   0.01,   0.025,   0.05,   0.1,   0.5,    2.5};

 private:
  static constexpr std::size_t kRoutes = static_cast<std::size_t>(Route::kCount_);
  std::array<std::array<std::atomic<std::uint64_t>, 5>, kRoutes> by_status_{};  // 1xx..5xx
  std::array<std::array<std::atomic<std::uint64_t>, kBuckets.size() + 1>, kRoutes> buckets_{};
  std::array<std::atomic<std::uint64_t>, kRoutes> latency_micros_sum_{};
  std::array<std::atomic<std::uint64_t>, 6> confirmations_{};
};

}  // namespace onshi::services
