#pragma once
// What the access log (アクセスログ) keeps of each confirmation and what the operator's daily
// counters add up. Holds no personal data: the subject is the internal coverage id.
#include <cstdint>
#include <string>

#include "core/facility.hpp"

namespace onshi::core {

// 照会区分 and the batch path: how the facility asked.
enum class ConfirmMethod : std::uint8_t {
  kMyNumberCard = 1,   // 照会区分 1
  kInsuranceCard = 2,  // 照会区分 2
  kBatch = 3,          // 一括照会
};
std::string_view to_string(ConfirmMethod method);

struct AccessRecord {
  std::int64_t at_ms = 0;  // UTC milliseconds
  std::string facility_code;
  std::string actor;  // who at the facility: the credential's id
  ConfirmMethod method = ConfirmMethod::kInsuranceCard;
  std::int64_t coverage_id = 0;  // 0 when nothing matched
  int validity = 0;              // QualificationValidity 1..5
  std::string request_id;
};

struct DailyCount {
  std::int32_t day = 0;  // YYYYMMDD in Japan time
  FacilityType facility_type = FacilityType::kHospital;
  ConfirmMethod method = ConfirmMethod::kInsuranceCard;
  int validity = 0;
  std::int64_t count = 0;
};

}  // namespace onshi::core
