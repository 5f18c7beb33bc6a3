#pragma once
// The stable error codes of onshi. Each one, with its wire code, HTTP status, messages and
// remedies, is one entry of error_catalogue.def: the enum is made from that list, so it and the
// catalogue (error_catalogue.hpp) cannot disagree. Add or change a code there, not here.
// Enum values are positions in that list and are never stored or sent (the wire code is).
#include <cstdint>

namespace onshi::core {

enum class ErrorCode : std::uint16_t {
#define ONSHI_ERROR(identifier, code, http_status, message_ja, message_en, remedy_ja, remedy_en) \
  identifier,
#include "core/error_catalogue.def"
#undef ONSHI_ERROR
  kCount_  // not a code: the number of codes
};

}  // namespace onshi::core
