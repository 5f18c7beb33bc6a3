#include "services/change_follower.hpp"

#include <algorithm>
#include <iostream>
#include <utility>
#include <vector>

namespace onshi::services {
namespace {

// Entries read per round trip, and coverages per page of a load: a page is one short read, so
// access-log appends and confirmations never wait long behind a million-row load being applied.
constexpr int kChangesPerRead = 256;
constexpr int kCoveragesPerPage = 8192;

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

ChangeFollower::ChangeFollower(store::Store& store, index::EligibilityIndex& index,
                               Authenticator& auth, std::int64_t applied_seq, Rebuild rebuild,
                               RebuildPolicy policy)
    : store_(store),
      index_(index),
      auth_(auth),
      rebuild_(std::move(rebuild)),
      policy_(policy),
      applied_seq_(applied_seq) {}

ChangeFollower::~ChangeFollower() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

std::size_t ChangeFollower::catch_up() {
  std::lock_guard lock(apply_mutex_);
  std::size_t applied = 0;
  bool weighed = false;  // once per call: after a rebuild, or a decision not to, just apply
  for (;;) {
    auto changes = store_.changes_after(applied_seq_.load(), kChangesPerRead);
    if (changes.empty()) return applied;
    std::int64_t rows = 0;
    if (rebuild_ && !weighed && too_far_behind(changes, rows)) {
      const auto from = applied_seq_.load();
      const auto t0 = std::chrono::steady_clock::now();
      std::cerr << "onshi: " << rows << " coverage rows of changes after seq " << from
                << " pending; rebuilding the index from the store instead of catching up\n";
      applied_seq_.store(rebuild_());
      ++rebuilds_;
      std::cerr << "onshi: index rebuilt in "
                << std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count()
                << " s, current to change " << applied_seq_.load() << "; following from there\n";
      weighed = true;
      continue;
    }
    weighed = true;
    for (const store::Change& c : changes) {
      apply(c);
      applied_seq_.store(c.seq);
      last_delay_ms_.store(now_ms() - c.at_ms);
      ++applied;
    }
  }
}

bool ChangeFollower::too_far_behind(const std::vector<store::Change>& first, std::int64_t& rows) {
  const auto limit = std::max<std::int64_t>(
      policy_.min_rows, static_cast<std::int64_t>(policy_.index_fraction *
                                                  static_cast<double>(index_.coverage_count())));
  auto sum = [&](const std::vector<store::Change>& page) {
    for (const store::Change& c : page) rows += c.rows;
  };
  sum(first);
  if (first.size() < static_cast<std::size_t>(kChangesPerRead)) return rows >= limit;
  // A full page: read on (entries only, a few bytes each) until the sum decides it.
  std::int64_t after = first.back().seq;
  while (rows < limit) {
    const auto page = store_.changes_after(after, kChangesPerRead * 16);
    if (page.empty()) break;
    sum(page);
    after = page.back().seq;
  }
  return rows >= limit;
}

void ChangeFollower::apply(const store::Change& change) {
  switch (change.kind) {
    case store::ChangeKind::kLoad: {
      // The rows whose last write was this load, as they are now: a later load's rows come
      // with that load's entry, so applying in seq order leaves every row at its last state.
      std::int64_t after = 0;
      for (;;) {
        const auto page = store_.coverages_of_load(change.load_id, after, kCoveragesPerPage);
        if (page.empty()) break;
        index_.upsert(page);
        after = page.back().id;
        if (page.size() < static_cast<std::size_t>(kCoveragesPerPage)) break;
      }
      return;
    }
    case store::ChangeKind::kInsurers:
      index_.upsert_insurers(store_.insurers());
      return;
    case store::ChangeKind::kCredentials:
    case store::ChangeKind::kFacilities:
      // A facility credential authenticates only while its facility is registered, so both
      // kinds rebuild the credential table.
      auth_.reload();
      return;
  }
  // An entry written by a newer build: skipping it would silently serve stale data.
  throw store::StoreError("change log entry " + std::to_string(change.seq) +
                          " has a kind this build does not know (" +
                          std::to_string(static_cast<int>(change.kind)) + "); upgrade onshi");
}

void ChangeFollower::start(std::chrono::milliseconds interval) {
  thread_ = std::thread([this, interval] { run(interval); });
}

void ChangeFollower::run(std::chrono::milliseconds interval) {
  bool failing = false;
  for (;;) {
    {
      std::unique_lock lock(mu_);
      if (cv_.wait_for(lock, interval, [this] { return stop_; })) return;
    }
    try {
      catch_up();
      if (failing)
        std::cerr << "onshi: change log readable again; following from seq " << applied_seq()
                  << '\n';
      failing = false;
    } catch (const std::exception& e) {
      if (!failing)
        std::cerr << "onshi: cannot follow the change log (will retry): " << e.what() << '\n';
      failing = true;
    }
  }
}

}  // namespace onshi::services
