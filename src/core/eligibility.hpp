#pragma once
// As-of-date eligibility resolution (資格確認): given every coverage registered under one
// insurer number + symbol + number, decide the answer for one patient on one day, with the
// validity code of the real system and, when not valid, the reason why.
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "core/coverage.hpp"
#include "core/error_code.hpp"

namespace onshi::core {

// 資格有効性 QualificationValidity
enum class Validity : std::uint8_t {
  kValid = 1,               // 有効
  kInvalid = 2,             // 無効
  kInvalidNewerExists = 3,  // 無効（新しい資格あり）
  kNoMatch = 4,             // 該当資格なし
  kSeveralMatch = 5,        // 複数該当
};
std::string_view to_string(Validity v);  // "valid", "invalid", ...

// What resolution needs to know of each candidate coverage; the index fills these without
// materialising whole records.
struct CoverageFacts {
  std::string_view branch;
  Date birth_date;
  Date acquired_on;
  Date lost_on;
  LossReason loss_reason = LossReason::kNone;
  Relationship relationship = Relationship::kInsured;
  // The My Number link in any stable encoding; "" when not linked. Equal links = one person.
  std::string_view person_key;
  // Some coverage with the same link, under any card key of any insurer, is in force on the
  // as-of date (R-Q6). Always false when not linked.
  bool linked_in_force = false;

  bool in_force_on(Date day) const { return period_covers(acquired_on, lost_on, day); }
};

struct EligibilityQuery {
  std::optional<std::string> branch;  // 2 digits, or none: pick by birth date
  Date birth_date;
  Date as_of;
};

struct Resolution {
  Validity validity = Validity::kNoMatch;
  std::optional<std::size_t> chosen;  // index into the candidates, when one record is returned
  std::optional<ErrorCode> reason;    // set whenever validity != kValid
};

// R-Q1..R-Q7 of docs/eligibility-rules.md: which person, then which period, over every
// coverage registered under one card key. `insurer_known` tells an unknown insurer number
// apart from an unknown card number.
Resolution resolve_eligibility(const EligibilityQuery& query,
                               std::span<const CoverageFacts> candidates, bool insurer_known);

// R-Q9: the 本人 coverage under the card key whose name is the insured person's name (被保険者
// 氏名) on `as_of`, or none when the card key has no 本人 period.
std::optional<std::size_t> insured_person_of(std::span<const CoverageFacts> candidates, Date as_of);

// The English and Japanese sentence a front desk reads for a resolution, with the dates filled
// in, e.g. "Coverage lost on 2026-03-31 (03 other insurance acquired); a newer coverage exists."
struct ReasonText {
  std::string en;
  std::string ja;
};
ReasonText explain(const Resolution& resolution, const CoverageFacts* chosen);

}  // namespace onshi::core
