#pragma once
// A reader for the one JSON shape counter requests have: a single object whose members are
// scalars. It reads the body once, in place, into (key, kind, text) members -- no DOM, no
// allocation per member beyond the decoded text -- and refuses anything else as a whole
// (RFC 8259 syntax, strings valid UTF-8, nothing after the object). Nested values are
// recognised and skipped so that the adapter can name the field that holds one.
#include <string>
#include <string_view>
#include <vector>

namespace onshi::api {

struct FlatMember {
  enum class Kind { kString, kInteger, kNumber, kTrue, kFalse, kNull, kNested };
  std::string_view raw_key;  // into the body, when the key has no escapes
  std::string decoded_key;   // the key, when it has escapes (never empty then)
  Kind kind = Kind::kNull;
  std::string text;  // kString: the decoded text; kInteger/kNumber: the number as written
  std::string_view key() const { return decoded_key.empty() ? raw_key : decoded_key; }
};

// Reads `body` as one flat JSON object into `members` (in document order; a repeated key
// appears twice). False when the body is not one JSON object: nothing else is said about it,
// as a front desk cannot act on a syntax position.
bool read_flat_object(std::string_view body, std::vector<FlatMember>& members);

}  // namespace onshi::api
