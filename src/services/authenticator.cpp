#include "services/authenticator.hpp"

#include "pki/hashing.hpp"

namespace onshi::services {

Authenticator::Authenticator(store::Store& store) : store_(store) {
  reload();
}

void Authenticator::reload() {
  std::unordered_map<std::string, core::Facility> facilities;
  for (auto& f : store_.facilities()) facilities.emplace(f.code, std::move(f));
  std::unordered_map<std::string, std::shared_ptr<Principal>> built;
  for (const auto& c : store_.credentials()) {
    auto& p = built[c.token_sha256];
    if (!p) {
      p = std::make_shared<Principal>();
      p->role = c.role;
      p->label = c.label;
    }
    if (c.role == store::Role::kFacility) {
      auto it = facilities.find(c.subject);
      if (it != facilities.end()) p->facility = it->second;
    } else if (c.role == store::Role::kInsurer) {
      p->insurer_numbers.insert(c.subject);
    }
  }
  std::unordered_map<std::string, std::shared_ptr<const Principal>> table;
  for (auto& [hash, p] : built) {
    // A facility credential whose facility is not (or no longer) registered authenticates
    // nobody: an unknown facility is refused.
    if (p->role == store::Role::kFacility && !p->facility) continue;
    table.emplace(hash, std::move(p));
  }
  std::unique_lock lock(mutex_);
  by_token_hash_.swap(table);
}

std::shared_ptr<const Principal> Authenticator::authenticate(std::string_view header) const {
  constexpr std::string_view kBearer = "Bearer ";
  if (header.size() <= kBearer.size() || header.substr(0, kBearer.size()) != kBearer)
    return nullptr;
  std::string_view token = header.substr(kBearer.size());
  while (!token.empty() && token.back() == ' ') token.remove_suffix(1);
  if (token.empty() || token.size() > 256) return nullptr;
  const std::string hash = pki::sha256_hex(token);
  std::shared_lock lock(mutex_);
  auto it = by_token_hash_.find(hash);
  return it == by_token_hash_.end() ? nullptr : it->second;
}

std::string Authenticator::issue(store::Role role, const std::vector<std::string>& subjects,
                                 const std::string& label, std::string token) {
  if (token.empty()) token = pki::random_hex(24);
  const std::string hash = pki::sha256_hex(token);
  for (const auto& s : subjects) store_.add_credential(store::Credential{hash, role, s, label});
  reload();
  return token;
}

}  // namespace onshi::services
