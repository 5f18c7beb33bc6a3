// The flat reader of counter requests, against nlohmann::json as the reference for what RFC
// 8259 accepts: the same bodies accepted, the same members read, the same ones refused.
#include "api/flat_json.hpp"

#include <gtest/gtest.h>

#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace onshi::api {
namespace {

using Kind = FlatMember::Kind;

std::map<std::string, std::string> read(std::string_view body, bool* ok = nullptr) {
  std::vector<FlatMember> members;
  const bool accepted = read_flat_object(body, members);
  if (ok) *ok = accepted;
  std::map<std::string, std::string> out;
  for (const auto& m : members) {
    std::string v;
    switch (m.kind) {
      case Kind::kString:
        v = "s:" + m.text;
        break;
      case Kind::kInteger:
        v = "i:" + m.text;
        break;
      case Kind::kNumber:
        v = "n:" + m.text;
        break;
      case Kind::kTrue:
        v = "true";
        break;
      case Kind::kFalse:
        v = "false";
        break;
      case Kind::kNull:
        v = "null";
        break;
      case Kind::kNested:
        v = "nested";
        break;
    }
    out[std::string(m.key())] = v;
  }
  return out;
}

TEST(FlatJson, ReadsScalarsInPlace) {
  bool ok = false;
  const auto m = read(R"( {"a":"x","b":12,"c":-1.5e3,"d":true,"e":false,"f":null,"g":""} )", &ok);
  ASSERT_TRUE(ok);
  EXPECT_EQ(m.at("a"), "s:x");
  EXPECT_EQ(m.at("b"), "i:12");
  EXPECT_EQ(m.at("c"), "n:-1.5e3");
  EXPECT_EQ(m.at("d"), "true");
  EXPECT_EQ(m.at("e"), "false");
  EXPECT_EQ(m.at("f"), "null");
  EXPECT_EQ(m.at("g"), "s:");
  EXPECT_TRUE(read("{}", &ok).empty());
  EXPECT_TRUE(ok);
}

TEST(FlatJson, DecodesEscapesAndKeepsUtf8ByteForByte) {
  bool ok = false;
  // 𠮷 as a surrogate pair, 髙 raw, a variation sequence raw, every simple escape.
  const auto m = read(
      "{\"n\\u0061me\":\"\\ud842\\udfb7\xE9\xAB\x99\xE9\x82\x89\xF3\xA0\x84\x81"
      "\\\"\\\\\\/\\b\\f\\n\\r\\t\"}",
      &ok);
  ASSERT_TRUE(ok);
  EXPECT_EQ(m.at("name"),
            "s:\xF0\xA0\xAE\xB7\xE9\xAB\x99\xE9\x82\x89\xF3\xA0\x84\x81\"\\/\b\f\n\r\t");
}

TEST(FlatJson, NestedValuesAreRecognisedNotRead) {
  bool ok = false;
  const auto m = read(R"({"a":{"b":[1,{"c":"d"}],"e":[]},"f":[]})", &ok);
  ASSERT_TRUE(ok);
  EXPECT_EQ(m.at("a"), "nested");
  EXPECT_EQ(m.at("f"), "nested");
  // Deep nesting is refused, not recursed into without bound.
  EXPECT_FALSE(
      (read("{\"a\":" + std::string(10000, '[') + std::string(10000, ']') + "}", &ok), ok));
}

TEST(FlatJson, RefusesWhatRfc8259Refuses) {
  for (const std::string& bad :
       std::vector<std::string>{"",
                                " ",
                                "[]",
                                "\"x\"",
                                "12",
                                "{",
                                "}",
                                "{\"a\"}",
                                "{\"a\":}",
                                "{\"a\":1,}",
                                "{,}",
                                "{\"a\":1}{",
                                "{\"a\":1} x",
                                "{'a':1}",
                                "{a:1}",
                                "{\"a\":01}",
                                "{\"a\":1.}",
                                "{\"a\":.5}",
                                "{\"a\":-}",
                                "{\"a\":1e}",
                                "{\"a\":+1}",
                                "{\"a\":tru}",
                                "{\"a\":nul}",
                                "{\"a\":\"x}",
                                "{\"a\":\"\\x\"}",
                                "{\"a\":\"\\u12\"}",
                                "{\"a\":\"\\ud842\"}",
                                "{\"a\":\"\\udfb7\"}",
                                std::string("{\"a\":\"\x01\"}"),
                                std::string("{\"a\":\"\xC0\xAF\"}"),
                                std::string("{\"a\":\"\xED\xA0\x80\"}"),
                                std::string("{\"a\":\"\xF4\x90\x80\x80\"}"),
                                std::string("{\"a\":\"\xE9\xAB\"}"),
                                "{\"a\":[1,]}",
                                "{\"a\":{\"b\"}}",
                                "{\"a\":[}"}) {
    bool ok = true;
    read(bad, &ok);
    EXPECT_FALSE(ok) << bad;
    EXPECT_TRUE(nlohmann::json::parse(bad, nullptr, false).is_discarded() ||
                !nlohmann::json::parse(bad, nullptr, false).is_object())
        << "the reference accepts " << bad;
  }
}

TEST(FlatJson, AgreesWithTheReferenceOnAcceptedObjects) {
  for (const std::string good :
       {R"({"insurer_number":"06130488","number":"１２３","birth_date":"S47.05.01"})",
        "{\"a\" : 0 , \"b\":\t-0.0E+5\r\n}", R"({"x":"\u00e9\u3042"})", R"({"a":1,"a":2})"}) {
    const auto ref = nlohmann::json::parse(good, nullptr, false);
    ASSERT_TRUE(ref.is_object()) << good;
    bool ok = false;
    const auto m = read(good, &ok);
    ASSERT_TRUE(ok) << good;
    for (auto it = ref.begin(); it != ref.end(); ++it) {
      ASSERT_TRUE(m.count(it.key())) << good;
      if (it.value().is_string()) {
        EXPECT_EQ(m.at(it.key()), "s:" + it.value().get<std::string>());
      }
    }
  }
}

}  // namespace
}  // namespace onshi::api
