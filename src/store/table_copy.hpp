#pragma once
// Whole-database copy for `onshi migrate`: every table of the schema as rows of text fields,
// read in key order from one backend and written to another in one transaction. Fields are
// the backends' canonical text (integers in decimal, dates 'YYYY-MM-DD', NULL as no value), the
// same on SQLite and PostgreSQL, so a table's checksum can be compared across them.
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace onshi::store {

// A table and its columns, in one order for reading, writing and the checksum. The one list of
// what a migration copies (table_copy.cpp); both backends' schemas have these columns.
struct TableSpec {
  std::string_view name;
  std::string_view columns;   // "a, b, c"
  std::string_view order_by;  // the primary key
};
std::span<const TableSpec> copied_tables();

using Field = std::optional<std::string>;
using Row = std::vector<Field>;

class TableCopy {
 public:
  virtual ~TableCopy() = default;
  virtual std::int64_t count(const TableSpec& table) = 0;
  // Visits every row in key order from one snapshot of the whole database (begin_read first).
  virtual void begin_read() = 0;
  virtual void read(const TableSpec& table, const std::function<void(const Row&)>& visit) = 0;
  // Writes are one transaction: begin_write, append..., commit_write; nothing is visible (and
  // on any failure nothing is kept) before commit_write.
  virtual void begin_write() = 0;
  virtual void append(const TableSpec& table, std::span<const Row> rows) = 0;
  virtual void commit_write() = 0;
};

// Opens the database that `data_dir` (SQLite) or `store_url` (PostgreSQL) names, running its
// migrations first, so an empty target has the current schema.
std::unique_ptr<TableCopy> open_table_copy(const std::string& data_dir,
                                           const std::string& store_url);
std::unique_ptr<TableCopy> open_sqlite_table_copy(const std::string& path);
std::unique_ptr<TableCopy> open_postgresql_table_copy(const std::string& url);

}  // namespace onshi::store
