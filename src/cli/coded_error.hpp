#pragma once
// One way a command reports an error from the catalogue on stderr: the stable code, the English
// message with what went wrong and what to do, then the same in Japanese.
#include <ostream>
#include <string_view>

#include "core/error_code.hpp"

namespace onshi::cli {

void print_coded_error(std::ostream& out, std::string_view who, core::ErrorCode code,
                       std::string_view detail);

}  // namespace onshi::cli
