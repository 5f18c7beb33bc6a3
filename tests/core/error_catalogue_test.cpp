// The error catalogue: every stable code has its own wire code, messages, remedies and HTTP
// status, in ErrorCode order.
#include "core/error_catalogue.hpp"

#include <gtest/gtest.h>

#include <array>
#include <cstddef>
#include <set>
#include <string>
#include <string_view>

#include "core/text_normalise.hpp"

namespace onshi::core {
namespace {

using E = ErrorCode;
constexpr std::size_t kCodes = static_cast<std::size_t>(E::kCount_);

ErrorCode code_at(std::size_t i) {
  return static_cast<ErrorCode>(i);
}

// The wire code each ErrorCode must have: the enum name in UPPER_SNAKE_CASE. Written out so
// that an entry inserted out of order in the catalogue (which is indexed by position) fails here.
constexpr std::array<std::string_view, kCodes> kExpectedWireCodes = {
    "INSURER_NUMBER_FORMAT",
    "INSURER_NUMBER_CHECK_DIGIT",
    "FACILITY_CODE_FORMAT",
    "FACILITY_CODE_CHECK_DIGIT",
    "MY_NUMBER_FORMAT",
    "MY_NUMBER_CHECK_DIGIT",
    "SYMBOL_TOO_LONG",
    "INSURED_NUMBER_FORMAT",
    "BRANCH_FORMAT",
    "POSTCODE_FORMAT",
    "DATE_FORMAT",
    "DATE_OUT_OF_RANGE",
    "ERA_UNKNOWN",
    "ROW_COLUMN_COUNT",
    "ROW_EVENT_UNKNOWN",
    "ROW_FIELD_MISSING",
    "ROW_FIELD_INVALID",
    "ROW_SEX_INVALID",
    "ROW_RELATIONSHIP_INVALID",
    "ROW_COPAY_RATIO_INVALID",
    "ROW_LOSS_REASON_INVALID",
    "ROW_LIMIT_CATEGORY_INVALID",
    "ROW_SPECIFIC_DISEASE_INVALID",
    "ROW_DATES_INCONSISTENT",
    "ROW_COVERAGE_NOT_FOUND",
    "ROW_INSURER_NOT_ALLOWED",
    "ROW_INSURER_UNKNOWN",
    "ROW_CONFLICTS_IN_FILE",
    "ROW_PERSON_CONFLICT",
    "ROW_PERIOD_ALREADY_REGISTERED",
    "ROW_PERIOD_OVERLAP",
    "FILE_HEADER_INVALID",
    "FILE_ENCODING",
    "FILE_TOO_LARGE",
    "REQUEST_BODY_INVALID",
    "REQUEST_FIELD_MISSING",
    "REQUEST_FIELD_INVALID",
    "REQUEST_TOO_LARGE",
    "UNSUPPORTED_MEDIA_TYPE",
    "NOT_FOUND",
    "METHOD_NOT_ALLOWED",
    "UNAUTHENTICATED",
    "FORBIDDEN",
    "INTERNAL",
    "UNAVAILABLE",
    "MIGRATE_TARGET_NOT_EMPTY",
    "MIGRATE_VERIFY_FAILED",
    "STORE_UNREACHABLE",
    "JOURNAL_BROKEN",
    "ELIGIBILITY_NO_COVERAGE_FOR_NUMBER",
    "ELIGIBILITY_BRANCH_NOT_FOUND",
    "ELIGIBILITY_BIRTH_DATE_MISMATCH",
    "ELIGIBILITY_SEVERAL_MATCH",
    "ELIGIBILITY_LOST",
    "ELIGIBILITY_LOST_NEWER_EXISTS",
    "ELIGIBILITY_NOT_YET_STARTED",
    "ELIGIBILITY_INSURER_UNKNOWN",
    "NOTICE_CARD_VALIDITY_ENDED",
    "NOTICE_CARD_NOT_YET_VALID",
};

bool is_upper_snake(std::string_view s) {
  if (s.empty() || s.front() == '_' || s.back() == '_') return false;
  for (char c : s)
    if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_')) return false;
  return s.find("__") == std::string_view::npos;
}

bool has_non_ascii(std::string_view s) {
  for (char c : s)
    if (static_cast<unsigned char>(c) >= 0x80) return true;
  return false;
}

bool is_printable_ascii(std::string_view s) {
  for (char c : s)
    if (c < 0x20 || c > 0x7E) return false;
  return true;
}

TEST(ErrorCatalogue, HasOneEntryPerCode) {
  EXPECT_EQ(error_count(), static_cast<int>(kCodes));
}

TEST(ErrorCatalogue, WireCodesAreUniqueUpperSnakeAndInEnumOrder) {
  std::set<std::string_view> seen;
  for (std::size_t i = 0; i < kCodes; ++i) {
    const ErrorInfo& info = error_info(code_at(i));
    SCOPED_TRACE("code #" + std::to_string(i) + " " + std::string(info.code));
    EXPECT_FALSE(info.code.empty());
    EXPECT_TRUE(is_upper_snake(info.code));
    EXPECT_TRUE(seen.insert(info.code).second) << "duplicate wire code";
    EXPECT_EQ(info.code, kExpectedWireCodes[i]);
  }
  EXPECT_EQ(seen.size(), kCodes);
}

TEST(ErrorCatalogue, EveryEntryHasMessagesAndRemedies) {
  for (std::size_t i = 0; i < kCodes; ++i) {
    const ErrorInfo& info = error_info(code_at(i));
    SCOPED_TRACE(std::string(info.code));
    EXPECT_FALSE(info.message_ja.empty());
    EXPECT_FALSE(info.message_en.empty());
    EXPECT_FALSE(info.remedy_ja.empty());
    EXPECT_FALSE(info.remedy_en.empty());
    // Japanese texts are Japanese (and valid UTF-8); English texts are plain ASCII.
    EXPECT_TRUE(is_valid_utf8(info.message_ja));
    EXPECT_TRUE(is_valid_utf8(info.remedy_ja));
    EXPECT_TRUE(has_non_ascii(info.message_ja)) << info.message_ja;
    EXPECT_TRUE(has_non_ascii(info.remedy_ja)) << info.remedy_ja;
    EXPECT_TRUE(is_printable_ascii(info.message_en)) << info.message_en;
    // An English remedy may quote a Japanese example (昭和47年5月1日) but reads as English.
    EXPECT_TRUE(is_valid_utf8(info.remedy_en));
    EXPECT_TRUE(is_printable_ascii(info.remedy_en.substr(0, 1))) << info.remedy_en;
    // A remedy says something the message does not.
    EXPECT_NE(info.remedy_en, info.message_en);
    EXPECT_NE(info.remedy_ja, info.message_ja);
  }
}

TEST(ErrorCatalogue, MessagesAreDistinctWithinAGroupThatADeskSees) {
  // The answers a front desk reads must tell the reasons apart.
  std::set<std::string_view> en, ja;
  for (E code : {E::kEligibilityNoCoverageForNumber, E::kEligibilityBranchNotFound,
                 E::kEligibilityBirthDateMismatch, E::kEligibilitySeveralMatch, E::kEligibilityLost,
                 E::kEligibilityLostNewerExists, E::kEligibilityNotYetStarted,
                 E::kEligibilityInsurerUnknown}) {
    EXPECT_TRUE(en.insert(error_info(code).message_en).second) << error_info(code).code;
    EXPECT_TRUE(ja.insert(error_info(code).message_ja).second) << error_info(code).code;
  }
}

TEST(ErrorCatalogue, HttpStatusIsPlausible) {
  const std::set<int> known = {200, 400, 401, 403, 404, 405, 409, 413, 415, 422, 429, 500, 503};
  for (std::size_t i = 0; i < kCodes; ++i) {
    const ErrorCode code = code_at(i);
    const ErrorInfo& info = error_info(code);
    SCOPED_TRACE(std::string(info.code));
    EXPECT_TRUE(known.count(info.http_status)) << info.http_status;
    const bool eligibility = code >= E::kEligibilityNoCoverageForNumber;
    const bool row = code >= E::kRowColumnCount && code <= E::kRowConflictsInFile;
    if (eligibility) {
      // A confirmation that finds no valid coverage is an answer, not a failed request.
      EXPECT_EQ(info.http_status, 200);
    } else if (code == E::kRowInsurerNotAllowed || code == E::kForbidden) {
      EXPECT_EQ(info.http_status, 403);
    } else if (row) {
      EXPECT_EQ(info.http_status, 422);
    } else if (code <= E::kEraUnknown) {
      // Identifiers and dates typed in a request.
      EXPECT_EQ(info.http_status, 400);
    } else {
      EXPECT_GE(info.http_status, 400);
      EXPECT_LT(info.http_status, 600);
    }
  }
  EXPECT_EQ(error_info(E::kUnauthenticated).http_status, 401);
  EXPECT_EQ(error_info(E::kNotFound).http_status, 404);
  EXPECT_EQ(error_info(E::kMethodNotAllowed).http_status, 405);
  EXPECT_EQ(error_info(E::kFileTooLarge).http_status, 413);
  EXPECT_EQ(error_info(E::kRequestTooLarge).http_status, 413);
  EXPECT_EQ(error_info(E::kUnsupportedMediaType).http_status, 415);
  EXPECT_EQ(error_info(E::kInternal).http_status, 500);
  EXPECT_EQ(error_info(E::kUnavailable).http_status, 503);
  EXPECT_EQ(error_info(E::kRequestBodyInvalid).http_status, 400);
  EXPECT_EQ(error_info(E::kRequestFieldMissing).http_status, 400);
  EXPECT_EQ(error_info(E::kRequestFieldInvalid).http_status, 400);
  EXPECT_EQ(error_info(E::kFileHeaderInvalid).http_status, 400);
  EXPECT_EQ(error_info(E::kFileEncoding).http_status, 400);
}

TEST(ErrorCatalogue, OutOfRangeCodeFallsBackToInternal) {
  const ErrorInfo& info = error_info(static_cast<ErrorCode>(kCodes + 7));
  EXPECT_EQ(info.code, "INTERNAL");
  EXPECT_EQ(info.http_status, 500);
  EXPECT_EQ(&error_info(E::kCount_), &error_info(E::kInternal));
}

TEST(ErrorCatalogue, LookupsAreStable) {
  // Static storage: the same entry every time, no allocation per lookup.
  EXPECT_EQ(&error_info(E::kDateFormat), &error_info(E::kDateFormat));
  EXPECT_EQ(error_info(E::kInsurerNumberCheckDigit).code, "INSURER_NUMBER_CHECK_DIGIT");
}

TEST(ErrorCatalogue, RemediesThatNameFormatsShowThem) {
  // The seeds' complaint: error codes that do not say how to fix the problem.
  EXPECT_NE(error_info(E::kDateFormat).remedy_en.find("S47.05.01"), std::string_view::npos);
  EXPECT_NE(error_info(E::kDateFormat).remedy_ja.find("昭和47年5月1日"), std::string_view::npos);
  EXPECT_NE(error_info(E::kRowLossReasonInvalid).remedy_en.find("99"), std::string_view::npos);
  EXPECT_NE(error_info(E::kRowLimitCategoryInvalid).remedy_en.find("B01..B10"),
            std::string_view::npos);
  EXPECT_NE(error_info(E::kEligibilitySeveralMatch).remedy_en.find("branch"),
            std::string_view::npos);
}

}  // namespace
}  // namespace onshi::core
