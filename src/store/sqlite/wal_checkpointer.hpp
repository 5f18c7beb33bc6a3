#pragma once
// Moves committed pages from the WAL into the database file on a thread and connection of its
// own. SQLite's built-in auto-checkpoint runs inside the COMMIT that crosses its threshold, so
// the writer that happens to commit then -- a counter check's audit append, or a bulk load that
// just wrote 400 MB to the WAL -- would wait for the copy. Here writers only signal.
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>

#include "store/sqlite/sqlite_db.hpp"

namespace onshi::store::sqlite {

class WalCheckpointer {
 public:
  // Installs itself as `writer`'s WAL hook (replacing the built-in auto-checkpoint) and opens
  // its own connection to `path`. Throws StoreError.
  WalCheckpointer(Db& writer, const std::string& path, int threshold_pages);
  ~WalCheckpointer();  // finishes the checkpoint in progress, if any
  WalCheckpointer(const WalCheckpointer&) = delete;
  WalCheckpointer& operator=(const WalCheckpointer&) = delete;

 private:
  static int on_commit(void* self, sqlite3* db, const char* schema, int wal_pages);
  void run();

  Db& writer_;
  Db db_;
  const int threshold_pages_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool pending_ = false;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace onshi::store::sqlite
