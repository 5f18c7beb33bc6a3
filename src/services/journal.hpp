#pragma once
// The access journal of one node (docs/journal.md): every confirmation's access record is
// appended to a node-local, hash-chained file before the answer may leave, and copied into the
// store in the background.
//
// Appends are group-committed off the request threads: one write(2) carries every record
// queued since the last batch (durable against a kill -9 of the process); with
// JournalSync::kFsync an fdatasync follows (durable against power loss). A caller that reveals
// personal data passes `on_durable` and answers only once it has run with true.
//
// An importer thread copies the journal into the store (Store::append_journal: idempotent, so a
// crash between its commit and its next step writes nothing twice) with the daily counters, and
// anchors the chain head in the store every `anchor_every_records` records or `anchor_every`,
// and at shutdown. When the store is away it waits and tries again every `retry_every`; answers
// never wait for the store.
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "core/access_record.hpp"
#include "core/journal_record.hpp"
#include "store/store.hpp"

namespace onshi::services {

enum class JournalSync : std::uint8_t {
  kNone = 1,   // write(2) only: survives a kill -9 of the process, not a power loss
  kFsync = 2,  // write(2) + fdatasync: survives a power loss too
};
std::optional<JournalSync> parse_journal_sync(std::string_view text);  // "none" / "fsync"
std::string_view to_string(JournalSync sync);

struct JournalOptions {
  // Segments go to `dir`/`node_id`/ (0700, files 0600). "" = one unnamed temporary file that
  // vanishes with the process (tests and the fuzzer: the same code path, nothing left behind).
  std::string dir;
  std::string node_id = "n0";
  JournalSync sync = JournalSync::kNone;
  std::int64_t anchor_every_records = 10000;
  std::chrono::milliseconds anchor_every{60000};
  std::chrono::milliseconds retry_every{1000};
  // The importer copies at most this often -- sooner when a whole import batch waits or a
  // flush() asks -- so that each store transaction carries many records: one transaction per
  // small write batch cost half the node's CPU in WAL pages (docs/benchmarks.md).
  std::chrono::milliseconds import_every{1000};
  std::uint64_t segment_bytes = 64ull << 20;  // a new segment once one is this long
};

class Journal {
 public:
  using Done = std::function<void(bool durable)>;
  // Opens the node's last segment (a torn last record -- the process died inside write() -- is
  // cut off: its answer was never sent) and continues its chain. Throws std::runtime_error when
  // a segment is damaged elsewhere than at its end.
  explicit Journal(store::Store& store, JournalOptions options = {});
  ~Journal();  // writes what is queued, imports what it can, anchors the head
  Journal(const Journal&) = delete;
  Journal& operator=(const Journal&) = delete;

  void append(core::AccessRecord record, core::FacilityType facility_type, Done on_durable = {});
  // Blocks until everything appended so far is durable in the journal and the importer has
  // tried once since to copy it into the store (it is there unless the store was away).
  void flush();
  std::uint64_t committed() const;  // records made durable since start
  std::uint64_t failed_batches() const;
  std::int64_t head_seq() const;      // the last durable record's seq
  std::int64_t imported_seq() const;  // the store's head, as the importer last saw it
  const std::string& node_dir() const { return node_dir_; }

 private:
  struct Item {
    core::AccessRecord record;
    core::FacilityType facility_type;
    Done done;
  };
  struct Segment {
    std::int64_t first_seq = 0;
    std::string path;  // "" for the unnamed file
  };

  void open_segments();
  void recover_last_segment();
  void start_segment(std::int64_t first_seq);
  void run_writer();
  void write_batch(std::vector<Item>& batch);
  void run_importer();
  bool import_some();               // true when it made progress
  bool import_batch_waits() const;  // under mutex_: a whole import batch is durable, not imported
  bool locate_import_cursor();
  void maybe_anchor(bool force);

  store::Store& store_;
  const JournalOptions options_;
  std::string node_dir_;
  int unnamed_fd_ = -1;  // set once, before the threads start: the importer reads it too

  // Writer thread only (and the constructor).
  int fd_ = -1;
  std::uint64_t segment_size_ = 0;
  std::int64_t head_seq_ = 0;
  std::string head_hash_;
  std::string buffer_;

  // Shared, under mutex_.
  mutable std::mutex mutex_;
  std::condition_variable wake_writer_, durable_cv_, wake_importer_, imported_cv_;
  std::vector<Item> queue_;
  std::vector<Segment> segments_;    // sorted by first_seq; the last is being written
  std::uint64_t durable_bytes_ = 0;  // of the last segment
  std::int64_t durable_seq_ = 0;
  std::int64_t imported_ = 0;  // store head seq; -1 until known
  std::uint64_t import_passes_ = 0;
  std::uint64_t flushes_asked_ = 0, flushes_served_ = 0;
  bool stopping_writer_ = false, stopping_importer_ = false, writer_idle_ = false;
  std::uint64_t appended_ = 0, committed_ = 0, failed_batches_ = 0;

  // Importer thread only.
  std::size_t cursor_segment_ = 0;
  std::uint64_t cursor_offset_ = 0;
  bool cursor_valid_ = false;
  std::string imported_hash_;
  std::int64_t anchored_seq_ = 0;
  std::chrono::steady_clock::time_point anchored_at_ = std::chrono::steady_clock::now();
  bool diverged_logged_ = false;
  bool store_away_ = false;

  std::thread writer_, importer_;
};

}  // namespace onshi::services
