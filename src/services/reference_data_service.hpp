#pragma once
// The operator's reference lists: insurers and facilities. Loading one replaces the rows it
// names (upsert) and is all or nothing: a list with any bad row is refused whole, because a
// half-loaded list of insurers would make valid registrations fail.
#include <string_view>

#include "index/eligibility_index.hpp"
#include "ingest/reference_files.hpp"
#include "services/authenticator.hpp"
#include "store/store.hpp"

namespace onshi::services {

struct ReferenceLoadReceipt {
  std::size_t loaded = 0;
  std::vector<ingest::RowError> rejected;
  std::optional<core::Error> file_error;
};

class ReferenceDataService {
 public:
  ReferenceDataService(store::Store& store, index::EligibilityIndex& index, Authenticator& auth)
      : store_(store), index_(index), auth_(auth) {}
  ReferenceLoadReceipt load_insurers(std::string_view csv);
  ReferenceLoadReceipt load_facilities(std::string_view csv);

 private:
  store::Store& store_;
  index::EligibilityIndex& index_;
  Authenticator& auth_;
};

}  // namespace onshi::services
