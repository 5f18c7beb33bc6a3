#pragma once
// Maps API bearer tokens to principals. Tokens are kept only as SHA-256; the table is loaded
// from the store at start and reloaded whenever the change log says credentials or facilities
// changed (services/change_follower.hpp), in this process or any other.
#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "services/principal.hpp"
#include "store/store.hpp"

namespace onshi::services {

class Authenticator {
 public:
  explicit Authenticator(store::Store& store);
  void reload();
  // The principal for an "Authorization" header value ("Bearer <token>"), or null.
  std::shared_ptr<const Principal> authenticate(std::string_view authorization_header) const;
  // Issues a new credential and returns its token (shown once, never stored in the clear).
  // `token` may be given (demo data wants a known token); otherwise a random one is made.
  // All subjects are written in one transaction. The table here is not reloaded: the change
  // log does that on a serving node.
  std::string issue(store::Role role, const std::vector<std::string>& subjects,
                    const std::string& label, std::string token = {});
  // Removes the credential with this token; false when there was none.
  bool revoke(std::string_view token);

 private:
  store::Store& store_;
  const std::uint64_t instance_;
  mutable std::shared_mutex mutex_;
  std::atomic<std::uint64_t> generation_{0};  // bumped by reload(): invalidates thread caches
  std::unordered_map<std::string, std::shared_ptr<const Principal>> by_token_hash_;
};

}  // namespace onshi::services
