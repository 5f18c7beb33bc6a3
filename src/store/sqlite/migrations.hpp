#pragma once
// The numbered schema migrations of the SQLite store. Append only: a released migration is never
// edited, a schema change is a new entry with the next version.
#include <span>

namespace onshi::store::sqlite {

struct Migration {
  int version;
  const char* sql;
};

// In ascending version order, starting at 1, without gaps.
std::span<const Migration> migrations();
// The version of the last entry: what a freshly opened store reports in schema_migrations.
int latest_schema_version();

}  // namespace onshi::store::sqlite
