#include "core/facility.hpp"

#include <array>
#include <utility>

namespace onshi::core {
namespace {
constexpr std::array<std::pair<FacilityType, std::string_view>, 4> kNames{{
    {FacilityType::kHospital, "hospital"},
    {FacilityType::kMedicalClinic, "medical_clinic"},
    {FacilityType::kDentalClinic, "dental_clinic"},
    {FacilityType::kPharmacy, "pharmacy"},
}};
}  // namespace

std::string_view to_string(FacilityType type) {
  for (const auto& [t, name] : kNames)
    if (t == type) return name;
  return "";
}

bool facility_type_from_string(std::string_view text, FacilityType& out) {
  for (const auto& [t, name] : kNames)
    if (name == text) {
      out = t;
      return true;
    }
  return false;
}

int fee_table_of(FacilityType type) {
  switch (type) {
    case FacilityType::kDentalClinic:
      return 3;
    case FacilityType::kPharmacy:
      return 4;
    default:
      return 1;
  }
}

}  // namespace onshi::core
