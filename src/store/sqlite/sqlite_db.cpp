#include "store/sqlite/sqlite_db.hpp"

#include <utility>

namespace onshi::store::sqlite {

Db::Db(const std::string& path) {
  // NOMUTEX: the store serialises all use of the connection itself, so SQLite's own per-call
  // mutex would only add cost.
  const int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
  if (sqlite3_open_v2(path.c_str(), &db_, flags, nullptr) != SQLITE_OK) {
    std::string msg = db_ != nullptr ? sqlite3_errmsg(db_) : "out of memory";
    sqlite3_close_v2(db_);
    db_ = nullptr;
    throw StoreError("sqlite: cannot open database: " + msg);
  }
  sqlite3_extended_result_codes(db_, 1);
}

Db::~Db() {
  sqlite3_close_v2(db_);
}

void Db::fail(std::string_view context) const {
  std::string msg = "sqlite: ";
  msg += context;
  msg += ": ";
  msg += sqlite3_errmsg(db_);
  msg += " (code ";
  msg += std::to_string(sqlite3_extended_errcode(db_));
  msg += ')';
  // Another process holds the write lock past busy_timeout: the work may simply be run again.
  const int primary = sqlite3_errcode(db_);
  if (primary == SQLITE_BUSY || primary == SQLITE_LOCKED) throw ConflictError(msg);
  throw StoreError(msg);
}

void Db::exec(const char* sql, std::string_view context) {
  if (sqlite3_exec(db_, sql, nullptr, nullptr, nullptr) != SQLITE_OK) fail(context);
}

std::string Db::query_text(const char* sql, std::string_view context) {
  Stmt s(*this, sql);
  StmtUse use(s);
  if (!s.step(context)) throw StoreError("sqlite: " + std::string(context) + ": no result");
  return s.text_at(0);
}

std::int64_t Db::query_int(const char* sql, std::string_view context) {
  Stmt s(*this, sql);
  StmtUse use(s);
  if (!s.step(context)) throw StoreError("sqlite: " + std::string(context) + ": no result");
  return s.int_at(0);
}

Stmt::Stmt(Db& db, std::string_view sql) : db_(&db) {
  if (sqlite3_prepare_v3(db.handle(), sql.data(), static_cast<int>(sql.size()),
                         SQLITE_PREPARE_PERSISTENT, &s_, nullptr) != SQLITE_OK)
    db.fail("prepare");
}

Stmt::~Stmt() {
  sqlite3_finalize(s_);
}

Stmt::Stmt(Stmt&& other) noexcept
    : s_(std::exchange(other.s_, nullptr)), db_(std::exchange(other.db_, nullptr)) {}

Stmt& Stmt::operator=(Stmt&& other) noexcept {
  if (this != &other) {
    sqlite3_finalize(s_);
    s_ = std::exchange(other.s_, nullptr);
    db_ = std::exchange(other.db_, nullptr);
  }
  return *this;
}

void Stmt::bind(int i, std::int64_t v) {
  if (sqlite3_bind_int64(s_, i, v) != SQLITE_OK) db_->fail("bind");
}

void Stmt::bind(int i, std::string_view v) {
  // A null data pointer would bind SQL NULL; an empty string must stay ''.
  const char* data = v.data() != nullptr ? v.data() : "";
  if (sqlite3_bind_text(s_, i, data, static_cast<int>(v.size()), SQLITE_STATIC) != SQLITE_OK)
    db_->fail("bind");
}

void Stmt::bind_null(int i) {
  if (sqlite3_bind_null(s_, i) != SQLITE_OK) db_->fail("bind");
}

bool Stmt::step(std::string_view context) {
  const int rc = sqlite3_step(s_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  db_->fail(context);
}

void Stmt::reset() noexcept {
  sqlite3_reset(s_);
  sqlite3_clear_bindings(s_);
}

std::string Stmt::text_at(int col) const {
  const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(s_, col));
  if (p == nullptr) return {};
  return std::string(p, static_cast<std::size_t>(sqlite3_column_bytes(s_, col)));
}

std::string_view Stmt::text_view_at(int col) const {
  const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(s_, col));
  if (p == nullptr) return {};
  return {p, static_cast<std::size_t>(sqlite3_column_bytes(s_, col))};
}

TxScope::TxScope(Db& db, Kind kind) : db_(db) {
  db_.exec(kind == Kind::kImmediate ? "BEGIN IMMEDIATE" : "BEGIN DEFERRED", "begin transaction");
  open_ = true;
}

TxScope::~TxScope() {
  // SQLite rolls back by itself after some errors (SQLITE_FULL, SQLITE_IOERR, ...); a second
  // ROLLBACK would only fail, so ask whether a transaction is still open.
  if (open_ && sqlite3_get_autocommit(db_.handle()) == 0)
    sqlite3_exec(db_.handle(), "ROLLBACK", nullptr, nullptr, nullptr);
}

void TxScope::commit() {
  db_.exec("COMMIT", "commit");
  open_ = false;
}

}  // namespace onshi::store::sqlite
