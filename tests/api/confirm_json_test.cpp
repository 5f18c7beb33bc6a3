// The JSON encoding of a confirmation outcome: every field from the outcome as the service
// stamped it, nothing the encoder decides itself.
#include "api/confirm_json.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace onshi::api {
namespace {

services::ConfirmOutcome outcome_with_record() {
  core::Coverage c;
  c.id = 7;
  c.key = {"06130012", "千代田-12", "００４５", "01"};
  c.name = "吉田 花子";
  c.insured_name = "吉田 一郎";
  c.relationship = core::Relationship::kDependant;
  c.birth_date = core::Date::from_ymd(1980, 1, 15);
  c.acquired_on = core::Date::from_ymd(2020, 4, 1);
  c.postcode = "100-0001";
  c.self_pay_limit = core::SelfPayLimitTerms{"A03", {}, {}};
  services::ConfirmOutcome o;
  o.answer.resolution.validity = core::Validity::kValid;
  o.answer.record = core::answer_record_of(c, "高島屋健康保険組合");
  o.answer.applicable_copay_ratio = 3;
  o.as_of = core::Date::from_ymd(2024, 6, 1);
  o.confirmation_id = "n0-1-2";
  return o;
}

TEST(ConfirmJson, ReferenceClassificationIsTheOutcomes) {
  services::ConfirmOutcome o = outcome_with_record();
  for (const int classification : {1, 2}) {
    o.reference_classification = classification;
    const auto j = nlohmann::json::parse(encode_confirm_outcome(o));
    EXPECT_EQ(j["reference_classification"], classification);
  }
}

TEST(ConfirmJson, RecordTextsAndConsentGatedTerms) {
  services::ConfirmOutcome o = outcome_with_record();
  auto j = nlohmann::json::parse(encode_confirm_outcome(o));
  const auto& r = j["record"];
  EXPECT_EQ(r["insurer_number"], "06130012");
  EXPECT_EQ(r["insurer_name"], "高島屋健康保険組合");
  EXPECT_EQ(r["symbol"], "千代田-12");
  EXPECT_EQ(r["number"], "００４５");
  EXPECT_EQ(r["branch"], "01");
  EXPECT_EQ(r["name"], "吉田 花子");
  EXPECT_EQ(r["insured_name"], "吉田 一郎");
  EXPECT_EQ(r["postcode"], "100-0001");
  EXPECT_EQ(r["relationship_label"], "dependant");
  EXPECT_EQ(r["my_number_linked"], false);
  EXPECT_FALSE(r.contains("self_pay_limit")) << "not consented: the key is absent";
  o.self_pay_limit_consent = true;
  j = nlohmann::json::parse(encode_confirm_outcome(o));
  EXPECT_EQ(j["record"]["self_pay_limit"]["category"], "A03");
  o.answer.record.reset();
  j = nlohmann::json::parse(encode_confirm_outcome(o));
  EXPECT_TRUE(j["record"].is_null());
}

}  // namespace
}  // namespace onshi::api
