#pragma once
// The running system on one node: the store, the index rebuilt from it, and the services.
// Built once by `onshi serve` and by the other commands that need the data directory.
#include <memory>
#include <string>

#include "index/eligibility_index.hpp"
#include "services/access_log_writer.hpp"
#include "services/authenticator.hpp"
#include "services/clock.hpp"
#include "services/eligibility_service.hpp"
#include "services/metrics.hpp"
#include "services/reference_data_service.hpp"
#include "services/registry_service.hpp"
#include "store/store.hpp"

namespace onshi::services {

class App {
 public:
  // Opens (creating if needed) `data_dir`/onshi.db and `data_dir`/person-key.secret. `clock`
  // is "now" for the eligibility service (tests pin it; see services/clock.hpp).
  explicit App(const std::string& data_dir, Clock clock = system_clock());
  ~App();

  store::Store& store() { return *store_; }
  index::EligibilityIndex& index() { return index_; }
  Authenticator& auth() { return *auth_; }
  RegistryService& registry() { return *registry_; }
  ReferenceDataService& reference_data() { return *reference_data_; }
  EligibilityService& eligibility() { return *eligibility_; }
  AccessLogWriter& access_log() { return *access_log_; }
  Metrics& metrics() { return metrics_; }
  double index_build_seconds() const { return index_build_seconds_; }

 private:
  std::unique_ptr<store::Store> store_;
  index::EligibilityIndex index_;
  Metrics metrics_;
  std::unique_ptr<Authenticator> auth_;
  std::unique_ptr<RegistryService> registry_;
  std::unique_ptr<ReferenceDataService> reference_data_;
  std::unique_ptr<AccessLogWriter> access_log_;
  std::unique_ptr<EligibilityService> eligibility_;
  double index_build_seconds_ = 0;
};

}  // namespace onshi::services
