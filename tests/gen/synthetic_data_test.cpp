#include "gen/synthetic_data.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "core/coverage.hpp"
#include "core/date.hpp"
#include "core/facility.hpp"
#include "core/identifiers.hpp"
#include "core/insurer.hpp"
#include "core/registration.hpp"

namespace onshi::gen {
namespace {

using core::Date;
using core::InsurerKind;
using F = core::RegistrationField;
using Record = std::vector<std::string>;

// RFC 4180 reader, independent of ingest/: quoted fields, doubled quotes, CRLF or LF.
std::vector<Record> parse_csv(const std::string& text) {
  std::vector<Record> records;
  Record rec;
  std::string field;
  bool quoted = false, any = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (quoted) {
      if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
        field += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        field += c;
      }
      continue;
    }
    any = true;
    if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      rec.push_back(std::move(field));
      field.clear();
    } else if (c == '\n' || c == '\r') {
      if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
      rec.push_back(std::move(field));
      field.clear();
      records.push_back(std::move(rec));
      rec.clear();
      any = false;
    } else {
      field += c;
    }
  }
  if (any) {
    rec.push_back(std::move(field));
    records.push_back(std::move(rec));
  }
  return records;
}

std::size_t col(F f) {
  return static_cast<std::size_t>(f);
}

struct Output {
  GenSummary summary;
  std::string insurers, facilities, registrations;
};

Output run(std::int64_t persons, std::uint64_t seed, int facilities = 0) {
  GenOptions opt;
  opt.persons = persons;
  opt.seed = seed;
  opt.facilities = facilities;
  opt.today = Date::from_ymd(2025, 6, 1);
  std::ostringstream a, b, c;
  Output out;
  out.summary = generate(opt, a, b, c);
  out.insurers = a.str();
  out.facilities = b.str();
  out.registrations = c.str();
  return out;
}

std::string key_of(const Record& r) {
  return r[col(F::kInsurerNumber)] + "|" + r[col(F::kSymbol)] + "|" + r[col(F::kNumber)] + "|" +
         r[col(F::kBranch)];
}

std::string household_of(const Record& r) {
  return r[col(F::kInsurerNumber)] + "|" + r[col(F::kSymbol)] + "|" + r[col(F::kNumber)];
}

Date date_of(const std::string& text) {
  auto d = core::parse_date_strict(text);
  return d ? *d : Date{};
}

// One medium data set shared by the tests that only read it.
class GenFixture : public ::testing::Test {
 protected:
  static constexpr std::int64_t kPersons = 30000;
  static void SetUpTestSuite() {
    out_ = new Output(run(kPersons, 7));
    auto ins = parse_csv(out_->insurers);
    insurer_rows_ = new std::vector<Record>(ins.begin() + 1, ins.end());
    kinds_ = new std::map<std::string, InsurerKind>;
    for (const auto& r : *insurer_rows_) {
      InsurerKind k{};
      if (r.size() == 4 && core::insurer_kind_from_string(r[2], k)) (*kinds_)[r[0]] = k;
    }
    auto reg = parse_csv(out_->registrations);
    header_ = new Record(reg.front());
    rows_ = new std::vector<Record>(reg.begin() + 1, reg.end());
  }
  static void TearDownTestSuite() {
    delete out_;
    delete insurer_rows_;
    delete kinds_;
    delete header_;
    delete rows_;
  }
  static const Output& out() { return *out_; }
  static const std::vector<Record>& rows() { return *rows_; }
  static InsurerKind kind_of(const Record& r) { return kinds_->at(r[col(F::kInsurerNumber)]); }
  // Keys whose coverage ended because the person joined another insurer.
  static std::set<std::string> superseded_keys() {
    std::set<std::string> keys;
    for (const auto& r : rows())
      if (r[col(F::kEvent)] == "lose" && r[col(F::kLossReason)] == "03") keys.insert(key_of(r));
    return keys;
  }
  static std::map<std::string, const Record*> lose_rows() {
    std::map<std::string, const Record*> lost;
    for (const auto& r : rows())
      if (r[col(F::kEvent)] == "lose") lost[key_of(r)] = &r;
    return lost;
  }

  static inline Output* out_ = nullptr;
  static inline std::vector<Record>* insurer_rows_ = nullptr;
  static inline std::map<std::string, InsurerKind>* kinds_ = nullptr;
  static inline Record* header_ = nullptr;
  static inline std::vector<Record>* rows_ = nullptr;
};

TEST(GenDeterminism, SameSeedGivesIdenticalFiles) {
  const Output a = run(3000, 42), b = run(3000, 42);
  EXPECT_EQ(a.insurers, b.insurers);
  EXPECT_EQ(a.facilities, b.facilities);
  EXPECT_EQ(a.registrations, b.registrations);
  const Output c = run(3000, 43);
  EXPECT_NE(a.registrations, c.registrations);
  EXPECT_NE(a.facilities, c.facilities);
}

TEST(GenDeterminism, ZeroPersonsWritesHeadersOnly) {
  const Output o = run(0, 1);
  EXPECT_EQ(o.registrations, core::registration_csv_header() + "\n");
  EXPECT_EQ(o.summary.persons, 0);
  EXPECT_EQ(o.summary.registration_rows, 0);
  EXPECT_EQ(o.summary.facilities, 200);  // the floor
  EXPECT_GT(o.summary.insurers, 47);
}

TEST_F(GenFixture, SummaryMatchesFiles) {
  EXPECT_EQ(out().summary.persons, kPersons);
  EXPECT_EQ(out().summary.registration_rows, static_cast<std::int64_t>(rows().size()));
  EXPECT_EQ(out().summary.insurers, static_cast<std::int64_t>(insurer_rows_->size()));
  EXPECT_EQ(out().summary.facilities,
            static_cast<std::int64_t>(parse_csv(out().facilities).size()) - 1);
}

TEST_F(GenFixture, EveryRowHasTheHeadersColumnCount) {
  ASSERT_EQ(*header_, parse_csv(core::registration_csv_header()).front());
  for (const auto& r : rows()) ASSERT_EQ(r.size(), header_->size()) << r[0];
  const auto ins = parse_csv(out().insurers);
  EXPECT_EQ(ins.front(), (Record{"number", "name", "kind", "prefecture"}));
  for (const auto& r : ins) ASSERT_EQ(r.size(), 4u);
  const auto fac = parse_csv(out().facilities);
  EXPECT_EQ(fac.front(), (Record{"code", "name", "type", "prefecture"}));
  for (const auto& r : fac) ASSERT_EQ(r.size(), 4u);
}

TEST_F(GenFixture, EveryRowPassesRegistrationValidation) {
  std::size_t line = 1;
  for (const auto& r : rows()) {
    core::RegistrationRow row;
    row.line = ++line;
    for (std::size_t i = 0; i < r.size(); ++i)
      if (!r[i].empty()) row.fields[i] = r[i];
    auto ev = core::validate_registration(row);
    ASSERT_TRUE(ev.ok()) << "line " << line << ": " << ev.error().detail;
  }
}

TEST_F(GenFixture, InsurerNumbersHaveValidCheckDigitsAndFitTheirKind) {
  std::set<std::string> numbers;
  std::map<InsurerKind, int> count;
  for (const auto& r : *insurer_rows_) {
    auto n = core::parse_insurer_number(r[0]);
    ASSERT_TRUE(n.ok()) << r[0];
    EXPECT_EQ(n->digits, r[0]);
    EXPECT_TRUE(numbers.insert(r[0]).second) << "duplicate " << r[0];
    InsurerKind k{};
    ASSERT_TRUE(core::insurer_kind_from_string(r[2], k)) << r[2];
    ++count[k];
    EXPECT_EQ(n->prefecture(), std::stoi(r[3])) << r[0];
    const std::string_view hb = n->houbetsu();
    switch (k) {
      case InsurerKind::kKyokaiKenpo:
        EXPECT_EQ(hb, "01");
        EXPECT_TRUE(r[1].starts_with("全国健康保険協会 ")) << r[1];
        break;
      case InsurerKind::kHealthInsuranceSociety:
        EXPECT_EQ(hb, "06");
        EXPECT_TRUE(r[1].ends_with("健康保険組合")) << r[1];
        break;
      case InsurerKind::kMutualAid:
        EXPECT_TRUE(hb >= "31" && hb <= "34") << r[0];
        break;
      case InsurerKind::kMunicipalNhi:
        EXPECT_TRUE(n->is_national_health());
        EXPECT_TRUE(r[1].ends_with("市") || r[1].ends_with("区")) << r[1];
        break;
      case InsurerKind::kNhiSociety:
        EXPECT_TRUE(n->is_national_health());
        EXPECT_EQ(r[0][2], '3') << r[0];
        break;
      case InsurerKind::kLateStageElderly:
        EXPECT_EQ(hb, "39");
        EXPECT_TRUE(r[1].ends_with("後期高齢者医療広域連合")) << r[1];
        break;
    }
  }
  EXPECT_EQ(count[InsurerKind::kKyokaiKenpo], 47);
  EXPECT_EQ(count[InsurerKind::kLateStageElderly], 47);
  EXPECT_GE(count[InsurerKind::kHealthInsuranceSociety], 3);
  EXPECT_GT(count[InsurerKind::kMunicipalNhi], 47);
  // Every registration refers to a listed insurer.
  for (const auto& r : rows()) ASSERT_TRUE(numbers.count(r[col(F::kInsurerNumber)])) << r[1];
}

TEST_F(GenFixture, FacilitiesHaveValidCodesAndTheRealTypeMix) {
  const auto fac = parse_csv(out().facilities);
  std::set<std::string> codes;
  std::map<core::FacilityType, int> count;
  for (std::size_t i = 1; i < fac.size(); ++i) {
    const auto& r = fac[i];
    auto code = core::parse_facility_code(r[0]);
    ASSERT_TRUE(code.ok()) << r[0];
    EXPECT_TRUE(codes.insert(r[0]).second) << "duplicate " << r[0];
    core::FacilityType t{};
    ASSERT_TRUE(core::facility_type_from_string(r[2], t)) << r[2];
    EXPECT_EQ(code->fee_table(), core::fee_table_of(t)) << r[0];
    EXPECT_EQ(code->prefecture(), std::stoi(r[3]));
    EXPECT_FALSE(r[1].empty());
    ++count[t];
  }
  const double total = static_cast<double>(fac.size() - 1);
  EXPECT_NEAR(count[core::FacilityType::kHospital] / total, 0.034, 0.01);
  EXPECT_NEAR(count[core::FacilityType::kMedicalClinic] / total, 0.429, 0.02);
  EXPECT_NEAR(count[core::FacilityType::kDentalClinic] / total, 0.281, 0.02);
  EXPECT_NEAR(count[core::FacilityType::kPharmacy] / total, 0.256, 0.02);
}

TEST(GenFacilities, ExplicitCountIsHonoured) {
  const Output o = run(100, 3, 1234);
  EXPECT_EQ(o.summary.facilities, 1234);
  EXPECT_EQ(parse_csv(o.facilities).size(), 1235u);
}

TEST_F(GenFixture, MyNumbersAreValidAndBelongToOnePerson) {
  std::map<std::string, std::string> person;  // my_number -> name + birth date
  std::size_t with = 0, acquires = 0;
  for (const auto& r : rows()) {
    if (r[col(F::kEvent)] != "acquire") continue;
    ++acquires;
    const std::string& mn = r[col(F::kMyNumber)];
    if (mn.empty()) continue;
    ++with;
    auto parsed = core::parse_my_number(mn);
    ASSERT_TRUE(parsed.ok());
    const std::string who = r[col(F::kName)] + "|" + r[col(F::kBirthDate)];
    auto [it, fresh] = person.emplace(mn, who);
    EXPECT_TRUE(fresh || it->second == who) << "My Number shared by two persons";
  }
  // About 70% of persons are linked.
  EXPECT_NEAR(static_cast<double>(person.size()) / kPersons, 0.70, 0.03);
  EXPECT_GT(with, person.size());  // re-acquired coverages carry the same number
  (void)acquires;
}

TEST_F(GenFixture, KindSplitFollowsTheNationalPopulation) {
  // Each person has exactly one current coverage: the acquire rows not superseded by a move to
  // another insurer (loss reason 03).
  const auto superseded = superseded_keys();
  std::map<InsurerKind, double> count;
  std::int64_t persons = 0;
  for (const auto& r : rows()) {
    if (r[col(F::kEvent)] != "acquire" || superseded.count(key_of(r))) continue;
    ++count[kind_of(r)];
    ++persons;
  }
  EXPECT_EQ(persons, kPersons);
  const double n = static_cast<double>(kPersons);
  const double total = 125.5;
  EXPECT_NEAR(count[InsurerKind::kKyokaiKenpo] / n, 39.5 / total, 0.01);
  EXPECT_NEAR(count[InsurerKind::kHealthInsuranceSociety] / n, 29.5 / total, 0.01);
  EXPECT_NEAR(count[InsurerKind::kMutualAid] / n, 8.6 / total, 0.01);
  EXPECT_NEAR(count[InsurerKind::kMunicipalNhi] / n, 27.5 / total, 0.01);
  EXPECT_NEAR(count[InsurerKind::kNhiSociety] / n, 2.7 / total, 0.01);
  EXPECT_NEAR(count[InsurerKind::kLateStageElderly] / n, 17.7 / total, 0.01);
}

TEST_F(GenFixture, AcquireKeysAreUnique) {
  std::set<std::string> keys;
  for (const auto& r : rows())
    if (r[col(F::kEvent)] == "acquire") {
      EXPECT_TRUE(keys.insert(key_of(r)).second) << key_of(r);
    }
}

TEST_F(GenFixture, FamiliesShareTheNumberWithDistinctBranches) {
  struct Household {
    std::set<std::string> branches;
    std::set<std::string> insured_names;
    std::string head_name;
    int heads = 0;
    int size = 0;
  };
  std::map<std::string, Household> households;
  for (const auto& r : rows()) {
    if (r[col(F::kEvent)] != "acquire") continue;
    auto& h = households[household_of(r)];
    EXPECT_TRUE(h.branches.insert(r[col(F::kBranch)]).second) << household_of(r);
    h.insured_names.insert(r[col(F::kInsuredName)]);
    ++h.size;
    if (r[col(F::kRelationship)] == "1") {
      ++h.heads;
      h.head_name = r[col(F::kName)];
      EXPECT_EQ(r[col(F::kBranch)], "00");
    }
  }
  int families = 0, with_symbol_kana_or_kanji = 0, with_hyphen = 0, without_symbol = 0;
  for (const auto& [key, h] : households) {
    EXPECT_EQ(h.heads, 1) << key;
    EXPECT_EQ(h.insured_names.size(), 1u) << key;
    EXPECT_EQ(*h.insured_names.begin(), h.head_name) << key;
    if (h.size > 1) ++families;
    const std::string symbol = key.substr(key.find('|') + 1, key.rfind('|') - key.find('|') - 1);
    if (symbol.empty()) ++without_symbol;
    if (symbol.find('-') != std::string::npos) ++with_hyphen;
    if (std::any_of(symbol.begin(), symbol.end(), [](char c) { return c & 0x80; }))
      ++with_symbol_kana_or_kanji;
  }
  EXPECT_GT(families, 1000);
  EXPECT_GT(with_symbol_kana_or_kanji, 100);
  EXPECT_GT(with_hyphen, 100);
  EXPECT_GT(without_symbol, 1000);  // 後期高齢者 cards have no symbol
}

TEST_F(GenFixture, RareNamesArePresent) {
  std::map<std::string, int> seen;
  for (const auto& r : rows())
    for (const auto& rare : demo_rare_names())
      if (r[col(F::kName)].starts_with(rare + "\u3000")) ++seen[rare];
  const auto rare = demo_rare_names();
  ASSERT_EQ(rare.size(), 6u);
  for (const auto& n : rare) EXPECT_GT(seen[n], 0) << n;
  // Outside the BMP, and the ideographic variation sequence, byte for byte.
  EXPECT_NE(std::find(rare.begin(), rare.end(), "\xF0\xA0\xAE\xB7\xE7\x94\xB0"), rare.end());
  EXPECT_NE(std::find(rare.begin(), rare.end(), "\xE6\xB8\xA1\xE9\x82\x89\xF3\xA0\x84\x81"),
            rare.end());
}

TEST_F(GenFixture, NamesUseAnIdeographicSpaceAndKatakanaReadings) {
  for (const auto& r : rows()) {
    if (r[col(F::kEvent)] != "acquire") continue;
    const std::string& name = r[col(F::kName)];
    const std::string& kana = r[col(F::kNameKana)];
    ASSERT_NE(name.find("\u3000"), std::string::npos) << name;
    ASSERT_EQ(name.find(' '), std::string::npos) << name;
    // Full-width katakana (U+30A1..U+30FA, E3 82 A1 .. E3 83 BA) and U+3000 only.
    for (std::size_t i = 0; i < kana.size(); i += 3) {
      ASSERT_LE(i + 3, kana.size());
      const auto b1 = static_cast<unsigned char>(kana[i + 1]);
      ASSERT_EQ(static_cast<unsigned char>(kana[i]), 0xE3) << kana;
      ASSERT_TRUE(b1 == 0x82 || b1 == 0x83 || (b1 == 0x80 && kana[i + 2] == '\x80')) << kana;
    }
  }
}

TEST_F(GenFixture, LoseAndChangeRowsFollowTheirAcquire) {
  std::map<std::string, std::string> acquired;  // key -> acquired_on
  std::map<std::string, std::vector<const Record*>> by_my_number;
  std::size_t loses = 0, changes = 0;
  std::map<std::string, int> reasons;
  for (const auto& r : rows()) {
    const std::string key = key_of(r);
    const std::string& ev = r[col(F::kEvent)];
    if (ev == "acquire") {
      acquired[key] = r[col(F::kAcquiredOn)];
      if (!r[col(F::kMyNumber)].empty()) by_my_number[r[col(F::kMyNumber)]].push_back(&r);
      continue;
    }
    auto it = acquired.find(key);
    ASSERT_NE(it, acquired.end()) << ev << " before acquire: " << key;
    EXPECT_EQ(r[col(F::kAcquiredOn)], it->second);
    if (ev == "lose") {
      ++loses;
      ++reasons[r[col(F::kLossReason)]];
      EXPECT_GT(date_of(r[col(F::kLostOn)]), date_of(it->second));
      EXPECT_LE(date_of(r[col(F::kLostOn)]), Date::from_ymd(2025, 6, 1));
      acquired.erase(it);  // nothing may follow the loss
    } else {
      ASSERT_EQ(ev, "change");
      ++changes;
    }
  }
  // About 8% of persons lose a coverage, mostly by joining another insurer.
  EXPECT_NEAR(static_cast<double>(loses) / kPersons, 0.08, 0.025);
  EXPECT_GT(reasons["03"], reasons["01"] + reasons["02"] + reasons["99"]);
  EXPECT_GT(reasons["01"], 0);
  EXPECT_GT(reasons["02"], 0);
  EXPECT_GT(reasons["99"], 0);
  EXPECT_NEAR(static_cast<double>(changes) / kPersons, 0.01, 0.007);

  // A linked person who left with 03 has a later acquire elsewhere with the same My Number,
  // starting on the day the old coverage ended.
  const auto lost = lose_rows();
  int followed = 0;
  for (const auto& [mn, list] : by_my_number) {
    for (std::size_t i = 0; i < list.size(); ++i) {
      auto l = lost.find(key_of(*list[i]));
      if (l == lost.end() || (*l->second)[col(F::kLossReason)] != "03") continue;
      ASSERT_LT(i + 1, list.size()) << "no re-acquire after 03";
      const Record& next = *list[i + 1];
      EXPECT_NE(household_of(next), household_of(*list[i]));
      EXPECT_EQ(next[col(F::kAcquiredOn)], (*l->second)[col(F::kLostOn)]);
      ++followed;
    }
  }
  EXPECT_GT(followed, 100);
}

TEST_F(GenFixture, AgesAndCopayFitTheKind) {
  const Date today = Date::from_ymd(2025, 6, 1);
  const auto lost = lose_rows();
  int elderly = 0, preschool = 0, limits = 0, diseases = 0, acquires = 0;
  for (const auto& r : rows()) {
    if (r[col(F::kEvent)] != "acquire") continue;
    ++acquires;
    const Date birth = date_of(r[col(F::kBirthDate)]);
    const Date acquired = date_of(r[col(F::kAcquiredOn)]);
    ASSERT_TRUE(birth.valid() && acquired.valid());
    EXPECT_LE(acquired, today);
    auto l = lost.find(key_of(r));
    const Date ref = l == lost.end() ? today : date_of((*l->second)[col(F::kLostOn)]).add_days(-1);
    const int age = birth.age_on(ref);
    const int copay = std::stoi(r[col(F::kCopayRatio)]);
    if (kind_of(r) == InsurerKind::kLateStageElderly) {
      EXPECT_GE(birth.age_on(acquired), 75) << r[col(F::kBirthDate)];
      EXPECT_TRUE(r[col(F::kSymbol)].empty());
    } else {
      EXPECT_LT(age, 75) << r[col(F::kBirthDate)] << " " << r[col(F::kInsurerNumber)];
      if (age < 6) {
        EXPECT_EQ(copay, 2);
      }
      if (age >= 7 && age < 70) {
        EXPECT_EQ(copay, 3);
      }
    }
    if (!r[col(F::kElderlyCopayRatio)].empty()) {
      ++elderly;
      EXPECT_GE(age, 70);
      EXPECT_EQ(r[col(F::kElderlyCopayRatio)], r[col(F::kCopayRatio)]);
      EXPECT_TRUE(copay == 2 || copay == 3);
      const Date from = date_of(r[col(F::kElderlyValidFrom)]);
      const Date until = date_of(r[col(F::kElderlyValidUntil)]);
      EXPECT_LE(from, ref);
      EXPECT_GE(until, ref);
      EXPECT_LE(until, from.add_days(366));
    }
    if (age < 6) ++preschool;
    if (!r[col(F::kLimitCategory)].empty()) {
      ++limits;
      EXPECT_EQ(r[col(F::kLimitCategory)][0], age >= 70 ? 'B' : 'A');
    }
    if (!r[col(F::kSpecificDisease)].empty()) ++diseases;
  }
  EXPECT_GT(elderly, 100);
  EXPECT_GT(preschool, 100);
  EXPECT_NEAR(static_cast<double>(limits) / acquires, 0.03, 0.01);
  EXPECT_GT(diseases, 20);
}

TEST_F(GenFixture, AddressesAndPostcodesLookReal) {
  for (const auto& r : rows()) {
    if (r[col(F::kEvent)] == "lose") continue;
    const std::string& pc = r[col(F::kPostcode)];
    if (r[col(F::kEvent)] == "change" && pc.empty()) continue;
    ASSERT_EQ(pc.size(), 8u) << pc;
    ASSERT_EQ(pc[3], '-') << pc;
    auto parsed = core::parse_postcode(pc);
    ASSERT_TRUE(parsed.ok() && *parsed == pc) << pc;
    const std::string& addr = r[col(F::kAddress)];
    EXPECT_TRUE(addr.find("都") != std::string::npos || addr.find("道") != std::string::npos ||
                addr.find("府") != std::string::npos || addr.find("県") != std::string::npos)
        << addr;
  }
}

}  // namespace
}  // namespace onshi::gen
