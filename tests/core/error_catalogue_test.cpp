// The error catalogue (src/core/error_catalogue.def): every stable code has its own wire code,
// messages, remedies and HTTP status, and docs/api.md shows exactly that catalogue.
#include "core/error_catalogue.hpp"

#include <gtest/gtest.h>

#include <cstddef>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <string_view>
#include <utility>

#include "core/text_normalise.hpp"

namespace onshi::core {
namespace {

using E = ErrorCode;
constexpr std::size_t kCodes = static_cast<std::size_t>(E::kCount_);

ErrorCode code_at(std::size_t i) {
  return static_cast<ErrorCode>(i);
}

const ErrorInfo* find_by_wire_code(std::string_view code) {
  for (std::size_t i = 0; i < kCodes; ++i)
    if (error_info(code_at(i)).code == code) return &error_info(code_at(i));
  return nullptr;
}

// Every wire code released so far with its HTTP status: both are API, so a code's removal,
// rename or change of status must fail here. Written out (not read from the catalogue) on
// purpose. A new code needs no entry to build and pass; add it here once it has shipped.
struct Pinned {
  std::string_view code;
  int http_status;
};
constexpr Pinned kPinned[] = {
    {"INSURER_NUMBER_FORMAT", 400},
    {"INSURER_NUMBER_CHECK_DIGIT", 400},
    {"FACILITY_CODE_FORMAT", 400},
    {"FACILITY_CODE_CHECK_DIGIT", 400},
    {"MY_NUMBER_FORMAT", 400},
    {"MY_NUMBER_CHECK_DIGIT", 400},
    {"SYMBOL_TOO_LONG", 400},
    {"INSURED_NUMBER_FORMAT", 400},
    {"BRANCH_FORMAT", 400},
    {"POSTCODE_FORMAT", 400},
    {"DATE_FORMAT", 400},
    {"DATE_OUT_OF_RANGE", 400},
    {"ERA_UNKNOWN", 400},
    {"ROW_COLUMN_COUNT", 422},
    {"ROW_EVENT_UNKNOWN", 422},
    {"ROW_FIELD_MISSING", 422},
    {"ROW_FIELD_INVALID", 422},
    {"ROW_SEX_INVALID", 422},
    {"ROW_RELATIONSHIP_INVALID", 422},
    {"ROW_COPAY_RATIO_INVALID", 422},
    {"ROW_LOSS_REASON_INVALID", 422},
    {"ROW_LIMIT_CATEGORY_INVALID", 422},
    {"ROW_SPECIFIC_DISEASE_INVALID", 422},
    {"ROW_DATES_INCONSISTENT", 422},
    {"ROW_COVERAGE_NOT_FOUND", 422},
    {"ROW_INSURER_NOT_ALLOWED", 403},
    {"ROW_INSURER_UNKNOWN", 422},
    {"ROW_CONFLICTS_IN_FILE", 422},
    {"ROW_PERSON_CONFLICT", 422},
    {"ROW_PERIOD_ALREADY_REGISTERED", 422},
    {"ROW_PERIOD_OVERLAP", 422},
    {"FILE_HEADER_INVALID", 400},
    {"FILE_ENCODING", 400},
    {"FILE_TOO_LARGE", 413},
    {"REQUEST_BODY_INVALID", 400},
    {"REQUEST_FIELD_MISSING", 400},
    {"REQUEST_FIELD_INVALID", 400},
    {"REQUEST_TOO_LARGE", 413},
    {"UNSUPPORTED_MEDIA_TYPE", 415},
    {"NOT_FOUND", 404},
    {"METHOD_NOT_ALLOWED", 405},
    {"UNAUTHENTICATED", 401},
    {"FORBIDDEN", 403},
    {"INTERNAL", 500},
    {"UNAVAILABLE", 503},
    {"MIGRATE_TARGET_NOT_EMPTY", 409},
    {"MIGRATE_VERIFY_FAILED", 500},
    {"STORE_UNREACHABLE", 503},
    {"JOURNAL_BROKEN", 500},
    {"ELIGIBILITY_NO_COVERAGE_FOR_NUMBER", 200},
    {"ELIGIBILITY_BRANCH_NOT_FOUND", 200},
    {"ELIGIBILITY_BIRTH_DATE_MISMATCH", 200},
    {"ELIGIBILITY_SEVERAL_MATCH", 200},
    {"ELIGIBILITY_LOST", 200},
    {"ELIGIBILITY_LOST_NEWER_EXISTS", 200},
    {"ELIGIBILITY_NOT_YET_STARTED", 200},
    {"ELIGIBILITY_INSURER_UNKNOWN", 200},
    {"NOTICE_CARD_VALIDITY_ENDED", 200},
    {"NOTICE_CARD_NOT_YET_VALID", 200},
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

TEST(ErrorCatalogue, WireCodesAreUniqueAndUpperSnake) {
  std::set<std::string_view> seen;
  for (std::size_t i = 0; i < kCodes; ++i) {
    const ErrorInfo& info = error_info(code_at(i));
    SCOPED_TRACE("code #" + std::to_string(i) + " " + std::string(info.code));
    EXPECT_FALSE(info.code.empty());
    EXPECT_TRUE(is_upper_snake(info.code));
    EXPECT_TRUE(seen.insert(info.code).second) << "duplicate wire code";
  }
  EXPECT_EQ(seen.size(), kCodes);
}

TEST(ErrorCatalogue, EveryReleasedCodeKeepsItsWireCodeAndStatus) {
  std::set<std::string_view> pinned;
  for (const Pinned& p : kPinned) {
    SCOPED_TRACE(std::string(p.code));
    EXPECT_TRUE(pinned.insert(p.code).second) << "pinned twice";
    const ErrorInfo* info = find_by_wire_code(p.code);
    ASSERT_NE(info, nullptr) << "a released wire code is gone from src/core/error_catalogue.def "
                                "(codes are API: never remove or rename one)";
    EXPECT_EQ(info->http_status, p.http_status) << "a released code changed its HTTP status";
  }
  EXPECT_GE(kCodes, pinned.size());
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
  // By the wire code's group prefix, not by position, so that an entry added at the end of its
  // group in error_catalogue.def is held to its group's rule.
  const auto starts = [](std::string_view s, std::string_view prefix) {
    return s.substr(0, prefix.size()) == prefix;
  };
  for (std::size_t i = 0; i < kCodes; ++i) {
    const ErrorCode code = code_at(i);
    const ErrorInfo& info = error_info(code);
    SCOPED_TRACE(std::string(info.code));
    EXPECT_TRUE(known.count(info.http_status)) << info.http_status;
    if (starts(info.code, "ELIGIBILITY_") || starts(info.code, "NOTICE_")) {
      // A confirmation that finds no valid coverage is an answer, not a failed request.
      EXPECT_EQ(info.http_status, 200);
    } else if (code == E::kRowInsurerNotAllowed || code == E::kForbidden) {
      EXPECT_EQ(info.http_status, 403);
    } else if (starts(info.code, "ROW_")) {
      EXPECT_EQ(info.http_status, 422);
    } else {
      EXPECT_GE(info.http_status, 400);
      EXPECT_LT(info.http_status, 600);
    }
  }
  // Identifiers and dates typed in a request.
  for (E code : {E::kInsurerNumberFormat, E::kInsurerNumberCheckDigit, E::kFacilityCodeFormat,
                 E::kFacilityCodeCheckDigit, E::kMyNumberFormat, E::kMyNumberCheckDigit,
                 E::kSymbolTooLong, E::kInsuredNumberFormat, E::kBranchFormat, E::kPostcodeFormat,
                 E::kDateFormat, E::kDateOutOfRange, E::kEraUnknown})
    EXPECT_EQ(error_info(code).http_status, 400) << error_info(code).code;
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
  EXPECT_EQ(error_info(E::kNoticeCardNotYetValid).code, "NOTICE_CARD_NOT_YET_VALID");
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

TEST(ErrorCatalogueDocs, MarkdownHasOneRowPerCode) {
  const std::string md = error_catalogue_markdown();
  std::istringstream in(md);
  std::string line;
  std::getline(in, line);
  EXPECT_EQ(line, "| code | HTTP | message (en) | message (ja) | what to do |");
  std::getline(in, line);
  EXPECT_EQ(line, "|---|---|---|---|---|");
  for (std::size_t i = 0; i < kCodes; ++i) {
    const ErrorInfo& info = error_info(code_at(i));
    ASSERT_TRUE(std::getline(in, line)) << "no row for " << info.code;
    EXPECT_EQ(line, "| `" + std::string(info.code) + "` | " + std::to_string(info.http_status) +
                        " | " + std::string(info.message_en) + " | " +
                        std::string(info.message_ja) + " | " + std::string(info.remedy_en) + " |");
  }
  EXPECT_FALSE(std::getline(in, line)) << "extra line: " << line;
  EXPECT_EQ(md.back(), '\n');
}

// The lines of `text` strictly between the lines `begin` and `end` (each present exactly once,
// in that order), or an explanation of what is wrong with the markers.
std::pair<bool, std::string> between_markers(const std::string& text, std::string_view begin,
                                             std::string_view end) {
  std::istringstream in(text);
  std::string line, inside;
  int begins = 0, ends = 0;
  bool in_section = false;
  while (std::getline(in, line)) {
    if (line == begin) {
      ++begins;
      in_section = true;
    } else if (line == end) {
      ++ends;
      if (!in_section) return {false, "the end marker comes before the begin marker"};
      in_section = false;
    } else if (in_section) {
      inside += line;
      inside += '\n';
    }
  }
  if (begins != 1 || ends != 1) return {false, "each marker must be there exactly once"};
  return {true, inside};
}

TEST(ErrorCatalogueDocs, ApiMdTableIsTheGeneratedOne) {
  const std::string path = std::string(ONSHI_SOURCE_DIR) + "/docs/api.md";
  std::ifstream file(path, std::ios::binary);
  ASSERT_TRUE(file) << "cannot read " << path;
  std::stringstream text;
  text << file.rdbuf();
  const auto [ok, in_doc] =
      between_markers(text.str(), "<!-- error-catalogue:begin -->", "<!-- error-catalogue:end -->");
  ASSERT_TRUE(ok) << path << ": " << in_doc;
  const std::string generated = error_catalogue_markdown();
  if (in_doc == generated) return;
  // Name the first line that differs; the whole table would bury it.
  std::istringstream a(in_doc), b(generated);
  std::string la, lb;
  int n = 1;
  while (true) {
    const bool more_a = static_cast<bool>(std::getline(a, la));
    const bool more_b = static_cast<bool>(std::getline(b, lb));
    if (!more_a) la = "(end of table)";
    if (!more_b) lb = "(end of table)";
    if (la != lb || (!more_a && !more_b)) break;
    ++n;
  }
  ADD_FAILURE() << "docs/api.md's error catalogue is not the one src/core/error_catalogue.def "
                   "makes.\nRegenerate it with: cmake --build build --target onshi && "
                   "scripts/update-api-docs.sh build/onshi\nFirst difference, table line "
                << n << ":\n  docs/api.md: " << la << "\n  generated:   " << lb;
}

}  // namespace
}  // namespace onshi::core
