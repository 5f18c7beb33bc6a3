// The access journal (services/journal.hpp, docs/journal.md): records chained into node-local
// files before their answers leave, a torn last record cut off at open, and the background
// import into the store -- idempotent, waiting out a store that is away, anchored.
#include "services/journal.hpp"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "services/journal_format.hpp"
#include "services/journal_verifier.hpp"
#include "store/store.hpp"
#include "tests/temp_dir.hpp"

namespace onshi::services {
namespace {

namespace fs = std::filesystem;
namespace jf = journal_format;
using onshi::testing::TempDir;

core::AccessRecord access(std::int64_t at_ms, const std::string& request_id) {
  core::AccessRecord r;
  r.at_ms = at_ms;
  r.facility_code = "1311234567";
  r.actor = "desk-1";
  r.method = core::ConfirmMethod::kInsuranceCard;
  r.coverage_id = 42;
  r.validity = 1;
  r.request_id = request_id;
  return r;
}

std::string read_all(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::vector<std::string> segments_of(const std::string& dir) {
  std::vector<std::string> out;
  for (const auto& e : fs::directory_iterator(dir)) out.push_back(e.path().string());
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<core::JournalRecord> records_in(const std::string& dir) {
  std::vector<core::JournalRecord> out;
  for (const auto& seg : segments_of(dir)) {
    std::istringstream in(read_all(seg));
    for (std::string line; std::getline(in, line);) {
      auto r = jf::parse_line(line);
      EXPECT_TRUE(r) << line;
      if (r) out.push_back(*r);
    }
  }
  return out;
}

class JournalTest : public ::testing::Test {
 protected:
  JournalTest() : store_(store::open_sqlite_store(dir_.path() + "/onshi.db")) {}

  JournalOptions options() const {
    JournalOptions o;
    o.dir = dir_.path() + "/journal";
    o.node_id = "n1";
    o.retry_every = std::chrono::milliseconds(50);
    return o;
  }
  std::string node_dir() const { return dir_.path() + "/journal/n1"; }
  // Appends `n` records and waits for each one's durable callback.
  static void append_n(Journal& j, int n, int from = 0) {
    std::atomic<int> durable{0};
    for (int i = 0; i < n; ++i)
      j.append(access(1'714'500'000'000 + from + i, "n1-" + std::to_string(from + i)),
               core::FacilityType::kHospital, [&](bool ok) { durable += ok ? 1 : 0; });
    j.flush();
    EXPECT_EQ(durable.load(), n);
  }

  TempDir dir_;
  std::unique_ptr<store::Store> store_;
};

TEST_F(JournalTest, RecordsAreChainedOneLineEachAndImportedIntoTheStore) {
  {
    Journal j(*store_, options());
    append_n(j, 5);
    EXPECT_EQ(j.committed(), 5u);
    EXPECT_EQ(j.head_seq(), 5);
    EXPECT_EQ(j.imported_seq(), 5);
  }
  const auto recs = records_in(node_dir());
  ASSERT_EQ(recs.size(), 5u);
  jf::ChainCheck chain("n1");
  for (const auto& r : recs) EXPECT_EQ(chain.add(r), "");
  EXPECT_EQ(recs[0].prev_hash, core::kJournalGenesis);
  EXPECT_EQ(recs[4].access.request_id, "n1-4");
  EXPECT_EQ(store_->journal_count(), 5);
  EXPECT_EQ(store_->journal_head("n1").hash, recs[4].hash);
  ASSERT_EQ(store_->daily_counts(0, 99999999).size(), 1u);
  EXPECT_EQ(store_->daily_counts(0, 99999999)[0].count, 5);
  // The shutdown anchored the head.
  ASSERT_FALSE(store_->journal_anchors("n1").empty());
  EXPECT_EQ(store_->journal_anchors("n1").back().seq, 5);
  EXPECT_EQ(fs::status(node_dir()).permissions() & fs::perms::all, fs::perms::owner_all);
  EXPECT_EQ(fs::status(segments_of(node_dir())[0]).permissions() & fs::perms::all,
            fs::perms::owner_read | fs::perms::owner_write);
}

TEST_F(JournalTest, ReopeningContinuesTheChain) {
  {
    Journal j(*store_, options());
    append_n(j, 3);
  }
  {
    Journal j(*store_, options());
    EXPECT_EQ(j.head_seq(), 3);
    append_n(j, 2, 3);
  }
  const auto recs = records_in(node_dir());
  ASSERT_EQ(recs.size(), 5u);
  EXPECT_EQ(recs[3].prev_hash, recs[2].hash);
  const auto files = verify_journal_files(dir_.path() + "/journal");
  EXPECT_FALSE(files.broken);
  EXPECT_EQ(files.records, 5);
  EXPECT_FALSE(verify_store_journal(*store_).broken);
  EXPECT_EQ(store_->journal_count(), 5);
}

TEST_F(JournalTest, ATornLastRecordIsCutOffAtOpen) {
  {
    Journal j(*store_, options());
    append_n(j, 3);
  }
  const std::string seg = segments_of(node_dir())[0];
  const auto intact = fs::file_size(seg);
  std::string line = read_all(seg).substr(0, read_all(seg).find('\n'));
  std::ofstream(seg, std::ios::app | std::ios::binary) << line.substr(0, 40);  // died in write()
  {
    Journal j(*store_, options());
    EXPECT_EQ(j.head_seq(), 3);
    EXPECT_EQ(fs::file_size(seg), intact);
    append_n(j, 1, 3);
  }
  EXPECT_EQ(records_in(node_dir()).size(), 4u);
  EXPECT_FALSE(verify_journal_files(dir_.path() + "/journal").broken);
  EXPECT_EQ(store_->journal_count(), 4);
}

TEST_F(JournalTest, DamageBeforeTheLastRecordRefusesToOpen) {
  {
    Journal j(*store_, options());
    append_n(j, 3);
  }
  const std::string seg = segments_of(node_dir())[0];
  std::string data = read_all(seg);
  data[data.find("desk-1")] = 'D';  // record 1 altered; 2 and 3 intact after it
  std::ofstream(seg, std::ios::binary | std::ios::trunc) << data;
  EXPECT_THROW(Journal(*store_, options()), std::runtime_error);
  EXPECT_EQ(fs::file_size(seg), data.size()) << "nothing cut";
  const auto report = verify_journal_files(dir_.path() + "/journal");
  ASSERT_TRUE(report.broken);
  EXPECT_EQ(report.broken->seq, 1);
  EXPECT_EQ(report.broken->where, seg);
}

TEST_F(JournalTest, AnswersDoNotWaitForAStoreThatIsAway) {
  sqlite3* other = nullptr;
  ASSERT_EQ(sqlite3_open((dir_.path() + "/onshi.db").c_str(), &other), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(other, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr), SQLITE_OK);
  Journal j(*store_, options());
  std::atomic<bool> durable{false};
  j.append(access(1'714'500'000'000, "n1-away"), core::FacilityType::kPharmacy,
           [&](bool ok) { durable = ok; });
  const auto t0 = std::chrono::steady_clock::now();
  while (!durable && std::chrono::steady_clock::now() - t0 < std::chrono::seconds(5))
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  EXPECT_TRUE(durable);
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::milliseconds(200))
      << "the answer waited for the store";
  EXPECT_EQ(j.imported_seq(), 0);
  sqlite3_exec(other, "ROLLBACK", nullptr, nullptr, nullptr);
  sqlite3_close(other);
  // The importer tries again by itself, without another confirmation.
  const auto t1 = std::chrono::steady_clock::now();
  while (j.imported_seq() < 1 && std::chrono::steady_clock::now() - t1 < std::chrono::seconds(5))
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  EXPECT_EQ(j.imported_seq(), 1);
  ASSERT_EQ(store_->access_records("", 10).size(), 1u);
  EXPECT_EQ(store_->access_records("", 10)[0].request_id, "n1-away");
}

TEST_F(JournalTest, ImportAfterACrashWritesNothingTwice) {
  {
    Journal j(*store_, options());
    append_n(j, 6);
  }
  // As if the node died after importing only 4 and the store lost nothing: a fresh store that
  // holds the first four, then the journal opened on it again.
  auto other = store::open_sqlite_store(dir_.path() + "/other.db");
  const auto recs = records_in(node_dir());
  ASSERT_TRUE(other->append_journal(std::span(recs).first(4), {}));
  {
    Journal j(*other, options());
    j.flush();
    EXPECT_EQ(j.imported_seq(), 6);
  }
  EXPECT_EQ(other->journal_count(), 6);
  const auto report = verify_store_journal(*other);
  EXPECT_FALSE(report.broken);
  EXPECT_EQ(report.records, 6);
  ASSERT_EQ(other->daily_counts(0, 99999999).size(), 1u);
  EXPECT_EQ(other->daily_counts(0, 99999999)[0].count, 2) << "counted once: only 5 and 6 came";
}

TEST_F(JournalTest, SegmentsRotateAndAreImportedAcrossTheBoundary) {
  auto o = options();
  o.segment_bytes = 600;  // about three records
  {
    Journal j(*store_, o);
    for (int i = 0; i < 5; ++i) append_n(j, 2, 2 * i);
  }
  EXPECT_GE(segments_of(node_dir()).size(), 3u);
  const auto files = verify_journal_files(dir_.path() + "/journal");
  EXPECT_FALSE(files.broken) << files.broken->problem;
  EXPECT_EQ(files.records, 10);
  EXPECT_EQ(store_->journal_count(), 10);
  // And a journal opened again goes on in the newest segment.
  {
    Journal j(*store_, o);
    EXPECT_EQ(j.head_seq(), 10);
    append_n(j, 1, 10);
  }
  EXPECT_EQ(store_->journal_count(), 11);
}

TEST_F(JournalTest, AnchorsEveryNRecords) {
  auto o = options();
  o.anchor_every_records = 3;
  {
    Journal j(*store_, o);
    for (int i = 0; i < 7; ++i) append_n(j, 1, i);
  }
  const auto anchors = store_->journal_anchors("n1");
  ASSERT_GE(anchors.size(), 3u);  // 3, 6 (or later, when batches joined), and 7 at shutdown
  EXPECT_EQ(anchors.back().seq, 7);
  EXPECT_EQ(anchors.back().hash, store_->journal_head("n1").hash);
}

TEST_F(JournalTest, AStoreAheadOfTheFilesIsContinued) {
  {
    Journal j(*store_, options());
    append_n(j, 3);
  }
  fs::remove_all(dir_.path() + "/journal");  // the files lost (a disk replaced)
  {
    Journal j(*store_, options());
    EXPECT_EQ(j.head_seq(), 3);
    append_n(j, 2, 3);
  }
  EXPECT_EQ(store_->journal_count(), 5);
  EXPECT_FALSE(verify_store_journal(*store_).broken);
}

TEST_F(JournalTest, WithoutADirectoryTheJournalIsAnUnnamedFile) {
  {
    JournalOptions o;
    o.node_id = "t";
    Journal j(*store_, o);
    append_n(j, 4);
  }
  EXPECT_EQ(store_->journal_count(), 4);
  EXPECT_FALSE(fs::exists(dir_.path() + "/journal"));
}

TEST_F(JournalTest, FsyncModeIsDurableAndImported) {
  auto o = options();
  o.sync = JournalSync::kFsync;
  {
    Journal j(*store_, o);
    append_n(j, 3);
  }
  EXPECT_EQ(store_->journal_count(), 3);
  EXPECT_EQ(parse_journal_sync("fsync"), JournalSync::kFsync);
  EXPECT_EQ(parse_journal_sync("none"), JournalSync::kNone);
  EXPECT_FALSE(parse_journal_sync("always"));
}

// --- the line format -------------------------------------------------------------------------

TEST(JournalFormat, RoundTripsEveryFieldWithEscapes) {
  core::JournalRecord r;
  r.node_id = "n-1";
  r.seq = 7;
  r.access = access(-5, "id\twith\ttabs");
  r.access.actor = "a%b\nc\rd";
  r.access.coverage_id = 0;
  r.access.validity = 5;
  r.facility_type = core::FacilityType::kDentalClinic;
  r.prev_hash = std::string(core::kJournalGenesis);
  jf::seal(r);
  std::string line;
  jf::append_line(line, r);
  ASSERT_EQ(line.back(), '\n');
  EXPECT_EQ(std::count(line.begin(), line.end(), '\n'), 1);
  const auto back = jf::parse_line(std::string_view(line).substr(0, line.size() - 1));
  ASSERT_TRUE(back);
  EXPECT_EQ(back->access.actor, r.access.actor);
  EXPECT_EQ(back->access.request_id, r.access.request_id);
  EXPECT_EQ(back->access.at_ms, -5);
  EXPECT_EQ(back->facility_type, core::FacilityType::kDentalClinic);
  EXPECT_EQ(back->hash, r.hash);
  EXPECT_EQ(jf::ChainCheck("n-1", 6, r.prev_hash).add(*back), "");
}

TEST(JournalFormat, AcceptsOneSpellingOnly) {
  core::JournalRecord r;
  r.node_id = "n1";
  r.seq = 1;
  r.access = access(1000, "x");
  r.prev_hash = std::string(core::kJournalGenesis);
  jf::seal(r);
  std::string line;
  jf::append_line(line, r);
  line.pop_back();
  ASSERT_TRUE(jf::parse_line(line));
  const auto variant = [&](std::string_view from, std::string_view to) {
    std::string v = line;
    v.replace(v.find(from), from.size(), to);
    return v;
  };
  EXPECT_FALSE(jf::parse_line(variant("\t1\t1000", "\t01\t1000"))) << "leading zero";
  EXPECT_FALSE(jf::parse_line(variant("\t1\t1000", "\t+1\t1000")));
  EXPECT_FALSE(jf::parse_line(variant("desk-1", "desk%2D1"))) << "an escape not needed";
  EXPECT_FALSE(jf::parse_line(variant(r.hash, std::string(63, 'a')))) << "short hash";
  std::string upper = r.hash;
  for (auto& c : upper) c = static_cast<char>(std::toupper(c));
  EXPECT_FALSE(jf::parse_line(variant(r.hash, upper)));
  EXPECT_FALSE(jf::parse_line(line + "\textra"));
  EXPECT_FALSE(jf::parse_line(line.substr(0, line.rfind('\t'))));
  EXPECT_FALSE(jf::parse_line(""));
}

}  // namespace
}  // namespace onshi::services
