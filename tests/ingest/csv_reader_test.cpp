#include "ingest/csv_reader.hpp"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "core/text_normalise.hpp"

namespace onshi::ingest {
namespace {

struct Read {
  std::size_t line;
  std::vector<std::string> fields;
  std::string raw;
  bool error;
};

std::vector<Read> read_all(std::string_view text) {
  CsvReader reader(text);
  CsvRecord record;
  std::vector<Read> out;
  while (reader.next(record)) {
    out.push_back({record.line,
                   {record.fields.begin(), record.fields.end()},
                   std::string(record.raw),
                   record.error.has_value()});
    if (out.size() > text.size() + 1) break;  // would mean the reader stopped making progress
  }
  return out;
}

using Fields = std::vector<std::string>;

TEST(CsvReader, Rfc4180Basics) {
  const auto r = read_all("a,b,c\r\n\"x,1\",\"y\"\"2\",\"z\r\n3\"\r\n,,\n\"\"\n");
  ASSERT_EQ(r.size(), 4u);
  EXPECT_EQ(r[0].fields, (Fields{"a", "b", "c"}));
  EXPECT_EQ(r[0].raw, "a,b,c");
  EXPECT_EQ(r[1].fields, (Fields{"x,1", "y\"2", "z\r\n3"}));
  EXPECT_EQ(r[1].line, 2u);
  EXPECT_EQ(r[2].fields, (Fields{"", "", ""}));
  EXPECT_EQ(r[2].line, 4u);
  EXPECT_EQ(r[3].fields, (Fields{""}));
  for (const auto& record : r) EXPECT_FALSE(record.error);
}

TEST(CsvReader, FieldsWithSeveralEscapesInOneRecordStayIntact) {
  // Each "" field is unescaped into its own buffer; earlier ones must not move.
  std::string line;
  Fields expected;
  for (int i = 0; i < 40; ++i) {
    const std::string body =
        "v" + std::to_string(i) + std::string(static_cast<std::size_t>(i), 'x');
    line += (i ? "," : "") + std::string("\"") + body + "\"\"q\"";
    expected.push_back(body + "\"q");
  }
  const auto r = read_all(line + "\n" + line);
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(r[0].fields, expected);
  EXPECT_EQ(r[1].fields, expected);
}

TEST(CsvReader, BomBlankLinesAndLoneCarriageReturns) {
  const auto r = read_all("\xEF\xBB\xBF\n \t \r\na\rb,c\r");
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].line, 3u);
  EXPECT_EQ(r[0].fields, (Fields{"a\rb", "c"}));
  EXPECT_TRUE(read_all("").empty());
  EXPECT_TRUE(read_all("\xEF\xBB\xBF").empty());
  EXPECT_TRUE(read_all("\n\r\n   ").empty());
}

TEST(CsvReader, SpacesAroundQuotedFields) {
  const auto r = read_all("  \"a\"  , \"b\" ,c \n");
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].fields, (Fields{"a", "b", "c "}));
  EXPECT_FALSE(r[0].error);
}

TEST(CsvReader, MalformedQuotes) {
  auto r = read_all("a,\"b\"c,d\nnext\n");
  ASSERT_EQ(r.size(), 2u);
  EXPECT_TRUE(r[0].error);
  EXPECT_EQ(r[0].fields.size(), 3u);
  EXPECT_EQ(r[1].fields, (Fields{"next"}));
  EXPECT_EQ(r[1].line, 2u);

  r = read_all("ok\n\"open\nmore\nlines");
  ASSERT_EQ(r.size(), 2u);
  EXPECT_FALSE(r[0].error);
  EXPECT_TRUE(r[1].error);
  EXPECT_EQ(r[1].line, 2u);
  EXPECT_EQ(r[1].raw, "\"open\nmore\nlines");

  for (const char* text : {"\"", "\"\"\"", "a,\"", "\"a\"\"", ",\"\r\n"}) {
    r = read_all(text);
    ASSERT_EQ(r.size(), 1u) << text;
    EXPECT_TRUE(r[0].error) << text;
  }
}

TEST(CsvReader, RandomInputAlwaysProgresses) {
  std::mt19937_64 rng(42);
  const std::string alphabet = "\",\r\n a\t";
  for (int i = 0; i < 5000; ++i) {
    std::string text(rng() % 64, '\0');
    for (char& c : text) c = alphabet[rng() % alphabet.size()];
    const auto r = read_all(text);
    ASSERT_LE(r.size(), text.size());
    std::size_t last = 0;
    for (const auto& record : r) {
      EXPECT_GT(record.line, last);
      last = record.line;
    }
  }
}

TEST(CsvReader, ClassifyUtf8AgreesWithCore) {
  EXPECT_EQ(classify_utf8(""), TextKind::kAscii);
  EXPECT_EQ(classify_utf8("plain ascii, long enough for the word loop"), TextKind::kAscii);
  EXPECT_EQ(classify_utf8("12345678山田"), TextKind::kUtf8);
  EXPECT_EQ(classify_utf8("\xF0\xA0\xAE\xB7"), TextKind::kUtf8);
  EXPECT_EQ(classify_utf8("\xF4\x90\x80\x80"), TextKind::kInvalid);  // above U+10FFFF
  EXPECT_EQ(classify_utf8("\xE0\x80\xAF"), TextKind::kInvalid);      // overlong
  EXPECT_EQ(classify_utf8("abc\xE5\xB1"), TextKind::kInvalid);       // truncated
  std::mt19937_64 rng(3);
  const unsigned char bytes[] = {'a',  0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF, 0xC0, 0xC2,
                                 0xDF, 0xE0, 0xE3, 0xED, 0xEF, 0xF0, 0xF4, 0xF5, 0xFF};
  for (int i = 0; i < 200000; ++i) {
    std::string s(rng() % 12, '\0');
    for (char& c : s) c = static_cast<char>(bytes[rng() % sizeof bytes]);
    const bool valid = core::is_valid_utf8(s);
    const TextKind kind = classify_utf8(s);
    ASSERT_EQ(valid, kind != TextKind::kInvalid) << i;
  }
}

TEST(CsvReader, DescribeNameIsSafeForLogs) {
  EXPECT_EQ(describe_name("nmae"), "'nmae'");
  EXPECT_EQ(describe_name("a\nb\x7F"), "'a?b?'");
  EXPECT_EQ(describe_name(std::string(50, 'a')), "'" + std::string(40, 'a') + "...'");
  // 14 three-byte characters = 42 bytes: cut after 13 whole characters, not inside one.
  std::string kanji;
  for (int i = 0; i < 14; ++i) kanji += "漢";
  const std::string described = describe_name(kanji);
  EXPECT_TRUE(core::is_valid_utf8(described));
  EXPECT_EQ(described, "'" + kanji.substr(0, 39) + "...'");
}

}  // namespace
}  // namespace onshi::ingest
