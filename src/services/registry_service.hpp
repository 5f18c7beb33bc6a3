#pragma once
// Insurers' registrations (資格登録): validate every row, then in one store transaction skip
// events already applied, apply the rest in file order over the coverages the store holds, and
// write them. The transaction is the store's, not this process's: two loads for one card key
// from two processes or nodes end as if one ran after the other.
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

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
  // `after_commit` runs after each committed load (a serving node catches up its index there,
  // so the loader's answer already sees its rows).
  RegistryService(store::Store& store, std::string person_secret,
                  std::function<void()> after_commit = {});
  // `principal` null = trusted local command (onshi load): any insurer number may be used.
  LoadReceipt load(std::string_view content, ingest::RegistrationFormat format,
                   const Principal* principal, const std::string& source);
  // The keyed hash that links a person's coverages without keeping the My Number.
  std::string person_key(std::string_view my_number) const;

 private:
  class RowValidator;
  store::Store& store_;
  std::string person_secret_;
  std::function<void()> after_commit_;
};

}  // namespace onshi::services
