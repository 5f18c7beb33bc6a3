#include "core/insurer.hpp"

#include <array>
#include <utility>

namespace onshi::core {
namespace {
constexpr std::array<std::pair<InsurerKind, std::string_view>, 6> kNames{{
    {InsurerKind::kKyokaiKenpo, "kyokai_kenpo"},
    {InsurerKind::kHealthInsuranceSociety, "health_insurance_society"},
    {InsurerKind::kMutualAid, "mutual_aid"},
    {InsurerKind::kMunicipalNhi, "municipal_nhi"},
    {InsurerKind::kNhiSociety, "nhi_society"},
    {InsurerKind::kLateStageElderly, "late_stage_elderly"},
}};
}  // namespace

std::string_view to_string(InsurerKind kind) {
  for (const auto& [k, name] : kNames)
    if (k == kind) return name;
  return "";
}

bool insurer_kind_from_string(std::string_view text, InsurerKind& out) {
  for (const auto& [k, name] : kNames)
    if (name == text) {
      out = k;
      return true;
    }
  return false;
}

}  // namespace onshi::core
