#include "core/identifiers.hpp"

#include <cstddef>
#include <stdexcept>
#include <string>
#include <utility>

#include "core/text_normalise.hpp"

namespace onshi::core {
namespace {

bool all_ascii_digits(std::string_view s) {
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

int two_digits(std::string_view s, std::size_t at) {
  return (s[at] - '0') * 10 + (s[at + 1] - '0');
}

constexpr int kPrefectureCount = 47;

int prefecture_or_zero(int code) {
  return code >= 1 && code <= kPrefectureCount ? code : 0;
}

char digit_char(int d) {
  return static_cast<char>('0' + d);
}

// Details describe the input (its length) without echoing it: they reach logs, and a mistyped
// number in a log line is one more copy of an identifier to account for.
std::string count_detail(std::string_view what, std::size_t got, std::string_view expected) {
  return std::string(what) + " has " + std::to_string(got) + " digits, expected " +
         std::string(expected);
}

// The forgiving front of every parser: full-width digits, spaces and hyphen look-alikes are
// accepted; anything else is a format error carrying `code`.
Result<std::string> forgiving_digits(std::string_view text, std::string_view what, ErrorCode code) {
  std::string digits = digits_only(text);
  if (!digits.empty()) return digits;
  if (match_key(text).empty()) return make_error(code, std::string(what) + " is empty");
  return make_error(code, std::string(what) +
                              " may contain only digits (full-width accepted), spaces and hyphens");
}

}  // namespace

int modulus10_weight21_check_digit(std::string_view body) {
  // A programming error, not bad user input: parsers only call this on digit strings.
  if (!all_ascii_digits(body)) {
    throw std::invalid_argument("modulus10_weight21_check_digit: body must be ASCII digits");
  }
  int sum = 0;
  bool weight_two = true;  // the rightmost body digit carries weight 2
  for (auto it = body.rbegin(); it != body.rend(); ++it) {
    int product = (*it - '0') * (weight_two ? 2 : 1);
    sum += product >= 10 ? product - 9 : product;  // digit sum of 10..18 is product - 9
    weight_two = !weight_two;
  }
  return (10 - sum % 10) % 10;
}

int my_number_check_digit(std::string_view first11) {
  if (first11.size() != 11 || !all_ascii_digits(first11)) {
    throw std::invalid_argument("my_number_check_digit: needs exactly 11 ASCII digits");
  }
  int sum = 0;
  for (int n = 1; n <= 11; ++n) {
    const int p = first11[11 - n] - '0';
    const int q = n <= 6 ? n + 1 : n - 5;
    sum += p * q;
  }
  const int r = sum % 11;
  return r <= 1 ? 0 : 11 - r;
}

std::string_view InsurerNumber::houbetsu() const {
  if (digits.size() != 8) return {};
  return std::string_view(digits).substr(0, 2);
}

int InsurerNumber::prefecture() const {
  if (!all_ascii_digits(digits)) return 0;
  if (digits.size() == 8) return prefecture_or_zero(two_digits(digits, 2));
  if (digits.size() == 6) return prefecture_or_zero(two_digits(digits, 0));
  return 0;
}

std::string InsurerNumber::padded8() const {
  if (digits.size() >= 8) return digits;
  return std::string(8 - digits.size(), ' ') + digits;
}

Result<InsurerNumber> parse_insurer_number(std::string_view text) {
  auto normalised = forgiving_digits(text, "insurer number", ErrorCode::kInsurerNumberFormat);
  if (!normalised) return normalised.error();
  std::string digits = std::move(normalised).value();
  // No 法別番号 is 00, so an 8-digit "00xxxxxx" can only be a 国保 number zero-padded by
  // software that assumed 8 digits. Leading zeros do not change the check digit.
  if (digits.size() == 8 && digits.starts_with("00")) digits.erase(0, 2);
  if (digits.size() != 6 && digits.size() != 8) {
    return make_error(ErrorCode::kInsurerNumberFormat,
                      count_detail("insurer number", digits.size(), "6 or 8"));
  }
  const std::string_view body = std::string_view(digits).substr(0, digits.size() - 1);
  const int expected = modulus10_weight21_check_digit(body);
  if (digits.back() != digit_char(expected)) {
    return make_error(ErrorCode::kInsurerNumberCheckDigit,
                      "insurer number check digit should be " + std::to_string(expected));
  }
  return InsurerNumber{std::move(digits)};
}

std::string make_insurer_number(std::string_view body) {
  if ((body.size() != 5 && body.size() != 7) || !all_ascii_digits(body)) {
    throw std::invalid_argument("make_insurer_number: body must be 5 or 7 ASCII digits");
  }
  return std::string(body) + digit_char(modulus10_weight21_check_digit(body));
}

int FacilityCode::prefecture() const {
  if (digits.size() != 10 || !all_ascii_digits(digits)) return 0;
  return two_digits(digits, 0);
}

int FacilityCode::fee_table() const {
  if (digits.size() != 10 || !all_ascii_digits(digits)) return 0;
  return digits[2] - '0';
}

Result<FacilityCode> parse_facility_code(std::string_view text) {
  auto normalised = forgiving_digits(text, "facility code", ErrorCode::kFacilityCodeFormat);
  if (!normalised) return normalised.error();
  std::string digits = std::move(normalised).value();
  if (digits.size() != 10) {
    return make_error(ErrorCode::kFacilityCodeFormat,
                      count_detail("facility code", digits.size(), "10"));
  }
  const int prefecture = two_digits(digits, 0);
  if (prefecture < 1 || prefecture > kPrefectureCount) {
    return make_error(ErrorCode::kFacilityCodeFormat,
                      "facility code prefecture must be 01..47, got " + digits.substr(0, 2));
  }
  const char fee_table = digits[2];
  if (fee_table != '1' && fee_table != '3' && fee_table != '4') {
    return make_error(ErrorCode::kFacilityCodeFormat,
                      std::string("facility code fee table must be 1, 3 or 4, got ") + fee_table);
  }
  const int expected = modulus10_weight21_check_digit(std::string_view(digits).substr(0, 9));
  if (digits.back() != digit_char(expected)) {
    return make_error(ErrorCode::kFacilityCodeCheckDigit,
                      "facility code check digit should be " + std::to_string(expected));
  }
  return FacilityCode{std::move(digits)};
}

std::string make_facility_code(std::string_view body9) {
  if (body9.size() != 9 || !all_ascii_digits(body9)) {
    throw std::invalid_argument("make_facility_code: body must be 9 ASCII digits");
  }
  return std::string(body9) + digit_char(modulus10_weight21_check_digit(body9));
}

Result<std::string> parse_my_number(std::string_view text) {
  // Every detail here is a constant: not the digits, not their count, not the expected check
  // digit (derived from the other eleven). The My Number must never reach a log.
  auto normalised = forgiving_digits(text, "My Number", ErrorCode::kMyNumberFormat);
  if (!normalised) return normalised.error();
  std::string digits = std::move(normalised).value();
  if (digits.size() != 12) {
    return make_error(ErrorCode::kMyNumberFormat, "My Number must have 12 digits");
  }
  if (digits.back() != digit_char(my_number_check_digit(std::string_view(digits).substr(0, 11)))) {
    return make_error(ErrorCode::kMyNumberCheckDigit, "My Number check digit does not match");
  }
  return digits;
}

std::string make_my_number(std::string_view first11) {
  return std::string(first11) + digit_char(my_number_check_digit(first11));
}

Result<std::string> parse_branch(std::string_view text) {
  auto normalised = forgiving_digits(text, "branch", ErrorCode::kBranchFormat);
  if (!normalised) return normalised.error();
  std::string digits = std::move(normalised).value();
  if (digits.size() > 2) {
    return make_error(ErrorCode::kBranchFormat, count_detail("branch", digits.size(), "1 or 2"));
  }
  if (digits.size() == 1) digits.insert(digits.begin(), '0');
  return digits;
}

Result<std::string> parse_postcode(std::string_view text) {
  auto normalised = forgiving_digits(text, "postcode", ErrorCode::kPostcodeFormat);
  if (!normalised) return normalised.error();
  std::string digits = std::move(normalised).value();
  if (digits.size() != 7) {
    return make_error(ErrorCode::kPostcodeFormat, count_detail("postcode", digits.size(), "7"));
  }
  return digits.substr(0, 3) + "-" + digits.substr(3);
}

}  // namespace onshi::core
