#pragma once
// Normalisation of what people type at a front desk: full-width digits and letters, the many
// hyphen and dash look-alikes, and spaces (half- and full-width). Matching is done on the
// normalised form; the registered form is always what is returned.
#include <string>
#include <string_view>

namespace onshi::core {

// Folds full-width ASCII (U+FF01..U+FF5E) to ASCII, the ideographic space U+3000 to ' ',
// hyphen look-alikes (U+2010..U+2015, U+2212, U+FF0D, U+FE63, U+FF70, and U+30FC when next to
// a digit) to '-'. Other characters (kana, kanji, variation selectors) pass through unchanged.
// Invalid UTF-8 bytes pass through unchanged.
std::string fold_width(std::string_view text);

// fold_width, then drop spaces, tabs and hyphens: the key used to match card symbols/numbers.
std::string match_key(std::string_view text);

// fold_width, then keep only if every remaining character (after dropping spaces and hyphens)
// is an ASCII digit; returns "" otherwise.
std::string digits_only(std::string_view text);

// True when the bytes are well-formed UTF-8 (no overlongs, no surrogates, <= U+10FFFF).
bool is_valid_utf8(std::string_view text);

}  // namespace onshi::core
