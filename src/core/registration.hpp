#pragma once
// Registration events (資格取得・変更・喪失) as insurers send them: one event per line of a CSV
// or JSON Lines file. This file defines the columns, validates one row into an event, and
// applies an event to the coverage it targets. Parsing the file formats is in ingest/.
#include <array>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/coverage.hpp"
#include "core/result.hpp"

namespace onshi::core {

// The columns, in the order of the canonical CSV header. Names are the wire names.
enum class RegistrationField : std::uint8_t {
  kEvent,
  kInsurerNumber,
  kSymbol,
  kNumber,
  kBranch,
  kRelationship,
  kInsuredName,
  kName,
  kNameKana,
  kSex,
  kBirthDate,
  kAddress,
  kPostcode,
  kAcquiredOn,
  kLostOn,
  kLossReason,
  kCardIssuedOn,
  kCardValidFrom,
  kCardValidUntil,
  kCopayRatio,
  kElderlyCopayRatio,
  kElderlyValidFrom,
  kElderlyValidUntil,
  kLimitCategory,
  kLimitValidFrom,
  kLimitValidUntil,
  kSpecificDisease,
  kSpecificDiseaseValidFrom,
  kSpecificDiseaseValidUntil,
  kMyNumber,
  kChangedOn,  // 異動年月日: when the event took effect; tells a real repeat from a re-send
  kCount_
};
inline constexpr std::size_t kRegistrationFieldCount =
    static_cast<std::size_t>(RegistrationField::kCount_);

std::string_view field_name(RegistrationField field);
std::optional<RegistrationField> field_from_name(std::string_view name);
// The canonical CSV header line (no newline).
std::string registration_csv_header();

// One row as read from a file: each field absent or a string (empty string = absent).
struct RegistrationRow {
  std::size_t line = 0;  // 1-based line number in the file
  std::array<std::optional<std::string>, kRegistrationFieldCount> fields;
  const std::optional<std::string>& operator[](RegistrationField f) const {
    return fields[static_cast<std::size_t>(f)];
  }
  std::optional<std::string>& operator[](RegistrationField f) {
    return fields[static_cast<std::size_t>(f)];
  }
};

enum class RegistrationEventKind : std::uint8_t { kAcquire, kChange, kLose };
std::string_view to_string(RegistrationEventKind kind);

// A validated event. `values` holds every field given, normalised; `given` says which fields
// the row carried (a change event only overwrites those).
struct RegistrationEvent {
  RegistrationEventKind kind = RegistrationEventKind::kAcquire;
  Coverage values;
  std::array<bool, kRegistrationFieldCount> given{};
  std::string my_number;  // validated 12 digits or ""; callers hash it and clear it at once
  Date changed_on;        // optional 異動年月日; part of the event's identity
  bool has(RegistrationField f) const { return given[static_cast<std::size_t>(f)]; }
};

// Checks one row: required fields per event kind, identifiers with their check digits, dates
// (any form parse_date accepts), code tables, and that dates are consistent.
Result<RegistrationEvent> validate_registration(const RegistrationRow& row);

// Applies one validated event to the coverages registered under its card key (every branch,
// every period) by the rules R-A*, R-C* of docs/eligibility-rules.md: an acquire never
// replaces or merges another person, periods of one member never overlap, person fields (birth
// date, My Number link) are the same on every period of a member. On success returns the
// positions in `card` that changed or were appended; on a refusal `card` is left unchanged.
Result<std::vector<std::size_t>> apply_registration(std::vector<Coverage>& card,
                                                    const RegistrationEvent& event);

// A canonical text of what the event means (R-S2), so that the same event typed differently
// (explicit defaults or empty cells, full-width digits, another date form, other spaces or
// widths in a text) is recognised as already applied. Two events with the same meaning are the
// same event unless their changed_on differs: a change back to an earlier value needs its
// changed_on, or it is taken for a re-sent old row. Contains personal data: only ever hashed,
// never logged. The My Number is replaced by `person_key`.
std::string registration_fingerprint_text(const RegistrationEvent& event);

}  // namespace onshi::core
