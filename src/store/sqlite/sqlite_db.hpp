#pragma once
// Thin RAII wrappers over the SQLite C API: a connection, a prepared statement and a
// transaction. They turn every SQLite failure into StoreError so callers never see a return
// code, and they guarantee that statements are reset and transactions rolled back on any exit
// path. Not thread-safe by themselves: the owner serialises access (see sqlite_store.cpp).
#include <sqlite3.h>

#include <cstdint>
#include <string>
#include <string_view>

#include "store/store.hpp"

namespace onshi::store::sqlite {

class Db {
 public:
  // Opens (creating if needed) the database file. Throws StoreError.
  explicit Db(const std::string& path);
  ~Db();
  Db(const Db&) = delete;
  Db& operator=(const Db&) = delete;

  sqlite3* handle() const { return db_; }
  // Runs one or more statements that take no parameters (DDL, PRAGMA, BEGIN/COMMIT).
  void exec(const char* sql, std::string_view context);
  // Runs a statement returning one text value, e.g. "PRAGMA journal_mode=WAL".
  std::string query_text(const char* sql, std::string_view context);
  std::int64_t query_int(const char* sql, std::string_view context);
  // Throws StoreError naming `context` and SQLite's message. SQLite's messages name tables and
  // columns, never bound values, so no personal data can leak into logs through them.
  [[noreturn]] void fail(std::string_view context) const;

 private:
  sqlite3* db_ = nullptr;
};

class Stmt {
 public:
  Stmt() = default;
  Stmt(Db& db, std::string_view sql);
  ~Stmt();
  Stmt(Stmt&& other) noexcept;
  Stmt& operator=(Stmt&& other) noexcept;
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;

  // Parameters are 1-based as in SQLite. Text is bound without copying: the caller keeps it
  // alive until the statement has been stepped (and reset), which is what makes bulk loads fast.
  void bind(int i, std::int64_t v);
  void bind(int i, std::string_view v);
  void bind_null(int i);
  // true: a row is available; false: done. Throws StoreError on failure.
  bool step(std::string_view context);
  // Rows changed by the last INSERT/UPDATE/DELETE run through this statement's connection.
  int changes() const { return sqlite3_changes(db_->handle()); }
  std::int64_t last_insert_rowid() const { return sqlite3_last_insert_rowid(db_->handle()); }
  // Ready for the next execution: releases the read snapshot and forgets the bindings.
  void reset() noexcept;
  // As reset(), but keeps the bindings: for a statement whose every parameter is bound again
  // before each run, where clearing them is wasted work (1.5% of a bulk load).
  void rewind() noexcept { sqlite3_reset(s_); }

  bool is_null(int col) const { return sqlite3_column_type(s_, col) == SQLITE_NULL; }
  std::int64_t int_at(int col) const { return sqlite3_column_int64(s_, col); }
  std::string text_at(int col) const;
  // Valid until the next step() or reset(); saves a copy when the caller parses the text.
  std::string_view text_view_at(int col) const;

 private:
  sqlite3_stmt* s_ = nullptr;
  Db* db_ = nullptr;
};

// Resets a statement when it leaves scope so that an exception between step() calls cannot keep
// a read snapshot (and with it the WAL) pinned.
class StmtUse {
 public:
  enum class Bindings { kClear, kKeep };
  explicit StmtUse(Stmt& s, Bindings b = Bindings::kClear) : s_(s), b_(b) {}
  ~StmtUse() {
    if (b_ == Bindings::kKeep)
      s_.rewind();
    else
      s_.reset();
  }
  StmtUse(const StmtUse&) = delete;
  StmtUse& operator=(const StmtUse&) = delete;

 private:
  Stmt& s_;
  Bindings b_;
};

// One SQLite transaction, rolled back unless committed (not store::Transaction, the work's view).
class TxScope {
 public:
  // kImmediate takes the write lock up front: a deferred write transaction that upgrades later can
  // fail with SQLITE_BUSY without the busy handler being consulted.
  enum class Kind { kDeferred, kImmediate };
  TxScope(Db& db, Kind kind);
  ~TxScope();  // rolls back unless commit() succeeded
  TxScope(const TxScope&) = delete;
  TxScope& operator=(const TxScope&) = delete;
  void commit();

 private:
  Db& db_;
  bool open_ = false;
};

}  // namespace onshi::store::sqlite
