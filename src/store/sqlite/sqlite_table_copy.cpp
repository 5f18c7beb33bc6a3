// TableCopy on SQLite: a connection of its own to the store's file. Reads run in one read
// transaction (one snapshot); writes in one BEGIN IMMEDIATE transaction.
#include <memory>
#include <optional>

#include "store/sqlite/sqlite_db.hpp"
#include "store/table_copy.hpp"

namespace onshi::store {
namespace {

using sqlite::Db;
using sqlite::Stmt;
using sqlite::StmtUse;
using sqlite::TxScope;

int column_count(std::string_view columns) {
  int n = 1;
  for (const char c : columns) n += c == ',' ? 1 : 0;
  return n;
}

class SqliteTableCopy final : public TableCopy {
 public:
  explicit SqliteTableCopy(const std::string& path) : db_(path) {
    if (sqlite3_busy_timeout(db_.handle(), 5000) != SQLITE_OK) db_.fail("busy_timeout");
    db_.exec("PRAGMA foreign_keys=ON", "foreign_keys");
  }

  std::int64_t count(const TableSpec& t) override {
    const std::string sql = "SELECT count(*) FROM " + std::string(t.name);
    return db_.query_int(sql.c_str(), "count rows");
  }

  void begin_read() override { tx_ = std::make_unique<TxScope>(db_, TxScope::Kind::kDeferred); }

  void read(const TableSpec& t, const std::function<void(const Row&)>& visit) override {
    Stmt s(db_, "SELECT " + std::string(t.columns) + " FROM " + std::string(t.name) + " ORDER BY " +
                    std::string(t.order_by));
    StmtUse use(s);
    const int n = column_count(t.columns);
    Row row(static_cast<std::size_t>(n));
    while (s.step("read table")) {
      for (int i = 0; i < n; ++i) {
        if (s.is_null(i))
          row[static_cast<std::size_t>(i)].reset();
        else
          row[static_cast<std::size_t>(i)] = std::string(s.text_view_at(i));
      }
      visit(row);
    }
  }

  void begin_write() override { tx_ = std::make_unique<TxScope>(db_, TxScope::Kind::kImmediate); }

  void append(const TableSpec& t, std::span<const Row> rows) override {
    const int n = column_count(t.columns);
    auto& s = insert_for(t, n);
    for (const Row& r : rows) {
      if (static_cast<int>(r.size()) != n) throw StoreError("migrate: row width mismatch");
      StmtUse use(s);
      for (int i = 0; i < n; ++i) {
        const Field& f = r[static_cast<std::size_t>(i)];
        if (f)
          s.bind(i + 1, std::string_view(*f));
        else
          s.bind_null(i + 1);
      }
      s.step("write table");
    }
  }

  void commit_write() override {
    tx_->commit();
    tx_.reset();
  }

 private:
  Stmt& insert_for(const TableSpec& t, int n) {
    if (insert_table_ != t.name) {
      std::string sql =
          "INSERT INTO " + std::string(t.name) + " (" + std::string(t.columns) + ") VALUES (";
      for (int i = 0; i < n; ++i) sql += (i ? ",?" : "?") + std::to_string(i + 1);
      insert_ = Stmt(db_, sql + ")");
      insert_table_ = t.name;
    }
    return insert_;
  }

  Db db_;
  Stmt insert_;
  std::string insert_table_;
  std::unique_ptr<TxScope> tx_;
};

}  // namespace

std::unique_ptr<TableCopy> open_sqlite_table_copy(const std::string& path) {
  return std::make_unique<SqliteTableCopy>(path);
}

}  // namespace onshi::store
