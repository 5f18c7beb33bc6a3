// bench/journal.sh's generator: N chained journal records of one node ("bench"), straight into
// a store through Store::append_journal (as the importer writes them, in batches), and the same
// records as journal lines into a file, so that the benchmark can compare onshi audit verify
// with sha256sum over the same bytes. Not part of onshi: built only by the benchmark.
//
// usage: onshi_journal_gen DATA_DIR|postgresql://... RECORDS LINES_FILE
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include "services/journal_format.hpp"
#include "store/open_store.hpp"

int main(int argc, char** argv) {
  if (argc != 4) {
    std::cerr << "usage: onshi_journal_gen DATA_DIR|URL RECORDS LINES_FILE\n";
    return 2;
  }
  const std::string where = argv[1];
  const bool pg = where.rfind("postgresql://", 0) == 0;
  auto store = onshi::store::open_store(pg ? "." : where, pg ? where : "");
  const long long total = std::atoll(argv[2]);
  std::ofstream lines(argv[3], std::ios::binary);
  namespace jf = onshi::services::journal_format;
  std::vector<onshi::core::JournalRecord> batch;
  std::string hash(onshi::core::kJournalGenesis), text;
  const std::int64_t t0 = 1'796'000'000'000;
  for (long long seq = 1; seq <= total; ++seq) {
    onshi::core::JournalRecord r;
    r.node_id = "bench";
    r.seq = seq;
    r.access.at_ms = t0 + seq * 7;
    r.access.facility_code = "13" + std::to_string(11000000 + seq % 230000);
    r.access.actor = "desk-" + std::to_string(seq % 97);
    r.access.method = onshi::core::ConfirmMethod::kInsuranceCard;
    r.access.coverage_id = 1 + (seq * 7919) % 10'000'000;
    r.access.validity = 1 + static_cast<int>(seq % 5 == 0);
    r.access.request_id = "bench-" + std::to_string(seq);
    r.facility_type = static_cast<onshi::core::FacilityType>(1 + seq % 4);
    r.prev_hash = hash;
    jf::seal(r);
    hash = r.hash;
    jf::append_line(text, r);
    batch.push_back(std::move(r));
    if (batch.size() == 100000 || seq == total) {
      if (!store->append_journal(batch, {})) {
        std::cerr << "onshi_journal_gen: the store already holds a chain for node bench\n";
        return 1;
      }
      lines << text;
      text.clear();
      batch.clear();
    }
  }
  return 0;
}
