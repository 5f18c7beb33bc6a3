#pragma once
// HTTP request counters per route of the route table: requests by status class and a latency
// histogram, in the Prometheus text format. The hot path only adds, to a shard of its own
// thread (cache-line aligned), so request threads never contend for one counter's line;
// render() sums the shards.
#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace onshi::api::http {

class RequestMetrics {
 public:
  // One label per route, in the route table's order; requests that match no route count under
  // an extra "other".
  explicit RequestMetrics(std::vector<std::string_view> route_labels);
  ~RequestMetrics();
  static constexpr std::size_t kUnmatched = static_cast<std::size_t>(-1);
  void observe(std::size_t route, int status, double seconds);
  void render(std::string& out) const;

  static constexpr std::array<double, 12> kBuckets{0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005,
                                                   0.01,   0.025,   0.05,   0.1,   0.5,    2.5};

 private:
  struct alignas(64) Counters {
    std::array<std::atomic<std::uint64_t>, 5> by_status{};  // 1xx..5xx
    std::array<std::atomic<std::uint64_t>, kBuckets.size() + 1> buckets{};
    std::atomic<std::uint64_t> micros_sum{0};
  };
  static constexpr std::size_t kShards = 8;
  Counters& counters(std::size_t shard, std::size_t route) const;

  std::vector<std::string_view> labels_;  // + "other"
  std::unique_ptr<Counters[]> counters_;  // kShards × labels_.size()
};

}  // namespace onshi::api::http
