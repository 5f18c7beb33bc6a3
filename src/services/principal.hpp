#pragma once
// Who is calling: a facility terminal, an insurer, or the operator, as proven by a credential.
#include <optional>
#include <set>
#include <string>

#include "core/facility.hpp"
#include "store/store.hpp"

namespace onshi::services {

struct Principal {
  store::Role role = store::Role::kFacility;
  std::string label;                       // credential label, recorded as the actor
  std::optional<core::Facility> facility;  // for facility credentials
  std::set<std::string> insurer_numbers;   // for insurer credentials: where it may register
};

}  // namespace onshi::services
