// The Store contract suite (tests/store/store_contract_test.cpp) on PostgreSQL, each test in a
// schema of its own in the database the pg_cluster fixture started.
#include "store/postgresql/pg_store.hpp"
#include "tests/store/postgresql/pg_test_env.hpp"
#include "tests/store/store_contract.hpp"

namespace onshi::store::testing {
namespace {

INSTANTIATE_TEST_SUITE_P(Postgresql, StoreContract,
                         ::testing::Values(StoreFactory([](const std::string& dir) {
                           return open_postgresql_store(fresh_store_url(dir));
                         })));

}  // namespace
}  // namespace onshi::store::testing
