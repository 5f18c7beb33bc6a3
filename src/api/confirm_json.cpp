#include "api/confirm_json.hpp"

#include <algorithm>
#include <vector>

#include "api/error_json.hpp"
#include "api/flat_json.hpp"
#include "api/json_writer.hpp"
#include "core/error_catalogue.hpp"

namespace onshi::api {
namespace {

using core::ErrorCode;

core::Error field_error(ErrorCode code, std::string_view field, std::string_view why) {
  std::string d = "field '";
  d += field;
  d += "': ";
  d += why;
  return core::make_error(code, std::move(d));
}

void write_date(JsonWriter& w, std::string_view k, core::Date d) {
  w.key(k);
  if (d.valid())
    w.value(d.iso());
  else
    w.null();
}

// A reason or notice: the catalogue's code and remedy, the sentence with its dates filled in.
void write_explained(JsonWriter& w, ErrorCode code, std::string_view ja, std::string_view en) {
  const core::ErrorInfo& info = core::error_info(code);
  w.begin_object()
      .field("code", info.code)
      .field("message_ja", ja)
      .field("message_en", en)
      .field("remedy_ja", info.remedy_ja)
      .field("remedy_en", info.remedy_en)
      .end_object();
}

}  // namespace

core::Result<services::ConfirmRequest> decode_confirm_request(std::string_view body) {
  // One flat object, read in place (flat_json.hpp): a counter request has no nesting, and a
  // DOM parse cost more than the rest of the request's decoding together.
  thread_local std::vector<FlatMember> members;
  if (!read_flat_object(body, members))
    return core::make_error(ErrorCode::kRequestBodyInvalid, "body is not a JSON object");
  // A repeated key counts once, its last value; fields are checked in key order, so the first
  // error named does not depend on the order the client wrote them in.
  std::stable_sort(members.begin(), members.end(),
                   [](const FlatMember& a, const FlatMember& b) { return a.key() < b.key(); });
  services::ConfirmRequest r;
  struct Text {
    std::string_view name;
    std::string* out;
  };
  const Text texts[] = {{"insurer_number", &r.insurer_number},
                        {"symbol", &r.symbol},
                        {"number", &r.number},
                        {"branch", &r.branch},
                        {"birth_date", &r.birth_date},
                        {"as_of", &r.as_of},
                        {"arbitrary_id", &r.arbitrary_id}};
  using Kind = FlatMember::Kind;
  for (std::size_t i = 0; i < members.size(); ++i) {
    if (i + 1 < members.size() && members[i + 1].key() == members[i].key()) continue;
    FlatMember& m = members[i];
    const std::string_view k = m.key();
    bool known = false;
    for (const Text& t : texts) {
      if (k != t.name) continue;
      known = true;
      if (m.kind == Kind::kString || m.kind == Kind::kInteger)
        *t.out = std::move(m.text);
      else if (m.kind != Kind::kNull)
        return field_error(ErrorCode::kRequestFieldInvalid, k, "must be a string");
    }
    if (k == "self_pay_limit_consent" || k == "specific_disease_consent") {
      known = true;
      if (m.kind != Kind::kTrue && m.kind != Kind::kFalse && m.kind != Kind::kNull)
        return field_error(ErrorCode::kRequestFieldInvalid, k, "must be true or false");
      (k == "self_pay_limit_consent" ? r.self_pay_limit_consent : r.specific_disease_consent) =
          m.kind == Kind::kTrue;
    }
    if (!known) return field_error(ErrorCode::kRequestFieldInvalid, k, "unknown field");
  }
  if (r.arbitrary_id.size() > 64)
    return field_error(ErrorCode::kRequestFieldInvalid, "arbitrary_id", "at most 64 bytes");
  return r;
}

std::string encode_confirm_outcome(const services::ConfirmOutcome& o) {
  std::string out;
  out.reserve(1536);
  JsonWriter w(out);
  const auto& a = o.answer;
  const int validity = static_cast<int>(a.resolution.validity);
  w.begin_object();
  w.field("confirmation_id", o.confirmation_id);
  w.field("reference_classification", o.reference_classification);  // 照会区分
  w.field("as_of", o.as_of.iso());
  w.field("validity", validity);
  w.field("validity_label", core::to_string(a.resolution.validity));
  if (!o.arbitrary_id.empty()) w.field("arbitrary_id", o.arbitrary_id);
  w.key("reason");
  if (a.resolution.reason) {
    write_explained(w, *a.resolution.reason, a.reason_text.ja, a.reason_text.en);
  } else {
    w.null();
  }
  // R-Q13: what a valid answer also tells the desk (e.g. the card's own validity has ended).
  w.key("notices").begin_array();
  for (const core::Notice& n : a.notices) write_explained(w, n.code, n.ja, n.en);
  w.end_array();
  w.key("record");
  if (!a.record) {
    w.null();
  } else {
    const core::AnswerRecord& c = *a.record;
    w.begin_object();
    w.field("insurer_number", c.insurer_number());
    w.field("insurer_name", c.insurer_name());
    w.field("symbol", c.symbol());
    w.field("number", c.number());
    w.field("branch", c.branch());
    w.field("relationship", static_cast<int>(c.relationship));
    w.field("relationship_label",
            c.relationship == core::Relationship::kInsured ? "insured" : "dependant");
    w.field("insured_name", c.insured_name());
    w.field("name", c.name());
    w.field("name_kana", c.name_kana());
    w.field("sex", static_cast<int>(c.sex));
    write_date(w, "birth_date", c.birth_date);
    w.field("address", c.address());
    w.field("postcode", c.postcode());
    write_date(w, "acquired_on", c.acquired_on);
    write_date(w, "lost_on", c.lost_on);
    w.key("loss_reason");
    if (c.loss_reason == core::LossReason::kNone)
      w.null();
    else
      w.value(core::to_string(c.loss_reason));
    write_date(w, "card_issued_on", c.card_issued_on);
    write_date(w, "card_valid_from", c.card_valid_from);
    write_date(w, "card_valid_until", c.card_valid_until);
    w.field("copay_ratio", c.copay_ratio);
    w.field("applicable_copay_ratio", a.applicable_copay_ratio);
    w.key("elderly_recipient");
    if (c.elderly) {
      w.begin_object().field("copay_ratio", c.elderly->copay_ratio);
      write_date(w, "valid_from", c.elderly->valid_from);
      write_date(w, "valid_until", c.elderly->valid_until);
      w.end_object();
    } else {
      w.null();
    }
    // Consent-gated terms: present only when the patient agreed to share them here.
    if (o.self_pay_limit_consent) {
      w.key("self_pay_limit");
      if (c.self_pay_limit) {
        w.begin_object().field("category", c.self_pay_limit->category);
        write_date(w, "valid_from", c.self_pay_limit->valid_from);
        write_date(w, "valid_until", c.self_pay_limit->valid_until);
        w.end_object();
      } else {
        w.null();
      }
    }
    if (o.specific_disease_consent) {
      w.key("specific_disease");
      if (c.specific_disease) {
        w.begin_object().field("disease", c.specific_disease->disease);
        write_date(w, "valid_from", c.specific_disease->valid_from);
        write_date(w, "valid_until", c.specific_disease->valid_until);
        w.end_object();
      } else {
        w.null();
      }
    }
    w.field("my_number_linked", c.my_number_linked);
    w.end_object();
  }
  w.end_object();
  out += '\n';
  return out;
}

}  // namespace onshi::api
