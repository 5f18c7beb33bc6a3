#pragma once
// Appends confirmations to the access log and the daily counters off the request threads, in
// batches (group commit): one transaction carries every record queued since the last one.
// A caller that reveals personal data passes `on_durable` and answers only once it has run.
// When the store cannot take a batch, the batch goes to a local spool file (access_spool.hpp)
// and counts as durable; the spool moves into the store, oldest first, once the store is back.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include "core/access_record.hpp"
#include "services/access_spool.hpp"
#include "store/store.hpp"

namespace onshi::services {

class AccessLogWriter {
 public:
  using Done = std::function<void(bool durable)>;
  // `spool_path` "": no spool (a failed batch is reported not durable).
  explicit AccessLogWriter(store::Store& store, std::string spool_path = {});
  ~AccessLogWriter();  // flushes what is queued
  AccessLogWriter(const AccessLogWriter&) = delete;
  AccessLogWriter& operator=(const AccessLogWriter&) = delete;

  void append(core::AccessRecord record, core::FacilityType facility_type, Done on_durable = {});
  // Blocks until everything appended so far is committed.
  void flush();
  std::uint64_t committed() const;
  std::uint64_t failed_batches() const;
  std::uint64_t spooled() const;  // records waiting in the spool for the store

 private:
  struct Item {
    core::AccessRecord record;
    core::FacilityType facility_type;
    Done done;
  };
  void run();
  void write(std::vector<Item>& batch);
  bool drain_spool();  // true when the spool is empty afterwards

  store::Store& store_;
  std::unique_ptr<AccessSpool> spool_;  // writer thread only
  std::chrono::steady_clock::time_point next_drain_{};
  std::atomic<std::uint64_t> spooled_{0};
  mutable std::mutex mutex_;
  std::condition_variable wake_, drained_;
  std::vector<Item> queue_;
  bool stopping_ = false;
  bool writer_idle_ = false;  // the writer is waiting on wake_
  std::uint64_t appended_ = 0, committed_ = 0, failed_batches_ = 0;
  std::thread thread_;
};

}  // namespace onshi::services
