#pragma once
// Where the PostgreSQL tests find their server: ONSHI_TEST_POSTGRES_URL, or else the file named
// by ONSHI_TEST_POSTGRES_URL_FILE (what CTest's pg_cluster fixture sets, see
// tests/CMakeLists.txt). No server is a failure, never a skip: a CI run that quietly skipped the
// backend would pass without having tested it.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <stdexcept>
#include <string>
#include <vector>

#include "store/postgresql/pg_conn.hpp"

namespace onshi::store::testing {

inline std::string test_postgres_url() {
  if (const char* url = std::getenv("ONSHI_TEST_POSTGRES_URL"); url != nullptr && *url != '\0')
    return url;
  const char* file = std::getenv("ONSHI_TEST_POSTGRES_URL_FILE");
  if (file == nullptr || *file == '\0')
    throw std::runtime_error(
        "no PostgreSQL for the tests: run them through ctest (its pg_cluster fixture starts one), "
        "or start one with scripts/pg-test-cluster.sh start DIR and set "
        "ONSHI_TEST_POSTGRES_URL_FILE=DIR/url");
  std::ifstream in(file);
  std::string url;
  if (!in || !std::getline(in, url) || url.empty())
    throw std::runtime_error(std::string("no PostgreSQL for the tests: ") + file +
                             " is missing or empty, so the test cluster did not come up (see the "
                             "output of the pg_cluster_start test)");
  return url;
}

// `url` with `schema` as the search_path: a store opened with it creates its tables there.
inline std::string url_in_schema(const std::string& url, const std::string& schema) {
  return url + (url.find('?') == std::string::npos ? "?" : "&") + "options=-csearch_path%3D" +
         schema;
}

// Drops, when the test program ends, the schemas this process created: a developer's own
// server (ONSHI_TEST_POSTGRES_URL) is left as it was; the fixture's cluster is deleted anyway.
class DropSchemasAtExit : public ::testing::Environment {
 public:
  static DropSchemasAtExit& instance() {
    static DropSchemasAtExit* env = [] {
      auto* e = new DropSchemasAtExit;
      ::testing::AddGlobalTestEnvironment(e);  // owned by gtest from here on
      return e;
    }();
    return *env;
  }
  void add(const std::string& schema) {
    std::lock_guard lock(mu_);
    schemas_.push_back(schema);
  }
  void TearDown() override {
    std::lock_guard lock(mu_);
    if (schemas_.empty()) return;
    try {
      pg::Connection c(test_postgres_url());
      for (const auto& s : schemas_)
        c.exec(("DROP SCHEMA IF EXISTS " + s + " CASCADE").c_str(), "drop test schema");
    } catch (const std::exception&) {
      // The server is gone already: nothing left to clean.
    }
    schemas_.clear();
  }

 private:
  std::mutex mu_;
  std::vector<std::string> schemas_;
};

// Registered before main(): gtest wants its environments before RUN_ALL_TESTS.
inline DropSchemasAtExit& kDropSchemasAtExit = DropSchemasAtExit::instance();

// A new, empty schema named after the test's fresh directory (hex of its name, so any
// directory name makes a valid identifier and distinct directories distinct schemas).
inline std::string fresh_schema(const std::string& dir) {
  const std::string base = std::filesystem::path(dir).filename().string();
  std::string schema = "t_";
  for (const unsigned char ch : base) {
    static constexpr char kHex[] = "0123456789abcdef";
    schema += kHex[ch >> 4];
    schema += kHex[ch & 15];
  }
  pg::Connection c(test_postgres_url());
  c.exec(("CREATE SCHEMA " + schema).c_str(), "create test schema");
  DropSchemasAtExit::instance().add(schema);
  return schema;
}

// The URL of a store in a fresh schema of its own.
inline std::string fresh_store_url(const std::string& dir) {
  return url_in_schema(test_postgres_url(), fresh_schema(dir));
}

}  // namespace onshi::store::testing
