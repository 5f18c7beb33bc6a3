// Authenticator: tokens to principals, the per-thread cache and its invalidation by reload().
#include "services/authenticator.hpp"

#include <gtest/gtest.h>

#include <thread>

#include "core/identifiers.hpp"
#include "store/store.hpp"
#include "tests/temp_dir.hpp"

namespace onshi::services {
namespace {

class AuthenticatorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = store::open_sqlite_store(dir_.path() + "/onshi.db");
    const core::Facility f{code_, "test clinic", core::FacilityType::kMedicalClinic, 13};
    store_->upsert_facilities(std::span<const core::Facility>(&f, 1));
    auth_ = std::make_unique<Authenticator>(*store_);
  }
  onshi::testing::TempDir dir_;
  std::string code_ = core::make_facility_code("131000001");
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<Authenticator> auth_;
};

TEST_F(AuthenticatorTest, ATokenNamesItsPrincipalAndOnlyItsOwn) {
  const std::string token = auth_->issue(store::Role::kFacility, {code_}, "desk-1");
  auth_->reload();
  const auto who = auth_->authenticate("Bearer " + token);
  ASSERT_NE(who, nullptr);
  EXPECT_EQ(who->role, store::Role::kFacility);
  EXPECT_EQ(who->label, "desk-1");
  ASSERT_TRUE(who->facility.has_value());
  EXPECT_EQ(who->facility->code, code_);
  EXPECT_EQ(auth_->authenticate("Bearer " + token + "x"), nullptr);
  EXPECT_EQ(auth_->authenticate(token), nullptr) << "no Bearer scheme";
  EXPECT_EQ(auth_->authenticate("Bearer "), nullptr);
  // Asked again (the cached path), the same answer.
  const auto again = auth_->authenticate("Bearer " + token + "  ");
  ASSERT_NE(again, nullptr);
  EXPECT_EQ(again->label, "desk-1");
}

TEST_F(AuthenticatorTest, ARevokedTokenStopsWorkingAtTheNextReloadEvenWhenCached) {
  const std::string token = auth_->issue(store::Role::kFacility, {code_}, "desk-1");
  auth_->reload();
  ASSERT_NE(auth_->authenticate("Bearer " + token), nullptr);
  ASSERT_TRUE(auth_->revoke(token));
  auth_->reload();
  EXPECT_EQ(auth_->authenticate("Bearer " + token), nullptr);
}

TEST_F(AuthenticatorTest, EachThreadHoldsItsOwnCopyOfThePrincipal) {
  const std::string token = auth_->issue(store::Role::kFacility, {code_}, "desk-1");
  auth_->reload();
  const auto here = auth_->authenticate("Bearer " + token);
  std::shared_ptr<const Principal> there;
  std::thread([&] { there = auth_->authenticate("Bearer " + token); }).join();
  ASSERT_NE(here, nullptr);
  ASSERT_NE(there, nullptr);
  // Different objects (no reference count shared between request threads), same contents.
  EXPECT_NE(here.get(), there.get());
  EXPECT_EQ(here->label, there->label);
  EXPECT_EQ(here->facility->code, there->facility->code);
}

}  // namespace
}  // namespace onshi::services
