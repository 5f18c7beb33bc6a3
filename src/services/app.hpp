#pragma once
// The running system on one node: the store, and what a command needs on top of it. A serving
// node (onshi serve, onshi demo) builds the in-memory index and the credential table from the
// store and keeps them current by following the change log; a command that only writes (onshi
// load, onshi credential) opens the store alone, so it answers at once on a store of any size.
#include <memory>
#include <string>

#include "index/eligibility_index.hpp"
#include "services/authenticator.hpp"
#include "services/change_follower.hpp"
#include "services/clock.hpp"
#include "services/eligibility_service.hpp"
#include "services/journal.hpp"
#include "services/metrics.hpp"
#include "services/reference_data_service.hpp"
#include "services/registry_service.hpp"
#include "store/store.hpp"

namespace onshi::services {

// Where a node's data is (cli/store_option.hpp declares the options).
struct Where {
  std::string data_dir = "onshi-data";  // node-local files; the SQLite store unless store_url
  std::string store_url;                // PostgreSQL URL, or "" for SQLite in data_dir
  std::string replica_url;              // a streaming replica to build the index from, or ""
  std::string node_id;                  // "" = the one kept in data_dir/node-id
};

class App {
 public:
  enum class Mode {
    kWriter,   // store, registry, reference data, credentials
    kServing,  // all of kWriter, plus the index, the change follower and confirmations
  };
  // Opens (creating if needed) the store and `data_dir`/person-key.secret; creates the data
  // directory 0700 and every file in it 0600 (they hold personal data). `clock` is "now" for
  // the eligibility service (tests pin it; see services/clock.hpp).
  // `journal_sync`: how durable an access record is before its answer leaves
  // (services/journal.hpp).
  App(const Where& where, Mode mode, Clock clock = system_clock(),
      JournalSync journal_sync = JournalSync::kNone);
  App(const std::string& data_dir, Mode mode, Clock clock = system_clock())
      : App(Where{data_dir, {}, {}, {}}, mode, std::move(clock)) {}
  ~App();

  store::Store& store() { return *store_; }
  Authenticator& auth() { return *auth_; }
  RegistryService& registry() { return *registry_; }
  ReferenceDataService& reference_data() { return *reference_data_; }
  // Serving only (they throw std::logic_error on a writer).
  index::EligibilityIndex& index();
  EligibilityService& eligibility();
  Journal& journal();
  ChangeFollower& follower();
  Metrics& metrics() { return metrics_; }
  double index_build_seconds() const { return index_build_seconds_; }
  const std::string& node_id() const { return node_id_; }
  // Puts every insurer and coverage of `from` into `index`; returns the seconds it took.
  static double fill_index(index::EligibilityIndex& index, store::Store& from);

 private:
  std::int64_t rebuild_index();  // see ChangeFollower::Rebuild
  void after_commit();           // a serving node sees its own writes before it answers

  const Mode mode_;
  std::unique_ptr<store::Store> store_;
  index::EligibilityIndex index_;
  Metrics metrics_;
  std::unique_ptr<Authenticator> auth_;
  std::unique_ptr<RegistryService> registry_;
  std::unique_ptr<ReferenceDataService> reference_data_;
  std::unique_ptr<Journal> journal_;
  std::unique_ptr<EligibilityService> eligibility_;
  std::unique_ptr<ChangeFollower> follower_;
  double index_build_seconds_ = 0;
  std::string node_id_;
};

}  // namespace onshi::services
