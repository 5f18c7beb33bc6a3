#include "store/open_store.hpp"

#include "store/postgresql/pg_store.hpp"

namespace onshi::store {

bool is_postgresql_url(const std::string& location) {
  return location.rfind("postgresql://", 0) == 0 || location.rfind("postgres://", 0) == 0;
}

std::string redact_url(const std::string& location) {
  std::string out = location;
  // scheme://user:password@host... -> scheme://user:***@host...
  const auto scheme_end = out.find("://");
  if (scheme_end == std::string::npos) return out;
  const auto authority = scheme_end + 3;
  const auto at = out.find('@', authority);
  const auto slash = out.find('/', authority);
  if (at != std::string::npos && (slash == std::string::npos || at < slash)) {
    const auto colon = out.find(':', authority);
    if (colon != std::string::npos && colon < at) out.replace(colon + 1, at - colon - 1, "***");
  }
  // A password may also come as a query parameter.
  if (const auto pw = out.find("password="); pw != std::string::npos) {
    const auto value = pw + 9;
    out.replace(value, out.find('&', value) - value, "***");
  }
  return out;
}

std::unique_ptr<Store> open_store(const std::string& data_dir, const std::string& store_url) {
  if (store_url.empty()) return open_sqlite_store(data_dir + "/onshi.db");
  if (!is_postgresql_url(store_url))
    throw StoreError("--store " + redact_url(store_url) +
                     ": not a PostgreSQL URL (postgresql://user:password@host:port/database); "
                     "leave --store out for the embedded SQLite store in --data-dir");
  return open_postgresql_store(store_url);
}

}  // namespace onshi::store
