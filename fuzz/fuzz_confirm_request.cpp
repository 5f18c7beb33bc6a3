// The counter-confirmation body (POST /v1/eligibility/confirm): decoding, then validation and
// resolution against a small index. Whatever arrives, the answer is an error with a catalogued
// code or a well-formed JSON answer.
#include <nlohmann/json.hpp>

#include "api/confirm_json.hpp"
#include "core/error_catalogue.hpp"
#include "core/identifiers.hpp"
#include "core/text_normalise.hpp"
#include "fuzz_common.hpp"
#include "index/eligibility_index.hpp"
#include "services/eligibility_service.hpp"
#include "store/store.hpp"

namespace {

struct World {
  World() {
    const onshi::core::Insurer ins{onshi::core::make_insurer_number("0613048"), "健保", {}, 13};
    index.upsert_insurers({&ins, 1});
    onshi::core::Coverage c;
    c.id = 1;
    c.key = {ins.number, "12-34", "5678", "00"};
    c.name = "𠮷田　太郎";
    c.birth_date = onshi::core::Date::from_ymd(1972, 5, 1);
    c.acquired_on = onshi::core::Date::from_ymd(2020, 4, 1);
    index.upsert({&c, 1});
    who.role = onshi::store::Role::kFacility;
    who.facility = onshi::core::Facility{"1310000010", "病院", {}, 13};
  }
  onshi::index::EligibilityIndex index;
  onshi::services::Principal who;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const unsigned char* data, std::size_t size) {
  static World world;
  const auto text = onshi::fuzz::as_text(data, size);
  const auto request = onshi::api::decode_confirm_request(text);
  if (!request) {
    ONSHI_FUZZ_CHECK(!onshi::core::error_info(request.error().code).code.empty());
    return 0;
  }
  // The same checks the service makes, without an access log: resolve only.
  auto insurer = onshi::core::parse_insurer_number(request->insurer_number);
  onshi::index::CardLookup lookup;
  if (insurer) lookup.insurer_number = insurer->digits;
  lookup.symbol_key = onshi::core::match_key(request->symbol);
  lookup.number_key = onshi::core::match_key(request->number);
  auto birth = onshi::core::parse_date(request->birth_date);
  if (birth) lookup.query.birth_date = *birth;
  lookup.query.as_of = onshi::core::Date::from_ymd(2026, 11, 22);
  onshi::services::ConfirmOutcome outcome;
  outcome.answer = world.index.confirm(lookup);
  outcome.as_of = lookup.query.as_of;
  outcome.self_pay_limit_consent = request->self_pay_limit_consent;
  outcome.arbitrary_id = request->arbitrary_id;
  const std::string json = onshi::api::encode_confirm_outcome(outcome);
  ONSHI_FUZZ_CHECK(!nlohmann::json::parse(json, nullptr, false).is_discarded());
  return 0;
}
