#pragma once
// Sample records and field-by-field comparison shared by the store tests.
#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "core/access_record.hpp"
#include "core/coverage.hpp"
#include "core/date.hpp"
#include "core/journal_record.hpp"
#include "services/journal_format.hpp"
#include "store/store.hpp"

namespace onshi::store::testing {

// Characters that break naive encodings: 髙 (hashigo-daka), 﨑 (tatsu-saki, a CJK compatibility
// ideograph that NFC would not touch but some converters do), 𠮷 (U+20BB7, outside the BMP: four
// UTF-8 bytes, a surrogate pair in UTF-16) and 邉 followed by the variation selector U+E0100.
inline const std::string kTaka = "\xE9\xAB\x99";                  // 髙 U+9AD9
inline const std::string kSaki = "\xEF\xA8\x91";                  // 﨑 U+FA11
inline const std::string kYoshi = "\xF0\xA0\xAE\xB7";             // 𠮷 U+20BB7
inline const std::string kBeVs = "\xE9\x82\x89\xF3\xA0\x84\x80";  // 邉 U+9089 + U+E0100

inline core::Date ymd(int y, int m, int d) {
  return core::Date::from_ymd(y, m, d);
}

// A fully populated coverage whose key is unique per `i`; the optional terms and some dates vary
// with `i` so that a few hundred of them cover present/absent and valid/invalid combinations.
inline core::Coverage sample_coverage(int i) {
  core::Coverage c;
  c.key.insurer_number = i % 3 == 0 ? "06130012" : "138057";
  c.key.symbol = i % 5 == 0 ? "" : "記号" + std::to_string(i % 97);
  c.key.number = std::to_string(1000000 + i);
  c.key.branch = i % 2 == 0 ? "00" : "01";
  c.relationship = i % 2 == 0 ? core::Relationship::kInsured : core::Relationship::kDependant;
  c.insured_name = kTaka + "橋 太郎";
  c.name = i % 4 == 0 ? kYoshi + "田 花子" : "山" + kSaki + " " + kBeVs;
  c.name_kana = "ヤマサキ ハナコ";
  c.sex = i % 3 == 0 ? core::Sex::kUnset : (i % 3 == 1 ? core::Sex::kMale : core::Sex::kFemale);
  c.birth_date = i % 11 == 0 ? core::Date{} : ymd(1940 + i % 80, 1 + i % 12, 1 + i % 28);
  c.address = "東京都千代田区霞が関1-2-2 " + std::to_string(i) + "号";
  c.postcode = "100-8916";
  c.acquired_on = ymd(2000 + i % 24, 1 + i % 12, 1 + i % 28);
  c.lost_on = i % 7 == 0 ? ymd(2025, 3, 31) : core::Date{};
  c.loss_reason = i % 7 == 0 ? core::LossReason::kOtherInsurance : core::LossReason::kNone;
  c.card_issued_on = ymd(2023, 4, 1);
  c.card_valid_from = ymd(2023, 4, 1);
  c.card_valid_until = i % 6 == 0 ? core::Date{} : ymd(2029, 3, 31);
  c.copay_ratio = 1 + i % 3;
  if (i % 2 == 0)
    c.elderly = core::ElderlyRecipientTerms{2 + i % 2, ymd(2024, 8, 1),
                                            i % 4 == 0 ? core::Date{} : ymd(2025, 7, 31)};
  if (i % 3 == 1)
    c.self_pay_limit =
        core::SelfPayLimitTerms{i % 2 == 0 ? "A03" : "B10", ymd(2024, 1, 1), ymd(2024, 12, 31)};
  if (i % 5 == 2) c.specific_disease = core::SpecificDiseaseTerms{1 + i % 3, ymd(2010, 5, 1), {}};
  c.person_key = i % 2 == 0 ? "" : std::string(64, static_cast<char>('a' + i % 6));
  return c;
}

// A load of `upserts` with their events' fingerprints, as one registration file makes it.
inline LoadBatch batch_of(std::vector<core::Coverage> upserts,
                          std::vector<std::string> hashes = {}) {
  LoadBatch b;
  b.source = "registration-20240501.csv";
  b.actor = "insurer-desk-1";
  b.rows_total = static_cast<std::int64_t>(upserts.size());
  b.upserts = std::move(upserts);
  b.event_hashes = std::move(hashes);
  return b;
}

inline core::AccessRecord sample_access(std::int64_t at_ms, const std::string& facility,
                                        std::int64_t coverage_id, const std::string& request_id) {
  core::AccessRecord r;
  r.at_ms = at_ms;
  r.facility_code = facility;
  r.actor = "desk-" + facility.substr(facility.size() - 1);
  r.method = coverage_id % 2 == 0 ? core::ConfirmMethod::kMyNumberCard
                                  : core::ConfirmMethod::kInsuranceCard;
  r.coverage_id = coverage_id;
  r.validity = 1 + static_cast<int>(coverage_id % 5);
  r.request_id = request_id;
  return r;
}

// Coverage has no operator==; comparing field by field also names the field that differs.
inline void expect_same_coverage(const core::Coverage& want, const core::Coverage& got) {
  SCOPED_TRACE("coverage id " + std::to_string(want.id));
  EXPECT_EQ(want.id, got.id);
  EXPECT_EQ(want.key.insurer_number, got.key.insurer_number);
  EXPECT_EQ(want.key.symbol, got.key.symbol);
  EXPECT_EQ(want.key.number, got.key.number);
  EXPECT_EQ(want.key.branch, got.key.branch);
  EXPECT_EQ(want.relationship, got.relationship);
  EXPECT_EQ(want.insured_name, got.insured_name);
  EXPECT_EQ(want.name, got.name);
  EXPECT_EQ(want.name_kana, got.name_kana);
  EXPECT_EQ(want.sex, got.sex);
  EXPECT_EQ(want.birth_date, got.birth_date);
  EXPECT_EQ(want.address, got.address);
  EXPECT_EQ(want.postcode, got.postcode);
  EXPECT_EQ(want.acquired_on, got.acquired_on);
  EXPECT_EQ(want.lost_on, got.lost_on);
  EXPECT_EQ(want.loss_reason, got.loss_reason);
  EXPECT_EQ(want.card_issued_on, got.card_issued_on);
  EXPECT_EQ(want.card_valid_from, got.card_valid_from);
  EXPECT_EQ(want.card_valid_until, got.card_valid_until);
  EXPECT_EQ(want.copay_ratio, got.copay_ratio);
  ASSERT_EQ(want.elderly.has_value(), got.elderly.has_value());
  if (want.elderly) {
    EXPECT_EQ(want.elderly->copay_ratio, got.elderly->copay_ratio);
    EXPECT_EQ(want.elderly->valid_from, got.elderly->valid_from);
    EXPECT_EQ(want.elderly->valid_until, got.elderly->valid_until);
  }
  ASSERT_EQ(want.self_pay_limit.has_value(), got.self_pay_limit.has_value());
  if (want.self_pay_limit) {
    EXPECT_EQ(want.self_pay_limit->category, got.self_pay_limit->category);
    EXPECT_EQ(want.self_pay_limit->valid_from, got.self_pay_limit->valid_from);
    EXPECT_EQ(want.self_pay_limit->valid_until, got.self_pay_limit->valid_until);
  }
  ASSERT_EQ(want.specific_disease.has_value(), got.specific_disease.has_value());
  if (want.specific_disease) {
    EXPECT_EQ(want.specific_disease->disease, got.specific_disease->disease);
    EXPECT_EQ(want.specific_disease->valid_from, got.specific_disease->valid_from);
    EXPECT_EQ(want.specific_disease->valid_until, got.specific_disease->valid_until);
  }
  EXPECT_EQ(want.person_key, got.person_key);
}

inline void expect_same_access(const core::AccessRecord& want, const core::AccessRecord& got) {
  SCOPED_TRACE("request " + want.request_id);
  EXPECT_EQ(want.at_ms, got.at_ms);
  EXPECT_EQ(want.facility_code, got.facility_code);
  EXPECT_EQ(want.actor, got.actor);
  EXPECT_EQ(want.method, got.method);
  EXPECT_EQ(want.coverage_id, got.coverage_id);
  EXPECT_EQ(want.validity, got.validity);
  EXPECT_EQ(want.request_id, got.request_id);
}

// Chains access records into one node's journal records, sealed as services::Journal does:
// next() continues where the last call ended.
class ChainBuilder {
 public:
  explicit ChainBuilder(std::string node_id) : node_(std::move(node_id)) {}
  std::vector<core::JournalRecord> next(const std::vector<core::AccessRecord>& records,
                                        core::FacilityType type = core::FacilityType::kHospital) {
    std::vector<core::JournalRecord> out;
    for (const auto& a : records) {
      core::JournalRecord j;
      j.node_id = node_;
      j.seq = ++seq_;
      j.access = a;
      j.facility_type = type;
      j.prev_hash = hash_;
      services::journal_format::seal(j);
      hash_ = j.hash;
      out.push_back(std::move(j));
    }
    return out;
  }
  std::int64_t seq() const { return seq_; }
  const std::string& hash() const { return hash_; }

 private:
  std::string node_;
  std::int64_t seq_ = 0;
  std::string hash_{core::kJournalGenesis};
};

inline void expect_same_record(const core::JournalRecord& want, const core::JournalRecord& got) {
  SCOPED_TRACE("node " + want.node_id + " seq " + std::to_string(want.seq));
  EXPECT_EQ(want.node_id, got.node_id);
  EXPECT_EQ(want.seq, got.seq);
  expect_same_access(want.access, got.access);
  EXPECT_EQ(want.facility_type, got.facility_type);
  EXPECT_EQ(want.prev_hash, got.prev_hash);
  EXPECT_EQ(want.hash, got.hash);
}

}  // namespace onshi::store::testing
