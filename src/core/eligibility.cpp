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

namespace {

// Ties between periods are broken by the lowest branch, so that the answer never depends on
// the order the index happens to hold them in.
bool lower_branch(const CoverageFacts& a, const CoverageFacts& b) {
  return a.branch < b.branch;
}

}  // namespace

Resolution resolve_eligibility(const EligibilityQuery& q, std::span<const CoverageFacts> all,
                               bool insurer_known) {
  if (!insurer_known) return no_match(ErrorCode::kEligibilityInsurerUnknown);    // R-Q1
  if (all.empty()) return no_match(ErrorCode::kEligibilityNoCoverageForNumber);  // R-Q1
  // Families are small (a handful of members, a few periods each): linear scans are fastest.
  std::vector<std::size_t> matched;
  bool branch_seen = !q.branch.has_value();
  for (std::size_t i = 0; i < all.size(); ++i) {
    if (q.branch && all[i].branch != *q.branch) continue;  // R-Q2
    branch_seen = true;
    if (all[i].birth_date == q.birth_date) matched.push_back(i);  // R-Q3
  }
  if (!branch_seen) return no_match(ErrorCode::kEligibilityBranchNotFound);
  if (matched.empty()) return no_match(ErrorCode::kEligibilityBirthDateMismatch);

  // R-Q4: one person = one branch, or one My Number link; grouping is transitive.
  std::vector<std::size_t> group(matched.size());
  for (std::size_t a = 0; a < matched.size(); ++a) group[a] = a;
  auto root = [&](std::size_t a) {
    while (group[a] != a) a = group[a];
    return a;
  };
  for (std::size_t a = 0; a < matched.size(); ++a)
    for (std::size_t b = a + 1; b < matched.size(); ++b) {
      const CoverageFacts& x = all[matched[a]];
      const CoverageFacts& y = all[matched[b]];
      if (x.branch == y.branch || (!x.person_key.empty() && x.person_key == y.person_key))
        group[root(b)] = root(a);
    }
  for (std::size_t a = 1; a < matched.size(); ++a)
    if (root(a) != root(0))
      return Resolution{Validity::kSeveralMatch, std::nullopt, ErrorCode::kEligibilitySeveralMatch};

  // R-Q5..R-Q7: the period in force, else the last one lost, else the first one to come.
  std::optional<std::size_t> in_force, lost, future;
  for (std::size_t i : matched) {
    const CoverageFacts& c = all[i];
    if (c.in_force_on(q.as_of)) {
      if (!in_force || all[*in_force].acquired_on < c.acquired_on ||
          (all[*in_force].acquired_on == c.acquired_on && lower_branch(c, all[*in_force])))
        in_force = i;
    } else if (c.acquired_on <= q.as_of) {
      const CoverageFacts* best = lost ? &all[*lost] : nullptr;
      if (!best || best->lost_on < c.lost_on ||
          (best->lost_on == c.lost_on &&
           (best->acquired_on < c.acquired_on ||
            (best->acquired_on == c.acquired_on && lower_branch(c, *best)))))
        lost = i;
    } else {
      const CoverageFacts* best = future ? &all[*future] : nullptr;
      if (!best || c.acquired_on < best->acquired_on ||
          (c.acquired_on == best->acquired_on && lower_branch(c, *best)))
        future = i;
    }
  }
  if (in_force) return Resolution{Validity::kValid, in_force, std::nullopt};
  if (lost)
    return all[*lost].linked_in_force
               ? Resolution{Validity::kInvalidNewerExists, lost,
                            ErrorCode::kEligibilityLostNewerExists}
               : Resolution{Validity::kInvalid, lost, ErrorCode::kEligibilityLost};
  return Resolution{Validity::kInvalid, future, ErrorCode::kEligibilityNotYetStarted};
}

std::optional<std::size_t> insured_person_of(std::span<const CoverageFacts> all, Date as_of) {
  std::optional<std::size_t> best;
  for (std::size_t i = 0; i < all.size(); ++i) {
    const CoverageFacts& c = all[i];
    if (c.relationship != Relationship::kInsured) continue;
    if (!best) {
      best = i;
      continue;
    }
    const CoverageFacts& b = all[*best];
    const bool c_now = c.in_force_on(as_of), b_now = b.in_force_on(as_of);
    if (c_now != b_now) {
      if (c_now) best = i;
    } else if (b.acquired_on < c.acquired_on ||
               (b.acquired_on == c.acquired_on && lower_branch(c, b))) {
      best = i;
    }
  }
  return best;
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
