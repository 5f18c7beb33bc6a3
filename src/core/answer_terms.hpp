#pragma once
// What a confirmation answer shows of a record on its as-of date (R-Q10..R-Q13 of
// docs/eligibility-rules.md): the terms in force that day, the co-pay the desk charges, and the
// notices a valid answer carries. Pure: the index calls it on the record it answers with, so
// every adapter gets the same record.
#include <string>
#include <vector>

#include "core/answer_record.hpp"
#include "core/eligibility.hpp"
#include "core/error_code.hpp"

namespace onshi::core {

// A notice on a valid answer: a catalogued code with its sentence, dates filled in.
struct Notice {
  ErrorCode code;
  std::string en;
  std::string ja;
};

struct AnswerTerms {
  int applicable_copay_ratio = 3;  // R-Q11
  std::vector<Notice> notices;     // R-Q13
};

// True when `day` is within [from, until], an absent end being open.
bool within(Date day, Date from, Date until);

// Removes from `record` the elderly recipient terms unless in force and the patient is 70-74
// on `as_of` (R-Q10), and the self-pay limit and specific-disease terms unless in force
// (R-Q12); computes the applicable co-pay (R-Q11) and the card notices of a valid answer
// (R-Q13).
AnswerTerms settle_terms(AnswerRecord& record, Date as_of, Validity validity);

}  // namespace onshi::core
