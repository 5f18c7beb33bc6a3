#pragma once
// Thin RAII wrappers over libpq: a connection, a result, text-format parameters, statements
// prepared by name on first use, a transaction guard and COPY ... FROM STDIN writers. Every
// failure becomes a StoreError (ConflictError for SQLSTATE 40001/40P01, UnavailableError when
// the server cannot be reached or the connection is lost), so callers never see a status code.
//
// Messages name the host, port, database, statement context, SQLSTATE, table, column and
// constraint, never a bound value or the password: PostgreSQL's DETAIL and CONTEXT fields and
// the primary message of data exceptions (class 22) quote input, so they are left out.
// Not thread-safe: one thread uses a Connection at a time (see pg_store.cpp).
#include <libpq-fe.h>

#include <cstdint>
#include <cstring>
#include <exception>
#include <string>
#include <string_view>
#include <unordered_set>
#include <utility>
#include <vector>

#include "store/store.hpp"

namespace onshi::store::pg {

// A statement the server refused for any reason other than a conflict or a lost connection.
class DbError : public StoreError {
 public:
  DbError(const std::string& what, std::string sqlstate, std::size_t copy_line)
      : StoreError(what), sqlstate_(std::move(sqlstate)), copy_line_(copy_line) {}
  const std::string& sqlstate() const { return sqlstate_; }
  // The 1-based line of the COPY data the error concerns; 0 if not a COPY error.
  std::size_t copy_line() const { return copy_line_; }

 private:
  std::string sqlstate_;
  std::size_t copy_line_;
};

class Result {
 public:
  Result() = default;
  explicit Result(PGresult* r) : r_(r) {}
  ~Result() { PQclear(r_); }
  Result(Result&& o) noexcept : r_(o.r_) { o.r_ = nullptr; }
  Result& operator=(Result&& o) noexcept {
    if (this != &o) {
      PQclear(r_);
      r_ = o.r_;
      o.r_ = nullptr;
    }
    return *this;
  }
  Result(const Result&) = delete;
  Result& operator=(const Result&) = delete;

  PGresult* get() const { return r_; }
  int rows() const { return PQntuples(r_); }
  bool is_null(int row, int col) const { return PQgetisnull(r_, row, col) != 0; }
  std::string_view text(int row, int col) const {
    return {PQgetvalue(r_, row, col), static_cast<std::size_t>(PQgetlength(r_, row, col))};
  }
  // A column of an integer type; throws StoreError naming the column if it is not one.
  std::int64_t int64(int row, int col) const;
  // Rows an INSERT/UPDATE/DELETE touched.
  std::int64_t affected() const;

 private:
  PGresult* r_ = nullptr;
};

// Parameters of one statement, sent in text format. The values are copied into one buffer
// (NUL-terminated, as libpq reads text parameters), so the caller's strings may go at once.
class Params {
 public:
  Params& add(std::int64_t v);
  Params& add(std::string_view v);
  Params& add_null();
  void clear();
  int size() const { return static_cast<int>(offsets_.size()); }
  // Valid until the next add().
  const char* const* values() const;

 private:
  std::string buf_;
  std::vector<std::ptrdiff_t> offsets_;  // -1: NULL
  mutable std::vector<const char*> ptrs_;
};

// An array parameter in PostgreSQL's text form ('{"a","b"}'): one statement can then take a
// whole batch (INSERT ... SELECT FROM unnest($1::text[], ...)), one round trip for many rows.
class TextArray {
 public:
  TextArray() { s_.push_back('{'); }
  void add(std::string_view v);
  void add(std::int64_t v);
  void add_null();
  std::size_t size() const { return n_; }
  // The literal; the array cannot be added to afterwards.
  const std::string& str() {
    if (!closed_) s_.push_back('}');
    closed_ = true;
    return s_;
  }

 private:
  void sep() {
    if (n_++ > 0) s_.push_back(',');
  }
  std::string s_;
  std::size_t n_ = 0;
  bool closed_ = false;
};

// A statement prepared by name the first time a connection runs it. Static storage: the
// pointers must outlive every connection.
struct Statement {
  const char* name;
  const char* sql;
};

class Connection {
 public:
  // Connects to a libpq URL or key=value string. Throws UnavailableError naming host and port
  // when the server cannot be reached or refuses the login, StoreError when the URL is malformed
  // or the database is not UTF8.
  explicit Connection(const std::string& url);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  PGconn* handle() const { return c_; }
  // "host:port/database", for messages.
  const std::string& where() const { return where_; }
  bool broken() const { return PQstatus(c_) != CONNECTION_OK; }
  // For an idle connection: reads (without waiting) what the server sent meanwhile, so that a
  // server that restarted or closed the connection is noticed before a query is sent on it.
  bool alive() { return PQconsumeInput(c_) == 1 && !broken(); }
  int backend_pid() const { return PQbackendPID(c_); }

  // One or more statements without parameters (DDL, BEGIN, SET); the last one's result.
  Result exec(const char* sql, std::string_view context);
  Result exec(const char* sql, const Params& params, std::string_view context);
  Result exec(const Statement& s, const Params& params, std::string_view context);
  // Prepares `s` on this connection unless it already is.
  void prepare(const Statement& s, std::string_view context);

  // Throws the StoreError that fits `r` (may be null: then the connection's own error).
  [[noreturn]] void fail(const PGresult* r, std::string_view context) const;
  // Throws StoreError if `r` is not `want` (PGRES_COMMAND_OK, PGRES_TUPLES_OK, PGRES_COPY_IN).
  Result check(PGresult* r, ExecStatusType want, std::string_view context) const;

 private:
  std::string redact(std::string text) const;

  PGconn* c_ = nullptr;
  std::string where_;
  std::string password_;  // only to scrub it from libpq's messages
  std::unordered_set<const Statement*> prepared_;
};

// Statements sent back to back without waiting for each answer (libpq's pipeline mode): one
// round trip for a whole run of them instead of one each. Answers are read at sync().
// All of one prepared statement (prepared first: PQprepare waits for its answer). No other
// command may run on the connection while a Pipeline exists.
class Pipeline {
 public:
  Pipeline(Connection& c, const Statement& s, std::string_view context);
  ~Pipeline();
  Pipeline(const Pipeline&) = delete;
  Pipeline& operator=(const Pipeline&) = delete;

  void send(const Params& params, std::string_view context);
  std::size_t pending() const { return sent_; }
  // Reads the answer of every statement sent since the last sync, in order, and calls
  // `each(i, result)` for the i-th of them. Throws the error of the first that failed (the
  // server skips the rest) or the first exception of `each`, after reading everything;
  // failed_at() then says which statement.
  template <typename Each>
  void sync(std::string_view context, Each&& each) {
    sync_begin(context);
    for (std::size_t i = 0; i < sent_; ++i) {
      Result r = next(context, i);
      if (r.get() == nullptr || error_) continue;
      try {
        each(i, r);
      } catch (...) {
        // Kept until every answer is read: the connection must leave the pipeline clean.
        failed_at_ = i;
        error_ = std::current_exception();
      }
    }
    sync_end(context);
  }
  std::size_t failed_at() const { return failed_at_; }

 private:
  void sync_begin(std::string_view context);
  // The i-th answer, or a null Result if the statement failed or was skipped.
  Result next(std::string_view context, std::size_t i);
  void sync_end(std::string_view context);

  Connection& c_;
  const Statement& s_;
  std::size_t sent_ = 0;
  std::size_t failed_at_ = 0;
  std::exception_ptr error_;
};

// BEGIN on construction; ROLLBACK on destruction unless commit() succeeded, so every exit path
// (exception, early return) ends the transaction.
class TxGuard {
 public:
  explicit TxGuard(Connection& c, const char* begin_sql = "BEGIN");
  ~TxGuard();
  TxGuard(const TxGuard&) = delete;
  TxGuard& operator=(const TxGuard&) = delete;
  void commit();

 private:
  Connection& c_;
  bool open_ = false;
};

// COPY ... FROM STDIN, buffered: data goes to the server in PQputCopyData calls of ~1 MiB.
// finish() ends the COPY and reports the server's verdict; a CopyIn destroyed unfinished aborts
// it (the enclosing transaction then fails, as it should).
class CopyIn {
 public:
  CopyIn(Connection& c, const std::string& copy_sql, std::string_view context);
  ~CopyIn();
  CopyIn(const CopyIn&) = delete;
  CopyIn& operator=(const CopyIn&) = delete;

  void put(const char* p, std::size_t n) {
    buf_.append(p, n);
    if (buf_.size() >= kFlushBytes) flush();
  }
  void put(char ch) {
    buf_.push_back(ch);
    if (buf_.size() >= kFlushBytes) flush();
  }
  std::string& buffer() { return buf_; }
  void maybe_flush() {
    if (buf_.size() >= kFlushBytes) flush();
  }
  // Ends the COPY; returns the rows the server took. Throws StoreError on any failure.
  std::int64_t finish();

 private:
  static constexpr std::size_t kFlushBytes = 1 << 20;
  void flush();

  Connection& c_;
  std::string context_;
  std::string buf_;
  bool open_ = false;
};

// COPY in text format: tab-separated, \N for NULL, backslash escapes.
class TextCopy {
 public:
  TextCopy(Connection& c, const std::string& table_and_columns, std::string_view context)
      : in_(c, "COPY " + table_and_columns + " FROM STDIN", context) {}
  void text(std::string_view v);
  void integer(std::int64_t v);
  void null() {
    sep();
    in_.buffer().append("\\N", 2);
  }
  void end_row() {
    in_.put('\n');
    first_ = true;
  }
  std::int64_t finish() { return in_.finish(); }

 private:
  void sep() {
    if (!first_) in_.buffer().push_back('\t');
    first_ = false;
  }
  CopyIn in_;
  bool first_ = true;
};

// COPY in binary format: every field carries its length and its value in the column type's
// binary send format, so the server parses no text (dates alone are 12 of a coverage's
// columns). The caller must write exactly the column types: int2, int4, int8, date, text.
class BinaryCopy {
 public:
  BinaryCopy(Connection& c, const std::string& table_and_columns, std::string_view context);
  void begin_row(int fields) { be16(static_cast<std::uint16_t>(fields)); }
  void int2(std::int64_t v) {
    be32(2);
    be16(static_cast<std::uint16_t>(v));
  }
  void int4(std::int64_t v) {
    be32(4);
    be32(static_cast<std::uint32_t>(v));
  }
  void int8(std::int64_t v) {
    be32(8);
    be64(static_cast<std::uint64_t>(v));
  }
  // A DATE: days since 2000-01-01 (PostgreSQL's epoch).
  void date(std::int32_t days_since_2000) { int4(days_since_2000); }
  // A TIMESTAMPTZ: microseconds since 2000-01-01 00:00 UTC.
  void timestamp(std::int64_t us_since_2000) { int8(us_since_2000); }
  void text(std::string_view v);
  void null() { be32(0xFFFFFFFFu); }
  void end_row() { in_.maybe_flush(); }
  std::int64_t finish();

 private:
  void be16(std::uint16_t v) {
    const char b[2] = {static_cast<char>(v >> 8), static_cast<char>(v)};
    in_.buffer().append(b, 2);
  }
  void be32(std::uint32_t v) {
    const char b[4] = {static_cast<char>(v >> 24), static_cast<char>(v >> 16),
                       static_cast<char>(v >> 8), static_cast<char>(v)};
    in_.buffer().append(b, 4);
  }
  void be64(std::uint64_t v) {
    be32(static_cast<std::uint32_t>(v >> 32));
    be32(static_cast<std::uint32_t>(v));
  }
  CopyIn in_;
};

}  // namespace onshi::store::pg
