#pragma once
// One record of the access journal (アクセス記録の改ざん検知): an access record, numbered in its
// node's chain and sealed with the SHA-256 of its own bytes, which carry the previous record's
// hash. docs/journal.md describes the format; services/journal_format.hpp encodes and hashes.
#include <cstdint>
#include <string>
#include <string_view>

#include "core/access_record.hpp"
#include "core/facility.hpp"

namespace onshi::core {

// What the first record of every node's chain names as its previous hash.
inline constexpr std::string_view kJournalGenesis =
    "0000000000000000000000000000000000000000000000000000000000000000";

struct JournalRecord {
  std::string node_id;
  std::int64_t seq = 0;  // 1, 2, 3, ... per node, no gaps
  AccessRecord access;
  // Not personal data; kept so that the daily counters can be rebuilt from the journal alone.
  FacilityType facility_type = FacilityType::kHospital;
  std::string prev_hash;  // lowercase hex SHA-256; kJournalGenesis for seq 1
  std::string hash;       // lowercase hex SHA-256 of this record's body
};

// A chain head written into the store at intervals: a later rewrite or truncation of the
// chain up to `seq` no longer matches it.
struct JournalAnchor {
  std::string node_id;
  std::int64_t seq = 0;
  std::string hash;
  std::int64_t at_ms = 0;
};

}  // namespace onshi::core
