#include "services/app.hpp"

#include <malloc.h>

#include <chrono>
#include <filesystem>
#include <stdexcept>
#include <utility>

#include "pki/hashing.hpp"

namespace onshi::services {

App::App(const std::string& data_dir, Role role, Clock clock) : role_(role) {
  std::filesystem::create_directories(data_dir);
  store_ = store::open_sqlite_store(data_dir + "/onshi.db");
  const std::string secret = pki::load_or_create_secret(data_dir + "/person-key.secret");

  // Read before anything is built from the store: a change committed meanwhile is applied
  // again by the follower, which is harmless; one read after would be lost.
  const std::int64_t built_from_seq = role_ == Role::kServing ? store_->last_change_seq() : 0;
  if (role_ == Role::kServing) build_index();

  auth_ = std::make_unique<Authenticator>(*store_);
  auto hook = [this] { after_commit(); };
  registry_ = std::make_unique<RegistryService>(*store_, secret, hook);
  reference_data_ = std::make_unique<ReferenceDataService>(*store_, hook);
  if (role_ != Role::kServing) return;
  access_log_ = std::make_unique<AccessLogWriter>(*store_);
  eligibility_ =
      std::make_unique<EligibilityService>(index_, *access_log_, metrics_, std::move(clock));
  follower_ = std::make_unique<ChangeFollower>(*store_, index_, *auth_, built_from_seq);
  follower_->catch_up();
}

App::~App() = default;

void App::build_index() {
  const auto t0 = std::chrono::steady_clock::now();
  const auto insurers = store_->insurers();
  index_.upsert_insurers(insurers);
  std::vector<core::Coverage> chunk;
  chunk.reserve(8192);
  store_->for_each_coverage([&](const core::Coverage& c) {
    chunk.push_back(c);
    if (chunk.size() == chunk.capacity()) {
      index_.upsert(chunk);
      chunk.clear();
    }
  });
  index_.upsert(chunk);
  chunk = {};
  store_->release_memory();
  malloc_trim(0);  // the build's temporaries go back to the system: serve is long-lived
  index_build_seconds_ =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

void App::after_commit() {
  if (follower_) follower_->catch_up();
}

namespace {
[[noreturn]] void not_serving(const char* what) {
  throw std::logic_error(std::string("App: ") + what + " exists only on a serving node");
}
}  // namespace

index::EligibilityIndex& App::index() {
  if (role_ != Role::kServing) not_serving("the index");
  return index_;
}
EligibilityService& App::eligibility() {
  if (!eligibility_) not_serving("the eligibility service");
  return *eligibility_;
}
AccessLogWriter& App::access_log() {
  if (!access_log_) not_serving("the access log writer");
  return *access_log_;
}
ChangeFollower& App::follower() {
  if (!follower_) not_serving("the change follower");
  return *follower_;
}

}  // namespace onshi::services
