#pragma once
// One-way hashes with OpenSSL: SHA-256 for API tokens and registration fingerprints, and the
// keyed hash (HMAC-SHA256) that stands in for a My Number so the number is never stored.
#include <string>
#include <string_view>

namespace onshi::pki {

std::string sha256_hex(std::string_view data);
// As sha256_hex, into `out` (its buffer reused: no allocation in a loop over millions).
void sha256_hex_into(std::string_view data, std::string& out);
std::string hmac_sha256_hex(std::string_view key, std::string_view data);
// Cryptographically random bytes, hex-encoded (2 * bytes characters).
std::string random_hex(std::size_t bytes);

// The secret key of the My Number keyed hash, kept in `path` (created with mode 0600 on first
// use). Losing it unlinks every person key, so it belongs in the backups.
std::string load_or_create_secret(const std::string& path);

}  // namespace onshi::pki
