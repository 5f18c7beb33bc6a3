#pragma once
// The PostgreSQL backend of Store (see pg_store.cpp for its concurrency and bulk-load design).
#include <memory>
#include <string>

#include "store/store.hpp"

namespace onshi::store {

// Connects to the PostgreSQL database at `url` (postgresql://USER:PASSWORD@HOST:PORT/DATABASE,
// or any libpq connection string) and runs its pending migrations in the first schema of the
// search_path. Throws UnavailableError naming host and port (never the password) when the
// server cannot be reached, StoreError for anything else.
std::unique_ptr<Store> open_postgresql_store(const std::string& url);

}  // namespace onshi::store
