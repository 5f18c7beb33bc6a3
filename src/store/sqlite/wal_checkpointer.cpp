#include "store/sqlite/wal_checkpointer.hpp"

namespace onshi::store::sqlite {

WalCheckpointer::WalCheckpointer(Db& writer, const std::string& path, int threshold_pages)
    : writer_(writer), db_(path), threshold_pages_(threshold_pages) {
  // A fresh connection does not know the file is in WAL mode until it has read it; before that
  // a checkpoint silently does nothing.
  if (db_.query_text("PRAGMA journal_mode", "checkpointer journal_mode") != "wal")
    throw StoreError("sqlite: checkpointer: database is not in WAL mode");
  thread_ = std::thread([this] { run(); });
  sqlite3_wal_hook(writer_.handle(), &WalCheckpointer::on_commit, this);
}

WalCheckpointer::~WalCheckpointer() {
  sqlite3_wal_hook(writer_.handle(), nullptr, nullptr);
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_one();
  thread_.join();
}

int WalCheckpointer::on_commit(void* self, sqlite3*, const char*, int wal_pages) {
  auto* me = static_cast<WalCheckpointer*>(self);
  if (wal_pages >= me->threshold_pages_) {
    {
      std::lock_guard lock(me->mu_);
      me->pending_ = true;
    }
    me->cv_.notify_one();
  }
  return SQLITE_OK;
}

void WalCheckpointer::run() {
  std::unique_lock lock(mu_);
  for (;;) {
    cv_.wait(lock, [this] { return pending_ || stop_; });
    if (stop_) return;
    pending_ = false;
    lock.unlock();
    // PASSIVE never blocks the writer or readers; what it cannot copy now (pages a reader still
    // needs) is copied after the next commit signals again. Failures are left to that retry too:
    // a late checkpoint costs disk space, never data.
    sqlite3_wal_checkpoint_v2(db_.handle(), nullptr, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
    lock.lock();
  }
}

}  // namespace onshi::store::sqlite
