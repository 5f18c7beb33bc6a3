#include "services/access_log_writer.hpp"

#include "services/japan_clock.hpp"

#include <algorithm>
#include <iostream>
#include <map>
#include <tuple>

namespace onshi::services {

namespace {

// Counters are summed per (day, facility type, method, result) before they reach the store.
std::vector<core::DailyCount> counts_of(const std::vector<SpooledRecord>& items) {
  std::map<std::tuple<std::int32_t, int, int, int>, std::int64_t> sums;
  for (const auto& item : items) {
    const std::int32_t day = japan_date_of(item.record.at_ms).yyyymmdd();
    ++sums[{day, static_cast<int>(item.facility_type), static_cast<int>(item.record.method),
            item.record.validity}];
  }
  std::vector<core::DailyCount> counts;
  counts.reserve(sums.size());
  for (const auto& [k, n] : sums)
    counts.push_back(
        core::DailyCount{std::get<0>(k), static_cast<core::FacilityType>(std::get<1>(k)),
                         static_cast<core::ConfirmMethod>(std::get<2>(k)), std::get<3>(k), n});
  return counts;
}

void append_to_store(store::Store& store, const std::vector<SpooledRecord>& items) {
  std::vector<core::AccessRecord> records;
  records.reserve(items.size());
  for (const auto& i : items) records.push_back(i.record);
  store.append_access(records, counts_of(items));
}

// While the store is away, how often to try it again with what the spool holds.
constexpr auto kDrainInterval = std::chrono::seconds(1);

}  // namespace

AccessLogWriter::AccessLogWriter(store::Store& store, std::string spool_path)
    : store_(store),
      spool_(spool_path.empty() ? nullptr : std::make_unique<AccessSpool>(std::move(spool_path))),
      spooled_(spool_ ? spool_->size() : 0),
      thread_([this] { run(); }) {}

AccessLogWriter::~AccessLogWriter() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

void AccessLogWriter::append(core::AccessRecord record, core::FacilityType type, Done done) {
  bool wake;
  {
    std::lock_guard lock(mutex_);
    queue_.push_back(Item{std::move(record), type, std::move(done)});
    ++appended_;
    wake = writer_idle_;
  }
  // Only a sleeping writer needs the (system-call) wake-up; a busy one takes the queue next.
  if (wake) wake_.notify_one();
}

void AccessLogWriter::flush() {
  std::unique_lock lock(mutex_);
  const std::uint64_t target = appended_;
  drained_.wait(lock, [&] { return committed_ >= target || stopping_; });
}

std::uint64_t AccessLogWriter::committed() const {
  std::lock_guard lock(mutex_);
  return committed_;
}

std::uint64_t AccessLogWriter::failed_batches() const {
  std::lock_guard lock(mutex_);
  return failed_batches_;
}

void AccessLogWriter::run() {
  std::vector<Item> batch;
  for (;;) {
    {
      std::unique_lock lock(mutex_);
      writer_idle_ = true;
      const auto work = [&] { return stopping_ || !queue_.empty(); };
      // Spooled records go to the store once it is back, not only with the next confirmation:
      // a quiet node would otherwise keep them out of the access log indefinitely.
      if (spool_ && !spool_->empty())
        wake_.wait_for(lock, kDrainInterval, work);
      else
        wake_.wait(lock, work);
      writer_idle_ = false;
      if (queue_.empty() && stopping_) return;  // the spool stays for the next start
      batch.swap(queue_);
    }
    if (batch.empty()) {
      drain_spool();
      continue;
    }
    write(batch);
    batch.clear();
  }
}

std::uint64_t AccessLogWriter::spooled() const {
  return spooled_.load();
}

bool AccessLogWriter::drain_spool() {
  if (!spool_ || spool_->empty()) return true;
  if (std::chrono::steady_clock::now() < next_drain_) return false;
  try {
    const auto items = spool_->read_all();
    append_to_store(store_, items);
    // A crash right here would send these records again at the next start: an audit trail
    // may hold a record twice (same request_id), never lose one.
    spool_->clear();
    spooled_.store(0);
    std::cerr << "onshi: store reachable again; " << items.size()
              << " spooled access records moved into it\n";
    return true;
  } catch (const std::exception&) {
    next_drain_ = std::chrono::steady_clock::now() + kDrainInterval;
    return false;
  }
}

void AccessLogWriter::write(std::vector<Item>& batch) {
  std::vector<SpooledRecord> items;
  items.reserve(batch.size());
  for (auto& item : batch) items.push_back({std::move(item.record), item.facility_type});
  bool ok = false;
  // Records already spooled go to the store first, so the log keeps its order.
  if (drain_spool()) {
    try {
      append_to_store(store_, items);
      ok = true;
    } catch (const store::StoreError&) {
      ok = false;  // one attempt: the spool is as durable, and answers must not wait long
    }
  }
  if (!ok && spool_) {
    try {
      const bool first = spool_->empty();
      spool_->append(items);
      spooled_.store(spool_->size());
      if (first)
        std::cerr << "onshi: the store does not take access records; keeping them in "
                  << spool_->path() << " until it does\n";
      next_drain_ = std::min(next_drain_, std::chrono::steady_clock::now() + kDrainInterval);
      ok = true;
    } catch (const std::exception&) {
      ok = false;
    }
  }
  for (auto& item : batch)
    if (item.done) item.done(ok);
  {
    std::lock_guard lock(mutex_);
    committed_ += batch.size();
    if (!ok) ++failed_batches_;
  }
  drained_.notify_all();
}

}  // namespace onshi::services
