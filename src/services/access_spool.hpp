#pragma once
// A node-local, fsync'd file of access records that could not reach the store (PostgreSQL
// restarting, SQLite locked by a long load in another process). An answer with personal data
// may leave once its record is here: the record is durable, only not yet in the store. The
// access-log writer moves the file's records into the store, oldest first, once it is back.
//
// One record per line, tab-separated, text fields percent-encoded (%09 %0A %25), so a torn
// last line -- the process died inside write() -- is recognised and dropped: its answer was
// never sent, since an answer waits for the fsync.
#include <cstdint>
#include <string>
#include <vector>

#include "core/access_record.hpp"

namespace onshi::services {

struct SpooledRecord {
  core::AccessRecord record;
  core::FacilityType facility_type = core::FacilityType::kHospital;
};

class AccessSpool {
 public:
  // `path` is created 0600 on first append. Not thread-safe: the access-log writer owns it.
  explicit AccessSpool(std::string path);
  // Appends and fsyncs. Throws std::runtime_error when the disk refuses.
  void append(const std::vector<SpooledRecord>& records);
  bool empty() const;
  std::size_t size() const { return count_; }  // records waiting (as counted at open/append)
  // Every complete record, oldest first.
  std::vector<SpooledRecord> read_all() const;
  // Forgets every record (after they reached the store). Throws on I/O failure.
  void clear();
  const std::string& path() const { return path_; }

 private:
  std::string path_;
  std::size_t count_ = 0;
};

}  // namespace onshi::services
