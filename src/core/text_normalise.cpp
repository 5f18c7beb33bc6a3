#include "core/text_normalise.hpp"

#include <cstddef>
#include <cstdint>

namespace onshi::core {
namespace {

// A decoded character, or one byte that is not part of a well-formed sequence. Invalid bytes
// are reported one at a time so that the caller can copy them through and resynchronise on the
// very next byte: a truncated sequence must not swallow the character that follows it.
struct Decoded {
  std::uint32_t code_point;  // kInvalid for a stray byte
  std::size_t length;        // bytes consumed, >= 1
};
constexpr std::uint32_t kInvalid = 0xFFFFFFFFu;

constexpr bool is_continuation(unsigned char byte) {
  return (byte & 0xC0u) == 0x80u;
}

// Strict per RFC 3629 / Unicode Table 3-7: the second-byte ranges after E0, ED, F0 and F4 are
// what exclude overlongs, surrogates and code points above U+10FFFF.
Decoded decode_at(std::string_view text, std::size_t pos) {
  const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(text[pos + i]); };
  const std::size_t left = text.size() - pos;
  const unsigned char b0 = byte(0);
  if (b0 < 0x80u) return {b0, 1};

  std::size_t length = 0;
  unsigned char low = 0x80u;
  unsigned char high = 0xBFu;
  std::uint32_t cp = 0;
  if (b0 >= 0xC2u && b0 <= 0xDFu) {
    length = 2;
    cp = b0 & 0x1Fu;
  } else if (b0 >= 0xE0u && b0 <= 0xEFu) {
    length = 3;
    cp = b0 & 0x0Fu;
    if (b0 == 0xE0u) low = 0xA0u;
    if (b0 == 0xEDu) high = 0x9Fu;
  } else if (b0 >= 0xF0u && b0 <= 0xF4u) {
    length = 4;
    cp = b0 & 0x07u;
    if (b0 == 0xF0u) low = 0x90u;
    if (b0 == 0xF4u) high = 0x8Fu;
  } else {
    return {kInvalid, 1};
  }
  if (left < length) return {kInvalid, 1};
  const unsigned char b1 = byte(1);
  if (b1 < low || b1 > high) return {kInvalid, 1};
  cp = (cp << 6) | (b1 & 0x3Fu);
  for (std::size_t i = 2; i < length; ++i) {
    if (!is_continuation(byte(i))) return {kInvalid, 1};
    cp = (cp << 6) | (byte(i) & 0x3Fu);
  }
  return {cp, length};
}

constexpr bool is_any_digit(std::uint32_t cp) {
  return (cp >= '0' && cp <= '9') || (cp >= 0xFF10u && cp <= 0xFF19u);
}

constexpr bool is_hyphen_like(std::uint32_t cp) {
  return (cp >= 0x2010u && cp <= 0x2015u) || cp == 0x2212u || cp == 0xFF0Du || cp == 0xFE63u ||
         cp == 0xFF70u;
}

constexpr std::uint32_t kProlongedSoundMark = 0x30FCu;  // ー

// Backing store for one-character pieces, so that every piece handed to a sink is a view.
constexpr std::string_view kAsciiTable =
    " !\"#$%&'()*+,-./"
    "0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefghijklmnopqrstuvwxyz{|}~";

constexpr bool ascii_table_is_exact() {
  for (std::size_t i = 0; i < kAsciiTable.size(); ++i) {
    if (static_cast<unsigned char>(kAsciiTable[i]) != ' ' + i) return false;
  }
  return kAsciiTable.size() == 0x7Fu - ' ';
}
static_assert(ascii_table_is_exact());

constexpr std::string_view ascii_piece(std::uint32_t c) {
  return kAsciiTable.substr(c - ' ', 1);
}

// Walks `text` and hands `sink` each folded piece: a one-byte ASCII replacement, or the
// original bytes of a character (or of one invalid byte) left alone. The three public
// functions share it so that they cannot disagree, and so that the parsers' digits_only does
// not build an intermediate string. A sink returns false to stop early.
template <typename Sink>
void fold_each(std::string_view text, Sink&& sink) {
  // 'ー' is an ordinary katakana letter in names and symbols, so it is only read as a hyphen
  // where it sits against a digit, i.e. where an IME turned a typed '-' into it. Neighbours are
  // judged on the input, not on what has been folded so far, so the result does not depend on
  // scanning direction.
  std::uint32_t previous = kInvalid;
  std::size_t pos = 0;
  while (pos < text.size()) {
    const Decoded here = decode_at(text, pos);
    const std::size_t next_pos = pos + here.length;
    const std::uint32_t cp = here.code_point;
    std::string_view piece;
    if (cp >= 0xFF01u && cp <= 0xFF5Eu) {
      piece = ascii_piece(cp - 0xFEE0u);
    } else if (cp == 0x3000u) {
      piece = ascii_piece(' ');
    } else if (is_hyphen_like(cp)) {
      piece = ascii_piece('-');
    } else if (cp == kProlongedSoundMark &&
               (is_any_digit(previous) ||
                (next_pos < text.size() && is_any_digit(decode_at(text, next_pos).code_point)))) {
      piece = ascii_piece('-');
    } else {
      piece = text.substr(pos, here.length);
    }
    if (!sink(piece)) return;
    previous = cp;
    pos = next_pos;
  }
}

constexpr bool is_one_of(std::string_view piece, std::string_view chars) {
  return piece.size() == 1 && chars.find(piece[0]) != std::string_view::npos;
}

}  // namespace

std::string fold_width(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  fold_each(text, [&](std::string_view piece) {
    out.append(piece);
    return true;
  });
  return out;
}

std::string match_key(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  fold_each(text, [&](std::string_view piece) {
    if (!is_one_of(piece, " \t-")) out.append(piece);
    return true;
  });
  return out;
}

std::string digits_only(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  bool all_digits = true;
  fold_each(text, [&](std::string_view piece) {
    if (is_one_of(piece, " -")) return true;
    if (piece.size() != 1 || piece[0] < '0' || piece[0] > '9') {
      all_digits = false;
      return false;
    }
    out.push_back(piece[0]);
    return true;
  });
  if (!all_digits) return {};
  return out;
}

bool is_valid_utf8(std::string_view text) {
  std::size_t pos = 0;
  while (pos < text.size()) {
    const Decoded here = decode_at(text, pos);
    if (here.code_point == kInvalid) return false;
    pos += here.length;
  }
  return true;
}

}  // namespace onshi::core
