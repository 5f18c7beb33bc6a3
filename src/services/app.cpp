#include "services/app.hpp"

#include <malloc.h>

#include <sys/stat.h>

#include <array>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <exception>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <mutex>
#include <span>
#include <stdexcept>
#include <thread>
#include <utility>

#include "pki/hashing.hpp"
#include "store/open_store.hpp"

namespace onshi::services {

namespace {

namespace fs = std::filesystem;

// Names, addresses and the person-key secret must not be readable by other local users.
// onshi's own process creates nothing that others need to read, so the mask (set by App) is
// process-wide; files made by an older build are tightened too. A directory the user made is
// only warned about: it may be theirs for other things.
void make_private(const std::string& data_dir) {
  std::error_code ec;
  if (!fs::exists(data_dir)) {
    fs::create_directories(data_dir);
  } else {
    const auto perms = fs::status(data_dir, ec).permissions();
    if (!ec && (perms & (fs::perms::group_all | fs::perms::others_all)) != fs::perms::none)
      std::cerr << "onshi: warning: " << data_dir
                << " can be read by other users; it holds personal data (chmod 700 it)\n";
  }
  for (const char* f :
       {"onshi.db", "onshi.db-wal", "onshi.db-shm", "person-key.secret", "node-id", "access-spool"})
    if (fs::exists(data_dir + "/" + f, ec))
      fs::permissions(data_dir + "/" + f, fs::perms::owner_read | fs::perms::owner_write,
                      fs::perm_options::replace, ec);
}

// A stable name for this node, part of every confirmation id: given, or made once and kept in
// the data directory (two nodes must not share one data directory).
std::string node_id_of(const Where& where) {
  if (!where.node_id.empty()) {
    for (const char c : where.node_id)
      if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'))
        throw std::runtime_error("--node-id: use a-z, 0-9 and '-' only");
    if (where.node_id.size() > 16) throw std::runtime_error("--node-id: 16 characters at most");
    return where.node_id;
  }
  const std::string path = where.data_dir + "/node-id";
  {
    std::ifstream in(path);
    std::string id;
    if (in >> id && !id.empty()) return id;
  }
  const std::string id = "n" + pki::random_hex(4);
  std::ofstream(path) << id << '\n';
  return id;
}

// An access-spool left by a build before the journal holds records the store never got.
void warn_about_spool(const std::string& data_dir) {
  std::error_code ec;
  if (fs::file_size(data_dir + "/access-spool", ec) > 0 && !ec)
    std::cerr << "onshi: warning: " << data_dir
              << "/access-spool holds access records of an older onshi that never reached the "
                 "store; this build no longer reads it (keep it for the audit trail)\n";
}

}  // namespace

App::App(const Where& where, Mode mode, Clock clock, JournalSync journal_sync) : mode_(mode) {
  const std::string& data_dir = where.data_dir;
  // A PostgreSQL store is opened before the data directory is made, so that a wrong or
  // unreachable --store leaves nothing behind; the SQLite store lives in the directory.
  ::umask(077);
  if (!where.store_url.empty()) store_ = store::open_store(data_dir, where.store_url);
  make_private(data_dir);
  if (!store_) store_ = store::open_store(data_dir, where.store_url);
  const std::string secret = pki::load_or_create_secret(data_dir + "/person-key.secret");

  // The index may be built from a streaming replica, to spare the primary a full scan: the
  // replica at change seq S holds what the primary held at S, and the follower goes on from S
  // against the primary. The seq is read before the scan: a change committed meanwhile is
  // applied again by the follower, which is harmless; one read after would be lost.
  std::int64_t built_from_seq = 0;
  if (mode_ == Mode::kServing) {
    std::unique_ptr<store::Store> replica;
    if (!where.replica_url.empty()) replica = store::open_store(data_dir, where.replica_url);
    store::Store& from = replica ? *replica : *store_;
    built_from_seq = from.last_change_seq();
    index_build_seconds_ = fill_index(index_, from);
    if (replica)
      std::cerr << "onshi: index built from the replica up to change " << built_from_seq
                << "; following the primary from there\n";
  }

  auth_ = std::make_unique<Authenticator>(*store_);
  auto hook = [this] { after_commit(); };
  registry_ = std::make_unique<RegistryService>(*store_, secret, hook);
  reference_data_ = std::make_unique<ReferenceDataService>(*store_, hook);
  if (mode_ != Mode::kServing) return;
  node_id_ = node_id_of(where);
  // Node-local: an answer waits only for its record's append here, never for the store.
  JournalOptions journal;
  journal.dir = data_dir + "/journal";
  journal.node_id = node_id_;
  journal.sync = journal_sync;
  journal_ = std::make_unique<Journal>(*store_, journal);
  warn_about_spool(data_dir);
  eligibility_ =
      std::make_unique<EligibilityService>(index_, *journal_, metrics_, std::move(clock), node_id_);
  follower_ = std::make_unique<ChangeFollower>(*store_, index_, *auth_, built_from_seq,
                                               [this] { return rebuild_index(); });
  follower_->catch_up();
}

App::~App() = default;

namespace {

// Reads the store's coverages on a second thread while the calling thread builds the index from
// the batches already read: decoding the store's rows and encoding them into the index take
// about as long each (docs/benchmarks.md), so the build takes the longer of the two instead of
// their sum. Rows are copied into batches whose strings are reused, so that a row costs no
// allocation once the first batches are filled.
void scan_into(index::EligibilityIndex& index, store::Store& from) {
  constexpr std::size_t kBatchRows = 4096;
  struct Batch {
    std::vector<core::Coverage> rows = std::vector<core::Coverage>(kBatchRows);
    std::size_t size = 0;
  };
  struct Aborted {};  // unwinds the scan when the builder failed
  std::array<Batch, 3> batches;
  std::mutex mutex;
  std::condition_variable changed;
  std::deque<Batch*> empty, full;
  for (Batch& b : batches) empty.push_back(&b);
  bool scan_done = false, build_failed = false;
  std::exception_ptr scan_error;

  std::thread reader([&] {
    Batch* batch = nullptr;
    const auto take_empty = [&] {
      std::unique_lock lock(mutex);
      changed.wait(lock, [&] { return !empty.empty() || build_failed; });
      if (build_failed) throw Aborted{};
      batch = empty.front();
      empty.pop_front();
      batch->size = 0;
    };
    const auto hand_over = [&] {
      {
        std::lock_guard lock(mutex);
        full.push_back(batch);
      }
      changed.notify_all();
      batch = nullptr;
    };
    try {
      take_empty();
      from.for_each_coverage([&](const core::Coverage& c) {
        batch->rows[batch->size++] = c;
        if (batch->size == kBatchRows) {
          hand_over();
          take_empty();
        }
      });
      if (batch->size > 0) hand_over();
    } catch (const Aborted&) {
    } catch (...) {
      scan_error = std::current_exception();
    }
    {
      std::lock_guard lock(mutex);
      scan_done = true;
    }
    changed.notify_all();
  });

  try {
    for (;;) {
      Batch* batch = nullptr;
      {
        std::unique_lock lock(mutex);
        changed.wait(lock, [&] { return !full.empty() || scan_done; });
        if (full.empty()) break;
        batch = full.front();
        full.pop_front();
      }
      index.upsert(std::span<const core::Coverage>(batch->rows.data(), batch->size));
      {
        std::lock_guard lock(mutex);
        empty.push_back(batch);
      }
      changed.notify_all();
    }
  } catch (...) {
    {
      std::lock_guard lock(mutex);
      build_failed = true;
    }
    changed.notify_all();
    reader.join();
    throw;
  }
  reader.join();
  if (scan_error) std::rethrow_exception(scan_error);
}

}  // namespace

double App::fill_index(index::EligibilityIndex& index, store::Store& from) {
  const auto t0 = std::chrono::steady_clock::now();
  const auto insurers = from.insurers();
  index.upsert_insurers(insurers);
  scan_into(index, from);
  from.release_memory();
  malloc_trim(0);  // the build's temporaries go back to the system: serve is long-lived
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

// Called by the follower, under its apply lock: confirmations go on from the old index while
// the new one is built (memory holds both meanwhile), then see the new one at once.
std::int64_t App::rebuild_index() {
  const std::int64_t seq = store_->last_change_seq();
  index::EligibilityIndex fresh;
  fill_index(fresh, *store_);  // the follower logs how long it took
  index_.swap(fresh);
  auth_->reload();
  return seq;
}

void App::after_commit() {
  if (follower_) follower_->catch_up();
}

namespace {
[[noreturn]] void not_serving(const char* what) {
  throw std::logic_error(std::string("App: ") + what + " exists only on a serving node");
}
}  // namespace

index::EligibilityIndex& App::index() {
  if (mode_ != Mode::kServing) not_serving("the index");
  return index_;
}
EligibilityService& App::eligibility() {
  if (!eligibility_) not_serving("the eligibility service");
  return *eligibility_;
}
Journal& App::journal() {
  if (!journal_) not_serving("the access journal");
  return *journal_;
}
ChangeFollower& App::follower() {
  if (!follower_) not_serving("the change follower");
  return *follower_;
}

}  // namespace onshi::services
