#pragma once
// The operator's reference lists: insurers and facilities. Loading one replaces the rows it
// names (upsert) and is all or nothing: a list with any bad row is refused whole, because a
// half-loaded list of insurers would make valid registrations fail.
#include <functional>
#include <string_view>

#include "ingest/reference_files.hpp"
#include "store/store.hpp"

namespace onshi::services {

struct ReferenceLoadReceipt {
  std::size_t loaded = 0;
  std::vector<ingest::RowError> rejected;
  std::optional<core::Error> file_error;
};

class ReferenceDataService {
 public:
  // `after_commit` as for RegistryService: a serving node catches up there.
  explicit ReferenceDataService(store::Store& store, std::function<void()> after_commit = {})
      : store_(store), after_commit_(std::move(after_commit)) {}
  ReferenceLoadReceipt load_insurers(std::string_view csv);
  ReferenceLoadReceipt load_facilities(std::string_view csv);

 private:
  store::Store& store_;
  std::function<void()> after_commit_;
};

}  // namespace onshi::services
