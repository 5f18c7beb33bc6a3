#include "services/authenticator.hpp"

#include "pki/hashing.hpp"

namespace onshi::services {

namespace {
std::atomic<std::uint64_t> next_instance{1};
}  // namespace

Authenticator::Authenticator(store::Store& store)
    : store_(store), instance_(next_instance.fetch_add(1)) {
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
  generation_.fetch_add(1);
}

std::shared_ptr<const Principal> Authenticator::authenticate(std::string_view header) const {
  constexpr std::string_view kBearer = "Bearer ";
  if (header.size() <= kBearer.size() || header.substr(0, kBearer.size()) != kBearer)
    return nullptr;
  std::string_view token = header.substr(kBearer.size());
  while (!token.empty() && token.back() == ' ') token.remove_suffix(1);
  if (token.empty() || token.size() > 256) return nullptr;
  // A terminal sends the same token on every request: remember recent answers per thread so
  // the hot path hashes a token once, not per request. Any reload empties the cache. Looked up
  // by the header's bytes in place (no string made per request), and each thread holds its
  // own copy of the principal, so that handing it out touches no reference count that another
  // thread writes too.
  struct Hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  struct Cache {
    std::uint64_t owner = 0;  // instance id, not address: addresses are reused
    std::uint64_t generation = 0;
    std::unordered_map<std::string, std::shared_ptr<const Principal>, Hash, std::equal_to<>> known;
  };
  thread_local Cache cache;
  const std::uint64_t generation = generation_.load();
  if (cache.owner != instance_ || cache.generation != generation || cache.known.size() > 4096) {
    cache.owner = instance_;
    cache.generation = generation;
    cache.known.clear();
  }
  if (auto it = cache.known.find(token); it != cache.known.end()) return it->second;
  const std::string hash = pki::sha256_hex(token);
  std::shared_ptr<const Principal> found;
  {
    std::shared_lock lock(mutex_);
    auto it = by_token_hash_.find(hash);
    if (it != by_token_hash_.end()) found = it->second;
  }
  // Unknown tokens are not cached: a flood of made-up tokens must not evict real ones.
  if (!found) return nullptr;
  auto mine = std::make_shared<const Principal>(*found);
  cache.known.emplace(token, mine);
  return mine;
}

std::string Authenticator::issue(store::Role role, const std::vector<std::string>& subjects,
                                 const std::string& label, std::string token) {
  if (token.empty()) token = pki::random_hex(24);
  const std::string hash = pki::sha256_hex(token);
  store_.transact([&](store::Transaction& tx) {
    for (const auto& s : subjects) tx.add_credential(store::Credential{hash, role, s, label});
  });
  return token;
}

bool Authenticator::revoke(std::string_view token) {
  const std::string hash = pki::sha256_hex(token);
  bool revoked = false;
  store_.transact([&](store::Transaction& tx) { revoked = tx.revoke_credential(hash); });
  return revoked;
}

}  // namespace onshi::services
