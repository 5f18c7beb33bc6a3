#pragma once
// Reads an insurer's registration file — CSV with a header line, or JSON Lines — into rows.
// Syntax errors are reported per line (with a stable code) and never stop the other rows; a
// file-level error (bad header, not UTF-8 at all) stops everything.
#include <optional>
#include <string_view>
#include <vector>

#include "core/registration.hpp"
#include "core/result.hpp"

namespace onshi::ingest {

struct RowError {
  std::size_t line = 0;  // 1-based
  core::Error error;
};

struct ParsedRegistrations {
  std::vector<core::RegistrationRow> rows;
  std::vector<RowError> errors;
  std::optional<core::Error> file_error;  // set: nothing in the file may be applied
};

enum class RegistrationFormat { kAuto, kCsv, kJsonLines };

// kAuto: JSON Lines when the first non-blank character is '{', else CSV.
ParsedRegistrations parse_registrations(std::string_view content,
                                        RegistrationFormat format = RegistrationFormat::kAuto);

}  // namespace onshi::ingest
