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

bool folds_to_something_else(std::uint32_t cp) {
  return (cp >= 0xFF01 && cp <= 0xFF5E) || cp == 0x3000 || (cp >= 0x2010 && cp <= 0x2015) ||
         cp == 0x2212 || cp == 0xFE63 || cp == 0xFF70;
}

// Characters the system meets in names and symbols that must survive folding byte for byte.
const std::vector<std::string_view> kPassThrough = {
    "やまだ たろう",
    "ヤマダ",
    "ｱｲｳｴｵ",  // half-width katakana other than 'ｰ'
    "山田太郎",
    "髙橋",                  // U+9AD9, the "ladder" 髙
    "山﨑",                  // U+FA11, a CJK compatibility ideograph (EF A8 91)
    "𠮷野家",                // U+20BB7, 4 bytes
    "渡邉\xf3\xa0\x84\x80",  // 邉 + VARIATION SELECTOR-17 U+E0100
    "葛\xef\xb8\x80",        // 葛 + VS1 U+FE00
    "ラーメン",              // 'ー' between kana stays a letter
    "セーラー",
    "ー",
    "〒",
    "①②③",  // circled digits are not full-width digits
    "Ⅻ",
    "café",
    "\xc2\xa0",      // NO-BREAK SPACE is not in the list
    "‖",             // U+2016, just past the hyphen range
    "\xe2\x80\x8f",  // U+200F, just before it
    "⦅",             // U+FF5F, just past the full-width ASCII block
    "\xef\xbc\x80",  // U+FF00, just before it
    "〜",            // WAVE DASH U+301C (its look-alike FULLWIDTH TILDE U+FF5E does fold)
    "😀",
};

// ---------------------------------------------------------------------------------------------
// fold_width

TEST(TextNormaliseFoldWidth, AsciiIsUnchanged) {
  std::string all;
  for (int c = 0; c < 0x80; ++c) all += static_cast<char>(c);
  EXPECT_EQ(fold_width(all), all);
  EXPECT_EQ(fold_width(""), "");
  EXPECT_EQ(fold_width("Hello, World! 12-34"), "Hello, World! 12-34");
}

TEST(TextNormaliseFoldWidth, EveryFullWidthAsciiCharacter) {
  for (std::uint32_t cp = 0xFF01; cp <= 0xFF5E; ++cp) {
    const std::string expected(1, static_cast<char>(cp - 0xFEE0));
    EXPECT_EQ(fold_width(encode(cp)), expected) << std::hex << cp;
  }
  EXPECT_EQ(fold_width("ＡＢＣｘｙｚ０１２３４５６７８９"), "ABCxyz0123456789");
  EXPECT_EQ(fold_width("！＃＄％＆（）＊＋，．／：；＜＝＞？＠［＼］＾＿｀｛｜｝～"),
            "!#$%&()*+,./:;<=>?@[\\]^_`{|}~");
}

TEST(TextNormaliseFoldWidth, IdeographicSpace) {
  EXPECT_EQ(fold_width("\xe3\x80\x80"), " ");
  EXPECT_EQ(fold_width("山田　太郎"), "山田 太郎");
  EXPECT_EQ(fold_width("　　"), "  ");
}

TEST(TextNormaliseFoldWidth, HyphenLookAlikes) {
  for (std::uint32_t cp :
       {0x2010u, 0x2011u, 0x2012u, 0x2013u, 0x2014u, 0x2015u, 0x2212u, 0xFF0Du, 0xFE63u, 0xFF70u}) {
    EXPECT_EQ(fold_width(encode(cp)), "-") << std::hex << cp;
    EXPECT_EQ(fold_width("a" + encode(cp) + "b"), "a-b") << std::hex << cp;
  }
  EXPECT_EQ(fold_width("12‐34–56—78―90−1﹣2－3"), "12-34-56-78-90-1-2-3");
}

TEST(TextNormaliseFoldWidth, HalfWidthProlongedSoundMarkIsAlwaysAHyphen) {
  // The header lists U+FF70 unconditionally, even inside half-width katakana.
  EXPECT_EQ(fold_width("ｶｰﾄﾞ"), "ｶ-ﾄﾞ");
  EXPECT_EQ(fold_width("1ｰ2"), "1-2");
}

TEST(TextNormaliseFoldWidth, ProlongedSoundMarkNextToADigit) {
  EXPECT_EQ(fold_width("1ー2"), "1-2");
  EXPECT_EQ(fold_width("１ー２"), "1-2");
  EXPECT_EQ(fold_width("1ー"), "1-");
  EXPECT_EQ(fold_width("ー1"), "-1");
  EXPECT_EQ(fold_width("ー１"), "-1");
  EXPECT_EQ(fold_width("aー1"), "a-1");
  EXPECT_EQ(fold_width("1ーa"), "1-a");
  EXPECT_EQ(fold_width("カー1"), "カ-1");
  EXPECT_EQ(fold_width("12ー34ー5678"), "12-34-5678");
  EXPECT_EQ(fold_width("1ーー2"), "1--2");
  // The middle one has only 'ー' on both sides.
  EXPECT_EQ(fold_width("1ーーー2"), "1-ー-2");
}

TEST(TextNormaliseFoldWidth, ProlongedSoundMarkAwayFromDigitsStays) {
  EXPECT_EQ(fold_width("ー"), "ー");
  EXPECT_EQ(fold_width("ーー"), "ーー");
  EXPECT_EQ(fold_width("ラーメン"), "ラーメン");
  EXPECT_EQ(fold_width("aーb"), "aーb");
  EXPECT_EQ(fold_width("1 ー 2"), "1 ー 2");          // a space is not a digit
  EXPECT_EQ(fold_width("1-ー-2"), "1-ー-2");          // nor is a hyphen
  EXPECT_EQ(fold_width("①ー②"), "①ー②");              // nor a circled digit
  EXPECT_EQ(fold_width("\xffー\xff"), "\xffー\xff");  // nor an invalid byte
}

TEST(TextNormaliseFoldWidth, JapaneseTextPassesThroughUnchanged) {
  for (std::string_view text : kPassThrough) {
    EXPECT_EQ(fold_width(text), text) << text;
  }
  EXPECT_EQ(fold_width("渡邉\xf3\xa0\x84\x80　１２３"), "渡邉\xf3\xa0\x84\x80 123");
  EXPECT_EQ(fold_width("𠮷野家－１"), "𠮷野家-1");
}

TEST(TextNormaliseFoldWidth, EveryOtherCodePointPassesThrough) {
  for (std::uint32_t cp = 0; cp <= 0x10FFFF; ++cp) {
    if (cp >= 0xD800 && cp <= 0xDFFF) continue;
    if (folds_to_something_else(cp)) continue;
    const std::string s = encode(cp);
    // 'ー' alone has no neighbours, so it passes too.
    ASSERT_EQ(fold_width(s), s) << std::hex << cp;
  }
}

TEST(TextNormaliseFoldWidth, InvalidBytesPassThrough) {
  for (std::string_view text : {
           std::string_view("\x80"),
           std::string_view("\xbf"),
           std::string_view("\xff"),
           std::string_view("\xfe\xff"),
           std::string_view("\xc0\xaf"),          // overlong '/'
           std::string_view("\xe0\x80\xaf"),      // overlong '/'
           std::string_view("\xed\xa0\x80"),      // surrogate U+D800
           std::string_view("\xf4\x90\x80\x80"),  // U+110000
           std::string_view("\xe3\x83"),          // truncated 'ー'
           std::string_view("\xef\xbc"),          // truncated full-width character
           std::string_view("\xf0\xa0\xae"),      // truncated 𠮷
           std::string_view("\xf0"),
           std::string_view("a\0b", 3),
       }) {
    EXPECT_EQ(fold_width(text), text);
  }
}

TEST(TextNormaliseFoldWidth, InvalidBytesDoNotSwallowTheirNeighbours) {
  // A truncated sequence is followed by a complete character, which is still folded.
  EXPECT_EQ(fold_width("\xef\xbc１"),
            "\xef\xbc"
            "1");
  EXPECT_EQ(fold_width("\xe3\x83１ー２"),
            "\xe3\x83"
            "1-2");
  EXPECT_EQ(fold_width("１\x80２"),
            "1\x80"
            "2");
  EXPECT_EQ(fold_width("\xed\xa0\x80　"), "\xed\xa0\x80 ");
  EXPECT_EQ(fold_width("\xc0\xaf－"), "\xc0\xaf-");
}

TEST(TextNormaliseFoldWidth, PropertyIdempotentAndKeepsValidity) {
  static const std::vector<std::string> kPieces = {"0",
                                                   "5",
                                                   "a",
                                                   "Z",
                                                   " ",
                                                   "-",
                                                   "\t",
                                                   "０",
                                                   "９",
                                                   "Ａ",
                                                   "　",
                                                   "－",
                                                   "ー",
                                                   "ｰ",
                                                   "―",
                                                   "−",
                                                   "山",
                                                   "髙",
                                                   "﨑",
                                                   "𠮷",
                                                   "カ",
                                                   "ｶ",
                                                   "①",
                                                   "\xf3\xa0\x84\x80",
                                                   "\xe3\x83",
                                                   "\xef\xbc",
                                                   "\x80",
                                                   "\xff",
                                                   "\xc0\xaf",
                                                   "\xed\xa0\x80",
                                                   "\xf4\x90\x80\x80",
                                                   std::string(1, '\0')};
  std::mt19937_64 rng(0xF01D);
  std::uniform_int_distribution<std::size_t> count(0, 12);
  std::uniform_int_distribution<std::size_t> pick(0, kPieces.size() - 1);
  for (int i = 0; i < 50'000; ++i) {
    std::string text;
    for (std::size_t n = count(rng); n > 0; --n) text += kPieces[pick(rng)];
    const std::string once = fold_width(text);
    ASSERT_EQ(fold_width(once), once);
    ASSERT_LE(once.size(), text.size());  // folding only ever shortens
    if (is_valid_utf8(text)) {
      ASSERT_TRUE(is_valid_utf8(once));
    }
  }
}

TEST(TextNormaliseFoldWidth, RandomBytesNeverCrash) {
  std::mt19937_64 rng(0xBADB17E5);
  std::uniform_int_distribution<std::size_t> length(0, 64);
  std::uniform_int_distribution<int> byte(0, 255);
  for (int i = 0; i < 50'000; ++i) {
    std::string text(length(rng), '\0');
    for (char& c : text) c = static_cast<char>(byte(rng));
    const std::string folded = fold_width(text);
    ASSERT_LE(folded.size(), text.size());
    // Random bytes are almost never valid; where they are, folding keeps them valid.
    if (is_valid_utf8(text)) {
      ASSERT_TRUE(is_valid_utf8(folded));
    }
    (void)match_key(text);
    (void)digits_only(text);
  }
}

// ---------------------------------------------------------------------------------------------
// match_key

TEST(TextNormaliseMatchKey, DropsSpacesTabsAndHyphens) {
  EXPECT_EQ(match_key("12-34"), "1234");
  EXPECT_EQ(match_key("１２－３４"), "1234");
  EXPECT_EQ(match_key(" 12 34 "), "1234");
  EXPECT_EQ(match_key("12\t34"), "1234");
  EXPECT_EQ(match_key("１２　３４"), "1234");
  EXPECT_EQ(match_key("12ー34"), "1234");
  EXPECT_EQ(match_key("12―34"), "1234");
  EXPECT_EQ(match_key(""), "");
  EXPECT_EQ(match_key(" -\t－　"), "");
}

TEST(TextNormaliseMatchKey, EquatesTheWaysAClerkTypesTheSameSymbol) {
  const std::string key = match_key("12-34");
  for (std::string_view typed : {"1234", "１２３４", "12 34", "１２－３４", "12ー34", "12−34",
                                 "12‐34", "１２　３４", " 12-34\t"}) {
    EXPECT_EQ(match_key(typed), key) << typed;
  }
  EXPECT_EQ(match_key("あいう１２"), match_key("あいう 12"));
  EXPECT_EQ(match_key("ＡＢ－１"), "AB1");
}

TEST(TextNormaliseMatchKey, KeepsEverythingElse) {
  EXPECT_EQ(match_key("Ab"), "Ab");  // no case folding
  EXPECT_EQ(match_key("ラーメン"), "ラーメン");
  EXPECT_EQ(match_key("渡邉\xf3\xa0\x84\x80 一"), "渡邉\xf3\xa0\x84\x80一");
  EXPECT_EQ(match_key("𠮷 田"), "𠮷田");
  EXPECT_EQ(match_key("a\nb"), "a\nb");  // only space, tab and hyphen are dropped
  EXPECT_EQ(match_key("a_b.c"), "a_b.c");
  EXPECT_EQ(match_key("\xff - \x80"), "\xff\x80");
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
  for (std::string_view text :
       {"", " ", "-", "--  ", "12a", "a12", "1.2", "12\t3", "12\n", "①", "一二三", "١٢٣", "1ーa",
        "ー", "ーー", "\xff", "1\x80", "＋1", "1,000"}) {
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
  for (std::string_view text : kPassThrough) EXPECT_TRUE(is_valid_utf8(text)) << text;
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
