#pragma once
// Insurers 保険者 and their kinds, with the national population split used by `onshi gen`.
#include <cstdint>
#include <string>
#include <string_view>

namespace onshi::core {

enum class InsurerKind : std::uint8_t {
  kKyokaiKenpo = 1,         // 協会けんぽ (法別 01)
  kHealthInsuranceSociety,  // 健康保険組合 (法別 06)
  kMutualAid,               // 共済組合 (法別 31-34)
  kMunicipalNhi,            // 市町村国保 (6 digits)
  kNhiSociety,              // 国保組合 (6 digits, 保険者別番号 3xx)
  kLateStageElderly,        // 後期高齢者医療広域連合 (法別 39)
};

struct Insurer {
  std::string number;  // canonical 6 or 8 digits
  std::string name;
  InsurerKind kind = InsurerKind::kKyokaiKenpo;
  int prefecture = 0;
};

std::string_view to_string(InsurerKind kind);  // "kyokai_kenpo", ...
bool insurer_kind_from_string(std::string_view text, InsurerKind& out);

}  // namespace onshi::core
