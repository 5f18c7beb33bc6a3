#include "core/eligibility.hpp"

#include <vector>

#include "core/error_catalogue.hpp"

namespace onshi::core {
namespace {

Resolution no_match(ErrorCode why) {
  return Resolution{Validity::kNoMatch, std::nullopt, why};
}

std::string_view loss_reason_en(LossReason r) {
  switch (r) {
    case LossReason::kDeath:
      return "death";
    case LossReason::kPublicAssistance:
      return "public assistance";
    case LossReason::kOtherInsurance:
      return "other insurance acquired";
    case LossReason::kOther:
      return "other";
    case LossReason::kNone:
      break;
  }
  return "reason not given";
}

std::string_view loss_reason_ja(LossReason r) {
  switch (r) {
    case LossReason::kDeath:
      return "死亡";
    case LossReason::kPublicAssistance:
      return "生活保護";
    case LossReason::kOtherInsurance:
      return "他保険加入";
    case LossReason::kOther:
      return "その他";
    case LossReason::kNone:
      break;
  }
  return "事由未設定";
}

}  // namespace

std::string_view to_string(Validity v) {
  switch (v) {
    case Validity::kValid:
      return "valid";
    case Validity::kInvalid:
      return "invalid";
    case Validity::kInvalidNewerExists:
      return "invalid_newer_coverage_exists";
    case Validity::kNoMatch:
      return "no_matching_coverage";
    case Validity::kSeveralMatch:
      return "several_match";
  }
  return "";
}

Resolution resolve_eligibility(const EligibilityQuery& q, std::span<const CoverageFacts> all,
                               bool insurer_known) {
  if (all.empty())
    return no_match(insurer_known ? ErrorCode::kEligibilityNoCoverageForNumber
                                  : ErrorCode::kEligibilityInsurerUnknown);
  // Families are small (a handful of members, a few periods each): linear scans are fastest.
  bool branch_seen = !q.branch.has_value();
  std::optional<std::string_view> person;  // the branch of the one matching person
  bool several = false;
  for (const auto& c : all) {
    if (q.branch && c.branch != *q.branch) continue;
    branch_seen = true;
    if (c.birth_date != q.birth_date) continue;
    if (person && *person != c.branch) several = true;
    person = c.branch;
  }
  if (!branch_seen) return no_match(ErrorCode::kEligibilityBranchNotFound);
  if (!person) return no_match(ErrorCode::kEligibilityBirthDateMismatch);
  if (several)
    return Resolution{Validity::kSeveralMatch, std::nullopt, ErrorCode::kEligibilitySeveralMatch};

  // One person: pick the period in force, else the latest that started by the as-of date,
  // else the earliest one (not started yet).
  std::optional<std::size_t> in_force, latest_started, earliest_future;
  bool later_period_exists = false;
  for (std::size_t i = 0; i < all.size(); ++i) {
    const auto& c = all[i];
    if (c.branch != *person || c.birth_date != q.birth_date) continue;
    const bool started = c.acquired_on <= q.as_of;
    const bool lost = c.lost_on.valid() && c.lost_on <= q.as_of;
    if (started && !lost) {
      if (!in_force || all[*in_force].acquired_on < c.acquired_on) in_force = i;
    } else if (started) {
      if (!latest_started || all[*latest_started].acquired_on < c.acquired_on) latest_started = i;
    } else {
      later_period_exists = true;
      if (!earliest_future || c.acquired_on < all[*earliest_future].acquired_on)
        earliest_future = i;
    }
  }
  if (in_force) return Resolution{Validity::kValid, in_force, std::nullopt};
  if (latest_started) {
    const bool newer = all[*latest_started].newer_coverage_exists || later_period_exists;
    return newer ? Resolution{Validity::kInvalidNewerExists, latest_started,
                              ErrorCode::kEligibilityLostNewerExists}
                 : Resolution{Validity::kInvalid, latest_started, ErrorCode::kEligibilityLost};
  }
  return Resolution{Validity::kInvalid, earliest_future, ErrorCode::kEligibilityNotYetStarted};
}

ReasonText explain(const Resolution& r, const CoverageFacts* c) {
  ReasonText t;
  if (!r.reason) return t;
  const ErrorInfo& info = error_info(*r.reason);
  t.en = info.message_en;
  t.ja = info.message_ja;
  if (!c) return t;
  switch (*r.reason) {
    case ErrorCode::kEligibilityLost:
    case ErrorCode::kEligibilityLostNewerExists: {
      const std::string code(to_string(c->loss_reason));
      t.en = "Coverage lost on " + c->lost_on.iso() + " (" + (code.empty() ? "" : code + " ") +
             std::string(loss_reason_en(c->loss_reason)) + ")";
      t.ja = c->lost_on.iso() + " に資格喪失（" + (code.empty() ? "" : code + " ") +
             std::string(loss_reason_ja(c->loss_reason)) + "）";
      if (*r.reason == ErrorCode::kEligibilityLostNewerExists) {
        t.en += "; a newer coverage exists.";
        t.ja += "。新しい資格があります。";
      } else {
        t.en += ".";
        t.ja += "。";
      }
      break;
    }
    case ErrorCode::kEligibilityNotYetStarted:
      t.en = "Coverage starts on " + c->acquired_on.iso() + ", after the confirmation date.";
      t.ja = "資格取得日は " + c->acquired_on.iso() + " で、資格確認日より後です。";
      break;
    default:
      break;
  }
  return t;
}

}  // namespace onshi::core
