#pragma once
// Insurers' registrations (資格登録): validate every row, skip events already applied, apply
// the rest in file order, and commit them all in one transaction; then update the index.
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "index/eligibility_index.hpp"
#include "ingest/registration_file.hpp"
#include "services/principal.hpp"
#include "store/store.hpp"

namespace onshi::services {

struct LoadReceipt {
  std::int64_t load_id = 0;  // 0 when nothing was written
  std::int64_t rows_total = 0;
  std::int64_t rows_applied = 0;
  std::int64_t rows_already_applied = 0;
  std::vector<ingest::RowError> rejected;  // in line order
  std::optional<core::Error> file_error;   // set: nothing was applied
};

class RegistryService {
 public:
  RegistryService(store::Store& store, index::EligibilityIndex& index, std::string person_secret);
  // `principal` null = trusted local command (onshi load): any insurer number may be used.
  LoadReceipt load(std::string_view content, ingest::RegistrationFormat format,
                   const Principal* principal, const std::string& source);
  // The keyed hash that links a person's coverages without keeping the My Number.
  std::string person_key(std::string_view my_number) const;

 private:
  class RowValidator;
  store::Store& store_;
  index::EligibilityIndex& index_;
  std::string person_secret_;
  std::mutex load_mutex_;  // loads are applied one at a time, in arrival order
};

}  // namespace onshi::services
