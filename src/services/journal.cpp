#include "services/journal.hpp"

#include <fcntl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <map>
#include <stdexcept>
#include <tuple>

#include "services/japan_clock.hpp"
#include "services/journal_format.hpp"

namespace onshi::services {

namespace fs = std::filesystem;
namespace jf = journal_format;

namespace {

// At most this many records per store transaction: big enough that the import keeps up with
// any rate one node answers, small enough that a transaction stays short.
constexpr std::size_t kImportBatch = 10000;
// Read from the journal files this much at a time.
constexpr std::size_t kReadBlock = 4u << 20;

std::int64_t now_unix_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

[[noreturn]] void fail_errno(const std::string& what) {
  throw std::runtime_error("journal: " + what + ": " + std::strerror(errno));
}

std::string segment_name(std::int64_t first_seq) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%016lld.jnl", static_cast<long long>(first_seq));
  return buf;
}

// Counters are summed per (day, facility type, method, result) before they reach the store.
std::vector<core::DailyCount> counts_of(const std::vector<core::JournalRecord>& records) {
  std::map<std::tuple<std::int32_t, int, int, int>, std::int64_t> sums;
  for (const auto& r : records) {
    const std::int32_t day = japan_date_of(r.access.at_ms).yyyymmdd();
    ++sums[{day, static_cast<int>(r.facility_type), static_cast<int>(r.access.method),
            r.access.validity}];
  }
  std::vector<core::DailyCount> counts;
  counts.reserve(sums.size());
  for (const auto& [k, n] : sums)
    counts.push_back(
        core::DailyCount{std::get<0>(k), static_cast<core::FacilityType>(std::get<1>(k)),
                         static_cast<core::ConfirmMethod>(std::get<2>(k)), std::get<3>(k), n});
  return counts;
}

bool write_all(int fd, const std::string& data) {
  std::size_t done = 0;
  while (done < data.size()) {
    const ssize_t n = ::write(fd, data.data() + done, data.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    done += static_cast<std::size_t>(n);
  }
  return true;
}

// Up to `max` bytes of `fd` from `offset`.
std::string read_at(int fd, std::uint64_t offset, std::size_t max) {
  std::string out(max, '\0');
  std::size_t got = 0;
  while (got < max) {
    const ssize_t n = ::pread(fd, out.data() + got, max - got, static_cast<off_t>(offset + got));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) fail_errno("read");
    if (n == 0) break;
    got += static_cast<std::size_t>(n);
  }
  out.resize(got);
  return out;
}

void sync_dir(const std::string& dir) {
  const int d = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (d < 0) return;
  ::fsync(d);
  ::close(d);
}

}  // namespace

std::optional<JournalSync> parse_journal_sync(std::string_view text) {
  if (text == "none") return JournalSync::kNone;
  if (text == "fsync") return JournalSync::kFsync;
  return std::nullopt;
}

std::string_view to_string(JournalSync sync) {
  return sync == JournalSync::kFsync ? "fsync" : "none";
}

Journal::Journal(store::Store& store, JournalOptions options)
    : store_(store), options_(std::move(options)), head_hash_(core::kJournalGenesis) {
  std::optional<core::JournalAnchor> stored;
  try {
    stored = store_.journal_head(options_.node_id);
  } catch (const store::StoreError&) {
    // The store away at start: the importer learns its head once it is back.
  }
  if (options_.dir.empty()) {
    fd_ = ::open(fs::temp_directory_path().c_str(), O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
    if (fd_ < 0) fail_errno("unnamed temporary file");
    unnamed_fd_ = fd_;
    if (stored) {
      head_seq_ = stored->seq;
      if (stored->seq > 0) head_hash_ = stored->hash;
    }
    segments_.push_back({head_seq_ + 1, ""});
  } else {
    node_dir_ = options_.dir + "/" + options_.node_id;
    fs::create_directories(node_dir_);
    for (const auto& d : {options_.dir, node_dir_})
      fs::permissions(d, fs::perms::owner_all, fs::perm_options::replace);
    open_segments();
    recover_last_segment();
    if (stored && stored->seq > head_seq_) {
      // The store holds more of this chain than the files: they lost their tail (a power loss
      // with --journal-sync none after the import) or were removed. Go on from the store's head.
      std::cerr << "onshi: journal: the store holds node " << options_.node_id
                << "'s records up to " << stored->seq << ", the local journal up to " << head_seq_
                << "; continuing the chain from the store's head\n";
      if (fd_ >= 0) ::close(fd_);
      fd_ = -1;
      head_seq_ = stored->seq;
      head_hash_ = stored->hash;
    }
  }
  durable_seq_ = head_seq_;
  durable_bytes_ = segment_size_;
  imported_ = stored ? stored->seq : -1;
  if (stored) {
    imported_hash_ = stored->seq > 0 ? stored->hash : std::string(core::kJournalGenesis);
    try {
      // From the last anchor, not the head: a node killed before it anchored anchors at the
      // next clean stop.
      const auto anchors = store_.journal_anchors(options_.node_id);
      anchored_seq_ = anchors.empty() ? 0 : anchors.back().seq;
    } catch (const store::StoreError&) {
      anchored_seq_ = stored->seq;
    }
  }
  writer_ = std::thread([this] { run_writer(); });
  importer_ = std::thread([this] { run_importer(); });
}

Journal::~Journal() {
  {
    std::lock_guard lock(mutex_);
    stopping_writer_ = true;
  }
  wake_writer_.notify_all();
  writer_.join();
  {
    std::lock_guard lock(mutex_);
    stopping_importer_ = true;
  }
  wake_importer_.notify_all();
  importer_.join();
  if (fd_ >= 0) ::close(fd_);
}

void Journal::open_segments() {
  for (const auto& e : fs::directory_iterator(node_dir_)) {
    const std::string name = e.path().filename().string();
    if (name.size() != 20 || name.substr(16) != ".jnl") continue;
    std::int64_t first = 0;
    try {
      first = std::stoll(name.substr(0, 16));
    } catch (const std::exception&) {
      continue;
    }
    segments_.push_back({first, e.path().string()});
  }
  std::sort(segments_.begin(), segments_.end(),
            [](const Segment& a, const Segment& b) { return a.first_seq < b.first_seq; });
}

// Reads the last segment through, continues its chain, and cuts off a torn last record. An
// empty last segment (the process died between creating and first writing it) is removed.
void Journal::recover_last_segment() {
  while (!segments_.empty()) {
    const Segment seg = segments_.back();
    const int fd = ::open(seg.path.c_str(), O_RDWR | O_APPEND | O_CLOEXEC);
    if (fd < 0) fail_errno("open " + seg.path);
    struct stat st {};
    ::fstat(fd, &st);
    const std::string data = read_at(fd, 0, static_cast<std::size_t>(st.st_size));
    std::optional<jf::ChainCheck> chain;
    std::size_t good = 0;  // bytes of complete, chained records
    std::string problem;
    while (good < data.size()) {
      const auto nl = data.find('\n', good);
      if (nl == std::string::npos) {
        problem = "an incomplete last record";
        break;
      }
      const auto r = jf::parse_line(std::string_view(data).substr(good, nl - good));
      if (!r) {
        problem = "a malformed record";
        break;
      }
      if (!chain) chain.emplace(options_.node_id, r->seq - 1, r->prev_hash);
      if (const std::string p = chain->add(*r); !p.empty()) {
        problem = "record " + std::to_string(r->seq) + ": " + p;
        break;
      }
      good = nl + 1;
    }
    if (good < data.size()) {
      // A tear leaves only the tail of one write: if a whole record follows the bad bytes,
      // the file was damaged, not torn, and nothing may be cut.
      std::size_t at = data.find('\n', good);
      while (at != std::string::npos && at + 1 < data.size()) {
        const auto nl = data.find('\n', at + 1);
        if (nl == std::string::npos) break;
        if (jf::parse_line(std::string_view(data).substr(at + 1, nl - at - 1))) {
          ::close(fd);
          throw std::runtime_error("journal: " + seg.path + " is damaged at byte " +
                                   std::to_string(good) + " (" + problem +
                                   ") with records after it; run onshi audit verify");
        }
        at = nl;
      }
      if (::ftruncate(fd, static_cast<off_t>(good)) != 0) fail_errno("truncate " + seg.path);
      ::fdatasync(fd);
      std::cerr << "onshi: journal: cut " << data.size() - good << " bytes of a torn last record ("
                << problem << ") off " << seg.path << "; its answer was never sent\n";
    }
    if (!chain) {
      ::close(fd);
      fs::remove(seg.path);
      segments_.pop_back();
      continue;
    }
    fd_ = fd;
    segment_size_ = good;
    head_seq_ = chain->head_seq();
    head_hash_ = chain->head_hash();
    return;
  }
}

void Journal::start_segment(std::int64_t first_seq) {
  const std::string path = node_dir_ + "/" + segment_name(first_seq);
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_APPEND | O_CLOEXEC, 0600);
  if (fd < 0) fail_errno("create " + path);
  if (options_.sync == JournalSync::kFsync) sync_dir(node_dir_);
  if (fd_ >= 0) ::close(fd_);
  fd_ = fd;
  segment_size_ = 0;
  std::lock_guard lock(mutex_);
  segments_.push_back({first_seq, path});
  durable_bytes_ = 0;
}

void Journal::append(core::AccessRecord record, core::FacilityType type, Done done) {
  bool wake;
  {
    std::lock_guard lock(mutex_);
    queue_.push_back(Item{std::move(record), type, std::move(done)});
    ++appended_;
    wake = writer_idle_;
  }
  // Only a sleeping writer needs the (system-call) wake-up; a busy one takes the queue next.
  if (wake) wake_writer_.notify_one();
}

void Journal::flush() {
  std::unique_lock lock(mutex_);
  const std::uint64_t target = appended_;
  durable_cv_.wait(lock, [&] { return committed_ >= target || stopping_writer_; });
  const std::int64_t target_seq = durable_seq_;
  const std::uint64_t passes = import_passes_;
  ++flushes_asked_;
  // Two passes: the one running now may have started before these records were durable.
  wake_importer_.notify_one();
  imported_cv_.wait(lock, [&] {
    return imported_ >= target_seq || import_passes_ >= passes + 2 || stopping_importer_;
  });
}

std::uint64_t Journal::committed() const {
  std::lock_guard lock(mutex_);
  return committed_;
}

std::uint64_t Journal::failed_batches() const {
  std::lock_guard lock(mutex_);
  return failed_batches_;
}

std::int64_t Journal::head_seq() const {
  std::lock_guard lock(mutex_);
  return durable_seq_;
}

std::int64_t Journal::imported_seq() const {
  std::lock_guard lock(mutex_);
  return imported_;
}

void Journal::run_writer() {
  std::vector<Item> batch;
  for (;;) {
    {
      std::unique_lock lock(mutex_);
      writer_idle_ = true;
      wake_writer_.wait(lock, [&] { return stopping_writer_ || !queue_.empty(); });
      writer_idle_ = false;
      if (queue_.empty() && stopping_writer_) return;
      batch.swap(queue_);
    }
    write_batch(batch);
    batch.clear();
  }
}

void Journal::write_batch(std::vector<Item>& batch) {
  bool ok = true;
  std::int64_t seq = head_seq_;
  std::string prev = head_hash_;
  try {
    if (fd_ < 0 || (!node_dir_.empty() && segment_size_ >= options_.segment_bytes))
      start_segment(head_seq_ + 1);
    buffer_.clear();
    core::JournalRecord j;
    j.node_id = options_.node_id;
    for (auto& item : batch) {
      j.seq = ++seq;
      j.access = std::move(item.record);
      j.facility_type = item.facility_type;
      j.prev_hash = prev;
      jf::seal(j);
      jf::append_line(buffer_, j);
      prev = j.hash;
    }
    // One write(2) for the batch: once it returns, a kill -9 cannot lose it (the kernel has it).
    ok = write_all(fd_, buffer_);
    if (ok && options_.sync == JournalSync::kFsync) ok = ::fdatasync(fd_) == 0;
    if (!ok) {
      std::cerr << "onshi: journal: cannot write (" << std::strerror(errno)
                << "); answers with personal data are refused until it can\n";
      // Take back a partial write, so that the file ends with a whole record again.
      if (::ftruncate(fd_, static_cast<off_t>(segment_size_)) != 0 && !node_dir_.empty()) {
        ::close(fd_);
        fd_ = -1;  // the next batch starts a new segment
      }
    }
  } catch (const std::exception& e) {
    std::cerr << "onshi: " << e.what() << '\n';
    ok = false;
  }
  if (ok) {
    head_seq_ = seq;
    head_hash_ = prev;
    segment_size_ += buffer_.size();
  }
  bool batch_waits = false;
  {
    std::lock_guard lock(mutex_);
    if (ok) {
      durable_seq_ = head_seq_;
      durable_bytes_ = segment_size_;
    } else {
      ++failed_batches_;
    }
    batch_waits = import_batch_waits();
  }
  for (auto& item : batch)
    if (item.done) item.done(ok);
  {
    std::lock_guard lock(mutex_);
    committed_ += batch.size();
  }
  durable_cv_.notify_all();
  // A smaller backlog waits for the importer's next turn (JournalOptions::import_every).
  if (batch_waits) wake_importer_.notify_one();
}

bool Journal::import_batch_waits() const {
  return imported_ >= 0 && durable_seq_ - imported_ >= static_cast<std::int64_t>(kImportBatch);
}

void Journal::run_importer() {
  // Copying into the store can wait; the writer and the request threads cannot.
  ::setpriority(PRIO_PROCESS, static_cast<id_t>(::gettid()), 10);
  bool failed = false;
  std::unique_lock lock(mutex_);
  for (;;) {
    if (stopping_importer_) {
      lock.unlock();
      try {
        while (import_some()) {
        }
      } catch (const store::StoreError&) {
        // The store is away: the next start imports the rest.
      }
      maybe_anchor(true);
      lock.lock();
      ++import_passes_;
      imported_cv_.notify_all();
      return;
    }
    const auto due = [&] {
      return stopping_importer_ || flushes_asked_ != flushes_served_ || import_batch_waits();
    };
    if (failed)
      wake_importer_.wait_for(lock, options_.retry_every, [&] { return stopping_importer_; });
    else
      wake_importer_.wait_for(lock, options_.import_every, due);
    if (stopping_importer_) continue;
    const std::uint64_t serving = flushes_asked_;
    lock.unlock();
    const bool was_away = store_away_;
    const std::int64_t before = imported_seq();
    failed = false;
    try {
      while (import_some()) {
      }
      store_away_ = false;
      // No progress although records wait: the store refused them (diverged chain).
      std::lock_guard l(mutex_);
      failed = imported_ < durable_seq_;
    } catch (const store::StoreError&) {
      failed = true;  // the store is away: try again in a second
      store_away_ = true;
    }
    if (store_away_ && !was_away)
      std::cerr << "onshi: journal: the store does not take journal records; answers go on (the "
                   "journal holds them) and the import is tried again every "
                << options_.retry_every.count() << " ms\n";
    if (was_away && !store_away_)
      std::cerr << "onshi: journal: store reachable again; "
                << imported_seq() - std::max<std::int64_t>(before, 0)
                << " journal records imported\n";
    if (!failed) maybe_anchor(false);
    lock.lock();
    ++import_passes_;
    flushes_served_ = serving;
    imported_cv_.notify_all();
  }
}

// Finds where record imported_ + 1 is in the files.
bool Journal::locate_import_cursor() {
  std::vector<Segment> segs;
  {
    std::lock_guard lock(mutex_);
    segs = segments_;
  }
  const std::int64_t want = imported_ + 1;
  std::size_t idx = segs.size();
  for (std::size_t i = 0; i < segs.size(); ++i)
    if (segs[i].first_seq <= want) idx = i;
  if (idx == segs.size()) return false;
  cursor_segment_ = idx;
  cursor_offset_ = 0;
  if (segs[idx].first_seq == want) {
    cursor_valid_ = true;
    return true;
  }
  // Skip the records of this segment the store already holds.
  const int fd = segs[idx].path.empty() ? unnamed_fd_ : ::open(segs[idx].path.c_str(), O_RDONLY);
  if (fd < 0) return false;
  std::uint64_t offset = 0;
  for (;;) {
    const std::string data = read_at(fd, offset, kReadBlock);
    std::size_t pos = 0;
    bool found = false;
    while (pos < data.size()) {
      const auto nl = data.find('\n', pos);
      if (nl == std::string::npos) break;
      const auto r = jf::parse_line(std::string_view(data).substr(pos, nl - pos));
      if (!r || r->seq >= want) {
        found = true;
        break;
      }
      pos = nl + 1;
    }
    offset += pos;
    if (found || data.size() < kReadBlock || pos == 0) break;
  }
  if (!segs[idx].path.empty()) ::close(fd);
  cursor_offset_ = offset;
  cursor_valid_ = true;
  return true;
}

bool Journal::import_some() {
  if (imported_seq() < 0) {
    const auto head = store_.journal_head(options_.node_id);
    imported_hash_ = head.seq > 0 ? head.hash : std::string(core::kJournalGenesis);
    const auto anchors = store_.journal_anchors(options_.node_id);
    anchored_seq_ = anchors.empty() ? 0 : anchors.back().seq;
    std::lock_guard lock(mutex_);
    imported_ = head.seq;
    cursor_valid_ = false;
  }
  Segment seg;
  std::uint64_t limit = 0;
  bool last = false;
  std::int64_t durable = 0;
  {
    std::lock_guard lock(mutex_);
    durable = durable_seq_;
    if (imported_ >= durable) return false;
  }
  if (!cursor_valid_ && !locate_import_cursor()) {
    if (!diverged_logged_)
      std::cerr << "onshi: journal: records after " << imported_seq() << " of node "
                << options_.node_id << " are not in the local journal; not importing\n";
    diverged_logged_ = true;
    return false;
  }
  {
    std::lock_guard lock(mutex_);
    seg = segments_[cursor_segment_];
    last = cursor_segment_ + 1 == segments_.size();
    if (last) limit = durable_bytes_;
  }
  const int fd = seg.path.empty() ? unnamed_fd_ : ::open(seg.path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) fail_errno("open " + seg.path);
  if (!last) {
    struct stat st {};
    ::fstat(fd, &st);
    limit = static_cast<std::uint64_t>(st.st_size);
  }
  std::string data;
  if (cursor_offset_ < limit)
    data = read_at(
        fd, cursor_offset_,
        static_cast<std::size_t>(std::min<std::uint64_t>(kReadBlock, limit - cursor_offset_)));
  if (!seg.path.empty()) ::close(fd);
  if (data.empty()) {
    if (last) return false;
    ++cursor_segment_;  // this segment is through: the next one goes on
    cursor_offset_ = 0;
    return true;
  }
  std::vector<core::JournalRecord> records;
  jf::ChainCheck chain(options_.node_id, imported_seq(), imported_hash_);
  std::size_t pos = 0;
  while (pos < data.size() && records.size() < kImportBatch) {
    const auto nl = data.find('\n', pos);
    if (nl == std::string::npos) break;
    auto r = jf::parse_line(std::string_view(data).substr(pos, nl - pos));
    const std::string problem = r ? chain.add(*r) : std::string("malformed");
    if (!problem.empty()) {
      if (!diverged_logged_)
        std::cerr << "onshi: journal: " << (seg.path.empty() ? "the journal" : seg.path)
                  << " at byte " << cursor_offset_ + pos << ": " << problem
                  << "; not importing beyond it (run onshi audit verify)\n";
      diverged_logged_ = true;
      break;
    }
    records.push_back(std::move(*r));
    pos = nl + 1;
  }
  if (records.empty()) return false;
  if (!store_.append_journal(records, counts_of(records))) {
    // Not a continuation of the store's chain: someone imported (part of) them already, or
    // the chains differ. Learn the head again; if it did not move, the chains differ.
    const auto head = store_.journal_head(options_.node_id);
    if (head.seq == imported_seq()) {
      if (!diverged_logged_)
        std::cerr << "onshi: journal: node " << options_.node_id
                  << "'s local journal does not continue the store's chain at record " << head.seq
                  << "; not importing (run onshi audit verify)\n";
      diverged_logged_ = true;
      return false;
    }
    imported_hash_ = head.seq > 0 ? head.hash : std::string(core::kJournalGenesis);
    std::lock_guard lock(mutex_);
    imported_ = head.seq;
    cursor_valid_ = false;
    return true;
  }
  cursor_offset_ += pos;
  imported_hash_ = records.back().hash;
  diverged_logged_ = false;
  {
    std::lock_guard lock(mutex_);
    imported_ = records.back().seq;
  }
  maybe_anchor(false);
  return true;
}

void Journal::maybe_anchor(bool force) {
  const std::int64_t seq = imported_seq();
  if (seq <= anchored_seq_) return;
  const auto now = std::chrono::steady_clock::now();
  if (!force && seq - anchored_seq_ < options_.anchor_every_records &&
      now - anchored_at_ < options_.anchor_every)
    return;
  try {
    store_.add_journal_anchor({options_.node_id, seq, imported_hash_, now_unix_ms()});
    anchored_seq_ = seq;
    anchored_at_ = now;
  } catch (const store::StoreError&) {
    // Anchored with a later import.
  }
}

}  // namespace onshi::services
