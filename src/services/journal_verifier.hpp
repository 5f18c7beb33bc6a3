#pragma once
// `onshi audit verify`: checks every node's chain of access records (docs/journal.md) -- in
// the store, and in a data directory's journal files -- record by record: sequence numbers
// without gaps, each previous hash the hash of the record before, each hash recomputed from
// the record's content, and every anchor matching the record it names. Stops at the first
// broken record and names it.
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "store/store.hpp"

namespace onshi::services {

struct JournalBreak {
  std::string where;  // "store" or the segment file
  std::string node_id;
  std::int64_t seq = 0;  // the first record that does not hold (or the anchor's seq)
  std::string problem;   // English
};

struct JournalVerifyReport {
  std::int64_t records = 0;  // checked before the break, or all of them
  std::int64_t nodes = 0;
  std::int64_t anchors = 0;
  std::optional<JournalBreak> broken;
};

// Called now and then with the records checked so far.
using VerifyProgress = std::function<void(std::int64_t records)>;

JournalVerifyReport verify_store_journal(store::Store& store, const VerifyProgress& progress = {});
// `journal_dir` holds one folder per node (services/journal.hpp); a missing folder has nothing
// to check. A last record still being written (incomplete last line) is not counted.
JournalVerifyReport verify_journal_files(const std::string& journal_dir,
                                         const VerifyProgress& progress = {});

}  // namespace onshi::services
