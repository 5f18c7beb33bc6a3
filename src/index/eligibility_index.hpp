#pragma once
// The in-memory eligibility index: the hot path of a counter check never touches the database.
// Rebuilt from the store at start, updated after each committed write. Records are compact
// (record_codec.hpp: variable-length bytes in an arena, texts dictionary-coded) and chained by
// 32-bit ids, so that the national 126 million insured fit one node (docs/scale.md).
#include <cstdint>
#include <memory>
#include <optional>
#include <shared_mutex>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/answer_record.hpp"
#include "core/answer_terms.hpp"
#include "core/coverage.hpp"
#include "core/eligibility.hpp"
#include "core/insurer.hpp"

namespace onshi::index {

class HeadTable;
class RecordArena;
class TextDictionary;

// A confirmation by insurance-card data (照会区分 2), already normalised by the service.
struct CardLookup {
  std::string insurer_number;  // canonical 6 or 8 digits
  std::string symbol_key;      // core::match_key of the symbol
  std::string number_key;      // core::match_key of the number
  core::EligibilityQuery query;
};

struct ConfirmAnswer {
  core::Resolution resolution;
  core::ReasonText reason_text;
  // The record answered with, when one applies, as the desk sees it on the as-of date: terms
  // not in force removed, insured_name from the card's 本人 (docs/eligibility-rules.md R-Q8..13).
  std::optional<core::AnswerRecord> record;  // with the insurer's name
  int applicable_copay_ratio = 0;            // R-Q11; 0 without a record
  std::vector<core::Notice> notices;         // R-Q13
};

class EligibilityIndex {
 public:
  EligibilityIndex();
  ~EligibilityIndex();
  EligibilityIndex(const EligibilityIndex&) = delete;
  EligibilityIndex& operator=(const EligibilityIndex&) = delete;

  void upsert_insurers(std::span<const core::Insurer> insurers);
  // Adds or replaces coverages by id (ids are assigned by the store, never 0 here).
  void upsert(std::span<const core::Coverage> coverages);

  ConfirmAnswer confirm(const CardLookup& lookup) const;
  // Every coverage registered under an insurer number + symbol + number (any branch, period).
  std::vector<core::Coverage> coverages_under(std::string_view insurer_number,
                                              std::string_view symbol_key,
                                              std::string_view number_key) const;
  bool insurer_known(std::string_view insurer_number) const;
  // Exchanges the whole contents with `other` at once (a rebuilt index replacing a stale one:
  // every confirmation sees one or the other, never a mix).
  void swap(EligibilityIndex& other);
  std::size_t coverage_count() const;
  std::size_t memory_bytes() const;  // what the index holds, approximately

 private:
  // Per coverage id: where its record is and the next ids of its two chains (kNil ends one).
  struct Links {
    std::uint32_t record;  // RecordArena reference; kNil: no coverage has this id
    std::uint32_t next_in_group;
    std::uint32_t next_in_person;
  };
  std::uint32_t insurer_slot(const std::string& number);  // under the write lock
  void place(const core::Coverage& c);                    // under the write lock
  void unlink_old(std::uint32_t id);                      // under the write lock
  // Visits the ids and parsed records of the group's coverages; false when the insurer number
  // is not known at all.
  template <typename Visit>
  bool for_each_in_group(std::string_view insurer_number, std::string_view symbol_key,
                         std::string_view number_key, Visit&& visit) const;

  mutable std::shared_mutex mutex_;
  std::vector<Links> links_;  // indexed by coverage id (ids are dense)
  std::size_t count_ = 0;
  std::unique_ptr<HeadTable> groups_;   // card key hash -> first id
  std::unique_ptr<HeadTable> persons_;  // person key hash -> first id
  std::unique_ptr<RecordArena> arena_;
  std::unique_ptr<TextDictionary> dict_;
  std::vector<core::Insurer> insurers_;
  std::unordered_map<std::string, std::uint32_t> insurer_by_number_;
};

}  // namespace onshi::index
