#include "core/coverage.hpp"

namespace onshi::core {

std::string_view to_string(LossReason reason) {
  switch (reason) {
    case LossReason::kDeath:
      return "01";
    case LossReason::kPublicAssistance:
      return "02";
    case LossReason::kOtherInsurance:
      return "03";
    case LossReason::kOther:
      return "99";
    case LossReason::kNone:
      break;
  }
  return "";
}

bool loss_reason_from_code(std::string_view code, LossReason& out) {
  if (code == "01" || code == "1")
    out = LossReason::kDeath;
  else if (code == "02" || code == "2")
    out = LossReason::kPublicAssistance;
  else if (code == "03" || code == "3")
    out = LossReason::kOtherInsurance;
  else if (code == "99")
    out = LossReason::kOther;
  else
    return false;
  return true;
}

bool is_valid_self_pay_limit_category(std::string_view c) {
  if (c.size() != 3 || (c[0] != 'A' && c[0] != 'B') || c[1] < '0' || c[1] > '1' || c[2] < '0' ||
      c[2] > '9')
    return false;
  const int n = (c[1] - '0') * 10 + (c[2] - '0');
  return c[0] == 'A' ? (n >= 1 && n <= 6) : (n >= 1 && n <= 10);
}

}  // namespace onshi::core
