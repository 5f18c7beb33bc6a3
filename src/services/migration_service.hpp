#pragma once
// `onshi migrate`: copies a whole database (SQLite data directory or PostgreSQL) into an empty
// one, in one transaction on the target, in batches (bounded memory), then reads both back and
// compares each table's row count and checksum.
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/result.hpp"
#include "store/table_copy.hpp"

namespace onshi::services {

struct TableCheck {
  std::string table;
  std::int64_t source_rows = 0, target_rows = 0;
  std::string source_checksum, target_checksum;  // SHA-256 over the rows in key order
  bool matches() const { return source_rows == target_rows && source_checksum == target_checksum; }
};

struct MigrationReport {
  std::vector<TableCheck> tables;
  std::optional<core::Error> error;  // set: see the code; nothing usable was written
};

// `progress(rows_done, rows_total)` is called as rows are copied and verified (total counts
// each row twice: once copied, once verified).
MigrationReport migrate(store::TableCopy& from, store::TableCopy& to,
                        const std::function<void(std::int64_t, std::int64_t)>& progress = {});

}  // namespace onshi::services
