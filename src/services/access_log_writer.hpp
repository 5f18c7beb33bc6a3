#pragma once
// Appends confirmations to the access log and the daily counters off the request threads, in
// batches (group commit): one transaction carries every record queued since the last one.
// A caller that reveals personal data passes `on_durable` and answers only once it has run.
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <thread>
#include <tuple>
#include <vector>

#include "core/access_record.hpp"
#include "store/store.hpp"

namespace onshi::services {

class AccessLogWriter {
 public:
  using Done = std::function<void(bool durable)>;
  explicit AccessLogWriter(store::Store& store);
  ~AccessLogWriter();  // flushes what is queued
  AccessLogWriter(const AccessLogWriter&) = delete;
  AccessLogWriter& operator=(const AccessLogWriter&) = delete;

  void append(core::AccessRecord record, core::FacilityType facility_type, Done on_durable = {});
  // Blocks until everything appended so far is committed.
  void flush();
  std::uint64_t committed() const;
  std::uint64_t failed_batches() const;

 private:
  struct Item {
    core::AccessRecord record;
    core::FacilityType facility_type;
    Done done;
  };
  void run();
  void write(std::vector<Item>& batch);

  store::Store& store_;
  mutable std::mutex mutex_;
  std::condition_variable wake_, drained_;
  std::vector<Item> queue_;
  bool stopping_ = false;
  bool writer_idle_ = false;  // the writer is waiting on wake_
  std::uint64_t appended_ = 0, committed_ = 0, failed_batches_ = 0;
  std::thread thread_;
};

}  // namespace onshi::services
