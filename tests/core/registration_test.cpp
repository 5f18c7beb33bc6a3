// Registration events (資格取得・変更・喪失): row validation, applying an event to the coverage
// it targets, and the fingerprint that makes a re-sent event a no-op.
#include "core/registration.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstddef>
#include <initializer_list>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "core/date.hpp"
#include "core/identifiers.hpp"

namespace onshi::core {
namespace {

using F = RegistrationField;

const std::string kInsurer = make_insurer_number("0613048");  // 06130488
const std::string kOtherInsurer = make_insurer_number("0113001");
const std::string kMyNumber = make_my_number("12345678901");
const std::string kOtherMyNumber = make_my_number("23456789012");

// Names that break naive encodings: 髙 U+9AD9, 﨑 U+FA11, 𠮷 U+20BB7 (4 bytes), 邉 + U+E0101.
const std::string kTaka = "\xE9\xAB\x99";
const std::string kSaki = "\xEF\xA8\x91";
const std::string kYoshi = "\xF0\xA0\xAE\xB7";
const std::string kBeVs = "\xE9\x82\x89\xF3\xA0\x84\x81";

Date ymd(int y, int m, int d) {
  return Date::from_ymd(y, m, d);
}

RegistrationRow make_row(std::initializer_list<std::pair<F, std::string>> fields,
                         std::size_t line = 2) {
  RegistrationRow row;
  row.line = line;
  for (const auto& [f, v] : fields) row[f] = v;
  return row;
}

// The smallest valid acquire row.
RegistrationRow minimal_acquire() {
  return make_row({{F::kEvent, "acquire"},
                   {F::kInsurerNumber, kInsurer},
                   {F::kSymbol, "12-34"},
                   {F::kNumber, "567890"},
                   {F::kBranch, "01"},
                   {F::kRelationship, "1"},
                   {F::kName, kTaka + "橋 太郎"},
                   {F::kSex, "1"},
                   {F::kBirthDate, "1972-05-01"},
                   {F::kAcquiredOn, "2020-04-01"}});
}

// An acquire row carrying every column (the loss too: an insurer may register a closed period).
RegistrationRow full_row(std::string_view event = "acquire") {
  return make_row({{F::kEvent, std::string(event)},
                   {F::kInsurerNumber, kInsurer},
                   {F::kSymbol, "12-34"},
                   {F::kNumber, "567890"},
                   {F::kBranch, "01"},
                   {F::kRelationship, "1"},
                   {F::kInsuredName, kTaka + "橋 太郎"},
                   {F::kName, kTaka + "橋 太郎"},
                   {F::kNameKana, "タカハシ タロウ"},
                   {F::kSex, "1"},
                   {F::kBirthDate, "1972-05-01"},
                   {F::kAddress, "東京都千代田区霞が関1-2-2"},
                   {F::kPostcode, "100-8916"},
                   {F::kAcquiredOn, "2020-04-01"},
                   {F::kLostOn, "2025-04-01"},
                   {F::kLossReason, "03"},
                   {F::kCardIssuedOn, "2020-04-01"},
                   {F::kCardValidFrom, "2020-04-01"},
                   {F::kCardValidUntil, "2026-03-31"},
                   {F::kCopayRatio, "3"},
                   {F::kElderlyCopayRatio, "2"},
                   {F::kElderlyValidFrom, "2042-06-01"},
                   {F::kElderlyValidUntil, "2047-04-30"},
                   {F::kLimitCategory, "A03"},
                   {F::kLimitValidFrom, "2024-01-01"},
                   {F::kLimitValidUntil, "2024-12-31"},
                   {F::kSpecificDisease, "1"},
                   {F::kSpecificDiseaseValidFrom, "2021-05-01"},
                   {F::kSpecificDiseaseValidUntil, "2030-05-01"},
                   {F::kMyNumber, kMyNumber},
                   {F::kChangedOn, "2020-03-25"}});
}

RegistrationRow minimal_lose() {
  return make_row({{F::kEvent, "lose"},
                   {F::kInsurerNumber, kInsurer},
                   {F::kSymbol, "12-34"},
                   {F::kNumber, "567890"},
                   {F::kBranch, "01"},
                   {F::kLostOn, "2024-04-01"},
                   {F::kLossReason, "03"}});
}

RegistrationRow minimal_change() {
  return make_row({{F::kEvent, "change"},
                   {F::kInsurerNumber, kInsurer},
                   {F::kSymbol, "12-34"},
                   {F::kNumber, "567890"},
                   {F::kBranch, "01"}});
}

RegistrationRow without(RegistrationRow row, F f) {
  row[f].reset();
  return row;
}

RegistrationRow with(RegistrationRow row, F f, std::string value) {
  row[f] = std::move(value);
  return row;
}

RegistrationEvent valid(const RegistrationRow& row) {
  auto ev = validate_registration(row);
  EXPECT_TRUE(ev.ok()) << (ev.ok() ? "" : ev.error().detail);
  return ev.ok() ? ev.value() : RegistrationEvent{};
}

// The code validate_registration rejects `row` with, or nullopt when it accepts it.
std::optional<ErrorCode> rejection(const RegistrationRow& row) {
  auto ev = validate_registration(row);
  if (ev.ok()) return std::nullopt;
  return ev.error().code;
}

std::string detail_of(const RegistrationRow& row) {
  auto ev = validate_registration(row);
  return ev.ok() ? std::string("<accepted>") : ev.error().detail;
}

// What the registry service does before fingerprinting: the My Number becomes the person key.
std::string fingerprint_as_service(RegistrationEvent ev) {
  if (!ev.my_number.empty()) {
    ev.values.person_key = "hmac(" + ev.my_number + ")";  // any injective stand-in will do
    ev.my_number.clear();
  }
  return registration_fingerprint_text(ev);
}

std::string fingerprint_of(const RegistrationRow& row) {
  return fingerprint_as_service(valid(row));
}

Coverage registered_coverage() {
  Coverage c;
  c.id = 42;
  c.key = CoverageKey{kInsurer, "12-34", "567890", "01"};
  c.relationship = Relationship::kInsured;
  c.insured_name = kTaka + "橋 太郎";
  c.name = kTaka + "橋 太郎";
  c.name_kana = "タカハシ タロウ";
  c.sex = Sex::kMale;
  c.birth_date = ymd(1972, 5, 1);
  c.address = "東京都千代田区霞が関1-2-2";
  c.postcode = "100-8916";
  c.acquired_on = ymd(2020, 4, 1);
  c.card_issued_on = ymd(2020, 4, 1);
  c.card_valid_from = ymd(2020, 4, 1);
  c.card_valid_until = ymd(2026, 3, 31);
  c.copay_ratio = 3;
  c.self_pay_limit = SelfPayLimitTerms{"A03", ymd(2024, 1, 1), ymd(2024, 12, 31)};
  c.person_key = std::string(64, 'a');
  return c;
}

// ------------------------------------------------------------------------------ field names

TEST(RegistrationFields, CsvHeaderRoundTripsThroughFieldFromName) {
  const std::string header = registration_csv_header();
  EXPECT_EQ(header.find('\n'), std::string::npos);
  std::vector<std::string> names;
  std::size_t start = 0;
  for (;;) {
    const std::size_t comma = header.find(',', start);
    names.push_back(header.substr(start, comma - start));
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  ASSERT_EQ(names.size(), kRegistrationFieldCount);
  std::set<std::string> unique;
  for (std::size_t i = 0; i < names.size(); ++i) {
    SCOPED_TRACE(names[i]);
    EXPECT_FALSE(names[i].empty());
    EXPECT_TRUE(unique.insert(names[i]).second) << "duplicate column name";
    const auto f = field_from_name(names[i]);
    ASSERT_TRUE(f.has_value());
    EXPECT_EQ(static_cast<std::size_t>(*f), i);
    EXPECT_EQ(field_name(*f), names[i]);
  }
  EXPECT_EQ(names.front(), "event");
  EXPECT_NE(std::find(names.begin(), names.end(), "my_number"), names.end());
}

TEST(RegistrationFields, UnknownNamesAreNotFields) {
  EXPECT_FALSE(field_from_name(""));
  EXPECT_FALSE(field_from_name("bogus"));
  EXPECT_FALSE(field_from_name("event,"));
  EXPECT_FALSE(field_from_name(" event"));
}

TEST(RegistrationFields, EventKindNames) {
  EXPECT_EQ(to_string(RegistrationEventKind::kAcquire), "acquire");
  EXPECT_EQ(to_string(RegistrationEventKind::kChange), "change");
  EXPECT_EQ(to_string(RegistrationEventKind::kLose), "lose");
}

// ------------------------------------------------------------------------------- validation

TEST(RegistrationValidate, MinimalAcquireIsAccepted) {
  const auto ev = valid(minimal_acquire());
  EXPECT_EQ(ev.kind, RegistrationEventKind::kAcquire);
  EXPECT_EQ(ev.values.key.insurer_number, kInsurer);
  EXPECT_EQ(ev.values.key.symbol, "12-34");
  EXPECT_EQ(ev.values.key.number, "567890");
  EXPECT_EQ(ev.values.key.branch, "01");
  EXPECT_EQ(ev.values.relationship, Relationship::kInsured);
  EXPECT_EQ(ev.values.name, kTaka + "橋 太郎");
  EXPECT_EQ(ev.values.sex, Sex::kMale);
  EXPECT_EQ(ev.values.birth_date, ymd(1972, 5, 1));
  EXPECT_EQ(ev.values.acquired_on, ymd(2020, 4, 1));
  EXPECT_FALSE(ev.values.lost_on.valid());
  EXPECT_EQ(ev.values.loss_reason, LossReason::kNone);
  EXPECT_EQ(ev.values.copay_ratio, 3);  // default when not given
  EXPECT_FALSE(ev.values.elderly);
  EXPECT_FALSE(ev.values.self_pay_limit);
  EXPECT_FALSE(ev.values.specific_disease);
  EXPECT_TRUE(ev.my_number.empty());
  EXPECT_TRUE(ev.values.person_key.empty());
  EXPECT_TRUE(ev.has(F::kName));
  EXPECT_FALSE(ev.has(F::kAddress));
  EXPECT_FALSE(ev.has(F::kLostOn));
}

TEST(RegistrationValidate, FullAcquireCarriesEveryValue) {
  const auto ev = valid(full_row());
  const Coverage& c = ev.values;
  EXPECT_EQ(c.insured_name, kTaka + "橋 太郎");
  EXPECT_EQ(c.name_kana, "タカハシ タロウ");
  EXPECT_EQ(c.address, "東京都千代田区霞が関1-2-2");
  EXPECT_EQ(c.postcode, "100-8916");
  EXPECT_EQ(c.lost_on, ymd(2025, 4, 1));
  EXPECT_EQ(c.loss_reason, LossReason::kOtherInsurance);
  EXPECT_EQ(c.card_issued_on, ymd(2020, 4, 1));
  EXPECT_EQ(c.card_valid_from, ymd(2020, 4, 1));
  EXPECT_EQ(c.card_valid_until, ymd(2026, 3, 31));
  EXPECT_EQ(c.copay_ratio, 3);
  ASSERT_TRUE(c.elderly);
  EXPECT_EQ(c.elderly->copay_ratio, 2);
  EXPECT_EQ(c.elderly->valid_from, ymd(2042, 6, 1));
  EXPECT_EQ(c.elderly->valid_until, ymd(2047, 4, 30));
  ASSERT_TRUE(c.self_pay_limit);
  EXPECT_EQ(c.self_pay_limit->category, "A03");
  EXPECT_EQ(c.self_pay_limit->valid_from, ymd(2024, 1, 1));
  EXPECT_EQ(c.self_pay_limit->valid_until, ymd(2024, 12, 31));
  ASSERT_TRUE(c.specific_disease);
  EXPECT_EQ(c.specific_disease->disease, 1);
  EXPECT_EQ(c.specific_disease->valid_from, ymd(2021, 5, 1));
  EXPECT_EQ(c.specific_disease->valid_until, ymd(2030, 5, 1));
  EXPECT_EQ(ev.my_number, kMyNumber);
  EXPECT_EQ(ev.changed_on, ymd(2020, 3, 25));
  EXPECT_TRUE(c.person_key.empty()) << "the caller derives the person key, not validation";
  for (std::size_t i = 0; i < kRegistrationFieldCount; ++i)
    EXPECT_TRUE(ev.given[i]) << field_name(static_cast<F>(i));
}

TEST(RegistrationValidate, EveryAcquireRequiredFieldIsRequired) {
  for (F f : {F::kEvent, F::kInsurerNumber, F::kNumber, F::kName, F::kSex, F::kBirthDate,
              F::kAcquiredOn, F::kRelationship}) {
    SCOPED_TRACE(std::string(field_name(f)));
    const auto row = without(minimal_acquire(), f);
    EXPECT_EQ(rejection(row), ErrorCode::kRowFieldMissing);
    EXPECT_NE(detail_of(row).find("'" + std::string(field_name(f)) + "'"), std::string::npos)
        << detail_of(row);
  }
}

// Regression: an empty string is an absent field, for required and optional fields alike.
TEST(RegistrationValidate, EmptyStringIsTheSameAsAbsent) {
  for (F f : {F::kEvent, F::kInsurerNumber, F::kNumber, F::kName, F::kSex, F::kBirthDate,
              F::kAcquiredOn, F::kRelationship}) {
    SCOPED_TRACE(std::string(field_name(f)));
    EXPECT_EQ(rejection(with(minimal_acquire(), f, "")), ErrorCode::kRowFieldMissing);
  }
  for (F f : {F::kCardValidUntil, F::kLostOn, F::kCopayRatio, F::kAddress}) {
    SCOPED_TRACE(std::string(field_name(f)));
    const auto row = with(minimal_acquire(), f, "");
    EXPECT_FALSE(rejection(row)) << detail_of(row);
  }
}

TEST(RegistrationValidate, AcquireOptionalFieldsAreOptional) {
  // Symbol and branch may be absent: the symbol is empty, the branch defaults to 00.
  const auto ev = valid(without(without(minimal_acquire(), F::kSymbol), F::kBranch));
  EXPECT_EQ(ev.values.key.symbol, "");
  EXPECT_EQ(ev.values.key.branch, "00");
}

TEST(RegistrationValidate, LoseRequiresLossDateAndReason) {
  const auto ev = valid(minimal_lose());
  EXPECT_EQ(ev.kind, RegistrationEventKind::kLose);
  EXPECT_EQ(ev.values.lost_on, ymd(2024, 4, 1));
  EXPECT_EQ(ev.values.loss_reason, LossReason::kOtherInsurance);
  for (F f : {F::kEvent, F::kInsurerNumber, F::kNumber, F::kLostOn, F::kLossReason}) {
    SCOPED_TRACE(std::string(field_name(f)));
    EXPECT_EQ(rejection(without(minimal_lose(), f)), ErrorCode::kRowFieldMissing);
  }
  // What an acquire needs is not needed to lose a coverage.
  EXPECT_FALSE(rejection(without(without(minimal_lose(), F::kSymbol), F::kBranch)));
}

TEST(RegistrationValidate, ChangeRequiresOnlyTheCardKey) {
  const auto ev = valid(minimal_change());
  EXPECT_EQ(ev.kind, RegistrationEventKind::kChange);
  for (std::size_t i = 0; i < kRegistrationFieldCount; ++i) {
    const auto f = static_cast<F>(i);
    const bool key = f == F::kEvent || f == F::kInsurerNumber || f == F::kSymbol ||
                     f == F::kNumber || f == F::kBranch;
    EXPECT_EQ(ev.has(f), key) << field_name(f);
  }
  for (F f : {F::kEvent, F::kInsurerNumber, F::kNumber}) {
    SCOPED_TRACE(std::string(field_name(f)));
    EXPECT_EQ(rejection(without(minimal_change(), f)), ErrorCode::kRowFieldMissing);
  }
  // A change may carry a single field.
  EXPECT_FALSE(rejection(with(minimal_change(), F::kAddress, "大阪府大阪市北区1-1")));
  EXPECT_FALSE(rejection(with(minimal_change(), F::kCopayRatio, "2")));
}

TEST(RegistrationValidate, JapaneseAndFullWidthEventNames) {
  EXPECT_EQ(valid(with(minimal_acquire(), F::kEvent, "取得")).kind,
            RegistrationEventKind::kAcquire);
  EXPECT_EQ(valid(with(minimal_change(), F::kEvent, "変更")).kind, RegistrationEventKind::kChange);
  EXPECT_EQ(valid(with(minimal_lose(), F::kEvent, "喪失")).kind, RegistrationEventKind::kLose);
  // Full-width Latin letters, as a Japanese IME produces them.
  EXPECT_EQ(valid(with(minimal_acquire(), F::kEvent, "ａｃｑｕｉｒｅ")).kind,
            RegistrationEventKind::kAcquire);
  EXPECT_EQ(valid(with(minimal_lose(), F::kEvent, "ｌｏｓｅ")).kind, RegistrationEventKind::kLose);
}

TEST(RegistrationValidate, UnknownEventKinds) {
  for (const char* kind : {"add", "delete", "取消", "acquired", "変更する", "1"}) {
    SCOPED_TRACE(kind);
    EXPECT_EQ(rejection(with(minimal_acquire(), F::kEvent, kind)), ErrorCode::kRowEventUnknown);
  }
}

TEST(RegistrationValidate, ForgivingIdentifiers) {
  auto row = minimal_acquire();
  row[F::kInsurerNumber] = "０６１３０４８８";
  row[F::kSymbol] = "１２－３４";
  row[F::kNumber] = "５６７８９０";
  row[F::kBranch] = "１";
  row[F::kRelationship] = "１";
  row[F::kSex] = "２";
  const auto ev = valid(row);
  EXPECT_EQ(ev.values.key.insurer_number, kInsurer);
  // N1: kept as the insurer wrote them; matching folds them.
  EXPECT_EQ(ev.values.key.symbol, "１２－３４");
  EXPECT_EQ(ev.values.key.number, "５６７８９０");
  EXPECT_EQ(ev.values.key.branch, "01");
  EXPECT_EQ(ev.values.sex, Sex::kFemale);
  // 国保 numbers: 6 digits, or zero/space padded to 8.
  const std::string kokuho = make_insurer_number("13805");
  for (const std::string& typed : {kokuho, "00" + kokuho, "  " + kokuho}) {
    SCOPED_TRACE(typed);
    EXPECT_EQ(valid(with(minimal_acquire(), F::kInsurerNumber, typed)).values.key.insurer_number,
              kokuho);
  }
  // Kana and kanji symbols pass through as registered.
  EXPECT_EQ(valid(with(minimal_acquire(), F::kSymbol, "千代田ア")).values.key.symbol, "千代田ア");
}

TEST(RegistrationValidate, ForgivingDates) {
  for (const char* typed :
       {"1972-05-01", "19720501", "1972/5/1", "1972.05.01", "S47.05.01", "s47/5/1",
        "昭和47年5月1日", "１９７２－０５－０１", "Ｓ４７．０５．０１"}) {
    SCOPED_TRACE(typed);
    EXPECT_EQ(valid(with(minimal_acquire(), F::kBirthDate, typed)).values.birth_date,
              ymd(1972, 5, 1));
  }
  EXPECT_EQ(valid(with(minimal_acquire(), F::kAcquiredOn, "令和元年5月1日")).values.acquired_on,
            ymd(2019, 5, 1));
  EXPECT_EQ(valid(with(minimal_acquire(), F::kAcquiredOn, "R6.4.1")).values.acquired_on,
            ymd(2024, 4, 1));
}

TEST(RegistrationValidate, ForgivingCodes) {
  EXPECT_EQ(valid(with(minimal_lose(), F::kLossReason, "1")).values.loss_reason,
            LossReason::kDeath);
  EXPECT_EQ(valid(with(minimal_lose(), F::kLossReason, "02")).values.loss_reason,
            LossReason::kPublicAssistance);
  EXPECT_EQ(valid(with(minimal_lose(), F::kLossReason, "０３")).values.loss_reason,
            LossReason::kOtherInsurance);
  EXPECT_EQ(valid(with(minimal_lose(), F::kLossReason, "99")).values.loss_reason,
            LossReason::kOther);
  EXPECT_EQ(valid(with(minimal_acquire(), F::kPostcode, "1000001")).values.postcode, "100-0001");
  EXPECT_EQ(valid(with(minimal_acquire(), F::kPostcode, "１００－０００１")).values.postcode,
            "100-0001");
  auto limit = valid(with(minimal_acquire(), F::kLimitCategory, "Ｂ１０"));
  ASSERT_TRUE(limit.values.self_pay_limit);
  EXPECT_EQ(limit.values.self_pay_limit->category, "B10");
  EXPECT_EQ(valid(with(minimal_acquire(), F::kCopayRatio, "１")).values.copay_ratio, 1);
  const std::string spaced =
      kMyNumber.substr(0, 4) + " " + kMyNumber.substr(4, 4) + " " + kMyNumber.substr(8);
  EXPECT_EQ(valid(with(minimal_acquire(), F::kMyNumber, spaced)).my_number, kMyNumber);
}

TEST(RegistrationValidate, DependantAndRelationship) {
  const auto ev = valid(with(minimal_acquire(), F::kRelationship, "2"));
  EXPECT_EQ(ev.values.relationship, Relationship::kDependant);
}

struct BadValue {
  F field;
  std::string value;
  ErrorCode code;
};

TEST(RegistrationValidate, EveryErrorCode) {
  std::string long_symbol;
  for (int i = 0; i < 21; ++i) long_symbol += "記";  // 63 bytes
  const std::vector<BadValue> cases = {
      {F::kInsurerNumber, "0613048", ErrorCode::kInsurerNumberFormat},
      {F::kInsurerNumber, "06130487", ErrorCode::kInsurerNumberCheckDigit},
      {F::kInsurerNumber, "ABCDEFGH", ErrorCode::kInsurerNumberFormat},
      {F::kNumber, "---", ErrorCode::kInsuredNumberFormat},
      {F::kNumber, std::string(41, '1'), ErrorCode::kInsuredNumberFormat},
      {F::kNumber, "12\xFF", ErrorCode::kInsuredNumberFormat},
      {F::kSymbol, long_symbol, ErrorCode::kSymbolTooLong},
      {F::kSymbol, "\xE8\xA8", ErrorCode::kSymbolTooLong},
      {F::kBranch, "123", ErrorCode::kBranchFormat},
      {F::kBranch, "A1", ErrorCode::kBranchFormat},
      {F::kRelationship, "3", ErrorCode::kRowRelationshipInvalid},
      {F::kRelationship, "0", ErrorCode::kRowRelationshipInvalid},
      {F::kRelationship, "本人", ErrorCode::kRowRelationshipInvalid},
      {F::kSex, "4", ErrorCode::kRowSexInvalid},
      {F::kSex, "M", ErrorCode::kRowSexInvalid},
      {F::kSex, "0", ErrorCode::kRowSexInvalid},
      {F::kCopayRatio, "4", ErrorCode::kRowCopayRatioInvalid},
      {F::kCopayRatio, "30%", ErrorCode::kRowCopayRatioInvalid},
      {F::kCopayRatio, "1000", ErrorCode::kRowCopayRatioInvalid},
      {F::kElderlyCopayRatio, "0", ErrorCode::kRowCopayRatioInvalid},
      {F::kSpecificDisease, "4", ErrorCode::kRowSpecificDiseaseInvalid},
      {F::kSpecificDisease, "x", ErrorCode::kRowSpecificDiseaseInvalid},
      {F::kBirthDate, "not a date", ErrorCode::kDateFormat},
      {F::kBirthDate, "1972-02-30", ErrorCode::kDateOutOfRange},
      {F::kBirthDate, "H31.05.01", ErrorCode::kDateOutOfRange},
      {F::kBirthDate, "Q47.05.01", ErrorCode::kEraUnknown},
      {F::kAcquiredOn, "2020-13-01", ErrorCode::kDateOutOfRange},
      {F::kLostOn, "20251", ErrorCode::kDateFormat},
      {F::kCardIssuedOn, "x", ErrorCode::kDateFormat},
      {F::kCardValidFrom, "x", ErrorCode::kDateFormat},
      {F::kCardValidUntil, "x", ErrorCode::kDateFormat},
      {F::kElderlyValidFrom, "x", ErrorCode::kDateFormat},
      {F::kElderlyValidUntil, "x", ErrorCode::kDateFormat},
      {F::kLimitValidFrom, "x", ErrorCode::kDateFormat},
      {F::kLimitValidUntil, "x", ErrorCode::kDateFormat},
      {F::kSpecificDiseaseValidFrom, "x", ErrorCode::kDateFormat},
      {F::kSpecificDiseaseValidUntil, "x", ErrorCode::kDateFormat},
      {F::kName, "\xC3\x28", ErrorCode::kFileEncoding},
      {F::kNameKana, "\xED\xA0\x80", ErrorCode::kFileEncoding},  // a UTF-16 surrogate
      {F::kInsuredName, "\xFF", ErrorCode::kFileEncoding},
      {F::kAddress, "\xF4\x90\x80\x80", ErrorCode::kFileEncoding},  // above U+10FFFF
      {F::kName, std::string(401, 'a'), ErrorCode::kRowFieldInvalid},
      {F::kAddress, std::string(401, 'a'), ErrorCode::kRowFieldInvalid},
      {F::kPostcode, "12345", ErrorCode::kPostcodeFormat},
      {F::kPostcode, "〒100-0001", ErrorCode::kPostcodeFormat},
      {F::kLossReason, "04", ErrorCode::kRowLossReasonInvalid},
      {F::kLossReason, "死亡", ErrorCode::kRowLossReasonInvalid},
      {F::kLimitCategory, "A07", ErrorCode::kRowLimitCategoryInvalid},
      {F::kLimitCategory, "B11", ErrorCode::kRowLimitCategoryInvalid},
      {F::kLimitCategory, "ア", ErrorCode::kRowLimitCategoryInvalid},
      {F::kMyNumber, kMyNumber.substr(0, 11), ErrorCode::kMyNumberFormat},
      {F::kMyNumber, "12345678901X", ErrorCode::kMyNumberFormat},
      {F::kMyNumber,
       kMyNumber.substr(0, 11) + static_cast<char>('0' + (kMyNumber[11] - '0' + 1) % 10),
       ErrorCode::kMyNumberCheckDigit},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(std::string(field_name(c.field)) + " = " + c.value);
    const auto row = with(full_row(), c.field, c.value);
    EXPECT_EQ(rejection(row), c.code) << detail_of(row);
    // The detail names the field so that an insurer's operator can find it.
    EXPECT_NE(detail_of(row).find(std::string(field_name(c.field))), std::string::npos)
        << detail_of(row);
  }
}

TEST(RegistrationValidate, LengthLimitsAreInclusive) {
  std::string symbol20;
  for (int i = 0; i < 20; ++i) symbol20 += "記";  // 60 bytes
  EXPECT_FALSE(rejection(with(minimal_acquire(), F::kSymbol, symbol20)));
  EXPECT_FALSE(rejection(with(minimal_acquire(), F::kNumber, std::string(40, '1'))));
  EXPECT_FALSE(rejection(with(minimal_acquire(), F::kName, std::string(400, 'a'))));
}

TEST(RegistrationValidate, ErrorDetailsNeverEchoTheMyNumber) {
  const std::string wrong =
      kMyNumber.substr(0, 11) + static_cast<char>('0' + (kMyNumber[11] - '0' + 1) % 10);
  for (const std::string& typed : {wrong, kMyNumber.substr(0, 11), kMyNumber + "1"}) {
    const std::string detail = detail_of(with(full_row(), F::kMyNumber, typed));
    EXPECT_EQ(detail.find(typed), std::string::npos) << detail;
    EXPECT_EQ(detail.find(kMyNumber.substr(0, 11)), std::string::npos) << detail;
  }
}

TEST(RegistrationValidate, InconsistentDates) {
  const std::vector<std::pair<F, std::string>> cases = {
      {F::kAcquiredOn, "1972-04-30"},         // before the birth date
      {F::kLostOn, "2020-03-31"},             // before the acquisition
      {F::kCardValidUntil, "2020-03-31"},     // card expires before it is valid
      {F::kElderlyValidUntil, "2042-05-31"},  // elderly terms end before they start
      {F::kLimitValidUntil, "2023-12-31"},
      {F::kSpecificDiseaseValidUntil, "2021-04-30"},
  };
  for (const auto& [f, v] : cases) {
    SCOPED_TRACE(std::string(field_name(f)) + " = " + v);
    EXPECT_EQ(rejection(with(full_row(), f, v)), ErrorCode::kRowDatesInconsistent);
  }
  // Same-day boundaries are consistent: born and insured the same day, lost the day acquired.
  auto row = full_row();
  row[F::kAcquiredOn] = "1972-05-01";
  row[F::kCardIssuedOn] = "1972-05-01";
  row[F::kCardValidFrom] = "1972-05-01";
  EXPECT_FALSE(rejection(row)) << detail_of(row);
  EXPECT_FALSE(rejection(with(full_row(), F::kLostOn, "2020-04-01")));
  EXPECT_FALSE(rejection(with(full_row(), F::kCardValidUntil, "2020-04-01")));
  // A lose row that names the period it ends is checked the same way.
  auto lose = with(minimal_lose(), F::kAcquiredOn, "2024-04-02");
  EXPECT_EQ(rejection(lose), ErrorCode::kRowDatesInconsistent);
}

// ---------------------------------------------------------------------------------- applying

// Applies `ev` to a card holding `current` (or nothing) and returns the coverage it wrote: the
// rules over whole cards are tested in tests/core/registration_rules_test.cpp.
Result<Coverage> apply_to(const Coverage* current, const RegistrationEvent& ev) {
  std::vector<Coverage> card;
  if (current) card.push_back(*current);
  auto changed = apply_registration(card, ev);
  if (!changed) return changed.error();
  if (changed->empty()) return make_error(ErrorCode::kInternal, "nothing written");
  return card[ev.kind == RegistrationEventKind::kAcquire ? card.size() - 1 : changed->front()];
}

TEST(RegistrationApply, AcquireCreatesANewCoverage) {
  const auto ev = valid(minimal_acquire());
  const auto next = apply_to(nullptr, ev);
  ASSERT_TRUE(next.ok());
  EXPECT_EQ(next->id, 0) << "the store assigns ids";
  EXPECT_EQ(next->key.insurer_number, kInsurer);
  EXPECT_EQ(next->key.branch, "01");
  EXPECT_EQ(next->name, kTaka + "橋 太郎");
  EXPECT_EQ(next->acquired_on, ymd(2020, 4, 1));
  // Kept as given: the answer shows the 本人's own name (R-Q9), whatever is stored here.
  EXPECT_EQ(next->insured_name, "");
}

TEST(RegistrationApply, AcquireOfADependantKeepsAnEmptyMemberName) {
  const auto ev = valid(with(minimal_acquire(), F::kRelationship, "2"));
  const auto next = apply_to(nullptr, ev);
  ASSERT_TRUE(next.ok());
  EXPECT_EQ(next->insured_name, "");
}

TEST(RegistrationApply, AcquireOfTheSamePeriodWithOtherValuesIsRefused) {
  // R-A3: re-applied as a whole, it would undo every change made since.
  Coverage current = registered_coverage();
  auto row = minimal_acquire();
  row[F::kName] = kYoshi + "田 花子";
  row[F::kSex] = "2";
  const auto next = apply_to(&current, valid(row));
  ASSERT_FALSE(next.ok());
  EXPECT_EQ(next.error().code, ErrorCode::kRowPeriodAlreadyRegistered);
  // R-A2: another My Number under the same branch is another person.
  auto later = with(row, F::kAcquiredOn, "2030-04-01");
  auto ev = valid(later);
  ev.values.person_key = std::string(64, 'b');
  current.lost_on = ymd(2025, 1, 1);
  const auto other = apply_to(&current, ev);
  ASSERT_FALSE(other.ok());
  EXPECT_EQ(other.error().code, ErrorCode::kRowPersonConflict);
  // A new period without a My Number takes the member's link (R-A5).
  const auto linked = apply_to(&current, valid(later));
  ASSERT_TRUE(linked.ok());
  EXPECT_EQ(linked->person_key, current.person_key);
}

TEST(RegistrationApply, ChangeOverwritesOnlyTheGivenFields) {
  const Coverage current = registered_coverage();
  auto row = minimal_change();
  row[F::kAddress] = "大阪府大阪市北区梅田1-1";
  row[F::kPostcode] = "530-0001";
  row[F::kCopayRatio] = "2";
  row[F::kName] = "山" + kSaki + " " + kBeVs;
  const auto next = apply_to(&current, valid(row));
  ASSERT_TRUE(next.ok());
  EXPECT_EQ(next->id, 42);
  EXPECT_EQ(next->address, "大阪府大阪市北区梅田1-1");
  EXPECT_EQ(next->postcode, "530-0001");
  EXPECT_EQ(next->copay_ratio, 2);
  EXPECT_EQ(next->name, "山" + kSaki + " " + kBeVs);
  // Untouched.
  EXPECT_EQ(next->insured_name, current.insured_name);
  EXPECT_EQ(next->name_kana, current.name_kana);
  EXPECT_EQ(next->sex, current.sex);
  EXPECT_EQ(next->birth_date, current.birth_date);
  EXPECT_EQ(next->acquired_on, current.acquired_on);
  EXPECT_EQ(next->card_valid_until, current.card_valid_until);
  ASSERT_TRUE(next->self_pay_limit);
  EXPECT_EQ(next->self_pay_limit->category, "A03");
  EXPECT_EQ(next->person_key, current.person_key);
  EXPECT_EQ(next->key.symbol, current.key.symbol);
}

TEST(RegistrationApply, ChangeOfEveryOptionalTerm) {
  const Coverage current = registered_coverage();
  auto row = minimal_change();
  row[F::kRelationship] = "2";
  row[F::kInsuredName] = "山田 一郎";
  row[F::kNameKana] = "ヤマダ ハナコ";
  row[F::kSex] = "2";
  row[F::kBirthDate] = "1975-01-02";
  row[F::kCardIssuedOn] = "2024-04-01";
  row[F::kCardValidFrom] = "2024-04-01";
  row[F::kCardValidUntil] = "2030-03-31";
  row[F::kElderlyCopayRatio] = "2";
  row[F::kElderlyValidFrom] = "2045-01-01";
  row[F::kLimitCategory] = "B05";
  row[F::kSpecificDisease] = "3";
  const auto next = apply_to(&current, valid(row));
  ASSERT_TRUE(next.ok());
  EXPECT_EQ(next->relationship, Relationship::kDependant);
  EXPECT_EQ(next->insured_name, "山田 一郎");
  EXPECT_EQ(next->name_kana, "ヤマダ ハナコ");
  EXPECT_EQ(next->sex, Sex::kFemale);
  EXPECT_EQ(next->birth_date, ymd(1975, 1, 2));
  EXPECT_EQ(next->card_issued_on, ymd(2024, 4, 1));
  EXPECT_EQ(next->card_valid_until, ymd(2030, 3, 31));
  ASSERT_TRUE(next->elderly);
  EXPECT_EQ(next->elderly->copay_ratio, 2);
  EXPECT_EQ(next->elderly->valid_from, ymd(2045, 1, 1));
  ASSERT_TRUE(next->self_pay_limit);
  EXPECT_EQ(next->self_pay_limit->category, "B05");
  // Each column on its own (R-C2): the registered validity dates stay.
  EXPECT_EQ(next->self_pay_limit->valid_from, current.self_pay_limit->valid_from);
  ASSERT_TRUE(next->specific_disease);
  EXPECT_EQ(next->specific_disease->disease, 3);
  EXPECT_EQ(next->name, current.name);
}

TEST(RegistrationApply, ChangeCanRecordAndMoveALoss) {
  const Coverage current = registered_coverage();
  auto row = minimal_change();
  row[F::kLostOn] = "2023-10-01";
  row[F::kLossReason] = "99";
  const auto next = apply_to(&current, valid(row));
  ASSERT_TRUE(next.ok());
  EXPECT_EQ(next->lost_on, ymd(2023, 10, 1));
  EXPECT_EQ(next->loss_reason, LossReason::kOther);
  // A change that moves the loss before the registered acquisition is refused.
  const auto bad = apply_to(&current, valid(with(row, F::kLostOn, "2020-03-31")));
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, ErrorCode::kRowDatesInconsistent);
}

TEST(RegistrationApply, ChangeUpdatesThePersonLinkOnlyWhenGiven) {
  const Coverage current = registered_coverage();
  auto ev = valid(with(minimal_change(), F::kAddress, "x"));
  EXPECT_EQ(apply_to(&current, ev)->person_key, current.person_key);
  ev.values.person_key = std::string(64, 'c');
  EXPECT_EQ(apply_to(&current, ev)->person_key, std::string(64, 'c'));
}

TEST(RegistrationApply, LoseSetsDateAndReasonOnly) {
  const Coverage current = registered_coverage();
  const auto next = apply_to(&current, valid(minimal_lose()));
  ASSERT_TRUE(next.ok());
  EXPECT_EQ(next->id, 42);
  EXPECT_EQ(next->lost_on, ymd(2024, 4, 1));
  EXPECT_EQ(next->loss_reason, LossReason::kOtherInsurance);
  EXPECT_EQ(next->name, current.name);
  EXPECT_EQ(next->address, current.address);
  EXPECT_EQ(next->acquired_on, current.acquired_on);
  EXPECT_EQ(next->person_key, current.person_key);
  // A lose row that carries other fields still only sets the loss.
  auto row = with(minimal_lose(), F::kAddress, "somewhere else");
  EXPECT_EQ(apply_to(&current, valid(row))->address, current.address);
}

TEST(RegistrationApply, LoseOnTheAcquisitionDayIsAllowed) {
  const Coverage current = registered_coverage();
  const auto next = apply_to(&current, valid(with(minimal_lose(), F::kLostOn, "R2.4.1")));
  ASSERT_TRUE(next.ok());
  EXPECT_EQ(next->lost_on, current.acquired_on);
}

TEST(RegistrationApply, LoseBeforeTheAcquisitionIsRejected) {
  const Coverage current = registered_coverage();
  const auto next = apply_to(&current, valid(with(minimal_lose(), F::kLostOn, "2020-03-31")));
  ASSERT_FALSE(next.ok());
  EXPECT_EQ(next.error().code, ErrorCode::kRowDatesInconsistent);
  EXPECT_NE(next.error().detail.find("lost_on"), std::string::npos);
}

TEST(RegistrationApply, ChangeOrLoseWithoutACoverageIsNotFound) {
  for (const auto& row :
       {minimal_change(), minimal_lose(), with(minimal_lose(), F::kAcquiredOn, "2020-04-01")}) {
    const auto next = apply_to(nullptr, valid(row));
    ASSERT_FALSE(next.ok());
    EXPECT_EQ(next.error().code, ErrorCode::kRowCoverageNotFound);
  }
}

// ------------------------------------------------------------------------------- fingerprint

TEST(RegistrationFingerprint, SameEventTypedDifferentlyIsEqual) {
  const std::string ascii = fingerprint_of(full_row());
  auto typed = full_row();
  typed[F::kEvent] = "取得";
  typed[F::kInsurerNumber] = "０６１３０４８８";
  typed[F::kSymbol] = "１２－３４";
  typed[F::kNumber] = "５６７ ８９０";
  typed[F::kBranch] = "1";
  typed[F::kRelationship] = "１";
  typed[F::kSex] = "１";
  typed[F::kBirthDate] = "S47.05.01";
  typed[F::kPostcode] = "１００８９１６";
  typed[F::kAcquiredOn] = "令和2年4月1日";
  typed[F::kLostOn] = "R7/4/1";
  typed[F::kLossReason] = "3";
  typed[F::kCardIssuedOn] = "20200401";
  typed[F::kCardValidFrom] = "2020/4/1";
  typed[F::kCardValidUntil] = "R8.3.31";
  typed[F::kCopayRatio] = "３";
  typed[F::kElderlyCopayRatio] = "２";
  typed[F::kLimitCategory] = "Ａ０３";
  typed[F::kLimitValidFrom] = "R6.1.1";
  typed[F::kSpecificDisease] = "１";
  typed[F::kMyNumber] = "１２３４ ５６７８ " + kMyNumber.substr(8);
  typed[F::kChangedOn] = "令和2年3月25日";
  EXPECT_EQ(fingerprint_of(typed), ascii);
  // Birth date alone in each accepted form.
  for (const char* birth :
       {"1972-05-01", "19720501", "S47.05.01", "昭和47年5月1日", "１９７２－０５－０１"}) {
    SCOPED_TRACE(birth);
    EXPECT_EQ(fingerprint_of(with(full_row(), F::kBirthDate, birth)), ascii);
  }
  // The symbol and number match on their normalised keys.
  EXPECT_EQ(fingerprint_of(with(full_row(), F::kSymbol, "1234")), ascii);
  EXPECT_EQ(fingerprint_of(with(full_row(), F::kSymbol, "12ー34")), ascii);
}

TEST(RegistrationFingerprint, DiffersWhenAnyValueDiffers) {
  // Another valid value for every column of full_row().
  const std::map<F, std::string> other = {
      {F::kEvent, "change"},
      {F::kInsurerNumber, kOtherInsurer},
      {F::kSymbol, "12-35"},
      {F::kNumber, "567891"},
      {F::kBranch, "02"},
      {F::kRelationship, "2"},
      {F::kInsuredName, kTaka + "橋 一郎"},
      {F::kName, kTaka + "橋 次郎"},
      {F::kNameKana, "タカハシ ジロウ"},
      {F::kSex, "2"},
      {F::kBirthDate, "1972-05-02"},
      {F::kAddress, "東京都千代田区霞が関1-2-3"},
      {F::kPostcode, "100-8917"},
      {F::kAcquiredOn, "2020-04-02"},
      {F::kLostOn, "2025-03-31"},
      {F::kLossReason, "01"},
      {F::kCardIssuedOn, "2020-04-02"},
      {F::kCardValidFrom, "2020-04-02"},
      {F::kCardValidUntil, "2026-03-30"},
      {F::kCopayRatio, "2"},
      {F::kElderlyCopayRatio, "3"},
      {F::kElderlyValidFrom, "2042-06-02"},
      {F::kElderlyValidUntil, "2047-04-29"},
      {F::kLimitCategory, "A04"},
      {F::kLimitValidFrom, "2024-01-02"},
      {F::kLimitValidUntil, "2024-12-30"},
      {F::kSpecificDisease, "2"},
      {F::kSpecificDiseaseValidFrom, "2021-05-02"},
      {F::kSpecificDiseaseValidUntil, "2030-04-30"},
      {F::kMyNumber, kOtherMyNumber},
      {F::kChangedOn, "2020-03-26"},
  };
  ASSERT_EQ(other.size(), kRegistrationFieldCount) << "every column needs another value";
  const std::string base = fingerprint_of(full_row());
  std::set<std::string> seen{base};
  for (const auto& [f, v] : other) {
    SCOPED_TRACE(std::string(field_name(f)) + " = " + v);
    const std::string fp = fingerprint_of(with(full_row(), f, v));
    EXPECT_NE(fp, base);
    EXPECT_TRUE(seen.insert(fp).second) << "two different edits gave the same fingerprint";
  }
}

TEST(RegistrationFingerprint, DiffersWhenAFieldIsLeftOut) {
  // A change event only overwrites what it carries, so "address absent" and "address given"
  // are different events even where the values would coincide.
  const std::string base = fingerprint_of(full_row("change"));
  for (std::size_t i = 0; i < kRegistrationFieldCount; ++i) {
    const auto f = static_cast<F>(i);
    if (f == F::kEvent || f == F::kInsurerNumber || f == F::kNumber) continue;
    // A term's code left out while its dates stay is refused (TermDatesNeedTheirCode).
    if (f == F::kElderlyCopayRatio || f == F::kLimitCategory || f == F::kSpecificDisease) continue;
    SCOPED_TRACE(std::string(field_name(f)));
    EXPECT_NE(fingerprint_of(without(full_row("change"), f)), base);
  }
  // Copay ratio 3 is also the default; given or not is still a difference.
  EXPECT_NE(fingerprint_of(minimal_change()),
            fingerprint_of(with(minimal_change(), F::kCopayRatio, "3")));
}

TEST(RegistrationValidate, TermDatesNeedTheirCode) {
  // Validity dates without the code they belong to would otherwise be dropped silently.
  const auto row = full_row("change");
  EXPECT_EQ(rejection(without(row, F::kElderlyCopayRatio)), ErrorCode::kRowFieldMissing);
  EXPECT_EQ(rejection(without(row, F::kLimitCategory)), ErrorCode::kRowFieldMissing);
  EXPECT_EQ(rejection(without(row, F::kSpecificDisease)), ErrorCode::kRowFieldMissing);
  auto no_elderly = without(without(without(row, F::kElderlyCopayRatio), F::kElderlyValidFrom),
                            F::kElderlyValidUntil);
  EXPECT_EQ(rejection(no_elderly), std::nullopt);
}

TEST(RegistrationFingerprint, ChangedOnTellsARealRepeatFromAReSend) {
  // The same change made twice (address back to an earlier value) is two events when each
  // carries its 異動年月日, and one event re-sent when neither does.
  const auto change_b = with(minimal_change(), F::kAddress, "B");
  EXPECT_EQ(fingerprint_of(change_b), fingerprint_of(change_b));
  EXPECT_NE(fingerprint_of(with(change_b, F::kChangedOn, "2021-01-01")),
            fingerprint_of(with(change_b, F::kChangedOn, "2023-01-01")));
  EXPECT_EQ(fingerprint_of(with(change_b, F::kChangedOn, "2023-01-01")),
            fingerprint_of(with(change_b, F::kChangedOn, "R5.1.1")));
  EXPECT_EQ(rejection(with(change_b, F::kChangedOn, "2023-02-30")), ErrorCode::kDateOutOfRange);
  // changed_on identifies the event; it is not a value of the coverage.
  const Coverage current = registered_coverage();
  const auto next = apply_to(&current, valid(with(change_b, F::kChangedOn, "R5.1.1")));
  ASSERT_TRUE(next.ok());
  EXPECT_EQ(next->address, "B");
  EXPECT_EQ(next->acquired_on, current.acquired_on);
}

TEST(RegistrationFingerprint, SameDataUnderAnotherKindDiffers) {
  auto lose = minimal_lose();
  auto change = with(minimal_lose(), F::kEvent, "change");
  EXPECT_NE(fingerprint_of(lose), fingerprint_of(change));
}

TEST(RegistrationFingerprint, CarriesThePersonKeyNeverTheMyNumber) {
  auto ev = valid(full_row());
  ASSERT_EQ(ev.my_number, kMyNumber);
  ev.values.person_key = "PERSON-KEY-STAND-IN";
  ev.my_number.clear();
  const std::string text = registration_fingerprint_text(ev);
  EXPECT_EQ(text.find(kMyNumber), std::string::npos);
  EXPECT_NE(text.find("PERSON-KEY-STAND-IN"), std::string::npos);
  // Even a caller that forgets to clear the number does not put it in the text.
  auto careless = valid(full_row());
  EXPECT_EQ(registration_fingerprint_text(careless).find(kMyNumber), std::string::npos);
}

TEST(RegistrationFingerprint, IsDeterministic) {
  EXPECT_EQ(fingerprint_of(full_row()), fingerprint_of(full_row()));
  EXPECT_EQ(fingerprint_of(minimal_lose()), fingerprint_of(minimal_lose()));
}

// Regression: text containing the old field separator (U+001F) cannot shift field boundaries.
TEST(RegistrationFingerprint, FieldSeparatorInsideATextFieldDoesNotCollide) {
  auto a = full_row();
  a[F::kName] =
      "A\x1f"
      "B";
  a[F::kNameKana] = "C";
  auto b = full_row();
  b[F::kName] = "A";
  b[F::kNameKana] =
      "B\x1f"
      "C";
  const auto ea = validate_registration(a);
  const auto eb = validate_registration(b);
  if (!ea.ok() || !eb.ok()) {
    // Rejecting control characters outright would also settle it.
    SUCCEED();
    return;
  }
  EXPECT_NE(fingerprint_as_service(ea.value()), fingerprint_as_service(eb.value()));
}

}  // namespace
}  // namespace onshi::core
