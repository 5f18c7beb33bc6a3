// The SQLite backend: the contract suite, plus what only SQLite has (the file, its schema, WAL).
#include <sqlite3.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "core/text_normalise.hpp"
#include "store/sqlite/migrations.hpp"
#include "store/store.hpp"
#include "store_contract.hpp"
#include "store_test_data.hpp"

namespace onshi::store::testing {
namespace {

std::string db_path(const std::string& dir) {
  return dir + "/onshi.db";
}

INSTANTIATE_TEST_SUITE_P(Sqlite, StoreContract,
                         ::testing::Values(StoreFactory([](const std::string& dir) {
                           return open_sqlite_store(db_path(dir));
                         })));

// A second, independent connection: inspects the file the way an operator's sqlite3 shell would.
class RawDb {
 public:
  explicit RawDb(const std::string& path) {
    if (sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READWRITE, nullptr) != SQLITE_OK)
      ADD_FAILURE() << "cannot open " << path;
  }
  ~RawDb() { sqlite3_close_v2(db_); }
  RawDb(const RawDb&) = delete;
  RawDb& operator=(const RawDb&) = delete;

  // The first column of every row, as text ("NULL" for SQL NULL).
  std::vector<std::string> column(const std::string& sql) {
    std::vector<std::string> out;
    sqlite3_stmt* s = nullptr;
    if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &s, nullptr) != SQLITE_OK) {
      ADD_FAILURE() << sql << ": " << sqlite3_errmsg(db_);
      return out;
    }
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
      const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(s, 0));
      out.push_back(p != nullptr
                        ? std::string(p, static_cast<std::size_t>(sqlite3_column_bytes(s, 0)))
                        : "NULL");
    }
    if (rc != SQLITE_DONE) ADD_FAILURE() << sql << ": " << sqlite3_errmsg(db_);
    sqlite3_finalize(s);
    return out;
  }
  std::string one(const std::string& sql) {
    auto col = column(sql);
    return col.empty() ? "<no row>" : col[0];
  }
  void exec(const std::string& sql) {
    if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, nullptr) != SQLITE_OK)
      ADD_FAILURE() << sql << ": " << sqlite3_errmsg(db_);
  }

 private:
  sqlite3* db_ = nullptr;
};

class SqliteStoreTest : public ::testing::Test {
 protected:
  std::string path() const { return db_path(dir_.path()); }
  std::unique_ptr<Store> open() { return open_sqlite_store(path()); }

  TempDir dir_;
};

TEST(SqliteMigrations, AreNumberedFromOneWithoutGaps) {
  const auto list = sqlite::migrations();
  ASSERT_FALSE(list.empty());
  for (std::size_t i = 0; i < list.size(); ++i) EXPECT_EQ(list[i].version, static_cast<int>(i) + 1);
  EXPECT_EQ(sqlite::latest_schema_version(), list.back().version);
}

TEST_F(SqliteStoreTest, SchemaMigrationsRecordsEveryVersion) {
  open();
  RawDb raw(path());
  const auto versions = raw.column("SELECT version FROM schema_migrations ORDER BY version");
  ASSERT_EQ(versions.size(), static_cast<std::size_t>(sqlite::latest_schema_version()));
  EXPECT_EQ(versions.back(), std::to_string(sqlite::latest_schema_version()));
  const auto tables = raw.column("SELECT name FROM sqlite_schema WHERE type='table' ORDER BY 1");
  for (const char* t :
       {"access_log", "journal", "journal_anchors", "applied_events", "coverages", "credentials",
        "daily_counts", "facilities", "insurers", "loads", "schema_migrations", "changes"})
    EXPECT_NE(std::find(tables.begin(), tables.end(), t), tables.end()) << t;
}

TEST_F(SqliteStoreTest, ReopeningRunsNoMigrationTwice) {
  open();
  open();
  auto store = open();
  EXPECT_EQ(store->coverage_count(), 0);
  RawDb raw(path());
  EXPECT_EQ(raw.one("SELECT count(*) FROM schema_migrations"),
            std::to_string(sqlite::latest_schema_version()));
}

// A data directory written by a build with schema 1 (verbatim card keys only) opens with the
// card keys derived for every row and the change log in place.
TEST_F(SqliteStoreTest, Version1DataMigratesWithMatchKeysDerived) {
  {
    sqlite3* db = nullptr;
    ASSERT_EQ(
        sqlite3_open_v2(path().c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr),
        SQLITE_OK);
    const std::string v1 = std::string(sqlite::migrations()[0].sql) +
                           "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, "
                           "applied_at TEXT NOT NULL);"
                           "INSERT INTO schema_migrations VALUES (1, '2026-11-01T00:00:00Z');"
                           "INSERT INTO loads VALUES (1, 'f.csv', 'local', 'x', 1, 1, 0, 0);"
                           "INSERT INTO coverages (id, insurer_number, symbol, number, branch, "
                           "relationship, insured_name, name, name_kana, sex, address, postcode, "
                           "acquired_on, loss_reason, copay_ratio, person_key, load_id, "
                           "updated_at) VALUES (7, '06130012', 'ｱｲ-12', '０１２３', '00', 1, "
                           "'n', 'n', 'ﾅ', 1, 'a', '100-0001', '2024-04-01', 0, 3, '', 1, 'x');";
    ASSERT_EQ(sqlite3_exec(db, v1.c_str(), nullptr, nullptr, nullptr), SQLITE_OK)
        << sqlite3_errmsg(db);
    sqlite3_close_v2(db);
  }
  auto store = open();
  EXPECT_EQ(store->coverage_count(), 1);
  std::vector<core::Coverage> under;
  store->transact([&](Transaction& tx) {
    under = tx.coverages_under("06130012", core::match_key("アイ-12"), core::match_key("0123"));
  });
  ASSERT_EQ(under.size(), 1u);
  EXPECT_EQ(under[0].id, 7);
  EXPECT_EQ(under[0].key.number, "０１２３");  // verbatim as registered
  EXPECT_EQ(store->last_change_seq(), 0);
  RawDb raw(path());
  EXPECT_EQ(raw.one("SELECT max(version) FROM schema_migrations"),
            std::to_string(sqlite::latest_schema_version()));
}

TEST_F(SqliteStoreTest, FileIsInWalMode) {
  auto store = open();
  RawDb raw(path());
  EXPECT_EQ(raw.one("PRAGMA journal_mode"), "wal");
}

TEST_F(SqliteStoreTest, DataSurvivesReopen) {
  std::vector<core::Coverage> written;
  {
    auto store = open();
    store->upsert_insurers(std::vector<core::Insurer>{
        {"06130012", kTaka + "島屋健保", core::InsurerKind::kHealthInsuranceSociety, 13}});
    store->upsert_facilities(std::vector<core::Facility>{
        {"1311234567", kYoshi + "野医院", core::FacilityType::kMedicalClinic, 13}});
    store->add_credential({std::string(64, 'a'), Role::kInsurer, "06130012", "kenpo"});
    LoadBatch batch;
    batch.source = "a.csv";
    batch.actor = "kenpo";
    for (int i = 0; i < 20; ++i) batch.upserts.push_back(sample_coverage(i));
    batch.event_hashes = {std::string(64, '1')};
    store->commit_load(batch);
    written = batch.upserts;
    store->append_journal(
        ChainBuilder("n1").next({sample_access(5, "1311234567", written[0].id, "r")}),
        std::vector<core::DailyCount>{{20240501, core::FacilityType::kMedicalClinic,
                                       core::ConfirmMethod::kInsuranceCard, 1, 1}});
  }
  auto store = open();
  ASSERT_EQ(store->insurers().size(), 1u);
  EXPECT_EQ(store->insurers()[0].name, kTaka + "島屋健保");
  EXPECT_EQ(store->facilities().at(0).name, kYoshi + "野医院");
  EXPECT_EQ(store->credentials().size(), 1u);
  EXPECT_EQ(store->applied_events(std::vector<std::string>{std::string(64, '1')}),
            std::vector<bool>{true});
  std::vector<core::Coverage> read;
  store->for_each_coverage([&](const core::Coverage& c) { read.push_back(c); });
  ASSERT_EQ(read.size(), written.size());
  for (std::size_t i = 0; i < read.size(); ++i) expect_same_coverage(written[i], read[i]);
  ASSERT_EQ(store->access_records("", 10).size(), 1u);
  EXPECT_EQ(store->access_records("", 10)[0].coverage_id, written[0].id);
  EXPECT_EQ(store->daily_counts(20240501, 20240501).at(0).count, 1);
}

TEST_F(SqliteStoreTest, DatesAreIsoTextOrNull) {
  auto store = open();
  core::Coverage c = sample_coverage(7);
  c.birth_date = ymd(1972, 5, 1);
  c.lost_on = {};
  c.elderly.reset();
  LoadBatch batch;
  batch.upserts = {c};
  store->commit_load(batch);
  RawDb raw(path());
  EXPECT_EQ(raw.one("SELECT birth_date FROM coverages"), "1972-05-01");
  EXPECT_EQ(raw.one("SELECT typeof(birth_date) FROM coverages"), "text");
  EXPECT_EQ(raw.one("SELECT typeof(lost_on) FROM coverages"), "null");
  EXPECT_EQ(raw.one("SELECT typeof(elderly_copay_ratio) FROM coverages"), "null");
  EXPECT_EQ(raw.one("SELECT acquired_on FROM coverages"), c.acquired_on.iso());
}

TEST_F(SqliteStoreTest, DateTextMatchesIsoAcrossTheSupportedYears) {
  // The store formats and parses dates itself for speed; hold it to Date::iso() on dates from
  // the first to the last supported day, leap days and month ends included.
  auto store = open();
  LoadBatch batch;
  std::vector<core::Date> days;
  for (core::Date d = ymd(1868, 1, 1); d.valid(); d = d.add_days(97)) days.push_back(d);
  for (core::Date d : {ymd(2000, 2, 29), ymd(1900, 2, 28), ymd(2024, 12, 31), ymd(2999, 12, 31)})
    days.push_back(d);
  for (std::size_t i = 0; i < days.size(); ++i) {
    core::Coverage c = sample_coverage(static_cast<int>(i));
    c.birth_date = days[i];
    c.acquired_on = days[(i + 1) % days.size()];
    batch.upserts.push_back(c);
  }
  store->commit_load(batch);
  RawDb raw(path());
  const auto text = raw.column("SELECT birth_date FROM coverages ORDER BY id");
  ASSERT_EQ(text.size(), days.size());
  for (std::size_t i = 0; i < days.size(); ++i) ASSERT_EQ(text[i], days[i].iso());
  std::size_t n = 0;
  store->for_each_coverage([&](const core::Coverage& c) {
    ASSERT_EQ(c.birth_date, days[n]);
    ASSERT_EQ(c.acquired_on, days[(n + 1) % days.size()]);
    ++n;
  });
  EXPECT_EQ(n, days.size());
}

TEST_F(SqliteStoreTest, FailedCommitLoadLeavesNoLoadNoCoverageNoEvent) {
  auto store = open();
  LoadBatch batch;
  batch.source = "broken.csv";
  batch.actor = "kenpo";
  for (int i = 0; i < 100; ++i) batch.upserts.push_back(sample_coverage(i));
  batch.upserts.push_back(sample_coverage(42));  // same key as row 42: UNIQUE violated at the end
  for (int i = 0; i < 10; ++i)
    batch.event_hashes.push_back(std::string(63, static_cast<char>('a' + i % 6)) +
                                 std::to_string(i));
  try {
    store->commit_load(batch);
    FAIL() << "expected StoreError";
  } catch (const StoreError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("UNIQUE"), std::string::npos) << what;
    EXPECT_NE(what.find("100"), std::string::npos) << "names the batch row: " << what;
    // The message names columns, never the values that were being written.
    EXPECT_EQ(what.find(batch.upserts[42].key.number), std::string::npos) << what;
    EXPECT_EQ(what.find("東京"), std::string::npos) << what;
  }
  RawDb raw(path());
  EXPECT_EQ(raw.one("SELECT count(*) FROM loads"), "0");
  EXPECT_EQ(raw.one("SELECT count(*) FROM coverages"), "0");
  EXPECT_EQ(raw.one("SELECT count(*) FROM applied_events"), "0");
  EXPECT_EQ(store->coverage_count(), 0);
}

TEST_F(SqliteStoreTest, LoadReceiptIsRecorded) {
  auto store = open();
  LoadBatch batch;
  batch.source = "reg.csv";
  batch.actor = "kenpo-desk";
  batch.upserts = {sample_coverage(1), sample_coverage(2)};
  batch.event_hashes = {std::string(64, 'e')};
  batch.rows_total = 5;
  batch.rows_rejected = 2;
  batch.rows_already_applied = 1;
  const auto load_id = store->commit_load(batch);
  RawDb raw(path());
  EXPECT_EQ(raw.one("SELECT source || '|' || actor || '|' || rows_total || '|' || rows_applied || "
                    "'|' || rows_rejected || '|' || rows_already_applied FROM loads WHERE id = " +
                    std::to_string(load_id)),
            "reg.csv|kenpo-desk|5|2|2|1");
  EXPECT_EQ(raw.one("SELECT count(*) FROM coverages WHERE load_id = " + std::to_string(load_id)),
            "2");
  EXPECT_EQ(raw.one("SELECT load_id FROM applied_events"), std::to_string(load_id));
}

TEST_F(SqliteStoreTest, WalIsCheckpointedInTheBackgroundWhileTheStoreIsOpen) {
  // Until a checkpoint copies them, committed pages live only in the -wal file; the database
  // file itself growing is the sign that the background checkpointer ran.
  auto store = open();
  const auto db_size = [&] { return std::filesystem::file_size(path()); };
  const auto before = db_size();
  LoadBatch batch;
  for (int i = 0; i < 20000; ++i) batch.upserts.push_back(sample_coverage(i));
  store->commit_load(batch);
  // Writes go on meanwhile: the checkpointer must not get in their way.
  ChainBuilder chain("n1");
  for (int i = 0; i < 50; ++i)
    store->append_journal(chain.next({sample_access(i, "1311234567", i, std::to_string(i))}), {});
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (db_size() < before + 4'000'000 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  EXPECT_GE(db_size(), before + 4'000'000);
  EXPECT_EQ(store->coverage_count(), 20000);
  EXPECT_EQ(store->access_records("", 100).size(), 50u);
}

TEST_F(SqliteStoreTest, NewerSchemaThanThisBuildIsRefused) {
  open();
  {
    RawDb raw(path());
    raw.exec("INSERT INTO schema_migrations (version, applied_at) VALUES (9999, 'future')");
  }
  EXPECT_THROW(open(), StoreError);
}

TEST_F(SqliteStoreTest, UnopenablePathIsAStoreError) {
  EXPECT_THROW(open_sqlite_store(dir_.path() + "/no/such/dir/onshi.db"), StoreError);
}

TEST_F(SqliteStoreTest, CorruptDateIsReportedWithoutItsValue) {
  auto store = open();
  LoadBatch batch;
  batch.upserts = {sample_coverage(1)};
  store->commit_load(batch);
  {
    RawDb raw(path());
    raw.exec("UPDATE coverages SET birth_date = '1972/05/01'");
  }
  try {
    store->for_each_coverage([](const core::Coverage&) {});
    FAIL() << "expected StoreError";
  } catch (const StoreError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("birth_date"), std::string::npos) << what;
    EXPECT_EQ(what.find("1972"), std::string::npos) << what;
  }
}

TEST_F(SqliteStoreTest, CallingBackFromTheVisitorThrowsInsteadOfDeadlocking) {
  auto store = open();
  LoadBatch batch;
  batch.upserts = {sample_coverage(1)};
  store->commit_load(batch);
  EXPECT_THROW(store->for_each_coverage([&](const core::Coverage&) { store->coverage_count(); }),
               StoreError);
  EXPECT_EQ(store->coverage_count(), 1);
}

TEST_F(SqliteStoreTest, ReadersInOtherConnectionsSeeOnlyCommittedLoads) {
  auto store = open();
  LoadBatch batch;
  batch.upserts = {sample_coverage(1), sample_coverage(2)};
  store->commit_load(batch);
  auto second = open();  // a second process, in effect
  EXPECT_EQ(second->coverage_count(), 2);
  LoadBatch more;
  more.upserts = {sample_coverage(3)};
  second->commit_load(more);
  EXPECT_EQ(store->coverage_count(), 3);
}

// This thread's CPU time: on a shared machine wall time says more about the neighbours.
double cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

// Throughput of the load path. Disabled: run with --gtest_also_run_disabled_tests
// --gtest_filter='*Throughput*' on an optimised build (not under sanitizers).
TEST_F(SqliteStoreTest, DISABLED_CommitLoadThroughput) {
  constexpr int kRows = 1'000'000;
  LoadBatch batch;
  batch.source = "bench";
  batch.actor = "bench";
  batch.upserts.reserve(kRows);
  batch.event_hashes.reserve(kRows);
  for (int i = 0; i < kRows; ++i) {
    core::Coverage c = sample_coverage(i);
    batch.upserts.push_back(std::move(c));
    char h[65];
    // Spread like real SHA-256 hex: the leading characters vary, not only the tail.
    std::snprintf(h, sizeof h, "%016llx%048d",
                  static_cast<unsigned long long>(i) * 0x9E3779B97F4A7C15ull, i);
    batch.event_hashes.emplace_back(h, 64);
  }
  batch.rows_total = kRows;
  auto store = open();
  const double c0 = cpu_seconds();
  const auto t0 = std::chrono::steady_clock::now();
  store->commit_load(batch);
  const auto t1 = std::chrono::steady_clock::now();
  const double load_cpu = cpu_seconds() - c0;
  std::int64_t seen = 0;
  store->for_each_coverage([&](const core::Coverage&) { ++seen; });
  EXPECT_EQ(seen, kRows);
  const auto t2 = std::chrono::steady_clock::now();
  const auto applied = store->applied_events(batch.event_hashes);
  const auto t3 = std::chrono::steady_clock::now();
  const double load_s = std::chrono::duration<double>(t1 - t0).count();
  const double scan_s = std::chrono::duration<double>(t2 - t1).count();
  const double check_s = std::chrono::duration<double>(t3 - t2).count();
  EXPECT_EQ(std::count(applied.begin(), applied.end(), true), kRows);
  std::printf(
      "commit_load: %d coverages + %d event hashes in %.2f s = %.0f rows/s"
      " (this thread's CPU %.2f s = %.0f rows/s)\n",
      kRows, kRows, load_s, kRows / load_s, load_cpu, kRows / load_cpu);
  std::printf("for_each_coverage: %.2f s = %.0f rows/s\n", scan_s, kRows / scan_s);
  std::printf("applied_events: %.2f s = %.0f hashes/s\n", check_s, kRows / check_s);
}

}  // namespace
}  // namespace onshi::store::testing
