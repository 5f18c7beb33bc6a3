// RegistryService against a real SQLite store in a temporary directory: per-row rejection with
// line numbers, idempotent reloads, credentials, the My Number never stored, the index rebuilt
// by a restarted App, and an all-or-nothing commit.
#include "services/registry_service.hpp"
#include "tests/temp_dir.hpp"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <initializer_list>
#include <iterator>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <sstream>
#include <stdexcept>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "core/identifiers.hpp"
#include "core/text_normalise.hpp"
#include "pki/hashing.hpp"
#include "services/app.hpp"
#include "services/authenticator.hpp"
#include "services/change_follower.hpp"

namespace onshi::services {
namespace {

using core::Coverage;
using core::Date;
using core::ErrorCode;
using core::Validity;

const std::string kKenpo = core::make_insurer_number("0613048");   // 06130488
const std::string kKyokai = core::make_insurer_number("0113001");  // 01130012
const std::string kKokuho = core::make_insurer_number("13805");    // 6-digit 国保
const std::string kUnlisted = core::make_insurer_number("3913001");
const std::string kSecret = "0123456789abcdef0123456789abcdef-test-secret";

const std::string kTaka = "\xE9\xAB\x99";                  // 髙
const std::string kYoshi = "\xF0\xA0\xAE\xB7";             // 𠮷 U+20BB7
const std::string kBeVs = "\xE9\x82\x89\xF3\xA0\x84\x81";  // 邉 + U+E0101

const std::string kMyNumberA = core::make_my_number("31415926535");
const std::string kMyNumberB = core::make_my_number("27182818284");

Date ymd(int y, int m, int d) {
  return Date::from_ymd(y, m, d);
}

std::vector<core::Insurer> insurers() {
  return {
      {kKenpo, kTaka + "島屋健康保険組合", core::InsurerKind::kHealthInsuranceSociety, 13},
      {kKyokai, "全国健康保険協会 北海道支部", core::InsurerKind::kKyokaiKenpo, 1},
      {kKokuho, "千代田区", core::InsurerKind::kMunicipalNhi, 13},
  };
}

using onshi::testing::TempDir;

// ---------------------------------------------------------------------- building CSV files

const std::vector<std::string> kColumns = {
    "event",       "insurer_number", "symbol",   "number",      "branch",      "relationship",
    "name",        "name_kana",      "sex",      "birth_date",  "acquired_on", "lost_on",
    "loss_reason", "address",        "postcode", "copay_ratio", "my_number",   "changed_on"};

std::string header() {
  std::string h;
  for (const auto& c : kColumns) h += (h.empty() ? "" : ",") + c;
  return h + "\n";
}

using Values = std::map<std::string, std::string>;

// One CSV line; values are quoted when they need it.
std::string line(const Values& values) {
  std::string out;
  for (std::size_t i = 0; i < kColumns.size(); ++i) {
    if (i) out += ',';
    const auto it = values.find(kColumns[i]);
    if (it == values.end()) continue;
    if (it->second.find_first_of(",\"\n") != std::string::npos) {
      out += '"';
      for (char ch : it->second) out += ch == '"' ? std::string("\"\"") : std::string(1, ch);
      out += '"';
    } else {
      out += it->second;
    }
  }
  for (const auto& [k, v] : values)
    if (std::find(kColumns.begin(), kColumns.end(), k) == kColumns.end())
      throw std::logic_error("unknown test column " + k);
  return out + "\n";
}

Values acquire(const std::string& insurer, const std::string& symbol, const std::string& number,
               const std::string& branch, const std::string& name, const std::string& birth,
               const std::string& acquired, const std::string& my_number = "") {
  return {{"event", "acquire"},
          {"insurer_number", insurer},
          {"symbol", symbol},
          {"number", number},
          {"branch", branch},
          {"relationship", branch == "00" ? "1" : "2"},
          {"name", name},
          {"name_kana", "テスト"},
          {"sex", "1"},
          {"birth_date", birth},
          {"acquired_on", acquired},
          {"my_number", my_number}};
}

Values lose(const std::string& insurer, const std::string& symbol, const std::string& number,
            const std::string& branch, const std::string& lost_on,
            const std::string& reason = "03") {
  return {{"event", "lose"},      {"insurer_number", insurer}, {"symbol", symbol},
          {"number", number},     {"branch", branch},          {"lost_on", lost_on},
          {"loss_reason", reason}};
}

Values change(const std::string& insurer, const std::string& symbol, const std::string& number,
              const std::string& branch, Values changed) {
  changed["event"] = "change";
  changed["insurer_number"] = insurer;
  changed["symbol"] = symbol;
  changed["number"] = number;
  changed["branch"] = branch;
  return changed;
}

Values with(Values v, const std::string& column, const std::string& value) {
  v[column] = value;
  return v;
}

std::string csv(std::initializer_list<Values> rows) {
  std::string out = header();
  for (const auto& r : rows) out += line(r);
  return out;
}

// --------------------------------------------------------------------------- observations

std::vector<Coverage> store_snapshot(store::Store& store) {
  std::vector<Coverage> out;
  store.for_each_coverage([&](const Coverage& c) { out.push_back(c); });
  return out;
}

// A coverage as one comparable line (every field a desk or an insurer could see).
std::string describe(const Coverage& c) {
  std::ostringstream o;
  o << c.id << '|' << c.key.insurer_number << '|' << c.key.symbol << '|' << c.key.number << '|'
    << c.key.branch << '|' << static_cast<int>(c.relationship) << '|' << c.insured_name << '|'
    << c.name << '|' << c.name_kana << '|' << static_cast<int>(c.sex) << '|' << c.birth_date.iso()
    << '|' << c.address << '|' << c.postcode << '|' << c.acquired_on.iso() << '|' << c.lost_on.iso()
    << '|' << static_cast<int>(c.loss_reason) << '|' << c.card_issued_on.iso() << '|'
    << c.card_valid_from.iso() << '|' << c.card_valid_until.iso() << '|' << c.copay_ratio << '|'
    << c.elderly.has_value() << '|' << c.self_pay_limit.has_value() << '|'
    << c.specific_disease.has_value() << '|' << c.person_key;
  return o.str();
}

// An answer's record as one comparable line.
std::string describe(const core::AnswerRecord& r) {
  std::ostringstream o;
  o << r.id;
  for (int t = 0; t < core::AnswerRecord::kTextCount; ++t)
    o << '|' << r.text(static_cast<core::AnswerRecord::Text>(t));
  o << '|' << static_cast<int>(r.relationship) << '|' << static_cast<int>(r.sex) << '|'
    << r.birth_date.iso() << '|' << r.acquired_on.iso() << '|' << r.lost_on.iso() << '|'
    << static_cast<int>(r.loss_reason) << '|' << r.card_issued_on.iso() << '|'
    << r.card_valid_from.iso() << '|' << r.card_valid_until.iso() << '|' << r.copay_ratio << '|'
    << r.elderly.has_value() << '|' << r.self_pay_limit.has_value() << '|'
    << r.specific_disease.has_value() << '|' << r.my_number_linked;
  return o.str();
}

std::vector<std::string> describe_all(const std::vector<Coverage>& all) {
  std::vector<std::string> out;
  for (const auto& c : all) out.push_back(describe(c));
  std::sort(out.begin(), out.end());
  return out;
}

std::string describe(const index::ConfirmAnswer& a) {
  std::ostringstream o;
  o << static_cast<int>(a.resolution.validity) << '|'
    << (a.resolution.reason ? static_cast<int>(*a.resolution.reason) : -1) << '|'
    << a.reason_text.en << '|' << a.reason_text.ja << '|'
    << (a.record ? describe(*a.record) : std::string("<no record>"));
  return o.str();
}

index::CardLookup lookup(const std::string& insurer, std::string_view symbol,
                         std::string_view number, Date birth, Date as_of,
                         std::optional<std::string> branch = std::nullopt) {
  index::CardLookup q;
  q.insurer_number = insurer;
  q.symbol_key = core::match_key(symbol);
  q.number_key = core::match_key(number);
  q.query.branch = std::move(branch);
  q.query.birth_date = birth;
  q.query.as_of = as_of;
  return q;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// Every byte SQLite keeps for the database: the main file, the WAL and the shared-memory index.
std::string database_bytes(const std::string& db_path) {
  std::string all;
  for (const char* suffix : {"", "-wal", "-shm", "-journal"})
    if (std::filesystem::exists(db_path + suffix)) all += read_file(db_path + suffix);
  return all;
}

// A second connection to the file, as an operator's sqlite3 shell would open it.
std::vector<std::string> raw_query(const std::string& db_path, const std::string& sql) {
  std::vector<std::string> out;
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(db_path.c_str(), &db, SQLITE_OPEN_READWRITE, nullptr) != SQLITE_OK) {
    ADD_FAILURE() << "cannot open " << db_path;
    sqlite3_close_v2(db);
    return out;
  }
  sqlite3_busy_timeout(db, 5000);
  sqlite3_stmt* s = nullptr;
  if (sqlite3_prepare_v2(db, sql.c_str(), -1, &s, nullptr) != SQLITE_OK) {
    ADD_FAILURE() << sql << ": " << sqlite3_errmsg(db);
  } else {
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
      const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(s, 0));
      out.push_back(p ? std::string(p, static_cast<std::size_t>(sqlite3_column_bytes(s, 0)))
                      : "NULL");
    }
    if (rc != SQLITE_DONE) ADD_FAILURE() << sql << ": " << sqlite3_errmsg(db);
  }
  sqlite3_finalize(s);
  sqlite3_close_v2(db);
  return out;
}

bool is_lower_hex64(const std::string& s) {
  return s.size() == 64 && std::all_of(s.begin(), s.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
         });
}

// Every test runs with the whole file in one chunk and again with tiny chunks, so that the rows
// of even a small file cross chunk boundaries (a family touched by an earlier chunk, a repeat
// of a row of an earlier chunk, a file error found after chunks were written).
class RegistryServiceTest : public ::testing::TestWithParam<std::size_t> {
 protected:
  void SetUp() override {
    store_ = store::open_sqlite_store(db_path());
    store_->upsert_insurers(insurers());
    // The index learns of loads the way a serving node does: through the change log.
    auth_ = std::make_unique<Authenticator>(*store_);
    follower_ = std::make_unique<ChangeFollower>(*store_, index_, *auth_, 0);
    follower_->catch_up();
    registry_ =
        std::make_unique<RegistryService>(*store_, kSecret, [this] { follower_->catch_up(); });
    registry_->set_rows_per_chunk(GetParam());
  }
  void TearDown() override {
    registry_.reset();
    follower_.reset();
    auth_.reset();
    store_.reset();
  }
  std::string db_path() const { return dir_.path() + "/onshi.db"; }

  LoadReceipt load(const std::string& content, const Principal* who = nullptr) {
    return registry_->load(content, ingest::RegistrationFormat::kAuto, who, "test.csv");
  }

  // The answers for a fixed set of questions, to compare the index before and after.
  std::vector<std::string> answers(const std::vector<index::CardLookup>& questions) {
    std::vector<std::string> out;
    for (const auto& q : questions) out.push_back(describe(index_.confirm(q)));
    return out;
  }

  TempDir dir_;
  std::unique_ptr<store::Store> store_;
  index::EligibilityIndex index_;
  std::unique_ptr<Authenticator> auth_;
  std::unique_ptr<ChangeFollower> follower_;
  std::unique_ptr<RegistryService> registry_;
};

std::vector<std::pair<std::size_t, ErrorCode>> rejections(const LoadReceipt& r) {
  std::vector<std::pair<std::size_t, ErrorCode>> out;
  for (const auto& e : r.rejected) out.emplace_back(e.line, e.error.code);
  return out;
}

// ----------------------------------------------------------------------- rows one by one

TEST_P(RegistryServiceTest, AppliesValidRowsAndRejectsBadRowsWithLineNumbers) {
  std::string content = header();
  content += line(acquire(kKenpo, "12-34", "1001", "00", kTaka + "橋 太郎", "S47.05.01",
                          "2020-04-01"));  // line 2
  content += line(acquire("06130487", "12-34", "1002", "00", "x", "1972-05-01",
                          "2020-04-01"));  // line 3: check digit
  content += line(acquire(kKenpo, "12-34", "1001", "01", kYoshi + "田 花子", "1975-03-03",
                          "2020-04-01"));  // line 4
  content += line(with(acquire(kKenpo, "", "1003", "00", "x", "1972-05-01", "2020-04-01"), "name",
                       ""));                                      // line 5: name missing
  content += "acquire," + kKenpo + ",1,2\n";                      // line 6: too few columns
  content += line(lose(kKenpo, "", "9999", "00", "2024-04-01"));  // line 7: nothing to lose
  content += line(acquire(kKenpo, "", "1004", "00", "x", "1972-13-01",
                          "2020-04-01"));  // line 8: no such month
  content += line(with(acquire(kKenpo, "", "1005", "00", "x", "1972-05-01", "2020-04-01"), "sex",
                       "5"));  // line 9
  content += line(acquire(kKokuho, "千代田", "1006", "00", "山田 " + kBeVs, "1980-01-15",
                          "R6.4.1"));  // line 10

  const LoadReceipt r = load(content);
  ASSERT_FALSE(r.file_error);
  EXPECT_EQ(r.rows_total, 9);
  EXPECT_EQ(r.rows_applied, 3);
  EXPECT_EQ(r.rows_already_applied, 0);
  EXPECT_GT(r.load_id, 0);
  const std::vector<std::pair<std::size_t, ErrorCode>> expected = {
      {3, ErrorCode::kInsurerNumberCheckDigit}, {5, ErrorCode::kRowFieldMissing},
      {6, ErrorCode::kRowColumnCount},          {7, ErrorCode::kRowCoverageNotFound},
      {8, ErrorCode::kDateOutOfRange},          {9, ErrorCode::kRowSexInvalid}};
  EXPECT_EQ(rejections(r), expected);
  for (const auto& e : r.rejected) EXPECT_FALSE(e.error.detail.empty());

  EXPECT_EQ(store_->coverage_count(), 3);
  EXPECT_EQ(index_.coverage_count(), 3u);
  const auto a = index_.confirm(lookup(kKenpo, "1234", "1001", ymd(1972, 5, 1), ymd(2024, 6, 1)));
  EXPECT_EQ(a.resolution.validity, Validity::kValid);
  ASSERT_TRUE(a.record);
  EXPECT_EQ(a.record->name(), kTaka + "橋 太郎");
  EXPECT_EQ(a.record->insured_name(), kTaka + "橋 太郎");
  EXPECT_GT(a.record->id, 0) << "the store's id reaches the index";
  const auto k =
      index_.confirm(lookup(kKokuho, "千代田", "1006", ymd(1980, 1, 15), ymd(2024, 6, 1)));
  ASSERT_TRUE(k.record);
  EXPECT_EQ(k.record->name(), "山田 " + kBeVs);
  EXPECT_EQ(k.record->acquired_on, ymd(2024, 4, 1));
}

// Regression: date rejections name the column but never repeat the value (personal data).
TEST_P(RegistryServiceTest, RejectionDetailsNeverRepeatTheValue) {
  const LoadReceipt r = load(csv({
      acquire(kKenpo, "", "1001", "00", "a", "1972-02-30", "2020-04-01"),
      acquire(kKenpo, "", "1002", "00", "b", "S47.02.30", "2020-04-01"),
      acquire(kKenpo, "", "1003", "00", "c", "明治1年1月1日", "2020-04-01"),
      acquire(kKenpo, "", "1004", "00", "d", "not-a-date-山田", "2020-04-01"),
      with(acquire(kKenpo, "", "1005", "00", "e", "1972-05-01", "2020-04-01"), "postcode",
           "12-345"),
  }));
  ASSERT_EQ(r.rejected.size(), 5u);
  for (const auto& e : r.rejected) {
    SCOPED_TRACE("line " + std::to_string(e.line) + ": " + e.error.detail);
    EXPECT_NE(e.error.detail.find("field '"), std::string::npos) << "names the column";
    for (const char* value :
         {"1972", "02-30", "02.30", "S47.02", "M01", "明治", "山田", "12345", "12-345"})
      EXPECT_EQ(e.error.detail.find(value), std::string::npos) << value;
  }
}

TEST_P(RegistryServiceTest, StoreAndIndexHoldTheSameRecords) {
  load(csv({acquire(kKenpo, "12-34", "1001", "00", "a", "1972-05-01", "2020-04-01"),
            acquire(kKenpo, "12-34", "1001", "01", "b", "1975-05-01", "2020-04-01"),
            acquire(kKyokai, "", "77", "00", "c", "1990-01-01", "2021-04-01", kMyNumberA)}));
  std::vector<Coverage> from_index;
  for (const auto& [ins, sym, num] : std::vector<std::tuple<std::string, std::string, std::string>>{
           {kKenpo, "1234", "1001"}, {kKyokai, "", "77"}})
    for (auto& c : index_.coverages_under(ins, sym, num)) from_index.push_back(c);
  EXPECT_EQ(describe_all(store_snapshot(*store_)), describe_all(from_index));
}

TEST_P(RegistryServiceTest, FileErrorAppliesNothing) {
  const LoadReceipt r = load("event,insurer_number,number,bogus\nacquire," + kKenpo + ",1,x\n");
  ASSERT_TRUE(r.file_error);
  EXPECT_EQ(r.file_error->code, ErrorCode::kFileHeaderInvalid);
  EXPECT_EQ(r.rows_applied, 0);
  EXPECT_EQ(r.load_id, 0);
  EXPECT_EQ(store_->coverage_count(), 0);
}

TEST_P(RegistryServiceTest, JsonLinesAreLoadedToo) {
  const std::string content =
      "{\"event\":\"acquire\",\"insurer_number\":\"" + kKokuho +
      "\",\"number\":\"0012\",\"relationship\":\"1\",\"name\":\"" + kYoshi +
      "田 一郎\",\"sex\":\"1\",\"birth_date\":\"1980-01-15\",\"acquired_on\":\"2024-04-01\"}\n"
      "{\"event\":\"change\",\"insurer_number\":\"" +
      kKokuho + "\",\"number\":\"0012\",\"postcode\":\"1000001\"}\n";
  const LoadReceipt r = load(content);
  EXPECT_EQ(r.rows_applied, 2);
  EXPECT_TRUE(r.rejected.empty());
  const auto a = index_.confirm(lookup(kKokuho, "", "0012", ymd(1980, 1, 15), ymd(2024, 6, 1)));
  ASSERT_TRUE(a.record);
  EXPECT_EQ(a.record->postcode(), "100-0001");
  EXPECT_EQ(a.record->name(), kYoshi + "田 一郎");
}

// -------------------------------------------------------------------------------- idempotence

TEST_P(RegistryServiceTest, LoadingTheSameContentTwiceChangesNothing) {
  const std::string content =
      csv({acquire(kKenpo, "12-34", "1001", "00", kTaka + "橋 太郎", "1972-05-01", "2020-04-01",
                   kMyNumberA),
           acquire(kKenpo, "12-34", "1001", "01", "髙橋 花子", "1975-03-03", "2020-04-01"),
           change(kKenpo, "12-34", "1001", "00", {{"address", "東京都千代田区1-1"}}),
           lose(kKenpo, "12-34", "1001", "01", "2024-04-01"),
           acquire(kKyokai, "", "55", "00", "山田 一郎", "1960-01-01", "2024-04-01", kMyNumberA)});
  const LoadReceipt first = load(content);
  ASSERT_TRUE(first.rejected.empty()) << first.rejected[0].error.detail;
  EXPECT_EQ(first.rows_applied, 5);
  const auto stored = describe_all(store_snapshot(*store_));
  const std::vector<index::CardLookup> questions = {
      lookup(kKenpo, "1234", "1001", ymd(1972, 5, 1), ymd(2024, 6, 1)),
      lookup(kKenpo, "1234", "1001", ymd(1975, 3, 3), ymd(2024, 6, 1)),
      lookup(kKyokai, "", "55", ymd(1960, 1, 1), ymd(2024, 6, 1))};
  const auto before = answers(questions);
  const std::size_t count = index_.coverage_count();

  const LoadReceipt second = load(content);
  EXPECT_FALSE(second.file_error);
  EXPECT_EQ(second.rows_total, 5);
  EXPECT_EQ(second.rows_applied, 0);
  EXPECT_EQ(second.rows_already_applied, 5);
  EXPECT_TRUE(second.rejected.empty());
  EXPECT_EQ(second.load_id, 0) << "nothing to write, no load recorded";
  EXPECT_EQ(describe_all(store_snapshot(*store_)), stored);
  EXPECT_EQ(answers(questions), before);
  EXPECT_EQ(index_.coverage_count(), count);
  EXPECT_EQ(raw_query(db_path(), "SELECT count(*) FROM loads"), std::vector<std::string>{"1"});
}

TEST_P(RegistryServiceTest, TheSameEventTypedDifferentlyIsAlreadyApplied) {
  load(csv({acquire(kKenpo, "12-34", "1001", "01", kTaka + "橋 太郎", "1972-05-01", "2020-04-01",
                    kMyNumberA),
            lose(kKenpo, "12-34", "1001", "01", "2024-04-01", "03")}));
  const auto stored = describe_all(store_snapshot(*store_));
  const std::string fw_mn = "３１４１５９２６５３５" + kMyNumberA.substr(11);
  const LoadReceipt r = load(csv({acquire("０６１３０４８８", "１２－３４", "１００１", "1",
                                          kTaka + "橋 太郎", "S47.05.01", "令和2年4月1日", fw_mn),
                                  lose(kKenpo, "1234", "1001", "01", "R6/4/1", "3")}));
  EXPECT_EQ(r.rows_applied, 0);
  EXPECT_EQ(r.rows_already_applied, 2);
  EXPECT_EQ(describe_all(store_snapshot(*store_)), stored);
}

TEST_P(RegistryServiceTest, ARepeatedRowInOneFileIsCountedOnce) {
  const Values row = acquire(kKenpo, "", "1001", "00", "a", "1972-05-01", "2020-04-01");
  const LoadReceipt r = load(csv({row, row, with(row, "birth_date", "19720501")}));
  EXPECT_EQ(r.rows_applied, 1);
  EXPECT_EQ(r.rows_already_applied, 2);
  EXPECT_EQ(store_->coverage_count(), 1);
}

TEST_P(RegistryServiceTest, AFixedFileCanBeSentAgainWhole) {
  const Values good = acquire(kKenpo, "", "1001", "00", "a", "1972-05-01", "2020-04-01");
  const Values bad = acquire(kKenpo, "", "1002", "00", "b", "1972-02-30", "2020-04-01");
  const LoadReceipt first = load(csv({good, bad}));
  EXPECT_EQ(first.rows_applied, 1);
  ASSERT_EQ(first.rejected.size(), 1u);
  EXPECT_EQ(first.rejected[0].line, 3u);
  const LoadReceipt second = load(csv({good, with(bad, "birth_date", "1972-02-28")}));
  EXPECT_EQ(second.rows_applied, 1);
  EXPECT_EQ(second.rows_already_applied, 1);
  EXPECT_TRUE(second.rejected.empty());
  EXPECT_EQ(store_->coverage_count(), 2);
}

// ---------------------------------------------------------------------- events in file order

TEST_P(RegistryServiceTest, AcquireThenChangeThenLoseInOneFile) {
  const LoadReceipt r = load(csv({
      acquire(kKenpo, "A-1", "1001", "00", "a", "1972-05-01", "2020-04-01"),
      change(kKenpo, "Ａ１", "1001", "00",
             {{"address", "大阪府大阪市北区1-1"}, {"copay_ratio", "2"}}),
      lose(kKenpo, "A1", "1001", "00", "2024-04-01", "01"),
  }));
  EXPECT_TRUE(r.rejected.empty()) << r.rejected[0].error.detail;
  EXPECT_EQ(r.rows_applied, 3);
  const auto all = store_snapshot(*store_);
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(all[0].key.symbol, "A-1") << "the acquire's form is what was registered";
  EXPECT_EQ(all[0].address, "大阪府大阪市北区1-1");
  EXPECT_EQ(all[0].copay_ratio, 2);
  EXPECT_EQ(all[0].lost_on.iso(), "2024-04-01");
  EXPECT_EQ(all[0].loss_reason, core::LossReason::kDeath);
  auto a = index_.confirm(lookup(kKenpo, "A1", "1001", ymd(1972, 5, 1), ymd(2024, 3, 31)));
  EXPECT_EQ(a.resolution.validity, Validity::kValid);
  a = index_.confirm(lookup(kKenpo, "A1", "1001", ymd(1972, 5, 1), ymd(2024, 4, 1)));
  EXPECT_EQ(a.resolution.validity, Validity::kInvalid);
  EXPECT_EQ(a.resolution.reason, ErrorCode::kEligibilityLost);
}

TEST_P(RegistryServiceTest, LoseBeforeTheAcquisitionIsRejectedOnItsLine) {
  const LoadReceipt r = load(csv({
      acquire(kKenpo, "", "1001", "00", "a", "1972-05-01", "2020-04-01"),
      lose(kKenpo, "", "1001", "00", "2020-03-01"),
  }));
  EXPECT_EQ(r.rows_applied, 1);
  EXPECT_EQ(
      rejections(r),
      (std::vector<std::pair<std::size_t, ErrorCode>>{{3, ErrorCode::kRowDatesInconsistent}}));
  const auto all = store_snapshot(*store_);
  ASSERT_EQ(all.size(), 1u);
  EXPECT_FALSE(all[0].lost_on.valid());
}

TEST_P(RegistryServiceTest, AcquireOfTheSamePeriodWithOtherValuesIsRefused) {
  // R-A3: typed differently it is the same row (R-S2); with other values it is refused.
  load(csv({acquire(kKenpo, "12-34", "1001", "00", "旧姓 花子", "1972-05-01", "2020-04-01")}));
  const auto before = store_snapshot(*store_);
  ASSERT_EQ(before.size(), 1u);
  const LoadReceipt same =
      load(csv({acquire(kKenpo, "1234", "1001", "00", "旧姓　花子", "S47.5.1", "2020-04-01")}));
  EXPECT_EQ(same.rows_already_applied, 1);
  const LoadReceipt other =
      load(csv({acquire(kKenpo, "1234", "1001", "00", "新姓 花子", "1972-05-01", "2020-04-01")}));
  EXPECT_EQ(rejections(other), (std::vector<std::pair<std::size_t, ErrorCode>>{
                                   {2, ErrorCode::kRowPeriodAlreadyRegistered}}));
  const auto after = store_snapshot(*store_);
  ASSERT_EQ(after.size(), 1u);
  EXPECT_EQ(after[0].name, "旧姓 花子");
  EXPECT_EQ(after[0].key.symbol, "12-34");
  EXPECT_EQ(index_.coverage_count(), 1u);
}

TEST_P(RegistryServiceTest, ChangeTargetsTheLatestPeriodOrTheOneNamed) {
  load(csv({acquire(kKenpo, "", "1001", "00", "a", "1972-05-01", "2000-04-01"),
            lose(kKenpo, "", "1001", "00", "2005-04-01"),
            acquire(kKenpo, "", "1001", "00", "a", "1972-05-01", "2010-04-01")}));
  ASSERT_EQ(store_->coverage_count(), 2);
  load(csv(
      {change(kKenpo, "", "1001", "00", {{"address", "latest"}}),
       change(kKenpo, "", "1001", "00", {{"address", "first"}, {"acquired_on", "2000-04-01"}})}));
  for (const auto& c : store_snapshot(*store_)) {
    if (c.acquired_on == ymd(2010, 4, 1)) {
      EXPECT_EQ(c.address, "latest");
    } else {
      EXPECT_EQ(c.acquired_on, ymd(2000, 4, 1));
      EXPECT_EQ(c.address, "first");
    }
  }
  // A change naming a period that does not exist is rejected.
  const LoadReceipt r = load(
      csv({change(kKenpo, "", "1001", "00", {{"address", "x"}, {"acquired_on", "2001-01-01"}})}));
  EXPECT_EQ(rejections(r),
            (std::vector<std::pair<std::size_t, ErrorCode>>{{2, ErrorCode::kRowCoverageNotFound}}));
}

// Regression: a rejected row does not make its identical twin later in the file count as
// already applied.
TEST_P(RegistryServiceTest, ARejectedRowDoesNotMakeItsTwinAlreadyApplied) {
  const Values lose_x = lose(kKenpo, "", "1001", "00", "2024-04-01");
  const LoadReceipt r = load(csv({
      lose_x,
      acquire(kKenpo, "", "1001", "00", "a", "1972-05-01", "2020-04-01"),
      lose_x,
  }));
  EXPECT_EQ(rejections(r),
            (std::vector<std::pair<std::size_t, ErrorCode>>{{2, ErrorCode::kRowCoverageNotFound}}));
  EXPECT_EQ(r.rows_applied, 2);
  EXPECT_EQ(r.rows_already_applied, 0);
  const auto all = store_snapshot(*store_);
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(all[0].lost_on.iso(), "2024-04-01");
}

// "Already applied" is decided by the event's content. A change back to an earlier value
// (the member moved back) is a new event only through its 異動年月日 (changed_on); this was
// first reported as a bug (undated reverts were silently dropped) and is now the documented
// contract of core::registration_fingerprint_text.
TEST_P(RegistryServiceTest, ADatedChangeBackToAnEarlierValueIsApplied) {
  load(csv(
      {with(acquire(kKenpo, "", "1001", "00", "a", "1972-05-01", "2020-04-01"), "address", "A")}));
  load(csv({change(kKenpo, "", "1001", "00", {{"address", "B"}, {"changed_on", "2021-01-01"}})}));
  load(csv({change(kKenpo, "", "1001", "00", {{"address", "C"}, {"changed_on", "2022-01-01"}})}));
  const LoadReceipt back =
      load(csv({change(kKenpo, "", "1001", "00", {{"address", "B"}, {"changed_on", "R5.1.1"}})}));
  EXPECT_EQ(back.rows_applied, 1);
  EXPECT_EQ(back.rows_already_applied, 0);
  auto all = store_snapshot(*store_);
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(all[0].address, "B");
  // The same dated change sent again is a re-send.
  const LoadReceipt again = load(
      csv({change(kKenpo, "", "1001", "00", {{"address", "B"}, {"changed_on", "2023-01-01"}})}));
  EXPECT_EQ(again.rows_applied, 0);
  EXPECT_EQ(again.rows_already_applied, 1);
}

TEST_P(RegistryServiceTest, AnUndatedChangeBackIsTakenForAReSend) {
  load(csv(
      {with(acquire(kKenpo, "", "1001", "00", "a", "1972-05-01", "2020-04-01"), "address", "A")}));
  load(csv({change(kKenpo, "", "1001", "00", {{"address", "B"}})}));
  load(csv({change(kKenpo, "", "1001", "00", {{"address", "C"}})}));
  const LoadReceipt back = load(csv({change(kKenpo, "", "1001", "00", {{"address", "B"}})}));
  EXPECT_EQ(back.rows_applied, 0);
  EXPECT_EQ(back.rows_already_applied, 1);
  const auto all = store_snapshot(*store_);
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(all[0].address, "C") << "documented: send changed_on to repeat an earlier change";
}

// ----------------------------------------------------------------------- who may register

TEST_P(RegistryServiceTest, InsurerCredentialRegistersOnlyItsOwnNumbers) {
  Principal kenpo;
  kenpo.role = store::Role::kInsurer;
  kenpo.label = "kenpo-upload-1";
  kenpo.insurer_numbers = {kKenpo};
  const LoadReceipt r =
      load(csv({
               acquire(kKenpo, "", "1001", "00", "a", "1972-05-01", "2020-04-01"),
               acquire(kKyokai, "", "1002", "00", "b", "1972-05-01", "2020-04-01"),
               acquire("０６１３０４８８", "", "1003", "00", "c", "1972-05-01", "2020-04-01"),
               acquire(kKokuho, "", "1004", "00", "d", "1972-05-01", "2020-04-01"),
           }),
           &kenpo);
  EXPECT_EQ(r.rows_applied, 2);
  EXPECT_EQ(rejections(r),
            (std::vector<std::pair<std::size_t, ErrorCode>>{
                {3, ErrorCode::kRowInsurerNotAllowed}, {5, ErrorCode::kRowInsurerNotAllowed}}));
  EXPECT_EQ(store_->coverage_count(), 2);
  EXPECT_EQ(index_.coverages_under(kKyokai, "", "1002").size(), 0u);
  // The load is recorded under the credential's label.
  EXPECT_EQ(raw_query(db_path(), "SELECT actor FROM loads"),
            std::vector<std::string>{"kenpo-upload-1"});

  // A credential with several insurer numbers may use each; the local command may use any.
  Principal group = kenpo;
  group.insurer_numbers = {kKenpo, kKyokai};
  EXPECT_EQ(load(csv({acquire(kKyokai, "", "1002", "00", "b", "1972-05-01", "2020-04-01")}), &group)
                .rows_applied,
            1);
  EXPECT_EQ(
      load(csv({acquire(kKokuho, "", "1004", "00", "d", "1972-05-01", "2020-04-01")})).rows_applied,
      1);
}

TEST_P(RegistryServiceTest, UnknownInsurerIsRejected) {
  Principal own;
  own.role = store::Role::kInsurer;
  own.label = "new-insurer";
  own.insurer_numbers = {kUnlisted};
  for (const Principal* who :
       {static_cast<const Principal*>(nullptr), static_cast<const Principal*>(&own)}) {
    const LoadReceipt r =
        load(csv({acquire(kUnlisted, "", "1001", "00", "a", "1972-05-01", "2020-04-01")}), who);
    EXPECT_EQ(r.rows_applied, 0);
    EXPECT_EQ(rejections(r),
              (std::vector<std::pair<std::size_t, ErrorCode>>{{2, ErrorCode::kRowInsurerUnknown}}));
  }
  EXPECT_EQ(store_->coverage_count(), 0);
  // Once the operator lists it, the same file goes through.
  const std::vector<core::Insurer> added = {
      {kUnlisted, "後期高齢者医療広域連合", core::InsurerKind::kLateStageElderly, 13}};
  store_->upsert_insurers(added);
  index_.upsert_insurers(added);
  EXPECT_EQ(load(csv({acquire(kUnlisted, "", "1001", "00", "a", "1972-05-01", "2020-04-01")}), &own)
                .rows_applied,
            1);
}

// ------------------------------------------------------------------------------- My Number

TEST_P(RegistryServiceTest, MyNumberIsNeverStoredOnlyItsKeyedHash) {
  const LoadReceipt r = load(csv({
      acquire(kKenpo, "", "1001", "00", "a", "1972-05-01", "2010-04-01", kMyNumberA),
      lose(kKenpo, "", "1001", "00", "2024-04-01"),
      acquire(kKyokai, "", "2002", "00", "a", "1972-05-01", "2024-04-01",
              "３１４１ ５９２６ " + kMyNumberA.substr(8)),
      acquire(kKokuho, "", "3003", "00", "b", "1985-12-24", "2024-04-01", kMyNumberB),
      change(kKokuho, "", "3003", "00", {{"my_number", kMyNumberB}}),
  }));
  ASSERT_TRUE(r.rejected.empty()) << r.rejected[0].error.detail;

  const std::string key_a = registry_->person_key(kMyNumberA);
  const std::string key_b = registry_->person_key(kMyNumberB);
  EXPECT_TRUE(is_lower_hex64(key_a)) << key_a;
  EXPECT_EQ(key_a, pki::hmac_sha256_hex(kSecret, kMyNumberA));
  EXPECT_NE(key_a, pki::sha256_hex(kMyNumberA)) << "a plain hash can be reversed by enumeration";
  EXPECT_NE(key_a, key_b);
  for (const auto& c : store_snapshot(*store_)) {
    EXPECT_TRUE(is_lower_hex64(c.person_key)) << c.person_key;
    EXPECT_EQ(c.person_key, c.key.insurer_number == kKokuho ? key_b : key_a);
  }

  // The link works: the old insurer's card now says a newer coverage exists.
  const auto a = index_.confirm(lookup(kKenpo, "", "1001", ymd(1972, 5, 1), ymd(2024, 6, 1)));
  EXPECT_EQ(a.resolution.validity, Validity::kInvalidNewerExists);

  // Not in the file in any form: digits, the first eleven, or an unkeyed hash.
  auto check_file = [&](const char* when) {
    SCOPED_TRACE(when);
    const std::string bytes = database_bytes(db_path());
    ASSERT_FALSE(bytes.empty());
    // Positive control: the search does see the data that is there.
    EXPECT_NE(bytes.find(key_a), std::string::npos);
    for (const std::string& mn : {kMyNumberA, kMyNumberB}) {
      EXPECT_EQ(bytes.find(mn), std::string::npos);
      EXPECT_EQ(bytes.find(mn.substr(0, 11)), std::string::npos);
      EXPECT_EQ(bytes.find(pki::sha256_hex(mn)), std::string::npos);
    }
  };
  check_file("while open (WAL)");
  registry_.reset();
  store_.reset();  // closing checkpoints the WAL into the main file
  check_file("after close");
}

TEST_P(RegistryServiceTest, BadMyNumberIsRejectedWithoutEchoingIt) {
  const std::string wrong =
      kMyNumberA.substr(0, 11) + static_cast<char>('0' + (kMyNumberA[11] - '0' + 1) % 10);
  const LoadReceipt r =
      load(csv({acquire(kKenpo, "", "1001", "00", "a", "1972-05-01", "2020-04-01", wrong)}));
  ASSERT_EQ(r.rejected.size(), 1u);
  EXPECT_EQ(r.rejected[0].error.code, ErrorCode::kMyNumberCheckDigit);
  EXPECT_EQ(r.rejected[0].error.detail.find(wrong.substr(0, 11)), std::string::npos);
  EXPECT_EQ(database_bytes(db_path()).find(wrong.substr(0, 11)), std::string::npos);
}

// ---------------------------------------------------------------------------- restart

TEST(RegistryServiceApp, ReloadRebuildsTheIndexWithIdenticalAnswers) {
  TempDir dir;
  const std::string content = csv({
      acquire(kKenpo, "12-34", "1001", "00", kTaka + "橋 太郎", "1972-05-01", "2010-04-01",
              kMyNumberA),
      acquire(kKenpo, "12-34", "1001", "01", "髙橋 花子", "1975-03-03", "2010-04-01"),
      acquire(kKenpo, "12-34", "1001", "02", "髙橋 一", "2015-08-08", "2015-08-08"),
      acquire(kKenpo, "12-34", "1001", "03", "髙橋 二", "2015-08-08", "2015-08-08"),
      lose(kKenpo, "12-34", "1001", "00", "2024-04-01"),
      acquire(kKyokai, "ｱｲ-5", "2002", "00", kYoshi + "田 一郎", "1972-05-01", "2024-04-01",
              kMyNumberA),
      change(kKyokai, "ｱｲ5", "2002", "00", {{"address", "北海道札幌市中央区1-1"}}),
      acquire(kKokuho, "千代田", "3003", "00", "山田 " + kBeVs, "1985-12-24", "2025-01-01"),
  });
  const std::vector<index::CardLookup> questions = {
      lookup(kKenpo, "1234", "1001", ymd(1972, 5, 1), ymd(2024, 6, 1)),
      lookup(kKenpo, "1234", "1001", ymd(1972, 5, 1), ymd(2024, 3, 31)),
      lookup(kKenpo, "1234", "1001", ymd(1975, 3, 3), ymd(2024, 6, 1)),
      lookup(kKenpo, "1234", "1001", ymd(2015, 8, 8), ymd(2024, 6, 1)),
      lookup(kKenpo, "1234", "1001", ymd(2015, 8, 8), ymd(2024, 6, 1), "03"),
      lookup(kKenpo, "1234", "1001", ymd(2015, 8, 8), ymd(2024, 6, 1), "09"),
      lookup(kKyokai, "ｱｲ5", "2002", ymd(1972, 5, 1), ymd(2024, 6, 1)),
      lookup(kKokuho, "千代田", "3003", ymd(1985, 12, 24), ymd(2024, 6, 1)),
      lookup(kKokuho, "千代田", "3003", ymd(1985, 12, 24), ymd(2025, 1, 1)),
      lookup(kKokuho, "", "3003", ymd(1985, 12, 24), ymd(2025, 1, 1)),
      lookup(kUnlisted, "", "1", ymd(1985, 12, 24), ymd(2025, 1, 1)),
  };
  std::vector<std::string> before;
  std::size_t count = 0;
  {
    App app(dir.path(), App::Mode::kServing);
    app.store().upsert_insurers(insurers());
    app.follower().catch_up();
    const LoadReceipt r =
        app.registry().load(content, ingest::RegistrationFormat::kCsv, nullptr, "a.csv");
    ASSERT_TRUE(r.rejected.empty()) << r.rejected[0].error.detail;
    ASSERT_EQ(r.rows_applied, 8);
    for (const auto& q : questions) before.push_back(describe(app.index().confirm(q)));
    count = app.index().coverage_count();
  }
  // Sanity: the answers are the interesting ones.
  EXPECT_EQ(before[0].substr(0, 2), "3|");
  EXPECT_EQ(before[1].substr(0, 2), "1|");
  EXPECT_EQ(before[3].substr(0, 2), "5|");
  EXPECT_EQ(before[4].substr(0, 2), "1|");
  EXPECT_EQ(before[10].substr(0, 2), "4|");

  App again(dir.path(), App::Mode::kServing);
  EXPECT_EQ(again.index().coverage_count(), count);
  for (std::size_t i = 0; i < questions.size(); ++i) {
    SCOPED_TRACE("question " + std::to_string(i));
    EXPECT_EQ(describe(again.index().confirm(questions[i])), before[i]);
  }
  // The person-key secret survived the restart: the same file is still recognised.
  const LoadReceipt r =
      again.registry().load(content, ingest::RegistrationFormat::kCsv, nullptr, "a.csv");
  EXPECT_EQ(r.rows_applied, 0);
  EXPECT_EQ(r.rows_already_applied, 8);
}

// ------------------------------------------------------------------------- atomic commits

// The failure is injected with a trigger, installed from a second connection, that aborts the
// last statement of commit_load (the event fingerprints): by then the load row and every
// coverage of the batch have been written inside the transaction, so this checks the rollback
// of a transaction that had already done all of its work.
TEST_P(RegistryServiceTest, AFailedCommitLeavesStoreAndIndexUnchanged) {
  load(csv({acquire(kKenpo, "", "1001", "00", "a", "1972-05-01", "2020-04-01"),
            acquire(kKenpo, "", "1001", "01", "b", "1975-05-01", "2020-04-01")}));
  const auto stored = describe_all(store_snapshot(*store_));
  const std::vector<index::CardLookup> questions = {
      lookup(kKenpo, "", "1001", ymd(1972, 5, 1), ymd(2024, 6, 1)),
      lookup(kKenpo, "", "1001", ymd(1975, 5, 1), ymd(2024, 6, 1)),
      lookup(kKyokai, "", "2002", ymd(1990, 1, 1), ymd(2024, 6, 1))};
  const auto before = answers(questions);
  const std::size_t count = index_.coverage_count();

  raw_query(db_path(),
            "CREATE TRIGGER onshi_test_fail BEFORE INSERT ON applied_events "
            "BEGIN SELECT RAISE(ABORT, 'injected failure'); END");
  const std::string content =
      csv({change(kKenpo, "", "1001", "00", {{"address", "changed"}}),
           lose(kKenpo, "", "1001", "01", "2024-04-01"),
           acquire(kKyokai, "", "2002", "00", "c", "1990-01-01", "2021-04-01")});
  EXPECT_THROW(load(content), store::StoreError);
  EXPECT_EQ(describe_all(store_snapshot(*store_)), stored);
  EXPECT_EQ(store_->coverage_count(), 2);
  EXPECT_EQ(index_.coverage_count(), count);
  EXPECT_EQ(answers(questions), before);
  EXPECT_EQ(raw_query(db_path(), "SELECT count(*) FROM loads"), std::vector<std::string>{"1"});

  // Nothing of the failed load was remembered: sent again, it applies in full.
  raw_query(db_path(), "DROP TRIGGER onshi_test_fail");
  const LoadReceipt r = load(content);
  EXPECT_EQ(r.rows_applied, 3);
  EXPECT_EQ(r.rows_already_applied, 0);
  EXPECT_EQ(store_->coverage_count(), 3);
  const auto after = answers(questions);
  EXPECT_NE(after, before);
  EXPECT_EQ(index_.confirm(questions[1]).resolution.validity, Validity::kInvalid);
  EXPECT_EQ(index_.confirm(questions[2]).resolution.validity, Validity::kValid);
}

// ------------------------------------------------------------------------ chunked loads

// Names and kana in ASCII so that the file's only non-ASCII bytes are the broken last line:
// the file is then "not UTF-8 at all", which is found only at its end.
Values ascii_acquire(const std::string& number, const std::string& branch) {
  Values v = acquire(kKenpo, "", number, branch, "a", "1972-05-01", "2020-04-01");
  v.erase("name_kana");
  return v;
}

TEST_P(RegistryServiceTest, AFileErrorFoundAtTheEndRollsBackEveryChunk) {
  const std::string content =
      csv({ascii_acquire("3001", "00"), ascii_acquire("3002", "00"), ascii_acquire("3003", "00")}) +
      "acquire,\x82\xa0\x82\xa2\n";  // Shift_JIS
  const std::int64_t seq = store_->last_change_seq();
  const LoadReceipt r = load(content);
  ASSERT_TRUE(r.file_error);
  EXPECT_EQ(r.file_error->code, ErrorCode::kFileEncoding);
  EXPECT_EQ(r.rows_applied, 0);
  EXPECT_EQ(r.load_id, 0);
  EXPECT_TRUE(r.rejected.empty());
  EXPECT_EQ(store_->coverage_count(), 0);
  EXPECT_EQ(store_->last_change_seq(), seq);
  EXPECT_EQ(raw_query(db_path(), "SELECT count(*) FROM loads"), std::vector<std::string>{"0"});
  EXPECT_EQ(raw_query(db_path(), "SELECT count(*) FROM applied_events"),
            std::vector<std::string>{"0"});
  // Without the broken line the same rows apply: they were refused for the file, not for
  // themselves.
  EXPECT_EQ(load(content.substr(0, content.rfind("acquire,"))).rows_applied, 3);
}

TEST_P(RegistryServiceTest, AFileIsStreamedFromDiskWithTheSameOutcomeAsInMemory) {
  const std::string content =
      csv({acquire(kKenpo, "", "4001", "00", "a", "1972-05-01", "2020-04-01"),
           change(kKenpo, "", "4001", "00", {{"address", "東京都千代田区"}}),
           lose(kKenpo, "", "4999", "00", "2024-04-01"),                        // no such coverage
           acquire(kKenpo, "", "4001", "00", "a", "1972-05-01", "2020-04-01"),  // a re-send
           acquire(kUnlisted, "", "4002", "00", "b", "1980-01-01", "2020-04-01")});
  const std::string path = dir_.path() + "/registrations.csv";
  std::ofstream(path, std::ios::binary) << content;
  std::vector<LoadProgress> seen;
  const LoadReceipt r =
      registry_->load_file(path, ingest::RegistrationFormat::kAuto, nullptr, "registrations.csv",
                           [&](const LoadProgress& p) { seen.push_back(p); });
  EXPECT_FALSE(r.file_error);
  EXPECT_EQ(r.rows_total, 5);
  EXPECT_EQ(r.rows_applied, 2);
  EXPECT_EQ(r.rows_already_applied, 1);
  EXPECT_EQ(rejections(r),
            (std::vector<std::pair<std::size_t, ErrorCode>>{{4, ErrorCode::kRowCoverageNotFound},
                                                            {6, ErrorCode::kRowInsurerUnknown}}));
  EXPECT_GT(r.load_id, 0);
  ASSERT_EQ(store_->coverage_count(), 1);
  EXPECT_EQ(store_snapshot(*store_)[0].address, "東京都千代田区");
  // One load, one change-log entry, however many chunks wrote it.
  EXPECT_EQ(raw_query(db_path(),
                      "SELECT count(*) || ' ' || rows_total || ' ' || rows_applied || "
                      "' ' || rows_rejected || ' ' || rows_already_applied FROM loads"),
            std::vector<std::string>{"1 5 2 2 1"});
  EXPECT_EQ(raw_query(db_path(), "SELECT count(*) FROM changes WHERE kind = 1"),
            std::vector<std::string>{"1"});
  // Progress: never backwards, ending at the file's size and row count.
  ASSERT_FALSE(seen.empty());
  for (std::size_t i = 1; i < seen.size(); ++i)
    EXPECT_GE(seen[i].bytes_read, seen[i - 1].bytes_read);
  EXPECT_EQ(seen.back().bytes_read, content.size());
  EXPECT_EQ(seen.back().bytes_total, content.size());
  EXPECT_EQ(seen.back().rows_read, 5);
  // Loaded again from disk: nothing new.
  const LoadReceipt again =
      registry_->load_file(path, ingest::RegistrationFormat::kAuto, nullptr, "registrations.csv");
  EXPECT_EQ(again.rows_applied, 0);
  EXPECT_EQ(again.load_id, 0);
  EXPECT_THROW(registry_->load_file(dir_.path() + "/missing.csv", ingest::RegistrationFormat::kAuto,
                                    nullptr, "missing.csv"),
               std::runtime_error);
}

// A store that passes everything to a real one but makes the first attempt of a load lose a
// race right before the load would finish, after every chunk has been written: the retried
// attempt must read the file again from its start and count nothing twice.
class ConflictOnce final : public store::Store {
 public:
  explicit ConflictOnce(store::Store& inner) : inner_(inner) {}
  int attempts = 0;

  std::vector<core::Insurer> insurers() override { return inner_.insurers(); }
  std::vector<core::Facility> facilities() override { return inner_.facilities(); }
  std::vector<store::Credential> credentials() override { return inner_.credentials(); }
  void for_each_coverage(const std::function<void(const Coverage&)>& visit) override {
    inner_.for_each_coverage(visit);
  }
  std::int64_t coverage_count() override { return inner_.coverage_count(); }
  std::int64_t last_change_seq() override { return inner_.last_change_seq(); }
  std::vector<store::Change> changes_after(std::int64_t after, int limit) override {
    return inner_.changes_after(after, limit);
  }
  std::vector<Coverage> coverages_of_load(std::int64_t load_id, std::int64_t after_id,
                                          int limit) override {
    return inner_.coverages_of_load(load_id, after_id, limit);
  }
  core::JournalAnchor journal_head(std::string_view node) override {
    return inner_.journal_head(node);
  }
  bool append_journal(std::span<const core::JournalRecord> records,
                      std::span<const core::DailyCount> counts) override {
    return inner_.append_journal(records, counts);
  }
  void add_journal_anchor(const core::JournalAnchor& a) override { inner_.add_journal_anchor(a); }
  std::vector<core::JournalAnchor> journal_anchors(std::string_view node) override {
    return inner_.journal_anchors(node);
  }
  std::vector<std::string> journal_nodes() override { return inner_.journal_nodes(); }
  std::int64_t journal_count() override { return inner_.journal_count(); }
  void for_each_journal_record(
      std::string_view node,
      const std::function<void(const core::JournalRecord&)>& visit) override {
    inner_.for_each_journal_record(node, visit);
  }
  std::vector<core::AccessRecord> access_records(const std::string& facility, int limit) override {
    return inner_.access_records(facility, limit);
  }
  std::vector<core::DailyCount> daily_counts(std::int32_t from, std::int32_t to) override {
    return inner_.daily_counts(from, to);
  }

 protected:
  std::int64_t run_transaction(const std::function<void(store::Transaction&)>& work) override {
    // The inner store's transact rolls the attempt back and retries on the ConflictError.
    return inner_.transact([&](store::Transaction& tx) {
      Tx flaky(tx, ++attempts == 1);
      work(flaky);
    });
  }

 private:
  class Tx final : public store::Transaction {
   public:
    Tx(store::Transaction& inner, bool fail) : inner_(inner), fail_(fail) {}
    std::vector<bool> applied_events(std::span<const std::string> h) override {
      return inner_.applied_events(h);
    }
    std::vector<Coverage> coverages_under(std::string_view i, std::string_view s,
                                          std::string_view n) override {
      return inner_.coverages_under(i, s, n);
    }
    bool insurer_known(std::string_view i) override { return inner_.insurer_known(i); }
    std::int64_t begin_load(std::string_view source, std::string_view actor) override {
      return inner_.begin_load(source, actor);
    }
    void write_coverages(std::int64_t id, std::span<Coverage> c) override {
      inner_.write_coverages(id, c);
    }
    void write_event_hashes(std::int64_t id, std::span<const std::string> h) override {
      inner_.write_event_hashes(id, h);
    }
    void finish_load(std::int64_t id, const store::LoadCounts& counts) override {
      if (fail_) throw store::ConflictError("test: lost a race");
      inner_.finish_load(id, counts);
    }
    void upsert_insurers(std::span<const core::Insurer> x) override { inner_.upsert_insurers(x); }
    void upsert_facilities(std::span<const core::Facility> x) override {
      inner_.upsert_facilities(x);
    }
    void add_credential(const store::Credential& c) override { inner_.add_credential(c); }
    bool revoke_credential(std::string_view t) override { return inner_.revoke_credential(t); }

   private:
    store::Transaction& inner_;
    bool fail_;
  };
  store::Store& inner_;
};

TEST_P(RegistryServiceTest, ALoadRetriedAfterAConflictStartsAgainFromTheFirstRow) {
  ConflictOnce flaky(*store_);
  RegistryService registry(flaky, kSecret, [this] { follower_->catch_up(); });
  registry.set_rows_per_chunk(GetParam());
  const std::string content =
      csv({acquire(kKenpo, "", "5001", "00", "a", "1972-05-01", "2020-04-01"),
           acquire(kKenpo, "", "5001", "01", "b", "1975-05-01", "2020-04-01"),
           acquire(kKenpo, "", "5001", "00", "a", "1972-05-01", "2020-04-01"),  // repeat
           change(kKenpo, "", "5001", "01", {{"address", "大阪府"}}),
           lose(kKenpo, "", "5999", "00", "2024-04-01")});
  const LoadReceipt r =
      registry.load(content, ingest::RegistrationFormat::kAuto, nullptr, "test.csv");
  EXPECT_EQ(flaky.attempts, 2);
  EXPECT_EQ(r.rows_total, 5);
  EXPECT_EQ(r.rows_applied, 3);
  EXPECT_EQ(r.rows_already_applied, 1);
  EXPECT_EQ(rejections(r),
            (std::vector<std::pair<std::size_t, ErrorCode>>{{6, ErrorCode::kRowCoverageNotFound}}));
  EXPECT_EQ(store_->coverage_count(), 2);
  EXPECT_EQ(raw_query(db_path(), "SELECT count(*) FROM loads"), std::vector<std::string>{"1"});
  EXPECT_EQ(raw_query(db_path(), "SELECT count(*) FROM applied_events"),
            std::vector<std::string>{"3"});
  EXPECT_EQ(index_.coverage_count(), 2u);
}

INSTANTIATE_TEST_SUITE_P(Chunks, RegistryServiceTest,
                         ::testing::Values(RegistryService::kRowsPerChunk, std::size_t{1},
                                           std::size_t{2}),
                         [](const ::testing::TestParamInfo<std::size_t>& p) {
                           return p.param == RegistryService::kRowsPerChunk
                                      ? std::string("WholeFile")
                                      : "RowsPerChunk" + std::to_string(p.param);
                         });

}  // namespace
}  // namespace onshi::services
