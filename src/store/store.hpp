#pragma once
// The one narrow persistence interface of onshi. Every backend (SQLite, PostgreSQL) implements
// it and passes the same contract tests (tests/store/store_contract_test.cpp).
//
// Writes go through transactions (Store::transact): the work reads what it needs (preconditions)
// and writes inside one transaction against the store itself, so two writers in two processes
// or on two nodes end as if one ran after the other. Every committed write to data a node serves
// from gets one entry in the change log (変更履歴), numbered in commit order; every running node
// follows the log (services/change_follower.hpp), so nothing needs a restart to be seen.
// Methods throw StoreError on I/O failure; a failed transaction leaves the store as before.
#include <compare>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "core/access_record.hpp"
#include "core/coverage.hpp"
#include "core/facility.hpp"
#include "core/insurer.hpp"
#include "core/journal_record.hpp"

namespace onshi::store {

class StoreError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// A transaction lost a race with another writer (SQLite busy, PostgreSQL serialization failure
// or deadlock): nothing was written, and running the same work again may succeed.
class ConflictError : public StoreError {
 public:
  using StoreError::StoreError;
};

// The store cannot be reached at all (connection refused, dropped): nothing was written.
class UnavailableError : public StoreError {
 public:
  using StoreError::StoreError;
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
// and the receipt figures.
struct LoadBatch {
  std::string source;                     // file name or "http"
  std::string actor;                      // credential label
  std::vector<core::Coverage> upserts;    // id 0 = new: the store assigns it in place
  std::vector<std::string> event_hashes;  // fingerprints of the events applied
  std::int64_t rows_total = 0;
  std::int64_t rows_rejected = 0;
  std::int64_t rows_already_applied = 0;
};

// The receipt figures a load's row keeps.
struct LoadCounts {
  std::int64_t rows_total = 0;
  std::int64_t rows_rejected = 0;
  std::int64_t rows_already_applied = 0;
};

// What a change-log entry says changed. A node reloads the whole (small) table for the
// reference kinds and re-reads the coverages a load wrote for kLoad.
enum class ChangeKind : std::uint8_t {
  kLoad = 1,         // coverages written by load `load_id`
  kCredentials = 2,  // credentials issued or revoked
  kInsurers = 3,
  kFacilities = 4,
};

struct Change {
  std::int64_t seq = 0;  // 1, 2, 3, ... in commit order, no gaps once committed
  ChangeKind kind = ChangeKind::kLoad;
  std::int64_t load_id = 0;  // kLoad only
  std::int64_t at_ms = 0;    // commit time, Unix ms (for the write-to-visible delay)
  // kLoad only: rows the load applied, an upper bound on the coverages a follower re-reads for
  // it (a later load may have taken some over). Lets a node that fell behind weigh catching up
  // against rebuilding (services/change_follower).
  std::int64_t rows = 0;
};

// A card key as the store matches it: the insurer and core::match_key of symbol and number.
struct CardKey {
  std::string insurer_number;
  std::string symbol_key;
  std::string number_key;
  auto operator<=>(const CardKey&) const = default;
};

// The work of one write transaction. Reads see the transaction's own writes. An object is
// valid only inside the Store::transact call that handed it out.
class Transaction {
 public:
  virtual ~Transaction() = default;

  // For each fingerprint, whether a committed load, or an earlier write_event_hashes of this
  // transaction, already applied it.
  virtual std::vector<bool> applied_events(std::span<const std::string> event_hashes) = 0;
  // Every coverage under a card key, matched by core::match_key of symbol and number (any
  // branch, any period), in id order.
  virtual std::vector<core::Coverage> coverages_under(std::string_view insurer_number,
                                                      std::string_view symbol_key,
                                                      std::string_view number_key) = 0;
  // coverages_under for many card keys at once: out[i] answers keys[i]. A load asks for every
  // card key of a chunk together, so a backend can answer in a few queries (PostgreSQL: one
  // round trip per page of keys instead of one per key) or in index order (SQLite). The default
  // asks coverages_under once per key.
  virtual std::vector<std::vector<core::Coverage>> coverages_under_each(
      std::span<const CardKey> keys);
  virtual bool insurer_known(std::string_view insurer_number) = 0;

  // A load written in pieces, so that a file of any size never has to be held at once (the
  // registry writes one piece per chunk of rows, all in this one transaction):
  //   begin_load once -> write_coverages / write_event_hashes any number of times, in any
  //   order -> finish_load once, before the work returns.
  // begin_load inserts the `loads` row and adds the load's one change-log entry (kLoad,
  // load_id) to this transaction's commit; pieces are visible to this transaction's reads at
  // once (coverages_under returns them with their ids, applied_events says true for their
  // hashes), to everyone else only after the commit.
  virtual std::int64_t begin_load(std::string_view source, std::string_view actor) = 0;
  // Inserts coverages with id 0 (the store assigns ids in place, ascending in span order) and
  // updates the others, in span order; every row's last write becomes load `load_id`.
  virtual void write_coverages(std::int64_t load_id, std::span<core::Coverage> coverages) = 0;
  // Records the fingerprints as applied by load `load_id`; a fingerprint already recorded
  // (duplicates within the span, or recorded before) is kept as it is.
  virtual void write_event_hashes(std::int64_t load_id, std::span<const std::string> hashes) = 0;
  // The receipt figures of the loads row; rows_applied = total - rejected - already applied.
  virtual void finish_load(std::int64_t load_id, const LoadCounts& counts) = 0;
  // All of a load in one piece: begin_load, write_coverages, write_event_hashes, finish_load.
  std::int64_t write_load(LoadBatch& batch);
  virtual void upsert_insurers(std::span<const core::Insurer> insurers) = 0;
  virtual void upsert_facilities(std::span<const core::Facility> facilities) = 0;
  virtual void add_credential(const Credential& credential) = 0;
  // Removes every subject of the token; false when no credential had that hash.
  virtual bool revoke_credential(std::string_view token_sha256) = 0;
};

class Store {
 public:
  virtual ~Store() = default;

  // Runs `work` in one transaction and commits it. On ConflictError the transaction is rolled
  // back and `work` runs again (a few times, with a growing pause), so `work` must keep its
  // results in variables it resets itself. Any other exception rolls back and propagates.
  // Returns the change-log seq of the last entry the commit added, 0 if it added none.
  std::int64_t transact(const std::function<void(Transaction&)>& work);

  // Shorthands, each one transaction.
  void upsert_insurers(std::span<const core::Insurer> insurers);
  void upsert_facilities(std::span<const core::Facility> facilities);
  void add_credential(const Credential& credential);
  std::int64_t commit_load(LoadBatch& batch);  // returns the load id
  std::vector<bool> applied_events(std::span<const std::string> event_hashes);

  // Reads (each its own consistent snapshot).
  virtual std::vector<core::Insurer> insurers() = 0;
  virtual std::vector<core::Facility> facilities() = 0;
  virtual std::vector<Credential> credentials() = 0;
  virtual void for_each_coverage(const std::function<void(const core::Coverage&)>& visit) = 0;
  virtual std::int64_t coverage_count() = 0;

  // The change log. `last_change_seq` is 0 for a store never written.
  virtual std::int64_t last_change_seq() = 0;
  // Entries with seq > `after`, in seq order, at most `limit`.
  virtual std::vector<Change> changes_after(std::int64_t after, int limit) = 0;
  // The coverages whose last write was load `load_id`, with id > `after_id`, in id order, at
  // most `limit` (page through a big load without holding the store).
  virtual std::vector<core::Coverage> coverages_of_load(std::int64_t load_id, std::int64_t after_id,
                                                        int limit) = 0;

  // The access journal (docs/journal.md): one hash chain per node, imported from the node's
  // journal files in the background (services/journal.hpp), with the daily counters. Not
  // part of the change log: no node serves answers from it.
  //
  // The last record of `node_id`'s chain in the store: seq 0 and hash "" when it has none.
  virtual core::JournalAnchor journal_head(std::string_view node_id) = 0;
  // Appends records of one node, which must continue the store's chain exactly (the first one's
  // seq is the head's + 1 and its prev_hash the head's hash, or the genesis value at seq 1;
  // the rest follow one by one), and adds `count_increments`, in one transaction. Returns
  // false and writes nothing when they do not continue it (already imported, or another
  // chain): importing the same records twice therefore never writes them twice.
  virtual bool append_journal(std::span<const core::JournalRecord> records,
                              std::span<const core::DailyCount> count_increments) = 0;
  // Keeps `anchor` (a second anchor at the same node and seq is ignored).
  virtual void add_journal_anchor(const core::JournalAnchor& anchor) = 0;
  virtual std::vector<core::JournalAnchor> journal_anchors(std::string_view node_id) = 0;
  // Every node with records, sorted; the number of records of all nodes.
  virtual std::vector<std::string> journal_nodes() = 0;
  virtual std::int64_t journal_count() = 0;
  // Every record of `node_id` in seq order, from one snapshot, a page at a time.
  virtual void for_each_journal_record(
      std::string_view node_id, const std::function<void(const core::JournalRecord&)>& visit) = 0;
  // Access records from the journal, newest first; facility_code "" = all facilities.
  virtual std::vector<core::AccessRecord> access_records(const std::string& facility_code,
                                                         int limit) = 0;
  virtual std::vector<core::DailyCount> daily_counts(std::int32_t from_day,
                                                     std::int32_t to_day) = 0;

  // Gives back caches filled by a one-off scan (the index rebuild at start). A hint only.
  virtual void release_memory() {}

 protected:
  // One attempt: begin, run `work`, commit; rolls back on any exception. Returns what
  // transact returns. Throws ConflictError when the attempt may be retried.
  virtual std::int64_t run_transaction(const std::function<void(Transaction&)>& work) = 0;
};

// Opens (creating if needed) the SQLite store at `path` and runs its pending migrations.
std::unique_ptr<Store> open_sqlite_store(const std::string& path);

}  // namespace onshi::store
