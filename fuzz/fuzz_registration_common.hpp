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
    // Applied to an empty card, then again: a refusal must leave the card as it was.
    std::vector<core::Coverage> card;
    auto created = core::apply_registration(card, *event);
    ONSHI_FUZZ_CHECK(created.ok() == (event->kind == core::RegistrationEventKind::kAcquire));
    ONSHI_FUZZ_CHECK(card.size() == (created ? 1u : 0u));
    const std::size_t before = card.size();
    if (!core::apply_registration(card, *event)) ONSHI_FUZZ_CHECK(card.size() == before);
  }
  for (const auto& error : parsed.errors) ONSHI_FUZZ_CHECK(error.line >= 1);
}

}  // namespace onshi::fuzz
