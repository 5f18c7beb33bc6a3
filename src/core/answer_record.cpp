#include "core/answer_record.hpp"

namespace onshi::core {
namespace {

bool same_limit(const std::optional<SelfPayLimitTerms>& a,
                const std::optional<SelfPayLimitTerms>& b) {
  if (a.has_value() != b.has_value()) return false;
  return !a || (a->category == b->category && a->valid_from == b->valid_from &&
                a->valid_until == b->valid_until);
}

bool same_elderly(const std::optional<ElderlyRecipientTerms>& a,
                  const std::optional<ElderlyRecipientTerms>& b) {
  if (a.has_value() != b.has_value()) return false;
  return !a || (a->copay_ratio == b->copay_ratio && a->valid_from == b->valid_from &&
                a->valid_until == b->valid_until);
}

bool same_disease(const std::optional<SpecificDiseaseTerms>& a,
                  const std::optional<SpecificDiseaseTerms>& b) {
  if (a.has_value() != b.has_value()) return false;
  return !a || (a->disease == b->disease && a->valid_from == b->valid_from &&
                a->valid_until == b->valid_until);
}

}  // namespace

AnswerRecord answer_record_of(const Coverage& c, std::string_view insurer_name) {
  AnswerRecord r;
  r.id = c.id;
  r.relationship = c.relationship;
  r.sex = c.sex;
  r.birth_date = c.birth_date;
  r.acquired_on = c.acquired_on;
  r.lost_on = c.lost_on;
  r.loss_reason = c.loss_reason;
  r.card_issued_on = c.card_issued_on;
  r.card_valid_from = c.card_valid_from;
  r.card_valid_until = c.card_valid_until;
  r.copay_ratio = c.copay_ratio;
  r.elderly = c.elderly;
  r.self_pay_limit = c.self_pay_limit;
  r.specific_disease = c.specific_disease;
  r.my_number_linked = !c.person_key.empty();
  r.set_text(AnswerRecord::kInsurerNumber, c.key.insurer_number);
  r.set_text(AnswerRecord::kInsurerName, insurer_name);
  r.set_text(AnswerRecord::kSymbol, c.key.symbol);
  r.set_text(AnswerRecord::kNumber, c.key.number);
  r.set_text(AnswerRecord::kBranch, c.key.branch);
  r.set_text(AnswerRecord::kName, c.name);
  r.set_text(AnswerRecord::kNameKana, c.name_kana);
  r.set_text(AnswerRecord::kInsuredName, c.insured_name);
  r.set_text(AnswerRecord::kAddress, c.address);
  r.set_text(AnswerRecord::kPostcode, c.postcode);
  return r;
}

bool operator==(const AnswerRecord& a, const AnswerRecord& b) {
  for (int t = 0; t < AnswerRecord::kTextCount; ++t)
    if (a.text(static_cast<AnswerRecord::Text>(t)) != b.text(static_cast<AnswerRecord::Text>(t)))
      return false;
  return a.id == b.id && a.relationship == b.relationship && a.sex == b.sex &&
         a.birth_date == b.birth_date && a.acquired_on == b.acquired_on && a.lost_on == b.lost_on &&
         a.loss_reason == b.loss_reason && a.card_issued_on == b.card_issued_on &&
         a.card_valid_from == b.card_valid_from && a.card_valid_until == b.card_valid_until &&
         a.copay_ratio == b.copay_ratio && same_elderly(a.elderly, b.elderly) &&
         same_limit(a.self_pay_limit, b.self_pay_limit) &&
         same_disease(a.specific_disease, b.specific_disease) &&
         a.my_number_linked == b.my_number_linked;
}

}  // namespace onshi::core
