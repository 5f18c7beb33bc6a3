#pragma once
// Reads the operator's reference lists: insurers (number,name,kind,prefecture) and facilities
// (code,name,type,prefecture), CSV with a header line. Every value is validated (check digits,
// kinds, prefecture 1..47, facility type matching the code's fee table).
#include <string_view>
#include <vector>

#include "core/facility.hpp"
#include "core/insurer.hpp"
#include "ingest/registration_file.hpp"

namespace onshi::ingest {

template <typename T>
struct ParsedList {
  std::vector<T> items;
  std::vector<RowError> errors;
  std::optional<core::Error> file_error;
};

ParsedList<core::Insurer> parse_insurers_csv(std::string_view content);
ParsedList<core::Facility> parse_facilities_csv(std::string_view content);

}  // namespace onshi::ingest
