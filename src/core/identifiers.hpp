#pragma once
// The identifiers of the system and their check digits (検証番号):
// insurer number 保険者番号, facility code 医療機関コード, My Number 個人番号.
#include <string>
#include <string_view>

#include "core/result.hpp"

namespace onshi::core {

// Weights 2,1,2,1,... from the rightmost body digit; a product >= 10 is replaced by the sum of
// its digits; check = (10 - sum mod 10) mod 10. Shared by insurer numbers and facility codes.
// `body` must be all ASCII digits.
int modulus10_weight21_check_digit(std::string_view body);

// The government's rule for the 12th digit of a My Number over the first 11 digits.
int my_number_check_digit(std::string_view first11);

// 保険者番号: 8 digits (法別番号 2 + 都道府県番号 2 + 保険者別番号 3 + 検証番号 1), or 6 digits
// for 国民健康保険 (都道府県番号 2 + 保険者別番号 3 + 検証番号 1). Input is forgiving:
// full-width digits, spaces/hyphens, and a 6-digit number padded to 8 with leading zeros or
// spaces ("00123456", "  123456") are accepted. The canonical form is 6 or 8 digits.
struct InsurerNumber {
  std::string digits;  // canonical: 6 or 8 ASCII digits
  bool is_national_health() const { return digits.size() == 6; }
  std::string_view houbetsu() const;  // 法別番号, "" for 6-digit numbers
  int prefecture() const;             // 都道府県番号 1..47 (0 if not a prefecture code)
  std::string padded8() const;        // 6-digit numbers right-aligned with spaces, as in XML
};
Result<InsurerNumber> parse_insurer_number(std::string_view text);
// Appends the check digit to a 5- or 7-digit body.
std::string make_insurer_number(std::string_view body);

// 医療機関コード: 10 digits = 都道府県番号 2 + 点数表番号 1 (1 医科, 3 歯科, 4 調剤) + 7 digits
// whose last is the check digit, computed over the first 9 digits (34-1-07-1236 -> 2).
struct FacilityCode {
  std::string digits;  // canonical: 10 ASCII digits
  int prefecture() const;
  int fee_table() const;  // 点数表番号: 1 medical, 3 dental, 4 pharmacy
};
Result<FacilityCode> parse_facility_code(std::string_view text);
std::string make_facility_code(std::string_view body9);

// 個人番号: 12 digits, last one a check digit. Never stored: callers hash it at once.
Result<std::string> parse_my_number(std::string_view text);
std::string make_my_number(std::string_view first11);

// The 2-digit branch 枝番 ("1" -> "01"); forgiving like the other numbers.
Result<std::string> parse_branch(std::string_view text);

// Japanese postcode 郵便番号: "1000001", "100-0001" or full-width -> "100-0001".
Result<std::string> parse_postcode(std::string_view text);

}  // namespace onshi::core
