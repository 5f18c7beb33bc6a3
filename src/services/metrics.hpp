#pragma once
// Service metrics in the Prometheus text format: confirmations by result, the index and the
// access log. (HTTP requests per route are counted by the router: api/http/request_metrics.hpp.)
// Lock-free counters: the hot path only adds, to a cache-line-aligned shard of its own thread,
// so request threads never write one line; render() sums the shards.
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
  std::uint64_t total(int validity) const;
  struct alignas(64) Shard {
    std::array<std::atomic<std::uint64_t>, 6> confirmations{};  // by validity 1..5
  };
  static constexpr std::size_t kShards = 8;
  std::array<Shard, kShards> shards_{};
};

}  // namespace onshi::services
