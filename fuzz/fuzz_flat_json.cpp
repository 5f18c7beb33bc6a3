// The flat JSON reader of counter requests (src/api/flat_json.hpp) against nlohmann::json as
// the reference: whatever the bytes, both accept or both refuse a flat object, and when they
// accept, every string member reads the same.
#include <cstdint>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <string_view>

#include "api/flat_json.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  std::vector<onshi::api::FlatMember> members;
  const bool flat = onshi::api::read_flat_object(body, members);
  const auto ref = nlohmann::json::parse(body, nullptr, false);
  const bool ref_object = !ref.is_discarded() && ref.is_object();
  // The reference also takes nesting beyond our depth bound; everything else must agree.
  if (flat && !ref_object) std::abort();
  if (!flat) return 0;
  for (const auto& m : members) {
    if (m.kind != onshi::api::FlatMember::Kind::kString) continue;
    const auto it = ref.find(std::string(m.key()));
    if (it == ref.end() || !it->is_string()) std::abort();
    // A repeated key: the reference keeps the last; compare only the last occurrence.
    bool last = true;
    for (const auto& other : members)
      if (&other > &m && other.key() == m.key()) last = false;
    if (last && it->get<std::string>() != m.text) std::abort();
  }
  return 0;
}
