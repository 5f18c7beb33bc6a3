#include "core/access_record.hpp"

namespace onshi::core {

std::string_view to_string(ConfirmMethod method) {
  switch (method) {
    case ConfirmMethod::kMyNumberCard:
      return "my_number_card";
    case ConfirmMethod::kInsuranceCard:
      return "insurance_card";
    case ConfirmMethod::kBatch:
      return "batch";
  }
  return "";
}

}  // namespace onshi::core
