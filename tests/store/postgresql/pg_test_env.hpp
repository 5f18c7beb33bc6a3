#pragma once
// Where the PostgreSQL tests find their server: ONSHI_TEST_POSTGRES_URL, or else the file named
// by ONSHI_TEST_POSTGRES_URL_FILE (what CTest's pg_cluster fixture sets, see
// tests/CMakeLists.txt). No server is a failure, never a skip: a CI run that quietly skipped the
// backend would pass without having tested it.
#include <cstdlib>
#include <fstream>
#include <stdexcept>
#include <string>

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

}  // namespace onshi::store::testing
