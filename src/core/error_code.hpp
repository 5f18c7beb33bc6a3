#pragma once
// The stable error codes of onshi. The catalogue (error_catalogue.hpp) gives each one its
// Japanese and English message, the remedy and the HTTP status. Codes are part of the API:
// never renumber or rename one; add new ones at the end of their group.
#include <cstdint>

namespace onshi::core {

enum class ErrorCode : std::uint16_t {
  // Identifiers
  kInsurerNumberFormat,
  kInsurerNumberCheckDigit,
  kFacilityCodeFormat,
  kFacilityCodeCheckDigit,
  kMyNumberFormat,
  kMyNumberCheckDigit,
  kSymbolTooLong,
  kInsuredNumberFormat,
  kBranchFormat,
  kPostcodeFormat,
  // Dates
  kDateFormat,
  kDateOutOfRange,
  kEraUnknown,
  // Registration rows
  kRowColumnCount,
  kRowEventUnknown,
  kRowFieldMissing,
  kRowFieldInvalid,
  kRowSexInvalid,
  kRowRelationshipInvalid,
  kRowCopayRatioInvalid,
  kRowLossReasonInvalid,
  kRowLimitCategoryInvalid,
  kRowSpecificDiseaseInvalid,
  kRowDatesInconsistent,
  kRowCoverageNotFound,
  kRowInsurerNotAllowed,
  kRowInsurerUnknown,
  kRowConflictsInFile,
  kRowPersonConflict,
  kRowPeriodAlreadyRegistered,
  kRowPeriodOverlap,
  kFileHeaderInvalid,
  kFileEncoding,
  kFileTooLarge,
  // Requests
  kRequestBodyInvalid,
  kRequestFieldMissing,
  kRequestFieldInvalid,
  kRequestTooLarge,
  kUnsupportedMediaType,
  kNotFound,
  kMethodNotAllowed,
  kUnauthenticated,
  kForbidden,
  kInternal,
  kUnavailable,
  // Operations (onshi migrate)
  kMigrateTargetNotEmpty,
  kMigrateVerifyFailed,
  kStoreUnreachable,  // a command cannot open its --store
  kJournalBroken,     // onshi audit verify found a record that breaks its chain
  // Confirmation outcomes (the reason attached to a non-valid answer)
  kEligibilityNoCoverageForNumber,
  kEligibilityBranchNotFound,
  kEligibilityBirthDateMismatch,
  kEligibilitySeveralMatch,
  kEligibilityLost,
  kEligibilityLostNewerExists,
  kEligibilityNotYetStarted,
  kEligibilityInsurerUnknown,
  // Notices: attached to a valid answer, they tell the desk something to act on
  kNoticeCardValidityEnded,
  kNoticeCardNotYetValid,
  kCount_  // not a code: the number of codes
};

}  // namespace onshi::core
