// The throw-away test cluster (scripts/pg-test-cluster.sh) is up and is what the backend needs.
#include <gtest/gtest.h>
#include <libpq-fe.h>

#include <cstdlib>
#include <memory>
#include <string>

#include "tests/store/postgresql/pg_test_env.hpp"

namespace onshi::store::testing {
namespace {

TEST(PgTestCluster, AcceptsAPasswordLoginOverTcpAndIsVersion15OrLater) {
  const std::string url = test_postgres_url();
  EXPECT_EQ(url.rfind("postgresql://", 0), 0u);
  std::unique_ptr<PGconn, decltype(&PQfinish)> conn(PQconnectdb(url.c_str()), &PQfinish);
  ASSERT_EQ(PQstatus(conn.get()), CONNECTION_OK) << PQerrorMessage(conn.get());
  EXPECT_TRUE(PQconnectionUsedPassword(conn.get()));
  EXPECT_GE(PQserverVersion(conn.get()), 150000);
  EXPECT_STREQ(PQparameterStatus(conn.get(), "server_encoding"), "UTF8");
}

}  // namespace
}  // namespace onshi::store::testing
