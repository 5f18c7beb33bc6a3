#include "core/date.hpp"

#include <array>
#include <cstdio>
#include <optional>

namespace onshi::core {

namespace {

constexpr int kMinYear = 1868;
constexpr int kMaxYear = 2999;

// Howard Hinnant's days_from_civil (http://howardhinnant.github.io/date_algorithms.html). Kept
// in 64 bits so that any y/m/d a caller can pass stays free of overflow before range checks.
constexpr std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2 ? 1 : 0;
  const std::int64_t cycle = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - cycle * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return cycle * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

struct Civil {
  int year;
  int month;
  int day;
};

// Hinnant's civil_from_days, the inverse of days_from_civil.
constexpr Civil civil_from_days(std::int64_t z) {
  z += 719468;
  const std::int64_t cycle = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<unsigned>(z - cycle * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const std::int64_t y = static_cast<std::int64_t>(yoe) + cycle * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  return Civil{static_cast<int>(y + (m <= 2 ? 1 : 0)), static_cast<int>(m), static_cast<int>(d)};
}

constexpr bool is_leap(int y) {
  return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

constexpr int days_in_month(int y, int m) {
  constexpr std::array<int, 12> kDays = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && is_leap(y) ? 29 : kDays[static_cast<std::size_t>(m - 1)];
}

constexpr bool is_calendar_day(int y, int m, int d) {
  return m >= 1 && m <= 12 && d >= 1 && d <= days_in_month(y, m);
}

// Every valid Date lies in this window, so that from_days and from_ymd agree on what is valid
// and add_days can walk off either end into the invalid Date instead of into a year we do not
// format with four digits.
constexpr std::int64_t kFirstDay = days_from_civil(kMinYear, 1, 1);
constexpr std::int64_t kLastDay = days_from_civil(kMaxYear, 12, 31);

static_assert(days_from_civil(1970, 1, 1) == 0);
static_assert(civil_from_days(0).year == 1970 && civil_from_days(0).day == 1);
static_assert(days_from_civil(2000, 3, 1) == 11017);

// Hand-formatted: dates are written for every stored and answered record, and snprintf's
// format parsing costs more than the rest of the conversion.
std::string format_ymd(int y, int m, int d, char sep) {
  if (y < 0 || y > 9999) return {};
  char buf[10];
  std::size_t n = 0;
  auto two = [&](int v) {
    buf[n++] = static_cast<char>('0' + v / 10 % 10);
    buf[n++] = static_cast<char>('0' + v % 10);
  };
  two(y / 100);
  two(y % 100);
  if (sep) buf[n++] = sep;
  two(m);
  if (sep) buf[n++] = sep;
  two(d);
  return std::string(buf, n);
}

struct Era {
  char letter;
  const char* english;
  std::string_view kanji;
  Civil first;
  std::optional<Civil> last;
};

// Meiji starts on 1868-01-25, the Gregorian date of Meiji 1.1.1 in the old lunisolar calendar;
// dates are read as Gregorian throughout, so M1.01.01..M1.01.24 are rejected as before Meiji.
const std::array<Era, 5> kEras = {{
    {'M', "Meiji", "明治", {1868, 1, 25}, Civil{1912, 7, 29}},
    {'T', "Taisho", "大正", {1912, 7, 30}, Civil{1926, 12, 24}},
    {'S', "Showa", "昭和", {1926, 12, 25}, Civil{1989, 1, 7}},
    {'H', "Heisei", "平成", {1989, 1, 8}, Civil{2019, 4, 30}},
    {'R', "Reiwa", "令和", {2019, 5, 1}, std::nullopt},
}};

const Era* era_by_letter(char c) {
  if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  for (const Era& e : kEras) {
    if (e.letter == c) return &e;
  }
  return nullptr;
}

constexpr std::string_view kGan = "元";
constexpr std::string_view kNen = "年";
constexpr std::string_view kTsuki = "月";
constexpr std::string_view kHi = "日";

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}
bool is_ascii_letter(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}
bool is_ascii_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

// Local rather than text_normalise's fold_width: what the date parser accepts must not widen
// whenever that general folding grows (its dash look-alikes, for instance).
std::string fold(std::string_view in) {
  std::string out;
  out.reserve(in.size());
  for (std::size_t i = 0; i < in.size(); ++i) {
    const auto b0 = static_cast<unsigned char>(in[i]);
    if (i + 2 < in.size()) {
      const auto b1 = static_cast<unsigned char>(in[i + 1]);
      const auto b2 = static_cast<unsigned char>(in[i + 2]);
      char ascii = '\0';
      if (b0 == 0xEF && b1 == 0xBC) {
        if (b2 >= 0x90 && b2 <= 0x99) ascii = static_cast<char>('0' + (b2 - 0x90));
        if (b2 >= 0xA1 && b2 <= 0xBA) ascii = static_cast<char>('A' + (b2 - 0xA1));
        if (b2 == 0x8E) ascii = '.';
        if (b2 == 0x8F) ascii = '/';
        if (b2 == 0x8D) ascii = '-';
      } else if (b0 == 0xEF && b1 == 0xBD && b2 >= 0x81 && b2 <= 0x9A) {
        ascii = static_cast<char>('a' + (b2 - 0x81));
      } else if (b0 == 0xE3 && b1 == 0x80 && b2 == 0x80) {
        ascii = ' ';
      }
      if (ascii != '\0') {
        out.push_back(ascii);
        i += 2;
        continue;
      }
    }
    out.push_back(static_cast<char>(b0));
  }
  return out;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_ascii_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_ascii_space(s.back())) s.remove_suffix(1);
  return s;
}

// A left-to-right reader over the folded text; a failed take_* leaves it where it was.
class Reader {
 public:
  explicit Reader(std::string_view s) : s_(s) {}
  bool done() const { return s_.empty(); }
  char peek() const { return s_.empty() ? '\0' : s_.front(); }

  std::size_t digit_run() const {
    std::size_t n = 0;
    while (n < s_.size() && is_digit(s_[n])) ++n;
    return n;
  }

  void skip(std::size_t n) { s_.remove_prefix(n); }

  // Reads min..max digits and requires that no further digit follows, so "123" is never read
  // as "12" then "3".
  std::optional<int> take_number(std::size_t min_digits, std::size_t max_digits) {
    const std::size_t n = digit_run();
    if (n < min_digits || n > max_digits) return std::nullopt;
    int v = 0;
    for (std::size_t i = 0; i < n; ++i) v = v * 10 + (s_[i] - '0');
    s_.remove_prefix(n);
    return v;
  }

  bool take(std::string_view lit) {
    if (s_.substr(0, lit.size()) != lit) return false;
    s_.remove_prefix(lit.size());
    return true;
  }

  bool take_char(char c) {
    if (s_.empty() || s_.front() != c) return false;
    s_.remove_prefix(1);
    return true;
  }

  std::optional<char> take_separator() {
    const char c = peek();
    if (c != '-' && c != '/' && c != '.') return std::nullopt;
    s_.remove_prefix(1);
    return c;
  }

  // Consumes well-formed multi-byte UTF-8 code points up to the era year; returns how many.
  std::size_t take_non_ascii_prefix() {
    std::size_t count = 0;
    while (!s_.empty() && !s_.starts_with(kGan)) {
      const auto b0 = static_cast<unsigned char>(s_.front());
      std::size_t len = 0;
      if (b0 >= 0xC2 && b0 <= 0xDF) len = 2;
      if (b0 >= 0xE0 && b0 <= 0xEF) len = 3;
      if (b0 >= 0xF0 && b0 <= 0xF4) len = 4;
      if (len == 0 || len > s_.size()) break;
      bool ok = true;
      for (std::size_t i = 1; i < len; ++i) {
        ok = ok && (static_cast<unsigned char>(s_[i]) & 0xC0) == 0x80;
      }
      if (!ok) break;
      s_.remove_prefix(len);
      ++count;
    }
    return count;
  }

 private:
  std::string_view s_;
};

Error format_error() {
  // Never echoes the text: a wrong field can hold a name or an insured number.
  return make_error(ErrorCode::kDateFormat,
                    "not a recognised date; expected YYYY-MM-DD, YYYYMMDD, YYYY/M/D, YYYY.M.D or "
                    "an era form such as S47.05.01 or the kanji era form");
}

Result<Date> western_date(int y, int m, int d) {
  if (!is_calendar_day(y, m, d)) {
    return make_error(ErrorCode::kDateOutOfRange, "no such calendar day (check month and day)");
  }
  if (y < kMinYear || y > kMaxYear) {
    return make_error(ErrorCode::kDateOutOfRange, "outside the supported years 1868..2999");
  }
  return Date::from_ymd(y, m, d);
}

Result<Date> era_date(const Era& era, int era_year, int m, int d) {
  if (era_year < 1) {
    return make_error(ErrorCode::kDateOutOfRange, "era years start at 1");
  }
  const int y = era.first.year + era_year - 1;
  if (!is_calendar_day(y, m, d)) {
    return make_error(ErrorCode::kDateOutOfRange, "no such calendar day (check month and day)");
  }
  if (y > kMaxYear) {
    return make_error(ErrorCode::kDateOutOfRange, "after 2999-12-31, the last supported date");
  }
  const Date date = Date::from_ymd(y, m, d);
  const Date first = Date::from_ymd(era.first.year, era.first.month, era.first.day);
  if (date < first) {
    return make_error(ErrorCode::kDateOutOfRange,
                      std::string("before the start of ") + era.english + " (" + first.iso() + ")");
  }
  if (era.last) {
    const Date last = Date::from_ymd(era.last->year, era.last->month, era.last->day);
    if (date > last) {
      return make_error(ErrorCode::kDateOutOfRange,
                        std::string("after the end of ") + era.english + " (" + last.iso() + ")");
    }
  }
  return date;
}

Result<Date> parse_western(Reader r) {
  const std::size_t run = r.digit_run();
  if (run == 8) {
    const int v = *r.take_number(8, 8);
    if (!r.done()) return format_error();
    return western_date(v / 10000, v / 100 % 100, v % 100);
  }
  if (run != 4) return format_error();
  const int y = *r.take_number(4, 4);
  const auto sep = r.take_separator();
  if (!sep) return format_error();
  const auto m = r.take_number(1, 2);
  if (!m || !r.take_char(*sep)) return format_error();
  const auto d = r.take_number(1, 2);
  if (!d || !r.done()) return format_error();
  return western_date(y, *m, *d);
}

Result<Date> parse_era_letter(Reader r) {
  const char letter = r.peek();
  r.skip(1);
  const auto ey = r.take_number(1, 3);
  if (!ey) return format_error();
  const auto sep = r.take_separator();
  if (!sep) return format_error();
  const auto m = r.take_number(1, 2);
  if (!m || !r.take_char(*sep)) return format_error();
  const auto d = r.take_number(1, 2);
  if (!d || !r.done()) return format_error();
  const Era* era = era_by_letter(letter);
  if (era == nullptr) {
    return make_error(ErrorCode::kEraUnknown,
                      std::string("unknown era letter '") + letter + "'; expected M, T, S, H or R");
  }
  return era_date(*era, *ey, *m, *d);
}

Result<Date> parse_era_kanji(Reader r) {
  const Era* era = nullptr;
  for (const Era& e : kEras) {
    if (r.take(e.kanji)) {
      era = &e;
      break;
    }
  }
  // An unknown prefix is still read, so that a well-formed date in another era name gets
  // kEraUnknown rather than kDateFormat.
  if (era == nullptr) {
    const std::size_t n = r.take_non_ascii_prefix();
    if (n == 0 || n > 4) return format_error();
  }
  std::optional<int> ey;
  if (r.take(kGan)) {
    ey = 1;
  } else {
    ey = r.take_number(1, 3);
  }
  if (!ey || !r.take(kNen)) return format_error();
  const auto m = r.take_number(1, 2);
  if (!m || !r.take(kTsuki)) return format_error();
  const auto d = r.take_number(1, 2);
  if (!d || !r.take(kHi) || !r.done()) return format_error();
  if (era == nullptr) {
    return make_error(ErrorCode::kEraUnknown,
                      "unknown era name; expected Meiji, Taisho, Showa, Heisei or Reiwa in kanji");
  }
  return era_date(*era, *ey, *m, *d);
}

}  // namespace

Date Date::from_days(std::int32_t days_since_epoch) {
  Date d;
  if (days_since_epoch >= kFirstDay && days_since_epoch <= kLastDay) d.days_ = days_since_epoch;
  return d;
}

Date Date::from_ymd(int year, int month, int day) {
  if (year < kMinYear || year > kMaxYear || !is_calendar_day(year, month, day)) return Date{};
  return from_days(static_cast<std::int32_t>(
      days_from_civil(year, static_cast<unsigned>(month), static_cast<unsigned>(day))));
}

int Date::year() const {
  return valid() ? civil_from_days(days_).year : 0;
}
int Date::month() const {
  return valid() ? civil_from_days(days_).month : 0;
}
int Date::day() const {
  return valid() ? civil_from_days(days_).day : 0;
}

std::int32_t Date::yyyymmdd() const {
  if (!valid()) return 0;
  const Civil c = civil_from_days(days_);
  return c.year * 10000 + c.month * 100 + c.day;
}

std::string Date::iso() const {
  if (!valid()) return {};
  const Civil c = civil_from_days(days_);
  return format_ymd(c.year, c.month, c.day, '-');
}

std::string Date::compact() const {
  if (!valid()) return {};
  const Civil c = civil_from_days(days_);
  return format_ymd(c.year, c.month, c.day, '\0');
}

// -1 when either date is invalid or `on` is before the birth: no completed years exist then, and
// 0 would pass for an infant in age-based copay rules.
int Date::age_on(Date on) const {
  if (!valid() || !on.valid() || on < *this) return -1;
  const Civil b = civil_from_days(days_);
  const Civil o = civil_from_days(on.days_);
  // Comparing (month, day) pairs makes a Feb 29 birthday complete on Mar 1 in common years.
  const bool before_birthday = o.month < b.month || (o.month == b.month && o.day < b.day);
  return o.year - b.year - (before_birthday ? 1 : 0);
}

Result<Date> parse_date(std::string_view text) {
  const std::string folded = fold(text);
  const std::string_view t = trim(folded);
  if (t.empty()) return format_error();
  const Reader r(t);
  if (is_digit(t.front())) return parse_western(r);
  if (is_ascii_letter(t.front())) return parse_era_letter(r);
  return parse_era_kanji(r);
}

Result<Date> parse_date_strict(std::string_view text) {
  const bool compact = text.size() == 8;
  const bool iso = text.size() == 10 && text[4] == '-' && text[7] == '-';
  if (!compact && !iso) return format_error();
  int digits[8];
  std::size_t n = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (iso && (i == 4 || i == 7)) continue;
    if (!is_digit(text[i])) return format_error();
    digits[n++] = text[i] - '0';
  }
  const int y = digits[0] * 1000 + digits[1] * 100 + digits[2] * 10 + digits[3];
  const int m = digits[4] * 10 + digits[5];
  const int d = digits[6] * 10 + digits[7];
  return western_date(y, m, d);
}

}  // namespace onshi::core
