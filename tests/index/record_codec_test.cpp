// The compact record encoding of the index (src/index/record_codec.hpp) and its text
// dictionary: every field round-trips byte for byte, at the edges of every range.
#include "index/record_codec.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "index/text_dictionary.hpp"
#include "tests/store/store_test_data.hpp"

namespace onshi::index {
namespace {

using core::Coverage;
using core::Date;

std::string round_trip_text(TextDictionary& dict, const std::string& text) {
  std::string coded;
  dict.encode(text, coded);
  std::string back;
  dict.decode(coded, back);
  return back;
}

TEST(TextDictionaryTest, TextsRoundTripByteForByte) {
  TextDictionary dict;
  const std::vector<std::string> texts = {
      "",
      "a",
      "81-64",
      "高橋　大輔",  // U+3000 between family and given name
      "タカハシ　ダイスケ",
      "\xE3\x80\x80\xE3\x80\x80",  // two ideographic spaces alone
      "東京都世田谷区若葉3丁目27番15号",
      "\xF0\xA0\xAE\xB7野家",               // 𠮷, outside the BMP
      "\xE9\x82\x89\xF3\xA0\x84\x81",       // 邉 with a variation selector
      std::string("\0\x01\x7F", 3),         // control bytes and NUL are literal
      "\xFF\xFE\x80\xE3\x80",               // not UTF-8 at all; a cut U+3000 at the end
      "\xE3\x80\x80x\xE3\x80\x80\xE3\x80",  // spaces next to ASCII and a cut one
      std::string(70000, 'x'),
      [] {
        std::string s;
        for (int i = 0; i < 30000; ++i) s += "漢";
        return s;
      }(),
  };
  for (const auto& t : texts) EXPECT_EQ(round_trip_text(dict, t), t);
  // Second time round, every run is already in the dictionary.
  for (const auto& t : texts) EXPECT_EQ(round_trip_text(dict, t), t);
}

TEST(TextDictionaryTest, RepeatedPiecesAreStoredOnce) {
  TextDictionary dict;
  std::string coded;
  dict.encode("高橋　大輔", coded);
  const std::size_t runs = dict.run_count();
  EXPECT_EQ(runs, 3u) << "高橋, U+3000, 大輔";
  EXPECT_EQ(coded.size(), 6u) << "three 2-byte codes instead of 15 bytes";
  coded.clear();
  dict.encode("高橋　由紀", coded);
  EXPECT_EQ(dict.run_count(), runs + 1) << "only 由紀 is new";
}

TEST(TextDictionaryTest, CodesBeyondTwoBytesAndAFullDictionaryStillRoundTrip) {
  TextDictionary dict;
  std::vector<std::string> texts;
  // More runs than the 32,512 two-byte codes: later ones take the 4-byte form.
  for (int i = 0; i < 40000; ++i) {
    std::string t = "名";  // then three bytes >= 0x80 that differ for every i: a run of its own
    for (int shift = 0; shift < 18; shift += 6)
      t.push_back(static_cast<char>(0x80 | ((i >> shift) & 63)));
    texts.push_back(t + "-" + std::to_string(i));
  }
  std::vector<std::string> coded(texts.size());
  for (std::size_t i = 0; i < texts.size(); ++i) dict.encode(texts[i], coded[i]);
  for (std::size_t i = 0; i < texts.size(); ++i) {
    std::string back;
    dict.decode(coded[i], back);
    ASSERT_EQ(back, texts[i]) << i;
  }
  TextDictionary full;
  full.set_capacity_for_test(2);
  const std::vector<std::string> more = {"高橋　大輔", "佐藤　花子", "高橋　花子", "鈴木"};
  for (const auto& t : more) EXPECT_EQ(round_trip_text(full, t), t);
  EXPECT_EQ(full.run_count(), 2u) << "runs beyond the capacity are kept raw";
}

Coverage full_coverage() {
  Coverage c;
  c.id = 7;
  c.key = core::CoverageKey{"06130488", "千代田-12", "００４５", "01"};
  c.relationship = core::Relationship::kDependant;
  c.insured_name = "\xF0\xA0\xAE\xB7田　一郎";
  c.name = "山\xEF\xA8\x91\xE3\x80\x80\xE9\x82\x89\xF3\xA0\x84\x81子";
  c.name_kana = "ヤマサキ　ベコ";
  c.sex = core::Sex::kFemale;
  c.birth_date = Date::from_ymd(1950, 2, 28);
  c.address = "東京都千代田区霞が関1-2-2 \xF0\xA0\xAE\xB7野ビル";
  c.postcode = "100-8916";
  c.acquired_on = Date::from_ymd(2015, 4, 1);
  c.lost_on = Date::from_ymd(2030, 4, 1);
  c.loss_reason = core::LossReason::kOtherInsurance;
  c.card_issued_on = Date::from_ymd(2015, 4, 3);
  c.card_valid_from = Date::from_ymd(2015, 4, 1);
  c.card_valid_until = Date::from_ymd(2031, 3, 31);
  c.copay_ratio = 2;
  c.elderly =
      core::ElderlyRecipientTerms{3, Date::from_ymd(2020, 3, 1), Date::from_ymd(2025, 2, 28)};
  c.self_pay_limit =
      core::SelfPayLimitTerms{"B10", Date::from_ymd(2024, 8, 1), Date::from_ymd(2025, 7, 31)};
  c.specific_disease =
      core::SpecificDiseaseTerms{1, Date::from_ymd(2021, 1, 1), Date::from_ymd(2026, 12, 31)};
  c.person_key = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
  return c;
}

// The store tests' field-by-field comparison, which names the field that differs.
using store::testing::expect_same_coverage;
void expect_same(const Coverage& want, const Coverage& got) {
  expect_same_coverage(want, got);
}

class RecordCodecTest : public ::testing::Test {
 protected:
  Coverage round_trip(const Coverage& c, std::uint32_t insurer = 5) {
    std::string bytes;
    encode_record(c, insurer, dict_, bytes);
    // Parsing must not read past the record: copy it into a buffer of exactly its size.
    std::vector<char> exact(bytes.begin(), bytes.end());
    const RecordView v = parse_record(exact.data());
    EXPECT_EQ(v.insurer, insurer);
    EXPECT_EQ(stored_person_key(exact.data()), v.person_key);
    return materialise_record(v, c.id, c.key.insurer_number, dict_);
  }
  TextDictionary dict_;
};

TEST_F(RecordCodecTest, EveryFieldRoundTrips) {
  const Coverage c = full_coverage();
  expect_same(c, round_trip(c));
  Coverage bare;  // nothing set: no dates, no terms, empty texts, not linked
  bare.id = 1;
  bare.key.branch = "00";  // the index keeps a branch as 2 characters
  expect_same(bare, round_trip(bare));
  Coverage big = c;
  big.id = INT32_MAX;
  expect_same(big, round_trip(big, UINT32_MAX));
}

TEST_F(RecordCodecTest, DatesAtTheEndsOfTheRangeAndOfTheShortForm) {
  const std::vector<Date> dates = {
      Date::from_ymd(1868, 1, 1),
      Date::from_ymd(1899, 12, 31),
      Date::from_ymd(1900, 1, 1),
      Date::from_ymd(1900, 1, 2),
      Date::from_ymd(1970, 1, 1),
      Date::from_ymd(2079, 6, 4),
      Date::from_ymd(2079, 6, 5),
      Date::from_ymd(2079, 6, 6),
      Date::from_ymd(2079, 6, 7),
      Date::from_ymd(2999, 12, 31),
      Date{},
  };
  for (const Date d : dates) {
    Coverage c = full_coverage();
    c.birth_date = c.acquired_on = c.lost_on = c.card_issued_on = c.card_valid_from =
        c.card_valid_until = d;
    c.elderly->valid_from = c.elderly->valid_until = d;
    c.self_pay_limit->valid_from = c.self_pay_limit->valid_until = d;
    c.specific_disease->valid_from = c.specific_disease->valid_until = d;
    SCOPED_TRACE(d.iso());
    expect_same(c, round_trip(c));
  }
}

TEST_F(RecordCodecTest, EveryEnumValueAndOddCodes) {
  Coverage c = full_coverage();
  for (const auto rel : {core::Relationship::kInsured, core::Relationship::kDependant,
                         static_cast<core::Relationship>(0), static_cast<core::Relationship>(15),
                         static_cast<core::Relationship>(16), static_cast<core::Relationship>(255)})
    for (const auto sex : {core::Sex::kUnset, core::Sex::kMale, core::Sex::kFemale,
                           static_cast<core::Sex>(0), static_cast<core::Sex>(200)})
      for (const auto loss :
           {core::LossReason::kNone, core::LossReason::kDeath, core::LossReason::kPublicAssistance,
            core::LossReason::kOtherInsurance, core::LossReason::kOther}) {
        c.relationship = rel;
        c.sex = sex;
        c.loss_reason = loss;
        expect_same(c, round_trip(c));
      }
  for (const int v : {0, 1, 2, 3, 10, -1, 1000, INT32_MAX, INT32_MIN}) {
    c.copay_ratio = v;
    c.elderly->copay_ratio = v;
    c.specific_disease->disease = v;
    expect_same(c, round_trip(c));
  }
}

TEST_F(RecordCodecTest, TermsPresentWithoutDatesAndAbsentTerms) {
  Coverage c = full_coverage();
  c.elderly = core::ElderlyRecipientTerms{2, {}, {}};
  c.self_pay_limit = core::SelfPayLimitTerms{"", {}, {}};
  c.specific_disease = core::SpecificDiseaseTerms{3, {}, {}};
  expect_same(c, round_trip(c));
  c.elderly.reset();
  c.self_pay_limit.reset();
  c.specific_disease.reset();
  expect_same(c, round_trip(c));
}

TEST_F(RecordCodecTest, BranchesPostcodesAndPersonKeysInEveryForm) {
  Coverage c = full_coverage();
  for (const std::string branch : {"00", "99", "07", "ab", "0", "", "12345", "\xE3\x80\x80"}) {
    c.key.branch = branch;
    // The index keeps a branch as 2 characters, '0'-padded, as it always has.
    Coverage want = c;
    want.key.branch = {branch.size() > 0 ? branch[0] : '0', branch.size() > 1 ? branch[1] : '0'};
    expect_same(want, round_trip(c));
  }
  c.key.branch = "01";
  for (const std::string postcode : {"000-0000", "999-9999", "100-8916", "", "1008916", "100-891",
                                     "１００-８９１６", "100 8916"}) {
    c.postcode = postcode;
    expect_same(c, round_trip(c));
  }
  for (const std::string& key :
       {std::string(64, 'f'), std::string(64, '0'), std::string(64, 'F'), std::string(63, 'a'),
        std::string(65, 'a'), std::string("p1"), std::string(""), std::string(63, 'a') + "g",
        std::string(300, 'k')}) {
    c.person_key = key;
    expect_same(c, round_trip(c));
  }
}

TEST_F(RecordCodecTest, InsuredNameEqualToNameIsStoredOnce) {
  Coverage c = full_coverage();
  std::string with_own, shared;
  encode_record(c, 1, dict_, with_own);
  c.insured_name = c.name;
  encode_record(c, 1, dict_, shared);
  EXPECT_LT(shared.size(), with_own.size());
  expect_same(c, round_trip(c));
  c.insured_name = "";
  expect_same(c, round_trip(c));
}

TEST_F(RecordCodecTest, LongTextsAndRandomBytesRoundTrip) {
  std::mt19937 rng(42);
  for (int i = 0; i < 300; ++i) {
    Coverage c = full_coverage();
    const auto random_text = [&](std::size_t n) {
      std::string s(n, '\0');
      for (char& ch : s) ch = static_cast<char>(rng() & 0xFF);
      return s;
    };
    c.key.symbol = random_text(rng() % 40);
    c.key.number = random_text(rng() % 40);
    c.name = random_text(rng() % 200);
    c.name_kana = random_text(rng() % 200);
    c.insured_name = random_text(rng() % 200);
    c.address = random_text(i == 0 ? 100000 : rng() % 300);
    c.postcode = random_text(rng() % 10);
    c.self_pay_limit->category = random_text(rng() % 5);
    c.person_key = random_text(rng() % 70);
    expect_same(c, round_trip(c));
  }
}

TEST_F(RecordCodecTest, ATypicalRecordIsSmall) {
  Coverage c;
  c.id = 1;
  c.key = core::CoverageKey{"01130012", "34791555", "2", "01"};
  c.relationship = core::Relationship::kDependant;
  c.insured_name = "高橋　大輔";
  c.name = "高橋　由紀";
  c.name_kana = "タカハシ　ユキ";
  c.sex = core::Sex::kFemale;
  c.birth_date = Date::from_ymd(1970, 5, 13);
  c.address = "東京都世田谷区駅前4丁目30番5号";
  c.postcode = "131-2076";
  c.acquired_on = Date::from_ymd(2000, 2, 10);
  c.card_issued_on = Date::from_ymd(2000, 2, 15);
  c.card_valid_from = Date::from_ymd(2000, 2, 10);
  c.person_key = std::string(64, 'a');
  std::string bytes;
  encode_record(c, 3, dict_, bytes);
  // 4 header + 32 key + ~8 codes + 8 dates + texts (~40) + 3 postcode.
  EXPECT_LT(bytes.size(), 100u);
  RecordProperty("typical_record_bytes", std::to_string(bytes.size()));
  expect_same(c, round_trip(c));
}

}  // namespace
}  // namespace onshi::index
