#include "core/answer_terms.hpp"

namespace onshi::core {

bool within(Date day, Date from, Date until) {
  return (!from.valid() || from <= day) && (!until.valid() || day <= until);
}

AnswerTerms settle_terms(AnswerRecord& record, Date as_of, Validity validity) {
  AnswerTerms terms;
  if (record.elderly) {
    const int age = record.birth_date.age_on(as_of);
    if (!within(as_of, record.elderly->valid_from, record.elderly->valid_until) || age < 70 ||
        age > 74)
      record.elderly.reset();
  }
  if (record.self_pay_limit &&
      !within(as_of, record.self_pay_limit->valid_from, record.self_pay_limit->valid_until))
    record.self_pay_limit.reset();
  if (record.specific_disease &&
      !within(as_of, record.specific_disease->valid_from, record.specific_disease->valid_until))
    record.specific_disease.reset();
  terms.applicable_copay_ratio = record.elderly ? record.elderly->copay_ratio : record.copay_ratio;

  if (validity != Validity::kValid) return terms;
  auto notice = [&](ErrorCode code, std::string en, std::string ja) {
    terms.notices.push_back(Notice{code, std::move(en), std::move(ja)});
  };
  if (record.card_valid_until.valid() && record.card_valid_until < as_of)
    notice(ErrorCode::kNoticeCardValidityEnded,
           "The card's validity ended on " + record.card_valid_until.iso() +
               "; the coverage is in force on " + as_of.iso() + ".",
           "保険証等の有効期限（" + record.card_valid_until.iso() + "）を過ぎていますが、" +
               as_of.iso() + " の資格は有効です。");
  if (record.card_valid_from.valid() && as_of < record.card_valid_from)
    notice(ErrorCode::kNoticeCardNotYetValid,
           "The card is valid from " + record.card_valid_from.iso() +
               "; the coverage is in force on " + as_of.iso() + ".",
           "保険証等の有効開始日は " + record.card_valid_from.iso() + " ですが、" + as_of.iso() +
               " の資格は有効です。");
  return terms;
}

}  // namespace onshi::core
