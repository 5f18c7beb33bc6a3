#include "services/eligibility_service.hpp"

#include <cstdio>
#include <utility>

#include "core/identifiers.hpp"
#include "core/text_normalise.hpp"
#include "services/japan_clock.hpp"

namespace onshi::services {
namespace {

core::Error field_error(core::ErrorCode code, std::string_view field, std::string_view why) {
  std::string d = "field '";
  d += field;
  d += "': ";
  d += why;
  return core::make_error(code, std::move(d));
}

}  // namespace

EligibilityService::EligibilityService(index::EligibilityIndex& index, Journal& access_log,
                                       Metrics& metrics, Clock clock, std::string node_id)
    : index_(index),
      access_log_(access_log),
      metrics_(metrics),
      clock_(clock ? std::move(clock) : system_clock()),
      node_id_(std::move(node_id)) {}

core::Result<ConfirmOutcome> EligibilityService::resolve(const Principal& who,
                                                         const ConfirmRequest& req) const {
  if (who.role != store::Role::kFacility || !who.facility)
    return core::make_error(core::ErrorCode::kForbidden, "only facilities confirm eligibility");
  using core::ErrorCode;
  if (req.insurer_number.empty())
    return field_error(ErrorCode::kRequestFieldMissing, "insurer_number", "required");
  auto insurer = core::parse_insurer_number(req.insurer_number);
  if (!insurer) return field_error(insurer.error().code, "insurer_number", insurer.error().detail);
  if (req.number.empty()) return field_error(ErrorCode::kRequestFieldMissing, "number", "required");
  if (req.number.size() > 64 || !core::is_valid_utf8(req.number))
    return field_error(ErrorCode::kRequestFieldInvalid, "number", "too long or not UTF-8");
  if (req.symbol.size() > 64 || !core::is_valid_utf8(req.symbol))
    return field_error(ErrorCode::kRequestFieldInvalid, "symbol", "too long or not UTF-8");
  index::CardLookup lookup;
  lookup.insurer_number = insurer->digits;
  lookup.symbol_key = core::match_key(req.symbol);
  lookup.number_key = core::match_key(req.number);
  if (lookup.number_key.empty())
    return field_error(ErrorCode::kInsuredNumberFormat, "number", "no digits or letters");
  if (!req.branch.empty()) {
    auto branch = core::parse_branch(req.branch);
    if (!branch) return field_error(branch.error().code, "branch", branch.error().detail);
    lookup.query.branch = *branch;
  }
  if (req.birth_date.empty())
    return field_error(ErrorCode::kRequestFieldMissing, "birth_date", "required");
  auto birth = core::parse_date(req.birth_date);
  if (!birth) return field_error(birth.error().code, "birth_date", birth.error().detail);
  lookup.query.birth_date = *birth;
  const std::int64_t now_ms = clock_();
  if (req.as_of.empty()) {
    lookup.query.as_of = japan_date_of(now_ms);
  } else {
    auto as_of = core::parse_date(req.as_of);
    if (!as_of) return field_error(as_of.error().code, "as_of", as_of.error().detail);
    lookup.query.as_of = *as_of;
  }

  ConfirmOutcome out;
  out.answer = index_.confirm(lookup);
  // Terms the patient did not agree to share here never leave the service.
  if (out.answer.record) {
    if (!req.self_pay_limit_consent) out.answer.record->self_pay_limit.reset();
    if (!req.specific_disease_consent) out.answer.record->specific_disease.reset();
  }
  out.method = core::ConfirmMethod::kInsuranceCard;
  out.reference_classification = 2;
  out.as_of = lookup.query.as_of;
  out.self_pay_limit_consent = req.self_pay_limit_consent;
  out.specific_disease_consent = req.specific_disease_consent;
  out.arbitrary_id = req.arbitrary_id;
  // node-ms-sequence: unique per node while its clock does not go back past its start.
  char id[40];
  std::snprintf(id, sizeof id, "-%llx-%llx", static_cast<unsigned long long>(now_ms),
                static_cast<unsigned long long>(sequence_.fetch_add(1)));
  out.confirmation_id = node_id_ + id;
  out.at_ms = now_ms;
  return out;
}

void EligibilityService::confirm(const Principal& who, const ConfirmRequest& request,
                                 Encoder encode, Send send) {
  auto outcome = resolve(who, request);
  if (!outcome) return send(outcome.error());
  std::string answer = encode(*outcome);
  if (!outcome->answer.record) {
    // Nothing personal in the answer: it need not wait for its access record.
    record(who, *outcome, {});
    return send(std::move(answer));
  }
  record(who, *outcome, [answer = std::move(answer), send = std::move(send)](bool durable) mutable {
    if (!durable)
      return send(
          core::make_error(core::ErrorCode::kUnavailable, "access log could not be written"));
    send(std::move(answer));
  });
}

void EligibilityService::record(const Principal& who, const ConfirmOutcome& out,
                                Journal::Done on_durable) {
  const int validity = static_cast<int>(out.answer.resolution.validity);
  metrics_.count_confirmation(validity);
  core::AccessRecord rec;
  rec.at_ms = out.at_ms;
  rec.facility_code = who.facility->code;
  rec.actor = who.label;
  rec.method = out.method;
  rec.coverage_id = out.answer.record ? out.answer.record->id : 0;
  rec.validity = validity;
  rec.request_id = out.confirmation_id;
  access_log_.append(std::move(rec), who.facility->type, std::move(on_durable));
}

}  // namespace onshi::services
