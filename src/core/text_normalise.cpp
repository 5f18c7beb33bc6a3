#include "core/text_normalise.hpp"

#include <array>
#include <cstddef>
#include <cstdint>
#include <vector>

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

void append_utf8(std::string& out, std::uint32_t cp) {
  if (cp < 0x80u) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800u) {
    out.push_back(static_cast<char>(0xC0u | (cp >> 6)));
    out.push_back(static_cast<char>(0x80u | (cp & 0x3Fu)));
  } else if (cp < 0x10000u) {
    out.push_back(static_cast<char>(0xE0u | (cp >> 12)));
    out.push_back(static_cast<char>(0x80u | ((cp >> 6) & 0x3Fu)));
    out.push_back(static_cast<char>(0x80u | (cp & 0x3Fu)));
  } else {
    out.push_back(static_cast<char>(0xF0u | (cp >> 18)));
    out.push_back(static_cast<char>(0x80u | ((cp >> 12) & 0x3Fu)));
    out.push_back(static_cast<char>(0x80u | ((cp >> 6) & 0x3Fu)));
    out.push_back(static_cast<char>(0x80u | (cp & 0x3Fu)));
  }
}

constexpr bool is_any_digit(std::uint32_t cp) {
  return (cp >= '0' && cp <= '9') || (cp >= 0xFF10u && cp <= 0xFF19u);
}

// Table N2, "spaces" and "zero-width and format characters": dropped.
constexpr bool is_space_like(std::uint32_t cp) {
  return cp == ' ' || cp == '\t' || cp == 0xA0u || cp == 0x1680u ||
         (cp >= 0x2000u && cp <= 0x200Du) || cp == 0x202Fu || cp == 0x205Fu || cp == 0x2060u ||
         cp == 0x3000u || cp == 0xFEFFu;
}

// Table N2, "dashes" (after full-width ASCII is folded): dropped.
constexpr bool is_dash_like(std::uint32_t cp) {
  return cp == '-' || cp == '~' || (cp >= 0x2010u && cp <= 0x2015u) || cp == 0x2043u ||
         cp == 0x2053u || cp == 0x2212u || cp == 0x301Cu || cp == 0x30A0u || cp == 0xFE58u ||
         cp == 0xFE63u;
}

constexpr bool is_variation_selector(std::uint32_t cp) {
  return (cp >= 0xFE00u && cp <= 0xFE0Fu) || (cp >= 0xE0100u && cp <= 0xE01EFu);
}

constexpr std::uint32_t kProlongedSoundMark = 0x30FCu;      // ー
constexpr std::uint32_t kHalfProlongedSoundMark = 0xFF70u;  // ｰ

// Half-width katakana U+FF66..U+FF9D in order, as full-width katakana (U+FF70 ｰ is handled on
// its own, its cell here is never read).
constexpr std::array<std::uint16_t, 0xFF9Du - 0xFF66u + 1> kHalfKatakana{
    0x30F2, 0x30A1, 0x30A3, 0x30A5, 0x30A7, 0x30A9, 0x30E3, 0x30E5, 0x30E7, 0x30C3,  // ｦｧｨｩｪｫｬｭｮｯ
    0x30FC, 0x30A2, 0x30A4, 0x30A6, 0x30A8, 0x30AA, 0x30AB, 0x30AD, 0x30AF, 0x30B1,  // ｰｱｲｳｴｵｶｷｸｹ
    0x30B3, 0x30B5, 0x30B7, 0x30B9, 0x30BB, 0x30BD, 0x30BF, 0x30C1, 0x30C4, 0x30C6,  // ｺｻｼｽｾｿﾀﾁﾂﾃ
    0x30C8, 0x30CA, 0x30CB, 0x30CC, 0x30CD, 0x30CE, 0x30CF, 0x30D2, 0x30D5, 0x30D8,  // ﾄﾅﾆﾇﾈﾉﾊﾋﾌﾍ
    0x30DB, 0x30DE, 0x30DF, 0x30E0, 0x30E1, 0x30E2, 0x30E4, 0x30E6, 0x30E8, 0x30E9,  // ﾎﾏﾐﾑﾒﾓﾔﾕﾖﾗ
    0x30EA, 0x30EB, 0x30EC, 0x30ED, 0x30EF, 0x30F3,  // ﾘﾙﾚﾛﾜﾝ
};

enum class Mark : std::uint8_t { kNone, kVoiced, kSemiVoiced };

constexpr Mark mark_of(std::uint32_t cp) {
  if (cp == 0xFF9Eu || cp == 0x309Bu || cp == 0x3099u) return Mark::kVoiced;      // ﾞ ゛ ◌゙
  if (cp == 0xFF9Fu || cp == 0x309Cu || cp == 0x309Au) return Mark::kSemiVoiced;  // ﾟ ゜ ◌゚
  return Mark::kNone;
}

// The kana that `base` + a (semi-)voiced mark composes to, or 0 when it has none.
constexpr std::uint32_t compose(std::uint32_t base, Mark mark) {
  // か..と / カ..ト: the voiced form is the next code point for every other letter, except
  // that っ/ッ sits between ち and つ.
  for (std::uint32_t offset : {0u, 0x60u}) {  // hiragana, then katakana
    const std::uint32_t b = base - offset;
    if (mark == Mark::kVoiced) {
      const bool ka_to = (b >= 0x304Bu && b <= 0x3062u && (b - 0x304Bu) % 2 == 0) || b == 0x3064u ||
                         b == 0x3066u || b == 0x3068u;
      if (ka_to) return base + 1;
      if (b >= 0x306Fu && b <= 0x307Bu && (b - 0x306Fu) % 3 == 0) return base + 1;  // は行
    } else if (b >= 0x306Fu && b <= 0x307Bu && (b - 0x306Fu) % 3 == 0) {
      return base + 2;  // ぱ行
    }
  }
  if (mark != Mark::kVoiced) return 0;
  switch (base) {
    case 0x3046u:  // う
      return 0x3094u;
    case 0x309Du:  // ゝ
      return 0x309Eu;
    case 0x30A6u:  // ウ
      return 0x30F4u;
    case 0x30EFu:  // ワ ヰ ヱ ヲ
    case 0x30F0u:
    case 0x30F1u:
    case 0x30F2u:
      return base + 8;
    case 0x30FDu:  // ヽ
      return 0x30FEu;
    default:
      return 0;
  }
}

}  // namespace

std::string match_key(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  // The last character written, and where it starts in `out`, so a voiced mark can replace it.
  std::uint32_t last = kInvalid;
  std::size_t last_at = 0;
  std::uint32_t previous_input = kInvalid;  // neighbours are judged on the input (direction-free)
  std::size_t pos = 0;
  while (pos < text.size()) {
    const Decoded here = decode_at(text, pos);
    const std::size_t next_pos = pos + here.length;
    std::uint32_t cp = here.code_point;
    const std::uint32_t input_cp = cp;
    auto emit = [&](std::uint32_t c) {
      last = c;
      last_at = out.size();
      append_utf8(out, c);
    };
    if (cp == kInvalid) {
      out.push_back(text[pos]);
      last = kInvalid;
    } else {
      if (cp >= 0xFF01u && cp <= 0xFF5Eu) cp -= 0xFEE0u;  // full-width ASCII
      if (cp >= 'a' && cp <= 'z') cp -= 'a' - 'A';
      const Mark mark = mark_of(cp);
      if (is_space_like(cp) || is_dash_like(cp) || is_variation_selector(cp)) {
        last = kInvalid;  // dropped; a mark after it has no letter to join
      } else if (cp == kProlongedSoundMark || cp == kHalfProlongedSoundMark) {
        const bool by_digit =
            is_any_digit(previous_input) ||
            (next_pos < text.size() && is_any_digit(decode_at(text, next_pos).code_point));
        if (by_digit)
          last = kInvalid;
        else
          emit(kProlongedSoundMark);
      } else if (mark != Mark::kNone) {
        const std::uint32_t composed = last == kInvalid ? 0 : compose(last, mark);
        if (composed) {
          out.resize(last_at);
          emit(composed);
        } else {
          last = kInvalid;
        }
      } else if (cp >= 0xFF66u && cp <= 0xFF9Du) {
        emit(kHalfKatakana[cp - 0xFF66u]);
      } else {
        emit(cp);
      }
    }
    previous_input = input_cp;
    pos = next_pos;
  }
  return out;
}

std::string digits_only(std::string_view text) {
  std::string key = match_key(text);
  for (char c : key)
    if (c < '0' || c > '9') return {};
  return key;
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
