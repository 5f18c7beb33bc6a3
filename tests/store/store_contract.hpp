#pragma once
// The Store contract suite (store_contract_test.cpp) is written against the Store interface
// only. A backend joins it by instantiating the suite with a factory, e.g.
//   INSTANTIATE_TEST_SUITE_P(Sqlite, StoreContract, ::testing::Values(StoreFactory(...)));
// The factory gets a fresh empty directory per test and must return an empty store; a backend
// that keeps no files (PostgreSQL) may use the directory's name to pick a fresh schema.
#include <gtest/gtest.h>
#include "tests/temp_dir.hpp"

#include <cstdlib>
#include <filesystem>
#include <functional>
#include <memory>
#include <ostream>
#include <stdexcept>
#include <string>

#include "store/store.hpp"

namespace onshi::store::testing {

using StoreFactory = std::function<std::unique_ptr<Store>(const std::string& dir)>;

using onshi::testing::TempDir;

class StoreContract : public ::testing::TestWithParam<StoreFactory> {
 protected:
  void SetUp() override { store_ = GetParam()(dir_.path()); }
  void TearDown() override { store_.reset(); }  // before dir_ goes

  Store& store() { return *store_; }

  TempDir dir_;
  std::unique_ptr<Store> store_;
};

}  // namespace onshi::store::testing

namespace onshi::store {
// Found by argument-dependent lookup through the factory's return type; without it a failing
// test prints the std::function's bytes as its parameter.
inline void PrintTo(const testing::StoreFactory&, std::ostream* os) {
  *os << "store factory";
}
}  // namespace onshi::store
