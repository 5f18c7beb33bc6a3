#pragma once
// The one normalisation of what people type at a front desk (docs/eligibility-rules.md, N2):
// width, case, half-width katakana and voiced marks, every space, dash, zero-width and
// variation-selector look-alike. Matching is done on this form; the registered form is always
// what is returned. Parsers of digits use it too, so the registry, the index and every adapter
// agree on what "the same key" means.
#include <string>
#include <string_view>

namespace onshi::core {

// The matching form of a card symbol, card number, name or code (table N2). Invalid UTF-8 bytes
// are kept as they are, so two different invalid inputs never fold together.
std::string match_key(std::string_view text);

// match_key, kept only if it consists of ASCII digits alone; "" otherwise (and for "").
std::string digits_only(std::string_view text);

// True when the bytes are well-formed UTF-8 (no overlongs, no surrogates, <= U+10FFFF).
bool is_valid_utf8(std::string_view text);

}  // namespace onshi::core
