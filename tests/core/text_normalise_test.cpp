#include "core/text_normalise.hpp"

#include <gtest/gtest.h>

#include <cstddef>
#include <cstdint>
#include <random>
#include <string>
#include <string_view>
#include <vector>

namespace onshi::core {
namespace {

// Plain encoder, no validation: the tests use it to build both well-formed text and, for
// surrogates, deliberately ill-formed bytes.
std::string encode(std::uint32_t cp) {
  std::string s;
  if (cp < 0x80) {
    s += static_cast<char>(cp);
  } else if (cp < 0x800) {
    s += static_cast<char>(0xC0 | (cp >> 6));
    s += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    s += static_cast<char>(0xE0 | (cp >> 12));
    s += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    s += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    s += static_cast<char>(0xF0 | (cp >> 18));
    s += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    s += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    s += static_cast<char>(0x80 | (cp & 0x3F));
  }
  return s;
}

// Reference validator by a different route from the production one: decode permissively (any
// lead byte, any length), then insist that re-encoding gives back the same bytes (no overlong)
// and that the code point is a scalar value.
bool reference_valid_utf8(std::string_view text) {
  std::size_t i = 0;
  while (i < text.size()) {
    const auto b0 = static_cast<unsigned char>(text[i]);
    std::size_t len = 0;
    if (b0 < 0x80) {
      len = 1;
    } else if ((b0 & 0xE0) == 0xC0) {
      len = 2;
    } else if ((b0 & 0xF0) == 0xE0) {
      len = 3;
    } else if ((b0 & 0xF8) == 0xF0) {
      len = 4;
    } else {
      return false;
    }
    if (i + len > text.size()) return false;
    std::uint32_t cp = len == 1 ? b0 : (b0 & (0x7F >> len));
    for (std::size_t k = 1; k < len; ++k) {
      const auto b = static_cast<unsigned char>(text[i + k]);
      if ((b & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (b & 0x3F);
    }
    if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
    if (encode(cp) != text.substr(i, len)) return false;
    i += len;
  }
  return true;
}

// ---------------------------------------------------------------------------------------------
// match_key: one test per row of table N2 (docs/eligibility-rules.md), then the properties.

TEST(TextNormaliseMatchKey, FullWidthAsciiBecomesAscii) {
  for (std::uint32_t cp = 0xFF01; cp <= 0xFF5E; ++cp) {
    std::uint32_t ascii = cp - 0xFEE0;
    if (ascii == '-' || ascii == '~') continue;  // dashes: dropped (below)
    if (ascii >= 'a' && ascii <= 'z') ascii -= 'a' - 'A';
    EXPECT_EQ(match_key(encode(cp)), std::string(1, static_cast<char>(ascii))) << std::hex << cp;
  }
  EXPECT_EQ(match_key("１２Ａａ"), "12AA");
}

TEST(TextNormaliseMatchKey, LatinCaseIsFolded) {
  EXPECT_EQ(match_key("abc"), "ABC");
  EXPECT_EQ(match_key("ａＢｃ"), "ABC");
  EXPECT_EQ(match_key("café"), "CAFé");  // only a-z: other letters are not touched
}

TEST(TextNormaliseMatchKey, HalfWidthKatakanaBecomesFullWidth) {
  const std::string half = "ｦｧｨｩｪｫｬｭｮｯｱｲｳｴｵｶｷｸｹｺｻｼｽｾｿﾀﾁﾂﾃﾄﾅﾆﾇﾈﾉﾊﾋﾌﾍﾎﾏﾐﾑﾒﾓﾔﾕﾖﾗﾘﾙﾚﾛﾜﾝ";
  const std::string full =
      "ヲァィゥェォャュョッアイウエオカキクケコサシスセソタチツテトナニヌネノハヒフヘホマミムメモ"
      "ヤユヨラリルレロワン";
  EXPECT_EQ(match_key(half), full);
  EXPECT_EQ(match_key(full), full);
}

TEST(TextNormaliseMatchKey, VoicedMarksComposeWithTheKanaBeforeThem) {
  const std::string ga = "ガ";
  for (std::string typed : {"ｶﾞ", "カ゛", "カ\u3099", "ｶ\u3099", "ガ"})
    EXPECT_EQ(match_key(typed), ga);
  EXPECT_EQ(match_key("ﾊﾟ"), "パ");
  EXPECT_EQ(match_key("ハ\u309A"), "パ");
  EXPECT_EQ(match_key("ﾊﾞ"), "バ");
  EXPECT_EQ(match_key("ｳﾞ"), "ヴ");
  EXPECT_EQ(match_key("ﾜﾞ"), "ヷ");
  EXPECT_EQ(match_key("ｦﾞ"), "ヺ");
  EXPECT_EQ(match_key("か\u3099"), "が");  // hiragana too, and stays hiragana
  EXPECT_EQ(match_key("は゜"), "ぱ");
  EXPECT_EQ(match_key("ﾂﾞ"), "ヅ");
  EXPECT_EQ(match_key("ﾄﾞ"), "ド");
  // Every kana with a voiced form, typed half-width + ﾞ, matches the composed letter.
  const std::string base = "ｶｷｸｹｺｻｼｽｾｿﾀﾁﾂﾃﾄﾊﾋﾌﾍﾎ";
  const std::string voiced = "ガギグゲゴザジズゼゾダヂヅデドバビブベボ";
  std::string typed;
  for (std::size_t i = 0; i < base.size(); i += 3) typed += base.substr(i, 3) + "ﾞ";
  EXPECT_EQ(match_key(typed), voiced);
}

TEST(TextNormaliseMatchKey, StrayVoicedMarksAreDropped) {
  EXPECT_EQ(match_key("ﾞ"), "");
  EXPECT_EQ(match_key("アﾞ"), "ア");  // ア has no voiced form
  EXPECT_EQ(match_key("ガﾞ"), "ガ");  // nor has ガ
  EXPECT_EQ(match_key("1ﾞ2"), "12");
  EXPECT_EQ(match_key("カ ﾞ"), "カ");  // a dropped space leaves no letter to join
  EXPECT_EQ(match_key("ﾏﾟ"), "マ");    // マ has no semi-voiced form
}

TEST(TextNormaliseMatchKey, ProlongedSoundMarkIsALetterExceptBetweenDigits) {
  EXPECT_EQ(match_key("ｺｰﾄﾞ"), "コード");
  EXPECT_EQ(match_key("コード"), "コード");
  EXPECT_NE(match_key("ｺｰﾄﾞ"), match_key("ｺﾄﾞ"));
  EXPECT_EQ(match_key("12ー34"), "1234");
  EXPECT_EQ(match_key("12ｰ34"), "1234");
  EXPECT_EQ(match_key("１ー２"), "12");
  EXPECT_EQ(match_key("1ー"), "1");
  EXPECT_EQ(match_key("ー1"), "1");
  EXPECT_EQ(match_key("カー1"), "カ1");
  EXPECT_EQ(match_key("ラーメン"), "ラーメン");
  EXPECT_EQ(match_key("1 ー 2"), "1ー2");  // judged on the input: a space is not a digit
  EXPECT_EQ(match_key("①ー②"), "①ー②");
}

TEST(TextNormaliseMatchKey, EverySpaceAndInvisibleCharacterIsDropped) {
  for (std::uint32_t cp : {0x20u, 0x09u, 0xA0u, 0x1680u, 0x2000u, 0x2005u, 0x200Au, 0x202Fu,
                           0x205Fu, 0x3000u, 0x200Bu, 0x200Cu, 0x200Du, 0x2060u, 0xFEFFu}) {
    EXPECT_EQ(match_key("1" + encode(cp) + "2"), "12") << std::hex << cp;
  }
  EXPECT_EQ(match_key("a\nb"), "A\nB");  // a line break is not a space a clerk types
}

TEST(TextNormaliseMatchKey, EveryDashLookAlikeIsDropped) {
  for (std::uint32_t cp :
       {0x2Du, 0x7Eu, 0xFF0Du, 0xFF5Eu, 0x2010u, 0x2011u, 0x2012u, 0x2013u, 0x2014u, 0x2015u,
        0x2043u, 0x2053u, 0x2212u, 0x301Cu, 0x30A0u, 0xFE58u, 0xFE63u}) {
    EXPECT_EQ(match_key("1" + encode(cp) + "2"), "12") << std::hex << cp;
  }
  EXPECT_EQ(match_key("‖"), "‖");  // U+2016, just past the hyphen range
  EXPECT_EQ(match_key("_."), "_.");
}

TEST(TextNormaliseMatchKey, VariationSelectorsAreDropped) {
  EXPECT_EQ(match_key("渡邉\xf3\xa0\x84\x80"), "渡邉");  // + U+E0100
  EXPECT_EQ(match_key("葛\xef\xb8\x80"), "葛");          // + U+FE00
}

TEST(TextNormaliseMatchKey, NothingElseFolds) {
  // N3: hiragana and katakana, old and new kanji forms, other digits stay distinct.
  EXPECT_NE(match_key("あ"), match_key("ア"));
  EXPECT_NE(match_key("髙"), match_key("高"));
  EXPECT_NE(match_key("﨑"), match_key("崎"));
  EXPECT_EQ(match_key("𠮷田"), "𠮷田");
  EXPECT_EQ(match_key("①"), "①");
  EXPECT_EQ(match_key("〒"), "〒");
  EXPECT_EQ(match_key("\xff - \x80"), "\xff\x80");  // invalid bytes kept as they are
}

// ---------------------------------------------------------------------------------------------
// match_key properties: every typed variant of a registered key finds it; distinct keys stay
// distinct.

struct Letter {
  std::string canonical;              // as the registered key's match form has it
  std::vector<std::string> variants;  // every way N2 says it may be typed
};

// The alphabet of the property tests: each letter with the look-alikes the table folds to it.
const std::vector<Letter>& alphabet() {
  static const std::vector<Letter> letters = [] {
    std::vector<Letter> out;
    for (char c = '0'; c <= '9'; ++c)
      out.push_back({std::string(1, c), {std::string(1, c), encode(0xFF10 + (c - '0'))}});
    for (char c = 'A'; c <= 'Z'; ++c) {
      const std::string up(1, c), low(1, static_cast<char>(c - 'A' + 'a'));
      out.push_back({up, {up, low, encode(0xFF21 + (c - 'A')), encode(0xFF41 + (c - 'A'))}});
    }
    out.push_back({"ア", {"ア", "ｱ"}});
    out.push_back({"イ", {"イ", "ｲ"}});
    out.push_back({"カ", {"カ", "ｶ"}});
    out.push_back({"ガ", {"ガ", "ｶﾞ", "カ゛", "カ\u3099", "ｶ\u3099"}});
    out.push_back({"パ", {"パ", "ﾊﾟ", "ハ゜", "ハ\u309A"}});
    out.push_back({"ッ", {"ッ", "ｯ"}});
    out.push_back({"ツ", {"ツ", "ﾂ"}});
    out.push_back({"あ", {"あ"}});
    out.push_back({"が", {"が", "か\u3099", "か゛"}});
    out.push_back({"東", {"東"}});
    out.push_back({"京", {"京"}});
    out.push_back({"髙", {"髙"}});
    out.push_back({"高", {"高"}});
    out.push_back({"邉", {"邉", "邉\xf3\xa0\x84\x80"}});
    return out;
  }();
  return letters;
}

// What may be inserted anywhere without changing the key (spaces, dashes, invisibles).
const std::vector<std::string>& fillers() {
  static const std::vector<std::string> f = [] {
    std::vector<std::string> out;
    for (std::uint32_t cp : {0x20u, 0x09u, 0xA0u, 0x3000u, 0x200Bu, 0xFEFFu, 0x2Du, 0xFF0Du,
                             0x2010u, 0x2015u, 0x2212u, 0x301Cu, 0xFF5Eu, 0xFE63u})
      out.push_back(encode(cp));
    return out;
  }();
  return f;
}

TEST(MatchKeyProperty, EveryTypedVariantFindsTheRegisteredKey) {
  std::mt19937_64 rng(20261201);
  const auto& letters = alphabet();
  std::uniform_int_distribution<std::size_t> pick(0, letters.size() - 1);
  std::uniform_int_distribution<int> length(1, 8), coin(0, 3);
  for (int i = 0; i < 20'000; ++i) {
    std::vector<std::size_t> key;
    for (int n = length(rng); n > 0; --n) key.push_back(pick(rng));
    auto type = [&] {
      std::string text;
      for (std::size_t k : key) {
        // A filler next to a digit may be a 'ー' too: an IME's rendering of a typed '-'.
        if (coin(rng) == 0) text += fillers()[rng() % fillers().size()];
        const auto& v = letters[k].variants;
        text += v[rng() % v.size()];
      }
      if (coin(rng) == 0) text += fillers()[rng() % fillers().size()];
      return text;
    };
    const std::string registered = type(), typed = type();
    ASSERT_EQ(match_key(registered), match_key(typed)) << registered << " / " << typed;
    std::string canonical;
    for (std::size_t k : key) canonical += letters[k].canonical;
    ASSERT_EQ(match_key(typed), canonical) << typed;
  }
}

TEST(MatchKeyProperty, DistinctKeysStayDistinct) {
  // Two keys whose letters differ somewhere (letters are distinct by construction: N3) never
  // fold together, however they are typed.
  std::mt19937_64 rng(7);
  const auto& letters = alphabet();
  std::uniform_int_distribution<std::size_t> pick(0, letters.size() - 1);
  std::uniform_int_distribution<int> length(1, 6);
  for (int i = 0; i < 20'000; ++i) {
    std::vector<std::size_t> a, b;
    for (int n = length(rng); n > 0; --n) a.push_back(pick(rng));
    for (int n = length(rng); n > 0; --n) b.push_back(pick(rng));
    if (a == b) continue;
    std::string ta, tb;
    for (std::size_t k : a) ta += letters[k].variants[rng() % letters[k].variants.size()];
    for (std::size_t k : b) tb += letters[k].variants[rng() % letters[k].variants.size()];
    ASSERT_NE(match_key(ta), match_key(tb)) << ta << " / " << tb;
  }
}

TEST(MatchKeyProperty, KeepsValidityAndNeverGrows) {
  std::mt19937_64 rng(3);
  for (int i = 0; i < 20'000; ++i) {
    std::string text;
    for (int n = static_cast<int>(rng() % 12); n > 0; --n) {
      const auto& l = alphabet()[rng() % alphabet().size()];
      text +=
          rng() % 3 ? l.variants[rng() % l.variants.size()] : fillers()[rng() % fillers().size()];
      if (rng() % 8 == 0) text += static_cast<char>(rng() % 256);  // a stray byte
    }
    const std::string key = match_key(text);
    ASSERT_LE(key.size(), text.size());
    if (is_valid_utf8(text)) {
      ASSERT_TRUE(is_valid_utf8(key)) << text;
    }
  }
}

TEST(MatchKeyProperty, RandomBytesNeverCrash) {
  std::mt19937_64 rng(11);
  for (int i = 0; i < 50'000; ++i) {
    std::string text(rng() % 16, '\0');
    for (char& c : text) c = static_cast<char>(rng());
    (void)match_key(text);
    (void)digits_only(text);
  }
}

// ---------------------------------------------------------------------------------------------
// digits_only

TEST(TextNormaliseDigitsOnly, KeepsDigitsAfterDroppingSpacesAndHyphens) {
  EXPECT_EQ(digits_only("1234"), "1234");
  EXPECT_EQ(digits_only("12 34"), "1234");
  EXPECT_EQ(digits_only("12-34"), "1234");
  EXPECT_EQ(digits_only("１２３"), "123");
  EXPECT_EQ(digits_only("1２-3"), "123");
  EXPECT_EQ(digits_only("１ー２"), "12");
  EXPECT_EQ(digits_only("１　２－３"), "123");
  EXPECT_EQ(digits_only(" 0 "), "0");
}

TEST(TextNormaliseDigitsOnly, AnythingElseGivesEmpty) {
  for (std::string_view text : {"", " ", "-", "--  ", "12a", "a12", "1.2", "12\n", "①", "一二三",
                                "١٢٣", "1ーa", "ー", "ーー", "\xff", "1\x80", "＋1", "1,000"}) {
    EXPECT_EQ(digits_only(text), "") << text;
  }
}

TEST(TextNormaliseDigitsOnly, ResultIsAllDigitsOrEmpty) {
  std::mt19937_64 rng(99);
  static const std::vector<std::string> kPieces = {"0", "7",  "０", "９", " ",  "　",
                                                   "-", "－", "ー", "x",  "\t", "\xff"};
  std::uniform_int_distribution<std::size_t> count(0, 10);
  std::uniform_int_distribution<std::size_t> pick(0, kPieces.size() - 1);
  for (int i = 0; i < 20'000; ++i) {
    std::string text;
    for (std::size_t n = count(rng); n > 0; --n) text += kPieces[pick(rng)];
    const std::string digits = digits_only(text);
    for (char c : digits) ASSERT_TRUE(c >= '0' && c <= '9') << text;
    if (!digits.empty()) {
      ASSERT_EQ(digits, match_key(text)) << text;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// is_valid_utf8

TEST(TextNormaliseUtf8, WellFormed) {
  EXPECT_TRUE(is_valid_utf8(""));
  EXPECT_TRUE(is_valid_utf8("plain ASCII"));
  EXPECT_TRUE(is_valid_utf8(std::string_view("a\0b", 3)));
  for (std::string_view text : {"山田太郎", "ｱｲｳ", "𠮷野家", "渡邉\xf3\xa0\x84\x80", "😀"})
    EXPECT_TRUE(is_valid_utf8(text)) << text;
  EXPECT_TRUE(is_valid_utf8("\xc2\x80"));          // U+0080, smallest 2-byte
  EXPECT_TRUE(is_valid_utf8("\xdf\xbf"));          // U+07FF
  EXPECT_TRUE(is_valid_utf8("\xe0\xa0\x80"));      // U+0800, smallest 3-byte
  EXPECT_TRUE(is_valid_utf8("\xed\x9f\xbf"));      // U+D7FF, just below the surrogates
  EXPECT_TRUE(is_valid_utf8("\xee\x80\x80"));      // U+E000, just above them
  EXPECT_TRUE(is_valid_utf8("\xef\xbf\xbf"));      // U+FFFF
  EXPECT_TRUE(is_valid_utf8("\xf0\x90\x80\x80"));  // U+10000, smallest 4-byte
  EXPECT_TRUE(is_valid_utf8("\xf3\xa0\x84\x80"));  // U+E0100
  EXPECT_TRUE(is_valid_utf8("\xf4\x8f\xbf\xbf"));  // U+10FFFF
}

TEST(TextNormaliseUtf8, IllFormed) {
  for (std::string_view text : {
           "\x80",                      // lone continuation
           "\xbf",                      //
           "a\x80z",                    //
           "\xc0\x80",                  // overlong NUL
           "\xc1\xbf",                  // overlong U+007F
           "\xe0\x80\x80",              // overlong
           "\xe0\x9f\xbf",              // overlong U+07FF
           "\xf0\x80\x80\x80",          // overlong
           "\xf0\x8f\xbf\xbf",          // overlong U+FFFF
           "\xed\xa0\x80",              // U+D800
           "\xed\xaf\xbf",              // U+DBFF
           "\xed\xb0\x80",              // U+DC00
           "\xed\xbf\xbf",              // U+DFFF
           "\xed\xa0\xbd\xed\xb8\x80",  // CESU-8 surrogate pair
           "\xf4\x90\x80\x80",          // U+110000
           "\xf5\x80\x80\x80",          // lead byte past F4
           "\xf8\x88\x80\x80\x80",      // 5-byte form
           "\xfc\x84\x80\x80\x80\x80",
           "\xfe",
           "\xff",
           "\xc3",              // truncated at end
           "\xe3\x83",          //
           "\xf0\xa0\xae",      //
           "\xc3 ",             // truncated by a space
           "\xe3\x83\x41",      // third byte not a continuation
           "\xf0\xa0\xae\x41",  //
           "ok\xe3\x83",        //
       }) {
    EXPECT_FALSE(is_valid_utf8(text)) << ::testing::PrintToString(std::string(text));
  }
}

TEST(TextNormaliseUtf8, EveryScalarValueIsValidAndEverySurrogateIsNot) {
  for (std::uint32_t cp = 0; cp <= 0x10FFFF; ++cp) {
    const bool surrogate = cp >= 0xD800 && cp <= 0xDFFF;
    ASSERT_EQ(is_valid_utf8(encode(cp)), !surrogate) << std::hex << cp;
  }
}

TEST(TextNormaliseUtf8, AgreesWithReferenceOnAllShortByteStrings) {
  // Every string of one and two bytes, and every three-byte string with a 3- or 4-byte lead.
  std::string s;
  for (int a = 0; a < 256; ++a) {
    s.assign(1, static_cast<char>(a));
    ASSERT_EQ(is_valid_utf8(s), reference_valid_utf8(s)) << a;
    for (int b = 0; b < 256; ++b) {
      s.assign({static_cast<char>(a), static_cast<char>(b)});
      ASSERT_EQ(is_valid_utf8(s), reference_valid_utf8(s)) << a << ' ' << b;
    }
  }
  for (int a = 0xE0; a < 0x100; ++a) {
    for (int b = 0; b < 256; ++b) {
      for (int c = 0; c < 256; ++c) {
        s.assign({static_cast<char>(a), static_cast<char>(b), static_cast<char>(c)});
        ASSERT_EQ(is_valid_utf8(s), reference_valid_utf8(s)) << a << ' ' << b << ' ' << c;
      }
    }
  }
}

TEST(TextNormaliseUtf8, AgreesWithReferenceOnRandomBytes) {
  std::mt19937_64 rng(0x07F8);
  std::uniform_int_distribution<std::size_t> length(0, 12);
  // Bias towards bytes that start or continue sequences, so that valid strings occur.
  std::uniform_int_distribution<int> byte(0x70, 0xFF);
  for (int i = 0; i < 200'000; ++i) {
    std::string text(length(rng), '\0');
    for (char& c : text) c = static_cast<char>(byte(rng));
    ASSERT_EQ(is_valid_utf8(text), reference_valid_utf8(text)) << ::testing::PrintToString(text);
  }
}

}  // namespace
}  // namespace onshi::core
