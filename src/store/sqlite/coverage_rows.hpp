#pragma once
// How a Coverage maps onto the coverages table of the SQLite store: the column order shared by
// INSERT, UPDATE and SELECT, the SQL built from it, and binding and reading one row.
#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/coverage.hpp"
#include "store/sqlite/sqlite_db.hpp"

namespace onshi::store::sqlite {

// Coverage columns in one order shared by INSERT and UPDATE (parameter row_base(r) + N) and
// SELECT (column N, with id at 0), so the three statements cannot drift apart.
enum CovCol : int {
  kInsurerNumber = 1,
  kSymbol,
  kNumber,
  kBranch,
  kRelationship,
  kInsuredName,
  kName,
  kNameKana,
  kSex,
  kBirthDate,
  kAddress,
  kPostcode,
  kAcquiredOn,
  kLostOn,
  kLossReason,
  kCardIssuedOn,
  kCardValidFrom,
  kCardValidUntil,
  kCopayRatio,
  kElderlyCopayRatio,
  kElderlyValidFrom,
  kElderlyValidUntil,
  kLimitCategory,
  kLimitValidFrom,
  kLimitValidUntil,
  kSpecificDisease,
  kSpecificDiseaseValidFrom,
  kSpecificDiseaseValidUntil,
  kPersonKey,
  kSymbolKey,  // derived: onshi_match_key(symbol), computed by SQLite on write
  kNumberKey,  // derived: onshi_match_key(number)
  kLoadId,
  kUpdatedAt,
  kCovColEnd
};
constexpr int kCovColCount = kCovColEnd - 1;

constexpr std::array<const char*, kCovColCount> kCovColNames{
    "insurer_number",
    "symbol",
    "number",
    "branch",
    "relationship",
    "insured_name",
    "name",
    "name_kana",
    "sex",
    "birth_date",
    "address",
    "postcode",
    "acquired_on",
    "lost_on",
    "loss_reason",
    "card_issued_on",
    "card_valid_from",
    "card_valid_until",
    "copay_ratio",
    "elderly_copay_ratio",
    "elderly_valid_from",
    "elderly_valid_until",
    "limit_category",
    "limit_valid_from",
    "limit_valid_until",
    "specific_disease",
    "specific_disease_valid_from",
    "specific_disease_valid_until",
    "person_key",
    "symbol_key",
    "number_key",
    "load_id",
    "updated_at",
};

constexpr int kDateColumnsPerCoverage = 12;
// Statement parameters: ?1 load_id and ?2 updated_at, the same for every row of a load, are
// bound once per statement; then per row its own columns (kInsurerNumber..kPersonKey) and its id.
constexpr int kSharedParams = 2;
constexpr int kRowParams = kPersonKey + 1;
constexpr int row_base(int row) {
  return kSharedParams + row * kRowParams;
}
// Rows per multi-row INSERT: one statement run per chunk instead of per row (~10% of the load
// path); 64 rows x 30 parameters stays far below SQLite's limit of 32766.
constexpr int kCoverageChunk = 64;
constexpr int kEventChunk = 256;
// SQLite's own auto-checkpoint threshold (pages of the WAL), kept, only moved off the writer.
constexpr int kCheckpointPages = 1000;

std::string coverage_insert_sql(int rows);
std::string coverage_update_sql();
// SELECT id and every column FROM coverages, then `rest` (WHERE ... ORDER BY ...).
std::string coverage_select_sql(std::string_view rest);
std::string event_insert_sql(int rows);
// ISO-8601 UTC with milliseconds: sorts as text and reads naturally in the shell.
std::string now_utc_text();

// The text of a chunk's dates, kept alive until the chunk's statement has run because text is
// bound without copying. The text is Date::iso()'s 'YYYY-MM-DD', built from yyyymmdd() by hand:
// iso() goes through snprintf, and at 12 dates a row that alone cost ~1 s per million rows.
class DateTexts {
 public:
  DateTexts() : slots_(static_cast<std::size_t>(kCoverageChunk) * kDateColumnsPerCoverage) {}
  void bind(Stmt& s, int param, core::Date d) {
    if (!d.valid()) {
      s.bind_null(param);
      return;
    }
    auto& out = slots_.at(next_++);
    const int v = d.yyyymmdd();  // valid dates have 4-digit years (1868..2999)
    put2(&out[0], v / 1000000);
    put2(&out[2], v / 10000 % 100);
    out[4] = '-';
    put2(&out[5], v / 100 % 100);
    out[7] = '-';
    put2(&out[8], v % 100);
    s.bind(param, std::string_view(out.data(), out.size()));
  }
  void clear() { next_ = 0; }

 private:
  static void put2(char* p, int v) {
    static constexpr char kDigits[] =
        "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
        "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
        "8081828384858687888990919293949596979899";
    p[0] = kDigits[2 * v];
    p[1] = kDigits[2 * v + 1];
  }

  std::vector<std::array<char, 10>> slots_;
  std::size_t next_ = 0;
};

// Binds a row's own columns at parameters base+kInsurerNumber .. base+kPersonKey.
void bind_coverage(Stmt& s, int base, const core::Coverage& c, DateTexts& dates);
// An integer column as int (codes and small counts).
int int_at(const Stmt& s, int col);
// Reads a SELECT coverage_select_sql() row.
void read_coverage(const Stmt& s, core::Coverage& c);

}  // namespace onshi::store::sqlite
