#include "ingest/reference_files.hpp"

#include <array>
#include <map>
#include <string>

#include "core/identifiers.hpp"
#include "core/text_normalise.hpp"
#include "ingest/csv_reader.hpp"

namespace onshi::ingest {
namespace {

using core::ErrorCode;

constexpr std::size_t kMaxNameBytes = 400;  // as for names in registration files
constexpr int kPrefectureCount = 47;

core::Error field_error(ErrorCode code, std::string_view column, std::string_view why) {
  return core::make_error(code, "field '" + std::string(column) + "': " + std::string(why));
}

// Keeps the underlying parser's detail (it never echoes the value) under the column's name.
core::Error field_error(std::string_view column, const core::Error& inner) {
  return field_error(inner.code, column, inner.detail);
}

template <std::size_t N>
using Values = std::array<std::string_view, N>;

// The shared skeleton of both lists: header mapping (every column required, any order), one
// item per record, and a second occurrence of the same key reported against its first line.
template <typename T, std::size_t N, typename Make, typename KeyOf>
ParsedList<T> parse_list(std::string_view content, const std::array<std::string_view, N>& columns,
                         std::string_view what, Make make, KeyOf key_of) {
  ParsedList<T> out;
  CsvReader reader(content);
  CsvRecord record;
  if (!reader.next(record)) {
    out.file_error = core::make_error(ErrorCode::kFileHeaderInvalid,
                                      "the file is empty: a header line naming the columns is "
                                      "required");
    return out;
  }
  if (classify_utf8(record.raw) == TextKind::kInvalid) {
    out.file_error = core::make_error(ErrorCode::kFileEncoding,
                                      "the header line is not valid UTF-8; save the file as UTF-8");
    return out;
  }
  std::vector<std::size_t> column_index;
  const auto header_error = map_header(
      record, N,
      [&columns](std::string_view name) -> std::optional<std::size_t> {
        for (std::size_t i = 0; i < N; ++i)
          if (columns[i] == name) return i;
        return std::nullopt;
      },
      [](std::size_t) { return true; },
      [&columns](std::size_t i) { return std::string(columns[i]); }, column_index);
  if (header_error) {
    out.file_error = *header_error;
    return out;
  }

  EncodingTally tally;
  std::map<std::string, std::size_t, std::less<>> first_line;
  while (reader.next(record)) {
    if (!tally.check(record.raw)) {
      out.errors.push_back(
          {record.line, core::make_error(ErrorCode::kFileEncoding, "line is not valid UTF-8")});
      continue;
    }
    if (record.error) {
      out.errors.push_back({record.line, *record.error});
      continue;
    }
    if (record.fields.size() != N) {
      out.errors.push_back(
          {record.line, core::make_error(ErrorCode::kRowColumnCount,
                                         "line has " + std::to_string(record.fields.size()) +
                                             " fields, the header has " + std::to_string(N))});
      continue;
    }
    Values<N> values;
    for (std::size_t c = 0; c < N; ++c) values[column_index[c]] = trim_spaces(record.fields[c]);
    core::Result<T> item = make(values);
    if (!item) {
      out.errors.push_back({record.line, item.error()});
      continue;
    }
    const auto [it, inserted] = first_line.emplace(key_of(*item), record.line);
    if (!inserted) {
      out.errors.push_back(
          {record.line, core::make_error(ErrorCode::kRowConflictsInFile,
                                         "the same " + std::string(what) + " is already on line " +
                                             std::to_string(it->second))});
      continue;
    }
    out.items.push_back(std::move(item).value());
  }
  if (tally.not_utf8_at_all()) {
    out.file_error = tally.file_error();
    out.items.clear();
  }
  return out;
}

core::Result<std::string> read_name(std::string_view column, std::string_view value) {
  if (value.empty()) return field_error(ErrorCode::kRowFieldMissing, column, "is required");
  if (value.size() > kMaxNameBytes)
    return field_error(ErrorCode::kRowFieldInvalid, column, "too long");
  return std::string(value);
}

core::Result<int> read_prefecture(std::string_view column, std::string_view value) {
  if (value.empty()) return field_error(ErrorCode::kRowFieldMissing, column, "is required");
  const std::string digits = core::digits_only(value);
  if (digits.empty() || digits.size() > 2)
    return field_error(ErrorCode::kRowFieldInvalid, column, "must be a prefecture number 1..47");
  const int n = std::stoi(digits);
  if (n < 1 || n > kPrefectureCount)
    return field_error(ErrorCode::kRowFieldInvalid, column, "must be a prefecture number 1..47");
  return n;
}

}  // namespace

ParsedList<core::Insurer> parse_insurers_csv(std::string_view content) {
  static constexpr std::array<std::string_view, 4> kColumns{"number", "name", "kind", "prefecture"};
  auto make = [](const Values<4>& v) -> core::Result<core::Insurer> {
    core::Insurer insurer;
    if (v[0].empty()) return field_error(ErrorCode::kRowFieldMissing, "number", "is required");
    auto number = core::parse_insurer_number(v[0]);
    if (!number) return field_error("number", number.error());
    insurer.number = number->digits;
    auto name = read_name("name", v[1]);
    if (!name) return name.error();
    insurer.name = std::move(name).value();
    if (v[2].empty()) return field_error(ErrorCode::kRowFieldMissing, "kind", "is required");
    if (!core::insurer_kind_from_string(v[2], insurer.kind))
      return field_error(ErrorCode::kRowFieldInvalid, "kind",
                         "use kyokai_kenpo, health_insurance_society, mutual_aid, municipal_nhi, "
                         "nhi_society or late_stage_elderly");
    auto prefecture = read_prefecture("prefecture", v[3]);
    if (!prefecture) return prefecture.error();
    insurer.prefecture = *prefecture;
    return insurer;
  };
  return parse_list<core::Insurer>(content, kColumns, "insurer number", make,
                                   [](const core::Insurer& i) { return i.number; });
}

ParsedList<core::Facility> parse_facilities_csv(std::string_view content) {
  static constexpr std::array<std::string_view, 4> kColumns{"code", "name", "type", "prefecture"};
  auto make = [](const Values<4>& v) -> core::Result<core::Facility> {
    core::Facility facility;
    if (v[0].empty()) return field_error(ErrorCode::kRowFieldMissing, "code", "is required");
    auto code = core::parse_facility_code(v[0]);
    if (!code) return field_error("code", code.error());
    facility.code = code->digits;
    auto name = read_name("name", v[1]);
    if (!name) return name.error();
    facility.name = std::move(name).value();
    if (v[2].empty()) return field_error(ErrorCode::kRowFieldMissing, "type", "is required");
    if (!core::facility_type_from_string(v[2], facility.type))
      return field_error(ErrorCode::kRowFieldInvalid, "type",
                         "use hospital, medical_clinic, dental_clinic or pharmacy");
    auto prefecture = read_prefecture("prefecture", v[3]);
    if (!prefecture) return prefecture.error();
    facility.prefecture = *prefecture;
    if (facility.prefecture != code->prefecture())
      return field_error(ErrorCode::kRowFieldInvalid, "prefecture",
                         "differs from the prefecture digits of the facility code");
    if (core::fee_table_of(facility.type) != code->fee_table())
      return field_error(ErrorCode::kRowFieldInvalid, "type",
                         "does not match the fee table digit of the facility code (1 hospital or "
                         "medical_clinic, 3 dental_clinic, 4 pharmacy)");
    return facility;
  };
  return parse_list<core::Facility>(content, kColumns, "facility code", make,
                                    [](const core::Facility& f) { return f.code; });
}

}  // namespace onshi::ingest
