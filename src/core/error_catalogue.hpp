#pragma once
// The error catalogue: for every stable code, what a person at a front desk or an insurer's
// operator reads, and what to do about it. Messages are static so that lookups never allocate.
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

const ErrorInfo& error_info(ErrorCode code);

// All entries in code order, for docs and the catalogue endpoint.
int error_count();

}  // namespace onshi::core
