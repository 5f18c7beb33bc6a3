// Every parser of core/identifiers.hpp and the width folding they rest on. Canonical forms
// must parse back to themselves; folding must keep valid UTF-8 valid.
#include <algorithm>

#include "core/identifiers.hpp"
#include "core/text_normalise.hpp"
#include "fuzz_common.hpp"

namespace {

bool all_digits(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const unsigned char* data, std::size_t size) {
  using namespace onshi::core;
  const auto text = onshi::fuzz::as_text(data, size);

  const std::string key = match_key(text);
  if (is_valid_utf8(text)) ONSHI_FUZZ_CHECK(is_valid_utf8(key));
  ONSHI_FUZZ_CHECK(key.size() <= text.size());  // no character grows (ｱ and ア are 3 bytes)
  ONSHI_FUZZ_CHECK(key.find_first_of(" \t-~abcdefghijklmnopqrstuvwxyz") == std::string::npos);
  ONSHI_FUZZ_CHECK(all_digits(digits_only(text)));

  if (const auto n = parse_insurer_number(text)) {
    ONSHI_FUZZ_CHECK((n->digits.size() == 6 || n->digits.size() == 8) && all_digits(n->digits));
    const auto again = parse_insurer_number(n->digits);
    ONSHI_FUZZ_CHECK(again.ok() && again->digits == n->digits);
    ONSHI_FUZZ_CHECK(n->padded8().size() == 8);
    ONSHI_FUZZ_CHECK(make_insurer_number(
                         std::string_view(n->digits).substr(0, n->digits.size() - 1)) == n->digits);
  }
  if (const auto c = parse_facility_code(text)) {
    ONSHI_FUZZ_CHECK(c->digits.size() == 10 && all_digits(c->digits));
    ONSHI_FUZZ_CHECK(c->prefecture() >= 1 && c->prefecture() <= 47);
    ONSHI_FUZZ_CHECK(c->fee_table() == 1 || c->fee_table() == 3 || c->fee_table() == 4);
    ONSHI_FUZZ_CHECK(make_facility_code(std::string_view(c->digits).substr(0, 9)) == c->digits);
  }
  if (const auto m = parse_my_number(text)) {
    ONSHI_FUZZ_CHECK(m->size() == 12 && all_digits(*m));
    ONSHI_FUZZ_CHECK(make_my_number(std::string_view(*m).substr(0, 11)) == *m);
  }
  if (const auto b = parse_branch(text)) {
    ONSHI_FUZZ_CHECK(b->size() == 2 && all_digits(*b));
    const auto again = parse_branch(*b);
    ONSHI_FUZZ_CHECK(again.ok() && *again == *b);
  }
  if (const auto p = parse_postcode(text)) {
    ONSHI_FUZZ_CHECK(p->size() == 8 && (*p)[3] == '-');
    const auto again = parse_postcode(*p);
    ONSHI_FUZZ_CHECK(again.ok() && *again == *p);
  }
  return 0;
}
