// The PostgreSQL backend of Store: the system of record at national scale, shared by any number
// of `onshi serve` nodes.
//
// Concurrency: a small pool of connections. Every public method takes a connection of its own
// for its whole duration and gives it back, so calls from many threads run in parallel on the
// server (an access-log append does not wait for a million-row load), and one connection is only
// ever used by one thread at a time. Up to kMaxIdle idle connections are kept; one that broke
// (server restart, killed backend) is dropped, and the next call opens a fresh one, so the store
// recovers by itself. A for_each_coverage visitor may call back into the store (it gets another
// connection); a transaction's work may not: it must use the Transaction it was given (calling
// the store instead is detected and thrown as StoreError: a write from a second connection
// would wait for the work's own lock forever).
//
// Transactions: READ COMMITTED, and the first statement locks the one row of change_seq (see
// migrations.cpp). That lock serialises writers, from every process and node, until they
// commit, exactly as BEGIN IMMEDIATE does in SQLite: what the work read stays true until its
// commit, the change log is numbered in commit order without gaps, and new coverage ids can be
// max(id) + 1. PostgreSQL's serialization failures and deadlocks, should they happen, are
// ConflictError and Store::transact retries them.
//
// Bulk speed: each piece of a load (write_coverages) sends its new coverages with one binary
// COPY (no text parsing on the server: 12 of the 34 columns are dates), and write_event_hashes
// its hashes with a text COPY, optimistically
// (inside a savepoint; only if a hash was already applied are the known ones filtered out).
// Updates by id go through a pipeline of prepared statements (one round trip per thousand)
// between the COPYs, so rows take effect in batch order (an update may free a card key a later
// row takes).
#include "store/postgresql/pg_store.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_set>
#include <utility>
#include <vector>

#include "core/date.hpp"
#include "core/text_normalise.hpp"
#include "store/fault_point.hpp"
#include "store/journal_chain.hpp"
#include "store/postgresql/migrations.hpp"
#include "store/postgresql/pg_conn.hpp"

namespace onshi::store {
namespace {

using pg::BinaryCopy;
using pg::Connection;
using pg::Params;
using pg::Result;
using pg::Statement;
using pg::TextArray;
using pg::TextCopy;
using pg::TxGuard;

constexpr std::size_t kMaxIdle = 4;
// Rows per FETCH of the coverage scan, and hashes per applied_events query: big enough that
// round trips do not matter, small enough that a page is a few MiB.
constexpr int kScanPage = 10000;
constexpr std::size_t kHashPage = 10000;
// Card keys per coverages_under_each query.
constexpr std::size_t kKeyPage = 10000;
// Updates sent before their answers are read (see write_coverages).
constexpr std::size_t kPipelineRun = 1000;
// PostgreSQL dates count days from 2000-01-01, core::Date from 1970-01-01.
constexpr std::int32_t kPgEpochDays = 10957;
constexpr std::int64_t kPgEpochUs = 946'684'800'000'000;

// The coverage columns a caller provides, in one order shared by SELECT (column i + 1, after
// id), UPDATE (parameter i + 2, after id) and the COPY (after id).
constexpr const char* kRowCols[] = {
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
};
constexpr int kRowColCount = static_cast<int>(std::size(kRowCols));
// Column positions in a SELECT of coverage_columns() (id is 0).
enum Col : int {
  cId = 0,
  cInsurerNumber,
  cSymbol,
  cNumber,
  cBranch,
  cRelationship,
  cInsuredName,
  cName,
  cNameKana,
  cSex,
  cBirthDate,
  cAddress,
  cPostcode,
  cAcquiredOn,
  cLostOn,
  cLossReason,
  cCardIssuedOn,
  cCardValidFrom,
  cCardValidUntil,
  cCopayRatio,
  cElderlyCopayRatio,
  cElderlyValidFrom,
  cElderlyValidUntil,
  cLimitCategory,
  cLimitValidFrom,
  cLimitValidUntil,
  cSpecificDisease,
  cSpecificDiseaseValidFrom,
  cSpecificDiseaseValidUntil,
  cPersonKey,
};
static_assert(cPersonKey == kRowColCount);

std::string coverage_columns() {
  std::string s = "id";
  for (const char* c : kRowCols) s += std::string(",") + c;
  return s;
}

std::string select_coverages(std::string_view rest) {
  return "SELECT " + coverage_columns() + " FROM coverages " + std::string(rest);
}

std::string update_coverage_sql() {
  std::string s = "UPDATE coverages SET ";
  for (int i = 0; i < kRowColCount; ++i)
    s += std::string(kRowCols[i]) + "=$" + std::to_string(i + 2) + ",";
  const int n = kRowColCount + 2;
  s += "symbol_key=$" + std::to_string(n) + ",number_key=$" + std::to_string(n + 1) + ",load_id=$" +
       std::to_string(n + 2) + ",updated_at=now() WHERE id=$1";
  return s;
}

// Statements prepared by name on each connection the first time it runs them (pg::Statement).
const std::string kSelectAllSql = select_coverages("ORDER BY id");
const std::string kCoveragesUnderSql = select_coverages(
    "WHERE insurer_number = $1 AND symbol_key = $2 AND number_key = $3 ORDER BY id");
// Many card keys in one query: the keys as three parallel arrays, each coverage with the
// position (1-based) of the key it answers after the coverage's own columns. One index probe
// per key, whatever the planner thinks of the table: OFFSET 0 keeps the LATERAL subquery from
// being flattened into a join it could run as a scan of every coverage (the statistics do not
// know what this transaction has written).
const std::string kCoveragesUnderEachSql =
    "SELECT c.*, k.ord FROM unnest($1::text[], $2::text[], $3::text[]) WITH ORDINALITY "
    "AS k(i, s, n, ord) CROSS JOIN LATERAL (" +
    select_coverages(
        "WHERE insurer_number = k.i AND symbol_key = k.s AND number_key = k.n OFFSET 0") +
    ") AS c ORDER BY k.ord, c.id";
const std::string kCoveragesOfLoadSql =
    select_coverages("WHERE load_id = $1 AND id > $2 ORDER BY id LIMIT $3");
const std::string kUpdateCoverageSql = update_coverage_sql();
const Statement kLockWrites{"lock_writes", "SELECT last FROM change_seq FOR UPDATE"};
const Statement kCoveragesUnder{"coverages_under", kCoveragesUnderSql.c_str()};
const Statement kCoveragesUnderEach{"coverages_under_each", kCoveragesUnderEachSql.c_str()};
const Statement kCoveragesOfLoad{"coverages_of_load", kCoveragesOfLoadSql.c_str()};
const Statement kUpdateCoverage{"update_coverage", kUpdateCoverageSql.c_str()};
const Statement kInsurerKnown{"insurer_known", "SELECT 1 FROM insurers WHERE number = $1"};
const Statement kAppliedEvents{
    "applied_events", "SELECT event_hash FROM applied_events WHERE event_hash = ANY($1::text[])"};
const Statement kInsertLoad{
    "insert_load",
    "INSERT INTO loads (source, actor, started_at, rows_total, rows_applied, rows_rejected, "
    "rows_already_applied) VALUES ($1, $2, now(), 0, 0, 0, 0) "
    "RETURNING id, (extract(epoch FROM started_at) * 1000000)::bigint"};
const Statement kLoadStarted{
    "load_started",
    "SELECT (extract(epoch FROM started_at) * 1000000)::bigint FROM loads WHERE id = $1"};
const Statement kFinishLoad{"finish_load",
                            "UPDATE loads SET rows_total = $2, rows_applied = $3, "
                            "rows_rejected = $4, rows_already_applied = $5 WHERE id = $1"};
const Statement kMaxCoverageId{"max_coverage_id", "SELECT coalesce(max(id), 0) FROM coverages"};
const Statement kUpsertInsurers{
    "upsert_insurers",
    "INSERT INTO insurers (number, name, kind, prefecture) "
    "SELECT * FROM unnest($1::text[], $2::text[], $3::smallint[], $4::smallint[]) "
    "ON CONFLICT (number) DO UPDATE SET "
    "name = excluded.name, kind = excluded.kind, prefecture = excluded.prefecture"};
const Statement kUpsertFacilities{
    "upsert_facilities",
    "INSERT INTO facilities (code, name, type, prefecture) "
    "SELECT * FROM unnest($1::text[], $2::text[], $3::smallint[], $4::smallint[]) "
    "ON CONFLICT (code) DO UPDATE SET "
    "name = excluded.name, type = excluded.type, prefecture = excluded.prefecture"};
const Statement kUpsertCredential{"upsert_credential",
                                  "INSERT INTO credentials (token_sha256, subject, role, label) "
                                  "VALUES ($1, $2, $3, $4) ON CONFLICT (token_sha256, subject) "
                                  "DO UPDATE SET role = excluded.role, label = excluded.label"};
const Statement kRevokeCredential{"revoke_credential",
                                  "DELETE FROM credentials WHERE token_sha256 = $1"};
const Statement kBumpSeq{"bump_seq", "UPDATE change_seq SET last = last + $1 RETURNING last"};
const Statement kInsertChanges{
    "insert_changes",
    "INSERT INTO changes (seq, kind, load_id, at_ms) "
    "SELECT * FROM unnest($1::bigint[], $2::smallint[], $3::bigint[], $4::bigint[])"};
const Statement kListInsurers{
    "list_insurers", "SELECT number, name, kind, prefecture FROM insurers ORDER BY number"};
const Statement kListFacilities{
    "list_facilities", "SELECT code, name, type, prefecture FROM facilities ORDER BY code"};
const Statement kListCredentials{"list_credentials",
                                 "SELECT token_sha256, subject, role, label FROM credentials "
                                 "ORDER BY token_sha256, subject"};
const Statement kCountCoverages{"count_coverages", "SELECT count(*) FROM coverages"};
const Statement kLastChange{"last_change", "SELECT last FROM change_seq"};
const Statement kChangesAfter{"changes_after",
                              "SELECT c.seq, c.kind, c.load_id, c.at_ms, "
                              "coalesce(l.rows_applied, 0) FROM changes c LEFT JOIN loads l "
                              "ON l.id = c.load_id WHERE c.seq > $1 ORDER BY c.seq LIMIT $2"};
const Statement kInsertJournal{
    "insert_journal",
    "INSERT INTO journal (node_id, seq, at_ms, facility_code, facility_type, actor, method, "
    "coverage_id, validity, request_id, prev_hash, hash) SELECT * FROM unnest($1::text[], "
    "$2::bigint[], $3::bigint[], $4::text[], $5::smallint[], $6::text[], $7::smallint[], "
    "$8::bigint[], $9::smallint[], $10::text[], $11::text[], $12::text[])"};
// Importers of one node queue here until commit (two processes under one node id); other
// nodes' imports do not wait. The first key keeps clear of the migration lock's.
const Statement kLockJournalNode{"lock_journal_node",
                                 "SELECT pg_advisory_xact_lock(1869507433, hashtext($1))"};
const Statement kJournalHead{"journal_head",
                             "SELECT seq, hash FROM journal WHERE node_id = $1 "
                             "ORDER BY seq DESC LIMIT 1"};
const Statement kInsertAnchor{"insert_anchor",
                              "INSERT INTO journal_anchors (node_id, seq, hash, at_ms) VALUES "
                              "($1, $2, $3, $4) ON CONFLICT (node_id, seq) DO NOTHING"};
const Statement kJournalAnchors{"journal_anchors",
                                "SELECT seq, hash, at_ms FROM journal_anchors WHERE node_id = $1 "
                                "ORDER BY seq"};
// A loose index scan: one probe per node instead of reading every record.
const Statement kJournalNodes{
    "journal_nodes",
    "WITH RECURSIVE n(id) AS (SELECT min(node_id) FROM journal UNION ALL SELECT (SELECT "
    "min(node_id) FROM journal WHERE node_id > n.id) FROM n WHERE n.id IS NOT NULL) "
    "SELECT id FROM n WHERE id IS NOT NULL ORDER BY id"};
const Statement kJournalCount{"journal_count", "SELECT count(*) FROM journal"};
const Statement kAddCounts{
    "add_counts",
    "INSERT INTO daily_counts (day, facility_type, method, validity, count) "
    "SELECT * FROM unnest($1::integer[], $2::smallint[], $3::smallint[], $4::smallint[], "
    "$5::bigint[]) ON CONFLICT (day, facility_type, method, validity) "
    "DO UPDATE SET count = daily_counts.count + excluded.count"};
// seq breaks ties between a node's records of the same millisecond: later = newer.
const Statement kAccessAll{"access_all",
                           "SELECT at_ms, facility_code, actor, method, coverage_id, validity, "
                           "request_id FROM journal ORDER BY at_ms DESC, node_id DESC, seq DESC "
                           "LIMIT $1"};
const Statement kAccessByFacility{
    "access_by_facility",
    "SELECT at_ms, facility_code, actor, method, coverage_id, validity, request_id "
    "FROM journal WHERE facility_code = $2 ORDER BY at_ms DESC, node_id DESC, seq DESC "
    "LIMIT $1"};
const Statement kDailyCounts{"daily_counts",
                             "SELECT day, facility_type, method, validity, count FROM "
                             "daily_counts WHERE day BETWEEN $1 AND $2 "
                             "ORDER BY day, facility_type, method, validity"};

std::int64_t now_unix_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

int int_at(const Result& r, int row, int col) {
  return static_cast<int>(r.int64(row, col));
}

// Reads back the 'YYYY-MM-DD' of a DATE column (DateStyle ISO, set by pg::Connection).
// Not core::parse_date_strict: a start-up index rebuild reads nine dates for each of millions
// of rows, and that parser builds its error text before it knows whether there is an error.
core::Date date_at(const Result& r, int row, int col, std::int64_t id) {
  if (r.is_null(row, col)) return {};
  const std::string_view t = r.text(row, col);
  int v[3] = {0, 0, 0};
  bool ok = t.size() == 10 && t[4] == '-' && t[7] == '-';
  for (std::size_t i = 0, part = 0; ok && i < t.size(); ++i) {
    if (i == 4 || i == 7) {
      ++part;
      continue;
    }
    ok = t[i] >= '0' && t[i] <= '9';
    v[part] = v[part] * 10 + (t[i] - '0');
  }
  const core::Date d = ok ? core::Date::from_ymd(v[0], v[1], v[2]) : core::Date{};
  // Names the row and column, never the value (personal data).
  if (!d.valid())
    throw StoreError("postgresql: coverages row " + std::to_string(id) + ": " + kRowCols[col - 1] +
                     " is outside the dates onshi supports");
  return d;
}

void read_coverage(const Result& r, int row, core::Coverage& c) {
  c.id = r.int64(row, cId);
  const std::int64_t id = c.id;
  c.key.insurer_number = r.text(row, cInsurerNumber);
  c.key.symbol = r.text(row, cSymbol);
  c.key.number = r.text(row, cNumber);
  c.key.branch = r.text(row, cBranch);
  c.relationship = static_cast<core::Relationship>(r.int64(row, cRelationship));
  c.insured_name = r.text(row, cInsuredName);
  c.name = r.text(row, cName);
  c.name_kana = r.text(row, cNameKana);
  c.sex = static_cast<core::Sex>(r.int64(row, cSex));
  c.birth_date = date_at(r, row, cBirthDate, id);
  c.address = r.text(row, cAddress);
  c.postcode = r.text(row, cPostcode);
  c.acquired_on = date_at(r, row, cAcquiredOn, id);
  c.lost_on = date_at(r, row, cLostOn, id);
  c.loss_reason = static_cast<core::LossReason>(r.int64(row, cLossReason));
  c.card_issued_on = date_at(r, row, cCardIssuedOn, id);
  c.card_valid_from = date_at(r, row, cCardValidFrom, id);
  c.card_valid_until = date_at(r, row, cCardValidUntil, id);
  c.copay_ratio = int_at(r, row, cCopayRatio);
  if (r.is_null(row, cElderlyCopayRatio)) {
    c.elderly.reset();
  } else {
    c.elderly = core::ElderlyRecipientTerms{int_at(r, row, cElderlyCopayRatio),
                                            date_at(r, row, cElderlyValidFrom, id),
                                            date_at(r, row, cElderlyValidUntil, id)};
  }
  if (r.is_null(row, cLimitCategory)) {
    c.self_pay_limit.reset();
  } else {
    c.self_pay_limit = core::SelfPayLimitTerms{std::string(r.text(row, cLimitCategory)),
                                               date_at(r, row, cLimitValidFrom, id),
                                               date_at(r, row, cLimitValidUntil, id)};
  }
  if (r.is_null(row, cSpecificDisease)) {
    c.specific_disease.reset();
  } else {
    c.specific_disease = core::SpecificDiseaseTerms{
        int_at(r, row, cSpecificDisease), date_at(r, row, cSpecificDiseaseValidFrom, id),
        date_at(r, row, cSpecificDiseaseValidUntil, id)};
  }
  c.person_key = r.text(row, cPersonKey);
}

std::vector<core::Coverage> read_coverages(const Result& r) {
  std::vector<core::Coverage> out(static_cast<std::size_t>(r.rows()));
  for (int i = 0; i < r.rows(); ++i) read_coverage(r, i, out[static_cast<std::size_t>(i)]);
  return out;
}

// One coverage as a binary COPY row: id, kRowCols, symbol_key, number_key, load_id, updated_at.
constexpr int kCopyFields = 1 + kRowColCount + 4;
const std::string kCopyCoverages =
    "coverages (" + coverage_columns() + ",symbol_key,number_key,load_id,updated_at)";

void copy_date(BinaryCopy& w, core::Date d) {
  if (d.valid())
    w.date(d.days() - kPgEpochDays);
  else
    w.null();
}

void copy_coverage(BinaryCopy& w, const core::Coverage& c, std::int64_t id, std::int64_t load_id,
                   std::int64_t updated_us) {
  w.begin_row(kCopyFields);
  w.int8(id);
  w.text(c.key.insurer_number);
  w.text(c.key.symbol);
  w.text(c.key.number);
  w.text(c.key.branch);
  w.int2(static_cast<std::int64_t>(c.relationship));
  w.text(c.insured_name);
  w.text(c.name);
  w.text(c.name_kana);
  w.int2(static_cast<std::int64_t>(c.sex));
  copy_date(w, c.birth_date);
  w.text(c.address);
  w.text(c.postcode);
  copy_date(w, c.acquired_on);
  copy_date(w, c.lost_on);
  w.int2(static_cast<std::int64_t>(c.loss_reason));
  copy_date(w, c.card_issued_on);
  copy_date(w, c.card_valid_from);
  copy_date(w, c.card_valid_until);
  w.int2(c.copay_ratio);
  if (c.elderly) {
    w.int2(c.elderly->copay_ratio);
    copy_date(w, c.elderly->valid_from);
    copy_date(w, c.elderly->valid_until);
  } else {
    w.null();
    w.null();
    w.null();
  }
  if (c.self_pay_limit) {
    w.text(c.self_pay_limit->category);
    copy_date(w, c.self_pay_limit->valid_from);
    copy_date(w, c.self_pay_limit->valid_until);
  } else {
    w.null();
    w.null();
    w.null();
  }
  if (c.specific_disease) {
    w.int2(c.specific_disease->disease);
    copy_date(w, c.specific_disease->valid_from);
    copy_date(w, c.specific_disease->valid_until);
  } else {
    w.null();
    w.null();
    w.null();
  }
  w.text(c.person_key);
  w.text(core::match_key(c.key.symbol));
  w.text(core::match_key(c.key.number));
  w.int8(load_id);
  w.timestamp(updated_us - kPgEpochUs);
  w.end_row();
}

void add_date(Params& p, core::Date d) {
  if (d.valid())
    p.add(d.iso());
  else
    p.add_null();
}

// The UPDATE's parameters: $1 id, kRowCols, symbol_key, number_key, load_id.
void update_params(Params& p, const core::Coverage& c, std::int64_t load_id) {
  p.clear();
  p.add(c.id);
  p.add(c.key.insurer_number).add(c.key.symbol).add(c.key.number).add(c.key.branch);
  p.add(static_cast<std::int64_t>(c.relationship));
  p.add(c.insured_name).add(c.name).add(c.name_kana);
  p.add(static_cast<std::int64_t>(c.sex));
  add_date(p, c.birth_date);
  p.add(c.address).add(c.postcode);
  add_date(p, c.acquired_on);
  add_date(p, c.lost_on);
  p.add(static_cast<std::int64_t>(c.loss_reason));
  add_date(p, c.card_issued_on);
  add_date(p, c.card_valid_from);
  add_date(p, c.card_valid_until);
  p.add(static_cast<std::int64_t>(c.copay_ratio));
  if (c.elderly) {
    p.add(static_cast<std::int64_t>(c.elderly->copay_ratio));
    add_date(p, c.elderly->valid_from);
    add_date(p, c.elderly->valid_until);
  } else {
    p.add_null().add_null().add_null();
  }
  if (c.self_pay_limit) {
    p.add(c.self_pay_limit->category);
    add_date(p, c.self_pay_limit->valid_from);
    add_date(p, c.self_pay_limit->valid_until);
  } else {
    p.add_null().add_null().add_null();
  }
  if (c.specific_disease) {
    p.add(static_cast<std::int64_t>(c.specific_disease->disease));
    add_date(p, c.specific_disease->valid_from);
    add_date(p, c.specific_disease->valid_until);
  } else {
    p.add_null().add_null().add_null();
  }
  p.add(c.person_key);
  p.add(core::match_key(c.key.symbol)).add(core::match_key(c.key.number));
  p.add(load_id);
}

// ONSHI_LOAD_TRACE=1 prints the time of each piece of a load (as the registry does for
// its own phases), to see where a big load spends it.
class Phases {
 public:
  Phases() : on_(std::getenv("ONSHI_LOAD_TRACE") != nullptr) {
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    cpu_ = static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
  }
  void operator()(const char* name) {
    if (!on_) return;
    const auto now = std::chrono::steady_clock::now();
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    const double cpu = static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
    std::fprintf(stderr, "postgresql load %-10s %.3f s (this thread's CPU %.3f s)\n", name,
                 std::chrono::duration<double>(now - t_).count(), cpu - cpu_);
    t_ = now;
    cpu_ = cpu;
  }

 private:
  bool on_;
  std::chrono::steady_clock::time_point t_ = std::chrono::steady_clock::now();
  double cpu_ = 0;
};

// A pool of connections to one database; see the comment at the top of this file.
class Pool {
 public:
  explicit Pool(std::string url) : url_(std::move(url)) {}

  class Lease {
   public:
    Lease(Pool& p, std::unique_ptr<Connection> c) : p_(p), c_(std::move(c)) {}
    ~Lease() { p_.give_back(std::move(c_)); }
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    Connection& operator*() const { return *c_; }
    Connection* operator->() const { return c_.get(); }

   private:
    Pool& p_;
    std::unique_ptr<Connection> c_;
  };

  Lease take() {
    {
      std::lock_guard lock(mu_);
      while (!idle_.empty()) {
        auto c = std::move(idle_.back());
        idle_.pop_back();
        // One that died while idle (PostgreSQL restarted) is dropped here rather than failing
        // the first request after the restart.
        if (c->alive()) return Lease(*this, std::move(c));
      }
    }
    return Lease(*this, std::make_unique<Connection>(url_));  // connects outside the lock
  }

 private:
  void give_back(std::unique_ptr<Connection> c) {
    if (!c || c->broken()) return;
    std::lock_guard lock(mu_);
    if (idle_.size() < kMaxIdle) idle_.push_back(std::move(c));
  }

  const std::string url_;
  std::mutex mu_;
  std::vector<std::unique_ptr<Connection>> idle_;
};

// Which store, if any, this thread is running a transaction's work for.
thread_local const void* t_in_work = nullptr;

class PgStore final : public Store {
 public:
  explicit PgStore(const std::string& url) : pool_(url) {
    auto c = pool_.take();
    pg::migrate(*c);
  }

  std::vector<core::Insurer> insurers() override {
    auto c = take();
    const Result r = c->exec(kListInsurers, {}, "insurers");
    std::vector<core::Insurer> out;
    for (int i = 0; i < r.rows(); ++i)
      out.push_back({std::string(r.text(i, 0)), std::string(r.text(i, 1)),
                     static_cast<core::InsurerKind>(r.int64(i, 2)), int_at(r, i, 3)});
    return out;
  }

  std::vector<core::Facility> facilities() override {
    auto c = take();
    const Result r = c->exec(kListFacilities, {}, "facilities");
    std::vector<core::Facility> out;
    for (int i = 0; i < r.rows(); ++i)
      out.push_back({std::string(r.text(i, 0)), std::string(r.text(i, 1)),
                     static_cast<core::FacilityType>(r.int64(i, 2)), int_at(r, i, 3)});
    return out;
  }

  std::vector<Credential> credentials() override {
    auto c = take();
    const Result r = c->exec(kListCredentials, {}, "credentials");
    std::vector<Credential> out;
    for (int i = 0; i < r.rows(); ++i) {
      Credential cr;
      cr.token_sha256 = r.text(i, 0);
      cr.subject = r.text(i, 1);
      cr.role = static_cast<Role>(r.int64(i, 2));
      cr.label = r.text(i, 3);
      out.push_back(std::move(cr));
    }
    return out;
  }

  void for_each_coverage(const std::function<void(const core::Coverage&)>& visit) override {
    auto c = take();
    // One snapshot for the whole scan, read through a cursor a page at a time: the client
    // never holds more than a page, however many millions of rows there are.
    TxGuard tx(*c, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
    c->exec(("DECLARE onshi_scan NO SCROLL CURSOR FOR " + kSelectAllSql).c_str(),
            "for_each_coverage: declare cursor");
    const std::string fetch = "FETCH FORWARD " + std::to_string(kScanPage) + " FROM onshi_scan";
    core::Coverage cov;  // reused so that string buffers are too
    for (;;) {
      const Result r = c->exec(fetch.c_str(), "for_each_coverage: fetch");
      for (int i = 0; i < r.rows(); ++i) {
        read_coverage(r, i, cov);
        visit(cov);
      }
      if (r.rows() < kScanPage) break;
    }
    tx.commit();
  }

  std::int64_t coverage_count() override {
    auto c = take();
    return c->exec(kCountCoverages, {}, "coverage_count").int64(0, 0);
  }

  std::int64_t last_change_seq() override {
    auto c = take();
    return c->exec(kLastChange, {}, "last_change_seq").int64(0, 0);
  }

  std::vector<Change> changes_after(std::int64_t after, int limit) override {
    std::vector<Change> out;
    if (limit <= 0) return out;
    auto c = take();
    Params p;
    p.add(after).add(static_cast<std::int64_t>(limit));
    const Result r = c->exec(kChangesAfter, p, "changes_after");
    for (int i = 0; i < r.rows(); ++i) {
      Change ch;
      ch.seq = r.int64(i, 0);
      ch.kind = static_cast<ChangeKind>(r.int64(i, 1));
      ch.load_id = r.int64(i, 2);
      ch.at_ms = r.int64(i, 3);
      ch.rows = r.int64(i, 4);
      out.push_back(ch);
    }
    return out;
  }

  std::vector<core::Coverage> coverages_of_load(std::int64_t load_id, std::int64_t after_id,
                                                int limit) override {
    if (limit <= 0) return {};
    auto c = take();
    Params p;
    p.add(load_id).add(after_id).add(static_cast<std::int64_t>(limit));
    return read_coverages(c->exec(kCoveragesOfLoad, p, "coverages_of_load"));
  }

  core::JournalAnchor journal_head(std::string_view node_id) override {
    auto c = take();
    return read_journal_head(*c, node_id);
  }

  bool append_journal(std::span<const core::JournalRecord> records,
                      std::span<const core::DailyCount> count_increments) override {
    if (records.empty()) return true;
    auto c = take();
    TxGuard tx(*c);
    Params lock;
    lock.add(records.front().node_id);
    c->exec(kLockJournalNode, lock, "append_journal: lock node");
    if (!continues_chain(read_journal_head(*c, records.front().node_id), records)) return false;
    TextArray node, seq, at, facility, type, actor, method, coverage, validity, request, prev, hash;
    for (const auto& j : records) {
      node.add(j.node_id);
      seq.add(j.seq);
      at.add(j.access.at_ms);
      facility.add(j.access.facility_code);
      type.add(static_cast<std::int64_t>(j.facility_type));
      actor.add(j.access.actor);
      method.add(static_cast<std::int64_t>(j.access.method));
      coverage.add(j.access.coverage_id);
      validity.add(static_cast<std::int64_t>(j.access.validity));
      request.add(j.access.request_id);
      prev.add(j.prev_hash);
      hash.add(j.hash);
    }
    Params p;
    p.add(node.str()).add(seq.str()).add(at.str()).add(facility.str()).add(type.str());
    p.add(actor.str()).add(method.str()).add(coverage.str()).add(validity.str());
    p.add(request.str()).add(prev.str()).add(hash.str());
    c->exec(kInsertJournal, p, "append_journal: insert records");
    add_counts(*c, count_increments);
    tx.commit();
    return true;
  }

  void add_journal_anchor(const core::JournalAnchor& a) override {
    auto c = take();
    Params p;
    p.add(a.node_id).add(a.seq).add(a.hash).add(a.at_ms);
    c->exec(kInsertAnchor, p, "add_journal_anchor");
  }

  std::vector<core::JournalAnchor> journal_anchors(std::string_view node_id) override {
    auto c = take();
    Params p;
    p.add(node_id);
    const Result r = c->exec(kJournalAnchors, p, "journal_anchors");
    std::vector<core::JournalAnchor> out;
    for (int i = 0; i < r.rows(); ++i)
      out.push_back(
          {std::string(node_id), r.int64(i, 0), std::string(r.text(i, 1)), r.int64(i, 2)});
    return out;
  }

  std::vector<std::string> journal_nodes() override {
    auto c = take();
    const Result r = c->exec(kJournalNodes, {}, "journal_nodes");
    std::vector<std::string> out;
    for (int i = 0; i < r.rows(); ++i) out.emplace_back(r.text(i, 0));
    return out;
  }

  std::int64_t journal_count() override {
    auto c = take();
    return c->exec(kJournalCount, {}, "journal_count").int64(0, 0);
  }

  void for_each_journal_record(
      std::string_view node_id,
      const std::function<void(const core::JournalRecord&)>& visit) override {
    auto c = take();
    // One snapshot, a page at a time through a cursor, as for_each_coverage.
    TxGuard tx(*c, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
    Params p;
    p.add(node_id);
    c->exec(
        "DECLARE onshi_journal_scan NO SCROLL CURSOR FOR SELECT seq, at_ms, facility_code, "
        "facility_type, actor, method, coverage_id, validity, request_id, prev_hash, hash "
        "FROM journal WHERE node_id = $1 ORDER BY seq",
        p, "for_each_journal_record: declare cursor");
    const std::string fetch =
        "FETCH FORWARD " + std::to_string(kScanPage) + " FROM onshi_journal_scan";
    core::JournalRecord j;  // reused so that string buffers are too
    j.node_id = std::string(node_id);
    for (;;) {
      const Result r = c->exec(fetch.c_str(), "for_each_journal_record: fetch");
      for (int i = 0; i < r.rows(); ++i) {
        j.seq = r.int64(i, 0);
        j.access.at_ms = r.int64(i, 1);
        j.access.facility_code.assign(r.text(i, 2));
        j.facility_type = static_cast<core::FacilityType>(r.int64(i, 3));
        j.access.actor.assign(r.text(i, 4));
        j.access.method = static_cast<core::ConfirmMethod>(r.int64(i, 5));
        j.access.coverage_id = r.int64(i, 6);
        j.access.validity = int_at(r, i, 7);
        j.access.request_id.assign(r.text(i, 8));
        j.prev_hash.assign(r.text(i, 9));
        j.hash.assign(r.text(i, 10));
        visit(j);
      }
      if (r.rows() < kScanPage) break;
    }
    tx.commit();
  }

 private:
  static core::JournalAnchor read_journal_head(Connection& c, std::string_view node_id) {
    core::JournalAnchor head{std::string(node_id), 0, {}, 0};
    Params p;
    p.add(node_id);
    const Result r = c.exec(kJournalHead, p, "journal_head");
    if (r.rows() > 0) {
      head.seq = r.int64(0, 0);
      head.hash = std::string(r.text(0, 1));
    }
    return head;
  }

  static void add_counts(Connection& c, std::span<const core::DailyCount> count_increments) {
    if (count_increments.empty()) return;
    // One row per key (ON CONFLICT may not touch a row twice in one statement), in key order
    // (two imports locking the same counters in different orders could deadlock).
    std::vector<core::DailyCount> sums(count_increments.begin(), count_increments.end());
    const auto key = [](const core::DailyCount& d) {
      return std::make_tuple(d.day, d.facility_type, d.method, d.validity);
    };
    std::sort(sums.begin(), sums.end(),
              [&](const auto& a, const auto& b) { return key(a) < key(b); });
    std::vector<core::DailyCount> merged;
    for (const auto& d : sums) {
      if (!merged.empty() && key(merged.back()) == key(d))
        merged.back().count += d.count;
      else
        merged.push_back(d);
    }
    TextArray day, type, method, validity, count;
    for (const auto& d : merged) {
      day.add(static_cast<std::int64_t>(d.day));
      type.add(static_cast<std::int64_t>(d.facility_type));
      method.add(static_cast<std::int64_t>(d.method));
      validity.add(static_cast<std::int64_t>(d.validity));
      count.add(d.count);
    }
    Params p;
    p.add(day.str()).add(type.str()).add(method.str()).add(validity.str()).add(count.str());
    c.exec(kAddCounts, p, "append_journal: add counts");
  }

 public:
  std::vector<core::AccessRecord> access_records(const std::string& facility_code,
                                                 int limit) override {
    std::vector<core::AccessRecord> out;
    if (limit <= 0) return out;
    auto c = take();
    Params p;
    p.add(static_cast<std::int64_t>(limit));
    if (!facility_code.empty()) p.add(facility_code);
    const Result r =
        c->exec(facility_code.empty() ? kAccessAll : kAccessByFacility, p, "access_records");
    for (int i = 0; i < r.rows(); ++i) {
      core::AccessRecord a;
      a.at_ms = r.int64(i, 0);
      a.facility_code = r.text(i, 1);
      a.actor = r.text(i, 2);
      a.method = static_cast<core::ConfirmMethod>(r.int64(i, 3));
      a.coverage_id = r.int64(i, 4);
      a.validity = int_at(r, i, 5);
      a.request_id = r.text(i, 6);
      out.push_back(std::move(a));
    }
    return out;
  }

  std::vector<core::DailyCount> daily_counts(std::int32_t from_day, std::int32_t to_day) override {
    auto c = take();
    Params p;
    p.add(static_cast<std::int64_t>(from_day)).add(static_cast<std::int64_t>(to_day));
    const Result r = c->exec(kDailyCounts, p, "daily_counts");
    std::vector<core::DailyCount> out;
    for (int i = 0; i < r.rows(); ++i) {
      core::DailyCount d;
      d.day = static_cast<std::int32_t>(r.int64(i, 0));
      d.facility_type = static_cast<core::FacilityType>(r.int64(i, 1));
      d.method = static_cast<core::ConfirmMethod>(r.int64(i, 2));
      d.validity = int_at(r, i, 3);
      d.count = r.int64(i, 4);
      out.push_back(d);
    }
    return out;
  }

 protected:
  std::int64_t run_transaction(const std::function<void(Transaction&)>& work) override {
    auto c = take();
    TxGuard tx(*c);
    // The write lock first (see the top of this file and migrations.cpp): from here on no
    // other writer commits until this transaction ends.
    c->exec(kLockWrites, {}, "transaction: take the write lock");
    Tx t(*c);
    {
      WorkScope scope(this);
      work(t);
    }
    const std::int64_t last_seq = t.append_changes();
    // Test-only crash points (store/fault_point.hpp): no-ops unless ONSHI_FAULT_POINT is set.
    test_only::fault_point("commit_load.before_commit");
    tx.commit();
    test_only::fault_point("commit_load.after_commit");
    return last_seq;
  }

 private:
  class WorkScope {
   public:
    explicit WorkScope(const void* store) : outer_(t_in_work) { t_in_work = store; }
    ~WorkScope() { t_in_work = outer_; }
    WorkScope(const WorkScope&) = delete;
    WorkScope& operator=(const WorkScope&) = delete;

   private:
    const void* outer_;  // another store's work this one runs inside, if any
  };

  Pool::Lease take() {
    if (t_in_work == this)
      throw StoreError(
          "postgresql: store called from inside a transaction's work (use the Transaction it "
          "was given)");
    return pool_.take();
  }

  // The work's view of the open transaction; records which change-log entries the commit adds
  // (one per load, one per reference kind however many rows).
  class Tx final : public Transaction {
   public:
    explicit Tx(Connection& c) : c_(c) {}

    std::vector<bool> applied_events(std::span<const std::string> hashes) override {
      std::vector<bool> out(hashes.size(), false);
      for (std::size_t from = 0; from < hashes.size(); from += kHashPage) {
        const std::size_t to = std::min(hashes.size(), from + kHashPage);
        TextArray asked;
        for (std::size_t i = from; i < to; ++i) asked.add(hashes[i]);
        Params p;
        p.add(asked.str());
        const Result r = c_.exec(kAppliedEvents, p, "applied_events");
        std::unordered_set<std::string_view> found;
        for (int i = 0; i < r.rows(); ++i) found.insert(r.text(i, 0));
        for (std::size_t i = from; i < to; ++i) out[i] = found.contains(hashes[i]);
      }
      return out;
    }

    std::vector<core::Coverage> coverages_under(std::string_view insurer_number,
                                                std::string_view symbol_key,
                                                std::string_view number_key) override {
      Params p;
      p.add(insurer_number).add(symbol_key).add(number_key);
      return read_coverages(c_.exec(kCoveragesUnder, p, "coverages_under"));
    }

    std::vector<std::vector<core::Coverage>> coverages_under_each(
        std::span<const CardKey> keys) override {
      std::vector<std::vector<core::Coverage>> out(keys.size());
      for (std::size_t from = 0; from < keys.size(); from += kKeyPage) {
        const std::size_t to = std::min(keys.size(), from + kKeyPage);
        TextArray insurer, symbol, number;
        for (std::size_t i = from; i < to; ++i) {
          insurer.add(keys[i].insurer_number);
          symbol.add(keys[i].symbol_key);
          number.add(keys[i].number_key);
        }
        Params p;
        p.add(insurer.str()).add(symbol.str()).add(number.str());
        const Result r = c_.exec(kCoveragesUnderEach, p, "coverages_under_each");
        constexpr int kOrd = cPersonKey + 1;
        for (int row = 0; row < r.rows(); ++row) {
          const std::size_t at = from + static_cast<std::size_t>(r.int64(row, kOrd)) - 1;
          if (at >= to) throw StoreError("postgresql: coverages_under_each: bad key position");
          read_coverage(r, row, out[at].emplace_back());
        }
      }
      return out;
    }

    bool insurer_known(std::string_view insurer_number) override {
      Params p;
      p.add(insurer_number);
      return c_.exec(kInsurerKnown, p, "insurer_known").rows() > 0;
    }

    std::int64_t begin_load(std::string_view source, std::string_view actor) override {
      Params p;
      p.add(source).add(actor);
      const Result load = c_.exec(kInsertLoad, p, "begin_load: insert load");
      const std::int64_t load_id = load.int64(0, 0);
      loads_.emplace_back(load_id, load.int64(0, 1));
      changes_.emplace_back(ChangeKind::kLoad, load_id);
      return load_id;
    }

    void write_coverages(std::int64_t load_id, std::span<core::Coverage> rows) override {
      if (next_id_ == 0) {
        // max + 1: no other writer can insert until this transaction ends (the write lock),
        // so the ids this transaction hands out follow on from each other across pieces.
        next_id_ = c_.exec(kMaxCoverageId, {}, "write_coverages: max id").int64(0, 0) + 1;
      }
      Phases phase;
      copy_and_update(rows, load_id, started_us(load_id));
      phase("coverages");
    }

    void write_event_hashes(std::int64_t load_id, std::span<const std::string> hashes) override {
      Phases phase;
      copy_event_hashes(hashes, load_id);
      phase("events");
    }

    void finish_load(std::int64_t load_id, const LoadCounts& n) override {
      Params p;
      p.add(load_id).add(n.rows_total);
      p.add(n.rows_total - n.rows_rejected - n.rows_already_applied);
      p.add(n.rows_rejected).add(n.rows_already_applied);
      if (c_.exec(kFinishLoad, p, "finish_load").affected() != 1)
        throw StoreError("postgresql: finish_load: no load with id " + std::to_string(load_id));
    }

    void upsert_insurers(std::span<const core::Insurer> insurers) override {
      // The last row for a number wins, as if the rows were written one after the other.
      std::vector<const core::Insurer*> rows = last_of_each(
          insurers, [](const core::Insurer& x) -> const std::string& { return x.number; });
      if (!rows.empty()) {
        TextArray number, name, kind, prefecture;
        for (const auto* x : rows) {
          number.add(x->number);
          name.add(x->name);
          kind.add(static_cast<std::int64_t>(x->kind));
          prefecture.add(static_cast<std::int64_t>(x->prefecture));
        }
        Params p;
        p.add(number.str()).add(name.str()).add(kind.str()).add(prefecture.str());
        c_.exec(kUpsertInsurers, p, "upsert_insurers");
      }
      note(ChangeKind::kInsurers);
    }

    void upsert_facilities(std::span<const core::Facility> facilities) override {
      std::vector<const core::Facility*> rows = last_of_each(
          facilities, [](const core::Facility& f) -> const std::string& { return f.code; });
      if (!rows.empty()) {
        TextArray code, name, type, prefecture;
        for (const auto* f : rows) {
          code.add(f->code);
          name.add(f->name);
          type.add(static_cast<std::int64_t>(f->type));
          prefecture.add(static_cast<std::int64_t>(f->prefecture));
        }
        Params p;
        p.add(code.str()).add(name.str()).add(type.str()).add(prefecture.str());
        c_.exec(kUpsertFacilities, p, "upsert_facilities");
      }
      note(ChangeKind::kFacilities);
    }

    void add_credential(const Credential& cr) override {
      Params p;
      p.add(cr.token_sha256).add(cr.subject).add(static_cast<std::int64_t>(cr.role)).add(cr.label);
      c_.exec(kUpsertCredential, p, "add_credential");
      note(ChangeKind::kCredentials);
    }

    bool revoke_credential(std::string_view token_sha256) override {
      Params p;
      p.add(token_sha256);
      if (c_.exec(kRevokeCredential, p, "revoke_credential").affected() == 0) return false;
      note(ChangeKind::kCredentials);
      return true;
    }

    // Numbers and writes the change-log entries; returns the last seq (0 if none).
    std::int64_t append_changes() {
      if (changes_.empty()) return 0;
      const auto n = static_cast<std::int64_t>(changes_.size());
      Params p;
      p.add(n);
      const std::int64_t last = c_.exec(kBumpSeq, p, "transaction: number changes").int64(0, 0);
      const std::int64_t at_ms = now_unix_ms();
      TextArray seq, kind, load, at;
      for (std::int64_t i = 0; i < n; ++i) {
        seq.add(last - n + 1 + i);
        kind.add(static_cast<std::int64_t>(changes_[static_cast<std::size_t>(i)].first));
        load.add(changes_[static_cast<std::size_t>(i)].second);
        at.add(at_ms);
      }
      Params q;
      q.add(seq.str()).add(kind.str()).add(load.str()).add(at.str());
      c_.exec(kInsertChanges, q, "transaction: append changes");
      return last;
    }

   private:
    template <typename T, typename Key>
    static std::vector<const T*> last_of_each(std::span<const T> rows, Key key) {
      std::vector<const T*> out;
      std::unordered_set<std::string_view> seen;
      for (std::size_t i = rows.size(); i-- > 0;)
        if (seen.insert(key(rows[i])).second) out.push_back(&rows[i]);
      std::reverse(out.begin(), out.end());
      return out;
    }

    void note(ChangeKind kind) {
      for (const auto& ch : changes_)
        if (ch.first == kind) return;
      changes_.emplace_back(kind, 0);
    }

    // New rows (id 0) go out through a binary COPY, updates (by id) through a pipeline of
    // prepared UPDATEs; a run of one kind ends before a run of the other starts, so rows take
    // effect in span order. New ids are next_id_, next_id_ + 1, ... in span order, assigned in
    // place (Store::commit_load forgets them again if the transaction fails).
    void copy_and_update(std::span<core::Coverage> rows, std::int64_t load_id,
                         std::int64_t updated_us) {
      std::unique_ptr<BinaryCopy> copy;
      std::unique_ptr<pg::Pipeline> updates;
      std::vector<std::uint32_t> run;  // batch row of each COPY line or pipelined update
      auto end_run = [&] {
        if (copy) {
          try {
            copy->finish();
          } catch (const pg::DbError& e) {
            const std::size_t line = e.copy_line();
            if (line == 0 || line > run.size()) throw;
            throw StoreError(std::string(e.what()) + " [coverage row " +
                             std::to_string(run[line - 1]) + "]");
          }
          copy.reset();
        }
        if (updates) {
          try {
            updates->sync("write_coverages: update", [&](std::size_t i, const Result& r) {
              if (r.affected() != 1)
                throw StoreError("postgresql: write_coverages: no coverage with id " +
                                 std::to_string(rows[run[i]].id) + " [coverage row " +
                                 std::to_string(run[i]) + "]");
            });
          } catch (const pg::DbError& e) {
            throw StoreError(std::string(e.what()) + " [coverage row " +
                             std::to_string(run[updates->failed_at()]) + "]");
          }
          updates.reset();
        }
        run.clear();
      };
      Params p;
      for (std::size_t i = 0; i < rows.size(); ++i) {
        core::Coverage& c = rows[i];
        if (c.id == 0) {
          if (updates) end_run();
          if (!copy)
            copy = std::make_unique<BinaryCopy>(c_, kCopyCoverages, "write_coverages: copy");
          c.id = next_id_++;
          copy_coverage(*copy, c, c.id, load_id, updated_us);
        } else {
          // A sync per kPipelineRun updates: the server's answers must not pile up while this
          // side is still sending (both could block on full socket buffers).
          if (copy || run.size() == kPipelineRun) end_run();
          if (!updates)
            updates =
                std::make_unique<pg::Pipeline>(c_, kUpdateCoverage, "write_coverages: update");
          update_params(p, c, load_id);
          updates->send(p, "write_coverages: update");
        }
        run.push_back(static_cast<std::uint32_t>(i));
      }
      end_run();
    }

    // Sorted and deduplicated, then copied in one go inside a savepoint. A load normally
    // carries only hashes not applied yet (the registry asked applied_events first); if one
    // was, the savepoint is rolled back and only the unknown ones are copied.
    void copy_event_hashes(std::span<const std::string> hashes, std::int64_t load_id) {
      if (hashes.empty()) return;
      std::vector<std::string_view> sorted(hashes.begin(), hashes.end());
      std::sort(sorted.begin(), sorted.end());
      sorted.erase(std::unique(sorted.begin(), sorted.end()), sorted.end());
      c_.exec("SAVEPOINT onshi_events", "write_event_hashes: savepoint");
      try {
        copy_hashes(sorted, load_id);
        c_.exec("RELEASE SAVEPOINT onshi_events", "write_event_hashes: release savepoint");
        return;
      } catch (const pg::DbError& e) {
        if (e.sqlstate() != "23505") throw;  // unique_violation: a hash applied before
      }
      c_.exec("ROLLBACK TO SAVEPOINT onshi_events", "write_event_hashes: rollback to savepoint");
      std::vector<std::string_view> unknown;
      for (std::size_t from = 0; from < sorted.size(); from += kHashPage) {
        const std::size_t to = std::min(sorted.size(), from + kHashPage);
        TextArray asked;
        for (std::size_t i = from; i < to; ++i) asked.add(sorted[i]);
        Params p;
        p.add(asked.str());
        const Result r = c_.exec(kAppliedEvents, p, "write_event_hashes: known hashes");
        std::unordered_set<std::string_view> found;
        for (int i = 0; i < r.rows(); ++i) found.insert(r.text(i, 0));
        for (std::size_t i = from; i < to; ++i)
          if (!found.contains(sorted[i])) unknown.push_back(sorted[i]);
      }
      copy_hashes(unknown, load_id);
    }

    void copy_hashes(const std::vector<std::string_view>& hashes, std::int64_t load_id) {
      if (hashes.empty()) return;
      TextCopy copy(c_, "applied_events (event_hash, load_id)", "write_event_hashes: copy");
      for (const std::string_view h : hashes) {
        copy.text(h);
        copy.integer(load_id);
        copy.end_row();
      }
      copy.finish();
    }

    // The updated_at of a load's rows: its started_at, as for rows it updates (now()).
    std::int64_t started_us(std::int64_t load_id) {
      for (const auto& [id, us] : loads_)
        if (id == load_id) return us;
      Params p;
      p.add(load_id);
      const Result r = c_.exec(kLoadStarted, p, "write_coverages: load");
      if (r.rows() == 0)
        throw StoreError("postgresql: write_coverages: no load with id " + std::to_string(load_id));
      loads_.emplace_back(load_id, r.int64(0, 0));
      return loads_.back().second;
    }

    Connection& c_;
    std::vector<std::pair<ChangeKind, std::int64_t>> changes_;
    std::vector<std::pair<std::int64_t, std::int64_t>> loads_;  // load id, started_at in us
    std::int64_t next_id_ = 0;  // the next new coverage id; 0 until the first piece
  };

  Pool pool_;
};

}  // namespace

std::unique_ptr<Store> open_postgresql_store(const std::string& url) {
  return std::make_unique<PgStore>(url);
}

}  // namespace onshi::store
