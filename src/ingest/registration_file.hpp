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

// Receives rows as they are read, so that a file of millions of rows is never held as rows.
class RegistrationSink {
 public:
  virtual ~RegistrationSink() = default;
  virtual void row(core::RegistrationRow&& row) = 0;
  virtual void error(RowError&& error) = 0;
  // After each record: the reader will never again look at the first `bytes` bytes of the
  // content, so a caller streaming a file may let them go (and show how far it has got).
  virtual void consumed(std::size_t /*bytes*/) {}
};

// Streams the file into `sink`; returns the file-level error, if any. A file-level error may be
// found only at the end (a file that is not UTF-8 at all): rows already delivered must then be
// discarded by the caller.
std::optional<core::Error> read_registrations(std::string_view content, RegistrationFormat format,
                                              RegistrationSink& sink);

// kAuto: JSON Lines when the first non-blank character is '{', else CSV.
ParsedRegistrations parse_registrations(std::string_view content,
                                        RegistrationFormat format = RegistrationFormat::kAuto);

}  // namespace onshi::ingest
