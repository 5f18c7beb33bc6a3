#include "store/open_store.hpp"

#include "store/postgresql/pg_store.hpp"

namespace onshi::store {

bool is_postgresql_url(const std::string& location) {
  return location.rfind("postgresql://", 0) == 0 || location.rfind("postgres://", 0) == 0;
}

std::string redact_url(const std::string& location) {
  // scheme://user:password@host... -> scheme://user:***@host...
  const auto scheme_end = location.find("://");
  if (scheme_end == std::string::npos) return location;
  const auto authority = scheme_end + 3;
  const auto at = location.find('@', authority);
  const auto slash = location.find('/', authority);
  if (at == std::string::npos || (slash != std::string::npos && slash < at)) {
    // No user info; a password may still come as a query parameter.
    const auto pw = location.find("password=");
    if (pw == std::string::npos) return location;
    const auto end = location.find('&', pw);
    return location.substr(0, pw) + "password=***" +
           (end == std::string::npos ? "" : location.substr(end));
  }
  const auto colon = location.find(':', authority);
  std::string out = location;
  if (colon != std::string::npos && colon < at)
    out = location.substr(0, colon + 1) + "***" + location.substr(at);
  const auto pw = out.find("password=");
  if (pw != std::string::npos) {
    const auto end = out.find('&', pw);
    out = out.substr(0, pw) + "password=***" + (end == std::string::npos ? "" : out.substr(end));
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
