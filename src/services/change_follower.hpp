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
#include <mutex>
#include <thread>

#include "index/eligibility_index.hpp"
#include "services/authenticator.hpp"
#include "store/store.hpp"

namespace onshi::services {

class ChangeFollower {
 public:
  // `applied_seq`: the last change already reflected in `index` and `auth` (read from the store
  // before they were built, so a change committed during the build is applied again: applying
  // a change twice is harmless, since it re-reads the rows' current state).
  ChangeFollower(store::Store& store, index::EligibilityIndex& index, Authenticator& auth,
                 std::int64_t applied_seq);
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

 private:
  void apply(const store::Change& change);
  void run(std::chrono::milliseconds interval);

  store::Store& store_;
  index::EligibilityIndex& index_;
  Authenticator& auth_;
  std::mutex apply_mutex_;  // one applier at a time, in seq order
  std::atomic<std::int64_t> applied_seq_;
  std::atomic<std::int64_t> last_delay_ms_{0};
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace onshi::services
