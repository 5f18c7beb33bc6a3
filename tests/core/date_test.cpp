#include "core/date.hpp"

#include <gtest/gtest.h>

#include <array>
#include <chrono>
#include <climits>
#include <cstdint>
#include <cstdio>
#include <ostream>
#include <random>
#include <string>
#include <string_view>
#include <vector>

namespace onshi::core {
namespace {

// All core tests link into one binary, so helpers stay in this anonymous namespace.

constexpr std::int32_t kFirstDay = -37255;  // 1868-01-01
constexpr std::int32_t kLastDay = 376199;   // 2999-12-31

Date ymd(int y, int m, int d) {
  return Date::from_ymd(y, m, d);
}

// An oracle independent of date.cpp: libstdc++'s <chrono> calendar.
std::int32_t chrono_days(int y, int m, int d) {
  using namespace std::chrono;
  const year_month_day date{year{y}, month{static_cast<unsigned>(m)},
                            day{static_cast<unsigned>(d)}};
  return static_cast<std::int32_t>(sys_days{date}.time_since_epoch().count());
}

struct TestEra {
  char letter;
  const char* kanji;
  int y, m, d;  // first day
};

// Written out again here instead of being taken from date.cpp, so that a wrong boundary there
// cannot be confirmed by the same wrong boundary here.
constexpr std::array<TestEra, 5> kTestEras = {{
    {'M', "明治", 1868, 1, 25},
    {'T', "大正", 1912, 7, 30},
    {'S', "昭和", 1926, 12, 25},
    {'H', "平成", 1989, 1, 8},
    {'R', "令和", 2019, 5, 1},
}};

// nullptr for days before Meiji.
const TestEra* era_of(Date date) {
  const TestEra* found = nullptr;
  for (const TestEra& e : kTestEras) {
    if (ymd(e.y, e.m, e.d) <= date) found = &e;
  }
  return found;
}

std::string full_width(char c) {
  std::string out = "\xEF\xBC";
  if (c >= '0' && c <= '9') return out + static_cast<char>(0x90 + (c - '0'));
  if (c >= 'A' && c <= 'Z') return out + static_cast<char>(0xA1 + (c - 'A'));
  if (c >= 'a' && c <= 'z') return std::string("\xEF\xBD") + static_cast<char>(0x81 + (c - 'a'));
  if (c == '.') return out + '\x8E';
  if (c == '/') return out + '\x8F';
  if (c == '-') return out + '\x8D';
  return std::string(1, c);
}

std::string all_full_width(std::string_view s) {
  std::string out;
  for (char c : s) out += full_width(c);
  return out;
}

void expect_date(std::string_view text, int y, int m, int d) {
  SCOPED_TRACE(std::string(text));
  const Result<Date> r = parse_date(text);
  ASSERT_TRUE(r.ok()) << r.error().detail;
  EXPECT_EQ(r->year(), y);
  EXPECT_EQ(r->month(), m);
  EXPECT_EQ(r->day(), d);
  EXPECT_EQ(*r, ymd(y, m, d));
}

void expect_error(std::string_view text, ErrorCode code) {
  SCOPED_TRACE(std::string(text));
  const Result<Date> r = parse_date(text);
  ASSERT_FALSE(r.ok()) << r->iso();
  EXPECT_EQ(r.error().code, code) << r.error().detail;
  EXPECT_FALSE(r.error().detail.empty());
}

bool printable_ascii(std::string_view s) {
  for (char c : s) {
    if (c < 0x20 || c > 0x7E) return false;
  }
  return true;
}

// ---------------------------------------------------------------------------------------------
// Date value

TEST(DateValue, DefaultIsTheInvalidDate) {
  const Date d;
  EXPECT_FALSE(d.valid());
  EXPECT_EQ(d.days(), INT32_MIN);
  EXPECT_EQ(d.year(), 0);
  EXPECT_EQ(d.month(), 0);
  EXPECT_EQ(d.day(), 0);
  EXPECT_EQ(d.yyyymmdd(), 0);
  EXPECT_EQ(d.iso(), "");
  EXPECT_EQ(d.compact(), "");
  EXPECT_EQ(d, Date{});
}

TEST(DateValue, Epoch) {
  const Date d = Date::from_days(0);
  ASSERT_TRUE(d.valid());
  EXPECT_EQ(d.year(), 1970);
  EXPECT_EQ(d.month(), 1);
  EXPECT_EQ(d.day(), 1);
  EXPECT_EQ(ymd(1970, 1, 1).days(), 0);
  EXPECT_EQ(ymd(1969, 12, 31).days(), -1);
  EXPECT_EQ(ymd(1970, 1, 2).days(), 1);
}

TEST(DateValue, KnownDayNumbers) {
  EXPECT_EQ(ymd(1972, 5, 1).days(), 851);
  EXPECT_EQ(ymd(2000, 3, 1).days(), 11017);
  EXPECT_EQ(ymd(1900, 1, 1).days(), -25567);
  EXPECT_EQ(ymd(2038, 1, 19).days(), 24855);
  EXPECT_EQ(ymd(1868, 1, 1).days(), kFirstDay);
  EXPECT_EQ(ymd(2999, 12, 31).days(), kLastDay);
}

TEST(DateValue, Accessors) {
  const Date d = ymd(1972, 5, 1);
  EXPECT_EQ(d.year(), 1972);
  EXPECT_EQ(d.month(), 5);
  EXPECT_EQ(d.day(), 1);
  EXPECT_EQ(d.yyyymmdd(), 19720501);
  EXPECT_EQ(d.iso(), "1972-05-01");
  EXPECT_EQ(d.compact(), "19720501");
  EXPECT_EQ(ymd(1868, 1, 1).iso(), "1868-01-01");
  EXPECT_EQ(ymd(2999, 12, 31).compact(), "29991231");
  EXPECT_EQ(ymd(2999, 12, 31).yyyymmdd(), 29991231);
}

TEST(DateValue, FromYmdRejectsNonDays) {
  EXPECT_FALSE(ymd(2023, 2, 29).valid());
  EXPECT_FALSE(ymd(1900, 2, 29).valid());  // divisible by 100, not by 400
  EXPECT_FALSE(ymd(2100, 2, 29).valid());
  EXPECT_TRUE(ymd(2000, 2, 29).valid());  // divisible by 400
  EXPECT_TRUE(ymd(2024, 2, 29).valid());
  EXPECT_FALSE(ymd(2024, 2, 30).valid());
  EXPECT_FALSE(ymd(2023, 4, 31).valid());
  EXPECT_FALSE(ymd(2023, 6, 31).valid());
  EXPECT_FALSE(ymd(2023, 9, 31).valid());
  EXPECT_FALSE(ymd(2023, 11, 31).valid());
  EXPECT_TRUE(ymd(2023, 12, 31).valid());
  EXPECT_FALSE(ymd(2023, 1, 32).valid());
  EXPECT_FALSE(ymd(2023, 1, 0).valid());
  EXPECT_FALSE(ymd(2023, 0, 1).valid());
  EXPECT_FALSE(ymd(2023, 13, 1).valid());
  EXPECT_FALSE(ymd(2023, -1, 1).valid());
  EXPECT_FALSE(ymd(2023, 1, -1).valid());
  EXPECT_FALSE(ymd(INT_MIN, INT_MIN, INT_MIN).valid());
  EXPECT_FALSE(ymd(INT_MAX, INT_MAX, INT_MAX).valid());
  EXPECT_FALSE(ymd(2023, INT_MAX, 1).valid());
  EXPECT_FALSE(ymd(2023, 1, INT_MAX).valid());
}

TEST(DateValue, SupportedYearsAre1868To2999) {
  EXPECT_TRUE(ymd(1868, 1, 1).valid());
  EXPECT_FALSE(ymd(1867, 12, 31).valid());
  EXPECT_TRUE(ymd(2999, 12, 31).valid());
  EXPECT_FALSE(ymd(3000, 1, 1).valid());
  EXPECT_FALSE(ymd(0, 1, 1).valid());
  EXPECT_FALSE(ymd(-1, 1, 1).valid());
}

TEST(DateValue, FromDaysOutsideTheSupportedYearsIsInvalid) {
  EXPECT_TRUE(Date::from_days(kFirstDay).valid());
  EXPECT_FALSE(Date::from_days(kFirstDay - 1).valid());
  EXPECT_TRUE(Date::from_days(kLastDay).valid());
  EXPECT_FALSE(Date::from_days(kLastDay + 1).valid());
  EXPECT_FALSE(Date::from_days(INT32_MIN).valid());
  EXPECT_FALSE(Date::from_days(INT32_MAX).valid());
  EXPECT_EQ(Date::from_days(kLastDay + 1), Date{});
}

TEST(DateValue, AddDays) {
  EXPECT_EQ(ymd(2024, 2, 28).add_days(1), ymd(2024, 2, 29));
  EXPECT_EQ(ymd(2023, 2, 28).add_days(1), ymd(2023, 3, 1));
  EXPECT_EQ(ymd(2023, 12, 31).add_days(1), ymd(2024, 1, 1));
  EXPECT_EQ(ymd(2024, 1, 1).add_days(-1), ymd(2023, 12, 31));
  EXPECT_EQ(ymd(2024, 1, 1).add_days(0), ymd(2024, 1, 1));
  EXPECT_EQ(ymd(2024, 1, 1).add_days(366), ymd(2025, 1, 1));
  EXPECT_EQ(ymd(1970, 1, 1).add_days(-1), ymd(1969, 12, 31));
  EXPECT_FALSE(ymd(2999, 12, 31).add_days(1).valid());
  EXPECT_FALSE(ymd(1868, 1, 1).add_days(-1).valid());
  EXPECT_FALSE(Date{}.add_days(1).valid());
  EXPECT_FALSE(Date{}.add_days(400000).valid());
}

TEST(DateValue, Ordering) {
  EXPECT_LT(ymd(1972, 5, 1), ymd(1972, 5, 2));
  EXPECT_LT(ymd(1972, 4, 30), ymd(1972, 5, 1));
  EXPECT_LT(ymd(1971, 12, 31), ymd(1972, 1, 1));
  EXPECT_GT(ymd(2000, 1, 1), ymd(1999, 12, 31));
  EXPECT_EQ(ymd(2000, 1, 1), Date::from_days(10957));
  EXPECT_NE(ymd(2000, 1, 1), ymd(2000, 1, 2));
  // The invalid Date sorts before every real one.
  EXPECT_LT(Date{}, ymd(1868, 1, 1));
  EXPECT_LT(Date{}, Date::from_days(kFirstDay));
  EXPECT_FALSE(Date{} < Date{});
}

// ---------------------------------------------------------------------------------------------
// Age

TEST(DateAge, CompletedYears) {
  const Date birth = ymd(1972, 5, 1);
  EXPECT_EQ(birth.age_on(ymd(1972, 5, 1)), 0);
  EXPECT_EQ(birth.age_on(ymd(1973, 4, 30)), 0);
  EXPECT_EQ(birth.age_on(ymd(1973, 5, 1)), 1);  // the birthday completes the year
  EXPECT_EQ(birth.age_on(ymd(2024, 4, 30)), 51);
  EXPECT_EQ(birth.age_on(ymd(2024, 5, 1)), 52);
  EXPECT_EQ(birth.age_on(ymd(2024, 12, 31)), 52);
  EXPECT_EQ(birth.age_on(ymd(2025, 1, 1)), 52);
}

TEST(DateAge, YearEndBirthday) {
  const Date birth = ymd(1999, 12, 31);
  EXPECT_EQ(birth.age_on(ymd(2000, 12, 30)), 0);
  EXPECT_EQ(birth.age_on(ymd(2000, 12, 31)), 1);
  EXPECT_EQ(ymd(2000, 1, 1).age_on(ymd(2000, 12, 31)), 0);
  EXPECT_EQ(ymd(2000, 1, 1).age_on(ymd(2001, 1, 1)), 1);
}

TEST(DateAge, LeapDayBirthday) {
  const Date birth = ymd(2000, 2, 29);
  EXPECT_EQ(birth.age_on(ymd(2001, 2, 28)), 0);
  EXPECT_EQ(birth.age_on(ymd(2001, 3, 1)), 1);  // no Feb 29 in 2001: the year completes Mar 1
  EXPECT_EQ(birth.age_on(ymd(2003, 2, 28)), 2);
  EXPECT_EQ(birth.age_on(ymd(2003, 3, 1)), 3);
  EXPECT_EQ(birth.age_on(ymd(2004, 2, 28)), 3);
  EXPECT_EQ(birth.age_on(ymd(2004, 2, 29)), 4);
  EXPECT_EQ(birth.age_on(ymd(2100, 2, 28)), 99);  // 2100 is not a leap year
  EXPECT_EQ(birth.age_on(ymd(2100, 3, 1)), 100);
}

TEST(DateAge, SeventyFifthBirthdayForLateStageElderlyCare) {
  // The 75th birthday is when 後期高齢者医療 starts, so the boundary is checked explicitly.
  const Date birth = ymd(1949, 4, 1);
  EXPECT_EQ(birth.age_on(ymd(2024, 3, 31)), 74);
  EXPECT_EQ(birth.age_on(ymd(2024, 4, 1)), 75);
}

TEST(DateAge, NotYetBornOrInvalidIsMinusOne) {
  const Date birth = ymd(2000, 5, 1);
  EXPECT_EQ(birth.age_on(ymd(2000, 4, 30)), -1);
  EXPECT_EQ(birth.age_on(ymd(1990, 6, 1)), -1);
  EXPECT_EQ(birth.age_on(Date{}), -1);
  EXPECT_EQ(Date{}.age_on(birth), -1);
  EXPECT_EQ(Date{}.age_on(Date{}), -1);
}

TEST(DateAge, MatchesNaiveCountingOverRandomPairs) {
  std::mt19937_64 rng(0xA6E0);
  std::uniform_int_distribution<std::int32_t> day(kFirstDay, kLastDay);
  for (int i = 0; i < 20000; ++i) {
    const Date a = Date::from_days(day(rng));
    const Date b = Date::from_days(day(rng));
    const Date birth = a < b ? a : b;
    const Date on = a < b ? b : a;
    // Naive: the largest n such that the n-th birthday (Feb 29 -> Mar 1) is on or before `on`.
    int n = 0;
    for (;;) {
      const int y = birth.year() + n + 1;
      Date next = ymd(y, birth.month(), birth.day());
      if (!next.valid()) next = ymd(y, 3, 1);
      if (!next.valid() || next > on) break;
      ++n;
    }
    ASSERT_EQ(birth.age_on(on), n) << birth.iso() << " on " << on.iso();
  }
}

// ---------------------------------------------------------------------------------------------
// parse_date: worked examples of every accepted form

struct Accepted {
  const char* text;
  int y, m, d;
};

void PrintTo(const Accepted& a, std::ostream* os) {
  *os << '"' << a.text << '"';
}

class DateParseAccepts : public ::testing::TestWithParam<Accepted> {};

TEST_P(DateParseAccepts, Parses) {
  const Accepted& a = GetParam();
  expect_date(a.text, a.y, a.m, a.d);
}

INSTANTIATE_TEST_SUITE_P(
    Western, DateParseAccepts,
    ::testing::Values(Accepted{"1972-05-01", 1972, 5, 1}, Accepted{"1972-5-1", 1972, 5, 1},
                      Accepted{"1972-5-01", 1972, 5, 1}, Accepted{"1972-05-1", 1972, 5, 1},
                      Accepted{"1972/5/1", 1972, 5, 1}, Accepted{"1972/05/01", 1972, 5, 1},
                      Accepted{"1972.5.1", 1972, 5, 1}, Accepted{"1972.05.01", 1972, 5, 1},
                      Accepted{"19720501", 1972, 5, 1}, Accepted{"2024-02-29", 2024, 2, 29},
                      Accepted{"2000/2/29", 2000, 2, 29}, Accepted{"1868-01-01", 1868, 1, 1},
                      Accepted{"2999-12-31", 2999, 12, 31}, Accepted{"18680101", 1868, 1, 1},
                      Accepted{"29991231", 2999, 12, 31}, Accepted{"2023.12.31", 2023, 12, 31}));

INSTANTIATE_TEST_SUITE_P(WesternFullWidth, DateParseAccepts,
                         ::testing::Values(Accepted{"１９７２－０５－０１", 1972, 5, 1},
                                           Accepted{"１９７２／５／１", 1972, 5, 1},
                                           Accepted{"１９７２．５．１", 1972, 5, 1},
                                           Accepted{"１９７２０５０１", 1972, 5, 1},
                                           Accepted{"19７2-0５-01", 1972, 5, 1},  // mixed widths
                                           Accepted{"1972－05－01", 1972, 5, 1},
                                           Accepted{"1972／5/1", 1972, 5, 1}));

INSTANTIATE_TEST_SUITE_P(Trimmed, DateParseAccepts,
                         ::testing::Values(Accepted{" 1972-05-01", 1972, 5, 1},
                                           Accepted{"1972-05-01 ", 1972, 5, 1},
                                           Accepted{"  19720501  ", 1972, 5, 1},
                                           Accepted{"\t1972/5/1\r\n", 1972, 5, 1},
                                           Accepted{"　1972-05-01　", 1972, 5, 1},
                                           Accepted{" 　 S47.05.01　 ", 1972, 5, 1},
                                           Accepted{"　　昭和47年5月1日", 1972, 5, 1},
                                           Accepted{"令和元年5月1日　", 2019, 5, 1}));

INSTANTIATE_TEST_SUITE_P(
    EraLetters, DateParseAccepts,
    ::testing::Values(Accepted{"S47.05.01", 1972, 5, 1}, Accepted{"S47.5.1", 1972, 5, 1},
                      Accepted{"S47/5/1", 1972, 5, 1}, Accepted{"S47-5-1", 1972, 5, 1},
                      Accepted{"s47.05.01", 1972, 5, 1}, Accepted{"S047.05.01", 1972, 5, 1},
                      Accepted{"R6/1/5", 2024, 1, 5}, Accepted{"r6/1/5", 2024, 1, 5},
                      Accepted{"R06.01.05", 2024, 1, 5}, Accepted{"H1-1-8", 1989, 1, 8},
                      Accepted{"h01-01-08", 1989, 1, 8}, Accepted{"H12.2.29", 2000, 2, 29},
                      Accepted{"M33.1.1", 1900, 1, 1}, Accepted{"m45.7.29", 1912, 7, 29},
                      Accepted{"T10.10.10", 1921, 10, 10}, Accepted{"t1.7.30", 1912, 7, 30},
                      Accepted{"R981.12.31", 2999, 12, 31}, Accepted{"R100.1.1", 2118, 1, 1}));

INSTANTIATE_TEST_SUITE_P(
    EraLettersFullWidth, DateParseAccepts,
    ::testing::Values(Accepted{"Ｓ４７．０５．０１", 1972, 5, 1},
                      Accepted{"ｓ４７．０５．０１", 1972, 5, 1},
                      Accepted{"Ｒ６／１／５", 2024, 1, 5}, Accepted{"ｒ6/1/5", 2024, 1, 5},
                      Accepted{"Ｈ１－１－８", 1989, 1, 8}, Accepted{"ｈ1-1-8", 1989, 1, 8},
                      Accepted{"Ｍ４５．７．２９", 1912, 7, 29}, Accepted{"ｍ45.7.29", 1912, 7, 29},
                      Accepted{"Ｔ１．７．３０", 1912, 7, 30}, Accepted{"ｔ1.7.30", 1912, 7, 30},
                      Accepted{"Ｓ47.5.1", 1972, 5, 1}));

INSTANTIATE_TEST_SUITE_P(
    EraKanji, DateParseAccepts,
    ::testing::Values(
        Accepted{"昭和47年5月1日", 1972, 5, 1}, Accepted{"昭和47年05月01日", 1972, 5, 1},
        Accepted{"昭和４７年５月１日", 1972, 5, 1}, Accepted{"令和元年5月1日", 2019, 5, 1},
        Accepted{"令和1年5月1日", 2019, 5, 1}, Accepted{"令和6年1月5日", 2024, 1, 5},
        Accepted{"平成元年1月8日", 1989, 1, 8}, Accepted{"平成31年4月30日", 2019, 4, 30},
        Accepted{"昭和元年12月25日", 1926, 12, 25}, Accepted{"昭和64年1月7日", 1989, 1, 7},
        Accepted{"大正元年7月30日", 1912, 7, 30}, Accepted{"大正15年12月24日", 1926, 12, 24},
        Accepted{"明治元年1月25日", 1868, 1, 25}, Accepted{"明治45年7月29日", 1912, 7, 29}));

// ---------------------------------------------------------------------------------------------
// parse_date: every error kind

struct Rejected {
  const char* text;
  ErrorCode code;
};

void PrintTo(const Rejected& r, std::ostream* os) {
  *os << '"' << r.text << '"';
}

class DateParseRejects : public ::testing::TestWithParam<Rejected> {};

TEST_P(DateParseRejects, WithTheRightCode) {
  const Rejected& r = GetParam();
  expect_error(r.text, r.code);
}

constexpr ErrorCode kFormat = ErrorCode::kDateFormat;
constexpr ErrorCode kRange = ErrorCode::kDateOutOfRange;
constexpr ErrorCode kEra = ErrorCode::kEraUnknown;

INSTANTIATE_TEST_SUITE_P(
    Unreadable, DateParseRejects,
    ::testing::Values(
        Rejected{"", kFormat}, Rejected{"   ", kFormat}, Rejected{"　", kFormat},
        Rejected{"\t\n", kFormat}, Rejected{"abc", kFormat}, Rejected{"hello", kFormat},
        Rejected{"1972", kFormat}, Rejected{"1972-05", kFormat}, Rejected{"1972-05-", kFormat},
        Rejected{"1972-05-01-", kFormat}, Rejected{"1972-05-01-01", kFormat},
        Rejected{"1972-05/01", kFormat},  // mixed separators
        Rejected{"1972/05.01", kFormat}, Rejected{"1972--05-01", kFormat},
        Rejected{"72-05-01", kFormat}, Rejected{"01972-05-01", kFormat},
        Rejected{"1972-005-01", kFormat}, Rejected{"1972-05-001", kFormat},
        Rejected{"197205011", kFormat}, Rejected{"1972050", kFormat}, Rejected{"01234", kFormat},
        Rejected{"1972 05 01", kFormat}, Rejected{"1972_05_01", kFormat},
        Rejected{"1972,05,01", kFormat}, Rejected{"19720501 x", kFormat},
        Rejected{"+1972-05-01", kFormat}, Rejected{"-1972-05-01", kFormat},
        Rejected{"1972-5-1日", kFormat},
        Rejected{"1972年5月1日", kFormat},  // Western year with kanji: not a listed form
        Rejected{"S47", kFormat}, Rejected{"S47.05", kFormat}, Rejected{"S.47.05.01", kFormat},
        Rejected{"S47.05.01x", kFormat}, Rejected{"S470501", kFormat},
        Rejected{"S47.05/01", kFormat}, Rejected{"S4747.05.01", kFormat},
        Rejected{"SS47.05.01", kFormat}, Rejected{"S 47.05.01", kFormat},
        Rejected{"47.05.01", kFormat}, Rejected{"S47年5月1日", kFormat},
        Rejected{"R元.5.1", kFormat}, Rejected{"R元/5/1", kFormat},
        Rejected{"昭和47年5月1", kFormat}, Rejected{"昭和47年5月", kFormat},
        Rejected{"昭和47年", kFormat}, Rejected{"昭和", kFormat}, Rejected{"昭和47.5.1", kFormat},
        Rejected{"昭和 47年5月1日", kFormat}, Rejected{"昭和47年5月1日 x", kFormat},
        Rejected{"昭和47年元月1日", kFormat}, Rejected{"昭和元元年5月1日", kFormat},
        Rejected{"昭和1000年5月1日", kFormat}, Rejected{"昭和47年123月1日", kFormat},
        Rejected{"元年5月1日", kFormat}, Rejected{"年5月1日", kFormat}, Rejected{"5月1日", kFormat},
        Rejected{"\xFF\xFE", kFormat}, Rejected{"\xE6\x98", kFormat},
        Rejected{"\x80"
                 "47年5月1日",
                 kFormat},
        Rejected{"-", kFormat}, Rejected{".", kFormat}, Rejected{"//", kFormat}));

INSTANTIATE_TEST_SUITE_P(
    NoSuchDay, DateParseRejects,
    ::testing::Values(Rejected{"2023-02-29", kRange}, Rejected{"20230229", kRange},
                      Rejected{"2023/2/29", kRange}, Rejected{"1900-02-29", kRange},
                      Rejected{"2100.2.29", kRange}, Rejected{"1972-13-01", kRange},
                      Rejected{"1972-00-10", kRange}, Rejected{"1972-04-31", kRange},
                      Rejected{"1972-01-00", kRange}, Rejected{"1972-01-32", kRange},
                      Rejected{"1972-99-99", kRange}, Rejected{"19721301", kRange},
                      Rejected{"00000000", kRange}, Rejected{"1867-12-31", kRange},
                      Rejected{"18671231", kRange}, Rejected{"3000-01-01", kRange},
                      Rejected{"0000-01-01", kRange}, Rejected{"9999-12-31", kRange},
                      Rejected{"H31.05.01", kRange}, Rejected{"H0.1.8", kRange},
                      Rejected{"S00.01.01", kRange}, Rejected{"S47.2.30", kRange},
                      Rejected{"S47.13.1", kRange}, Rejected{"S47.0.1", kRange},
                      Rejected{"S47.1.0", kRange}, Rejected{"昭和47年2月30日", kRange},
                      Rejected{"令和0年5月1日", kRange}, Rejected{"令和元年4月30日", kRange},
                      Rejected{"R982.1.1", kRange}, Rejected{"R999.12.31", kRange},
                      Rejected{"M1.1.1", kRange}, Rejected{"M999.1.1", kRange},
                      Rejected{"H5.2.29", kRange}, Rejected{"Ｈ３１．０５．０１", kRange}));

INSTANTIATE_TEST_SUITE_P(
    UnknownEra, DateParseRejects,
    ::testing::Values(Rejected{"X47.05.01", kEra}, Rejected{"x47.05.01", kEra},
                      Rejected{"A1.1.1", kEra}, Rejected{"Z1/1/1", kEra}, Rejected{"K1-1-1", kEra},
                      Rejected{"Ｘ４７．０５．０１", kEra}, Rejected{"ｘ47.5.1", kEra},
                      Rejected{"X47.99.99", kEra},  // the era is judged before the day
                      Rejected{"天保3年1月1日", kEra}, Rejected{"慶応元年1月1日", kEra}));

// ---------------------------------------------------------------------------------------------
// parse_date: era boundaries on both sides

struct Boundary {
  const char* inside;   // the era's first or last day written in that era
  const char* outside;  // one day beyond it, still written in that era
  int y, m, d;          // the Gregorian date of `inside`
  const char* detail;   // expected detail for `outside`
};

void PrintTo(const Boundary& b, std::ostream* os) {
  *os << '"' << b.inside << "\" / \"" << b.outside << '"';
}

class DateEraBoundary : public ::testing::TestWithParam<Boundary> {};

TEST_P(DateEraBoundary, InsideParsesOutsideIsRejected) {
  const Boundary& b = GetParam();
  expect_date(b.inside, b.y, b.m, b.d);
  const Result<Date> r = parse_date(b.outside);
  ASSERT_FALSE(r.ok()) << b.outside;
  EXPECT_EQ(r.error().code, ErrorCode::kDateOutOfRange);
  EXPECT_EQ(r.error().detail, b.detail);
}

INSTANTIATE_TEST_SUITE_P(
    Letters, DateEraBoundary,
    ::testing::Values(
        Boundary{"M1.1.25", "M1.1.24", 1868, 1, 25, "before the start of Meiji (1868-01-25)"},
        Boundary{"M45.7.29", "M45.7.30", 1912, 7, 29, "after the end of Meiji (1912-07-29)"},
        Boundary{"T1.7.30", "T1.7.29", 1912, 7, 30, "before the start of Taisho (1912-07-30)"},
        Boundary{"T15.12.24", "T15.12.25", 1926, 12, 24, "after the end of Taisho (1926-12-24)"},
        Boundary{"S1.12.25", "S1.12.24", 1926, 12, 25, "before the start of Showa (1926-12-25)"},
        Boundary{"S64.1.7", "S64.1.8", 1989, 1, 7, "after the end of Showa (1989-01-07)"},
        Boundary{"H1.1.8", "H1.1.7", 1989, 1, 8, "before the start of Heisei (1989-01-08)"},
        Boundary{"H31.4.30", "H31.05.01", 2019, 4, 30, "after the end of Heisei (2019-04-30)"},
        Boundary{"R1.5.1", "R1.4.30", 2019, 5, 1, "before the start of Reiwa (2019-05-01)"},
        Boundary{"R981.12.31", "R982.1.1", 2999, 12, 31,
                 "after 2999-12-31, the last supported date"}));

INSTANTIATE_TEST_SUITE_P(Kanji, DateEraBoundary,
                         ::testing::Values(Boundary{"明治元年1月25日", "明治元年1月24日", 1868, 1,
                                                    25, "before the start of Meiji (1868-01-25)"},
                                           Boundary{"明治45年7月29日", "明治45年7月30日", 1912, 7,
                                                    29, "after the end of Meiji (1912-07-29)"},
                                           Boundary{"大正元年7月30日", "大正元年7月29日", 1912, 7,
                                                    30, "before the start of Taisho (1912-07-30)"},
                                           Boundary{"大正15年12月24日", "大正15年12月25日", 1926,
                                                    12, 24, "after the end of Taisho (1926-12-24)"},
                                           Boundary{"昭和元年12月25日", "昭和元年12月24日", 1926,
                                                    12, 25,
                                                    "before the start of Showa (1926-12-25)"},
                                           Boundary{"昭和64年1月7日", "昭和64年1月8日", 1989, 1, 7,
                                                    "after the end of Showa (1989-01-07)"},
                                           Boundary{"平成元年1月8日", "平成元年1月7日", 1989, 1, 8,
                                                    "before the start of Heisei (1989-01-08)"},
                                           Boundary{"平成31年4月30日", "平成31年5月1日", 2019, 4,
                                                    30, "after the end of Heisei (2019-04-30)"},
                                           Boundary{"令和元年5月1日", "令和元年4月30日", 2019, 5, 1,
                                                    "before the start of Reiwa (2019-05-01)"}));

TEST(DateEraHandOver, EachHandOverDayBelongsToExactlyOneEra) {
  for (std::size_t i = 1; i < kTestEras.size(); ++i) {
    const TestEra& prev = kTestEras[i - 1];
    const TestEra& next = kTestEras[i];
    const Date first = ymd(next.y, next.m, next.d);
    const Date last_of_prev = first.add_days(-1);
    for (const TestEra* e : {&prev, &next}) {
      for (const Date d : {last_of_prev, first}) {
        char buf[32];
        std::snprintf(buf, sizeof buf, "%c%d.%d.%d", e->letter, d.year() - e->y + 1, d.month(),
                      d.day());
        const bool belongs = (e == &prev) == (d == last_of_prev);
        const Result<Date> r = parse_date(buf);
        EXPECT_EQ(r.ok(), belongs) << buf;
        if (r.ok()) {
          EXPECT_EQ(*r, d) << buf;
        }
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------
// parse_date: error details

// Details never repeat the value: a mistyped birth date is personal data in a log.
TEST(DateParseDetail, NoSuchDaySaysWhyWithoutRepeatingTheValue) {
  EXPECT_EQ(parse_date("2023/2/29").error().detail, "no such calendar day (check month and day)");
  EXPECT_EQ(parse_date("S47.2.30").error().detail, "no such calendar day (check month and day)");
  EXPECT_EQ(parse_date("昭和47年2月30日").error().detail,
            "no such calendar day (check month and day)");
  EXPECT_EQ(parse_date("H0.1.8").error().detail, "era years start at 1");
  EXPECT_EQ(parse_date("1867-12-31").error().detail, "outside the supported years 1868..2999");
}

TEST(DateParseDetail, UnknownEraNamesTheLetter) {
  EXPECT_EQ(parse_date("X47.05.01").error().detail,
            "unknown era letter 'X'; expected M, T, S, H or R");
  EXPECT_EQ(parse_date("Ｘ47.05.01").error().detail,
            "unknown era letter 'X'; expected M, T, S, H or R");
  EXPECT_EQ(parse_date("天保3年1月1日").error().detail.find("天保"), std::string::npos);
}

TEST(DateParseDetail, UnreadableInputIsNotEchoed) {
  // A date field sometimes receives a name or an insurance number typed in the wrong box.
  const Result<Date> name = parse_date("Yamada Taro");
  ASSERT_FALSE(name.ok());
  EXPECT_EQ(name.error().detail.find("Yamada"), std::string::npos);
  const Result<Date> number = parse_date("06139999");  // a real-looking insurer number
  ASSERT_FALSE(number.ok());
  EXPECT_EQ(number.error().detail.find("06139999"), std::string::npos);
  EXPECT_EQ(parse_date("山田太郎").error().detail, name.error().detail);
  EXPECT_EQ(parse_date("12345").error().detail, name.error().detail);
}

TEST(DateParseDetail, AllDetailsArePrintableAscii) {
  for (const char* text : {"", "x", "2023-02-29", "H31.05.01", "X1.1.1", "天保3年1月1日",
                           "令和0年5月1日", "昭和47年2月30日", "M1.1.1", "R999.1.1"}) {
    const Result<Date> r = parse_date(text);
    ASSERT_FALSE(r.ok()) << text;
    EXPECT_TRUE(printable_ascii(r.error().detail)) << text << ": " << r.error().detail;
  }
}

// ---------------------------------------------------------------------------------------------
// parse_date_strict

TEST(DateParseStrict, AcceptsOnlyTheTwoMachineForms) {
  ASSERT_TRUE(parse_date_strict("19720501").ok());
  EXPECT_EQ(*parse_date_strict("19720501"), ymd(1972, 5, 1));
  ASSERT_TRUE(parse_date_strict("1972-05-01").ok());
  EXPECT_EQ(*parse_date_strict("1972-05-01"), ymd(1972, 5, 1));
  EXPECT_EQ(*parse_date_strict("2024-02-29"), ymd(2024, 2, 29));
  EXPECT_EQ(*parse_date_strict("18680101"), ymd(1868, 1, 1));
  EXPECT_EQ(*parse_date_strict("2999-12-31"), ymd(2999, 12, 31));
}

TEST(DateParseStrict, RejectsTheForgivingForms) {
  for (const char* text : {"",           "1972/05/01",     "1972.05.01",          "1972-5-1",
                           "1972-05-1",  " 1972-05-01",    "1972-05-01 ",         "19720501\n",
                           "S47.05.01",  "昭和47年5月1日", "１９７２０５０１",    "1972－05－01",
                           "1972_05_01", "1972-0501x",     "+972-05-01",          "1972-05+01",
                           "197205011",  "1972050",        "1972-05-01T00:00:00", "19720501Z",
                           "abcdefgh",   "abcd-ef-gh",     "1972-05-0a",          "-1972-05-1"}) {
    const Result<Date> r = parse_date_strict(text);
    ASSERT_FALSE(r.ok()) << text;
    EXPECT_EQ(r.error().code, ErrorCode::kDateFormat) << text;
  }
}

TEST(DateParseStrict, RejectsNonDays) {
  for (const char* text : {"2023-02-29", "20230229", "20231301", "2023-00-01", "2023-01-00",
                           "18671231", "3000-01-01", "00000000", "9999-99-99"}) {
    const Result<Date> r = parse_date_strict(text);
    ASSERT_FALSE(r.ok()) << text;
    EXPECT_EQ(r.error().code, ErrorCode::kDateOutOfRange) << text;
  }
}

// ---------------------------------------------------------------------------------------------
// Properties

TEST(DateProperty, EveryDayInRangeMatchesTheChronoCalendar) {
  Date prev;
  for (std::int32_t n = kFirstDay; n <= kLastDay; ++n) {
    const Date d = Date::from_days(n);
    ASSERT_TRUE(d.valid()) << n;
    ASSERT_EQ(d.days(), n);
    const int y = d.year(), m = d.month(), dd = d.day();
    ASSERT_EQ(chrono_days(y, m, dd), n) << d.iso();
    ASSERT_EQ(Date::from_ymd(y, m, dd), d);
    ASSERT_EQ(d.yyyymmdd(), y * 10000 + m * 100 + dd);
    ASSERT_LT(prev, d);
    if (prev.valid()) {
      ASSERT_GT(d.yyyymmdd(), prev.yyyymmdd());
      ASSERT_EQ(prev.add_days(1), d);
    }
    prev = d;
  }
}

TEST(DateProperty, FromYmdAgreesWithChronoOnEveryTriple) {
  // Every y/m/d with 0..13 and 0..32 for a sample of years, including non-days.
  for (int y : {1867, 1868, 1900, 1970, 1999, 2000, 2023, 2024, 2100, 2999, 3000}) {
    for (int m = 0; m <= 13; ++m) {
      for (int d = 0; d <= 32; ++d) {
        const Date date = ymd(y, m, d);
        using namespace std::chrono;
        const year_month_day c{year{y}, month{static_cast<unsigned>(m)},
                               day{static_cast<unsigned>(d)}};
        const bool expect = c.ok() && y >= 1868 && y <= 2999;
        ASSERT_EQ(date.valid(), expect) << y << "-" << m << "-" << d;
        if (expect) {
          ASSERT_EQ(date.days(), chrono_days(y, m, d));
        }
      }
    }
  }
}

class DateRandomDays : public ::testing::TestWithParam<std::uint64_t> {
 protected:
  static constexpr int kCount = 50000;  // x4 seeds = 200,000 days
};

TEST_P(DateRandomDays, RoundTripsThroughEveryForm) {
  std::mt19937_64 rng(GetParam());
  std::uniform_int_distribution<std::int32_t> day(kFirstDay, kLastDay);
  std::uniform_int_distribution<int> coin(0, 1);
  std::uniform_int_distribution<int> sep_pick(0, 2);
  const std::array<char, 3> seps = {'.', '/', '-'};
  for (int i = 0; i < kCount; ++i) {
    const std::int32_t n = day(rng);
    const Date d = Date::from_days(n);
    ASSERT_EQ(d.days(), n);
    ASSERT_EQ(Date::from_ymd(d.year(), d.month(), d.day()).days(), n);

    const auto iso = parse_date(d.iso());
    ASSERT_TRUE(iso.ok()) << d.iso();
    ASSERT_EQ(*iso, d);
    const auto compact = parse_date(d.compact());
    ASSERT_TRUE(compact.ok()) << d.compact();
    ASSERT_EQ(*compact, d);
    ASSERT_EQ(*parse_date_strict(d.iso()), d);
    ASSERT_EQ(*parse_date_strict(d.compact()), d);

    const TestEra* era = era_of(d);
    if (era == nullptr) continue;
    const int ey = d.year() - era->y + 1;

    // Letter form with random case, padding, separator and width.
    const char letter = coin(rng) ? era->letter : static_cast<char>(era->letter - 'A' + 'a');
    const char sep = seps[static_cast<std::size_t>(sep_pick(rng))];
    char buf[32];
    if (coin(rng)) {
      std::snprintf(buf, sizeof buf, "%c%02d%c%02d%c%02d", letter, ey, sep, d.month(), sep,
                    d.day());
    } else {
      std::snprintf(buf, sizeof buf, "%c%d%c%d%c%d", letter, ey, sep, d.month(), sep, d.day());
    }
    std::string letter_form = buf;
    if (coin(rng)) letter_form = all_full_width(letter_form);
    if (coin(rng)) letter_form = "　" + letter_form + " ";
    const auto lr = parse_date(letter_form);
    ASSERT_TRUE(lr.ok()) << letter_form << ": " << lr.error().detail;
    ASSERT_EQ(*lr, d) << letter_form;

    // Kanji form, with 元 for the first year.
    std::string year_text = std::to_string(ey);
    if (ey == 1 && coin(rng)) year_text = "元";
    std::string kanji_form = std::string(era->kanji) + year_text + "年" +
                             std::to_string(d.month()) + "月" + std::to_string(d.day()) + "日";
    if (coin(rng)) kanji_form = all_full_width(kanji_form);
    const auto kr = parse_date(kanji_form);
    ASSERT_TRUE(kr.ok()) << kanji_form << ": " << kr.error().detail;
    ASSERT_EQ(*kr, d) << kanji_form;

    // The same day written in any other era is rejected: before a later era's start (era year
    // 0 included), after an earlier era's end (up to the three digits an era year may have).
    for (const TestEra& other : kTestEras) {
      const int other_year = d.year() - other.y + 1;
      if (&other == era || other_year < 0 || other_year > 999) continue;
      std::snprintf(buf, sizeof buf, "%c%d.%d.%d", other.letter, other_year, d.month(), d.day());
      const auto wrong = parse_date(buf);
      ASSERT_FALSE(wrong.ok()) << buf;
      ASSERT_EQ(wrong.error().code, ErrorCode::kDateOutOfRange) << buf;
    }
  }
}

TEST_P(DateRandomDays, OrderingMatchesDayNumbers) {
  std::mt19937_64 rng(GetParam() ^ 0x5A5A5A5A);
  std::uniform_int_distribution<std::int32_t> day(kFirstDay, kLastDay);
  for (int i = 0; i < kCount; ++i) {
    const std::int32_t a = day(rng);
    const std::int32_t b = (i % 8 == 0) ? a : day(rng);
    const Date da = Date::from_days(a);
    const Date db = Date::from_days(b);
    ASSERT_EQ(da < db, a < b);
    ASSERT_EQ(da == db, a == b);
    ASSERT_EQ(da > db, a > b);
    ASSERT_EQ(da.yyyymmdd() < db.yyyymmdd(), a < b);
    ASSERT_EQ(da.iso() < db.iso(), a < b);  // ISO strings sort like dates
    ASSERT_EQ(da.add_days(b - a), db);
  }
}

INSTANTIATE_TEST_SUITE_P(Seeds, DateRandomDays,
                         ::testing::Values(1u, 20240501u, 0xDA7Eu, 0x0B5B1u));

// ---------------------------------------------------------------------------------------------
// Fuzz-ish: arbitrary input never crashes and always yields a valid date or a date error.

void check_any_outcome(const std::string& text) {
  const Result<Date> r = parse_date(text);
  if (r.ok()) {
    ASSERT_TRUE(r->valid());
    ASSERT_GE(r->days(), kFirstDay);
    ASSERT_LE(r->days(), kLastDay);
    ASSERT_EQ(*parse_date(r->iso()), *r);
  } else {
    const ErrorCode c = r.error().code;
    ASSERT_TRUE(c == ErrorCode::kDateFormat || c == ErrorCode::kDateOutOfRange ||
                c == ErrorCode::kEraUnknown);
    ASSERT_FALSE(r.error().detail.empty());
    ASSERT_TRUE(printable_ascii(r.error().detail)) << r.error().detail;
    ASSERT_LT(r.error().detail.size(), 200u);
  }
  const Result<Date> s = parse_date_strict(text);
  if (s.ok()) {
    ASSERT_TRUE(s->valid());
    ASSERT_TRUE(r.ok());  // whatever the strict parser accepts, the forgiving one accepts too
    ASSERT_EQ(*s, *r);
  } else {
    ASSERT_TRUE(s.error().code == ErrorCode::kDateFormat ||
                s.error().code == ErrorCode::kDateOutOfRange);
  }
}

TEST(DateFuzz, RandomBytes) {
  std::mt19937_64 rng(0xF022);
  std::uniform_int_distribution<int> len(0, 24);
  std::uniform_int_distribution<int> byte(0, 255);
  for (int i = 0; i < 30000; ++i) {
    std::string text(static_cast<std::size_t>(len(rng)), '\0');
    for (char& c : text) c = static_cast<char>(byte(rng));
    ASSERT_NO_FATAL_FAILURE(check_any_outcome(text));
  }
}

TEST(DateFuzz, RandomPiecesOfDates) {
  // Bytes alone rarely get past the first character; pieces of real dates reach every branch.
  const std::vector<std::string> pieces = {
      "0",  "1",  "2",  "3",  "4",    "5",    "7",    "9",        "19",       "20",
      "12", "31", "29", "02", ".",    "/",    "-",    " ",        "　",       "\t",
      "S",  "s",  "H",  "R",  "M",    "T",    "X",    "Ｓ",       "ｒ",       "１",
      "９", "．", "／", "－", "明治", "大正", "昭和", "平成",     "令和",     "元",
      "年", "月", "日", "天", "\xE6", "\x98", "\xFF", "\xEF\xBC", "\xE3\x80", std::string(1, '\0')};
  std::mt19937_64 rng(0x91EC5);
  std::uniform_int_distribution<int> count(0, 10);
  std::uniform_int_distribution<std::size_t> pick(0, pieces.size() - 1);
  int accepted = 0;
  for (int i = 0; i < 100000; ++i) {
    std::string text;
    for (int k = count(rng); k > 0; --k) text += pieces[pick(rng)];
    ASSERT_NO_FATAL_FAILURE(check_any_outcome(text));
    accepted += parse_date(text).ok() ? 1 : 0;
  }
  EXPECT_GT(accepted, 0);  // the generator does reach the accepting paths
}

TEST(DateFuzz, MutatedValidDates) {
  std::mt19937_64 rng(0x3E7A7E);
  std::uniform_int_distribution<std::int32_t> day(kFirstDay, kLastDay);
  std::uniform_int_distribution<int> byte(0, 255);
  for (int i = 0; i < 30000; ++i) {
    const Date d = Date::from_days(day(rng));
    std::string text = (i % 2 == 0) ? d.iso() : "S47年5月1日" + d.compact();
    if (i % 3 == 0) text = "令和元年5月1日";
    std::uniform_int_distribution<std::size_t> pos(0, text.size() - 1);
    switch (i % 4) {
      case 0:
        text[pos(rng)] = static_cast<char>(byte(rng));
        break;
      case 1:
        text.erase(pos(rng), 1);
        break;
      case 2:
        text.insert(pos(rng), 1, static_cast<char>(byte(rng)));
        break;
      default:
        text = text.substr(0, pos(rng));
        break;
    }
    ASSERT_NO_FATAL_FAILURE(check_any_outcome(text));
  }
}

}  // namespace
}  // namespace onshi::core
