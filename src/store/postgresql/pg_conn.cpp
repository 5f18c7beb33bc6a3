#include "store/postgresql/pg_conn.hpp"

#include <charconv>
#include <memory>

namespace onshi::store::pg {
namespace {

std::string_view field(const PGresult* r, int code) {
  const char* v = r != nullptr ? PQresultErrorField(r, code) : nullptr;
  return v != nullptr ? std::string_view(v) : std::string_view();
}

// libpq's messages end in a newline and put hints on indented lines: one line for a log.
std::string one_line(std::string_view text) {
  std::string out;
  bool space = false;
  for (const char ch : text) {
    if (ch == '\n' || ch == '\t' || ch == '\r') {
      space = !out.empty();
      continue;
    }
    if (space) out.push_back(' ');
    space = false;
    out.push_back(ch);
  }
  return out;
}

bool connection_lost(std::string_view sqlstate) {
  // 08: connection exception; 57P01..57P03: the server is shutting down, or the backend was
  // terminated (pg_terminate_backend) or cannot accept connections yet.
  return sqlstate.substr(0, 2) == "08" || sqlstate == "57P01" || sqlstate == "57P02" ||
         sqlstate == "57P03";
}

// "COPY coverages, line 42, column birth_date: "1972/05/01"" -> "COPY coverages, line 42": the
// part of the CONTEXT that says where, without the value that follows. `line` gets the 42.
std::string copy_position(std::string_view context, std::size_t& line) {
  line = 0;
  if (context.substr(0, 5) != "COPY ") return {};
  const std::size_t at = context.find(", line ");
  if (at == std::string_view::npos) return {};
  std::size_t end = at + 7;
  for (; end < context.size() && context[end] >= '0' && context[end] <= '9'; ++end)
    line = line * 10 + static_cast<std::size_t>(context[end] - '0');
  return std::string(context.substr(0, end));
}

}  // namespace

std::int64_t Result::int64(int row, int col) const {
  const std::string_view t = text(row, col);
  std::int64_t v = 0;
  const auto [p, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
  if (ec != std::errc() || p != t.data() + t.size() || t.empty())
    throw StoreError(std::string("postgresql: column ") + PQfname(r_, col) + " is not an integer");
  return v;
}

std::int64_t Result::affected() const {
  const char* t = PQcmdTuples(r_);
  std::int64_t v = 0;
  std::from_chars(t, t + std::strlen(t), v);
  return v;
}

Params& Params::add(std::int64_t v) {
  char tmp[24];
  const auto [p, ec] = std::to_chars(tmp, tmp + sizeof tmp, v);
  (void)ec;
  return add(std::string_view(tmp, static_cast<std::size_t>(p - tmp)));
}

Params& Params::add(std::string_view v) {
  // Text parameters end at their first NUL, and PostgreSQL text cannot hold one at all.
  if (v.find('\0') != std::string_view::npos)
    throw StoreError("postgresql: parameter " + std::to_string(offsets_.size() + 1) +
                     " contains a NUL byte, which PostgreSQL text cannot store");
  offsets_.push_back(static_cast<std::ptrdiff_t>(buf_.size()));
  buf_.append(v);
  buf_.push_back('\0');
  return *this;
}

Params& Params::add_null() {
  offsets_.push_back(-1);
  return *this;
}

void Params::clear() {
  buf_.clear();
  offsets_.clear();
}

const char* const* Params::values() const {
  ptrs_.resize(offsets_.size());
  for (std::size_t i = 0; i < offsets_.size(); ++i)
    ptrs_[i] = offsets_[i] < 0 ? nullptr : buf_.data() + offsets_[i];
  return ptrs_.data();
}

void TextArray::add(std::string_view v) {
  sep();
  s_.push_back('"');
  for (const char ch : v) {
    if (ch == '"' || ch == '\\') s_.push_back('\\');
    s_.push_back(ch);
  }
  s_.push_back('"');
}

void TextArray::add(std::int64_t v) {
  sep();
  char tmp[24];
  const auto [p, ec] = std::to_chars(tmp, tmp + sizeof tmp, v);
  (void)ec;
  s_.append(tmp, static_cast<std::size_t>(p - tmp));
}

void TextArray::add_null() {
  sep();
  s_.append("NULL");
}

Connection::Connection(const std::string& url) {
  // Parsed first only to name host, port and database in messages and to know the password
  // that must never appear in them. libpq's parse error may quote the URL: not repeated.
  char* parse_error = nullptr;
  std::unique_ptr<PQconninfoOption, decltype(&PQconninfoFree)> opts(
      PQconninfoParse(url.c_str(), &parse_error), &PQconninfoFree);
  if (parse_error != nullptr) PQfreemem(parse_error);
  if (!opts)
    throw StoreError(
        "postgresql: the store URL is not a valid connection URL (expected "
        "postgresql://USER:PASSWORD@HOST:PORT/DATABASE)");
  std::string user, dbname;
  for (const PQconninfoOption* o = opts.get(); o->keyword != nullptr; ++o) {
    if (o->val == nullptr) continue;
    if (std::strcmp(o->keyword, "password") == 0) password_ = o->val;
    if (std::strcmp(o->keyword, "user") == 0) user = o->val;
    if (std::strcmp(o->keyword, "dbname") == 0) dbname = o->val;
  }

  // The URL may override connect_timeout (it comes later); client_encoding may not: every
  // string onshi stores is UTF-8.
  const char* keys[] = {"connect_timeout", "dbname", "fallback_application_name", "client_encoding",
                        nullptr};
  const char* vals[] = {"10", url.c_str(), "onshi", "UTF8", nullptr};
  c_ = PQconnectdbParams(keys, vals, /*expand_dbname=*/1);
  if (c_ == nullptr) throw UnavailableError("postgresql: out of memory creating a connection");
  const char* host = PQhost(c_);
  const char* port = PQport(c_);
  const char* db = PQdb(c_);
  where_ = std::string(host != nullptr && *host != '\0' ? host : "localhost") + ":" +
           (port != nullptr && *port != '\0' ? port : "5432") + "/" +
           (db != nullptr && *db != '\0' ? db : dbname);
  if (PQstatus(c_) != CONNECTION_OK) {
    const std::string why = redact(one_line(PQerrorMessage(c_)));
    const char* u = PQuser(c_);
    const std::string who = u != nullptr && *u != '\0' ? u : user;
    PQfinish(c_);
    c_ = nullptr;
    throw UnavailableError("postgresql: cannot connect to " + where_ + " as user " + who + ": " +
                           why +
                           " -- check that PostgreSQL runs on that host and port and accepts "
                           "TCP connections from here (listen_addresses, pg_hba.conf), and the "
                           "user, password and database in the store URL");
  }
  const char* encoding = PQparameterStatus(c_, "server_encoding");
  if (encoding == nullptr || std::string_view(encoding) != "UTF8") {
    const std::string got = encoding != nullptr ? encoding : "unknown";
    PQfinish(c_);
    c_ = nullptr;
    throw StoreError("postgresql: database " + where_ + " has encoding " + got +
                     "; onshi needs a UTF8 database (CREATE DATABASE ... ENCODING 'UTF8')");
  }
  // Notices (e.g. "drop cascades to ...") are not errors, and libpq would print them on stderr;
  // their DETAIL may quote data.
  PQsetNoticeProcessor(
      c_, [](void*, const char*) {}, nullptr);
  // Dates are read back as text: the ISO form whatever the server's default.
  exec("SET datestyle = 'ISO, YMD'", "set datestyle");
}

Connection::~Connection() {
  if (c_ != nullptr) PQfinish(c_);
}

std::string Connection::redact(std::string text) const {
  if (password_.empty()) return text;
  for (std::size_t at = text.find(password_); at != std::string::npos;
       at = text.find(password_, at))
    text.replace(at, password_.size(), "***");
  return text;
}

void Connection::fail(const PGresult* r, std::string_view context) const {
  const std::string_view sqlstate = field(r, PG_DIAG_SQLSTATE);
  std::string msg = "postgresql: " + std::string(context) + ": ";
  if (broken() || connection_lost(sqlstate)) {
    const std::string primary(field(r, PG_DIAG_MESSAGE_PRIMARY));
    throw UnavailableError(msg + "lost the connection to " + where_ + " (" +
                           redact(one_line(primary.empty() ? PQerrorMessage(c_) : primary)) +
                           "); nothing of the transaction was committed");
  }
  if (sqlstate.empty()) {
    // A client-side failure (libpq's own message; it quotes no data).
    throw StoreError(msg + redact(one_line(PQerrorMessage(c_))));
  }
  if (sqlstate.substr(0, 2) == "22") {
    msg += "invalid data";  // the primary message of a data exception quotes the input
  } else {
    msg += redact(std::string(field(r, PG_DIAG_MESSAGE_PRIMARY)));
  }
  msg += " (SQLSTATE " + std::string(sqlstate);
  if (const auto t = field(r, PG_DIAG_TABLE_NAME); !t.empty()) msg += ", table " + std::string(t);
  if (const auto c = field(r, PG_DIAG_COLUMN_NAME); !c.empty()) msg += ", column " + std::string(c);
  if (const auto k = field(r, PG_DIAG_CONSTRAINT_NAME); !k.empty())
    msg += ", constraint " + std::string(k);
  std::size_t line = 0;
  if (const std::string at = copy_position(field(r, PG_DIAG_CONTEXT), line); !at.empty())
    msg += ", " + at;
  msg += ")";
  if (sqlstate == "40001" || sqlstate == "40P01") throw ConflictError(msg);
  throw DbError(msg, std::string(sqlstate), line);
}

Result Connection::check(PGresult* r, ExecStatusType want, std::string_view context) const {
  Result res(r);
  if (r == nullptr || PQresultStatus(r) != want) fail(r, context);
  return res;
}

Result Connection::exec(const char* sql, std::string_view context) {
  PGresult* r = PQexec(c_, sql);
  const ExecStatusType st = r != nullptr ? PQresultStatus(r) : PGRES_FATAL_ERROR;
  return check(r, st == PGRES_TUPLES_OK ? PGRES_TUPLES_OK : PGRES_COMMAND_OK, context);
}

Result Connection::exec(const char* sql, const Params& params, std::string_view context) {
  PGresult* r = PQexecParams(c_, sql, params.size(), nullptr, params.values(), nullptr, nullptr, 0);
  const ExecStatusType st = r != nullptr ? PQresultStatus(r) : PGRES_FATAL_ERROR;
  return check(r, st == PGRES_TUPLES_OK ? PGRES_TUPLES_OK : PGRES_COMMAND_OK, context);
}

Result Connection::exec(const Statement& s, const Params& params, std::string_view context) {
  prepare(s, context);
  PGresult* r = PQexecPrepared(c_, s.name, params.size(), params.values(), nullptr, nullptr, 0);
  const ExecStatusType st = r != nullptr ? PQresultStatus(r) : PGRES_FATAL_ERROR;
  return check(r, st == PGRES_TUPLES_OK ? PGRES_TUPLES_OK : PGRES_COMMAND_OK, context);
}

void Connection::prepare(const Statement& s, std::string_view context) {
  if (prepared_.contains(&s)) return;
  check(PQprepare(c_, s.name, s.sql, 0, nullptr), PGRES_COMMAND_OK,
        std::string(context) + " (prepare)");
  prepared_.insert(&s);
}

Pipeline::Pipeline(Connection& c, const Statement& s, std::string_view context) : c_(c), s_(s) {
  c_.prepare(s_, context);
  if (PQenterPipelineMode(c_.handle()) != 1) c_.fail(nullptr, context);
}

Pipeline::~Pipeline() {
  // Fails only if answers are still unread, i.e. after an exception that left the connection
  // broken; then it is dropped anyway.
  PQexitPipelineMode(c_.handle());
}

void Pipeline::send(const Params& params, std::string_view context) {
  if (PQsendQueryPrepared(c_.handle(), s_.name, params.size(), params.values(), nullptr, nullptr,
                          0) != 1)
    c_.fail(nullptr, context);
  ++sent_;
}

void Pipeline::sync_begin(std::string_view context) {
  error_ = nullptr;
  if (PQpipelineSync(c_.handle()) != 1) c_.fail(nullptr, context);
}

Result Pipeline::next(std::string_view context, std::size_t i) {
  Result r(PQgetResult(c_.handle()));
  if (r.get() == nullptr) c_.fail(nullptr, context);  // lost the connection
  // Each statement's answer is followed by a null that ends it.
  while (PGresult* extra = PQgetResult(c_.handle())) PQclear(extra);
  const ExecStatusType st = PQresultStatus(r.get());
  if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK) return r;
  if (st != PGRES_PIPELINE_ABORTED && !error_) {
    failed_at_ = i;
    try {
      c_.fail(r.get(), context);
    } catch (const UnavailableError&) {
      throw;  // nothing more will come
    } catch (...) {
      error_ = std::current_exception();
    }
  }
  return Result();
}

void Pipeline::sync_end(std::string_view context) {
  Result r(PQgetResult(c_.handle()));
  if (r.get() == nullptr || PQresultStatus(r.get()) != PGRES_PIPELINE_SYNC)
    c_.fail(r.get(), context);
  sent_ = 0;
  if (error_) std::rethrow_exception(error_);
}

TxGuard::TxGuard(Connection& c, const char* begin_sql) : c_(c) {
  c_.exec(begin_sql, "begin");
  open_ = true;
}

TxGuard::~TxGuard() {
  if (!open_ || c_.broken()) return;
  // Errors are ignored: the transaction is over either way (a failed ROLLBACK means the
  // connection is gone, and the server then rolls back itself).
  PQclear(PQexec(c_.handle(), "ROLLBACK"));
}

void TxGuard::commit() {
  c_.exec("COMMIT", "commit");
  open_ = false;
}

CopyIn::CopyIn(Connection& c, const std::string& copy_sql, std::string_view context)
    : c_(c), context_(context) {
  c_.check(PQexec(c_.handle(), copy_sql.c_str()), PGRES_COPY_IN, context_);
  open_ = true;
  buf_.reserve(kFlushBytes + (64 << 10));
}

CopyIn::~CopyIn() {
  if (!open_ || c_.broken()) return;
  // Abort: the server answers the COPY with an error, which is drained here so the connection
  // is ready for the ROLLBACK that follows.
  if (PQputCopyEnd(c_.handle(), "aborted by the client") == 1) {
    while (PGresult* r = PQgetResult(c_.handle())) PQclear(r);
  }
}

void CopyIn::flush() {
  if (buf_.empty()) return;
  if (PQputCopyData(c_.handle(), buf_.data(), static_cast<int>(buf_.size())) != 1) {
    open_ = false;
    c_.fail(nullptr, context_);
  }
  buf_.clear();
}

std::int64_t CopyIn::finish() {
  flush();
  open_ = false;
  if (PQputCopyEnd(c_.handle(), nullptr) != 1) c_.fail(nullptr, context_);
  PGresult* verdict = PQgetResult(c_.handle());
  // Drained before the verdict is checked: libpq returns null after the COPY's result, and
  // only then may the next command (ROLLBACK TO SAVEPOINT, say) be sent.
  while (PGresult* extra = PQgetResult(c_.handle())) PQclear(extra);
  return c_.check(verdict, PGRES_COMMAND_OK, context_).affected();
}

void TextCopy::text(std::string_view v) {
  sep();
  std::string& b = in_.buffer();
  // Only these four bytes need escaping in COPY's text format; UTF-8 passes through.
  std::size_t from = 0;
  for (std::size_t i = 0; i < v.size(); ++i) {
    const char ch = v[i];
    const char* esc = nullptr;
    switch (ch) {
      case '\\':
        esc = "\\\\";
        break;
      case '\t':
        esc = "\\t";
        break;
      case '\n':
        esc = "\\n";
        break;
      case '\r':
        esc = "\\r";
        break;
      default:
        continue;
    }
    b.append(v.data() + from, i - from);
    b.append(esc, 2);
    from = i + 1;
  }
  b.append(v.data() + from, v.size() - from);
}

void TextCopy::integer(std::int64_t v) {
  sep();
  char tmp[24];
  const auto [p, ec] = std::to_chars(tmp, tmp + sizeof tmp, v);
  (void)ec;
  in_.buffer().append(tmp, static_cast<std::size_t>(p - tmp));
}

BinaryCopy::BinaryCopy(Connection& c, const std::string& table_and_columns,
                       std::string_view context)
    : in_(c, "COPY " + table_and_columns + " FROM STDIN (FORMAT binary)", context) {
  // Signature, flags (no OIDs), header extension length 0.
  static constexpr char kHeader[] = "PGCOPY\n\377\r\n\0\0\0\0\0\0\0\0\0";
  in_.put(kHeader, 19);
}

void BinaryCopy::text(std::string_view v) {
  be32(static_cast<std::uint32_t>(v.size()));
  in_.buffer().append(v);
}

std::int64_t BinaryCopy::finish() {
  be16(0xFFFF);  // trailer
  return in_.finish();
}

}  // namespace onshi::store::pg
