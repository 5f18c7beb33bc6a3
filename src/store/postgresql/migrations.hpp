#pragma once
// The numbered schema migrations of the PostgreSQL store, numbered like the SQLite store's (the
// same version means the same logical schema). Append only: a released migration is never
// edited, a schema change is a new entry with the next version.
#include <span>

namespace onshi::store::pg {

class Connection;

// Applied in one transaction: `sql`, then `fill` (for values SQL cannot compute, such as
// core::match_key of existing rows; nullptr if none), then `sql_after` (nullptr if none).
struct Migration {
  int version;
  const char* sql;
  void (*fill)(Connection&);
  const char* sql_after;
};

// In ascending version order, starting at 1, without gaps.
std::span<const Migration> migrations();
int latest_schema_version();

// Brings the schema (the first schema of the connection's search_path) up to `target`
// (latest_schema_version() by default) in one transaction, under a transaction-level advisory
// lock, so that two processes opening a new database cannot both apply a migration. Throws
// StoreError if the database is newer than this build.
void migrate(Connection& c, int target = -1);

}  // namespace onshi::store::pg
