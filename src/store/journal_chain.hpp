#pragma once
// The check both backends make before Store::append_journal writes: the records continue the
// store's chain of their node link by link (seq and prev_hash; the hashes themselves are
// recomputed by onshi audit verify, not on every import).
#include <span>

#include "core/journal_record.hpp"

namespace onshi::store {

inline bool continues_chain(const core::JournalAnchor& head,
                            std::span<const core::JournalRecord> records) {
  std::int64_t seq = head.seq;
  std::string_view hash = head.seq == 0 ? core::kJournalGenesis : std::string_view(head.hash);
  for (const auto& r : records) {
    if (r.node_id != records.front().node_id || r.seq != seq + 1 || r.prev_hash != hash)
      return false;
    seq = r.seq;
    hash = r.hash;
  }
  return true;
}

}  // namespace onshi::store
