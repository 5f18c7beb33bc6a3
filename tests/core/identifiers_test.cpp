#include "core/identifiers.hpp"

#include <gtest/gtest.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <random>
#include <set>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace onshi::core {
namespace {

// ---------------------------------------------------------------------------------------------
// Reference implementations, written differently from the production code on purpose (table
// lookup, left-to-right scan) so that a shared misreading of the rule would show up as a
// disagreement.

int reference_mod10_w21(std::string_view body) {
  // Doubling table with the digit sum already applied: 2*d for d < 5, 2*d - 9 otherwise.
  static constexpr std::array<int, 10> kDoubled = {0, 2, 4, 6, 8, 1, 3, 5, 7, 9};
  int sum = 0;
  for (std::size_t i = 0; i < body.size(); ++i) {
    const int d = body[i] - '0';
    const bool doubled = (body.size() - i) % 2 == 1;  // rightmost body digit is doubled
    sum += doubled ? kDoubled[static_cast<std::size_t>(d)] : d;
  }
  return sum % 10 == 0 ? 0 : 10 - sum % 10;
}

// 総務省令第八十五号 第五条 read left to right: Q_n for n = 11..1 is 6,5,4,3,2,7,6,5,4,3,2.
int my_number_remainder(std::string_view first11) {
  static constexpr std::array<int, 11> kWeights = {6, 5, 4, 3, 2, 7, 6, 5, 4, 3, 2};
  int sum = 0;
  for (std::size_t i = 0; i < 11; ++i) sum += (first11[i] - '0') * kWeights[i];
  return sum % 11;
}

int reference_my_number(std::string_view first11) {
  const int r = my_number_remainder(first11);
  return r <= 1 ? 0 : 11 - r;
}

std::string random_digits(std::mt19937_64& rng, std::size_t n) {
  std::uniform_int_distribution<int> digit(0, 9);
  std::string s;
  for (std::size_t i = 0; i < n; ++i) s.push_back(static_cast<char>('0' + digit(rng)));
  return s;
}

// A 7-digit insurer body whose 法別番号 is not 00 (such a number would be read as 国保).
std::string random_insurer_body7(std::mt19937_64& rng) {
  std::uniform_int_distribution<int> houbetsu(1, 99);
  const int h = houbetsu(rng);
  return std::string{static_cast<char>('0' + h / 10), static_cast<char>('0' + h % 10)} +
         random_digits(rng, 5);
}

std::string random_facility_body(std::mt19937_64& rng) {
  std::uniform_int_distribution<int> prefecture(1, 47);
  std::uniform_int_distribution<int> table(0, 2);
  const int p = prefecture(rng);
  static constexpr std::array<char, 3> kTables = {'1', '3', '4'};
  return std::string{static_cast<char>('0' + p / 10), static_cast<char>('0' + p % 10),
                     kTables[static_cast<std::size_t>(table(rng))]} +
         random_digits(rng, 6);
}

constexpr int kPropertyRounds = 100'000;

// Every single-digit change of every body is checked against the rule itself. The parser sees
// every change of the first kFullyParsedRounds bodies and one random change of each of the
// others: pushing all ~27 million variants through the parsers under ASan takes minutes and
// reaches no code the first 10,000 bodies do not.
constexpr int kFullyParsedRounds = 10'000;

// Calls visit(changed_position, change_index) once per single-digit change of `number`, with
// `number` holding the change; `number` is restored afterwards.
template <typename Visit>
void for_each_single_digit_change(std::string& number, Visit&& visit) {
  std::size_t change = 0;
  for (std::size_t pos = 0; pos < number.size(); ++pos) {
    const char original = number[pos];
    for (char d = '0'; d <= '9'; ++d) {
      if (d == original) continue;
      number[pos] = d;
      visit(pos, change++);
      if (::testing::Test::HasFatalFailure()) return;
    }
    number[pos] = original;
  }
}

bool parse_this_change(int round, std::size_t change, std::size_t picked) {
  return round < kFullyParsedRounds || change == picked;
}

// ---------------------------------------------------------------------------------------------
// modulus10_weight21_check_digit

TEST(IdentifiersCheckDigit, WorkedExampleInsurer) {
  EXPECT_EQ(modulus10_weight21_check_digit("0613048"), 8);
  EXPECT_EQ(make_insurer_number("0613048"), "06130488");
}

TEST(IdentifiersCheckDigit, WorkedExampleFacility) {
  EXPECT_EQ(modulus10_weight21_check_digit("341071236"), 2);
  EXPECT_EQ(make_facility_code("341071236"), "3410712362");
}

TEST(IdentifiersCheckDigit, HandComputedCases) {
  EXPECT_EQ(modulus10_weight21_check_digit(""), 0);
  EXPECT_EQ(modulus10_weight21_check_digit("0"), 0);
  EXPECT_EQ(modulus10_weight21_check_digit("5"), 9);      // 5*2=10 -> 1 -> 9
  EXPECT_EQ(modulus10_weight21_check_digit("9"), 1);      // 9*2=18 -> 9 -> 1
  EXPECT_EQ(modulus10_weight21_check_digit("10"), 9);     // 0*2 + 1*1 = 1 -> 9
  EXPECT_EQ(modulus10_weight21_check_digit("13810"), 7);  // 0+1+7+3+2 = 13 -> 7
  EXPECT_EQ(modulus10_weight21_check_digit("0000000"), 0);
}

TEST(IdentifiersCheckDigit, LeadingZerosDoNotChangeIt) {
  // parse_insurer_number relies on this to read "00xxxxxx" as a 6-digit number.
  std::mt19937_64 rng(7);
  for (int i = 0; i < 1000; ++i) {
    const std::string body = random_digits(rng, 5);
    EXPECT_EQ(modulus10_weight21_check_digit(body), modulus10_weight21_check_digit("00" + body));
  }
}

TEST(IdentifiersCheckDigit, AgreesWithReferenceOnRandomBodies) {
  std::mt19937_64 rng(20240401);
  std::uniform_int_distribution<std::size_t> length(0, 16);
  for (int i = 0; i < kPropertyRounds; ++i) {
    const std::string body = random_digits(rng, length(rng));
    ASSERT_EQ(modulus10_weight21_check_digit(body), reference_mod10_w21(body)) << body;
  }
}

TEST(IdentifiersCheckDigit, RejectsNonDigitBody) {
  EXPECT_THROW(modulus10_weight21_check_digit("12a4"), std::invalid_argument);
  EXPECT_THROW(modulus10_weight21_check_digit("１２"), std::invalid_argument);
  EXPECT_THROW(modulus10_weight21_check_digit("12 4"), std::invalid_argument);
}

// ---------------------------------------------------------------------------------------------
// my_number_check_digit

TEST(IdentifiersMyNumberCheckDigit, PublishedExamples) {
  // 983205673214 is shown as valid (and 983205673210 as invalid) in a public write-up of
  // 総務省令第八十五号 第五条; 123456789018 is the usual "1234567890 1x" textbook case.
  EXPECT_EQ(my_number_check_digit("98320567321"), 4);
  EXPECT_EQ(my_number_check_digit("12345678901"), 8);
  EXPECT_TRUE(parse_my_number("983205673214").ok());
  EXPECT_EQ(parse_my_number("983205673210").error().code, ErrorCode::kMyNumberCheckDigit);
  EXPECT_TRUE(parse_my_number("123456789018").ok());
  EXPECT_EQ(parse_my_number("123456789010").error().code, ErrorCode::kMyNumberCheckDigit);
}

TEST(IdentifiersMyNumberCheckDigit, RemainderBoundaries) {
  // Only P_1 (weight Q_1 = 2) set, so the sum is 2 * P_1.
  EXPECT_EQ(my_number_check_digit("00000000000"), 0);  // r = 0
  EXPECT_EQ(my_number_check_digit("00000000006"), 0);  // 12 -> r = 1
  EXPECT_EQ(my_number_check_digit("00000000001"), 9);  // r = 2
  EXPECT_EQ(my_number_check_digit("00000000005"), 1);  // r = 10
  // P_6 has weight 7 and P_7 weight 2: the weights restart at n = 7.
  EXPECT_EQ(my_number_check_digit("00000100000"), 4);  // 7 -> 4
  EXPECT_EQ(my_number_check_digit("00001000000"), 9);  // 2 -> 9
  EXPECT_EQ(my_number_check_digit("10000000000"), 5);  // P_11 weight 6 -> 5
}

TEST(IdentifiersMyNumberCheckDigit, AgreesWithReferenceOnRandomBodies) {
  std::mt19937_64 rng(11);
  for (int i = 0; i < kPropertyRounds; ++i) {
    const std::string body = random_digits(rng, 11);
    const int check = my_number_check_digit(body);
    ASSERT_EQ(check, reference_my_number(body)) << body;
    ASSERT_GE(check, 0);
    ASSERT_LE(check, 9);
  }
}

TEST(IdentifiersMyNumberCheckDigit, RejectsWrongLengthOrNonDigits) {
  EXPECT_THROW(my_number_check_digit(""), std::invalid_argument);
  EXPECT_THROW(my_number_check_digit("1234567890"), std::invalid_argument);
  EXPECT_THROW(my_number_check_digit("123456789012"), std::invalid_argument);
  EXPECT_THROW(my_number_check_digit("1234567890a"), std::invalid_argument);
  EXPECT_THROW(make_my_number("1234567890"), std::invalid_argument);
}

// ---------------------------------------------------------------------------------------------
// parse_insurer_number

TEST(IdentifiersInsurer, EightDigitWorkedExample) {
  const auto r = parse_insurer_number("06130488");
  ASSERT_TRUE(r.ok()) << r.error().detail;
  EXPECT_EQ(r->digits, "06130488");
  EXPECT_FALSE(r->is_national_health());
  EXPECT_EQ(r->houbetsu(), "06");
  EXPECT_EQ(r->prefecture(), 13);
  EXPECT_EQ(r->padded8(), "06130488");
}

TEST(IdentifiersInsurer, ForgivingInputForms) {
  for (std::string_view text :
       {"06130488", "０６１３０４８８", "06-13-048-8", "06 13 048 8", "０６－１３－０４８－８",
        "06　13　048　8", "06ー13ー048ー8", "06‐13–048−8", " 06130488 ", "0６13０488"}) {
    const auto r = parse_insurer_number(text);
    ASSERT_TRUE(r.ok()) << text << ": " << r.error().detail;
    EXPECT_EQ(r->digits, "06130488") << text;
  }
}

TEST(IdentifiersInsurer, SixDigitNationalHealth) {
  const auto r = parse_insurer_number("138107");
  ASSERT_TRUE(r.ok()) << r.error().detail;
  EXPECT_EQ(r->digits, "138107");
  EXPECT_TRUE(r->is_national_health());
  EXPECT_EQ(r->houbetsu(), "");
  EXPECT_EQ(r->prefecture(), 13);
  EXPECT_EQ(r->padded8(), "  138107");
}

TEST(IdentifiersInsurer, PaddedSixDigitForms) {
  for (std::string_view text :
       {"00138107", "  138107", "　　138107", "００１３８１０７", "00-13-810-7", "138107  "}) {
    const auto r = parse_insurer_number(text);
    ASSERT_TRUE(r.ok()) << text << ": " << r.error().detail;
    EXPECT_EQ(r->digits, "138107") << text;
    EXPECT_TRUE(r->is_national_health());
    EXPECT_EQ(r->padded8(), "  138107");
  }
}

TEST(IdentifiersInsurer, ZeroPaddedWithBadCheckDigitIsCheckDigitError) {
  const auto r = parse_insurer_number("00138100");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kInsurerNumberCheckDigit);
  EXPECT_NE(r.error().detail.find("check digit should be 7"), std::string::npos)
      << r.error().detail;
}

TEST(IdentifiersInsurer, WrongCheckDigitNamesTheExpectedOne) {
  for (char wrong = '0'; wrong <= '9'; ++wrong) {
    if (wrong == '8') continue;
    const std::string text = std::string("0613048") + wrong;
    const auto r = parse_insurer_number(text);
    ASSERT_FALSE(r.ok()) << text;
    EXPECT_EQ(r.error().code, ErrorCode::kInsurerNumberCheckDigit);
    EXPECT_NE(r.error().detail.find("check digit should be 8"), std::string::npos)
        << r.error().detail;
  }
  const auto six = parse_insurer_number("138100");
  ASSERT_FALSE(six.ok());
  EXPECT_EQ(six.error().code, ErrorCode::kInsurerNumberCheckDigit);
  EXPECT_NE(six.error().detail.find("check digit should be 7"), std::string::npos);
}

TEST(IdentifiersInsurer, FormatErrors) {
  for (std::string_view text : {"",
                                " ",
                                "　",
                                "-",
                                "0613048",
                                "061304881",
                                "13810",
                                "1381070",
                                "0013810",
                                "0000138107",
                                "0613048A",
                                "06130488x",
                                "06.13.048.8",
                                "06/13/048/8",
                                "保険者",
                                "06130488号",
                                "＃06130488",
                                "0613 0488\n",
                                "\xff\xfe",
                                "0613\xe3\x83"
                                "0488"}) {
    const auto r = parse_insurer_number(text);
    ASSERT_FALSE(r.ok()) << text;
    EXPECT_EQ(r.error().code, ErrorCode::kInsurerNumberFormat) << text;
    EXPECT_FALSE(r.error().detail.empty());
  }
}

TEST(IdentifiersInsurer, EmptyAndJunkHaveDistinctDetails) {
  EXPECT_NE(parse_insurer_number("  ").error().detail.find("empty"), std::string::npos);
  EXPECT_NE(parse_insurer_number("abc").error().detail.find("only digits"), std::string::npos);
  EXPECT_NE(parse_insurer_number("1234567").error().detail.find("7 digits"), std::string::npos);
}

TEST(IdentifiersInsurer, ProlongedSoundMarkIsHyphenOnlyNextToADigit) {
  EXPECT_TRUE(parse_insurer_number("06ー13048ー8").ok());
  // A digit on one side is enough, even at the ends.
  EXPECT_TRUE(parse_insurer_number("ー06130488ー").ok());
  // The first 'ー' has only another 'ー' beside it, so it stays a letter.
  EXPECT_EQ(parse_insurer_number("ーー06130488").error().code, ErrorCode::kInsurerNumberFormat);
  EXPECT_EQ(parse_insurer_number("カー06130488").error().code, ErrorCode::kInsurerNumberFormat);
}

TEST(IdentifiersInsurer, PrefectureAndHoubetsu) {
  const auto tokyo_kyokai = parse_insurer_number(make_insurer_number("0113001"));
  ASSERT_TRUE(tokyo_kyokai.ok());
  EXPECT_EQ(tokyo_kyokai->houbetsu(), "01");
  EXPECT_EQ(tokyo_kyokai->prefecture(), 13);

  const auto okinawa = parse_insurer_number(make_insurer_number("3947001"));
  ASSERT_TRUE(okinawa.ok());
  EXPECT_EQ(okinawa->houbetsu(), "39");
  EXPECT_EQ(okinawa->prefecture(), 47);

  const auto hokkaido = parse_insurer_number(make_insurer_number("01001"));
  ASSERT_TRUE(hokkaido.ok());
  EXPECT_EQ(hokkaido->prefecture(), 1);

  // Not prefecture codes: still valid numbers, prefecture() says 0.
  for (std::string_view body : {"3100123", "3148123", "3199123", "00123", "48123", "99123"}) {
    const auto r = parse_insurer_number(make_insurer_number(body));
    ASSERT_TRUE(r.ok()) << body;
    EXPECT_EQ(r->prefecture(), 0) << body;
  }
}

TEST(IdentifiersInsurer, AccessorsAreSafeOnHandBuiltValues) {
  EXPECT_EQ(InsurerNumber{""}.prefecture(), 0);
  EXPECT_EQ(InsurerNumber{""}.houbetsu(), "");
  EXPECT_EQ(InsurerNumber{""}.padded8(), "        ");
  EXPECT_EQ(InsurerNumber{"0613"}.prefecture(), 0);
  EXPECT_EQ(InsurerNumber{"06ab0488"}.prefecture(), 0);
  EXPECT_EQ(InsurerNumber{"123456789"}.padded8(), "123456789");
  EXPECT_EQ(InsurerNumber{"123456789"}.houbetsu(), "");
}

TEST(IdentifiersInsurer, MakeRequiresFiveOrSevenDigits) {
  EXPECT_EQ(make_insurer_number("13810"), "138107");
  for (std::string_view bad :
       {"", "1381", "138100", "06130488", "061304", "06130a8", "１３８１０"}) {
    EXPECT_THROW(make_insurer_number(bad), std::invalid_argument) << bad;
  }
}

TEST(IdentifiersInsurer, PropertyRoundTripAndSingleDigitErrorsDetected) {
  std::mt19937_64 rng(0x0A5E1);
  for (int i = 0; i < kPropertyRounds; ++i) {
    const std::string body = (i % 2 == 0) ? random_insurer_body7(rng) : random_digits(rng, 5);
    std::string number = make_insurer_number(body);
    ASSERT_EQ(number.back() - '0', reference_mod10_w21(body)) << number;
    const auto parsed = parse_insurer_number(number);
    ASSERT_TRUE(parsed.ok()) << number << ": " << parsed.error().detail;
    ASSERT_EQ(parsed->digits, number);

    const std::size_t picked =
        std::uniform_int_distribution<std::size_t>(0, number.size() * 9 - 1)(rng);
    for_each_single_digit_change(number, [&](std::size_t, std::size_t change) {
      // Each digit maps injectively mod 10 under weight 1 and under weight 2 with digit sum,
      // so the rule itself catches every single-digit change.
      const std::string_view changed_body = std::string_view(number).substr(0, number.size() - 1);
      ASSERT_NE(modulus10_weight21_check_digit(changed_body), number.back() - '0') << number;
      if (!parse_this_change(i, change, picked)) return;
      const auto r = parse_insurer_number(number);
      ASSERT_FALSE(r.ok()) << number;
      // Also when the change makes it "00xxxxxx": leading zeros do not move the check digit.
      ASSERT_EQ(r.error().code, ErrorCode::kInsurerNumberCheckDigit) << number;
    });
    if (HasFatalFailure()) return;
  }
}

// ---------------------------------------------------------------------------------------------
// parse_facility_code

TEST(IdentifiersFacility, WorkedExample) {
  const auto r = parse_facility_code("3410712362");
  ASSERT_TRUE(r.ok()) << r.error().detail;
  EXPECT_EQ(r->digits, "3410712362");
  EXPECT_EQ(r->prefecture(), 34);
  EXPECT_EQ(r->fee_table(), 1);
}

TEST(IdentifiersFacility, ForgivingInputForms) {
  for (std::string_view text :
       {"34-1-07-1236-2", "３４１０７１２３６２", "34 1 07 1236 2", "３４－１－０７－１２３６－２",
        "34ー1ー07ー1236ー2", " 3410712362 ", "34‐1‐07‐1236‐2", "34　1　0712362"}) {
    const auto r = parse_facility_code(text);
    ASSERT_TRUE(r.ok()) << text << ": " << r.error().detail;
    EXPECT_EQ(r->digits, "3410712362") << text;
  }
}

TEST(IdentifiersFacility, DentalAndPharmacyTables) {
  const auto dental = parse_facility_code(make_facility_code("133123456"));
  ASSERT_TRUE(dental.ok());
  EXPECT_EQ(dental->fee_table(), 3);
  EXPECT_EQ(dental->prefecture(), 13);
  const auto pharmacy = parse_facility_code(make_facility_code("474000001"));
  ASSERT_TRUE(pharmacy.ok());
  EXPECT_EQ(pharmacy->fee_table(), 4);
  EXPECT_EQ(pharmacy->prefecture(), 47);
  const auto hokkaido = parse_facility_code(make_facility_code("011000001"));
  ASSERT_TRUE(hokkaido.ok());
  EXPECT_EQ(hokkaido->prefecture(), 1);
}

TEST(IdentifiersFacility, WrongCheckDigit) {
  for (char wrong = '0'; wrong <= '9'; ++wrong) {
    if (wrong == '2') continue;
    const auto r = parse_facility_code(std::string("341071236") + wrong);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, ErrorCode::kFacilityCodeCheckDigit);
    EXPECT_NE(r.error().detail.find("check digit should be 2"), std::string::npos)
        << r.error().detail;
  }
}

TEST(IdentifiersFacility, PrefectureOutOfRangeIsFormatError) {
  // Correct check digits, so only the prefecture is wrong.
  for (std::string_view body : {"001071236", "481071236", "991071236"}) {
    const auto r = parse_facility_code(make_facility_code(body));
    ASSERT_FALSE(r.ok()) << body;
    EXPECT_EQ(r.error().code, ErrorCode::kFacilityCodeFormat) << body;
    EXPECT_NE(r.error().detail.find("prefecture"), std::string::npos);
  }
}

TEST(IdentifiersFacility, FeeTableOtherThan134IsFormatError) {
  for (char table : {'0', '2', '5', '6', '7', '8', '9'}) {
    const std::string body = std::string("34") + table + "071236";
    const auto r = parse_facility_code(make_facility_code(body));
    ASSERT_FALSE(r.ok()) << body;
    EXPECT_EQ(r.error().code, ErrorCode::kFacilityCodeFormat) << body;
    EXPECT_NE(r.error().detail.find("fee table"), std::string::npos);
  }
}

TEST(IdentifiersFacility, FormatErrorsTakePrecedenceOverCheckDigit) {
  // Both the fee table and the check digit are wrong: the format is reported.
  EXPECT_EQ(parse_facility_code("3420712360").error().code, ErrorCode::kFacilityCodeFormat);
}

TEST(IdentifiersFacility, TabsAreSpacesLikeAnyOther) {
  // N2: every space look-alike is dropped, a tab pasted from a spreadsheet included.
  EXPECT_TRUE(parse_facility_code("3410712362\t").ok());
  EXPECT_TRUE(parse_insurer_number("06\t13048 8").ok());
}

TEST(IdentifiersFacility, LengthAndCharacterErrors) {
  for (std::string_view text : {"", "  ", "341071236", "34107123620", "341071236X",
                                "34.1.07.1236.2", "医療機関", "34_1_07_1236_2"}) {
    const auto r = parse_facility_code(text);
    ASSERT_FALSE(r.ok()) << text;
    EXPECT_EQ(r.error().code, ErrorCode::kFacilityCodeFormat) << text;
  }
}

TEST(IdentifiersFacility, AccessorsAreSafeOnHandBuiltValues) {
  EXPECT_EQ(FacilityCode{""}.prefecture(), 0);
  EXPECT_EQ(FacilityCode{""}.fee_table(), 0);
  EXPECT_EQ(FacilityCode{"34"}.fee_table(), 0);
  EXPECT_EQ(FacilityCode{"34x0712362"}.prefecture(), 0);
}

TEST(IdentifiersFacility, MakeRequiresNineDigits) {
  for (std::string_view bad : {"", "34107123", "3410712362", "34107123a", "３４１０７１２３６"}) {
    EXPECT_THROW(make_facility_code(bad), std::invalid_argument) << bad;
  }
}

TEST(IdentifiersFacility, PropertyRoundTripAndSingleDigitErrorsDetected) {
  std::mt19937_64 rng(0xFAC1);
  for (int i = 0; i < kPropertyRounds; ++i) {
    const std::string body = random_facility_body(rng);
    std::string code = make_facility_code(body);
    ASSERT_EQ(code.back() - '0', reference_mod10_w21(body)) << code;
    const auto parsed = parse_facility_code(code);
    ASSERT_TRUE(parsed.ok()) << code << ": " << parsed.error().detail;
    ASSERT_EQ(parsed->digits, code);

    const std::size_t picked = std::uniform_int_distribution<std::size_t>(0, 89)(rng);
    for_each_single_digit_change(code, [&](std::size_t pos, std::size_t change) {
      ASSERT_NE(modulus10_weight21_check_digit(std::string_view(code).substr(0, 9)),
                code.back() - '0')
          << code;
      if (!parse_this_change(i, change, picked)) return;
      const auto r = parse_facility_code(code);
      ASSERT_FALSE(r.ok()) << code;
      // A change in the prefecture or the fee table may be caught as a format error first.
      if (pos >= 3) {
        ASSERT_EQ(r.error().code, ErrorCode::kFacilityCodeCheckDigit) << code;
      }
    });
    if (HasFatalFailure()) return;
  }
}

// ---------------------------------------------------------------------------------------------
// parse_my_number

// Every My Number error detail must be one of these constants: nothing derived from the input
// (digits, their count, the expected check digit) may reach a log.
const std::set<std::string>& my_number_details() {
  static const std::set<std::string> kDetails = [] {
    std::set<std::string> details;
    for (std::string_view text : {"", "x", "1", "123456789010"}) {
      details.insert(parse_my_number(text).error().detail);
    }
    return details;
  }();
  return kDetails;
}

TEST(IdentifiersMyNumber, ValidForms) {
  for (std::string_view text :
       {"983205673214", "９８３２０５６７３２１４", "9832-0567-3214", "9832 0567 3214",
        "９８３２　０５６７　３２１４", "9832ー0567ー3214"}) {
    const auto r = parse_my_number(text);
    ASSERT_TRUE(r.ok()) << r.error().detail;
    EXPECT_EQ(*r, "983205673214");
  }
}

TEST(IdentifiersMyNumber, Errors) {
  EXPECT_EQ(parse_my_number("983205673210").error().code, ErrorCode::kMyNumberCheckDigit);
  for (std::string_view text : {"", "   ", "98320567321", "9832056732140", "98320567321X",
                                "9832.0567.3214", "個人番号", "\xff"}) {
    const auto r = parse_my_number(text);
    ASSERT_FALSE(r.ok()) << text;
    EXPECT_EQ(r.error().code, ErrorCode::kMyNumberFormat) << text;
  }
}

TEST(IdentifiersMyNumber, DetailsNeverCarryTheInput) {
  ASSERT_EQ(my_number_details().size(), 4u);  // empty, bad character, length, check digit
  for (const std::string& detail : my_number_details()) {
    for (char c : detail) {
      // "12 digits" is the only number a detail may mention.
      if (c >= '0' && c <= '9') {
        EXPECT_NE(detail.find("12 digits"), std::string::npos) << detail;
      }
    }
  }
  std::mt19937_64 rng(42);
  std::uniform_int_distribution<std::size_t> length(0, 20);
  for (int i = 0; i < 20'000; ++i) {
    std::string text = random_digits(rng, length(rng));
    if (i % 3 == 0 && !text.empty()) text[text.size() / 2] = 'x';
    const auto r = parse_my_number(text);
    if (r.ok()) continue;
    ASSERT_TRUE(my_number_details().count(r.error().detail) == 1) << r.error().detail;
    if (text.size() >= 3) {
      EXPECT_EQ(r.error().detail.find(text.substr(0, 3)), std::string::npos);
    }
  }
}

TEST(IdentifiersMyNumber, ExactlyOneCheckDigitPerBody) {
  std::mt19937_64 rng(1234);
  for (int i = 0; i < 10'000; ++i) {
    const std::string body = random_digits(rng, 11);
    int accepted = 0;
    for (char d = '0'; d <= '9'; ++d) {
      if (parse_my_number(body + d).ok()) {
        ++accepted;
        EXPECT_EQ(d - '0', reference_my_number(body));
      }
    }
    ASSERT_EQ(accepted, 1) << body;
  }
}

TEST(IdentifiersMyNumber, CheckDigitZeroCoversTwoRemainders) {
  // The rule maps both r = 0 and r = 1 to 0, so a single-digit change that moves r between 0
  // and 1 keeps the check digit: 00000000000 (r = 0) and 00000000006 (r = 1) are both valid.
  EXPECT_TRUE(parse_my_number("000000000000").ok());
  EXPECT_TRUE(parse_my_number("000000000060").ok());
}

TEST(IdentifiersMyNumber, PropertyRoundTripAndSingleDigitErrors) {
  std::mt19937_64 rng(0x5EED);
  long body_changes = 0;
  long undetected = 0;
  for (int i = 0; i < kPropertyRounds; ++i) {
    const std::string body = random_digits(rng, 11);
    std::string number = make_my_number(body);
    ASSERT_EQ(number.back() - '0', reference_my_number(body));
    const auto parsed = parse_my_number(number);
    ASSERT_TRUE(parsed.ok()) << parsed.error().detail;
    ASSERT_EQ(*parsed, number);

    const int r_before = my_number_remainder(body);
    const std::size_t picked = std::uniform_int_distribution<std::size_t>(0, 107)(rng);
    for_each_single_digit_change(number, [&](std::size_t pos, std::size_t change) {
      const std::string_view changed_body = std::string_view(number).substr(0, 11);
      const bool accepted_by_rule = my_number_check_digit(changed_body) == number.back() - '0';
      bool blind_spot = false;
      if (pos == 11) {
        ASSERT_FALSE(accepted_by_rule) << "changed check digit accepted";
      } else {
        ++body_changes;
        // Weights 2..7 are units mod 11, so any change moves r; it goes unnoticed only when r
        // moves between 0 and 1, the two remainders that share check digit 0.
        const int r_after = my_number_remainder(changed_body);
        ASSERT_NE(r_after, r_before);
        blind_spot = r_before <= 1 && r_after <= 1;
        ASSERT_EQ(accepted_by_rule, blind_spot);
        if (blind_spot) ++undetected;
      }
      if (!blind_spot && !parse_this_change(i, change, picked)) return;
      const auto r = parse_my_number(number);
      ASSERT_EQ(r.ok(), blind_spot);
      if (!blind_spot) {
        ASSERT_EQ(r.error().code, ErrorCode::kMyNumberCheckDigit);
      }
    });
    if (HasFatalFailure()) return;
  }
  // 2 bodies in 11 have r = 0 or 1, and for each of their 11 body digits about one of the nine
  // other values moves r to its twin: roughly 1.8% of single-digit typos pass the check.
  const double rate = static_cast<double>(undetected) / static_cast<double>(body_changes);
  EXPECT_GT(rate, 0.01);
  EXPECT_LT(rate, 0.03);
}

// ---------------------------------------------------------------------------------------------
// parse_branch, parse_postcode

TEST(IdentifiersBranch, ValidForms) {
  const std::vector<std::pair<std::string_view, std::string_view>> cases = {
      {"1", "01"},  {"01", "01"},   {"12", "12"},  {"0", "00"},      {"00", "00"},  {"99", "99"},
      {"１", "01"}, {"０１", "01"}, {" 1 ", "01"}, {"　２　", "02"}, {"0-1", "01"}, {"-7", "07"}};
  for (const auto& [text, expected] : cases) {
    const auto r = parse_branch(text);
    ASSERT_TRUE(r.ok()) << text << ": " << r.error().detail;
    EXPECT_EQ(*r, expected) << text;
  }
}

TEST(IdentifiersBranch, Errors) {
  for (std::string_view text : {"", " ", "-", "123", "001", "a", "1a", "枝番", "1.", "\x80"}) {
    const auto r = parse_branch(text);
    ASSERT_FALSE(r.ok()) << text;
    EXPECT_EQ(r.error().code, ErrorCode::kBranchFormat) << text;
  }
}

TEST(IdentifiersPostcode, ValidForms) {
  for (std::string_view text : {"1000001", "100-0001", "１００－０００１", "１０００００１",
                                "100 0001", "100ー0001", "100−0001", " 100-0001 "}) {
    const auto r = parse_postcode(text);
    ASSERT_TRUE(r.ok()) << text << ": " << r.error().detail;
    EXPECT_EQ(*r, "100-0001") << text;
  }
}

TEST(IdentifiersPostcode, Errors) {
  for (std::string_view text :
       {"", "100-001", "10000011", "100_0001", "〒100-0001", "100-000a", "東京都", "1000-001x"}) {
    const auto r = parse_postcode(text);
    ASSERT_FALSE(r.ok()) << text;
    EXPECT_EQ(r.error().code, ErrorCode::kPostcodeFormat) << text;
  }
}

// ---------------------------------------------------------------------------------------------
// Robustness: nothing a client can send crashes a parser, and whatever is accepted is canonical.

void check_all_parsers(std::string_view text) {
  if (const auto r = parse_insurer_number(text); r.ok()) {
    ASSERT_TRUE(r->digits.size() == 6 || r->digits.size() == 8);
    ASSERT_FALSE(r->digits.size() == 8 && r->digits.starts_with("00"));
    ASSERT_EQ(r->digits.back() - '0',
              reference_mod10_w21(std::string_view(r->digits).substr(0, r->digits.size() - 1)));
    ASSERT_EQ(r->padded8().size(), 8u);
  } else {
    ASSERT_TRUE(r.error().code == ErrorCode::kInsurerNumberFormat ||
                r.error().code == ErrorCode::kInsurerNumberCheckDigit);
  }
  if (const auto r = parse_facility_code(text); r.ok()) {
    ASSERT_EQ(r->digits.size(), 10u);
    ASSERT_GE(r->prefecture(), 1);
    ASSERT_LE(r->prefecture(), 47);
  } else {
    ASSERT_TRUE(r.error().code == ErrorCode::kFacilityCodeFormat ||
                r.error().code == ErrorCode::kFacilityCodeCheckDigit);
  }
  if (const auto r = parse_my_number(text); r.ok()) {
    ASSERT_EQ(r->size(), 12u);
  } else {
    ASSERT_EQ(my_number_details().count(r.error().detail), 1u) << r.error().detail;
  }
  if (const auto r = parse_branch(text); r.ok()) {
    ASSERT_EQ(r->size(), 2u);
  } else {
    ASSERT_EQ(r.error().code, ErrorCode::kBranchFormat);
  }
  if (const auto r = parse_postcode(text); r.ok()) {
    ASSERT_EQ(r->size(), 8u);
    ASSERT_EQ((*r)[3], '-');
  } else {
    ASSERT_EQ(r.error().code, ErrorCode::kPostcodeFormat);
  }
}

TEST(IdentifiersRobustness, RandomBytesNeverCrash) {
  std::mt19937_64 rng(0xB17E5);
  std::uniform_int_distribution<std::size_t> length(0, 40);
  std::uniform_int_distribution<int> byte(0, 255);
  for (int i = 0; i < 20'000; ++i) {
    std::string text(length(rng), '\0');
    for (char& c : text) c = static_cast<char>(byte(rng));
    check_all_parsers(text);
    if (HasFatalFailure()) return;
  }
}

TEST(IdentifiersRobustness, RandomNearMissesNeverCrash) {
  // Pieces a front desk actually produces, plus broken UTF-8, so that the parsers' deeper
  // branches (lengths, check digits, padding) are reached, not just the first rejection.
  static const std::vector<std::string> kPieces = {"0",
                                                   "1",
                                                   "3",
                                                   "4",
                                                   "7",
                                                   "9",
                                                   "０",
                                                   "１",
                                                   "９",
                                                   " ",
                                                   "　",
                                                   "-",
                                                   "－",
                                                   "ー",
                                                   "ｰ",
                                                   "―",
                                                   "−",
                                                   "\t",
                                                   "a",
                                                   "Ａ",
                                                   "カ",
                                                   "髙",
                                                   "𠮷",
                                                   "\xe3\x83",
                                                   "\xff",
                                                   "\x80",
                                                   "\xed\xa0\x80",
                                                   std::string(1, '\0')};
  std::mt19937_64 rng(0x0DD);
  std::uniform_int_distribution<std::size_t> count(0, 16);
  std::uniform_int_distribution<std::size_t> pick(0, kPieces.size() - 1);
  for (int i = 0; i < 30'000; ++i) {
    std::string text;
    for (std::size_t n = count(rng); n > 0; --n) text += kPieces[pick(rng)];
    check_all_parsers(text);
    if (HasFatalFailure()) return;
  }
}

TEST(IdentifiersRobustness, FormattingNoiseDoesNotChangeTheResult) {
  // Spaces and hyphens in any place, full-width digits anywhere: the canonical form is the same.
  std::mt19937_64 rng(0x0415E);
  std::uniform_int_distribution<int> coin(0, 3);
  const auto noisy = [&](const std::string& digits) {
    std::string out;
    for (char c : digits) {
      switch (coin(rng)) {
        case 0:
          out += " ";
          break;
        case 1:
          out += "－";
          break;
        case 2:
          out += "　";
          break;
        default:
          break;
      }
      if (coin(rng) == 0) {
        out += "\xef\xbc";  // full-width digit: U+FF10 + d
        out += static_cast<char>(0x90 + (c - '0'));
      } else {
        out += c;
      }
    }
    return out;
  };
  for (int i = 0; i < 5'000; ++i) {
    const std::string insurer = make_insurer_number(random_insurer_body7(rng));
    const auto a = parse_insurer_number(noisy(insurer));
    ASSERT_TRUE(a.ok()) << insurer;
    ASSERT_EQ(a->digits, insurer);
    const std::string facility = make_facility_code(random_facility_body(rng));
    const auto b = parse_facility_code(noisy(facility));
    ASSERT_TRUE(b.ok()) << facility;
    ASSERT_EQ(b->digits, facility);
    const std::string my_number = make_my_number(random_digits(rng, 11));
    const auto c = parse_my_number(noisy(my_number));
    ASSERT_TRUE(c.ok());
    ASSERT_EQ(*c, my_number);
  }
}

}  // namespace
}  // namespace onshi::core
