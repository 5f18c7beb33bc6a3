#include "services/app.hpp"

#include <malloc.h>

#include <chrono>
#include <filesystem>
#include <utility>

#include "pki/hashing.hpp"

namespace onshi::services {

App::App(const std::string& data_dir, Clock clock) {
  std::filesystem::create_directories(data_dir);
  store_ = store::open_sqlite_store(data_dir + "/onshi.db");
  const std::string secret = pki::load_or_create_secret(data_dir + "/person-key.secret");

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

  auth_ = std::make_unique<Authenticator>(*store_);
  registry_ = std::make_unique<RegistryService>(*store_, index_, secret);
  reference_data_ = std::make_unique<ReferenceDataService>(*store_, index_, *auth_);
  access_log_ = std::make_unique<AccessLogWriter>(*store_);
  eligibility_ =
      std::make_unique<EligibilityService>(index_, *access_log_, metrics_, std::move(clock));
}

App::~App() = default;

}  // namespace onshi::services
