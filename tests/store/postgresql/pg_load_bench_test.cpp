// Load speed of the PostgreSQL backend against the floor PostgreSQL itself sets: a plain COPY of
// the same rows as CSV into one table without keys or indexes. Disabled: run on an optimised
// build (not under sanitizers) against a running cluster:
//   scripts/pg-test-cluster.sh start /tmp/onshi-pg
//   ONSHI_TEST_POSTGRES_URL_FILE=/tmp/onshi-pg/url build-pg/tests/pg_tests
//     --gtest_also_run_disabled_tests --gtest_filter='*LoadThroughput*'
//   scripts/pg-test-cluster.sh stop /tmp/onshi-pg
// ONSHI_PG_BENCH_ROWS sets the batch size (default 100,000), ONSHI_PG_BENCH_ROUNDS the rounds
// (default 3).
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "store/postgresql/pg_conn.hpp"
#include "store/postgresql/pg_store.hpp"
#include "tests/store/postgresql/pg_test_env.hpp"
#include "tests/store/store_test_data.hpp"
#include "tests/temp_dir.hpp"

namespace onshi::store::testing {
namespace {

// A CSV field, quoted (names and addresses may hold commas).
void csv(std::string& out, std::string_view v) {
  out.push_back('"');
  for (const char ch : v) {
    if (ch == '"') out.push_back('"');
    out.push_back(ch);
  }
  out += "\",";
}
void csv_date(std::string& out, core::Date d) {
  if (d.valid()) out += d.iso();
  out.push_back(',');
}

TEST(PgLoadBench, DISABLED_LoadThroughputAgainstPlainCopy) {
  const char* env = std::getenv("ONSHI_PG_BENCH_ROWS");
  const int rows = env != nullptr ? std::atoi(env) : 100'000;
  onshi::testing::TempDir dir;
  LoadBatch batch;
  batch.source = "bench";
  batch.actor = "bench";
  for (int i = 0; i < rows; ++i) {
    batch.upserts.push_back(sample_coverage(i));
    char h[65];
    std::snprintf(h, sizeof h, "%016llx%048d",
                  static_cast<unsigned long long>(i) * 0x9E3779B97F4A7C15ull, i);
    batch.event_hashes.emplace_back(h, 64);
  }
  batch.rows_total = rows;

  // The same rows as CSV, with the columns the store writes (ids, keys, load id included).
  std::string data;
  for (int i = 0; i < rows; ++i) {
    const core::Coverage& c = batch.upserts[static_cast<std::size_t>(i)];
    data += std::to_string(i + 1) + ',';
    csv(data, c.key.insurer_number);
    csv(data, c.key.symbol);
    csv(data, c.key.number);
    csv(data, c.key.branch);
    data += std::to_string(static_cast<int>(c.relationship)) + ',';
    csv(data, c.insured_name);
    csv(data, c.name);
    csv(data, c.name_kana);
    data += std::to_string(static_cast<int>(c.sex)) + ',';
    csv_date(data, c.birth_date);
    csv(data, c.address);
    csv(data, c.postcode);
    csv_date(data, c.acquired_on);
    csv_date(data, c.lost_on);
    data += std::to_string(static_cast<int>(c.loss_reason)) + ',';
    csv_date(data, c.card_issued_on);
    csv_date(data, c.card_valid_from);
    csv_date(data, c.card_valid_until);
    data += std::to_string(c.copay_ratio) + ',';
    if (c.elderly) {
      data += std::to_string(c.elderly->copay_ratio) + ',';
      csv_date(data, c.elderly->valid_from);
      csv_date(data, c.elderly->valid_until);
    } else {
      data += ",,,";
    }
    if (c.self_pay_limit) {
      csv(data, c.self_pay_limit->category);
      csv_date(data, c.self_pay_limit->valid_from);
      csv_date(data, c.self_pay_limit->valid_until);
    } else {
      data += ",,,";
    }
    if (c.specific_disease) {
      data += std::to_string(c.specific_disease->disease) + ',';
      csv_date(data, c.specific_disease->valid_from);
      csv_date(data, c.specific_disease->valid_until);
    } else {
      data += ",,,";
    }
    csv(data, c.person_key);
    csv(data, c.key.symbol);
    csv(data, c.key.number);
    data += "1,2026-12-01 00:00:00+00,";
    csv(data, batch.event_hashes[static_cast<std::size_t>(i)]);
    data.back() = '\n';
  }

  // Rounds alternate between the two, each into a fresh schema: on a shared machine the
  // neighbours' load varies, and the median of the paired ratios is what is reported.
  const char* rounds_env = std::getenv("ONSHI_PG_BENCH_ROUNDS");
  const int rounds = rounds_env != nullptr ? std::atoi(rounds_env) : 3;
  const char* updates_env = std::getenv("ONSHI_PG_BENCH_UPDATES");
  const bool with_updates = updates_env == nullptr || std::string(updates_env) != "0";
  const std::string base = test_postgres_url();
  std::vector<double> load_s, plain_s, ratio, update_s;
  for (int round = 0; round < rounds; ++round) {
    const std::string tag = "-" + std::to_string(round);
    pg::Connection c(url_in_schema(base, fresh_schema(dir.path() + tag + "-plain")));
    c.exec(
        "CREATE TABLE plain (id BIGINT, insurer_number TEXT, symbol TEXT, number TEXT, "
        "branch TEXT, relationship SMALLINT, insured_name TEXT, name TEXT, name_kana TEXT, "
        "sex SMALLINT, birth_date DATE, address TEXT, postcode TEXT, acquired_on DATE, "
        "lost_on DATE, loss_reason SMALLINT, card_issued_on DATE, card_valid_from DATE, "
        "card_valid_until DATE, copay_ratio SMALLINT, elderly_copay_ratio SMALLINT, "
        "elderly_valid_from DATE, elderly_valid_until DATE, limit_category TEXT, "
        "limit_valid_from DATE, limit_valid_until DATE, specific_disease SMALLINT, "
        "specific_disease_valid_from DATE, specific_disease_valid_until DATE, "
        "person_key TEXT, symbol_key TEXT, number_key TEXT, load_id BIGINT, "
        "updated_at TIMESTAMPTZ, event_hash TEXT)",
        "create plain table");
    auto store = open_postgresql_store(fresh_store_url(dir.path() + tag));
    LoadBatch b = batch;  // ids are assigned in place
    const auto t0 = std::chrono::steady_clock::now();
    store->commit_load(b);
    const auto t1 = std::chrono::steady_clock::now();
    {
      pg::TxGuard tx(c);
      pg::CopyIn copy(c, "COPY plain FROM STDIN (FORMAT csv)", "plain copy");
      copy.put(data.data(), data.size());
      EXPECT_EQ(copy.finish(), rows);
      tx.commit();
    }
    const auto t2 = std::chrono::steady_clock::now();
    EXPECT_EQ(store->coverage_count(), rows);
    // The same rows again, each changed: a load of updates only (ONSHI_PG_BENCH_UPDATES=0
    // leaves it out).
    if (with_updates) {
      LoadBatch updates;
      updates.upserts = b.upserts;
      for (auto& u : updates.upserts) u.copay_ratio = u.copay_ratio == 1 ? 2 : 1;
      const auto t3 = std::chrono::steady_clock::now();
      store->commit_load(updates);
      update_s.push_back(
          std::chrono::duration<double>(std::chrono::steady_clock::now() - t3).count());
    }
    load_s.push_back(std::chrono::duration<double>(t1 - t0).count());
    plain_s.push_back(std::chrono::duration<double>(t2 - t1).count());
    ratio.push_back(plain_s.back() / load_s.back());
    std::printf(
        "round %d: commit_load %.2f s = %.0f rows/s, plain COPY %.2f s = %.0f rows/s, "
        "ratio %.2f\n",
        round + 1, load_s.back(), rows / load_s.back(), plain_s.back(), rows / plain_s.back(),
        ratio.back());
    if (with_updates)
      std::printf("round %d: then every row updated: %.2f s = %.0f rows/s\n", round + 1,
                  update_s.back(), rows / update_s.back());
  }
  const auto median = [](std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
  };
  std::printf(
      "commit_load: %d coverages + %d event hashes, median %.2f s = %.0f rows/s\n"
      "plain COPY of the same rows as CSV (%.1f MiB) into one table without keys or indexes: "
      "median %.2f s = %.0f rows/s\nratio commit_load / plain COPY, median of %d rounds = %.2f "
      "(target >= 0.5)\n",
      rows, rows, median(load_s), rows / median(load_s),
      static_cast<double>(data.size()) / (1 << 20), median(plain_s), rows / median(plain_s), rounds,
      median(ratio));
  if (with_updates)
    std::printf("updating every row of it: median %.2f s = %.0f rows/s\n", median(update_s),
                rows / median(update_s));
}

}  // namespace
}  // namespace onshi::store::testing
