#pragma once
// The error catalogue: for every stable code, what a person at a front desk or an insurer's
// operator reads, and what to do about it. Messages are static so that lookups never allocate.
// The entries are written once, in error_catalogue.def.
#include <string>
#include <string_view>

#include "core/error_code.hpp"

namespace onshi::core {

struct ErrorInfo {
  std::string_view code;  // the stable wire code, e.g. "INSURER_NUMBER_CHECK_DIGIT"
  int http_status;
  std::string_view message_ja;
  std::string_view message_en;
  std::string_view remedy_ja;
  std::string_view remedy_en;
};

// An out-of-range code gets the entry of kInternal.
const ErrorInfo& error_info(ErrorCode code);

// All entries in code order (error_catalogue.def's order), for docs and the catalogue endpoint:
// error_info(static_cast<ErrorCode>(i)) for 0 <= i < error_count().
int error_count();

// The catalogue as the Markdown table that docs/api.md holds between its
// `<!-- error-catalogue:begin -->` and `<!-- error-catalogue:end -->` markers (printed by
// `onshi errors --format markdown`): a header row, then one row per code, each line ending in
// '\n'.
std::string error_catalogue_markdown();

}  // namespace onshi::core
