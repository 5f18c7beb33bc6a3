#pragma once
// A small RFC 4180 reader shared by the registration and reference-list parsers, plus the bits
// of line handling both file formats need (UTF-8 checks, trimming, safe column names in
// error details).
//
// Accepted: fields quoted with '"' ("" inside is one quote) that may hold commas and line
// breaks, CRLF or LF line endings, a UTF-8 BOM at the very start. Leniencies, because these
// files are often edited by hand: spaces around a quoted field are ignored, and a '"' inside an
// unquoted field is kept as an ordinary character. Blank lines (empty or spaces/tabs only) are
// not records.
#include <cstddef>
#include <deque>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"

namespace onshi::ingest {

struct CsvRecord {
  std::size_t line = 0;  // 1-based line on which the record starts
  std::string_view raw;  // the record's bytes, line ending excluded
  // Valid until the next call to CsvReader::next (they may point into the reader's buffer).
  std::vector<std::string_view> fields;
  // Set when the quoting is malformed; the fields are then not to be trusted.
  std::optional<core::Error> error;
};

class CsvReader {
 public:
  explicit CsvReader(std::string_view content);
  // Reads the next record into `record`; false at the end of the input. Never loops forever:
  // every call consumes at least one byte or returns false. An unterminated quote makes the
  // record run to the end of the file (there is no sound place to resume), with `error` set.
  bool next(CsvRecord& record);
  // Where the record next() returned last starts, as an offset in the content given to the
  // constructor: the reader never looks at the bytes before it again.
  std::size_t start_of_record() const { return skipped_ + record_start_; }

 private:
  // A buffer for one field that held "" (the others are views into the input). A deque, so
  // that growing it never moves the strings earlier fields of the record point into.
  std::string& next_buffer();

  std::string_view text_;
  std::size_t skipped_ = 0;  // the BOM's bytes
  std::size_t record_start_ = 0;
  std::size_t pos_ = 0;
  std::size_t line_ = 1;
  std::deque<std::string> unescaped_;
  std::size_t unescaped_used_ = 0;
};

// The input without a leading UTF-8 BOM.
std::string_view skip_bom(std::string_view content);

// Surrounding ASCII spaces and tabs removed.
std::string_view trim_spaces(std::string_view text);

enum class TextKind { kAscii, kUtf8, kInvalid };
// kAscii fast for the common case; kUtf8 when there are well-formed multi-byte characters.
TextKind classify_utf8(std::string_view text);

// Tells "this file is not UTF-8 at all" (Shift_JIS, say: a file-level error, so that an insurer
// gets one clear message instead of an error on every line) from a few damaged lines.
class EncodingTally {
 public:
  // Returns false when the text is not valid UTF-8.
  bool check(std::string_view text);
  // Some lines were invalid and none held well-formed non-ASCII text.
  bool not_utf8_at_all() const { return invalid_ > 0 && utf8_ == 0; }
  core::Error file_error() const;

 private:
  std::size_t invalid_ = 0;
  std::size_t utf8_ = 0;
};

// A column or key name as it may appear in an error detail: quoted, control characters
// replaced, at most ~40 bytes (cut on a character boundary).
std::string describe_name(std::string_view name);

// Maps each column of a header record to a known name through `lookup` (name -> index below
// `known_count`, or nullopt). Unknown, unnamed or duplicated columns are errors; so is a
// required name (`required` returns true for it) that no column carries. On success
// `column_to_index` holds one entry per column.
template <typename Lookup, typename Required, typename NameOf>
std::optional<core::Error> map_header(const CsvRecord& header, std::size_t known_count,
                                      Lookup lookup, Required required, NameOf name_of,
                                      std::vector<std::size_t>& column_to_index) {
  auto error = [](std::string detail) {
    return core::make_error(core::ErrorCode::kFileHeaderInvalid, std::move(detail));
  };
  if (header.error) return error("header line: " + header.error->detail);
  std::vector<bool> seen(known_count, false);
  column_to_index.clear();
  for (std::size_t c = 0; c < header.fields.size(); ++c) {
    const std::string_view name = trim_spaces(header.fields[c]);
    if (name.empty()) return error("header column " + std::to_string(c + 1) + " has no name");
    const std::optional<std::size_t> index = lookup(name);
    if (!index) return error("unknown column " + describe_name(name));
    if (seen[*index]) return error("duplicate column " + describe_name(name));
    seen[*index] = true;
    column_to_index.push_back(*index);
  }
  for (std::size_t i = 0; i < known_count; ++i)
    if (!seen[i] && required(i)) return error("missing required column '" + name_of(i) + "'");
  return std::nullopt;
}

}  // namespace onshi::ingest
