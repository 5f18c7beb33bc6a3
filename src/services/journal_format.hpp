#pragma once
// The bytes of a journal record, one definition for the node-local journal files, the store's
// verification and the fuzz target (docs/journal.md):
//
//   node \t seq \t at_ms \t facility_code \t facility_type \t actor \t method \t coverage_id
//   \t validity \t request_id \t prev_hash \t hash \n
//
// Integers in plain decimal, text fields percent-encoded (%09 %0A %0D %25 only). The record's
// hash is the SHA-256 (lowercase hex) of everything before the hash field, tab included; the
// next record's prev_hash is that hash. A line is accepted only in this one spelling, so the
// fields re-encoded give back the very bytes that were hashed.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/journal_record.hpp"

namespace onshi::services::journal_format {

// Appends what the hash covers (every field but the hash, and the tab before it).
void append_body(std::string& out, const core::JournalRecord& r);
// Appends the whole line, newline included; `r.hash` must be set (seal).
void append_line(std::string& out, const core::JournalRecord& r);
// Sets r.hash from the other fields.
void seal(core::JournalRecord& r);
// One line without its newline; nullopt unless it is a record in the canonical spelling. The
// hash is not checked here (ChainCheck does).
std::optional<core::JournalRecord> parse_line(std::string_view line);

// Follows one node's chain record by record: each must come next in sequence, name the
// previous record's hash, and hash to its own hash field.
class ChainCheck {
 public:
  explicit ChainCheck(std::string node_id, std::int64_t head_seq = 0,
                      std::string head_hash = std::string(core::kJournalGenesis));
  // "" when `r` continues the chain (it becomes the head); otherwise what is wrong with it,
  // in English, and the head stays.
  std::string add(const core::JournalRecord& r);
  std::int64_t head_seq() const { return head_seq_; }
  const std::string& head_hash() const { return head_hash_; }

 private:
  std::string node_id_;
  std::int64_t head_seq_;
  std::string head_hash_;
  std::string body_, digest_;  // reused buffers
};

}  // namespace onshi::services::journal_format
