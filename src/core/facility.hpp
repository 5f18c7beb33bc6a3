#pragma once
// Facilities 保険医療機関・保険薬局: the four types the operator's reports split by.
#include <cstdint>
#include <string>
#include <string_view>

namespace onshi::core {

enum class FacilityType : std::uint8_t {
  kHospital = 1,       // 病院
  kMedicalClinic = 2,  // 医科診療所
  kDentalClinic = 3,   // 歯科診療所
  kPharmacy = 4,       // 薬局
};

struct Facility {
  std::string code;  // 医療機関コード, 10 digits
  std::string name;
  FacilityType type = FacilityType::kHospital;
  int prefecture = 0;
};

std::string_view to_string(FacilityType type);  // "hospital", "medical_clinic", ...
bool facility_type_from_string(std::string_view text, FacilityType& out);
// The fee table digit of the facility code a type must carry: 1 medical, 3 dental, 4 pharmacy.
int fee_table_of(FacilityType type);

}  // namespace onshi::core
