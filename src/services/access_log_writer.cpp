#include "services/access_log_writer.hpp"

#include "services/japan_clock.hpp"

namespace onshi::services {

AccessLogWriter::AccessLogWriter(store::Store& store) : store_(store), thread_([this] { run(); }) {}

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
      wake_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
      writer_idle_ = false;
      if (queue_.empty() && stopping_) return;
      batch.swap(queue_);
    }
    write(batch);
    batch.clear();
  }
}

void AccessLogWriter::write(std::vector<Item>& batch) {
  std::vector<core::AccessRecord> records;
  records.reserve(batch.size());
  // Counters are summed per (day, facility type, method, result) before they reach the store.
  std::map<std::tuple<std::int32_t, int, int, int>, std::int64_t> sums;
  for (auto& item : batch) {
    const std::int32_t day = japan_date_of(item.record.at_ms).yyyymmdd();
    ++sums[{day, static_cast<int>(item.facility_type), static_cast<int>(item.record.method),
            item.record.validity}];
    records.push_back(std::move(item.record));
  }
  std::vector<core::DailyCount> counts;
  counts.reserve(sums.size());
  for (const auto& [k, n] : sums)
    counts.push_back(
        core::DailyCount{std::get<0>(k), static_cast<core::FacilityType>(std::get<1>(k)),
                         static_cast<core::ConfirmMethod>(std::get<2>(k)), std::get<3>(k), n});
  bool ok = true;
  // A failed commit is retried a few times: the log must not lose what it was given.
  for (int attempt = 0; attempt < 3; ++attempt) {
    try {
      store_.append_access(records, counts);
      ok = true;
      break;
    } catch (const store::StoreError&) {
      ok = false;
      std::this_thread::sleep_for(std::chrono::milliseconds(50 * (attempt + 1)));
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
