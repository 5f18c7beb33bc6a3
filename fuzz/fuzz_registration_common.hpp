#pragma once
// Checks shared by the two registration-file targets: what parse_registrations promises about
// its rows, then every row through validation (and, when valid, the rest of the event path).
#include "core/registration.hpp"
#include "fuzz_common.hpp"
#include "ingest/registration_file.hpp"

namespace onshi::fuzz {

inline void check_parsed(const ingest::ParsedRegistrations& parsed) {
  if (parsed.file_error) ONSHI_FUZZ_CHECK(parsed.rows.empty());
  std::size_t last_line = 0;
  for (const auto& row : parsed.rows) {
    // One record per line at most, in file order.
    ONSHI_FUZZ_CHECK(row.line > last_line);
    last_line = row.line;
    for (const auto& field : row.fields) {
      if (!field) continue;
      // Empty means absent, and surrounding spaces are trimmed.
      ONSHI_FUZZ_CHECK(!field->empty());
      ONSHI_FUZZ_CHECK(field->front() != ' ' && field->back() != ' ');
    }
    auto event = core::validate_registration(row);
    if (!event) continue;
    (void)core::registration_fingerprint_text(*event);
    auto created = core::apply_registration(nullptr, *event);
    ONSHI_FUZZ_CHECK(created.ok() == (event->kind == core::RegistrationEventKind::kAcquire));
    if (created) (void)core::apply_registration(&created.value(), *event);
  }
  for (const auto& error : parsed.errors) ONSHI_FUZZ_CHECK(error.line >= 1);
}

}  // namespace onshi::fuzz
