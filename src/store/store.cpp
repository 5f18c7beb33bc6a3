#include "store/store.hpp"

#include <chrono>
#include <thread>

namespace onshi::store {

std::int64_t Store::transact(const std::function<void(Transaction&)>& work) {
  // Conflicts are rare (two writers on one card key, or a long load holding SQLite's write
  // lock past busy_timeout); a few tries with a growing pause ride them out, and the last
  // conflict propagates so the caller can say "try again" instead of waiting forever.
  constexpr int kAttempts = 6;
  auto pause = std::chrono::milliseconds(20);
  for (int attempt = 1;; ++attempt) {
    try {
      return run_transaction(work);
    } catch (const ConflictError&) {
      if (attempt == kAttempts) throw;
    }
    std::this_thread::sleep_for(pause);
    pause *= 3;
  }
}

void Store::upsert_insurers(std::span<const core::Insurer> insurers) {
  transact([&](Transaction& tx) { tx.upsert_insurers(insurers); });
}

void Store::upsert_facilities(std::span<const core::Facility> facilities) {
  transact([&](Transaction& tx) { tx.upsert_facilities(facilities); });
}

void Store::add_credential(const Credential& credential) {
  transact([&](Transaction& tx) { tx.add_credential(credential); });
}

std::vector<std::vector<core::Coverage>> Transaction::coverages_under_each(
    std::span<const CardKey> keys) {
  std::vector<std::vector<core::Coverage>> out;
  out.reserve(keys.size());
  for (const CardKey& k : keys)
    out.push_back(coverages_under(k.insurer_number, k.symbol_key, k.number_key));
  return out;
}

std::int64_t Transaction::write_load(LoadBatch& batch) {
  const std::int64_t load_id = begin_load(batch.source, batch.actor);
  write_coverages(load_id, batch.upserts);
  write_event_hashes(load_id, batch.event_hashes);
  finish_load(load_id, {batch.rows_total, batch.rows_rejected, batch.rows_already_applied});
  return load_id;
}

std::int64_t Store::commit_load(LoadBatch& batch) {
  // New ids are assigned in place by write_load; a retried attempt must start from the ids
  // the caller gave, not from those of the attempt that was rolled back.
  std::vector<bool> was_new(batch.upserts.size());
  for (std::size_t i = 0; i < batch.upserts.size(); ++i) was_new[i] = batch.upserts[i].id == 0;
  auto forget_new_ids = [&] {
    for (std::size_t i = 0; i < batch.upserts.size(); ++i)
      if (was_new[i]) batch.upserts[i].id = 0;
  };
  std::int64_t load_id = 0;
  try {
    transact([&](Transaction& tx) {
      forget_new_ids();
      load_id = tx.write_load(batch);
    });
  } catch (...) {
    forget_new_ids();  // nothing was committed: the batch is as the caller gave it
    throw;
  }
  return load_id;
}

std::vector<bool> Store::applied_events(std::span<const std::string> event_hashes) {
  std::vector<bool> out;
  transact([&](Transaction& tx) { out = tx.applied_events(event_hashes); });
  return out;
}

}  // namespace onshi::store
