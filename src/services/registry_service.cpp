#include "services/registry_service.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
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

// The coverage an event targets within a family, or -1.
int find_target(const Family& f, const core::RegistrationEvent& ev) {
  int best = -1;
  const core::Coverage& v = ev.values;
  for (int i = 0; i < static_cast<int>(f.coverages.size()); ++i) {
    const core::Coverage& c = f.coverages[i];
    if (c.key.branch != v.key.branch) continue;
    if (ev.kind == RegistrationEventKind::kAcquire || ev.has(RegistrationField::kAcquiredOn)) {
      if (c.acquired_on == v.acquired_on) return i;
      continue;
    }
    // change/lose without a date: the latest period of this card key.
    if (best < 0 || f.coverages[best].acquired_on < c.acquired_on) best = i;
  }
  return best;
}

}  // namespace

RegistryService::RegistryService(store::Store& store, index::EligibilityIndex& index,
                                 std::string person_secret)
    : store_(store), index_(index), person_secret_(std::move(person_secret)) {}

std::string RegistryService::person_key(std::string_view my_number) const {
  return pki::hmac_sha256_hex(person_secret_, my_number);
}

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
  ingest::ParsedRegistrations parsed = ingest::parse_registrations(content, format);
  phase("parse");
  if (parsed.file_error) {
    receipt.file_error = parsed.file_error;
    return receipt;
  }
  receipt.rows_total = static_cast<std::int64_t>(parsed.rows.size() + parsed.errors.size());
  std::vector<ingest::RowError>& rejected = receipt.rejected;
  rejected = std::move(parsed.errors);

  // 1. Validate each row on its own.
  struct Pending {
    std::size_t line;
    core::RegistrationEvent event;
    std::string hash;
  };
  std::vector<Pending> pending;
  pending.reserve(parsed.rows.size());
  for (const auto& row : parsed.rows) {
    auto ev = core::validate_registration(row);
    if (!ev) {
      rejected.push_back({row.line, ev.error()});
      continue;
    }
    const std::string& insurer = ev->values.key.insurer_number;
    if (principal && !principal->insurer_numbers.count(insurer)) {
      rejected.push_back({row.line, core::make_error(core::ErrorCode::kRowInsurerNotAllowed,
                                                     "insurer number " + insurer)});
      continue;
    }
    if (!index_.insurer_known(insurer)) {
      rejected.push_back({row.line, core::make_error(core::ErrorCode::kRowInsurerUnknown,
                                                     "insurer number " + insurer)});
      continue;
    }
    core::RegistrationEvent event = std::move(ev).value();
    if (!event.my_number.empty()) {
      event.values.person_key = person_key(event.my_number);
      event.my_number.assign(event.my_number.size(), '0');  // do not keep it around
      event.my_number.clear();
    }
    std::string hash = pki::sha256_hex(core::registration_fingerprint_text(event));
    pending.push_back({row.line, std::move(event), std::move(hash)});
  }

  phase("validate");
  std::lock_guard serial(load_mutex_);
  // 2. Skip what an earlier load (or an earlier line of this file) already applied.
  std::vector<std::string> hashes;
  hashes.reserve(pending.size());
  for (const auto& p : pending) hashes.push_back(p.hash);
  const std::vector<bool> applied = store_.applied_events(hashes);
  phase("lookup");

  // 3. Apply in file order over the families the file touches.
  std::unordered_map<std::string, Family> families;
  std::unordered_set<std::string> seen_in_file;
  store::LoadBatch batch;
  batch.source = source;
  batch.actor = principal ? principal->label : "local";
  for (std::size_t i = 0; i < pending.size(); ++i) {
    Pending& p = pending[i];
    // A row counts as a re-send only if an identical row was applied, not merely seen.
    if (applied[i] || seen_in_file.count(p.hash)) {
      ++receipt.rows_already_applied;
      continue;
    }
    const core::CoverageKey& key = p.event.values.key;
    const std::string gk = group_key(key);
    auto [it, inserted] = families.try_emplace(gk);
    Family& family = it->second;
    if (inserted) {
      family.coverages = index_.coverages_under(key.insurer_number, core::match_key(key.symbol),
                                                core::match_key(key.number));
      family.dirty.assign(family.coverages.size(), false);
    }
    const int target = find_target(family, p.event);
    auto next =
        core::apply_registration(target >= 0 ? &family.coverages[target] : nullptr, p.event);
    if (!next) {
      rejected.push_back({p.line, next.error()});
      continue;
    }
    if (target >= 0) {
      family.coverages[target] = std::move(next).value();
      family.dirty[target] = true;
    } else {
      family.coverages.push_back(std::move(next).value());
      family.dirty.push_back(true);
    }
    seen_in_file.insert(p.hash);
    batch.event_hashes.push_back(std::move(p.hash));
    ++receipt.rows_applied;
  }
  for (auto& [gk, family] : families)
    for (std::size_t i = 0; i < family.coverages.size(); ++i)
      if (family.dirty[i]) batch.upserts.push_back(std::move(family.coverages[i]));

  phase("apply");
  std::sort(rejected.begin(), rejected.end(),
            [](const auto& a, const auto& b) { return a.line < b.line; });
  batch.rows_total = receipt.rows_total;
  batch.rows_rejected = static_cast<std::int64_t>(rejected.size());
  batch.rows_already_applied = receipt.rows_already_applied;
  if (batch.event_hashes.empty()) return receipt;

  // 4. One transaction; the index learns of it only once it is committed.
  receipt.load_id = store_.commit_load(batch);
  phase("commit");
  index_.upsert(batch.upserts);
  phase("index");
  return receipt;
}

}  // namespace onshi::services
