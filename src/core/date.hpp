#pragma once
// Calendar dates (proleptic Gregorian, no time zone) and the forgiving date parser that a front
// desk needs: ISO 1972-05-01, 19720501, 1972/5/1 and Japanese era forms such as S47.05.01,
// 昭和47年5月1日, R6/1/5, 令和元年5月1日 (full-width digits accepted).
#include <algorithm>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/result.hpp"

namespace onshi::core {

class Date {
 public:
  constexpr Date() = default;  // the "no date" value
  // Outside 1868-01-01..2999-12-31 gives the invalid Date.
  static Date from_days(std::int32_t days_since_epoch);
  // Returns an invalid Date when y/m/d is not a real calendar day (or year outside 1868..2999).
  static Date from_ymd(int year, int month, int day);
  // The only null-like state: compares less than every real date.
  bool valid() const { return days_ != kNone; }
  std::int32_t days() const { return days_; }  // days since 1970-01-01
  int year() const;                            // year/month/day are 0 for the invalid Date
  int month() const;
  int day() const;
  std::int32_t yyyymmdd() const;  // 19720501; 0 when invalid
  std::string iso() const;        // "1972-05-01"; "" when invalid
  std::string compact() const;    // "19720501"; "" when invalid
  // Invalid stays invalid; leaving 1868..2999 gives the invalid Date.
  Date add_days(int n) const {
    return valid() ? from_days(static_cast<std::int32_t>(std::clamp<std::int64_t>(
                         std::int64_t{days_} + n, INT32_MIN + 1, INT32_MAX)))
                   : Date{};
  }
  // Age in completed years on `on` (birthday rules of the Civil Code are not modelled: the
  // birthday itself counts as the day the year completes). -1 when either date is invalid or
  // `on` is before the birth date.
  int age_on(Date on) const;
  friend constexpr auto operator<=>(Date, Date) = default;

 private:
  static constexpr std::int32_t kNone = INT32_MIN;
  std::int32_t days_ = kNone;
};

// Accepts: YYYY-MM-DD, YYYY/M/D, YYYY.M.D, YYYYMMDD, era letter forms (M, T, S, H, R, upper or
// lower case, also full-width) with '.', '/', '-' separators (S47.05.01, R6/1/5, H1-1-8) and
// kanji forms (昭和47年5月1日, 令和元年5月1日). Full-width digits and surrounding spaces are
// accepted. Era boundaries are checked (H31.5.1 is rejected: Reiwa began 2019-05-01).
// Errors: kDateFormat (cannot read it), kDateOutOfRange (no such day), kEraUnknown.
Result<Date> parse_date(std::string_view text);

// Strict YYYYMMDD or YYYY-MM-DD only (machine formats: XML and JSON fields we produce).
Result<Date> parse_date_strict(std::string_view text);

}  // namespace onshi::core
