#pragma once
// The one narrow persistence interface of onshi. Every backend (SQLite now, PostgreSQL later)
// implements it and passes the same contract tests (tests/store/store_contract_test.cpp).
// Methods throw StoreError on I/O failure; a failed write leaves the store as before the call.
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/access_record.hpp"
#include "core/coverage.hpp"
#include "core/facility.hpp"
#include "core/insurer.hpp"

namespace onshi::store {

class StoreError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

enum class Role : std::uint8_t { kFacility = 1, kInsurer = 2, kOperator = 3 };

// An API credential. Only the SHA-256 of the secret token is kept. One token may carry several
// subjects (an insurer with several insurer numbers).
struct Credential {
  std::string token_sha256;  // lowercase hex
  Role role = Role::kFacility;
  std::string subject;  // facility code, insurer number, or operator name
  std::string label;    // who it was issued to, for the access log ("demo-desk-1")
};

// One insurer load: the coverages to write, the event fingerprints that make a reload a no-op,
// and the receipt figures. Committed all or nothing.
struct LoadBatch {
  std::string source;                     // file name or "http"
  std::string actor;                      // credential label
  std::vector<core::Coverage> upserts;    // id 0 = new: the store assigns it in place
  std::vector<std::string> event_hashes;  // fingerprints of the events applied
  std::int64_t rows_total = 0;
  std::int64_t rows_rejected = 0;
  std::int64_t rows_already_applied = 0;
};

class Store {
 public:
  virtual ~Store() = default;

  // Reference data
  virtual void upsert_insurers(std::span<const core::Insurer> insurers) = 0;
  virtual std::vector<core::Insurer> insurers() = 0;
  virtual void upsert_facilities(std::span<const core::Facility> facilities) = 0;
  virtual std::vector<core::Facility> facilities() = 0;
  virtual void add_credential(const Credential& credential) = 0;
  virtual std::vector<Credential> credentials() = 0;

  // Registrations. `applied_events` answers, for each fingerprint, whether a committed load
  // already applied it. `commit_load` writes everything in one transaction and returns the
  // load id; new coverages get their ids in place.
  virtual std::vector<bool> applied_events(std::span<const std::string> event_hashes) = 0;
  virtual std::int64_t commit_load(LoadBatch& batch) = 0;
  virtual void for_each_coverage(const std::function<void(const core::Coverage&)>& visit) = 0;
  virtual std::int64_t coverage_count() = 0;

  // Access log and counters, appended together in one transaction (group commit).
  virtual void append_access(std::span<const core::AccessRecord> records,
                             std::span<const core::DailyCount> count_increments) = 0;
  // Newest first; facility_code "" = all facilities.
  virtual std::vector<core::AccessRecord> access_records(const std::string& facility_code,
                                                         int limit) = 0;
  virtual std::vector<core::DailyCount> daily_counts(std::int32_t from_day,
                                                     std::int32_t to_day) = 0;

  // Gives back caches filled by a one-off scan (the index rebuild at start). A hint only.
  virtual void release_memory() {}
};

// Opens (creating if needed) the SQLite store at `path` and runs its pending migrations.
std::unique_ptr<Store> open_sqlite_store(const std::string& path);

}  // namespace onshi::store
