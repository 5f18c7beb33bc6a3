#include "ingest/reference_files.hpp"

#include <gtest/gtest.h>

#include <random>
#include <string>

#include "core/identifiers.hpp"

namespace onshi::ingest {
namespace {

using core::ErrorCode;

const std::string kKyokai = core::make_insurer_number("0113001");
const std::string kNhi = core::make_insurer_number("13101");
const std::string kHospital = core::make_facility_code("131123456");
const std::string kClinic = core::make_facility_code("131765432");
const std::string kDental = core::make_facility_code("133123456");
const std::string kPharmacy = core::make_facility_code("274123456");

std::string wrong_check_digit(std::string digits) {
  digits.back() = digits.back() == '9' ? '0' : static_cast<char>(digits.back() + 1);
  return digits;
}

// ------------------------------------------------------------------------------------ Insurers

TEST(InsurersCsv, ReadsValidRows) {
  const auto p = parse_insurers_csv("\xEF\xBB\xBFnumber,name,kind,prefecture\r\n" + kKyokai +
                                    ",全国健康保険協会 東京支部,kyokai_kenpo,13\r\n"
                                    "\r\n"
                                    "\"" +
                                    kNhi + "\",\"千代田区, 国民健康保険\",municipal_nhi, 13 \r\n");
  ASSERT_FALSE(p.file_error);
  ASSERT_TRUE(p.errors.empty()) << p.errors[0].error.detail;
  ASSERT_EQ(p.items.size(), 2u);
  EXPECT_EQ(p.items[0].number, kKyokai);
  EXPECT_EQ(p.items[0].name, "全国健康保険協会 東京支部");
  EXPECT_EQ(p.items[0].kind, core::InsurerKind::kKyokaiKenpo);
  EXPECT_EQ(p.items[0].prefecture, 13);
  EXPECT_EQ(p.items[1].number, kNhi);
  EXPECT_EQ(p.items[1].name, "千代田区, 国民健康保険");
  EXPECT_EQ(p.items[1].kind, core::InsurerKind::kMunicipalNhi);
}

TEST(InsurersCsv, ColumnOrderDoesNotMatterAndNumbersAreCanonical) {
  const auto p =
      parse_insurers_csv("prefecture,kind,name,number\n1,late_stage_elderly,X,００" + kNhi + "\n");
  ASSERT_TRUE(p.errors.empty()) << p.errors[0].error.detail;
  ASSERT_EQ(p.items.size(), 1u);
  EXPECT_EQ(p.items[0].number, kNhi);  // full-width zero padding removed
  EXPECT_EQ(p.items[0].kind, core::InsurerKind::kLateStageElderly);
  EXPECT_EQ(p.items[0].prefecture, 1);
}

TEST(InsurersCsv, HeaderErrors) {
  for (const char* header :
       {"number,name,kind\n", "number,name,kind,prefecture,extra\n",
        "number,name,kind,prefecture,name\n", "Number,name,kind,prefecture\n", ""}) {
    const auto p = parse_insurers_csv(std::string(header) + kKyokai + ",x,kyokai_kenpo,13\n");
    ASSERT_TRUE(p.file_error) << header;
    EXPECT_EQ(p.file_error->code, ErrorCode::kFileHeaderInvalid) << header;
    EXPECT_TRUE(p.items.empty());
  }
  EXPECT_NE(parse_insurers_csv("number,name,kind\n").file_error->detail.find("'prefecture'"),
            std::string::npos);
}

TEST(InsurersCsv, RowErrorsCarryLineAndCode) {
  const auto p = parse_insurers_csv("number,name,kind,prefecture\n" +                      // 1
                                    kKyokai + ",ok,kyokai_kenpo,13\n" +                    // 2
                                    wrong_check_digit(kKyokai) + ",x,kyokai_kenpo,13\n" +  // 3
                                    "12345,x,kyokai_kenpo,13\n" +                          // 4
                                    kNhi + ",x,kenpo,13\n" +                               // 5
                                    kNhi + ",x,municipal_nhi,48\n" +                       // 6
                                    kNhi + ",x,municipal_nhi,0\n" +                        // 7
                                    kNhi + ",x,municipal_nhi,tokyo\n" +                    // 8
                                    kNhi + ",,municipal_nhi,13\n" +                        // 9
                                    kNhi + ",x,municipal_nhi\n" +                          // 10
                                    kKyokai + ",again,kyokai_kenpo,13\n" +                 // 11
                                    ",x,kyokai_kenpo,13\n" +                               // 12
                                    kNhi + ",\"multi\nline\",municipal_nhi,13\n" +         // 13-14
                                    "9,x,y,\n");                                           // 15
  ASSERT_FALSE(p.file_error);
  ASSERT_EQ(p.items.size(), 2u);
  EXPECT_EQ(p.items[1].name, "multi\nline");
  const std::pair<std::size_t, ErrorCode> expected[] = {
      {3, ErrorCode::kInsurerNumberCheckDigit}, {4, ErrorCode::kInsurerNumberFormat},
      {5, ErrorCode::kRowFieldInvalid},         {6, ErrorCode::kRowFieldInvalid},
      {7, ErrorCode::kRowFieldInvalid},         {8, ErrorCode::kRowFieldInvalid},
      {9, ErrorCode::kRowFieldMissing},         {10, ErrorCode::kRowColumnCount},
      {11, ErrorCode::kRowConflictsInFile},     {12, ErrorCode::kRowFieldMissing},
      {15, ErrorCode::kInsurerNumberFormat},
  };
  ASSERT_EQ(p.errors.size(), std::size(expected));
  for (std::size_t i = 0; i < std::size(expected); ++i) {
    EXPECT_EQ(p.errors[i].line, expected[i].first) << i;
    EXPECT_EQ(p.errors[i].error.code, expected[i].second) << p.errors[i].error.detail;
  }
  EXPECT_NE(p.errors[2].error.detail.find("'kind'"), std::string::npos);
  EXPECT_NE(p.errors[8].error.detail.find("line 2"), std::string::npos);
}

// ---------------------------------------------------------------------------------- Facilities

TEST(FacilitiesCsv, ReadsValidRows) {
  const auto p = parse_facilities_csv(
      "type,code,prefecture,name\n"
      "hospital," +
      kHospital +
      ",13,東京第一病院\n"
      "medical_clinic,13-1-765432-" +
      kClinic.substr(9) +
      ",13,医院\n"
      "dental_clinic," +
      kDental +
      ",13,歯科\n"
      "pharmacy," +
      kPharmacy + ",27,𠮷野家薬局\n");
  ASSERT_FALSE(p.file_error);
  ASSERT_TRUE(p.errors.empty()) << p.errors[0].error.detail;
  ASSERT_EQ(p.items.size(), 4u);
  EXPECT_EQ(p.items[0].code, kHospital);
  EXPECT_EQ(p.items[0].type, core::FacilityType::kHospital);
  EXPECT_EQ(p.items[1].code, kClinic);
  EXPECT_EQ(p.items[3].type, core::FacilityType::kPharmacy);
  EXPECT_EQ(p.items[3].prefecture, 27);
  EXPECT_EQ(p.items[3].name, "\xF0\xA0\xAE\xB7野家薬局");
}

TEST(FacilitiesCsv, RowErrors) {
  const auto p =
      parse_facilities_csv("code,name,type,prefecture\n" + kHospital +
                           ",x,hospital,14\n" +              // 2: prefecture differs from the code
                           kHospital + ",x,pharmacy,13\n" +  // 3: fee table 1 is not a pharmacy
                           kDental + ",x,medical_clinic,13\n" +   // 4: fee table 3 is dental
                           kPharmacy + ",x,dental_clinic,27\n" +  // 5
                           wrong_check_digit(kHospital) +
                           ",x,hospital,13\n"       // 6
                           "123,x,hospital,13\n" +  // 7
                           kHospital +
                           ",x,clinic,13\n" +                // 8
                           kHospital + ",x,hospital,99\n" +  // 9
                           kHospital + ",x,hospital,13\n" +  // 10: fine
                           kHospital + ",y,hospital,13\n");  // 11: duplicate
  ASSERT_FALSE(p.file_error);
  ASSERT_EQ(p.items.size(), 1u);
  const std::pair<std::size_t, ErrorCode> expected[] = {
      {2, ErrorCode::kRowFieldInvalid},        {3, ErrorCode::kRowFieldInvalid},
      {4, ErrorCode::kRowFieldInvalid},        {5, ErrorCode::kRowFieldInvalid},
      {6, ErrorCode::kFacilityCodeCheckDigit}, {7, ErrorCode::kFacilityCodeFormat},
      {8, ErrorCode::kRowFieldInvalid},        {9, ErrorCode::kRowFieldInvalid},
      {11, ErrorCode::kRowConflictsInFile},
  };
  ASSERT_EQ(p.errors.size(), std::size(expected));
  for (std::size_t i = 0; i < std::size(expected); ++i) {
    EXPECT_EQ(p.errors[i].line, expected[i].first) << i;
    EXPECT_EQ(p.errors[i].error.code, expected[i].second) << p.errors[i].error.detail;
  }
  EXPECT_NE(p.errors[0].error.detail.find("'prefecture'"), std::string::npos);
  EXPECT_NE(p.errors[1].error.detail.find("'type'"), std::string::npos);
}

TEST(FacilitiesCsv, EncodingErrors) {
  const auto row =
      parse_facilities_csv("code,name,type,prefecture\n" + kHospital + ",病院,hospital,13\n" +
                           kDental + ",\x8E\x95\x89\xC8,dental_clinic,13\n");
  ASSERT_FALSE(row.file_error);
  ASSERT_EQ(row.errors.size(), 1u);
  EXPECT_EQ(row.errors[0].line, 3u);
  EXPECT_EQ(row.errors[0].error.code, ErrorCode::kFileEncoding);
  const auto file = parse_facilities_csv("code,name,type,prefecture\n" + kDental +
                                         ",\x8E\x95\x89\xC8,dental_clinic,13\n");
  ASSERT_TRUE(file.file_error);
  EXPECT_EQ(file.file_error->code, ErrorCode::kFileEncoding);
}

TEST(ReferenceFiles, RandomInputNeverCrashes) {
  std::mt19937_64 rng(7);
  const std::string alphabet = "\",\r\n 0123456789-hospitalkyokai_\xE5\xB1\xB1\xFF";
  const std::string rows[] = {kHospital + ",x,hospital,13\n", kKyokai + ",x,kyokai_kenpo,13\n"};
  for (int i = 0; i < 2000; ++i) {
    std::string tail(rng() % 200, '\0');
    for (char& c : tail)
      c = i % 3 == 0 ? static_cast<char>(rng()) : alphabet[rng() % alphabet.size()];
    const std::string body = rows[i % 2] + tail;
    (void)parse_insurers_csv("number,name,kind,prefecture\n" + body);
    (void)parse_facilities_csv("code,name,type,prefecture\n" + body);
    (void)parse_facilities_csv(tail);
  }
}

}  // namespace
}  // namespace onshi::ingest
