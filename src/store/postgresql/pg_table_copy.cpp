// TableCopy on PostgreSQL (onshi migrate): one connection. Reads run in one REPEATABLE READ
// READ ONLY transaction through a cursor (a table of ten million rows is never one result);
// writes are COPY in text format inside one transaction, after which the counters a copy with
// explicit keys leaves behind are moved past the copied rows: the identity sequences of loads
// and access_log, and the change-log counter change_seq.
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "store/postgresql/pg_conn.hpp"
#include "store/table_copy.hpp"

namespace onshi::store {
namespace {

constexpr int kFetchRows = 10000;

// Time stamps (the columns named *_at) are TIMESTAMPTZ here and ISO-8601 text in SQLite; the
// canonical form is SQLite's, 'YYYY-MM-DDTHH:MM:SS.mmmZ' (services write it so). PostgreSQL
// prints '2026-12-01 22:15:22.18+00' in UTC: same instant, other text.
bool is_timestamp_column(std::string_view name) {
  return name.size() > 3 && name.substr(name.size() - 3) == "_at";
}

std::string canonical_timestamp(std::string_view pg) {
  // "YYYY-MM-DD HH:MM:SS[.f{1,6}]+00"
  if (pg.size() < 22 || pg[10] != ' ' || pg.substr(pg.size() - 3) != "+00") return std::string(pg);
  std::string out(pg.substr(0, 10));
  out += 'T';
  out += pg.substr(11, 8);
  std::string frac = "000";
  if (pg.size() > 22 && pg[19] == '.') {
    const std::string_view f = pg.substr(20, pg.size() - 23);
    for (std::size_t i = 0; i < 3 && i < f.size(); ++i) frac[i] = f[i];
  }
  out += '.';
  out += frac;
  out += 'Z';
  return out;
}

std::vector<bool> timestamp_columns(std::string_view columns) {
  std::vector<bool> out;
  while (!columns.empty()) {
    const auto comma = columns.find(',');
    std::string_view name = columns.substr(0, comma);
    while (!name.empty() && name.front() == ' ') name.remove_prefix(1);
    while (!name.empty() && name.back() == ' ') name.remove_suffix(1);
    out.push_back(is_timestamp_column(name));
    if (comma == std::string_view::npos) break;
    columns.remove_prefix(comma + 1);
  }
  return out;
}

class PgTableCopy final : public TableCopy {
 public:
  explicit PgTableCopy(const std::string& url) : c_(url) {
    c_.exec("SET DateStyle = ISO; SET TimeZone = 'UTC'", "migrate: date style");
  }
  ~PgTableCopy() override {
    if (in_transaction_) PQclear(PQexec(c_.handle(), "ROLLBACK"));
  }

  std::int64_t count(const TableSpec& t) override {
    const std::string sql = "SELECT count(*) FROM " + std::string(t.name);
    return c_.exec(sql.c_str(), "migrate: count rows").int64(0, 0);
  }

  void begin_read() override {
    end_open_transaction();
    c_.exec("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", "migrate: begin read");
    in_transaction_ = true;
  }

  void read(const TableSpec& t, const std::function<void(const Row&)>& visit) override {
    const std::string declare = "DECLARE onshi_copy NO SCROLL CURSOR FOR SELECT " +
                                std::string(t.columns) + " FROM " + std::string(t.name) +
                                " ORDER BY " + std::string(t.order_by);
    c_.exec(declare.c_str(), "migrate: open cursor");
    const std::string fetch = "FETCH " + std::to_string(kFetchRows) + " FROM onshi_copy";
    const std::vector<bool> stamp = timestamp_columns(t.columns);
    Row row;
    for (;;) {
      const pg::Result r = c_.exec(fetch.c_str(), "migrate: read rows");
      const int n = r.rows(), cols = PQnfields(r.get());
      row.resize(static_cast<std::size_t>(cols));
      for (int i = 0; i < n; ++i) {
        for (int j = 0; j < cols; ++j) {
          if (r.is_null(i, j))
            row[static_cast<std::size_t>(j)].reset();
          else if (static_cast<std::size_t>(j) < stamp.size() && stamp[j])
            row[static_cast<std::size_t>(j)] = canonical_timestamp(r.text(i, j));
          else
            row[static_cast<std::size_t>(j)] = std::string(r.text(i, j));
        }
        visit(row);
      }
      if (n < kFetchRows) break;
    }
    c_.exec("CLOSE onshi_copy", "migrate: close cursor");
  }

  void begin_write() override {
    end_open_transaction();
    c_.exec("BEGIN", "migrate: begin write");
    in_transaction_ = true;
    // Writers on this database wait for the copy, as for any write transaction (pg_store.cpp).
    c_.exec("SELECT last FROM change_seq FOR UPDATE", "migrate: lock change counter");
  }

  void append(const TableSpec& t, std::span<const Row> rows) override {
    if (rows.empty()) return;
    pg::TextCopy copy(c_, std::string(t.name) + " (" + std::string(t.columns) + ")",
                      "migrate: write rows");
    for (const Row& r : rows) {
      for (const Field& f : r) {
        if (f)
          copy.text(*f);
        else
          copy.null();
      }
      copy.end_row();
    }
    copy.finish();
  }

  void commit_write() override {
    c_.exec(
        "SELECT setval(pg_get_serial_sequence('loads', 'id'), max(id)) FROM loads "
        "HAVING max(id) IS NOT NULL",
        "migrate: load ids");
    c_.exec(
        "SELECT setval(pg_get_serial_sequence('access_log', 'id'), max(id)) FROM access_log "
        "HAVING max(id) IS NOT NULL",
        "migrate: access log ids");
    c_.exec("UPDATE change_seq SET last = (SELECT coalesce(max(seq), 0) FROM changes)",
            "migrate: change counter");
    c_.exec("COMMIT", "migrate: commit");
    in_transaction_ = false;
  }

 private:
  void end_open_transaction() {
    if (in_transaction_) c_.exec("COMMIT", "migrate: end read");
    in_transaction_ = false;
  }

  pg::Connection c_;
  bool in_transaction_ = false;
};

}  // namespace

std::unique_ptr<TableCopy> open_postgresql_table_copy(const std::string& url) {
  return std::make_unique<PgTableCopy>(url);
}

}  // namespace onshi::store
