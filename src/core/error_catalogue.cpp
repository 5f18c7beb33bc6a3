#include "core/error_catalogue.hpp"

#include <array>
#include <cstddef>

namespace onshi::core {
namespace {

using E = ErrorCode;
constexpr std::size_t kCount = static_cast<std::size_t>(E::kCount_);

// Indexed by ErrorCode: both are expanded from the same list, in the same order.
constexpr std::array<ErrorInfo, kCount> kCatalogue{{
#define ONSHI_ERROR(identifier, code, http_status, message_ja, message_en, remedy_ja, remedy_en) \
  {code, http_status, message_ja, message_en, remedy_ja, remedy_en},
#include "core/error_catalogue.def"
#undef ONSHI_ERROR
}};

// The enum identifiers as written in the list, to check the wire codes against them.
constexpr std::array<std::string_view, kCount> kIdentifiers{{
#define ONSHI_ERROR(identifier, code, http_status, message_ja, message_en, remedy_ja, remedy_en) \
#identifier,
#include "core/error_catalogue.def"
#undef ONSHI_ERROR
}};

constexpr bool is_upper(char c) {
  return c >= 'A' && c <= 'Z';
}

// kInsurerNumberCheckDigit <-> INSURER_NUMBER_CHECK_DIGIT: one rule, so that a wire code is
// never a typo nobody notices, and the code is found from the identifier and back by eye.
constexpr bool wire_code_matches(std::string_view identifier, std::string_view code) {
  if (identifier.size() < 2 || identifier[0] != 'k' || !is_upper(identifier[1])) return false;
  std::size_t j = 0;
  for (std::size_t i = 1; i < identifier.size(); ++i) {
    char c = identifier[i];
    if (is_upper(c) && i > 1) {
      if (j >= code.size() || code[j++] != '_') return false;
    }
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    if (j >= code.size() || code[j++] != c) return false;
  }
  return j == code.size();
}

constexpr bool wire_codes_follow_identifiers() {
  for (std::size_t i = 0; i < kCount; ++i)
    if (!wire_code_matches(kIdentifiers[i], kCatalogue[i].code)) return false;
  return true;
}

constexpr bool wire_codes_unique() {
  for (std::size_t i = 0; i < kCount; ++i)
    for (std::size_t j = i + 1; j < kCount; ++j)
      if (kCatalogue[i].code == kCatalogue[j].code) return false;
  return true;
}

static_assert(wire_code_matches("kInsurerNumberCheckDigit", "INSURER_NUMBER_CHECK_DIGIT"));
static_assert(!wire_code_matches("kInsurerNumberCheckDigit", "INSURER_NUMBER_CHECKDIGIT"));
static_assert(wire_codes_follow_identifiers(),
              "error_catalogue.def: a wire code is not its identifier in UPPER_SNAKE_CASE");
static_assert(wire_codes_unique(), "error_catalogue.def: two entries have the same wire code");

// A table cell: a '|' in a text would end the cell.
void append_cell(std::string& out, std::string_view text) {
  for (char c : text) {
    if (c == '|') out += '\\';
    out += c;
  }
}

}  // namespace

const ErrorInfo& error_info(ErrorCode code) {
  const auto i = static_cast<std::size_t>(code);
  return kCatalogue[i < kCount ? i : static_cast<std::size_t>(E::kInternal)];
}

int error_count() {
  return static_cast<int>(kCount);
}

std::string error_catalogue_markdown() {
  std::string out =
      "| code | HTTP | message (en) | message (ja) | what to do |\n|---|---|---|---|---|\n";
  for (const ErrorInfo& e : kCatalogue) {
    out += "| `";
    out += e.code;
    out += "` | ";
    out += std::to_string(e.http_status);
    out += " | ";
    append_cell(out, e.message_en);
    out += " | ";
    append_cell(out, e.message_ja);
    out += " | ";
    append_cell(out, e.remedy_en);
    out += " |\n";
  }
  return out;
}

}  // namespace onshi::core
