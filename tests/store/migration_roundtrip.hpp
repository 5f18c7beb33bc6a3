#pragma once
// A store with a little of everything (reference data, credentials, a load, access records,
// counts, the change log), for the migration tests of each backend.
#include "store/store.hpp"
#include "tests/store/store_test_data.hpp"

namespace onshi::store::testing {

inline void fill_for_migration(Store& s) {
  s.upsert_insurers(std::vector<core::Insurer>{
      {"06130012", "髙島屋健康保険組合", core::InsurerKind::kHealthInsuranceSociety, 13},
      {"138057", "千代田区", core::InsurerKind::kMunicipalNhi, 13}});
  s.upsert_facilities(std::vector<core::Facility>{
      {"1312345678", "𠮷田記念病院", core::FacilityType::kHospital, 13}});
  s.add_credential({std::string(64, 'a'), Role::kFacility, "1312345678", "desk\ttab"});
  LoadBatch b;
  b.source = "registration.csv";
  b.actor = "local";
  for (int i = 0; i < 300; ++i) b.upserts.push_back(sample_coverage(i));
  for (int i = 0; i < 300; ++i) b.event_hashes.push_back(std::string(63, 'e') + char('a' + i % 6));
  b.rows_total = 300;
  s.commit_load(b);
  std::vector<core::AccessRecord> records;
  for (int i = 0; i < 50; ++i)
    records.push_back(
        sample_access(1'700'000'000'000 + i, "1312345678", i % 7, "n1-" + std::to_string(i)));
  ChainBuilder chain("n1");
  const auto chained = chain.next(records);
  s.append_journal(std::span(chained).first(30), {});
  s.add_journal_anchor({"n1", 30, chained[29].hash, 1'700'000'000'030});
  s.append_journal(std::span(chained).subspan(30),
                   std::vector<core::DailyCount>{{20261201, core::FacilityType::kHospital,
                                                  core::ConfirmMethod::kInsuranceCard, 1, 50}});
}

}  // namespace onshi::store::testing
