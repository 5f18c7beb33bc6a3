#include "cli/coded_error.hpp"

#include "core/error_catalogue.hpp"

namespace onshi::cli {

void print_coded_error(std::ostream& out, std::string_view who, core::ErrorCode code,
                       std::string_view detail) {
  const auto& info = core::error_info(code);
  out << who << ": " << info.code << ": " << info.message_en << " (" << detail << ") — "
      << info.remedy_en << "\n  " << info.message_ja << " " << info.remedy_ja << '\n';
}

}  // namespace onshi::cli
