#include "ingest/registration_file.hpp"

#include <algorithm>
#include <bitset>
#include <cstring>
#include <nlohmann/json.hpp>
#include <string>

#include "ingest/csv_reader.hpp"

namespace onshi::ingest {
namespace {

using core::ErrorCode;
using core::RegistrationField;
using F = RegistrationField;

bool is_blank(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

RegistrationFormat detect(std::string_view content) {
  for (char c : skip_bom(content))
    if (!is_blank(c)) return c == '{' ? RegistrationFormat::kJsonLines : RegistrationFormat::kCsv;
  return RegistrationFormat::kCsv;
}

// A reserve saves the regrowth copies of a vector that may reach a million rows of over a
// kilobyte each. Capped by bytes so that a file of empty lines cannot ask for terabytes.
std::size_t expected_rows(std::string_view content) {
  if (content.empty()) return 1;  // memchr must not see the null data() of an empty view
  std::size_t lines = 1;
  // memchr rather than std::count: glibc's is vectorised, the -O2 loop is not.
  for (const char *p = content.data(), *end = p + content.size();
       (p = static_cast<const char*>(std::memchr(p, '\n', static_cast<std::size_t>(end - p)))); ++p)
    ++lines;
  return std::min(lines, content.size() / 32 + 1);
}

void set_value(core::RegistrationRow& row, std::size_t field, std::string_view value) {
  value = trim_spaces(value);
  if (!value.empty()) row.fields[field].emplace(value);
}

std::optional<core::Error> finish_encoding(const EncodingTally& tally) {
  if (!tally.not_utf8_at_all()) return std::nullopt;
  return tally.file_error();
}

// ---------------------------------------------------------------------------------------- CSV

std::optional<core::Error> parse_csv(std::string_view content, RegistrationSink& sink) {
  CsvReader reader(content);
  CsvRecord record;
  if (!reader.next(record)) {
    return core::make_error(ErrorCode::kFileHeaderInvalid,
                            "the file is empty: a header line naming "
                            "the columns is required");
  }
  if (classify_utf8(record.raw) == TextKind::kInvalid) {
    return core::make_error(ErrorCode::kFileEncoding,
                            "the header line is not valid UTF-8; save the file as UTF-8 "
                            "(Shift_JIS is not accepted)");
  }
  std::vector<std::size_t> column_field;
  const auto header_error = map_header(
      record, core::kRegistrationFieldCount,
      [](std::string_view name) -> std::optional<std::size_t> {
        if (auto f = core::field_from_name(name)) return static_cast<std::size_t>(*f);
        return std::nullopt;
      },
      [](std::size_t i) {
        const auto f = static_cast<F>(i);
        return f == F::kEvent || f == F::kInsurerNumber || f == F::kNumber;
      },
      [](std::size_t i) { return std::string(core::field_name(static_cast<F>(i))); }, column_field);
  if (header_error) return *header_error;

  EncodingTally tally;
  while (reader.next(record)) {
    sink.consumed(reader.start_of_record());
    if (!tally.check(record.raw)) {
      sink.error(
          {record.line, core::make_error(ErrorCode::kFileEncoding, "line is not valid UTF-8")});
      continue;
    }
    if (record.error) {
      sink.error({record.line, *record.error});
      continue;
    }
    if (record.fields.size() != column_field.size()) {
      sink.error({record.line, core::make_error(ErrorCode::kRowColumnCount,
                                                "line has " + std::to_string(record.fields.size()) +
                                                    " fields, the header has " +
                                                    std::to_string(column_field.size()))});
      continue;
    }
    core::RegistrationRow row;
    row.line = record.line;
    for (std::size_t c = 0; c < column_field.size(); ++c)
      set_value(row, column_field[c], record.fields[c]);
    sink.row(std::move(row));
  }
  sink.consumed(content.size());
  return finish_encoding(tally);
}

// ---------------------------------------------------------------------------------- JSON Lines

// Fills a row straight from the parser's events: no DOM per line, and duplicate keys (which a
// DOM would silently collapse to the last one) are caught.
class RowSax {
 public:
  using json = nlohmann::json;
  explicit RowSax(core::RegistrationRow& row) : row_(row) {}
  const std::optional<core::Error>& error() const { return error_; }

  bool null() {
    if (depth_ == 0) return not_object();
    return true;  // null means absent
  }
  bool boolean(bool) { return bad_value("must be a string, an integer or null"); }
  bool number_integer(json::number_integer_t v) { return text(std::to_string(v)); }
  bool number_unsigned(json::number_unsigned_t v) { return text(std::to_string(v)); }
  bool number_float(json::number_float_t, const json::string_t&) {
    return bad_value("numbers must be integers; write dates and codes as strings");
  }
  bool string(json::string_t& v) {
    if (depth_ == 0) return not_object();
    const std::string_view trimmed = trim_spaces(v);
    if (trimmed.empty()) return true;
    if (trimmed.size() == v.size())
      row_.fields[current_].emplace(std::move(v));
    else
      row_.fields[current_].emplace(trimmed);
    return true;
  }
  bool binary(json::binary_t&) { return bad_value("must be a string, an integer or null"); }
  bool start_object(std::size_t) {
    if (depth_ == 0) {
      depth_ = 1;
      return true;
    }
    return bad_value("must be a string, an integer or null");
  }
  bool key(json::string_t& name) {
    const auto f = core::field_from_name(name);
    if (!f) return fail(ErrorCode::kRowFieldInvalid, "unknown key " + describe_name(name));
    current_ = static_cast<std::size_t>(*f);
    if (seen_[current_])
      return fail(ErrorCode::kRowFieldInvalid, "duplicate key " + describe_name(name));
    seen_[current_] = true;
    return true;
  }
  bool end_object() {
    depth_ = 0;
    return true;
  }
  bool start_array(std::size_t) {
    if (depth_ == 0) return not_object();
    return bad_value("must be a string, an integer or null");
  }
  bool end_array() { return true; }
  bool parse_error(std::size_t position, const std::string&, const nlohmann::detail::exception&) {
    // The parser's own message quotes the offending token, which may be personal data.
    if (!error_)
      error_ = core::make_error(
          ErrorCode::kRowFieldInvalid,
          "line is not a JSON object (invalid JSON near byte " + std::to_string(position) + ")");
    return false;
  }

 private:
  bool text(std::string value) {
    if (depth_ == 0) return not_object();
    row_.fields[current_].emplace(std::move(value));
    return true;
  }
  bool not_object() { return fail(ErrorCode::kRowFieldInvalid, "line is not a JSON object"); }
  bool bad_value(std::string_view why) {
    if (depth_ == 0) return not_object();
    return fail(ErrorCode::kRowFieldInvalid,
                "field '" + std::string(core::field_name(static_cast<F>(current_))) +
                    "': " + std::string(why));
  }
  bool fail(ErrorCode code, std::string detail) {
    if (!error_) error_ = core::make_error(code, std::move(detail));
    return false;
  }

  core::RegistrationRow& row_;
  std::optional<core::Error> error_;
  int depth_ = 0;
  std::size_t current_ = 0;
  std::bitset<core::kRegistrationFieldCount> seen_;
};

std::optional<core::Error> parse_json_lines(std::string_view content, RegistrationSink& sink) {
  const std::string_view text = skip_bom(content);
  EncodingTally tally;
  std::size_t line_number = 0;
  std::size_t pos = 0;
  while (pos < text.size()) {
    ++line_number;
    const void* nl = std::memchr(text.data() + pos, '\n', text.size() - pos);
    const std::size_t end =
        nl ? static_cast<std::size_t>(static_cast<const char*>(nl) - text.data()) : text.size();
    sink.consumed(content.size() - text.size() + pos);
    std::string_view line = text.substr(pos, end - pos);
    pos = end + 1;
    if (std::all_of(line.begin(), line.end(), is_blank)) continue;
    if (!tally.check(line)) {
      sink.error(
          {line_number, core::make_error(ErrorCode::kFileEncoding, "line is not valid UTF-8")});
      continue;
    }
    core::RegistrationRow row;
    row.line = line_number;
    RowSax sax(row);
    const bool ok = nlohmann::json::sax_parse(line.begin(), line.end(), &sax);
    if (!ok || sax.error()) {
      sink.error({line_number, sax.error() ? *sax.error()
                                           : core::make_error(ErrorCode::kRowFieldInvalid,
                                                              "line is not a JSON object")});
      continue;
    }
    sink.row(std::move(row));
  }
  sink.consumed(content.size());
  return finish_encoding(tally);
}

// Collects everything, for callers that want the whole file at once.
class CollectingSink : public RegistrationSink {
 public:
  explicit CollectingSink(ParsedRegistrations& out) : out_(out) {}
  void row(core::RegistrationRow&& row) override { out_.rows.push_back(std::move(row)); }
  void error(RowError&& error) override { out_.errors.push_back(std::move(error)); }

 private:
  ParsedRegistrations& out_;
};

}  // namespace

std::optional<core::Error> read_registrations(std::string_view content, RegistrationFormat format,
                                              RegistrationSink& sink) {
  if (format == RegistrationFormat::kAuto) format = detect(content);
  return format == RegistrationFormat::kJsonLines ? parse_json_lines(content, sink)
                                                  : parse_csv(content, sink);
}

ParsedRegistrations parse_registrations(std::string_view content, RegistrationFormat format) {
  ParsedRegistrations out;
  out.rows.reserve(expected_rows(skip_bom(content)));
  CollectingSink sink(out);
  out.file_error = read_registrations(content, format, sink);
  if (out.file_error) out.rows.clear();
  return out;
}

}  // namespace onshi::ingest
