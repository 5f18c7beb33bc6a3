#include "services/registry_service.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <thread>
#include <unordered_map>
#include <unordered_set>

#include "core/text_normalise.hpp"
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

// The coverages of one card key as this load sees them: the index's state plus what earlier
// rows of the same file changed.
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

LoadReceipt RegistryService::load(std::string_view content, ingest::RegistrationFormat format,
                                  const Principal* principal, const std::string& source) {
  LoadReceipt receipt;
  const bool trace = std::getenv("ONSHI_LOAD_TRACE") != nullptr;
  auto t = std::chrono::steady_clock::now();
  auto phase = [&](const char* name) {
    if (!trace) return;
    const auto now = std::chrono::steady_clock::now();
    std::fprintf(stderr, "load phase %-10s %.3f s\n", name,
                 std::chrono::duration<double>(now - t).count());
    t = now;
  };

  // 1. Read and validate each row on its own, streaming.
  RowValidator validator(*this, principal);
  receipt.file_error = ingest::read_registrations(content, format, validator);
  validator.flush();
  if (receipt.file_error) return receipt;  // nothing applies: the rows are dropped
  receipt.rows_total = validator.rows_seen;
  std::vector<ingest::RowError>& rejected = receipt.rejected;
  rejected = std::move(validator.rejected);
  std::vector<Pending>& pending = validator.pending;
  phase("validate");

  std::vector<std::string> hashes;
  hashes.reserve(pending.size());
  for (const auto& p : pending) hashes.push_back(p.hash);
  const std::vector<ingest::RowError> rejected_by_rows = std::move(rejected);

  // 2-4 run in one store transaction and may run again after a conflict, so each attempt
  // starts from the validated rows and keeps its results in variables it resets.
  store::LoadBatch batch;
  std::int64_t load_id = 0;
  auto work = [&](store::Transaction& tx) {
    rejected = rejected_by_rows;
    receipt.rows_applied = 0;
    receipt.rows_already_applied = 0;
    batch = store::LoadBatch{};
    batch.source = source;
    batch.actor = principal ? principal->label : "local";
    load_id = 0;

    // 2. Skip what an earlier load (or an earlier line of this file) already applied.
    const std::vector<bool> applied = tx.applied_events(hashes);
    phase("lookup");

    // 3. Apply in file order over the families the file touches, as the store holds them.
    std::unordered_map<std::string, bool> insurer_known;
    std::unordered_map<std::string, Family> families;
    std::unordered_set<std::string_view> seen_in_file;
    for (std::size_t i = 0; i < pending.size(); ++i) {
      const Pending& p = pending[i];
      const core::CoverageKey& key = p.event.values.key;
      auto [known, first_time] = insurer_known.try_emplace(key.insurer_number, false);
      if (first_time) known->second = tx.insurer_known(key.insurer_number);
      if (!known->second) {
        rejected.push_back({p.line, core::make_error(core::ErrorCode::kRowInsurerUnknown,
                                                     "insurer number " + key.insurer_number)});
        continue;
      }
      // A row counts as a re-send only if an identical row was applied, not merely seen.
      if (applied[i] || seen_in_file.count(p.hash)) {
        ++receipt.rows_already_applied;
        continue;
      }
      auto [it, inserted] = families.try_emplace(group_key(key));
      Family& family = it->second;
      if (inserted) {
        family.coverages = tx.coverages_under(key.insurer_number, core::match_key(key.symbol),
                                              core::match_key(key.number));
        family.dirty.assign(family.coverages.size(), false);
      }
      // docs/eligibility-rules.md R-A*, R-C*: a refused row leaves the family as it was.
      auto changed = core::apply_registration(family.coverages, p.event);
      if (!changed) {
        rejected.push_back({p.line, changed.error()});
        continue;
      }
      family.dirty.resize(family.coverages.size(), false);
      for (std::size_t c : *changed) family.dirty[c] = true;
      seen_in_file.insert(p.hash);
      batch.event_hashes.push_back(p.hash);
      ++receipt.rows_applied;
    }
    for (auto& [gk, family] : families)
      for (std::size_t c = 0; c < family.coverages.size(); ++c)
        if (family.dirty[c]) batch.upserts.push_back(std::move(family.coverages[c]));
    phase("apply");

    batch.rows_total = receipt.rows_total;
    batch.rows_rejected = static_cast<std::int64_t>(rejected.size());
    batch.rows_already_applied = receipt.rows_already_applied;
    // 4. Written with the transaction; nothing is visible to anyone before it commits.
    if (!batch.event_hashes.empty()) load_id = tx.write_load(batch);
  };
  store_.transact(work);
  phase("commit");
  std::sort(rejected.begin(), rejected.end(),
            [](const auto& a, const auto& b) { return a.line < b.line; });
  receipt.load_id = load_id;
  if (load_id != 0 && after_commit_) after_commit_();
  phase("index");
  return receipt;
}

}  // namespace onshi::services
