// How one registration event changes the coverages of its card key: rules R-A* and R-C* of
// docs/eligibility-rules.md (the rule ids are cited where they are applied).
#include <algorithm>
#include <optional>

#include "core/registration.hpp"

namespace onshi::core {
namespace {

using F = RegistrationField;
constexpr std::size_t kNone = static_cast<std::size_t>(-1);

// [acquired_on, lost_on) with an absent lost_on open-ended; touching periods do not overlap,
// and a period lost on its first day covers no day, so it overlaps nothing (R-A4).
bool overlaps(const Coverage& a, Date a_lost, const Coverage& b) {
  if (a_lost == a.acquired_on || b.lost_on == b.acquired_on) return false;
  const bool a_before_b_ends = !b.lost_on.valid() || a.acquired_on < b.lost_on;
  const bool b_before_a_ends = !a_lost.valid() || b.acquired_on < a_lost;
  return a_before_b_ends && b_before_a_ends;
}

// A change's columns of one term (elderly, self-pay limit, specific disease): `row` holds the
// term when the row carries its code (validation refuses dates without it); the code, and each
// date the row carries, overwrite the period's; a term the period did not have is created.
template <typename Term, typename SetCode>
void merge_term(std::optional<Term>& period, const std::optional<Term>& row, bool has_from,
                bool has_until, SetCode set_code) {
  if (!row) return;
  if (!period) period = Term{};
  set_code(*period, *row);
  if (has_from) period->valid_from = row->valid_from;
  if (has_until) period->valid_until = row->valid_until;
}

Error refuse(ErrorCode code, std::string detail) {
  return make_error(code, std::move(detail));
}

}  // namespace

Result<std::vector<std::size_t>> apply_registration(std::vector<Coverage>& card,
                                                    const RegistrationEvent& ev) {
  const Coverage& v = ev.values;
  // Error details never carry personal data (they may be logged): no names, no dates.
  // R-M1: the member is the card key (the caller's `card`) plus the branch.
  std::vector<std::size_t> member;
  for (std::size_t i = 0; i < card.size(); ++i)
    if (card[i].key.branch == v.key.branch) member.push_back(i);
  // R-M2: person fields are the same on every period, so the first period speaks for all.
  const Coverage* person = member.empty() ? nullptr : &card[member.front()];
  auto overlapping = [&](const Coverage& period, Date lost_on, std::size_t except) {
    for (std::size_t i : member)
      if (i != except && overlaps(period, lost_on, card[i])) return true;
    return false;
  };

  if (ev.kind == RegistrationEventKind::kAcquire) {
    if (person) {
      if (person->birth_date != v.birth_date)  // R-A2
        return refuse(
            ErrorCode::kRowPersonConflict,
            "branch " + v.key.branch + " of this card belongs to a person with another birth date");
      if (!v.person_key.empty() && !person->person_key.empty() &&
          v.person_key != person->person_key)  // R-A2
        return refuse(
            ErrorCode::kRowPersonConflict,
            "branch " + v.key.branch + " of this card is linked to another person's My Number");
      for (std::size_t i : member)
        if (card[i].acquired_on == v.acquired_on)  // R-A3
          return refuse(ErrorCode::kRowPeriodAlreadyRegistered,
                        "the period with this acquisition date is already registered with "
                        "other values");
      if (overlapping(v, v.lost_on, kNone))  // R-A4
        return refuse(ErrorCode::kRowPeriodOverlap,
                      "the period overlaps another period of this member");
    }
    Coverage next = v;
    next.id = 0;
    std::vector<std::size_t> changed;
    if (person) {  // R-A5
      if (next.person_key.empty()) {
        next.person_key = person->person_key;
      } else if (person->person_key.empty()) {
        for (std::size_t i : member) {
          card[i].person_key = next.person_key;
          changed.push_back(i);
        }
      }
    }
    card.push_back(std::move(next));
    changed.push_back(card.size() - 1);
    return changed;
  }

  // R-C1: the period named by acquired_on, else the member's latest.
  std::size_t target = kNone;
  for (std::size_t i : member) {
    if (ev.has(F::kAcquiredOn)) {
      if (card[i].acquired_on == v.acquired_on) target = i;
    } else if (target == kNone || card[target].acquired_on < card[i].acquired_on) {
      target = i;
    }
  }
  if (target == kNone)
    return refuse(ErrorCode::kRowCoverageNotFound,
                  "no coverage registered for this insurer/symbol/number/branch" +
                      std::string(ev.has(F::kAcquiredOn) ? " and acquisition date" : ""));

  Coverage next = card[target];
  const bool lose = ev.kind == RegistrationEventKind::kLose;
  if (lose) {  // R-C5
    next.lost_on = v.lost_on;
    next.loss_reason = v.loss_reason;
  } else {  // R-C2: period fields the row carries
    if (ev.has(F::kRelationship)) next.relationship = v.relationship;
    if (ev.has(F::kInsuredName)) next.insured_name = v.insured_name;
    if (ev.has(F::kName)) next.name = v.name;
    if (ev.has(F::kNameKana)) next.name_kana = v.name_kana;
    if (ev.has(F::kSex)) next.sex = v.sex;
    if (ev.has(F::kAddress)) next.address = v.address;
    if (ev.has(F::kPostcode)) next.postcode = v.postcode;
    if (ev.has(F::kLostOn)) next.lost_on = v.lost_on;
    if (ev.has(F::kLossReason)) next.loss_reason = v.loss_reason;
    if (ev.has(F::kCardIssuedOn)) next.card_issued_on = v.card_issued_on;
    if (ev.has(F::kCardValidFrom)) next.card_valid_from = v.card_valid_from;
    if (ev.has(F::kCardValidUntil)) next.card_valid_until = v.card_valid_until;
    if (ev.has(F::kCopayRatio)) next.copay_ratio = v.copay_ratio;
    // A term's code and each of its dates are columns of their own (R-C2).
    merge_term(next.elderly, v.elderly, ev.has(F::kElderlyValidFrom), ev.has(F::kElderlyValidUntil),
               [](auto& to, const auto& from) { to.copay_ratio = from.copay_ratio; });
    merge_term(next.self_pay_limit, v.self_pay_limit, ev.has(F::kLimitValidFrom),
               ev.has(F::kLimitValidUntil),
               [](auto& to, const auto& from) { to.category = from.category; });
    merge_term(next.specific_disease, v.specific_disease, ev.has(F::kSpecificDiseaseValidFrom),
               ev.has(F::kSpecificDiseaseValidUntil),
               [](auto& to, const auto& from) { to.disease = from.disease; });
  }
  // R-C3 / R-C4: person fields go to every period of the member.
  const bool new_birth_date = !lose && ev.has(F::kBirthDate);
  const bool new_link = !lose && !v.person_key.empty();
  if (new_birth_date)
    for (std::size_t i : member)
      if (card[i].acquired_on < v.birth_date)
        return refuse(ErrorCode::kRowDatesInconsistent,
                      "field 'birth_date': after the acquisition date of a registered period");
  if (next.lost_on.valid() && next.lost_on < next.acquired_on)  // R-C5
    return refuse(ErrorCode::kRowDatesInconsistent,
                  "field 'lost_on': before the registered acquisition date");
  if (next.lost_on != card[target].lost_on && overlapping(next, next.lost_on, target))
    return refuse(ErrorCode::kRowPeriodOverlap,
                  "the new loss date makes this period overlap another period of this member");

  card[target] = std::move(next);
  std::vector<std::size_t> changed{target};
  if (new_birth_date || new_link)
    for (std::size_t i : member) {
      if (new_birth_date) card[i].birth_date = v.birth_date;
      if (new_link) card[i].person_key = v.person_key;
      if (i != target) changed.push_back(i);
    }
  return changed;
}

}  // namespace onshi::core
