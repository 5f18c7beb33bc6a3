// onshi audit verify's checks (services/journal_verifier.hpp) against a store whose journal
// table was edited behind onshi's back: one byte changed, one record deleted, two swapped, the
// tail cut, the chain rewritten -- each is found, and the first broken record named.
#include "services/journal_verifier.hpp"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include "tests/store/store_test_data.hpp"
#include "tests/temp_dir.hpp"

namespace onshi::services {
namespace {

using onshi::testing::TempDir;
using store::testing::ChainBuilder;
using store::testing::sample_access;

class JournalVerifyTest : public ::testing::Test {
 protected:
  JournalVerifyTest() : store_(store::open_sqlite_store(path())) {
    std::vector<core::AccessRecord> access;
    for (int i = 1; i <= 100; ++i)
      access.push_back(
          sample_access(1'714'500'000'000 + i, "1311234567", i, "n1-" + std::to_string(i)));
    records_ = chain_.next(access);
    EXPECT_TRUE(store_->append_journal(records_, {}));
    EXPECT_TRUE(store_->append_journal(ChainBuilder("n0").next({access[0]}), {}));
  }
  std::string path() const { return dir_.path() + "/onshi.db"; }
  void sql(const std::string& statement) {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(path().c_str(), &db), SQLITE_OK);
    char* err = nullptr;
    EXPECT_EQ(sqlite3_exec(db, statement.c_str(), nullptr, nullptr, &err), SQLITE_OK)
        << (err ? err : "");
    sqlite3_free(err);
    sqlite3_close(db);
  }
  JournalBreak broken() {
    const auto report = verify_store_journal(*store_);
    EXPECT_TRUE(report.broken);
    return report.broken.value_or(JournalBreak{});
  }

  TempDir dir_;
  std::unique_ptr<store::Store> store_;
  ChainBuilder chain_{"n1"};
  std::vector<core::JournalRecord> records_;
};

TEST_F(JournalVerifyTest, AnIntactJournalPasses) {
  std::int64_t last_progress = 0;
  const auto report = verify_store_journal(*store_, [&](std::int64_t n) { last_progress = n; });
  EXPECT_FALSE(report.broken);
  EXPECT_EQ(report.records, 101);
  EXPECT_EQ(report.nodes, 2);
  EXPECT_EQ(last_progress, 101);
}

TEST_F(JournalVerifyTest, OneEditedByteIsFoundAtItsRecord) {
  // "desk-7" -> "desk-8" in record 40: one byte.
  sql("UPDATE journal SET actor = 'desk-8' WHERE node_id = 'n1' AND seq = 40");
  const auto b = broken();
  EXPECT_EQ(b.node_id, "n1");
  EXPECT_EQ(b.seq, 40);
  EXPECT_EQ(b.where, "store");
  EXPECT_NE(b.problem.find("does not match its hash"), std::string::npos) << b.problem;
}

TEST_F(JournalVerifyTest, AnEditedNumberIsFoundToo) {
  sql("UPDATE journal SET validity = 2 WHERE node_id = 'n1' AND seq = 77");
  EXPECT_EQ(broken().seq, 77);
}

TEST_F(JournalVerifyTest, ADeletedRecordIsFoundAtTheGap) {
  sql("DELETE FROM journal WHERE node_id = 'n1' AND seq = 40");
  const auto b = broken();
  EXPECT_EQ(b.seq, 41);
  EXPECT_NE(b.problem.find("40 comes next"), std::string::npos) << b.problem;
}

TEST_F(JournalVerifyTest, TwoSwappedRecordsAreFound) {
  // Their contents swapped, sequence numbers kept: the order of events rewritten.
  sql("UPDATE journal SET at_ms = CASE seq WHEN 40 THEN (SELECT at_ms FROM journal WHERE "
      "node_id='n1' "
      "AND seq=41) ELSE (SELECT at_ms FROM journal WHERE node_id='n1' AND seq=40) END, "
      "request_id = CASE seq WHEN 40 THEN 'n1-41' ELSE 'n1-40' END, "
      "coverage_id = CASE seq WHEN 40 THEN 41 ELSE 40 END, "
      "prev_hash = CASE seq WHEN 40 THEN (SELECT prev_hash FROM journal WHERE node_id='n1' AND "
      "seq=41) ELSE (SELECT prev_hash FROM journal WHERE node_id='n1' AND seq=40) END, "
      "hash = CASE seq WHEN 40 THEN (SELECT hash FROM journal WHERE node_id='n1' AND seq=41) "
      "ELSE (SELECT hash FROM journal WHERE node_id='n1' AND seq=40) END, "
      "method = CASE seq WHEN 40 THEN (SELECT method FROM journal WHERE node_id='n1' AND seq=41) "
      "ELSE (SELECT method FROM journal WHERE node_id='n1' AND seq=40) END, "
      "validity = CASE seq WHEN 40 THEN (SELECT validity FROM journal WHERE node_id='n1' AND "
      "seq=41) ELSE (SELECT validity FROM journal WHERE node_id='n1' AND seq=40) END "
      "WHERE node_id = 'n1' AND seq IN (40, 41)");
  EXPECT_EQ(store_->access_records("", 1000).size(), 101u) << "nothing lost, only reordered";
  const auto b = broken();
  EXPECT_EQ(b.seq, 40);
  EXPECT_NE(b.problem.find("previous hash"), std::string::npos) << b.problem;
}

TEST_F(JournalVerifyTest, SwappedSequenceNumbersAreFound) {
  sql("UPDATE journal SET seq = -seq WHERE node_id = 'n1' AND seq IN (40, 41)");
  sql("UPDATE journal SET seq = CASE seq WHEN -40 THEN 41 ELSE 40 END WHERE node_id = 'n1' AND "
      "seq IN (-40, -41)");
  EXPECT_EQ(broken().seq, 40);
}

TEST_F(JournalVerifyTest, ACutTailIsFoundByItsAnchor) {
  store_->add_journal_anchor({"n1", 100, records_[99].hash, 1});
  EXPECT_FALSE(verify_store_journal(*store_).broken);
  sql("DELETE FROM journal WHERE node_id = 'n1' AND seq > 95");
  const auto b = broken();
  EXPECT_EQ(b.seq, 96);
  EXPECT_NE(b.problem.find("anchor"), std::string::npos) << b.problem;
}

TEST_F(JournalVerifyTest, AChainRewrittenConsistentlyIsFoundByItsAnchor) {
  store_->add_journal_anchor({"n1", 50, records_[49].hash, 1});
  // Someone who knows the format changes record 30 and re-seals everything after it.
  auto rewritten = records_;
  rewritten[29].access.actor = "someone-else";
  for (std::size_t i = 29; i < rewritten.size(); ++i) {
    if (i > 29) rewritten[i].prev_hash = rewritten[i - 1].hash;
    journal_format::seal(rewritten[i]);
  }
  sql("DELETE FROM journal WHERE node_id = 'n1' AND seq >= 30");
  ASSERT_TRUE(store_->append_journal(std::span(rewritten).subspan(29), {}));
  const auto b = broken();
  EXPECT_EQ(b.seq, 50);
  EXPECT_NE(b.problem.find("anchor"), std::string::npos) << b.problem;
}

}  // namespace
}  // namespace onshi::services
