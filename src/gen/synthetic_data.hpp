#pragma once
// `onshi gen`: synthetic but realistic insurers, facilities and registration events (資格取得・
// 変更・喪失) for a population of any size. Output is deterministic for a seed and streamed:
// persons are never held in memory, so 10 million persons need no more than a few megabytes.
//
// Files (UTF-8, header line first, RFC 4180 quoting where needed):
//   insurers.csv       number,name,kind,prefecture   (kind = to_string(InsurerKind),
//                                                      prefecture = 2-digit 都道府県番号)
//   facilities.csv     code,name,type,prefecture     (type = to_string(FacilityType))
//   registrations.csv  core::registration_csv_header(), one event per line; the rows of one
//                      coverage appear in event order (acquire, then change, then lose).
#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

#include "core/date.hpp"

namespace onshi::gen {

struct GenOptions {
  std::int64_t persons = 100000;
  std::uint64_t seed = 1;
  int facilities = 0;  // 0 = scale with persons (national ratio), at least 200
  // Reference date for ages, coverage periods and card terms. Invalid (the default) = today's
  // UTC date, which makes the output depend on the day: pass a date for reproducible files.
  core::Date today;
};

struct GenSummary {
  std::int64_t insurers = 0;
  std::int64_t facilities = 0;
  std::int64_t persons = 0;
  std::int64_t registration_rows = 0;  // data lines, header excluded
};

GenSummary generate(const GenOptions& options, std::ostream& insurers_csv,
                    std::ostream& facilities_csv, std::ostream& registrations_csv);

// The rare and old-form family names (kanji) the generator mixes in at a steady small rate
// (髙橋, 山﨑, 𠮷田, 渡邉 with a variation selector, 渡邊, 齋藤), for end-to-end tests that check
// such names survive every layer.
std::vector<std::string> demo_rare_names();

}  // namespace onshi::gen
