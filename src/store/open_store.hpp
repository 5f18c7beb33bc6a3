#pragma once
// Where a command's data lives, as the user names it: `--store postgresql://…` for a
// PostgreSQL system of record, or nothing for the embedded SQLite file in the data directory.
#include <memory>
#include <string>

#include "store/store.hpp"

namespace onshi::store {

// True for "postgresql://…" and "postgres://…" (libpq's URI forms).
bool is_postgresql_url(const std::string& location);
// The URL with any password replaced by "***": what may be printed or logged.
std::string redact_url(const std::string& location);

// Opens `store_url` when given, else the SQLite store `data_dir`/onshi.db. Throws StoreError
// (UnavailableError when the server cannot be reached), naming the host, never the password.
std::unique_ptr<Store> open_store(const std::string& data_dir, const std::string& store_url);

}  // namespace onshi::store
