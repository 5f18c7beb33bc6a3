#pragma once
// The in-memory eligibility index: the hot path of a counter check never touches the database.
// Rebuilt from the store at start, updated after each committed write. Records are kept compact
// (fixed fields plus one arena-allocated string blob) so that 10 million coverages fit one node.
#include <cstdint>
#include <memory>
#include <optional>
#include <shared_mutex>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/answer_terms.hpp"
#include "core/coverage.hpp"
#include "core/eligibility.hpp"
#include "core/insurer.hpp"

namespace onshi::index {

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
  std::optional<core::Coverage> record;
  std::string insurer_name;
  int applicable_copay_ratio = 0;     // R-Q11; 0 without a record
  std::vector<core::Notice> notices;  // R-Q13
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
  struct Slot;
  class HeadTable;
  class Arena;
  std::uint32_t insurer_slot(const std::string& number);  // under the write lock
  void place(const core::Coverage& c);                    // under the write lock
  core::Coverage materialise(const Slot& s) const;
  // Visits the group's coverages; false when the insurer number is not known at all.
  template <typename Visit>
  bool for_each_in_group(std::string_view insurer_number, std::string_view symbol_key,
                         std::string_view number_key, Visit&& visit) const;

  mutable std::shared_mutex mutex_;
  std::vector<Slot> slots_;
  std::vector<std::uint32_t> slot_of_id_;  // coverage id -> slot (ids are dense)
  std::unique_ptr<HeadTable> groups_;      // card key hash -> first slot
  std::unique_ptr<HeadTable> persons_;     // person key hash -> first slot
  std::unique_ptr<Arena> arena_;
  std::vector<core::Insurer> insurers_;
  std::unordered_map<std::string, std::uint32_t> insurer_by_number_;
};

}  // namespace onshi::index
