#pragma once
// One table of counter-confirmation cases over the server fixture's TestData, and the one
// canonical view of an answer they are compared in. Every adapter runs the same table: the
// eligibility service itself, JSON over HTTP, and (when they land) XML and FHIR; each turns its
// answer into the view, and the views must agree with each other and with the table.
#include <nlohmann/json.hpp>

#include <map>
#include <string>
#include <vector>

#include "core/error_catalogue.hpp"
#include "services/eligibility_service.hpp"
#include "tests/server/server_fixture.hpp"

namespace onshi::testing {

struct ConfirmCase {
  std::string name;
  nlohmann::json request;  // the JSON request's fields (the service gets the same as text)
  // Lines the view must contain ("key=value"); the rest of the view must agree across adapters.
  std::vector<std::string> expect;
};

inline std::vector<ConfirmCase> confirm_cases(const TestData& d) {
  const nlohmann::json yoshida = {{"insurer_number", d.kyokai}, {"symbol", "12-34"},
                                  {"number", "5678"},           {"branch", "00"},
                                  {"birth_date", "1972-05-01"}, {"as_of", "2026-11-22"}};
  auto with = [](nlohmann::json j, const nlohmann::json& more) {
    for (auto it = more.begin(); it != more.end(); ++it) {
      if (it.value().is_null())
        j.erase(it.key());
      else
        j[it.key()] = it.value();
    }
    return j;
  };
  const nlohmann::json watanabe = {
      {"insurer_number", d.kokuho}, {"symbol", "千代田"},    {"number", "777"},
      {"birth_date", "1950-01-15"}, {"as_of", "2026-11-22"}, {"arbitrary_id", "rc-42"}};
  return {
      {"valid, no consent: the gated terms stay in the service",
       yoshida,
       {"validity=1", "reason=-", "record.name=𠮷田　太郎", "record.branch=00",
        "record.self_pay_limit=absent", "record.specific_disease=absent",
        "reference_classification=2"}},
      {"valid, both consents",
       with(yoshida, {{"self_pay_limit_consent", true}, {"specific_disease_consent", true}}),
       {"validity=1", "record.self_pay_limit=A03", "record.specific_disease=1"}},
      {"valid, one consent",
       with(yoshida, {{"self_pay_limit_consent", true}}),
       {"record.self_pay_limit=A03", "record.specific_disease=absent"}},
      {"consent given, terms not in force on as_of",
       with(yoshida, {{"self_pay_limit_consent", true}, {"as_of", "2025-06-01"}}),
       {"validity=1", "record.self_pay_limit=null"}},
      {"family member picked by birth date",
       with(yoshida, {{"branch", nullptr}, {"birth_date", "1975-03-03"}}),
       {"validity=1", "record.branch=01", "record.insured_name=𠮷田　太郎"}},
      {"twins without a branch",
       with(yoshida, {{"branch", nullptr}, {"birth_date", "2015-06-06"}}),
       {"validity=5", "reason=ELIGIBILITY_SEVERAL_MATCH", "record=null"}},
      {"branch not found",
       with(yoshida, {{"branch", "09"}}),
       {"validity=4", "reason=ELIGIBILITY_BRANCH_NOT_FOUND"}},
      {"birth date mismatch",
       with(yoshida, {{"birth_date", "1972-05-02"}}),
       {"validity=4", "reason=ELIGIBILITY_BIRTH_DATE_MISMATCH"}},
      {"no coverage for the number",
       with(yoshida, {{"number", "9999"}}),
       {"validity=4", "reason=ELIGIBILITY_NO_COVERAGE_FOR_NUMBER"}},
      {"lost, newer coverage exists",
       watanabe,
       {"validity=3", "reason=ELIGIBILITY_LOST_NEWER_EXISTS", "record.lost_on=2026-04-01",
        "arbitrary_id=rc-42"}},
      {"lost, as of before the loss", with(watanabe, {{"as_of", "2026-03-31"}}), {"validity=1"}},
      {"lost by death",
       with(yoshida, {{"symbol", "9"},
                      {"number", "4242"},
                      {"branch", nullptr},
                      {"birth_date", "1940-02-02"}}),
       {"validity=2", "reason=ELIGIBILITY_LOST"}},
      {"era date and full-width digits",
       with(yoshida, {{"birth_date", "S47.05.01"}, {"number", "５６７８"}}),
       {"validity=1", "record.branch=00"}},
      {"missing number", with(yoshida, {{"number", nullptr}}), {"error=REQUEST_FIELD_MISSING"}},
      {"wrong check digit",
       with(yoshida, {{"insurer_number",
                       d.kyokai.substr(0, 7) + std::to_string((d.kyokai[7] - '0' + 1) % 10)}}),
       {"error=INSURER_NUMBER_CHECK_DIGIT"}},
      {"impossible date",
       with(yoshida, {{"birth_date", "1972-02-30"}}),
       {"error=DATE_OUT_OF_RANGE"}},
  };
}

// The request as the service takes it: the JSON fields as text.
inline services::ConfirmRequest service_request(const nlohmann::json& j) {
  services::ConfirmRequest r;
  auto text = [&](const char* k) { return j.contains(k) ? j[k].get<std::string>() : ""; };
  r.insurer_number = text("insurer_number");
  r.symbol = text("symbol");
  r.number = text("number");
  r.branch = text("branch");
  r.birth_date = text("birth_date");
  r.as_of = text("as_of");
  r.arbitrary_id = text("arbitrary_id");
  r.self_pay_limit_consent = j.value("self_pay_limit_consent", false);
  r.specific_disease_consent = j.value("specific_disease_consent", false);
  return r;
}

using View = std::map<std::string, std::string>;

inline std::string view_text(const View& v) {
  std::string out;
  for (const auto& [k, val] : v) out += k + "=" + val + "\n";
  return out;
}

// The view of the service's own outcome, read from its fields (not from any encoding).
inline std::string view_of_outcome(const services::ConfirmOutcome& o) {
  View v;
  const auto& a = o.answer;
  v["validity"] = std::to_string(static_cast<int>(a.resolution.validity));
  v["reason"] =
      a.resolution.reason ? std::string(core::error_info(*a.resolution.reason).code) : "-";
  std::string notices;
  for (const auto& n : a.notices) notices += std::string(core::error_info(n.code).code) + ";";
  v["notices"] = notices;
  v["reference_classification"] = std::to_string(o.reference_classification);
  v["as_of"] = o.as_of.iso();
  if (!o.arbitrary_id.empty()) v["arbitrary_id"] = o.arbitrary_id;
  if (!a.record) {
    v["record"] = "null";
    return view_text(v);
  }
  const core::AnswerRecord& c = *a.record;
  v["record"] = "present";
  v["record.name"] = c.name();
  v["record.insured_name"] = c.insured_name();
  v["record.branch"] = c.branch();
  v["record.insurer_name"] = c.insurer_name();
  v["record.lost_on"] = c.lost_on.valid() ? c.lost_on.iso() : "null";
  v["record.applicable_copay_ratio"] = std::to_string(a.applicable_copay_ratio);
  v["record.self_pay_limit"] = !o.self_pay_limit_consent ? "absent"
                               : c.self_pay_limit        ? c.self_pay_limit->category
                                                         : "null";
  v["record.specific_disease"] = !o.specific_disease_consent ? "absent"
                                 : c.specific_disease ? std::to_string(c.specific_disease->disease)
                                                      : "null";
  // The outcome's record must not hold what was not consented to, whatever the encoder does.
  if (!o.self_pay_limit_consent && c.self_pay_limit) v["leak.self_pay_limit"] = "present";
  if (!o.specific_disease_consent && c.specific_disease) v["leak.specific_disease"] = "present";
  return view_text(v);
}

// The view of a JSON answer (POST /v1/eligibility/confirm).
inline std::string view_of_json(int status, const nlohmann::json& j) {
  View v;
  if (status != 200) {
    v["error"] = j["error"]["code"].get<std::string>();
    return view_text(v);
  }
  v["validity"] = std::to_string(j["validity"].get<int>());
  v["reason"] = j["reason"].is_null() ? "-" : j["reason"]["code"].get<std::string>();
  std::string notices;
  for (const auto& n : j["notices"]) notices += n["code"].get<std::string>() + ";";
  v["notices"] = notices;
  v["reference_classification"] = std::to_string(j["reference_classification"].get<int>());
  v["as_of"] = j["as_of"].get<std::string>();
  if (j.contains("arbitrary_id")) v["arbitrary_id"] = j["arbitrary_id"].get<std::string>();
  const auto& r = j["record"];
  if (r.is_null()) {
    v["record"] = "null";
    return view_text(v);
  }
  v["record"] = "present";
  v["record.name"] = r["name"].get<std::string>();
  v["record.insured_name"] = r["insured_name"].get<std::string>();
  v["record.branch"] = r["branch"].get<std::string>();
  v["record.insurer_name"] = r["insurer_name"].get<std::string>();
  v["record.lost_on"] = r["lost_on"].is_null() ? "null" : r["lost_on"].get<std::string>();
  v["record.applicable_copay_ratio"] = std::to_string(r["applicable_copay_ratio"].get<int>());
  v["record.self_pay_limit"] = !r.contains("self_pay_limit") ? "absent"
                               : r["self_pay_limit"].is_null()
                                   ? "null"
                                   : r["self_pay_limit"]["category"].get<std::string>();
  v["record.specific_disease"] = !r.contains("specific_disease") ? "absent"
                                 : r["specific_disease"].is_null()
                                     ? "null"
                                     : std::to_string(r["specific_disease"]["disease"].get<int>());
  return view_text(v);
}

}  // namespace onshi::testing
