#pragma once
// A coverage (資格): one period of one person's membership of one insurer, as the insurer
// registered it. This is the eligibility record (資格情報) a confirmation returns.
#include <cstdint>
#include <optional>
#include <string>

#include "core/date.hpp"

namespace onshi::core {

enum class Sex : std::uint8_t { kUnset = 3, kMale = 1, kFemale = 2 };     // 性別 code table
enum class Relationship : std::uint8_t { kInsured = 1, kDependant = 2 };  // 本人・家族

// 資格喪失事由
enum class LossReason : std::uint8_t {
  kNone = 0,
  kDeath = 1,             // 01 死亡
  kPublicAssistance = 2,  // 02 生活保護
  kOtherInsurance = 3,    // 03 他保険加入
  kOther = 99,            // 99 その他
};

// 高齢受給者証 (ages 70-74): the co-pay ratio on that certificate and its validity.
struct ElderlyRecipientTerms {
  int copay_ratio = 0;  // 2 or 3 (割)
  Date valid_from;
  Date valid_until;
};

// 限度額適用認定証 information: A01..A06, B01..B10.
struct SelfPayLimitTerms {
  std::string category;  // e.g. "A03"
  Date valid_from;
  Date valid_until;
};

// 特定疾病療養受療証: 1 dialysis, 2 coagulation factor disorder, 3 blood-product HIV.
struct SpecificDiseaseTerms {
  int disease = 0;
  Date valid_from;
  Date valid_until;
};

// Identifies a coverage within the system: the insured-card key and the start of the period.
struct CoverageKey {
  std::string insurer_number;  // canonical 6 or 8 digits
  std::string symbol;          // 記号 as registered (may be empty, may contain kana/kanji)
  std::string number;          // 番号 as registered
  std::string branch;          // 枝番, 2 digits
};

// A period [acquired_on, lost_on) covers `day`; an absent lost_on is open-ended.
inline bool period_covers(Date acquired_on, Date lost_on, Date day) {
  return acquired_on.valid() && acquired_on <= day && (!lost_on.valid() || day < lost_on);
}

struct Coverage {
  std::int64_t id = 0;  // internal, assigned by the store
  CoverageKey key;
  Relationship relationship = Relationship::kInsured;
  std::string insured_name;  // 被保険者氏名 (the member; for a dependant, the member's name)
  std::string name;       // 氏名 (漢字): family and given name, separated by U+3000 as on cards
  std::string name_kana;  // 氏名カナ (full-width katakana)
  Sex sex = Sex::kUnset;
  Date birth_date;
  std::string address;
  std::string postcode;  // "NNN-NNNN"
  Date acquired_on;      // 資格取得日
  Date lost_on;          // 資格喪失日: first day without coverage; invalid Date = not lost
  LossReason loss_reason = LossReason::kNone;
  Date card_issued_on;    // 交付年月日
  Date card_valid_from;   // 有効開始日
  Date card_valid_until;  // 有効期限 (inclusive)
  int copay_ratio = 3;    // 一部負担金割合 in 割: 1, 2 or 3
  std::optional<ElderlyRecipientTerms> elderly;
  std::optional<SelfPayLimitTerms> self_pay_limit;
  std::optional<SpecificDiseaseTerms> specific_disease;
  // Keyed hash (hex) of the person's My Number when the insurer linked it (紐付け); "" if not.
  // Links coverages of the same person across insurers. Never the number itself.
  std::string person_key;

  // Coverage in force on `day`: acquired on or before it and not yet lost.
  bool in_force_on(Date day) const { return period_covers(acquired_on, lost_on, day); }
};

std::string_view to_string(LossReason reason);  // "01", "02", "03", "99", ""
bool loss_reason_from_code(std::string_view code, LossReason& out);
bool is_valid_self_pay_limit_category(std::string_view category);

}  // namespace onshi::core
