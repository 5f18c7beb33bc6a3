// The access-log spool: records that could not reach the store are kept durable in a local
// file and move into the store, in order, once it takes writes again. The store here is a real
// SQLite file whose write lock another connection holds, as a long load in another process does.
#include "services/access_spool.hpp"

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <sys/stat.h>

#include <chrono>
#include <fstream>
#include <future>
#include <string>
#include <vector>

#include "services/access_log_writer.hpp"
#include "store/store.hpp"
#include "tests/temp_dir.hpp"

namespace onshi::services {
namespace {

SpooledRecord spooled(std::int64_t at_ms, const std::string& request_id) {
  SpooledRecord s;
  s.record.at_ms = at_ms;
  s.record.facility_code = "1312345678";
  s.record.actor = "desk\twith\ttabs\nand 100% newline";
  s.record.method = core::ConfirmMethod::kInsuranceCard;
  s.record.coverage_id = at_ms % 1000;
  s.record.validity = 1;
  s.record.request_id = request_id;
  s.facility_type = core::FacilityType::kPharmacy;
  return s;
}

TEST(AccessSpool, KeepsRecordsByteExactInOrderAcrossReopen) {
  onshi::testing::TempDir dir;
  const std::string path = dir.path() + "/access-spool";
  {
    AccessSpool spool(path);
    EXPECT_TRUE(spool.empty());
    spool.append({spooled(1000, "n1-a"), spooled(1001, "n1-b")});
    spool.append({spooled(1002, "n1-c")});
    EXPECT_EQ(spool.size(), 3u);
  }
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 077, 0u);

  AccessSpool again(path);
  EXPECT_EQ(again.size(), 3u);
  const auto all = again.read_all();
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(all[0].record.request_id, "n1-a");
  EXPECT_EQ(all[2].record.at_ms, 1002);
  EXPECT_EQ(all[1].record.actor, "desk\twith\ttabs\nand 100% newline");
  EXPECT_EQ(all[1].facility_type, core::FacilityType::kPharmacy);
  again.clear();
  EXPECT_TRUE(again.empty());
  EXPECT_TRUE(AccessSpool(path).read_all().empty());
}

TEST(AccessSpool, ATornLastLineIsDropped) {
  onshi::testing::TempDir dir;
  const std::string path = dir.path() + "/access-spool";
  AccessSpool(path).append({spooled(1000, "n1-a")});
  std::ofstream(path, std::ios::app) << "1001\t1312345678\tdesk";  // died inside write()
  const auto all = AccessSpool(path).read_all();
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(all[0].record.request_id, "n1-a");
}

// Another connection holds SQLite's write lock, as `onshi load` in another process does for
// the whole of a big load.
class LockHolder {
 public:
  explicit LockHolder(const std::string& db) {
    sqlite3_open_v2(db.c_str(), &db_, SQLITE_OPEN_READWRITE, nullptr);
    EXPECT_EQ(sqlite3_exec(db_, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr), SQLITE_OK);
  }
  void release() {
    if (db_) sqlite3_exec(db_, "COMMIT", nullptr, nullptr, nullptr);
    sqlite3_close_v2(db_);
    db_ = nullptr;
  }
  ~LockHolder() { release(); }

 private:
  sqlite3* db_ = nullptr;
};

TEST(AccessLogWriterSpool, RecordsTheStoreCannotTakeAreDurableLocallyThenMovedInOrder) {
  onshi::testing::TempDir dir;
  const std::string db = dir.path() + "/onshi.db";
  auto store = store::open_sqlite_store(db);
  AccessLogWriter writer(*store, dir.path() + "/access-spool");

  auto append = [&](std::int64_t at, const std::string& id) {
    auto done = std::make_shared<std::promise<bool>>();
    auto s = spooled(at, id);
    writer.append(s.record, s.facility_type, [done](bool durable) { done->set_value(durable); });
    return done->get_future();
  };

  LockHolder lock(db);
  auto first = append(1'700'000'000'000, "n1-1");
  // Answered as durable (from the spool) without waiting for the lock to go.
  ASSERT_EQ(first.wait_for(std::chrono::seconds(10)), std::future_status::ready);
  EXPECT_TRUE(first.get());
  EXPECT_EQ(writer.spooled(), 1u);
  EXPECT_TRUE(store->access_records("", 10).empty());
  auto second = append(1'700'000'000'001, "n1-2");
  ASSERT_EQ(second.wait_for(std::chrono::seconds(10)), std::future_status::ready);
  EXPECT_TRUE(second.get());

  lock.release();
  // The next batch after the drain interval moves the spool into the store first.
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  auto third = append(1'700'000'000'002, "n1-3");
  ASSERT_EQ(third.wait_for(std::chrono::seconds(10)), std::future_status::ready);
  EXPECT_TRUE(third.get());
  writer.flush();
  EXPECT_EQ(writer.spooled(), 0u);
  const auto records = store->access_records("", 10);  // newest first
  ASSERT_EQ(records.size(), 3u);
  EXPECT_EQ(records[0].request_id, "n1-3");
  EXPECT_EQ(records[1].request_id, "n1-2");
  EXPECT_EQ(records[2].request_id, "n1-1");
  std::int64_t counted = 0;
  for (const auto& c : store->daily_counts(0, 99991231)) counted += c.count;
  EXPECT_EQ(counted, 3);
}

TEST(AccessLogWriterSpool, ASpoolLeftByAStoppedNodeIsMovedInWhenItStartsAgain) {
  onshi::testing::TempDir dir;
  const std::string db = dir.path() + "/onshi.db";
  AccessSpool(dir.path() + "/access-spool").append({spooled(1'700'000'000'000, "n1-old")});
  auto store = store::open_sqlite_store(db);
  AccessLogWriter writer(*store, dir.path() + "/access-spool");
  EXPECT_EQ(writer.spooled(), 1u);
  auto s = spooled(1'700'000'000'001, "n1-new");
  writer.append(s.record, s.facility_type);
  writer.flush();
  const auto records = store->access_records("", 10);
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(records[1].request_id, "n1-old");
  EXPECT_EQ(writer.spooled(), 0u);
}

}  // namespace
}  // namespace onshi::services
