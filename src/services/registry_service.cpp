#include "services/registry_service.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <stdexcept>
#include <thread>
#include <unordered_map>
#include <unordered_set>

#include "core/text_normalise.hpp"
#include "ingest/mapped_file.hpp"
#include "pki/hashing.hpp"

namespace onshi::services {
namespace {

using core::RegistrationEventKind;
using core::RegistrationField;

std::string group_key(const core::CoverageKey& k) {
  std::string g = k.insurer_number;
  g += '\x1f';
  g += core::match_key(k.symbol);
  g += '\x1f';
  g += core::match_key(k.number);
  return g;
}

// The coverages of one card key as this chunk sees them: the store's state (with what earlier
// chunks wrote) plus what earlier rows of the chunk changed.
struct Family {
  std::vector<core::Coverage> coverages;
  std::vector<bool> dirty;
};

// A validated row waiting to be applied, with its fingerprint.
struct Pending {
  std::size_t line;
  core::RegistrationEvent event;
  std::string hash;
};

}  // namespace

RegistryService::RegistryService(store::Store& store, std::string person_secret,
                                 std::function<void()> after_commit)
    : store_(store),
      person_secret_(std::move(person_secret)),
      after_commit_(std::move(after_commit)) {}

std::string RegistryService::person_key(std::string_view my_number) const {
  return pki::hmac_sha256_hex(person_secret_, my_number);
}

// Checks rows as they stream in, in batches validated on two threads (validation and the
// hashing it needs are most of a load's CPU time); keeps each row's outcome in file order.
class RegistryService::RowValidator : public ingest::RegistrationSink {
 public:
  RowValidator(const RegistryService& service, const Principal* principal)
      : service_(service), principal_(principal) {}
  void row(core::RegistrationRow&& row) override {
    batch_.push_back(std::move(row));
    if (batch_.size() == kBatch) flush();
  }
  void error(ingest::RowError&& error) override {
    flush();  // keep the file order between rows and errors
    rejected.push_back(std::move(error));
    ++rows_seen;
  }
  void flush() {
    if (batch_.empty()) return;
    std::vector<std::optional<Pending>> done(batch_.size());
    std::vector<std::optional<ingest::RowError>> failed(batch_.size());
    auto work = [&](std::size_t from, std::size_t to) {
      for (std::size_t i = from; i < to; ++i) check(batch_[i], done[i], failed[i]);
    };
    const std::size_t half = batch_.size() / 2;
    if (half < 64) {
      work(0, batch_.size());
    } else {
      std::thread other(work, half, batch_.size());
      work(0, half);
      other.join();
    }
    for (std::size_t i = 0; i < batch_.size(); ++i) {
      if (done[i])
        pending.push_back(std::move(*done[i]));
      else
        rejected.push_back(std::move(*failed[i]));
    }
    rows_seen += batch_.size();
    batch_.clear();
  }

  std::vector<Pending> pending;
  std::vector<ingest::RowError> rejected;
  std::int64_t rows_seen = 0;

 private:
  static constexpr std::size_t kBatch = 16384;
  // What a row says on its own; whether its insurer is registered is asked of the store inside
  // the load's transaction.
  void check(const core::RegistrationRow& row, std::optional<Pending>& ok,
             std::optional<ingest::RowError>& bad) const {
    auto ev = core::validate_registration(row);
    if (!ev) {
      bad = ingest::RowError{row.line, ev.error()};
      return;
    }
    const std::string& insurer = ev->values.key.insurer_number;
    if (principal_ && !principal_->insurer_numbers.count(insurer)) {
      bad = ingest::RowError{row.line, core::make_error(core::ErrorCode::kRowInsurerNotAllowed,
                                                        "insurer number " + insurer)};
      return;
    }
    core::RegistrationEvent event = std::move(ev).value();
    if (!event.my_number.empty()) {
      event.values.person_key = service_.person_key(event.my_number);
      event.my_number.assign(event.my_number.size(), '0');  // do not keep it around
      event.my_number.clear();
    }
    std::string hash = pki::sha256_hex(core::registration_fingerprint_text(event));
    ok = Pending{row.line, std::move(event), std::move(hash)};
  }

  const RegistryService& service_;
  const Principal* principal_;
  std::vector<core::RegistrationRow> batch_;
};

namespace {

// A request body or a test's string: already in memory, nothing to let go.
class InMemory final : public services::RegistryService::Content {
 public:
  explicit InMemory(std::string_view text) : text_(text) {}
  std::string_view open() override { return text_; }

 private:
  std::string_view text_;
};

// A file on disk, mapped afresh for every attempt.
class OnDisk final : public services::RegistryService::Content {
 public:
  explicit OnDisk(std::string path) : path_(std::move(path)) {}
  std::string_view open() override {
    file_.emplace(path_);
    return file_->content();
  }
  void release_before(std::size_t offset) override {
    if (file_) file_->release_before(offset);
  }
  void close() override { file_.reset(); }

 private:
  std::string path_;
  std::optional<ingest::MappedFile> file_;
};

// A file-level error ends the attempt by throwing, so that the store rolls back what earlier
// chunks wrote; load_from catches it outside the transaction.
struct FileRefused : std::runtime_error {
  explicit FileRefused(core::Error e) : std::runtime_error("file refused"), error(std::move(e)) {}
  core::Error error;
};

}  // namespace

// One attempt of a load, fed by the reader inside the transaction: collects validated rows and
// applies and writes them a chunk at a time.
class RegistryService::ChunkedLoad : public ingest::RegistrationSink {
 public:
  ChunkedLoad(const RegistryService& service, const Principal* principal, store::Transaction& tx,
              Content& content, std::size_t content_size, const std::string& source,
              const LoadProgressFn& progress)
      : service_(service),
        principal_(principal),
        tx_(tx),
        content_(content),
        content_size_(content_size),
        source_(source),
        progress_(progress),
        validator_(service, principal) {}

  void row(core::RegistrationRow&& row) override {
    validator_.row(std::move(row));
    ++rows_read_;
    if (++rows_in_chunk_ >= service_.rows_per_chunk_) apply_chunk();
  }
  void error(ingest::RowError&& error) override {
    validator_.error(std::move(error));
    ++rows_read_;
    if (++rows_in_chunk_ >= service_.rows_per_chunk_) apply_chunk();
  }
  void consumed(std::size_t bytes) override {
    consumed_ = bytes;
    // A few hundred rows between reports: cheap, and still many reports a second.
    if (progress_ && (++since_report_ == 256 || bytes == content_size_)) {
      since_report_ = 0;
      progress_({bytes, content_size_, rows_read_});
    }
  }

  // After the reader returned without a file error.
  void finish(LoadReceipt& receipt) {
    apply_chunk();
    receipt.rows_total = validator_.rows_seen;
    receipt.rows_applied = rows_applied_;
    receipt.rows_already_applied = rows_already_applied_;
    receipt.rejected = std::move(rejected_);
    std::sort(receipt.rejected.begin(), receipt.rejected.end(),
              [](const auto& a, const auto& b) { return a.line < b.line; });
    if (load_id_ != 0)
      tx_.finish_load(load_id_,
                      {receipt.rows_total, static_cast<std::int64_t>(receipt.rejected.size()),
                       receipt.rows_already_applied});
    receipt.load_id = load_id_;
  }

  // Seconds spent per phase, summed over the chunks (ONSHI_LOAD_TRACE).
  double t_validate = 0, t_lookup = 0, t_apply = 0, t_write = 0;

 private:
  void apply_chunk() {
    using Clock = std::chrono::steady_clock;
    auto t = Clock::now();
    auto lap = [&](double& into) {
      const auto now = Clock::now();
      into += std::chrono::duration<double>(now - t).count();
      t = now;
    };
    validator_.flush();
    rows_in_chunk_ = 0;
    for (auto& r : validator_.rejected) rejected_.push_back(std::move(r));
    validator_.rejected.clear();
    std::vector<Pending> pending = std::move(validator_.pending);
    validator_.pending.clear();
    lap(t_validate);
    if (pending.empty()) return release();

    // Skip what an earlier load, or an earlier chunk of this file (written already, and the
    // transaction sees its own writes), applied.
    std::vector<std::string> hashes;
    hashes.reserve(pending.size());
    for (const auto& p : pending) hashes.push_back(p.hash);
    const std::vector<bool> applied = tx_.applied_events(hashes);
    hashes.clear();
    lap(t_lookup);

    // Apply in file order over the families the chunk touches, as the store holds them now
    // (with what earlier chunks wrote, under the ids they were given).
    std::unordered_map<std::string, Family> families;
    std::unordered_set<std::string_view> seen_in_chunk;
    {
      // The families of every row that may apply, read from the store in one batch: one round
      // trip per page of card keys on PostgreSQL instead of one per key. A family read for a
      // row refused later is left unchanged, so nothing of it is written.
      std::vector<store::CardKey> keys;
      std::vector<Family*> into;
      for (std::size_t i = 0; i < pending.size(); ++i) {
        const core::CoverageKey& key = pending[i].event.values.key;
        if (applied[i]) continue;
        auto [known, first_time] = insurer_known_.try_emplace(key.insurer_number, false);
        if (first_time) known->second = tx_.insurer_known(key.insurer_number);
        if (!known->second) continue;
        auto [it, inserted] = families.try_emplace(group_key(key));
        if (!inserted) continue;
        keys.push_back(
            {key.insurer_number, core::match_key(key.symbol), core::match_key(key.number)});
        into.push_back(&it->second);
      }
      auto found = tx_.coverages_under_each(keys);
      for (std::size_t k = 0; k < into.size(); ++k) {
        into[k]->coverages = std::move(found[k]);
        into[k]->dirty.assign(into[k]->coverages.size(), false);
      }
    }
    lap(t_lookup);
    for (std::size_t i = 0; i < pending.size(); ++i) {
      const Pending& p = pending[i];
      const core::CoverageKey& key = p.event.values.key;
      auto [known, first_time] = insurer_known_.try_emplace(key.insurer_number, false);
      if (first_time) known->second = tx_.insurer_known(key.insurer_number);
      if (!known->second) {
        rejected_.push_back({p.line, core::make_error(core::ErrorCode::kRowInsurerUnknown,
                                                      "insurer number " + key.insurer_number)});
        continue;
      }
      // A row counts as a re-send only if an identical row was applied, not merely seen.
      if (applied[i] || seen_in_chunk.count(p.hash)) {
        ++rows_already_applied_;
        continue;
      }
      auto [it, inserted] = families.try_emplace(group_key(key));
      Family& family = it->second;
      if (inserted) {
        family.coverages = tx_.coverages_under(key.insurer_number, core::match_key(key.symbol),
                                               core::match_key(key.number));
        family.dirty.assign(family.coverages.size(), false);
      }
      // docs/eligibility-rules.md R-A*, R-C*: a refused row leaves the family as it was.
      auto changed = core::apply_registration(family.coverages, p.event);
      if (!changed) {
        rejected_.push_back({p.line, changed.error()});
        continue;
      }
      family.dirty.resize(family.coverages.size(), false);
      for (std::size_t c : *changed) family.dirty[c] = true;
      seen_in_chunk.insert(p.hash);
      hashes.push_back(p.hash);
      ++rows_applied_;
    }
    std::vector<core::Coverage> upserts;
    for (auto& [gk, family] : families)
      for (std::size_t c = 0; c < family.coverages.size(); ++c)
        if (family.dirty[c]) upserts.push_back(std::move(family.coverages[c]));
    seen_in_chunk.clear();  // views into `pending`
    lap(t_apply);

    // Every upsert comes from an applied row, so no hashes means nothing to write. The load's
    // row (and its change-log entry) is made by the first chunk that writes: a file that
    // changes nothing leaves no load behind.
    if (!hashes.empty()) {
      if (load_id_ == 0)
        load_id_ = tx_.begin_load(source_, principal_ ? principal_->label : "local");
      tx_.write_coverages(load_id_, upserts);
      tx_.write_event_hashes(load_id_, hashes);
    }
    lap(t_write);
    release();
  }

  void release() { content_.release_before(consumed_); }

  const RegistryService& service_;
  const Principal* principal_;
  store::Transaction& tx_;
  Content& content_;
  const std::size_t content_size_;
  const std::string& source_;
  const LoadProgressFn& progress_;
  RowValidator validator_;
  std::size_t rows_in_chunk_ = 0;
  std::int64_t rows_read_ = 0;
  std::size_t consumed_ = 0;
  int since_report_ = 0;
  std::unordered_map<std::string, bool> insurer_known_;
  std::vector<ingest::RowError> rejected_;
  std::int64_t rows_applied_ = 0;
  std::int64_t rows_already_applied_ = 0;
  std::int64_t load_id_ = 0;
};

LoadReceipt RegistryService::load(std::string_view content, ingest::RegistrationFormat format,
                                  const Principal* principal, const std::string& source,
                                  const LoadProgressFn& progress) {
  InMemory in_memory(content);
  return load_from(in_memory, format, principal, source, progress);
}

LoadReceipt RegistryService::load_file(const std::string& path, ingest::RegistrationFormat format,
                                       const Principal* principal, const std::string& source,
                                       const LoadProgressFn& progress) {
  OnDisk on_disk(path);
  return load_from(on_disk, format, principal, source, progress);
}

LoadReceipt RegistryService::load_from(Content& content, ingest::RegistrationFormat format,
                                       const Principal* principal, const std::string& source,
                                       const LoadProgressFn& progress) {
  const bool trace = std::getenv("ONSHI_LOAD_TRACE") != nullptr;
  const auto started = std::chrono::steady_clock::now();
  LoadReceipt receipt;
  std::optional<core::Error> file_error;
  double t_validate = 0, t_lookup = 0, t_apply = 0, t_write = 0;
  // Store::transact may run the work again after a conflict: each attempt reads the file from
  // its start into a fresh ChunkedLoad and a fresh receipt.
  auto work = [&](store::Transaction& tx) {
    receipt = LoadReceipt{};
    file_error.reset();
    const std::string_view text = content.open();
    ChunkedLoad chunks(*this, principal, tx, content, text.size(), source, progress);
    const std::optional<core::Error> refused = ingest::read_registrations(text, format, chunks);
    if (refused) {
      content.close();
      throw FileRefused{*refused};
    }
    chunks.finish(receipt);
    content.close();
    t_validate = chunks.t_validate;
    t_lookup = chunks.t_lookup;
    t_apply = chunks.t_apply;
    t_write = chunks.t_write;
  };
  try {
    store_.transact(work);
  } catch (const FileRefused& refused) {
    // Rolled back: nothing of the file applies, as if it had been refused before any row.
    LoadReceipt none;
    none.file_error = refused.error;
    return none;
  }
  const auto committed = std::chrono::steady_clock::now();
  if (receipt.load_id != 0 && after_commit_) after_commit_();
  if (trace) {
    const auto done = std::chrono::steady_clock::now();
    const double total = std::chrono::duration<double>(committed - started).count();
    std::fprintf(stderr,
                 "load phases: validate %.3f s, lookup %.3f s, apply %.3f s, write %.3f s, "
                 "read+commit %.3f s, index %.3f s\n",
                 t_validate, t_lookup, t_apply, t_write,
                 total - t_validate - t_lookup - t_apply - t_write,
                 std::chrono::duration<double>(done - committed).count());
  }
  return receipt;
}

}  // namespace onshi::services
