// What only the PostgreSQL backend has: its migrations, its connection errors, SQLSTATE mapping,
// a connection killed in the middle of a load, and the change counter under concurrent writers.
#include <gtest/gtest.h>
#include <libpq-fe.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <exception>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "core/text_normalise.hpp"
#include "store/postgresql/migrations.hpp"
#include "store/postgresql/pg_conn.hpp"
#include "store/postgresql/pg_store.hpp"
#include "store/store.hpp"
#include "tests/store/postgresql/pg_test_env.hpp"
#include "tests/store/store_test_data.hpp"
#include "tests/temp_dir.hpp"

namespace onshi::store::testing {
namespace {

using onshi::testing::TempDir;

std::string hash_of(int i) {
  std::string h = std::to_string(i);
  return std::string(64 - h.size(), '0') + h;
}

// A port on which nothing listens: bound by the kernel's choice, then closed.
int closed_port() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = 0;
  bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  socklen_t len = sizeof a;
  getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  close(fd);
  return ntohs(a.sin_port);
}

// The password of the fixture's URL (postgresql://user:PASSWORD@host...).
std::string password_of(const std::string& url) {
  const auto colon = url.find(':', url.find("//") + 2);
  const auto at = url.find('@');
  return url.substr(colon + 1, at - colon - 1);
}

class PgStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    schema_ = fresh_schema(dir_.path());
    url_ = url_in_schema(test_postgres_url(), schema_);
  }
  std::unique_ptr<Store> open() { return open_postgresql_store(url_); }
  // A connection of the test's own in the test's schema, to look at what the store wrote.
  std::unique_ptr<pg::Connection> raw() { return std::make_unique<pg::Connection>(url_); }
  std::string one(pg::Connection& c, const std::string& sql) {
    const pg::Result r = c.exec(sql.c_str(), "test query");
    return r.rows() == 0 ? "<no row>" : std::string(r.text(0, 0));
  }

  TempDir dir_;
  std::string schema_;
  std::string url_;
};

// --- Migrations -----------------------------------------------------------------------------

TEST(PgMigrations, AreNumberedFromOneWithoutGaps) {
  const auto list = pg::migrations();
  ASSERT_FALSE(list.empty());
  for (std::size_t i = 0; i < list.size(); ++i) EXPECT_EQ(list[i].version, static_cast<int>(i) + 1);
  EXPECT_EQ(pg::latest_schema_version(), list.back().version);
}

TEST_F(PgStoreTest, EachMigrationIsRecordedOnceHoweverOftenTheStoreIsOpened) {
  open();
  open();
  auto store = open();
  EXPECT_EQ(store->coverage_count(), 0);
  auto c = raw();
  const pg::Result r = c->exec("SELECT version FROM schema_migrations ORDER BY version", "q");
  ASSERT_EQ(r.rows(), pg::latest_schema_version());
  for (int i = 0; i < r.rows(); ++i) EXPECT_EQ(r.int64(i, 0), i + 1);
  for (const char* t :
       {"access_log", "journal", "journal_anchors", "applied_events", "changes", "change_seq",
        "coverages", "credentials", "daily_counts", "facilities", "insurers", "loads"})
    EXPECT_EQ(one(*c, "SELECT to_regclass('" + std::string(t) + "') IS NOT NULL"), "t") << t;
}

TEST_F(PgStoreTest, ProcessesOpeningANewDatabaseTogetherApplyEachMigrationOnce) {
  constexpr int kOpeners = 6;
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < kOpeners; ++i)
    threads.emplace_back([&] {
      try {
        open();
      } catch (const std::exception& e) {
        ADD_FAILURE() << e.what();
        ++failures;
      }
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0);
  auto c = raw();
  EXPECT_EQ(one(*c, "SELECT count(*) FROM schema_migrations"),
            std::to_string(pg::latest_schema_version()));
  EXPECT_EQ(one(*c, "SELECT count(*) FROM change_seq"), "1");
}

TEST_F(PgStoreTest, Version2GivesRowsOfVersion1TheirMatchKeys) {
  {
    auto c = raw();
    pg::migrate(*c, 1);
    c->exec(
        "INSERT INTO coverages (id, insurer_number, symbol, number, branch, relationship, "
        "insured_name, name, name_kana, sex, address, postcode, acquired_on, loss_reason, "
        "copay_ratio, person_key, load_id, updated_at) VALUES "
        "(7, '06130012', 'ｷｺﾞｳ１', '１２３', '00', 1, '', '', '', 1, '', '', '2024-04-01', 0, 3, "
        "'', 0, now())",
        "insert a version 1 row");
  }
  auto store = open();
  auto c = raw();
  EXPECT_EQ(one(*c, "SELECT max(version) FROM schema_migrations"),
            std::to_string(pg::latest_schema_version()));
  EXPECT_EQ(one(*c, "SELECT symbol_key FROM coverages WHERE id = 7"), core::match_key("ｷｺﾞｳ１"));
  EXPECT_EQ(one(*c, "SELECT number_key FROM coverages WHERE id = 7"), core::match_key("１２３"));
  std::vector<core::Coverage> found;
  store->transact([&](Transaction& tx) {
    found = tx.coverages_under("06130012", core::match_key("キゴウ1"), core::match_key("123"));
  });
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].key.symbol, "ｷｺﾞｳ１") << "the symbol itself is kept as written";
}

TEST_F(PgStoreTest, NewerSchemaThanThisBuildIsRefused) {
  open();
  raw()->exec("INSERT INTO schema_migrations (version) VALUES (9999)", "future version");
  try {
    open();
    FAIL() << "expected StoreError";
  } catch (const StoreError& e) {
    EXPECT_NE(std::string(e.what()).find("9999"), std::string::npos) << e.what();
  }
}

TEST_F(PgStoreTest, ASearchPathWithoutASchemaIsAClearError) {
  try {
    open_postgresql_store(url_in_schema(test_postgres_url(), "no_such_schema"));
    FAIL() << "expected StoreError";
  } catch (const StoreError& e) {
    EXPECT_NE(std::string(e.what()).find("search_path"), std::string::npos) << e.what();
  }
}

// --- Connection errors ----------------------------------------------------------------------

TEST(PgConnection, UnreachableServerNamesHostAndPortButNotThePassword) {
  const int port = closed_port();
  const std::string url =
      "postgresql://onshi:Secret-Pw-31415@127.0.0.1:" + std::to_string(port) + "/onshi";
  try {
    open_postgresql_store(url);
    FAIL() << "expected UnavailableError";
  } catch (const UnavailableError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("127.0.0.1:" + std::to_string(port)), std::string::npos) << what;
    EXPECT_NE(what.find("check"), std::string::npos) << "says what to check: " << what;
    EXPECT_EQ(what.find("Secret-Pw-31415"), std::string::npos) << what;
    EXPECT_EQ(what.find('\n'), std::string::npos) << "one line: " << what;
  }
}

TEST(PgConnection, WrongPasswordIsUnavailableAndNamesNeitherPassword) {
  const std::string url = test_postgres_url();
  const std::string real = password_of(url);
  ASSERT_FALSE(real.empty());
  std::string wrong = url;
  wrong.replace(wrong.find(real), real.size(), "Wrong-Pw-27182");
  try {
    pg::Connection c(wrong);
    FAIL() << "expected UnavailableError";
  } catch (const UnavailableError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("127.0.0.1:"), std::string::npos) << what;
    EXPECT_NE(what.find("password"), std::string::npos) << what;
    EXPECT_EQ(what.find("Wrong-Pw-27182"), std::string::npos) << what;
    EXPECT_EQ(what.find(real), std::string::npos) << what;
  }
}

TEST(PgConnection, MalformedUrlIsAStoreErrorThatDoesNotRepeatIt) {
  try {
    pg::Connection c("postgresql://onshi:Pw-16180@127.0.0.1:5432/db?no_such_option=1");
    FAIL() << "expected StoreError";
  } catch (const UnavailableError& e) {
    FAIL() << "a malformed URL is not a server that is down: " << e.what();
  } catch (const StoreError& e) {
    EXPECT_EQ(std::string(e.what()).find("Pw-16180"), std::string::npos) << e.what();
  }
}

// --- SQLSTATE mapping -----------------------------------------------------------------------

TEST_F(PgStoreTest, SerializationFailureIsAConflict) {
  auto a = raw();
  auto b = raw();
  a->exec("CREATE TABLE t (id INT PRIMARY KEY, v INT); INSERT INTO t VALUES (1, 0)", "setup");
  pg::TxGuard ta(*a, "BEGIN ISOLATION LEVEL REPEATABLE READ");
  a->exec("SELECT v FROM t", "snapshot");
  b->exec("UPDATE t SET v = 1 WHERE id = 1", "concurrent update");
  EXPECT_THROW(a->exec("UPDATE t SET v = 2 WHERE id = 1", "update"), ConflictError);
}

TEST_F(PgStoreTest, DeadlockIsAConflict) {
  auto a = raw();
  auto b = raw();
  a->exec("CREATE TABLE t (id INT PRIMARY KEY, v INT); INSERT INTO t VALUES (1, 0), (2, 0)",
          "setup");
  pg::TxGuard ta(*a);
  pg::TxGuard tb(*b);
  a->exec("UPDATE t SET v = 1 WHERE id = 1", "a locks 1");
  b->exec("UPDATE t SET v = 1 WHERE id = 2", "b locks 2");
  // a waits for 2 (asynchronously), then b waits for 1: the server's deadlock check (after
  // deadlock_timeout, 1 s) aborts one of them with 40P01.
  ASSERT_EQ(PQsendQuery(a->handle(), "UPDATE t SET v = 2 WHERE id = 2"), 1);
  int conflicts = 0;
  try {
    b->exec("UPDATE t SET v = 2 WHERE id = 1", "b waits for 1");
  } catch (const ConflictError& e) {
    EXPECT_NE(std::string(e.what()).find("40P01"), std::string::npos) << e.what();
    ++conflicts;
  }
  if (conflicts == 0) tb.commit();  // b went on: a was the one aborted, or a is still waiting
  try {
    pg::Result r = a->check(PQgetResult(a->handle()), PGRES_COMMAND_OK, "a waits for 2");
    while (PGresult* extra = PQgetResult(a->handle())) PQclear(extra);
  } catch (const ConflictError& e) {
    EXPECT_NE(std::string(e.what()).find("40P01"), std::string::npos) << e.what();
    ++conflicts;
    while (PGresult* extra = PQgetResult(a->handle())) PQclear(extra);
  }
  EXPECT_EQ(conflicts, 1);
}

TEST_F(PgStoreTest, FailedLoadNamesConstraintAndRowButNoValue) {
  auto store = open();
  LoadBatch batch;
  for (int i = 0; i < 100; ++i) batch.upserts.push_back(sample_coverage(i));
  batch.upserts.push_back(sample_coverage(42));  // same card key and period as row 42
  batch.event_hashes = {hash_of(1), hash_of(2)};
  try {
    store->commit_load(batch);
    FAIL() << "expected StoreError";
  } catch (const ConflictError& e) {
    FAIL() << "a duplicate key is no conflict to retry: " << e.what();
  } catch (const StoreError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("coverages_card_key_period"), std::string::npos) << what;
    EXPECT_NE(what.find("23505"), std::string::npos) << what;
    EXPECT_NE(what.find("row 100"), std::string::npos) << "names the batch row: " << what;
    EXPECT_EQ(what.find(batch.upserts[42].key.number), std::string::npos) << what;
    EXPECT_EQ(what.find("東京"), std::string::npos) << what;
    EXPECT_EQ(what.find("記号"), std::string::npos) << what;
  }
  auto c = raw();
  EXPECT_EQ(one(*c, "SELECT count(*) FROM loads"), "0");
  EXPECT_EQ(one(*c, "SELECT count(*) FROM coverages"), "0");
  EXPECT_EQ(one(*c, "SELECT count(*) FROM applied_events"), "0");
  EXPECT_EQ(one(*c, "SELECT count(*) FROM changes"), "0");
  EXPECT_EQ(store->last_change_seq(), 0);
}

TEST_F(PgStoreTest, TextCopyKeepsTabsNewlinesAndBackslashes) {
  auto c = raw();
  c->exec("CREATE TABLE t (n BIGINT, s TEXT)", "setup");
  const std::vector<std::string> values{"a\tb", "line1\nline2\r\n",     "back\\slash\\N", "\\N",
                                        "",     kYoshi + "田\t" + kBeVs};
  {
    pg::TxGuard tx(*c);
    pg::TextCopy copy(*c, "t (n, s)", "copy");
    for (std::size_t i = 0; i < values.size(); ++i) {
      copy.integer(static_cast<std::int64_t>(i));
      copy.text(values[i]);
      copy.end_row();
    }
    copy.integer(99);
    copy.null();
    copy.end_row();
    EXPECT_EQ(copy.finish(), static_cast<std::int64_t>(values.size() + 1));
    tx.commit();
  }
  const pg::Result r = c->exec("SELECT n, s FROM t ORDER BY n", "read back");
  ASSERT_EQ(r.rows(), static_cast<int>(values.size() + 1));
  for (std::size_t i = 0; i < values.size(); ++i)
    EXPECT_EQ(r.text(static_cast<int>(i), 1), values[i]) << i;
  EXPECT_TRUE(r.is_null(static_cast<int>(values.size()), 1));
}

TEST_F(PgStoreTest, CallingTheStoreFromInsideTheWorkThrowsInsteadOfDeadlocking) {
  auto store = open();
  EXPECT_THROW(store->transact([&](Transaction&) { store->coverage_count(); }), StoreError);
  EXPECT_EQ(store->coverage_count(), 0);
}

TEST_F(PgStoreTest, ForEachCoverageStreamsAcrossPagesAndTheVisitorMayReadTheStore) {
  auto store = open();
  LoadBatch batch;
  for (int i = 0; i < 25'000; ++i) batch.upserts.push_back(sample_coverage(i));
  store->commit_load(batch);
  std::int64_t n = 0, last = 0;
  bool ordered = true;
  store->for_each_coverage([&](const core::Coverage& c) {
    ordered = ordered && c.id > last;
    last = c.id;
    if (++n == 12'345) {
      EXPECT_EQ(store->coverage_count(), 25'000);  // on another connection
    }
  });
  EXPECT_EQ(n, 25'000);
  EXPECT_TRUE(ordered);
  EXPECT_EQ(last, 25'000) << "ids are dense: 1..n";
}

TEST_F(PgStoreTest, PipelinedUpdatesStopAtAnUnknownIdAndLeaveTheConnectionClean) {
  auto store = open();
  LoadBatch first;
  for (int i = 0; i < 2500; ++i) first.upserts.push_back(sample_coverage(i));
  store->commit_load(first);

  // More updates than one pipeline run holds, then an insert, then more updates: every kind of
  // run boundary; the unknown id is in the second run.
  LoadBatch second;
  for (int i = 0; i < 2500; ++i) {
    core::Coverage c = first.upserts[static_cast<std::size_t>(i)];
    c.copay_ratio = 1;
    second.upserts.push_back(c);
    if (i == 1200) second.upserts.push_back(sample_coverage(9000));
  }
  second.upserts[1700].id = 999'999;
  try {
    store->commit_load(second);
    FAIL() << "expected StoreError";
  } catch (const ConflictError& e) {
    FAIL() << e.what();
  } catch (const StoreError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("999999"), std::string::npos) << what;
    EXPECT_NE(what.find("row 1700"), std::string::npos) << what;
  }
  // Nothing of it stayed, and the same connections serve the next load.
  std::int64_t copay_one = 0;
  store->for_each_coverage([&](const core::Coverage& c) { copay_one += c.copay_ratio == 1; });
  EXPECT_EQ(copay_one, std::count_if(first.upserts.begin(), first.upserts.end(),
                                     [](const core::Coverage& c) { return c.copay_ratio == 1; }));
  EXPECT_EQ(store->coverage_count(), 2500);
  second.upserts[1700].id = first.upserts[1699].id;
  store->commit_load(second);
  EXPECT_EQ(store->coverage_count(), 2501);
  store->for_each_coverage([&](const core::Coverage& c) { EXPECT_EQ(c.copay_ratio, 1); });
}

TEST_F(PgStoreTest, AnUpdateThatTakesAnotherRowsCardKeyNamesItsRowOnly) {
  auto store = open();
  LoadBatch first;
  for (int i = 0; i < 20; ++i) first.upserts.push_back(sample_coverage(i));
  store->commit_load(first);
  LoadBatch second;
  core::Coverage moved = first.upserts[10];
  moved.key = first.upserts[11].key;
  moved.acquired_on = first.upserts[11].acquired_on;
  second.upserts = {first.upserts[3], moved, first.upserts[5]};
  try {
    store->commit_load(second);
    FAIL() << "expected StoreError";
  } catch (const StoreError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("coverages_card_key_period"), std::string::npos) << what;
    EXPECT_NE(what.find("row 1]"), std::string::npos) << what;
    EXPECT_EQ(what.find(moved.key.number), std::string::npos) << what;
  }
  EXPECT_EQ(store->coverage_count(), 20);
  EXPECT_EQ(store->last_change_seq(), 1);
}

// --- Failure in the middle of a load --------------------------------------------------------

TEST_F(PgStoreTest, ConnectionKilledMidLoadLeavesNothingAndARetryAppliesItOnce) {
  const std::string app = "onshi_kill_" + schema_;
  url_ += "&application_name=" + app;
  auto store = open();
  constexpr int kRows = 200'000;
  LoadBatch batch;
  batch.source = "big.csv";
  batch.actor = "kenpo";
  for (int i = 0; i < kRows; ++i) {
    batch.upserts.push_back(sample_coverage(i));
    batch.event_hashes.push_back(hash_of(i));
  }
  std::exception_ptr failure;
  std::atomic<bool> finished{false};
  std::thread loader([&] {
    try {
      store->commit_load(batch);
    } catch (...) {
      failure = std::current_exception();
    }
    finished = true;
  });
  // From another connection, as an operator would: terminate the loading backend while its
  // COPY is running.
  bool killed = false;
  {
    pg::Connection admin(test_postgres_url());
    pg::Params p;
    p.add(app);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (!killed && !finished && std::chrono::steady_clock::now() < deadline) {
      const pg::Result r = admin.exec(
          "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1 "
          "AND state = 'active' AND query LIKE 'COPY %'",
          p, "terminate the loader");
      killed = r.rows() > 0 && r.text(0, 0) == "t";
      if (!killed) std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
  }
  loader.join();
  ASSERT_TRUE(killed) << "the load finished before its backend could be terminated";
  ASSERT_TRUE(failure != nullptr) << "a load whose connection was killed cannot have succeeded";
  try {
    std::rethrow_exception(failure);
  } catch (const UnavailableError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("127.0.0.1:"), std::string::npos) << what;
    EXPECT_EQ(what.find(password_of(test_postgres_url())), std::string::npos) << what;
  } catch (const std::exception& e) {
    FAIL() << "expected UnavailableError, got: " << e.what();
  }
  for (const auto& c : batch.upserts) ASSERT_EQ(c.id, 0) << "no id handed out by a failed load";

  // Nothing half-applied, and the store works again without being reopened.
  EXPECT_EQ(store->coverage_count(), 0);
  EXPECT_EQ(store->last_change_seq(), 0);
  EXPECT_TRUE(store->changes_after(0, 10).empty());
  auto c = raw();
  EXPECT_EQ(one(*c, "SELECT count(*) FROM loads"), "0");
  EXPECT_EQ(one(*c, "SELECT count(*) FROM applied_events"), "0");

  const std::int64_t load_id = store->commit_load(batch);
  EXPECT_EQ(store->coverage_count(), kRows);
  const auto changes = store->changes_after(0, 10);
  ASSERT_EQ(changes.size(), 1u);
  EXPECT_EQ(changes[0].seq, 1);
  EXPECT_EQ(changes[0].kind, ChangeKind::kLoad);
  EXPECT_EQ(changes[0].load_id, load_id);
  EXPECT_EQ(one(*c, "SELECT count(*) FROM applied_events"), std::to_string(kRows));
  EXPECT_EQ(one(*c, "SELECT count(DISTINCT load_id) FROM coverages"), "1");
  EXPECT_EQ(one(*c, "SELECT min(id) || '..' || max(id) FROM coverages"),
            "1.." + std::to_string(kRows));
}

// --- The change counter under concurrent writers --------------------------------------------

TEST_F(PgStoreTest, ConcurrentWritersOnTwoConnectionsGetSeqInCommitOrderWithoutGaps) {
  constexpr int kPerWriter = 40;
  auto first = open();
  auto second = open();  // its own pool: its own connections, as a second node would have
  auto reader = open();
  std::atomic<int> writers_left{2};
  std::atomic<int> gaps_seen{0};
  std::vector<std::int64_t> seqs[2];
  auto write = [&](Store& s, int w) {
    try {
      for (int i = 0; i < kPerWriter; ++i) {
        const int n = w * kPerWriter + i;
        std::int64_t seq = 0;
        switch (i % 3) {
          case 0:
            seq = s.transact([&](Transaction& tx) {
              tx.add_credential({hash_of(n), Role::kFacility, "1311234567", "desk"});
            });
            break;
          case 1:
            seq = s.transact([&](Transaction& tx) {
              tx.upsert_insurers(std::vector<core::Insurer>{
                  {std::to_string(10000000 + n), "健保", core::InsurerKind::kKyokaiKenpo, 13}});
            });
            break;
          default:
            seq = s.transact([&](Transaction& tx) {
              LoadBatch b = batch_of({sample_coverage(n)}, {hash_of(n)});
              tx.write_load(b);
            });
        }
        seqs[w].push_back(seq);
      }
    } catch (const std::exception& e) {
      ADD_FAILURE() << "writer " << w << ": " << e.what();
    }
    --writers_left;
  };
  std::thread a(write, std::ref(*first), 0);
  std::thread b(write, std::ref(*second), 1);
  // A follower never sees a gap that a later commit fills: what it sees is always 1..n.
  std::size_t seen = 0;
  while (writers_left > 0) {
    const auto log = reader->changes_after(0, 100000);
    for (std::size_t i = 0; i < log.size(); ++i)
      if (log[i].seq != static_cast<std::int64_t>(i) + 1) ++gaps_seen;
    EXPECT_GE(log.size(), seen);
    seen = log.size();
  }
  a.join();
  b.join();
  EXPECT_EQ(gaps_seen.load(), 0);

  std::vector<std::int64_t> all(seqs[0]);
  all.insert(all.end(), seqs[1].begin(), seqs[1].end());
  std::sort(all.begin(), all.end());
  ASSERT_EQ(all.size(), 2u * kPerWriter);
  for (std::size_t i = 0; i < all.size(); ++i)
    EXPECT_EQ(all[i], static_cast<std::int64_t>(i) + 1) << "each transaction one seq, no gaps";
  for (const auto& s : seqs) EXPECT_TRUE(std::is_sorted(s.begin(), s.end()));
  const auto log = reader->changes_after(0, 1000);
  ASSERT_EQ(log.size(), all.size());
  for (std::size_t i = 1; i < log.size(); ++i)
    EXPECT_LE(log[i - 1].at_ms, log[i].at_ms) << "seq order is commit order";
  EXPECT_EQ(reader->last_change_seq(), static_cast<std::int64_t>(all.size()));
  EXPECT_EQ(reader->coverage_count(), 2 * ((kPerWriter + 0) / 3));
}

}  // namespace
}  // namespace onshi::store::testing
