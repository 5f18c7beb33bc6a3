// The SQLite backend of Store: the default, single-node system of record.
//
// Concurrency: one connection, guarded by one mutex. Every public method takes the mutex for its
// whole duration, so the object may be shared freely between threads and each call sees and
// leaves a consistent state. SQLite gives a single connection no parallelism anyway, and WAL
// plus busy_timeout let other processes (the sqlite3 shell, a backup) read while we write.
// for_each_coverage holds the mutex while it calls the visitor: the visitor must not call back
// into the same store (that is detected and thrown as StoreError instead of deadlocking).
#include <array>
#include <algorithm>
#include <cstdlib>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "core/date.hpp"
#include "store/sqlite/migrations.hpp"
#include "store/sqlite/sqlite_db.hpp"
#include "store/store.hpp"

namespace onshi::store {
namespace {

using sqlite::Db;
using sqlite::Stmt;
using sqlite::StmtUse;
using sqlite::Transaction;

// Coverage columns in one order shared by INSERT, UPDATE (?N parameters) and SELECT (column N,
// with id at 0), so the three statements cannot drift apart.
enum CovCol : int {
  kInsurerNumber = 1,
  kSymbol,
  kNumber,
  kBranch,
  kRelationship,
  kInsuredName,
  kName,
  kNameKana,
  kSex,
  kBirthDate,
  kAddress,
  kPostcode,
  kAcquiredOn,
  kLostOn,
  kLossReason,
  kCardIssuedOn,
  kCardValidFrom,
  kCardValidUntil,
  kCopayRatio,
  kElderlyCopayRatio,
  kElderlyValidFrom,
  kElderlyValidUntil,
  kLimitCategory,
  kLimitValidFrom,
  kLimitValidUntil,
  kSpecificDisease,
  kSpecificDiseaseValidFrom,
  kSpecificDiseaseValidUntil,
  kPersonKey,
  kLoadId,
  kUpdatedAt,
  kCovColEnd
};
constexpr int kCovColCount = kCovColEnd - 1;

constexpr std::array<const char*, kCovColCount> kCovColNames{
    "insurer_number",
    "symbol",
    "number",
    "branch",
    "relationship",
    "insured_name",
    "name",
    "name_kana",
    "sex",
    "birth_date",
    "address",
    "postcode",
    "acquired_on",
    "lost_on",
    "loss_reason",
    "card_issued_on",
    "card_valid_from",
    "card_valid_until",
    "copay_ratio",
    "elderly_copay_ratio",
    "elderly_valid_from",
    "elderly_valid_until",
    "limit_category",
    "limit_valid_from",
    "limit_valid_until",
    "specific_disease",
    "specific_disease_valid_from",
    "specific_disease_valid_until",
    "person_key",
    "load_id",
    "updated_at",
};

constexpr int kDateColumnsPerCoverage = 12;

std::string coverage_insert_sql() {
  std::string cols, vals;
  for (int i = 1; i <= kCovColCount; ++i) {
    if (i > 1) cols += ',', vals += ',';
    cols += kCovColNames[i - 1];
    vals += '?' + std::to_string(i);
  }
  return "INSERT INTO coverages (" + cols + ") VALUES (" + vals + ")";
}

std::string coverage_update_sql() {
  std::string sql = "UPDATE coverages SET ";
  for (int i = 1; i <= kCovColCount; ++i) {
    if (i > 1) sql += ',';
    sql += kCovColNames[i - 1];
    sql += "=?" + std::to_string(i);
  }
  return sql + " WHERE id=?" + std::to_string(kCovColCount + 1);
}

std::string coverage_select_sql() {
  std::string sql = "SELECT id";
  for (const char* c : kCovColNames) sql += std::string(",") + c;
  return sql + " FROM coverages ORDER BY id";
}

// ISO-8601 UTC with milliseconds: sorts as text and reads naturally in the shell.
std::string now_utc_text() {
  const auto now = std::chrono::system_clock::now();
  const auto ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count();
  const std::time_t secs = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<int>(ms % 1000));
  return buf;
}

// Keeps the text of a row's dates alive until the row's statement has run, because text is bound
// without copying. std::string's small buffer holds 'YYYY-MM-DD', so reuse never allocates.
class DateTexts {
 public:
  void bind(Stmt& s, int col, core::Date d) {
    if (!d.valid()) {
      s.bind_null(col);
      return;
    }
    std::string& slot = slots_[next_++ % slots_.size()];
    if (std::getenv("XFASTDATE")) { int v = d.yyyymmdd(); slot.resize(10); char* p = slot.data(); p[9]='0'+v%10; v/=10; p[8]='0'+v%10; v/=10; p[7]='-'; p[6]='0'+v%10; v/=10; p[5]='0'+v%10; v/=10; p[4]='-'; for (int k=3;k>=0;--k){p[k]='0'+v%10; v/=10;} } else
    slot = d.iso();
    s.bind(col, slot);
  }
  void clear() { next_ = 0; }

 private:
  std::array<std::string, kDateColumnsPerCoverage> slots_;
  std::size_t next_ = 0;
};

void bind_coverage(Stmt& s, const core::Coverage& c, std::int64_t load_id,
                   std::string_view updated_at, DateTexts& dates) {
  dates.clear();
  s.bind(kInsurerNumber, c.key.insurer_number);
  s.bind(kSymbol, c.key.symbol);
  s.bind(kNumber, c.key.number);
  s.bind(kBranch, c.key.branch);
  s.bind(kRelationship, static_cast<std::int64_t>(c.relationship));
  s.bind(kInsuredName, c.insured_name);
  s.bind(kName, c.name);
  s.bind(kNameKana, c.name_kana);
  s.bind(kSex, static_cast<std::int64_t>(c.sex));
  dates.bind(s, kBirthDate, c.birth_date);
  s.bind(kAddress, c.address);
  s.bind(kPostcode, c.postcode);
  dates.bind(s, kAcquiredOn, c.acquired_on);
  dates.bind(s, kLostOn, c.lost_on);
  s.bind(kLossReason, static_cast<std::int64_t>(c.loss_reason));
  dates.bind(s, kCardIssuedOn, c.card_issued_on);
  dates.bind(s, kCardValidFrom, c.card_valid_from);
  dates.bind(s, kCardValidUntil, c.card_valid_until);
  s.bind(kCopayRatio, static_cast<std::int64_t>(c.copay_ratio));
  if (c.elderly) {
    s.bind(kElderlyCopayRatio, static_cast<std::int64_t>(c.elderly->copay_ratio));
    dates.bind(s, kElderlyValidFrom, c.elderly->valid_from);
    dates.bind(s, kElderlyValidUntil, c.elderly->valid_until);
  } else {
    s.bind_null(kElderlyCopayRatio);
    s.bind_null(kElderlyValidFrom);
    s.bind_null(kElderlyValidUntil);
  }
  if (c.self_pay_limit) {
    s.bind(kLimitCategory, c.self_pay_limit->category);
    dates.bind(s, kLimitValidFrom, c.self_pay_limit->valid_from);
    dates.bind(s, kLimitValidUntil, c.self_pay_limit->valid_until);
  } else {
    s.bind_null(kLimitCategory);
    s.bind_null(kLimitValidFrom);
    s.bind_null(kLimitValidUntil);
  }
  if (c.specific_disease) {
    s.bind(kSpecificDisease, static_cast<std::int64_t>(c.specific_disease->disease));
    dates.bind(s, kSpecificDiseaseValidFrom, c.specific_disease->valid_from);
    dates.bind(s, kSpecificDiseaseValidUntil, c.specific_disease->valid_until);
  } else {
    s.bind_null(kSpecificDisease);
    s.bind_null(kSpecificDiseaseValidFrom);
    s.bind_null(kSpecificDiseaseValidUntil);
  }
  s.bind(kPersonKey, c.person_key);
  s.bind(kLoadId, load_id);
  s.bind(kUpdatedAt, updated_at);
}

core::Date date_at(const Stmt& s, int col, std::int64_t id) {
  if (s.is_null(col)) return {};
  auto parsed = core::parse_date_strict(s.text_view_at(col));
  // Only a hand-edited file gets here; naming the row and column (never the value) lets an
  // operator find it without the error carrying personal data.
  if (!parsed.ok())
    throw StoreError("sqlite: coverages row " + std::to_string(id) + ": " + kCovColNames[col - 1] +
                     " is not a YYYY-MM-DD date");
  return parsed.value();
}

int int_at(const Stmt& s, int col) {
  return static_cast<int>(s.int_at(col));
}

void read_coverage(const Stmt& s, core::Coverage& c) {
  c.id = s.int_at(0);
  const std::int64_t id = c.id;
  c.key.insurer_number = s.text_view_at(kInsurerNumber);
  c.key.symbol = s.text_view_at(kSymbol);
  c.key.number = s.text_view_at(kNumber);
  c.key.branch = s.text_view_at(kBranch);
  c.relationship = static_cast<core::Relationship>(s.int_at(kRelationship));
  c.insured_name = s.text_view_at(kInsuredName);
  c.name = s.text_view_at(kName);
  c.name_kana = s.text_view_at(kNameKana);
  c.sex = static_cast<core::Sex>(s.int_at(kSex));
  c.birth_date = date_at(s, kBirthDate, id);
  c.address = s.text_view_at(kAddress);
  c.postcode = s.text_view_at(kPostcode);
  c.acquired_on = date_at(s, kAcquiredOn, id);
  c.lost_on = date_at(s, kLostOn, id);
  c.loss_reason = static_cast<core::LossReason>(s.int_at(kLossReason));
  c.card_issued_on = date_at(s, kCardIssuedOn, id);
  c.card_valid_from = date_at(s, kCardValidFrom, id);
  c.card_valid_until = date_at(s, kCardValidUntil, id);
  c.copay_ratio = int_at(s, kCopayRatio);
  if (s.is_null(kElderlyCopayRatio)) {
    c.elderly.reset();
  } else {
    c.elderly = core::ElderlyRecipientTerms{int_at(s, kElderlyCopayRatio),
                                            date_at(s, kElderlyValidFrom, id),
                                            date_at(s, kElderlyValidUntil, id)};
  }
  if (s.is_null(kLimitCategory)) {
    c.self_pay_limit.reset();
  } else {
    c.self_pay_limit =
        core::SelfPayLimitTerms{std::string(s.text_view_at(kLimitCategory)),
                                date_at(s, kLimitValidFrom, id), date_at(s, kLimitValidUntil, id)};
  }
  if (s.is_null(kSpecificDisease)) {
    c.specific_disease.reset();
  } else {
    c.specific_disease = core::SpecificDiseaseTerms{int_at(s, kSpecificDisease),
                                                    date_at(s, kSpecificDiseaseValidFrom, id),
                                                    date_at(s, kSpecificDiseaseValidUntil, id)};
  }
  c.person_key = s.text_view_at(kPersonKey);
}

// Appends " (batch row N)" to a failure inside a loop, so a rejected load says which input row
// broke it without repeating the row's content.
template <typename F>
void at_row(std::size_t row, const char* what, F&& f) {
  try {
    f();
  } catch (const StoreError& e) {
    throw StoreError(std::string(e.what()) + " [" + what + " " + std::to_string(row) + "]");
  }
}

class SqliteStore final : public Store {
 public:
  explicit SqliteStore(const std::string& path) : db_(path) {
    configure(path);
    migrate();
    prepare();
  }

  void upsert_insurers(std::span<const core::Insurer> insurers) override {
    auto lock = guard();
    Transaction tx(db_, Transaction::Kind::kImmediate);
    for (std::size_t i = 0; i < insurers.size(); ++i) {
      const auto& x = insurers[i];
      at_row(i, "insurer", [&] {
        StmtUse use(upsert_insurer_);
        upsert_insurer_.bind(1, x.number);
        upsert_insurer_.bind(2, x.name);
        upsert_insurer_.bind(3, static_cast<std::int64_t>(x.kind));
        upsert_insurer_.bind(4, static_cast<std::int64_t>(x.prefecture));
        upsert_insurer_.step("upsert_insurers");
      });
    }
    tx.commit();
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

  void upsert_facilities(std::span<const core::Facility> facilities) override {
    auto lock = guard();
    Transaction tx(db_, Transaction::Kind::kImmediate);
    for (std::size_t i = 0; i < facilities.size(); ++i) {
      const auto& f = facilities[i];
      at_row(i, "facility", [&] {
        StmtUse use(upsert_facility_);
        upsert_facility_.bind(1, f.code);
        upsert_facility_.bind(2, f.name);
        upsert_facility_.bind(3, static_cast<std::int64_t>(f.type));
        upsert_facility_.bind(4, static_cast<std::int64_t>(f.prefecture));
        upsert_facility_.step("upsert_facilities");
      });
    }
    tx.commit();
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

  void add_credential(const Credential& c) override {
    auto lock = guard();
    Transaction tx(db_, Transaction::Kind::kImmediate);
    {
      StmtUse use(upsert_credential_);
      upsert_credential_.bind(1, c.token_sha256);
      upsert_credential_.bind(2, c.subject);
      upsert_credential_.bind(3, static_cast<std::int64_t>(c.role));
      upsert_credential_.bind(4, c.label);
      upsert_credential_.step("add_credential");
    }
    tx.commit();
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

  std::vector<bool> applied_events(std::span<const std::string> event_hashes) override {
    auto lock = guard();
    std::vector<bool> out(event_hashes.size(), false);
    if (event_hashes.empty()) return out;
    // One read transaction: a consistent snapshot, and no lock taken and dropped per hash.
    Transaction tx(db_, Transaction::Kind::kDeferred);
    for (std::size_t i = 0; i < event_hashes.size(); ++i) {
      StmtUse use(find_event_);
      find_event_.bind(1, event_hashes[i]);
      out[i] = find_event_.step("applied_events");
    }
    tx.commit();
    return out;
  }

  std::int64_t commit_load(LoadBatch& batch) override {
    auto lock = guard();
    const std::string now = now_utc_text();
    // Ids are handed back only after COMMIT, so a failed load leaves the batch as it was too.
    std::vector<std::int64_t> new_ids(batch.upserts.size(), 0);

    Transaction tx(db_, Transaction::Kind::kImmediate);
    std::int64_t load_id = 0;
    {
      StmtUse use(insert_load_);
      insert_load_.bind(1, batch.source);
      insert_load_.bind(2, batch.actor);
      insert_load_.bind(3, now);
      insert_load_.bind(4, batch.rows_total);
      insert_load_.bind(5, batch.rows_total - batch.rows_rejected - batch.rows_already_applied);
      insert_load_.bind(6, batch.rows_rejected);
      insert_load_.bind(7, batch.rows_already_applied);
      insert_load_.step("commit_load: insert load");
      load_id = insert_load_.last_insert_rowid();
    }

    DateTexts dates;
    for (std::size_t i = 0; i < batch.upserts.size(); ++i) {
      const core::Coverage& c = batch.upserts[i];
      at_row(i, "coverage", [&] {
        if (c.id == 0) {
          StmtUse use(insert_coverage_);
          bind_coverage(insert_coverage_, c, load_id, now, dates);
          insert_coverage_.step("commit_load: insert coverage");
          new_ids[i] = insert_coverage_.last_insert_rowid();
        } else {
          StmtUse use(update_coverage_);
          bind_coverage(update_coverage_, c, load_id, now, dates);
          update_coverage_.bind(kCovColCount + 1, c.id);
          update_coverage_.step("commit_load: update coverage");
          if (update_coverage_.changes() != 1)
            throw StoreError("sqlite: commit_load: no coverage with id " + std::to_string(c.id));
        }
      });
    }

    std::vector<std::string_view> hs(batch.event_hashes.begin(), batch.event_hashes.end());
    if (std::getenv("XSORT")) std::sort(hs.begin(), hs.end());
    for (std::size_t i = 0; i < batch.event_hashes.size(); ++i) {
      at_row(i, "event", [&] {
        StmtUse use(insert_event_);
        insert_event_.bind(1, hs[i]);
        insert_event_.bind(2, load_id);
        insert_event_.step("commit_load: insert event hash");
      });
    }

    auto tc0 = std::chrono::steady_clock::now();
    tx.commit();
    if (std::getenv("XTIME")) fprintf(stderr, "commit %.2f s\n", std::chrono::duration<double>(std::chrono::steady_clock::now()-tc0).count());
    for (std::size_t i = 0; i < batch.upserts.size(); ++i)
      if (new_ids[i] != 0) batch.upserts[i].id = new_ids[i];
    return load_id;
  }

  void for_each_coverage(const std::function<void(const core::Coverage&)>& visit) override {
    auto lock = guard();
    VisitorScope scope(visitor_thread_);
    StmtUse use(select_coverages_);
    core::Coverage c;  // reused so that string buffers are too
    while (select_coverages_.step("for_each_coverage")) {
      read_coverage(select_coverages_, c);
      visit(c);
    }
  }

  std::int64_t coverage_count() override {
    auto lock = guard();
    StmtUse use(count_coverages_);
    count_coverages_.step("coverage_count");
    return count_coverages_.int_at(0);
  }

  void append_access(std::span<const core::AccessRecord> records,
                     std::span<const core::DailyCount> count_increments) override {
    auto lock = guard();
    if (records.empty() && count_increments.empty()) return;
    Transaction tx(db_, Transaction::Kind::kImmediate);
    for (std::size_t i = 0; i < records.size(); ++i) {
      const auto& r = records[i];
      at_row(i, "access record", [&] {
        StmtUse use(insert_access_);
        insert_access_.bind(1, r.at_ms);
        insert_access_.bind(2, r.facility_code);
        insert_access_.bind(3, r.actor);
        insert_access_.bind(4, static_cast<std::int64_t>(r.method));
        insert_access_.bind(5, r.coverage_id);
        insert_access_.bind(6, static_cast<std::int64_t>(r.validity));
        insert_access_.bind(7, r.request_id);
        insert_access_.step("append_access: insert record");
      });
    }
    for (std::size_t i = 0; i < count_increments.size(); ++i) {
      const auto& d = count_increments[i];
      at_row(i, "count", [&] {
        StmtUse use(add_count_);
        add_count_.bind(1, static_cast<std::int64_t>(d.day));
        add_count_.bind(2, static_cast<std::int64_t>(d.facility_type));
        add_count_.bind(3, static_cast<std::int64_t>(d.method));
        add_count_.bind(4, static_cast<std::int64_t>(d.validity));
        add_count_.bind(5, d.count);
        add_count_.step("append_access: add count");
      });
    }
    tx.commit();
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
  // Marks the thread that is inside for_each_coverage's visitor, so a re-entrant call fails
  // loudly rather than deadlocking on the (non-recursive) mutex.
  class VisitorScope {
   public:
    explicit VisitorScope(std::atomic<std::thread::id>& slot) : slot_(slot) {
      slot_.store(std::this_thread::get_id());
    }
    ~VisitorScope() { slot_.store(std::thread::id{}); }
    VisitorScope(const VisitorScope&) = delete;
    VisitorScope& operator=(const VisitorScope&) = delete;

   private:
    std::atomic<std::thread::id>& slot_;
  };

  std::unique_lock<std::mutex> guard() {
    if (visitor_thread_.load() == std::this_thread::get_id())
      throw StoreError("sqlite: store called from inside a for_each_coverage visitor");
    return std::unique_lock<std::mutex>(mu_);
  }

  void configure(const std::string& path) {
    // Writers wait up to 5 s for another process's lock instead of failing at once.
    if (sqlite3_busy_timeout(db_.handle(), 5000) != SQLITE_OK) db_.fail("busy_timeout");
    if (const char* e = std::getenv("XPAGE")) db_.exec((std::string("PRAGMA page_size=") + e).c_str(), "x");
    const std::string mode = db_.query_text("PRAGMA journal_mode=WAL", "journal_mode");
    const bool in_memory = path.empty() || path == ":memory:";
    if (mode != "wal" && !in_memory)
      throw StoreError("sqlite: the database could not be switched to WAL mode (got " + mode + ")");
    // NORMAL is durable across process crashes in WAL mode; only a power cut can lose the last
    // commits, never corrupt the file.
    db_.exec("PRAGMA synchronous=NORMAL", "synchronous");
    db_.exec("PRAGMA foreign_keys=ON", "foreign_keys");
    if (!std::getenv("XNOFK") && db_.query_int("PRAGMA foreign_keys", "foreign_keys") != 1)
      throw StoreError("sqlite: this SQLite build does not enforce foreign keys");
    // A bulk load touches the coverages B-tree and its unique index at random places; a cache
    // larger than the 2 MiB default keeps those pages in memory (value in KiB when negative).
    if (const char* e = std::getenv("XCACHE")) db_.exec((std::string("PRAGMA cache_size=") + e).c_str(), "x"); else db_.exec("PRAGMA cache_size=-65536", "cache_size");
    db_.exec("PRAGMA temp_store=MEMORY", "temp_store");
    if (std::getenv("XNOCKPT")) db_.exec("PRAGMA wal_autocheckpoint=0", "x");
    if (std::getenv("XNOFK")) db_.exec("PRAGMA foreign_keys=OFF", "x");
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
      Transaction tx(db_, Transaction::Kind::kImmediate);
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
    insert_load_ = Stmt(db_,
                        "INSERT INTO loads (source, actor, started_at, rows_total, rows_applied, "
                        "rows_rejected, rows_already_applied) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
    insert_coverage_ = Stmt(db_, coverage_insert_sql());
    update_coverage_ = Stmt(db_, coverage_update_sql());
    insert_event_ = Stmt(db_,
                         "INSERT INTO applied_events (event_hash, load_id) VALUES (?1, ?2) "
                         "ON CONFLICT (event_hash) DO NOTHING");
    select_coverages_ = Stmt(db_, coverage_select_sql());
    count_coverages_ = Stmt(db_, "SELECT count(*) FROM coverages");
    insert_access_ = Stmt(db_,
                          "INSERT INTO access_log (at_ms, facility_code, actor, method, "
                          "coverage_id, validity, request_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
    add_count_ = Stmt(db_,
                      "INSERT INTO daily_counts (day, facility_type, method, validity, count) "
                      "VALUES (?1, ?2, ?3, ?4, ?5) "
                      "ON CONFLICT (day, facility_type, method, validity) "
                      "DO UPDATE SET count = count + excluded.count");
    // id breaks ties between records of the same millisecond: later insert = newer.
    access_all_ = Stmt(db_,
                       "SELECT at_ms, facility_code, actor, method, coverage_id, validity, "
                       "request_id FROM access_log ORDER BY at_ms DESC, id DESC LIMIT ?1");
    access_by_facility_ = Stmt(db_,
                               "SELECT at_ms, facility_code, actor, method, coverage_id, "
                               "validity, request_id FROM access_log WHERE facility_code = ?2 "
                               "ORDER BY at_ms DESC, id DESC LIMIT ?1");
    daily_counts_ = Stmt(db_,
                         "SELECT day, facility_type, method, validity, count FROM daily_counts "
                         "WHERE day BETWEEN ?1 AND ?2 "
                         "ORDER BY day, facility_type, method, validity");
  }

  std::mutex mu_;
  std::atomic<std::thread::id> visitor_thread_{};
  Db db_;  // declared before the statements: they must be finalized before it closes
  Stmt upsert_insurer_, list_insurers_, upsert_facility_, list_facilities_;
  Stmt upsert_credential_, list_credentials_;
  Stmt find_event_, insert_load_, insert_coverage_, update_coverage_, insert_event_;
  Stmt select_coverages_, count_coverages_;
  Stmt insert_access_, add_count_, access_all_, access_by_facility_, daily_counts_;
};

}  // namespace

std::unique_ptr<Store> open_sqlite_store(const std::string& path) {
  return std::make_unique<SqliteStore>(path);
}

}  // namespace onshi::store
