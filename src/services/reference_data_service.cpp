#include "services/reference_data_service.hpp"

namespace onshi::services {

ReferenceLoadReceipt ReferenceDataService::load_insurers(std::string_view csv) {
  auto parsed = ingest::parse_insurers_csv(csv);
  ReferenceLoadReceipt r{0, std::move(parsed.errors), parsed.file_error};
  if (r.file_error || !r.rejected.empty()) return r;
  store_.upsert_insurers(parsed.items);
  if (after_commit_) after_commit_();
  r.loaded = parsed.items.size();
  return r;
}

ReferenceLoadReceipt ReferenceDataService::load_facilities(std::string_view csv) {
  auto parsed = ingest::parse_facilities_csv(csv);
  ReferenceLoadReceipt r{0, std::move(parsed.errors), parsed.file_error};
  if (r.file_error || !r.rejected.empty()) return r;
  store_.upsert_facilities(parsed.items);
  if (after_commit_) after_commit_();
  r.loaded = parsed.items.size();
  return r;
}

}  // namespace onshi::services
