// The SQLite backend of Store: the default, single-node system of record.
//
// Concurrency: one connection, guarded by one mutex. Every public method takes the mutex for its
// whole duration, so the object may be shared freely between threads and each call sees and
// leaves a consistent state. SQLite gives a single connection no parallelism anyway, and WAL
// plus busy_timeout let other processes (the sqlite3 shell, a backup) read while we write.
// for_each_coverage holds the mutex while it calls the visitor, and a transaction holds it while
// its work runs: neither may call back into the same store (that is detected and thrown as
// StoreError instead of deadlocking); the work uses the Transaction it is given.
// Transactions are BEGIN IMMEDIATE, so writers in other processes queue on SQLite's write lock.
// A second, internal connection only checkpoints the WAL (see wal_checkpointer.hpp).
//
// Bulk speed: write_coverages assigns new ids itself, writes coverages through multi-row INSERT OR
// ROLLBACK statements and event hashes in sorted order, and leaves WAL checkpoints to another
// thread; see the comments there. Dates are formatted and parsed here rather than through
// Date::iso() / core::parse_date_strict, which use snprintf (see DateTexts, date_from_text).
#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "core/date.hpp"
#include "core/text_normalise.hpp"
#include "store/fault_point.hpp"
#include "store/journal_chain.hpp"
#include "store/sqlite/coverage_rows.hpp"
#include "store/sqlite/migrations.hpp"
#include "store/sqlite/sqlite_db.hpp"
#include "store/sqlite/wal_checkpointer.hpp"
#include "store/store.hpp"

namespace onshi::store {
namespace {

using sqlite::Db;
using sqlite::Stmt;
using sqlite::StmtUse;
using sqlite::TxScope;
using namespace sqlite;  // the coverage row layout (coverage_rows.hpp)

// Adds which input rows a failure inside a loop concerns, so a rejected load says where it broke
// without repeating the rows' content.
template <typename F>
void at_rows(std::size_t first, std::size_t last, const char* what, F&& f) {
  try {
    f();
  } catch (const StoreError& e) {
    std::string where = first == last
                            ? " row " + std::to_string(first)
                            : " rows " + std::to_string(first) + ".." + std::to_string(last);
    throw StoreError(std::string(e.what()) + " [" + what + where + "]");
  }
}

// The indexes of `hashes` in byte order of the hashes. Each is keyed by its first 8 bytes as a
// big-endian integer first, so nearly every comparison is one integer compare instead of a
// memcmp of 64 characters (a plain sort was ~8% of commit_load at 300,000 rows).
std::vector<std::uint32_t> byte_order(std::span<const std::string> hashes) {
  struct Key {
    std::uint64_t prefix;
    std::uint32_t index;
  };
  std::vector<Key> keys(hashes.size());
  for (std::size_t i = 0; i < hashes.size(); ++i) {
    std::uint64_t p = 0;
    const std::string& h = hashes[i];
    for (std::size_t b = 0; b < 8; ++b)
      p = (p << 8) | (b < h.size() ? static_cast<unsigned char>(h[b]) : 0u);
    keys[i] = {p, static_cast<std::uint32_t>(i)};
  }
  std::sort(keys.begin(), keys.end(), [&](const Key& x, const Key& y) {
    if (x.prefix != y.prefix) return x.prefix < y.prefix;
    return hashes[x.index] < hashes[y.index];
  });
  std::vector<std::uint32_t> order(keys.size());
  for (std::size_t i = 0; i < keys.size(); ++i) order[i] = keys[i].index;
  return order;
}

// How long a writer waits for another process's write lock; access-log appends wait less.
constexpr int kBusyMs = 5000;
constexpr int kAccessBusyMs = 250;

class SqliteStore final : public Store {
 public:
  explicit SqliteStore(const std::string& path) : db_(path) {
    configure(path);
    register_functions();
    migrate();
    prepare();
    if (!is_in_memory(path))
      checkpointer_ = std::make_unique<sqlite::WalCheckpointer>(db_, path, kCheckpointPages);
  }

  std::vector<core::Insurer> insurers() override {
    auto lock = guard();
    std::vector<core::Insurer> out;
    StmtUse use(list_insurers_);
    while (list_insurers_.step("insurers")) {
      out.push_back({list_insurers_.text_at(0), list_insurers_.text_at(1),
                     static_cast<core::InsurerKind>(list_insurers_.int_at(2)),
                     int_at(list_insurers_, 3)});
    }
    return out;
  }

  std::vector<core::Facility> facilities() override {
    auto lock = guard();
    std::vector<core::Facility> out;
    StmtUse use(list_facilities_);
    while (list_facilities_.step("facilities")) {
      out.push_back({list_facilities_.text_at(0), list_facilities_.text_at(1),
                     static_cast<core::FacilityType>(list_facilities_.int_at(2)),
                     int_at(list_facilities_, 3)});
    }
    return out;
  }

  std::vector<Credential> credentials() override {
    auto lock = guard();
    std::vector<Credential> out;
    StmtUse use(list_credentials_);
    while (list_credentials_.step("credentials")) {
      Credential c;
      c.token_sha256 = list_credentials_.text_at(0);
      c.subject = list_credentials_.text_at(1);
      c.role = static_cast<Role>(list_credentials_.int_at(2));
      c.label = list_credentials_.text_at(3);
      out.push_back(std::move(c));
    }
    return out;
  }

  std::int64_t last_change_seq() override {
    auto lock = guard();
    StmtUse use(last_change_);
    last_change_.step("last_change_seq");
    return last_change_.int_at(0);
  }

  std::vector<Change> changes_after(std::int64_t after, int limit) override {
    auto lock = guard();
    std::vector<Change> out;
    if (limit <= 0) return out;
    StmtUse use(changes_after_);
    changes_after_.bind(1, after);
    changes_after_.bind(2, static_cast<std::int64_t>(limit));
    while (changes_after_.step("changes_after")) {
      Change c;
      c.seq = changes_after_.int_at(0);
      c.kind = static_cast<ChangeKind>(changes_after_.int_at(1));
      c.load_id = changes_after_.int_at(2);
      c.at_ms = changes_after_.int_at(3);
      c.rows = changes_after_.int_at(4);
      out.push_back(c);
    }
    return out;
  }

  std::vector<core::Coverage> coverages_of_load(std::int64_t load_id, std::int64_t after_id,
                                                int limit) override {
    auto lock = guard();
    std::vector<core::Coverage> out;
    if (limit <= 0) return out;
    StmtUse use(coverages_of_load_);
    coverages_of_load_.bind(1, load_id);
    coverages_of_load_.bind(2, after_id);
    coverages_of_load_.bind(3, static_cast<std::int64_t>(limit));
    while (coverages_of_load_.step("coverages_of_load"))
      read_coverage(coverages_of_load_, out.emplace_back());
    return out;
  }

 protected:
  std::int64_t run_transaction(const std::function<void(Transaction&)>& work) override {
    auto lock = guard();
    // BEGIN IMMEDIATE takes SQLite's write lock for the whole work: a writer in another
    // process waits (busy_timeout) and then gets ConflictError, so what `work` reads cannot be
    // changed under it. One writer at a time is SQLite's model anyway.
    TxScope tx(db_, TxScope::Kind::kImmediate);
    Tx t(*this);
    {
      CallbackScope scope(callback_thread_);
      work(t);
    }
    std::int64_t last_seq = 0;
    if (!t.changes.empty()) {
      const std::int64_t at_ms = now_unix_ms();
      for (const auto& [kind, load_id] : t.changes) {
        StmtUse use(insert_change_);
        insert_change_.bind(1, static_cast<std::int64_t>(kind));
        insert_change_.bind(2, load_id);
        insert_change_.bind(3, at_ms);
        insert_change_.step("transaction: append change");
        last_seq = insert_change_.last_insert_rowid();
      }
    }
    // Test-only crash points (store/fault_point.hpp), around the commit of a load: no-ops
    // unless ONSHI_FAULT_POINT is set.
    const bool writes_load = std::any_of(t.changes.begin(), t.changes.end(), [](const auto& c) {
      return c.first == ChangeKind::kLoad;
    });
    if (writes_load) test_only::fault_point("commit_load.before_commit");
    tx.commit();
    if (writes_load) test_only::fault_point("commit_load.after_commit");
    return last_seq;
  }

 private:
  // The work's view of the open transaction; records which change-log entries the commit adds
  // (one per load, one per reference kind however many rows).
  class Tx final : public Transaction {
   public:
    explicit Tx(SqliteStore& s) : s_(s) {}
    std::vector<bool> applied_events(std::span<const std::string> hashes) override {
      return s_.tx_applied_events(hashes);
    }
    std::vector<core::Coverage> coverages_under(std::string_view insurer_number,
                                                std::string_view symbol_key,
                                                std::string_view number_key) override {
      return s_.tx_coverages_under(insurer_number, symbol_key, number_key);
    }
    bool insurer_known(std::string_view insurer_number) override {
      StmtUse use(s_.find_insurer_);
      s_.find_insurer_.bind(1, insurer_number);
      return s_.find_insurer_.step("insurer_known");
    }
    std::int64_t begin_load(std::string_view source, std::string_view actor) override {
      const std::int64_t load_id = s_.tx_begin_load(source, actor);
      changes.emplace_back(ChangeKind::kLoad, load_id);
      return load_id;
    }
    void write_coverages(std::int64_t load_id, std::span<core::Coverage> coverages) override {
      s_.tx_write_coverages(load_id, coverages);
    }
    void write_event_hashes(std::int64_t load_id, std::span<const std::string> hashes) override {
      s_.write_event_hashes(hashes, load_id);
    }
    void finish_load(std::int64_t load_id, const LoadCounts& counts) override {
      s_.tx_finish_load(load_id, counts);
    }
    void upsert_insurers(std::span<const core::Insurer> insurers) override {
      s_.tx_upsert_insurers(insurers);
      note(ChangeKind::kInsurers);
    }
    void upsert_facilities(std::span<const core::Facility> facilities) override {
      s_.tx_upsert_facilities(facilities);
      note(ChangeKind::kFacilities);
    }
    void add_credential(const Credential& c) override {
      StmtUse use(s_.upsert_credential_);
      s_.upsert_credential_.bind(1, c.token_sha256);
      s_.upsert_credential_.bind(2, c.subject);
      s_.upsert_credential_.bind(3, static_cast<std::int64_t>(c.role));
      s_.upsert_credential_.bind(4, c.label);
      s_.upsert_credential_.step("add_credential");
      note(ChangeKind::kCredentials);
    }
    bool revoke_credential(std::string_view token_sha256) override {
      StmtUse use(s_.delete_credential_);
      s_.delete_credential_.bind(1, token_sha256);
      s_.delete_credential_.step("revoke_credential");
      if (s_.delete_credential_.changes() == 0) return false;
      note(ChangeKind::kCredentials);
      return true;
    }

    std::vector<std::pair<ChangeKind, std::int64_t>> changes;

   private:
    void note(ChangeKind kind) {
      for (const auto& c : changes)
        if (c.first == kind) return;
      changes.emplace_back(kind, 0);
    }
    SqliteStore& s_;
  };

  static std::int64_t now_unix_ms() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
  }

  void tx_upsert_insurers(std::span<const core::Insurer> insurers) {
    for (std::size_t i = 0; i < insurers.size(); ++i) {
      const auto& x = insurers[i];
      at_rows(i, i, "insurer", [&] {
        StmtUse use(upsert_insurer_);
        upsert_insurer_.bind(1, x.number);
        upsert_insurer_.bind(2, x.name);
        upsert_insurer_.bind(3, static_cast<std::int64_t>(x.kind));
        upsert_insurer_.bind(4, static_cast<std::int64_t>(x.prefecture));
        upsert_insurer_.step("upsert_insurers");
      });
    }
  }

  void tx_upsert_facilities(std::span<const core::Facility> facilities) {
    for (std::size_t i = 0; i < facilities.size(); ++i) {
      const auto& f = facilities[i];
      at_rows(i, i, "facility", [&] {
        StmtUse use(upsert_facility_);
        upsert_facility_.bind(1, f.code);
        upsert_facility_.bind(2, f.name);
        upsert_facility_.bind(3, static_cast<std::int64_t>(f.type));
        upsert_facility_.bind(4, static_cast<std::int64_t>(f.prefecture));
        upsert_facility_.step("upsert_facilities");
      });
    }
  }

  std::vector<bool> tx_applied_events(std::span<const std::string> event_hashes) {
    std::vector<bool> out(event_hashes.size(), false);
    if (event_hashes.empty()) return out;
    if (event_hashes.size() > UINT32_MAX) throw StoreError("sqlite: applied_events: too many");
    // Asking in key order walks the index front to back, so successive probes hit pages already
    // in cache; hashes arrive in random order and a million of them outgrow the page cache.
    const std::vector<std::uint32_t> order = byte_order(event_hashes);
    for (const std::uint32_t i : order) {
      StmtUse use(find_event_);
      find_event_.bind(1, event_hashes[i]);
      out[i] = find_event_.step("applied_events");
    }
    return out;
  }

  std::vector<core::Coverage> tx_coverages_under(std::string_view insurer_number,
                                                 std::string_view symbol_key,
                                                 std::string_view number_key) {
    std::vector<core::Coverage> out;
    StmtUse use(coverages_under_);
    coverages_under_.bind(1, insurer_number);
    coverages_under_.bind(2, symbol_key);
    coverages_under_.bind(3, number_key);
    while (coverages_under_.step("coverages_under"))
      read_coverage(coverages_under_, out.emplace_back());
    return out;
  }

  std::int64_t tx_begin_load(std::string_view source, std::string_view actor) {
    // The counts are known only at finish_load; a load that never finishes is rolled back
    // with its transaction, so no row keeps these zeros.
    const std::string now = now_utc_text();
    StmtUse use(insert_load_);
    insert_load_.bind(1, source);
    insert_load_.bind(2, actor);
    insert_load_.bind(3, now);
    for (int p = 4; p <= 7; ++p) insert_load_.bind(p, std::int64_t{0});
    insert_load_.step("begin_load: insert load");
    return insert_load_.last_insert_rowid();
  }

  void tx_write_coverages(std::int64_t load_id, std::span<core::Coverage> rows) {
    if (rows.size() > std::size_t{UINT32_MAX})
      throw StoreError("sqlite: write_coverages: too many rows");
    if (rows.empty()) return;
    const std::string now = now_utc_text();
    std::vector<std::int64_t> new_ids(rows.size(), 0);
    // New ids are max(id)+1, +2, ... in span order: what SQLite would pick itself, but known
    // before the INSERT, which lets one statement insert many rows. The write lock taken by
    // BEGIN IMMEDIATE keeps anyone else from inserting in between, and max(id) sees the
    // earlier pieces of this transaction.
    std::int64_t next_id = 0;
    {
      StmtUse use(max_coverage_id_);
      max_coverage_id_.step("write_coverages: max id");
      next_id = max_coverage_id_.int_at(0) + 1;
    }
    write_coverages(rows, load_id, now, next_id, new_ids);
    for (std::size_t i = 0; i < rows.size(); ++i)
      if (new_ids[i] != 0) rows[i].id = new_ids[i];
  }

  core::JournalAnchor read_journal_head(std::string_view node_id) {
    core::JournalAnchor head{std::string(node_id), 0, {}, 0};
    StmtUse use(journal_head_);
    journal_head_.bind(1, node_id);
    if (journal_head_.step("journal_head")) {
      head.seq = journal_head_.int_at(0);
      head.hash = journal_head_.text_at(1);
    }
    return head;
  }

  void tx_finish_load(std::int64_t load_id, const LoadCounts& counts) {
    StmtUse use(finish_load_);
    finish_load_.bind(1, counts.rows_total);
    finish_load_.bind(2, counts.rows_total - counts.rows_rejected - counts.rows_already_applied);
    finish_load_.bind(3, counts.rows_rejected);
    finish_load_.bind(4, counts.rows_already_applied);
    finish_load_.bind(5, load_id);
    finish_load_.step("finish_load: update load");
    if (finish_load_.changes() != 1)
      throw StoreError("sqlite: finish_load: no load with id " + std::to_string(load_id));
  }

 public:
  void for_each_coverage(const std::function<void(const core::Coverage&)>& visit) override {
    auto lock = guard();
    CallbackScope scope(callback_thread_);
    StmtUse use(select_coverages_);
    core::Coverage c;  // reused so that string buffers are too
    while (select_coverages_.step("for_each_coverage")) {
      read_coverage(select_coverages_, c);
      visit(c);
    }
  }

  void release_memory() override {
    auto lock = guard();
    db_.exec("PRAGMA shrink_memory", "shrink_memory");
  }

  std::int64_t coverage_count() override {
    auto lock = guard();
    StmtUse use(count_coverages_);
    count_coverages_.step("coverage_count");
    return count_coverages_.int_at(0);
  }

  core::JournalAnchor journal_head(std::string_view node_id) override {
    auto lock = guard();
    return read_journal_head(node_id);
  }

  bool append_journal(std::span<const core::JournalRecord> records,
                      std::span<const core::DailyCount> count_increments) override {
    auto lock = guard();
    if (records.empty()) return true;
    // The importer retries every second: behind another process's long load, give up soon.
    ShortBusyTimeout short_wait(db_);
    TxScope tx(db_, TxScope::Kind::kImmediate);
    // Under the write lock: nobody can import the same records between the check and the
    // commit.
    if (!continues_chain(read_journal_head(records.front().node_id), records)) return false;
    for (std::size_t i = 0; i < records.size(); ++i) {
      const auto& j = records[i];
      const auto& r = j.access;
      at_rows(i, i, "journal record", [&] {
        StmtUse use(insert_journal_);
        insert_journal_.bind(1, j.node_id);
        insert_journal_.bind(2, j.seq);
        insert_journal_.bind(3, r.at_ms);
        insert_journal_.bind(4, r.facility_code);
        insert_journal_.bind(5, static_cast<std::int64_t>(j.facility_type));
        insert_journal_.bind(6, r.actor);
        insert_journal_.bind(7, static_cast<std::int64_t>(r.method));
        insert_journal_.bind(8, r.coverage_id);
        insert_journal_.bind(9, static_cast<std::int64_t>(r.validity));
        insert_journal_.bind(10, r.request_id);
        insert_journal_.bind(11, j.prev_hash);
        insert_journal_.bind(12, j.hash);
        insert_journal_.step("append_journal: insert record");
      });
    }
    for (std::size_t i = 0; i < count_increments.size(); ++i) {
      const auto& d = count_increments[i];
      at_rows(i, i, "count", [&] {
        StmtUse use(add_count_);
        add_count_.bind(1, static_cast<std::int64_t>(d.day));
        add_count_.bind(2, static_cast<std::int64_t>(d.facility_type));
        add_count_.bind(3, static_cast<std::int64_t>(d.method));
        add_count_.bind(4, static_cast<std::int64_t>(d.validity));
        add_count_.bind(5, d.count);
        add_count_.step("append_journal: add count");
      });
    }
    tx.commit();
    return true;
  }

  void add_journal_anchor(const core::JournalAnchor& a) override {
    auto lock = guard();
    ShortBusyTimeout short_wait(db_);
    StmtUse use(insert_anchor_);
    insert_anchor_.bind(1, a.node_id);
    insert_anchor_.bind(2, a.seq);
    insert_anchor_.bind(3, a.hash);
    insert_anchor_.bind(4, a.at_ms);
    insert_anchor_.step("add_journal_anchor");
  }

  std::vector<core::JournalAnchor> journal_anchors(std::string_view node_id) override {
    auto lock = guard();
    std::vector<core::JournalAnchor> out;
    StmtUse use(journal_anchors_);
    journal_anchors_.bind(1, node_id);
    while (journal_anchors_.step("journal_anchors"))
      out.push_back({std::string(node_id), journal_anchors_.int_at(0), journal_anchors_.text_at(1),
                     journal_anchors_.int_at(2)});
    return out;
  }

  std::vector<std::string> journal_nodes() override {
    auto lock = guard();
    std::vector<std::string> out;
    StmtUse use(journal_nodes_);
    while (journal_nodes_.step("journal_nodes")) out.push_back(journal_nodes_.text_at(0));
    return out;
  }

  std::int64_t journal_count() override {
    auto lock = guard();
    StmtUse use(journal_count_);
    journal_count_.step("journal_count");
    return journal_count_.int_at(0);
  }

  void for_each_journal_record(
      std::string_view node_id,
      const std::function<void(const core::JournalRecord&)>& visit) override {
    auto lock = guard();
    CallbackScope scope(callback_thread_);
    StmtUse use(journal_of_node_);
    journal_of_node_.bind(1, node_id);
    core::JournalRecord j;  // reused so that string buffers are too
    j.node_id = std::string(node_id);
    while (journal_of_node_.step("for_each_journal_record")) {
      Stmt& s = journal_of_node_;
      j.seq = s.int_at(0);
      j.access.at_ms = s.int_at(1);
      j.access.facility_code.assign(s.text_view_at(2));
      j.facility_type = static_cast<core::FacilityType>(s.int_at(3));
      j.access.actor.assign(s.text_view_at(4));
      j.access.method = static_cast<core::ConfirmMethod>(s.int_at(5));
      j.access.coverage_id = s.int_at(6);
      j.access.validity = int_at(s, 7);
      j.access.request_id.assign(s.text_view_at(8));
      j.prev_hash.assign(s.text_view_at(9));
      j.hash.assign(s.text_view_at(10));
      visit(j);
    }
  }

  std::vector<core::AccessRecord> access_records(const std::string& facility_code,
                                                 int limit) override {
    auto lock = guard();
    std::vector<core::AccessRecord> out;
    if (limit <= 0) return out;
    Stmt& s = facility_code.empty() ? access_all_ : access_by_facility_;
    StmtUse use(s);
    s.bind(1, static_cast<std::int64_t>(limit));
    if (!facility_code.empty()) s.bind(2, facility_code);
    while (s.step("access_records")) {
      core::AccessRecord r;
      r.at_ms = s.int_at(0);
      r.facility_code = s.text_at(1);
      r.actor = s.text_at(2);
      r.method = static_cast<core::ConfirmMethod>(s.int_at(3));
      r.coverage_id = s.int_at(4);
      r.validity = int_at(s, 5);
      r.request_id = s.text_at(6);
      out.push_back(std::move(r));
    }
    return out;
  }

  std::vector<core::DailyCount> daily_counts(std::int32_t from_day, std::int32_t to_day) override {
    auto lock = guard();
    std::vector<core::DailyCount> out;
    StmtUse use(daily_counts_);
    daily_counts_.bind(1, static_cast<std::int64_t>(from_day));
    daily_counts_.bind(2, static_cast<std::int64_t>(to_day));
    while (daily_counts_.step("daily_counts")) {
      core::DailyCount d;
      d.day = static_cast<std::int32_t>(daily_counts_.int_at(0));
      d.facility_type = static_cast<core::FacilityType>(daily_counts_.int_at(1));
      d.method = static_cast<core::ConfirmMethod>(daily_counts_.int_at(2));
      d.validity = int_at(daily_counts_, 3);
      d.count = daily_counts_.int_at(4);
      out.push_back(d);
    }
    return out;
  }

 private:
  // Marks the thread that is inside for_each_coverage's visitor or a transaction's work, so a
  // re-entrant call fails loudly rather than deadlocking on the (non-recursive) mutex.
  class CallbackScope {
   public:
    explicit CallbackScope(std::atomic<std::thread::id>& slot) : slot_(slot) {
      slot_.store(std::this_thread::get_id());
    }
    ~CallbackScope() { slot_.store(std::thread::id{}); }
    CallbackScope(const CallbackScope&) = delete;
    CallbackScope& operator=(const CallbackScope&) = delete;

   private:
    std::atomic<std::thread::id>& slot_;
  };

  // Lowers busy_timeout for one call (kAccessBusyMs) and puts the usual one back.
  class ShortBusyTimeout {
   public:
    explicit ShortBusyTimeout(Db& db) : db_(db) {
      sqlite3_busy_timeout(db_.handle(), kAccessBusyMs);
    }
    ~ShortBusyTimeout() { sqlite3_busy_timeout(db_.handle(), kBusyMs); }
    ShortBusyTimeout(const ShortBusyTimeout&) = delete;
    ShortBusyTimeout& operator=(const ShortBusyTimeout&) = delete;

   private:
    Db& db_;
  };

  std::unique_lock<std::mutex> guard() {
    if (callback_thread_.load() == std::this_thread::get_id())
      throw StoreError(
          "sqlite: store called from inside a for_each_coverage visitor or a transaction's work "
          "(use the Transaction it was given)");
    return std::unique_lock<std::mutex>(mu_);
  }

  // Inserts (id 0) go out in chunks of kCoverageChunk rows; an update first flushes the inserts
  // before it, so rows take effect in batch order (an update may free a key a later row takes).
  void write_coverages(std::span<const core::Coverage> rows, std::int64_t load_id,
                       std::string_view now, std::int64_t next_id,
                       std::vector<std::int64_t>& new_ids) {
    std::vector<std::uint32_t> pending;  // batch indexes of inserts not yet written
    pending.reserve(kCoverageChunk);
    auto flush = [&] {
      if (pending.size() == kCoverageChunk) {
        write_inserts(insert_coverages_chunk_, rows, pending, load_id, now, next_id, new_ids);
      } else {
        for (const std::uint32_t& i : pending)
          write_inserts(insert_coverage_, rows, {&i, 1}, load_id, now, next_id, new_ids);
      }
      pending.clear();
    };
    for (std::size_t i = 0; i < rows.size(); ++i) {
      const core::Coverage& c = rows[i];
      if (c.id == 0) {
        pending.push_back(static_cast<std::uint32_t>(i));
        if (pending.size() == kCoverageChunk) flush();
        continue;
      }
      flush();
      at_rows(i, i, "coverage", [&] {
        StmtUse use(update_coverage_);
        dates_.clear();
        update_coverage_.bind(1, load_id);
        update_coverage_.bind(2, now);
        bind_coverage(update_coverage_, row_base(0), c, dates_);
        update_coverage_.bind(row_base(0) + kRowParams, c.id);
        update_coverage_.step("commit_load: update coverage");
        if (update_coverage_.changes() != 1)
          throw StoreError("sqlite: commit_load: no coverage with id " + std::to_string(c.id));
      });
    }
    flush();
  }

  // Runs `s`, an INSERT of which.size() rows, for the batch rows `which`.
  void write_inserts(Stmt& s, std::span<const core::Coverage> rows,
                     std::span<const std::uint32_t> which, std::int64_t load_id,
                     std::string_view now, std::int64_t& next_id,
                     std::vector<std::int64_t>& new_ids) {
    at_rows(which.front(), which.back(), "coverage", [&] {
      StmtUse use(s, StmtUse::Bindings::kKeep);  // all rebound below
      dates_.clear();
      s.bind(1, load_id);
      s.bind(2, now);
      for (std::size_t r = 0; r < which.size(); ++r) {
        const int base = row_base(static_cast<int>(r));
        bind_coverage(s, base, rows[which[r]], dates_);
        s.bind(base + kRowParams, next_id + static_cast<std::int64_t>(r));
      }
      s.step("commit_load: insert coverage");
    });
    for (const std::uint32_t i : which) new_ids[i] = next_id++;
  }

  // Sorted and deduplicated first: hashes are random, and inserting them in key order turns
  // scattered B-tree page updates into appends (measured: 1M hashes ~3x faster).
  void write_event_hashes(std::span<const std::string> hashes, std::int64_t load_id) {
    if (hashes.size() > UINT32_MAX) throw StoreError("sqlite: write_event_hashes: too many");
    std::vector<std::string_view> sorted;
    sorted.reserve(hashes.size());
    for (const std::uint32_t i : byte_order(hashes))
      if (sorted.empty() || sorted.back() != hashes[i]) sorted.push_back(hashes[i]);
    std::size_t i = 0;
    for (; i + kEventChunk <= sorted.size(); i += kEventChunk) {
      StmtUse use(insert_events_chunk_, StmtUse::Bindings::kKeep);  // all rebound below
      insert_events_chunk_.bind(1, load_id);
      for (int r = 0; r < kEventChunk; ++r) insert_events_chunk_.bind(r + 2, sorted[i + r]);
      insert_events_chunk_.step("commit_load: insert event hashes");
    }
    for (; i < sorted.size(); ++i) {
      StmtUse use(insert_event_);
      insert_event_.bind(1, load_id);
      insert_event_.bind(2, sorted[i]);
      insert_event_.step("commit_load: insert event hash");
    }
  }

  static bool is_in_memory(const std::string& path) { return path.empty() || path == ":memory:"; }

  void configure(const std::string& path) {
    // Writers wait up to kBusyMs for another process's lock instead of failing at once.
    if (sqlite3_busy_timeout(db_.handle(), kBusyMs) != SQLITE_OK) db_.fail("busy_timeout");
    const std::string mode = db_.query_text("PRAGMA journal_mode=WAL", "journal_mode");
    if (mode != "wal" && !is_in_memory(path))
      throw StoreError("sqlite: the database could not be switched to WAL mode (got " + mode + ")");
    // NORMAL is durable across process crashes in WAL mode; only a power cut can lose the last
    // commits, never corrupt the file.
    db_.exec("PRAGMA synchronous=NORMAL", "synchronous");
    db_.exec("PRAGMA foreign_keys=ON", "foreign_keys");
    if (db_.query_int("PRAGMA foreign_keys", "foreign_keys") != 1)
      throw StoreError("sqlite: this SQLite build does not enforce foreign keys");
    // A load inserts into the unique coverage-key index and the event-hash index all over; 64 MiB
    // instead of the 2 MiB default keeps their upper levels in memory (KiB when negative).
    // Measured: 256 MiB gained nothing more for a million-row load.
    db_.exec("PRAGMA cache_size=-65536", "cache_size");
    db_.exec("PRAGMA temp_store=MEMORY", "temp_store");
    // After a big load has been checkpointed, give the disk back: the WAL is cut to this size.
    db_.exec("PRAGMA journal_size_limit=67108864", "journal_size_limit");
  }

  // onshi_match_key(text): core::match_key, so that symbol_key / number_key are derived by the
  // same code that derives the keys a lookup asks with (docs/eligibility-rules.md N1).
  void register_functions() {
    auto fn = [](sqlite3_context* ctx, int, sqlite3_value** argv) {
      const auto* p = reinterpret_cast<const char*>(sqlite3_value_text(argv[0]));
      const int n = sqlite3_value_bytes(argv[0]);
      const std::string key =
          core::match_key(std::string_view(p ? p : "", static_cast<std::size_t>(p ? n : 0)));
      sqlite3_result_text(ctx, key.data(), static_cast<int>(key.size()), SQLITE_TRANSIENT);
    };
    if (sqlite3_create_function(db_.handle(), "onshi_match_key", 1,
                                SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS, nullptr, fn,
                                nullptr, nullptr) != SQLITE_OK)
      db_.fail("register onshi_match_key");
  }

  void migrate() {
    db_.exec(
        "CREATE TABLE IF NOT EXISTS schema_migrations ("
        " version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)",
        "create schema_migrations");
    const int latest = sqlite::latest_schema_version();
    for (const sqlite::Migration& m : sqlite::migrations()) {
      // The version is read under the write lock so that two processes opening a new file at
      // the same time cannot both apply the same migration.
      TxScope tx(db_, TxScope::Kind::kImmediate);
      const std::int64_t current = db_.query_int(
          "SELECT coalesce(max(version), 0) FROM schema_migrations", "read schema version");
      if (current > latest)
        throw StoreError("sqlite: database schema version " + std::to_string(current) +
                         " is newer than this build of onshi supports (" + std::to_string(latest) +
                         ")");
      if (m.version <= current) continue;  // the transaction rolls back: nothing was written
      db_.exec(m.sql, "migration " + std::to_string(m.version));
      Stmt record(db_, "INSERT INTO schema_migrations (version, applied_at) VALUES (?1, ?2)");
      const std::string now = now_utc_text();
      record.bind(1, static_cast<std::int64_t>(m.version));
      record.bind(2, now);
      record.step("record migration");
      record.reset();
      tx.commit();
    }
  }

  void prepare() {
    upsert_insurer_ =
        Stmt(db_,
             "INSERT INTO insurers (number, name, kind, prefecture) "
             "VALUES (?1, ?2, ?3, ?4) ON CONFLICT (number) DO UPDATE SET "
             "name=excluded.name, kind=excluded.kind, prefecture=excluded.prefecture");
    list_insurers_ =
        Stmt(db_, "SELECT number, name, kind, prefecture FROM insurers ORDER BY number");
    upsert_facility_ =
        Stmt(db_,
             "INSERT INTO facilities (code, name, type, prefecture) "
             "VALUES (?1, ?2, ?3, ?4) ON CONFLICT (code) DO UPDATE SET "
             "name=excluded.name, type=excluded.type, prefecture=excluded.prefecture");
    list_facilities_ =
        Stmt(db_, "SELECT code, name, type, prefecture FROM facilities ORDER BY code");
    upsert_credential_ = Stmt(db_,
                              "INSERT INTO credentials (token_sha256, subject, role, label) "
                              "VALUES (?1, ?2, ?3, ?4) ON CONFLICT (token_sha256, subject) "
                              "DO UPDATE SET role=excluded.role, label=excluded.label");
    list_credentials_ = Stmt(db_,
                             "SELECT token_sha256, subject, role, label FROM credentials "
                             "ORDER BY token_sha256, subject");
    find_event_ = Stmt(db_, "SELECT 1 FROM applied_events WHERE event_hash = ?1");
    finish_load_ = Stmt(db_,
                        "UPDATE loads SET rows_total = ?1, rows_applied = ?2, rows_rejected = ?3, "
                        "rows_already_applied = ?4 WHERE id = ?5");
    insert_load_ = Stmt(db_,
                        "INSERT INTO loads (source, actor, started_at, rows_total, rows_applied, "
                        "rows_rejected, rows_already_applied) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
    max_coverage_id_ = Stmt(db_, "SELECT coalesce(max(id), 0) FROM coverages");
    insert_coverage_ = Stmt(db_, coverage_insert_sql(1));
    insert_coverages_chunk_ = Stmt(db_, coverage_insert_sql(kCoverageChunk));
    update_coverage_ = Stmt(db_, coverage_update_sql());
    insert_event_ = Stmt(db_, event_insert_sql(1));
    insert_events_chunk_ = Stmt(db_, event_insert_sql(kEventChunk));
    select_coverages_ = Stmt(db_, coverage_select_sql("ORDER BY id"));
    coverages_under_ =
        Stmt(db_, coverage_select_sql("WHERE insurer_number = ?1 AND symbol_key = ?2 "
                                      "AND number_key = ?3 ORDER BY id"));
    coverages_of_load_ =
        Stmt(db_, coverage_select_sql("WHERE load_id = ?1 AND id > ?2 ORDER BY id LIMIT ?3"));
    find_insurer_ = Stmt(db_, "SELECT 1 FROM insurers WHERE number = ?1");
    delete_credential_ = Stmt(db_, "DELETE FROM credentials WHERE token_sha256 = ?1");
    insert_change_ = Stmt(db_, "INSERT INTO changes (kind, load_id, at_ms) VALUES (?1, ?2, ?3)");
    last_change_ = Stmt(db_, "SELECT coalesce(max(seq), 0) FROM changes");
    changes_after_ = Stmt(db_,
                          "SELECT c.seq, c.kind, c.load_id, c.at_ms, coalesce(l.rows_applied, 0) "
                          "FROM changes c LEFT JOIN loads l ON l.id = c.load_id "
                          "WHERE c.seq > ?1 ORDER BY c.seq LIMIT ?2");
    count_coverages_ = Stmt(db_, "SELECT count(*) FROM coverages");
    insert_journal_ = Stmt(db_,
                           "INSERT INTO journal (node_id, seq, at_ms, facility_code, "
                           "facility_type, actor, method, coverage_id, validity, request_id, "
                           "prev_hash, hash) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, "
                           "?11, ?12)");
    journal_head_ = Stmt(db_,
                         "SELECT seq, hash FROM journal WHERE node_id = ?1 "
                         "ORDER BY seq DESC LIMIT 1");
    insert_anchor_ = Stmt(db_,
                          "INSERT INTO journal_anchors (node_id, seq, hash, at_ms) "
                          "VALUES (?1, ?2, ?3, ?4) ON CONFLICT (node_id, seq) DO NOTHING");
    journal_anchors_ = Stmt(db_,
                            "SELECT seq, hash, at_ms FROM journal_anchors WHERE node_id = ?1 "
                            "ORDER BY seq");
    journal_nodes_ = Stmt(db_, "SELECT node_id FROM journal GROUP BY node_id ORDER BY node_id");
    journal_count_ = Stmt(db_, "SELECT count(*) FROM journal");
    journal_of_node_ = Stmt(db_,
                            "SELECT seq, at_ms, facility_code, facility_type, actor, method, "
                            "coverage_id, validity, request_id, prev_hash, hash FROM journal "
                            "WHERE node_id = ?1 ORDER BY seq");
    add_count_ = Stmt(db_,
                      "INSERT INTO daily_counts (day, facility_type, method, validity, count) "
                      "VALUES (?1, ?2, ?3, ?4, ?5) "
                      "ON CONFLICT (day, facility_type, method, validity) "
                      "DO UPDATE SET count = count + excluded.count");
    // seq breaks ties between a node's records of the same millisecond: later = newer.
    access_all_ = Stmt(db_,
                       "SELECT at_ms, facility_code, actor, method, coverage_id, validity, "
                       "request_id FROM journal ORDER BY at_ms DESC, node_id DESC, seq DESC "
                       "LIMIT ?1");
    access_by_facility_ = Stmt(db_,
                               "SELECT at_ms, facility_code, actor, method, coverage_id, "
                               "validity, request_id FROM journal WHERE facility_code = ?2 "
                               "ORDER BY at_ms DESC, node_id DESC, seq DESC LIMIT ?1");
    daily_counts_ = Stmt(db_,
                         "SELECT day, facility_type, method, validity, count FROM daily_counts "
                         "WHERE day BETWEEN ?1 AND ?2 "
                         "ORDER BY day, facility_type, method, validity");
  }

  std::mutex mu_;
  std::atomic<std::thread::id> callback_thread_{};
  Db db_;  // declared before the statements: they must be finalized before it closes
  Stmt upsert_insurer_, list_insurers_, upsert_facility_, list_facilities_;
  Stmt upsert_credential_, list_credentials_;
  Stmt find_event_, insert_load_, finish_load_, max_coverage_id_, insert_coverage_,
      insert_coverages_chunk_;
  Stmt update_coverage_, insert_event_, insert_events_chunk_;
  Stmt select_coverages_, count_coverages_, coverages_under_, coverages_of_load_;
  Stmt find_insurer_, delete_credential_, insert_change_, last_change_, changes_after_;
  Stmt add_count_, access_all_, access_by_facility_, daily_counts_;
  Stmt insert_journal_, journal_head_, insert_anchor_, journal_anchors_, journal_nodes_,
      journal_count_, journal_of_node_;
  DateTexts dates_;
  // Last: stopped (and unhooked) before anything it refers to goes.
  std::unique_ptr<sqlite::WalCheckpointer> checkpointer_;
};

}  // namespace

std::unique_ptr<Store> open_sqlite_store(const std::string& path) {
  return std::make_unique<SqliteStore>(path);
}

}  // namespace onshi::store
