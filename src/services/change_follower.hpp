#pragma once
// Keeps one node's in-memory state (the eligibility index, the credential table) equal to the
// store: applies the store's change log (変更履歴) in seq order, from where the start-up build
// left off. Every write -- by this process, another process on the same data directory, or
// another node on the same PostgreSQL -- reaches the node this way and only this way, so a
// node never needs a restart to see data (docs/scale.md).
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include "index/eligibility_index.hpp"
#include "services/authenticator.hpp"
#include "store/store.hpp"

namespace onshi::services {

// When a node fell far behind (the store was away for long, or a national load came in at
// once), re-reading every changed coverage load by load costs more than one sequential scan of
// the store: the node rebuilds instead.
struct RebuildPolicy {
  // Rebuild when the pending loads' rows reach max(min_rows, index_fraction × coverages held).
  std::int64_t min_rows = 500'000;
  double index_fraction = 0.5;
};

class ChangeFollower {
 public:
  // Builds the node's state afresh from the store and puts it in place; returns the change seq
  // it is current to (read before the scan, as at start-up).
  using Rebuild = std::function<std::int64_t()>;

  // `applied_seq`: the last change already reflected in `index` and `auth` (read from the store
  // before they were built, so a change committed during the build is applied again: applying
  // a change twice is harmless, since it re-reads the rows' current state).
  // Without `rebuild`, a follower always catches up entry by entry.
  ChangeFollower(store::Store& store, index::EligibilityIndex& index, Authenticator& auth,
                 std::int64_t applied_seq, Rebuild rebuild = {}, RebuildPolicy policy = {});
  ~ChangeFollower();  // stops the thread
  ChangeFollower(const ChangeFollower&) = delete;
  ChangeFollower& operator=(const ChangeFollower&) = delete;

  // Applies every change committed so far; returns how many. One caller applies at a time;
  // a writer calls it after its own commit so that its answer already sees the write.
  // Throws StoreError when the store cannot be read (nothing is skipped: the next call resumes).
  std::size_t catch_up();
  // Polls the store every `interval` on a thread of its own until destroyed. Read failures are
  // reported once on stderr (no personal data) and retried.
  void start(std::chrono::milliseconds interval);

  std::int64_t applied_seq() const { return applied_seq_.load(); }
  // Commit-to-applied delay of the last change applied, in ms (for /metrics and benchmarks).
  std::int64_t last_delay_ms() const { return last_delay_ms_.load(); }
  // How many times this node rebuilt instead of catching up (for /metrics and tests).
  std::int64_t rebuilds() const { return rebuilds_.load(); }

 private:
  void apply(const store::Change& change);
  // True when the changes pending after `first` (a full first page reads on, entries only)
  // add up to more rows than the policy allows; `rows` gets their sum so far.
  bool too_far_behind(const std::vector<store::Change>& first, std::int64_t& rows);
  void run(std::chrono::milliseconds interval);

  store::Store& store_;
  index::EligibilityIndex& index_;
  Authenticator& auth_;
  Rebuild rebuild_;
  RebuildPolicy policy_;
  std::atomic<std::int64_t> rebuilds_{0};
  std::mutex apply_mutex_;  // one applier at a time, in seq order
  std::atomic<std::int64_t> applied_seq_;
  std::atomic<std::int64_t> last_delay_ms_{0};
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace onshi::services
