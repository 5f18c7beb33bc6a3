#include "ingest/registration_file.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <ctime>
#include <random>
#include <string>

#include "core/identifiers.hpp"

namespace onshi::ingest {
namespace {

using core::ErrorCode;
using F = core::RegistrationField;

const std::string kInsurer = core::make_insurer_number("0113001");

std::string value(const core::RegistrationRow& row, F f) {
  return row[f] ? *row[f] : std::string("<absent>");
}

ParsedRegistrations csv(std::string_view text) {
  return parse_registrations(text, RegistrationFormat::kCsv);
}
ParsedRegistrations jsonl(std::string_view text) {
  return parse_registrations(text, RegistrationFormat::kJsonLines);
}

// ------------------------------------------------------------------------------------ CSV basics

TEST(RegistrationCsv, ReadsRowsWithLineNumbers) {
  const auto p =
      csv("event,insurer_number,number,name\n"
          "acquire," +
          kInsurer +
          ",1234,山田 太郎\n"
          "lose," +
          kInsurer + ",5678,\n");
  ASSERT_FALSE(p.file_error);
  EXPECT_TRUE(p.errors.empty());
  ASSERT_EQ(p.rows.size(), 2u);
  EXPECT_EQ(p.rows[0].line, 2u);
  EXPECT_EQ(value(p.rows[0], F::kEvent), "acquire");
  EXPECT_EQ(value(p.rows[0], F::kInsurerNumber), kInsurer);
  EXPECT_EQ(value(p.rows[0], F::kNumber), "1234");
  EXPECT_EQ(value(p.rows[0], F::kName), "山田 太郎");
  EXPECT_EQ(p.rows[1].line, 3u);
  EXPECT_FALSE(p.rows[1][F::kName]);    // empty field = absent
  EXPECT_FALSE(p.rows[1][F::kSymbol]);  // column not in the file = absent
}

TEST(RegistrationCsv, QuotedFieldsWithCommasQuotesAndNewlines) {
  const auto p =
      csv("event,insurer_number,number,address,name\n"
          "acquire,1,2,\"東京都千代田区, 1-1\",\"say \"\"hi\"\"\"\n"
          "acquire,1,3,\"line one\nline two\",x\n"
          "acquire,1,4,\"\",\"\"\n"
          "acquire,1,5,after,newline\n");
  ASSERT_FALSE(p.file_error);
  ASSERT_TRUE(p.errors.empty()) << p.errors[0].error.detail;
  ASSERT_EQ(p.rows.size(), 4u);
  EXPECT_EQ(value(p.rows[0], F::kAddress), "東京都千代田区, 1-1");
  EXPECT_EQ(value(p.rows[0], F::kName), "say \"hi\"");
  EXPECT_EQ(value(p.rows[1], F::kAddress), "line one\nline two");
  EXPECT_EQ(p.rows[1].line, 3u);
  EXPECT_FALSE(p.rows[2][F::kAddress]);
  EXPECT_FALSE(p.rows[2][F::kName]);
  EXPECT_EQ(p.rows[2].line, 5u);  // the embedded newline counted
  EXPECT_EQ(p.rows[3].line, 6u);
}

TEST(RegistrationCsv, LineNumbersAfterSeveralEmbeddedNewlines) {
  const auto p =
      csv("event,insurer_number,number,address\n"
          "\n"
          "acquire,1,2,\"a\r\nb\r\nc\"\n"
          "acquire,1,3,x,too many\n"
          "acquire,1,4,\"\n\n\n\"\n"
          "acquire,1,5,y\n");
  ASSERT_FALSE(p.file_error);
  ASSERT_EQ(p.rows.size(), 3u);
  EXPECT_EQ(p.rows[0].line, 3u);
  EXPECT_EQ(value(p.rows[0], F::kAddress), "a\r\nb\r\nc");  // kept byte for byte
  ASSERT_EQ(p.errors.size(), 1u);
  EXPECT_EQ(p.errors[0].line, 6u);
  EXPECT_EQ(p.errors[0].error.code, ErrorCode::kRowColumnCount);
  EXPECT_EQ(p.rows[1].line, 7u);
  EXPECT_EQ(p.rows[2].line, 11u);
}

TEST(RegistrationCsv, CrlfAndLfGiveTheSameRows) {
  const std::string lf = "event,insurer_number,number,name\nacquire,1,2,a\nchange,1,3,b\n";
  std::string crlf;
  for (char c : lf) crlf += c == '\n' ? std::string("\r\n") : std::string(1, c);
  const auto a = csv(lf);
  const auto b = csv(crlf);
  ASSERT_FALSE(b.file_error);
  ASSERT_EQ(a.rows.size(), b.rows.size());
  for (std::size_t i = 0; i < a.rows.size(); ++i) {
    EXPECT_EQ(a.rows[i].fields, b.rows[i].fields);
    EXPECT_EQ(a.rows[i].line, b.rows[i].line);
  }
  EXPECT_EQ(value(b.rows[1], F::kName), "b");
  // No line ending at the end of the file, with and without a CR.
  EXPECT_EQ(value(csv("event,insurer_number,number\nacquire,1,2\r").rows.at(0), F::kNumber), "2");
  EXPECT_EQ(value(csv("event,insurer_number,number\nacquire,1,2").rows.at(0), F::kNumber), "2");
}

TEST(RegistrationCsv, SkipsUtf8Bom) {
  const auto p =
      csv("\xEF\xBB\xBF"
          "event,insurer_number,number\nacquire,1,2\n");
  ASSERT_FALSE(p.file_error) << p.file_error->detail;
  ASSERT_EQ(p.rows.size(), 1u);
  EXPECT_EQ(value(p.rows[0], F::kEvent), "acquire");
  EXPECT_EQ(p.rows[0].line, 2u);
  EXPECT_EQ(parse_registrations("\xEF\xBB\xBF{\"event\":\"lose\"}\n").rows.at(0)[F::kEvent],
            "lose");
}

TEST(RegistrationCsv, TrimsAsciiSpacesOnly) {
  const auto p =
      csv(" event , insurer_number,number ,name,address\n"
          "  acquire ,\t1\t, \" 2 \" ,\u3000全角\u3000,   \n");
  ASSERT_FALSE(p.file_error) << p.file_error->detail;
  ASSERT_EQ(p.rows.size(), 1u);
  EXPECT_EQ(value(p.rows[0], F::kEvent), "acquire");
  EXPECT_EQ(value(p.rows[0], F::kInsurerNumber), "1");
  EXPECT_EQ(value(p.rows[0], F::kNumber), "2");
  EXPECT_EQ(value(p.rows[0], F::kName), "\u3000全角\u3000");  // folding is validation's job
  EXPECT_FALSE(p.rows[0][F::kAddress]);
}

TEST(RegistrationCsv, ColumnOrderDoesNotMatter) {
  const auto a = csv("event,insurer_number,number,name,sex\nacquire,1,2,n,1\n");
  const auto b = csv("sex,name,number,event,insurer_number\n1,n,2,acquire,1\n");
  ASSERT_EQ(a.rows.size(), 1u);
  ASSERT_EQ(b.rows.size(), 1u);
  EXPECT_EQ(a.rows[0].fields, b.rows[0].fields);
}

TEST(RegistrationCsv, CanonicalHeaderIsAccepted) {
  std::string line(core::kRegistrationFieldCount - 1, ',');
  const auto p = csv(core::registration_csv_header() + "\n" + line + "\n");
  ASSERT_FALSE(p.file_error);
  ASSERT_EQ(p.rows.size(), 1u);
  for (const auto& f : p.rows[0].fields) EXPECT_FALSE(f);
}

TEST(RegistrationCsv, HeaderErrors) {
  struct Case {
    std::string content;
    std::string detail_has;
  };
  const Case cases[] = {
      {"event,insurer_number,number,nmae\n", "'nmae'"},
      {"event,insurer_number,number,Name\n", "'Name'"},  // case-sensitive
      {"event,insurer_number,number,name,name\n", "duplicate column 'name'"},
      {"insurer_number,number\n", "'event'"},
      {"event,number\n", "'insurer_number'"},
      {"event,insurer_number\n", "'number'"},
      {"event,,insurer_number,number\n", "column 2"},
      {"", "empty"},
      {"\n\n  \n", "empty"},
      {"event,\"insurer_number,number\n", "unterminated"},
  };
  for (const auto& c : cases) {
    const auto p = csv(c.content);
    ASSERT_TRUE(p.file_error) << c.content;
    EXPECT_EQ(p.file_error->code, ErrorCode::kFileHeaderInvalid) << c.content;
    EXPECT_NE(p.file_error->detail.find(c.detail_has), std::string::npos) << p.file_error->detail;
    EXPECT_TRUE(p.rows.empty());
  }
}

TEST(RegistrationCsv, ColumnCountMismatchIsARowError) {
  const auto p =
      csv("event,insurer_number,number\n"
          "acquire,1\n"
          "acquire,1,2\n"
          "acquire,1,2,3\n");
  ASSERT_FALSE(p.file_error);
  ASSERT_EQ(p.rows.size(), 1u);
  EXPECT_EQ(p.rows[0].line, 3u);
  ASSERT_EQ(p.errors.size(), 2u);
  EXPECT_EQ(p.errors[0].line, 2u);
  EXPECT_EQ(p.errors[0].error.code, ErrorCode::kRowColumnCount);
  EXPECT_EQ(p.errors[1].line, 4u);
  EXPECT_EQ(p.errors[1].error.code, ErrorCode::kRowColumnCount);
}

TEST(RegistrationCsv, BlankLinesAreSkipped) {
  const auto p = csv("\n\nevent,insurer_number,number\n\n  \r\nacquire,1,2\n\n\n");
  ASSERT_FALSE(p.file_error);
  ASSERT_EQ(p.rows.size(), 1u);
  EXPECT_EQ(p.rows[0].line, 6u);
  EXPECT_TRUE(p.errors.empty());
}

TEST(RegistrationCsv, UnterminatedQuoteIsAnErrorAndEndsTheFile) {
  const auto p =
      csv("event,insurer_number,number,name\n"
          "acquire,1,2,ok\n"
          "acquire,1,3,\"never closed\n"
          "acquire,1,4,swallowed\n");
  ASSERT_FALSE(p.file_error);
  ASSERT_EQ(p.rows.size(), 1u);
  ASSERT_EQ(p.errors.size(), 1u);
  EXPECT_EQ(p.errors[0].line, 3u);
  EXPECT_EQ(p.errors[0].error.code, ErrorCode::kRowFieldInvalid);
  EXPECT_NE(p.errors[0].error.detail.find("unterminated"), std::string::npos);
  EXPECT_EQ(p.errors[0].error.detail.find("never closed"), std::string::npos);
}

TEST(RegistrationCsv, TextAfterClosingQuoteIsARowError) {
  const auto p = csv("event,insurer_number,number\nacquire,1,\"2\"x\nacquire,1,3\n");
  ASSERT_EQ(p.errors.size(), 1u);
  EXPECT_EQ(p.errors[0].line, 2u);
  EXPECT_EQ(p.errors[0].error.code, ErrorCode::kRowFieldInvalid);
  ASSERT_EQ(p.rows.size(), 1u);
  EXPECT_EQ(p.rows[0].line, 3u);
  // A quote inside an unquoted field is ordinary text.
  EXPECT_EQ(value(csv("event,insurer_number,number\na,1,O\"Neil\n").rows.at(0), F::kNumber),
            "O\"Neil");
}

// ----------------------------------------------------------------------------------- Encoding

TEST(RegistrationCsv, InvalidUtf8LineIsARowError) {
  const auto p =
      csv("event,insurer_number,number,name\n"
          "acquire,1,2,山田\n"
          "acquire,1,3,\x8E\x52\x93\x63\n"  // Shift_JIS 山田
          "acquire,1,4,\xED\xA0\x80\n"      // a UTF-16 surrogate
          "acquire,1,5,\xC0\xAF\n");        // overlong
  ASSERT_FALSE(p.file_error);
  ASSERT_EQ(p.rows.size(), 1u);
  ASSERT_EQ(p.errors.size(), 3u);
  for (std::size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(p.errors[i].line, i + 3);
    EXPECT_EQ(p.errors[i].error.code, ErrorCode::kFileEncoding);
  }
  const auto j = jsonl("{\"name\":\"山田\"}\n{\"name\":\"\x8E\x52\"}\n");
  ASSERT_EQ(j.errors.size(), 1u);
  EXPECT_EQ(j.errors[0].line, 2u);
  EXPECT_EQ(j.errors[0].error.code, ErrorCode::kFileEncoding);
  EXPECT_EQ(j.rows.size(), 1u);
}

TEST(RegistrationCsv, FileThatIsNotUtf8AtAllIsAFileError) {
  const auto p =
      csv("event,insurer_number,number,name\n"
          "acquire,1,2,\x8E\x52\x93\x63\n"
          "acquire,1,3,\x8E\x52\x93\x63\n");
  ASSERT_TRUE(p.file_error);
  EXPECT_EQ(p.file_error->code, ErrorCode::kFileEncoding);
  EXPECT_TRUE(p.rows.empty());
  const auto h = csv("event,insurer_number,number,\x8E\x81\x96\xBC\n");
  ASSERT_TRUE(h.file_error);
  EXPECT_EQ(h.file_error->code, ErrorCode::kFileEncoding);
  const auto j = jsonl("{\"name\":\"\x8E\x52\"}\n");
  ASSERT_TRUE(j.file_error);
  EXPECT_EQ(j.file_error->code, ErrorCode::kFileEncoding);
}

TEST(RegistrationFile, RareKanjiAndVariationSelectorsAreByteExact) {
  const std::string yoshi = "\xF0\xA0\xAE\xB7";                 // 𠮷 U+20BB7
  const std::string watanabe = "\xE9\x82\x89\xF3\xA0\x84\x81";  // 邉 + U+E0101
  const std::string name = yoshi + "田 " + watanabe;
  const auto c = csv("event,insurer_number,number,name\nacquire,1,2,\"" + name + "\"\n");
  ASSERT_EQ(c.rows.size(), 1u);
  EXPECT_EQ(value(c.rows[0], F::kName), name);
  const auto j = jsonl("{\"name\":\"" + name + "\"}\n");
  ASSERT_EQ(j.rows.size(), 1u);
  EXPECT_EQ(value(j.rows[0], F::kName), name);
  // Escaped as UTF-16 surrogate pairs in JSON, the same bytes come out.
  const auto e = jsonl(R"({"name":"\ud842\udfb7\u7530 \u9089\udb40\udd01"})");
  ASSERT_EQ(e.rows.size(), 1u);
  EXPECT_EQ(value(e.rows[0], F::kName), name);
}

// ---------------------------------------------------------------------------------- JSON Lines

TEST(RegistrationJsonLines, ReadsStringsNumbersAndNulls) {
  const auto p = jsonl(
      "{\"event\":\"acquire\",\"insurer_number\":\"" + kInsurer +
      "\",\"number\":\"0012\",\"copay_ratio\":3,\"name\":null,\"sex\":\"  1 \",\"branch\":\"\"}\n"
      "\n"
      "  {\"event\":\"lose\", \"number\": 12, \"my_number\": 123456789012}  \r\n");
  ASSERT_FALSE(p.file_error);
  ASSERT_TRUE(p.errors.empty()) << p.errors[0].error.detail;
  ASSERT_EQ(p.rows.size(), 2u);
  EXPECT_EQ(p.rows[0].line, 1u);
  EXPECT_EQ(value(p.rows[0], F::kNumber), "0012");
  EXPECT_EQ(value(p.rows[0], F::kCopayRatio), "3");
  EXPECT_FALSE(p.rows[0][F::kName]);
  EXPECT_FALSE(p.rows[0][F::kBranch]);
  EXPECT_EQ(value(p.rows[0], F::kSex), "1");
  EXPECT_EQ(p.rows[1].line, 3u);
  EXPECT_EQ(value(p.rows[1], F::kNumber), "12");
  EXPECT_EQ(value(p.rows[1], F::kMyNumber), "123456789012");
  EXPECT_EQ(value(jsonl("{\"copay_ratio\":-1}").rows.at(0), F::kCopayRatio), "-1");
}

TEST(RegistrationJsonLines, RowErrors) {
  struct Case {
    std::string line;
    std::string detail_has;
  };
  const Case cases[] = {
      {R"({"event":"acquire","nmae":"x"})", "unknown key 'nmae'"},
      {R"({"event":"acquire","event":"lose"})", "duplicate key 'event'"},
      {R"(["event","acquire"])", "line is not a JSON object"},
      {R"("acquire")", "line is not a JSON object"},
      {R"(42)", "line is not a JSON object"},
      {R"(null)", "line is not a JSON object"},
      {R"({"event":"acquire")", "line is not a JSON object"},
      {R"({"event":"acquire"} {"event":"lose"})", "line is not a JSON object"},
      {R"(event,insurer_number)", "line is not a JSON object"},
      {R"({"copay_ratio":3.0})", "field 'copay_ratio'"},
      {R"({"sex":true})", "field 'sex'"},
      {R"({"name":{"family":"x"}})", "field 'name'"},
      {R"({"name":["x"]})", "field 'name'"},
  };
  for (const auto& c : cases) {
    const auto p = jsonl("{\"event\":\"change\"}\n" + c.line + "\n");
    ASSERT_FALSE(p.file_error) << c.line;
    ASSERT_EQ(p.rows.size(), 1u) << c.line;
    ASSERT_EQ(p.errors.size(), 1u) << c.line;
    EXPECT_EQ(p.errors[0].line, 2u);
    EXPECT_EQ(p.errors[0].error.code, ErrorCode::kRowFieldInvalid) << c.line;
    EXPECT_NE(p.errors[0].error.detail.find(c.detail_has), std::string::npos)
        << c.line << " -> " << p.errors[0].error.detail;
  }
}

TEST(RegistrationJsonLines, DetailsDoNotEchoValues) {
  const std::string secret = "秘密花子";
  for (const std::string& line : {
           R"({"name":")" + secret + R"(" "x":1})", R"({"name":")" + secret + R"(",)",
           R"({"name":)" + secret + "}",
           R"({")" + secret + R"(":"x"})",  // an unknown key is named, but that is a column name
       }) {
    const auto p = jsonl(line);
    ASSERT_EQ(p.errors.size(), 1u) << line;
    if (line.find("{\"" + secret) == std::string::npos) {
      EXPECT_EQ(p.errors[0].error.detail.find(secret), std::string::npos)
          << p.errors[0].error.detail;
    }
  }
}

TEST(RegistrationFile, AutoDetectsTheFormat) {
  EXPECT_EQ(value(parse_registrations("\n  {\"event\":\"lose\"}\n").rows.at(0), F::kEvent), "lose");
  EXPECT_EQ(
      value(parse_registrations("event,insurer_number,number\nlose,1,2\n").rows.at(0), F::kEvent),
      "lose");
  // The same row in both formats gives the same fields.
  const auto c = parse_registrations("number,event,insurer_number,copay_ratio\n0012,change,1,2\n");
  const auto j = parse_registrations(
      R"({"number":"0012","event":"change","insurer_number":"1","copay_ratio":2})");
  ASSERT_EQ(c.rows.size(), 1u);
  ASSERT_EQ(j.rows.size(), 1u);
  EXPECT_EQ(c.rows[0].fields, j.rows[0].fields);
}

TEST(RegistrationFile, EmptyContent) {
  const auto j = jsonl("");
  EXPECT_FALSE(j.file_error);
  EXPECT_TRUE(j.rows.empty());
  EXPECT_TRUE(j.errors.empty());
  EXPECT_TRUE(jsonl("\xEF\xBB\xBF\n\r\n").rows.empty());
  // Detected as CSV, which needs its header line.
  const auto a = parse_registrations("");
  ASSERT_TRUE(a.file_error);
  EXPECT_EQ(a.file_error->code, ErrorCode::kFileHeaderInvalid);
}

TEST(RegistrationFile, ParsedRowsValidate) {
  const auto p =
      csv("event,insurer_number,number,relationship,name,sex,birth_date,acquired_on,copay_ratio\n"
          "acquire," +
          kInsurer + ",１２３４,1,山田 太郎,1,S47.05.01,2020-04-01,3\n");
  ASSERT_EQ(p.rows.size(), 1u);
  const auto ev = core::validate_registration(p.rows[0]);
  ASSERT_TRUE(ev.ok()) << ev.error().detail;
  EXPECT_EQ(ev->values.key.number, "１２３４");  // as written (N1)
  EXPECT_EQ(ev->values.key.branch, "00");
  EXPECT_EQ(ev->values.birth_date.iso(), "1972-05-01");
}

// ------------------------------------------------------------------------------- Robustness

std::string random_bytes(std::mt19937_64& rng, std::size_t max_len, std::string_view alphabet) {
  std::uniform_int_distribution<std::size_t> len(0, max_len);
  std::string s(len(rng), '\0');
  for (char& c : s) {
    if (alphabet.empty()) {
      c = static_cast<char>(rng() & 0xFF);
    } else {
      c = alphabet[rng() % alphabet.size()];
    }
  }
  return s;
}

TEST(RegistrationFile, RandomInputNeverCrashes) {
  std::mt19937_64 rng(20240601);
  const std::string csv_alphabet = "\",\r\n \t{}[]:aeb01\xEF\xBB\xBF\xE5\xB1\xB1\x80\xFF";
  const std::string json_alphabet = "{}[]\":,\\u0 \n\rnul1.e-tf";
  const std::string headers[] = {"event,insurer_number,number\n",
                                 core::registration_csv_header() + "\n"};
  for (int i = 0; i < 3000; ++i) {
    std::string input;
    switch (i % 4) {
      case 0:
        input = random_bytes(rng, 300, "");
        break;
      case 1:
        input = headers[i % 2] + random_bytes(rng, 300, csv_alphabet);
        break;
      case 2:
        input = "{" + random_bytes(rng, 200, json_alphabet);
        break;
      default:
        input = R"({"event":"acquire","name":")" + random_bytes(rng, 40, "") + "\"}\n" +
                random_bytes(rng, 100, json_alphabet);
    }
    for (auto format :
         {RegistrationFormat::kAuto, RegistrationFormat::kCsv, RegistrationFormat::kJsonLines}) {
      const auto p = parse_registrations(input, format);
      std::size_t last_line = 0;
      for (const auto& row : p.rows) {
        EXPECT_GT(row.line, last_line);
        last_line = row.line;
        (void)core::validate_registration(row);
      }
      for (const auto& e : p.errors) EXPECT_GE(e.line, 1u);
    }
  }
}

// ------------------------------------------------------------------------------- Performance

std::string many_row_file(std::size_t rows) {
  std::string header =
      "event,insurer_number,symbol,number,branch,relationship,insured_name,name,name_kana,sex,"
      "birth_date,address,postcode,acquired_on,copay_ratio,card_issued_on,card_valid_from,"
      "card_valid_until,limit_category,limit_valid_from,limit_valid_until,my_number\n";
  std::string out = header;
  out.reserve(rows * 310 + header.size());
  for (std::size_t i = 0; i < rows; ++i) {
    char buf[512];
    const int n = std::snprintf(
        buf, sizeof buf,
        "acquire,%s,\"記号%04zu\",%08zu,%02zu,1,山田 太郎,山田 太郎,ヤマダ タロウ,1,1972-05-01,"
        "東京都千代田区千代田一丁目%zu番地 サンプルマンション%zu号室,100-0001,2020-04-01,3,"
        "2020-04-01,2020-04-01,2030-03-31,A03,2024-08-01,2025-07-31,\r\n",
        kInsurer.c_str(), i % 10000, i, i % 100, i % 50, i % 900);
    out.append(buf, static_cast<std::size_t>(n));
  }
  return out;
}

// Run with --gtest_also_run_disabled_tests on an optimised build.
TEST(RegistrationFile, DISABLED_MillionCsvRowsSpeed) {
  const std::string content = many_row_file(1'000'000);
  const std::clock_t c0 = std::clock();
  const auto t0 = std::chrono::steady_clock::now();
  const auto p = parse_registrations(content);
  const auto t1 = std::chrono::steady_clock::now();
  const std::clock_t c1 = std::clock();
  ASSERT_EQ(p.rows.size(), 1'000'000u);
  ASSERT_TRUE(p.errors.empty());
  // CPU time too: wall time is noisy on a shared machine.
  std::printf("parsed %zu rows (%.0f MB) in %.3f s wall, %.3f s CPU\n", p.rows.size(),
              static_cast<double>(content.size()) / 1e6,
              std::chrono::duration<double>(t1 - t0).count(),
              static_cast<double>(c1 - c0) / CLOCKS_PER_SEC);
}

}  // namespace
}  // namespace onshi::ingest
