#include "gen/synthetic_data.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstddef>
#include <initializer_list>
#include <random>
#include <set>
#include <span>
#include <string_view>

#include "core/coverage.hpp"
#include "core/facility.hpp"
#include "core/identifiers.hpp"
#include "core/insurer.hpp"
#include "core/registration.hpp"
#include "gen/tables.hpp"

namespace onshi::gen {
namespace {

using core::InsurerKind;
using F = core::RegistrationField;
using Days = std::int32_t;  // days since 1970-01-01

constexpr Days kNoDay = INT32_MIN;
constexpr int kPrefectureCount = 47;
constexpr int kKindCount = 6;

// ---------------------------------------------------------------------------------------------
// Calendar arithmetic on plain day numbers. core::Date is only the boundary type: the generator
// formats millions of dates and cannot afford a std::string per date.

constexpr Days days_from_civil(int y, int m, int d) {
  y -= m <= 2;
  const int era = (y >= 0 ? y : y - 399) / 400;
  const int yoe = y - era * 400;
  const int doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

struct Ymd {
  int y, m, d;
};

constexpr Ymd civil_from_days_slow(Days z) {
  z += 719468;
  const int era = (z >= 0 ? z : z - 146096) / 146097;
  const int doe = z - era * 146097;
  const int yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int mp = (5 * doy + 2) / 153;
  const int d = doy - (153 * mp + 2) / 5 + 1;
  const int m = mp < 10 ? mp + 3 : mp - 9;
  return {yoe + era * 400 + (m <= 2), m, d};
}

// The generator converts day numbers to dates tens of times per row; a table over the years it
// can produce (1880..2239) replaces the divisions with one load.
class CivilTable {
 public:
  static constexpr Days kFirst = days_from_civil(1880, 1, 1);
  static constexpr Days kLast = days_from_civil(2239, 12, 31);
  CivilTable() : packed_(static_cast<std::size_t>(kLast - kFirst + 1)) {
    for (Days d = kFirst; d <= kLast; ++d) {
      const Ymd c = civil_from_days_slow(d);
      packed_[static_cast<std::size_t>(d - kFirst)] = static_cast<std::uint32_t>(c.y) << 9 |
                                                      static_cast<std::uint32_t>(c.m) << 5 |
                                                      static_cast<std::uint32_t>(c.d);
    }
  }
  Ymd get(Days z) const {
    if (z < kFirst || z > kLast) return civil_from_days_slow(z);
    const std::uint32_t v = packed_[static_cast<std::size_t>(z - kFirst)];
    return {static_cast<int>(v >> 9), static_cast<int>(v >> 5 & 15), static_cast<int>(v & 31)};
  }

 private:
  std::vector<std::uint32_t> packed_;
};

Ymd civil_from_days(Days z) {
  static const CivilTable table;
  return table.get(z);
}

constexpr bool is_leap(int y) {
  return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

// Feb 29 in a common year becomes Mar 1, as in core::Date::age_on: a person born on Feb 29
// turns 75 (and moves to 後期高齢者) on Mar 1 of a common year.
constexpr Days ymd(int y, int m, int d) {
  if (m == 2 && d == 29 && !is_leap(y)) return days_from_civil(y, 3, 1);
  return days_from_civil(y, m, d);
}

Days add_years(Days day, int n) {
  const Ymd c = civil_from_days(day);
  return ymd(c.y + n, c.m, c.d);
}

// The latest month/day on or before `day` (the start of the yearly term containing it).
Days term_start(Days day, int month, int dom) {
  const Ymd c = civil_from_days(day);
  const Days x = ymd(c.y, month, dom);
  return x <= day ? x : ymd(c.y - 1, month, dom);
}

// Consistent with add_years, so that "75 on `on`" and "on >= the 75th birthday" never disagree.
int age_on(Days birth, Days on) {
  int a = civil_from_days(on).y - civil_from_days(birth).y;
  if (add_years(birth, a) > on) --a;
  return a;
}

// 70歳の誕生日の属する月の翌月1日 (the same day when born on the 1st): when the elderly
// recipient terms start.
Days elderly_start(Days birth) {
  const Days b70 = add_years(birth, 70);
  const Ymd c = civil_from_days(b70);
  if (c.d == 1) return b70;
  return c.m == 12 ? ymd(c.y + 1, 1, 1) : ymd(c.y, c.m + 1, 1);
}

// 未就学: until the 1 April when the child enters primary school (born 2 Apr..1 Apr cohorts).
bool preschool_on(Days birth, Days on) {
  const Ymd b = civil_from_days(birth);
  const bool early = b.m < 4 || (b.m == 4 && b.d == 1);
  return on < ymd(b.y + (early ? 6 : 7), 4, 1);
}

void append_date(std::string& out, Days day) {
  const Ymd c = civil_from_days(day);
  char buf[10] = {static_cast<char>('0' + c.y / 1000 % 10),
                  static_cast<char>('0' + c.y / 100 % 10),
                  static_cast<char>('0' + c.y / 10 % 10),
                  static_cast<char>('0' + c.y % 10),
                  '-',
                  static_cast<char>('0' + c.m / 10),
                  static_cast<char>('0' + c.m % 10),
                  '-',
                  static_cast<char>('0' + c.d / 10),
                  static_cast<char>('0' + c.d % 10)};
  out.append(buf, sizeof buf);
}

void append_int(std::string& out, std::int64_t v, int width = 0) {
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  (void)ec;
  for (int pad = width - static_cast<int>(end - buf); pad > 0; --pad) out += '0';
  out.append(buf, end);
}

// ---------------------------------------------------------------------------------------------
// Randomness. Own range reduction instead of std::uniform_int_distribution, whose algorithm is
// implementation-defined: a seed must give the same files with any standard library.

std::uint64_t splitmix64(std::uint64_t x) {
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}

class Rng {
 public:
  explicit Rng(std::uint64_t seed) : engine_(seed) {}
  std::uint64_t next() { return engine_(); }
  std::uint64_t below(std::uint64_t n) { return n ? engine_() % n : 0; }
  // Inclusive; `lo` when the range is empty.
  std::int64_t between(std::int64_t lo, std::int64_t hi) {
    return hi <= lo
               ? lo
               : lo + static_cast<std::int64_t>(below(static_cast<std::uint64_t>(hi - lo) + 1));
  }
  double unit() { return static_cast<double>(engine_() >> 11) * 0x1.0p-53; }
  bool chance(double p) { return unit() < p; }
  template <typename T, std::size_t N>
  const T& pick(const T (&items)[N]) {
    return items[below(N)];
  }

 private:
  std::mt19937_64 engine_;
};

class Picker {
 public:
  void add(double weight) {
    total_ += weight;
    cumulative_.push_back(total_);
  }
  std::size_t size() const { return cumulative_.size(); }
  std::size_t pick(Rng& rng) const {
    const double x = rng.unit() * total_;
    const auto it = std::upper_bound(cumulative_.begin(), cumulative_.end(), x);
    return std::min<std::size_t>(it - cumulative_.begin(), cumulative_.size() - 1);
  }

 private:
  std::vector<double> cumulative_;
  double total_ = 0;
};

struct AgeBand {
  int lo, hi;
  double weight;
};

int sample_age(Rng& rng, std::span<const AgeBand> bands) {
  double total = 0;
  for (const auto& b : bands) total += b.weight;
  double x = rng.unit() * total;
  for (const auto& b : bands) {
    if (x < b.weight) return static_cast<int>(rng.between(b.lo, b.hi));
    x -= b.weight;
  }
  return bands.back().hi;
}

// Heads of household (被保険者本人 / 世帯主) by kind: employees are of working age, 市町村国保
// leans to 65-74 (retirees), 後期高齢者 is 75+ by law.
constexpr AgeBand kEmployeeAges[] = {{18, 24, 0.8},  {25, 29, 1.0}, {30, 34, 1.0}, {35, 39, 1.05},
                                     {40, 44, 1.15}, {45, 49, 1.3}, {50, 54, 1.2}, {55, 59, 1.0},
                                     {60, 64, 0.65}, {65, 69, 0.3}, {70, 74, 0.08}};
constexpr AgeBand kPublicServantAges[] = {{18, 24, 0.7}, {25, 34, 2.0}, {35, 44, 2.1},
                                          {45, 54, 2.3}, {55, 59, 1.0}, {60, 64, 0.5},
                                          {65, 69, 0.05}};
constexpr AgeBand kMunicipalNhiAges[] = {{20, 29, 0.5},  {30, 39, 0.55}, {40, 49, 0.7},
                                         {50, 59, 0.75}, {60, 64, 0.8},  {65, 69, 1.4},
                                         {70, 74, 1.7}};
constexpr AgeBand kNhiSocietyAges[] = {
    {25, 34, 0.7}, {35, 44, 1.0}, {45, 54, 1.1}, {55, 64, 1.0}, {65, 74, 0.6}};
constexpr AgeBand kLateStageAges[] = {{75, 79, 1.0}, {80, 84, 0.85}, {85, 89, 0.6},
                                      {90, 94, 0.3}, {95, 99, 0.09}, {100, 105, 0.01}};

// ---------------------------------------------------------------------------------------------
// CSV output: lines are built in one buffer and written in large blocks.

class CsvWriter {
 public:
  explicit CsvWriter(std::ostream& os) : os_(os) { buf_.reserve(kFlushAt + 8192); }
  ~CsvWriter() { flush(); }
  CsvWriter(const CsvWriter&) = delete;
  CsvWriter& operator=(const CsvWriter&) = delete;

  void raw_line(std::string_view line) {
    buf_.append(line);
    buf_ += '\n';
  }
  void cell(std::string_view v) {
    if (!first_) buf_ += ',';
    first_ = false;
    // A plain byte loop: find_first_of runs memchr over the set for every byte.
    bool quote = false;
    for (char c : v) quote |= c == ',' || c == '"' || c == '\n' || c == '\r';
    if (!quote) {
      buf_.append(v);
      return;
    }
    buf_ += '"';
    for (char c : v) {
      if (c == '"') buf_ += '"';
      buf_ += c;
    }
    buf_ += '"';
  }
  void end_row() {
    buf_ += '\n';
    first_ = true;
    ++rows_;
    if (buf_.size() >= kFlushAt) flush();
  }
  void flush() {
    if (!buf_.empty()) os_.write(buf_.data(), static_cast<std::streamsize>(buf_.size()));
    buf_.clear();
  }
  std::int64_t rows() const { return rows_; }

 private:
  static constexpr std::size_t kFlushAt = 1 << 20;
  std::ostream& os_;
  std::string buf_;
  bool first_ = true;
  std::int64_t rows_ = 0;
};

// One registrations.csv line; cells keep their capacity from row to row.
class RegRow {
 public:
  void clear() {
    for (auto& c : cells_) c.clear();
  }
  std::string& operator[](F f) { return cells_[static_cast<std::size_t>(f)]; }
  void set(F f, std::string_view v) { (*this)[f].assign(v); }
  void set_int(F f, std::int64_t v, int width = 0) {
    auto& c = (*this)[f];
    c.clear();
    append_int(c, v, width);
  }
  void set_date(F f, Days d) {
    auto& c = (*this)[f];
    c.clear();
    if (d != kNoDay) append_date(c, d);
  }
  void write(CsvWriter& out) const {
    for (const auto& c : cells_) out.cell(c);
    out.end_row();
  }

 private:
  std::array<std::string, core::kRegistrationFieldCount> cells_;
};

// ---------------------------------------------------------------------------------------------
// Insurers.

// How an insurer writes its card symbols (記号). Real symbols are digits, digit groups with a
// hyphen, katakana or kanji (often the municipality's name for 国保); 後期高齢者 has none.
enum class SymbolStyle : std::uint8_t { kOfficeDigits, kShortDigits, kHyphen, kKana, kWord, kNone };

struct GenInsurer {
  core::Insurer info;
  SymbolStyle style = SymbolStyle::kShortDigits;
  std::int64_t group = 1000;  // households per symbol
  int number_width = 0;       // zero padding of the 番号
  std::string word;           // the symbol for kWord
  std::uint64_t salt = 0;     // varies the symbols between insurers
  std::int64_t issued = 0;    // households (or persons) given a number so far
};

std::string two_digits(int n) {
  std::string s;
  append_int(s, n, 2);
  return s;
}

std::string insurer_number(std::string_view houbetsu, int pref, int serial) {
  std::string body(houbetsu);
  append_int(body, pref, 2);
  append_int(body, serial, 3);
  return core::make_insurer_number(body);
}

// Gives the next household (or person) of `ins` its symbol and number. Both are derived from a
// counter through injective maps, so no two households of one insurer share a key.
void issue_card(GenInsurer& ins, std::string& symbol, std::string& number) {
  const std::int64_t c = ins.issued++;
  const std::int64_t g = c / ins.group;
  const std::int64_t within = c % ins.group + 1;
  symbol.clear();
  number.clear();
  switch (ins.style) {
    case SymbolStyle::kOfficeDigits:
      // 協会けんぽ: an 8-digit employer (事業所) code; numbers restart at 1 in every office.
      // g -> g * 7919 mod 9*10^7 is a bijection (7919 is prime to 9*10^7).
      append_int(symbol, 10000000 + static_cast<std::int64_t>(
                                        (static_cast<std::uint64_t>(g) * 7919u % 90000000u +
                                         ins.salt % 90000000u) %
                                        90000000u));
      break;
    case SymbolStyle::kShortDigits:
      append_int(symbol, static_cast<std::int64_t>(1 + ins.salt % 900) + g);
      break;
    case SymbolStyle::kHyphen:
      append_int(symbol, static_cast<std::int64_t>(10 + ins.salt % 80) + g / 100);
      symbol += '-';
      // Within one hundred groups the second part takes 100 distinct values: still injective.
      append_int(symbol,
                 static_cast<std::int64_t>((static_cast<std::uint64_t>(g) + ins.salt / 80) % 100),
                 2);
      break;
    case SymbolStyle::kKana: {
      constexpr auto n = std::size(tables::kSymbolKana);
      symbol.assign(tables::kSymbolKana[(static_cast<std::uint64_t>(g) + ins.salt) % n]);
      if (g / static_cast<std::int64_t>(n) > 0)
        append_int(symbol, g / static_cast<std::int64_t>(n));
      break;
    }
    case SymbolStyle::kWord:
      symbol = ins.word;
      if (g > 0) append_int(symbol, g);
      break;
    case SymbolStyle::kNone:
      break;
  }
  append_int(number, within, ins.number_width);
}

// ---------------------------------------------------------------------------------------------
// The generator.

struct KindShare {
  InsurerKind kind;
  double insured_millions;  // MHLW figures, FY2020-ish
};
constexpr KindShare kKindShares[kKindCount] = {
    {InsurerKind::kKyokaiKenpo, 39.5}, {InsurerKind::kHealthInsuranceSociety, 29.5},
    {InsurerKind::kMutualAid, 8.6},    {InsurerKind::kMunicipalNhi, 27.5},
    {InsurerKind::kNhiSociety, 2.7},   {InsurerKind::kLateStageElderly, 17.7},
};

int kind_index(InsurerKind k) {
  return static_cast<int>(k) - 1;
}

bool is_employee(InsurerKind k) {
  return k == InsurerKind::kKyokaiKenpo || k == InsurerKind::kHealthInsuranceSociety ||
         k == InsurerKind::kMutualAid;
}

// Splits `total` over weights so that the parts sum to total exactly (largest remainder).
std::vector<std::int64_t> apportion(std::int64_t total, std::span<const double> weights) {
  double sum = 0;
  for (double w : weights) sum += w;
  std::vector<std::int64_t> parts(weights.size());
  std::vector<std::pair<double, std::size_t>> rest;
  std::int64_t given = 0;
  for (std::size_t i = 0; i < weights.size(); ++i) {
    const double exact = static_cast<double>(total) * weights[i] / sum;
    parts[i] = static_cast<std::int64_t>(std::floor(exact));
    given += parts[i];
    rest.emplace_back(exact - std::floor(exact), i);
  }
  std::stable_sort(rest.begin(), rest.end(),
                   [](const auto& a, const auto& b) { return a.first > b.first; });
  for (std::size_t i = 0; given < total; ++i, ++given) ++parts[rest[i % rest.size()].second];
  return parts;
}

enum class Role : std::uint8_t { kHead, kSpouse, kChild, kParent };

struct Member {
  Role role = Role::kHead;
  int sex = 1;
  Days birth = 0;
  std::string name, kana;  // "family　given" with U+3000, as printed on cards
  bool linked = false;     // My Number linked (紐付け済み)
  std::string my_number;
  double income = 0;  // decides 現役並み / 2割 classes
  bool limit = false;
  double limit_pick = 0;
  int disease = 0;
  // Coverage periods.
  bool in_prev = false;
  Days prev_acquired = kNoDay;
  Days acquired = kNoDay;
  core::LossReason loss = core::LossReason::kNone;
  Days lost_on = kNoDay;
  bool copay_change = false;
  bool name_change = false;
  std::string new_name, new_kana;
};

struct Card {
  GenInsurer* insurer = nullptr;
  std::string symbol, number;
  std::string address, postcode;
};

constexpr std::string_view kIdeographicSpace = "\u3000";

class Generator {
 public:
  Generator(const GenOptions& opt, Days today)
      : opt_(opt),
        today_(today),
        persons_(std::max<std::int64_t>(0, opt.persons)),
        rng_(splitmix64(opt.seed ^ 0x70657273u)) {
    for (const auto& p : tables::kPrefectures) population_.add(p.population_k);
    for (std::size_t i = 0; i < std::size(tables::kMunicipalities); ++i) {
      const auto& m = tables::kMunicipalities[i];
      munis_[m.prefecture - 1].push_back(static_cast<int>(i));
    }
    for (int p = 0; p < kPrefectureCount; ++p)
      for (std::size_t i = 0; i < munis_[p].size(); ++i) muni_pick_[p].add(1.0 / (1.0 + i));
    for (std::size_t i = 0; i < std::size(tables::kFamilyNames); ++i)
      family_pick_.add(1.0 / (8.0 + static_cast<double>(i)));
    std::array<double, kKindCount> w{};
    for (int k = 0; k < kKindCount; ++k) w[k] = kKindShares[k].insured_millions;
    const auto quota = apportion(persons_, w);
    std::copy(quota.begin(), quota.end(), quota_.begin());
    // A bijection of the person index onto 11-digit bodies keeps My Numbers unique without a
    // set of issued numbers. The multiplier is odd, not a multiple of 5, and small enough that
    // index * multiplier fits in 64 bits for any index below 10^11.
    const std::uint64_t s = splitmix64(opt.seed ^ 0x6d796e756du);
    my_mul_ = 10000001 + (s % 80000000);
    while (my_mul_ % 2 == 0 || my_mul_ % 5 == 0) ++my_mul_;
    my_add_ = splitmix64(s) % kMyNumberSpace;
  }

  GenSummary run(std::ostream& insurers_csv, std::ostream& facilities_csv,
                 std::ostream& registrations_csv) {
    GenSummary sum;
    build_insurers();
    sum.insurers = write_insurers(insurers_csv);
    sum.facilities = write_facilities(facilities_csv);
    sum.registration_rows = write_registrations(registrations_csv);
    sum.persons = persons_;
    return sum;
  }

 private:
  static constexpr std::uint64_t kMyNumberSpace = 100000000000ull;  // 10^11

  // ---- insurers ----------------------------------------------------------------------------

  GenInsurer& add_insurer(InsurerKind kind, std::string number, std::string name, int pref) {
    GenInsurer ins;
    ins.info = core::Insurer{std::move(number), std::move(name), kind, pref};
    ins.salt = ins_rng_->next();
    insurers_.push_back(std::move(ins));
    return insurers_.back();
  }

  void set_style(GenInsurer& ins, std::initializer_list<std::pair<SymbolStyle, double>> styles) {
    double total = 0;
    for (const auto& s : styles) total += s.second;
    double x = ins_rng_->unit() * total;
    for (const auto& s : styles) {
      ins.style = s.first;
      if (x < s.second) break;
      x -= s.second;
    }
  }

  void build_insurers() {
    Rng rng(splitmix64(opt_.seed ^ 0x696e73u));
    ins_rng_ = &rng;
    insurers_.reserve(4096);
    // Indices into insurers_ (the vector is filled first, pointers taken at the end).
    std::array<std::size_t, kPrefectureCount> kyokai{}, late{};
    std::array<std::vector<std::size_t>, kPrefectureCount> municipal;
    std::vector<std::pair<std::size_t, double>> society, mutual, nhi_society;
    std::array<int, kPrefectureCount> society_serial{}, nhi_serial{};
    std::array<std::array<int, kPrefectureCount>, 5> mutual_serial{};  // by 法別 31..34

    const auto& prefs = tables::kPrefectures;
    double pop_total = 0;
    for (const auto& p : prefs) pop_total += p.population_k;

    // 協会けんぽ: one branch (支部) per prefecture, 法別 01.
    for (int p = 1; p <= kPrefectureCount; ++p) {
      auto& ins =
          add_insurer(InsurerKind::kKyokaiKenpo, insurer_number("01", p, 1),
                      "全国健康保険協会 " + std::string(prefs[p - 1].short_name) + "支部", p);
      ins.style = SymbolStyle::kOfficeDigits;
      ins.group = 20;
      kyokai[p - 1] = insurers_.size() - 1;
    }

    // 健康保険組合 (法別 06): about one per 20,000 members, concentrated where head offices are.
    {
      const std::int64_t members = quota_[kind_index(InsurerKind::kHealthInsuranceSociety)];
      const std::int64_t count =
          std::clamp<std::int64_t>((members + 10000) / 20000, 3, kPrefectureCount * 900);
      Picker head_office;
      for (int p = 1; p <= kPrefectureCount; ++p)
        head_office.add(prefs[p - 1].population_k * (p == 13                ? 2.5
                                                     : (p == 23 || p == 27) ? 1.6
                                                                            : 1.0));
      std::set<std::string> names;
      for (std::int64_t i = 0; i < count; ++i) {
        int p = static_cast<int>(head_office.pick(rng)) + 1;
        while (society_serial[p - 1] >= 999) p = p % kPrefectureCount + 1;
        const int serial = ++society_serial[p - 1];
        std::string prefix, name;
        for (int attempt = 0;; ++attempt) {
          prefix = rng.pick(tables::kSocietyPrefixes);
          name = prefix + std::string(rng.pick(tables::kSocietyIndustries));
          if (attempt >= 20) name += "第" + std::to_string(i + 1);
          if (names.insert(name).second) break;
        }
        auto& ins = add_insurer(InsurerKind::kHealthInsuranceSociety,
                                insurer_number("06", p, serial), name + "健康保険組合", p);
        set_style(ins, {{SymbolStyle::kShortDigits, 55},
                        {SymbolStyle::kHyphen, 20},
                        {SymbolStyle::kKana, 15},
                        {SymbolStyle::kWord, 10}});
        ins.word = prefix;
        ins.group = 2000;
        // Sizes vary a lot between societies: exponential weights give a few big ones.
        society.emplace_back(insurers_.size() - 1, 0.1 - std::log(1.0 - rng.unit()));
      }
    }

    // 共済組合 (法別 31-34): national unions in Tokyo, then per prefecture the teachers'
    // (公立学校), municipal staff (市町村職員) and police (警察) unions.
    auto add_mutual = [&](int houbetsu, int pref, std::string name, std::string word,
                          double weight) {
      const int serial = ++mutual_serial[houbetsu - 31][pref - 1];
      auto& ins = add_insurer(InsurerKind::kMutualAid,
                              insurer_number(std::to_string(houbetsu), pref, serial),
                              std::move(name), pref);
      set_style(
          ins,
          {{SymbolStyle::kShortDigits, 50}, {SymbolStyle::kWord, 30}, {SymbolStyle::kHyphen, 20}});
      ins.word = std::move(word);
      ins.group = 5000;
      ins.number_width = 6;
      mutual.emplace_back(insurers_.size() - 1, weight);
    };
    for (const auto& m : tables::kNationalMutualAid)
      add_mutual(m.houbetsu, 13, std::string(m.name), std::string(m.symbol_word), m.weight);
    for (int p = 1; p <= kPrefectureCount; ++p) {
      const auto& pr = prefs[p - 1];
      const double share = pr.population_k / pop_total;
      add_mutual(32, p, "公立学校共済組合" + std::string(pr.short_name) + "支部", "教",
                 2.0 * share);
      if (p == 13) add_mutual(32, p, "東京都職員共済組合", "都職", 0.3);
      add_mutual(32, p, std::string(pr.name) + "市町村職員共済組合", "職", 2.1 * share);
      add_mutual(33, p, "警察共済組合" + std::string(pr.short_name) + "支部", "警", 0.6 * share);
    }

    // 市町村国保: 6-digit numbers (都道府県 2 + 保険者別 3 + check), named after the municipality.
    for (std::size_t i = 0; i < std::size(tables::kMunicipalities); ++i) {
      const auto& m = tables::kMunicipalities[i];
      const int p = m.prefecture;
      const int serial = 101 + static_cast<int>(municipal[p - 1].size());
      std::string body;
      append_int(body, p, 2);
      append_int(body, serial, 3);
      auto& ins = add_insurer(InsurerKind::kMunicipalNhi, core::make_insurer_number(body),
                              std::string(m.name), p);
      set_style(
          ins,
          {{SymbolStyle::kWord, 55}, {SymbolStyle::kShortDigits, 30}, {SymbolStyle::kHyphen, 15}});
      // The card symbol drops the trailing 市/区 (3 bytes in UTF-8): 千代田区 -> 千代田.
      ins.word = std::string(m.name.substr(0, m.name.size() - 3));
      ins.group = ins.style == SymbolStyle::kWord ? 1000000 : 1000;
      ins.number_width = ins.style == SymbolStyle::kWord ? 7 : 0;
      municipal[p - 1].push_back(insurers_.size() - 1);
    }

    // 国保組合: 6-digit numbers with 保険者別番号 3xx; doctors' and dentists' unions per
    // prefecture plus trade unions.
    auto add_nhi_society = [&](int pref, std::string name, std::string word, double weight) {
      const int serial = 301 + nhi_serial[pref - 1]++;
      std::string body;
      append_int(body, pref, 2);
      append_int(body, serial, 3);
      auto& ins = add_insurer(InsurerKind::kNhiSociety, core::make_insurer_number(body),
                              std::move(name), pref);
      set_style(ins, {{SymbolStyle::kWord, 50}, {SymbolStyle::kShortDigits, 50}});
      ins.word = std::move(word);
      ins.group = 3000;
      ins.number_width = 5;
      nhi_society.emplace_back(insurers_.size() - 1, weight);
    };
    add_nhi_society(13, "全国土木建築国民健康保険組合", "土", 0.35);
    add_nhi_society(13, "全国建設工事業国民健康保険組合", "建", 0.3);
    add_nhi_society(13, "東京芸能人国民健康保険組合", "芸", 0.03);
    add_nhi_society(13, "文芸美術国民健康保険組合", "文", 0.02);
    add_nhi_society(13, "東京食品販売国民健康保険組合", "食", 0.05);
    add_nhi_society(27, "大阪府薬剤師国民健康保険組合", "薬", 0.02);
    add_nhi_society(26, "京都府食品産業国民健康保険組合", "食", 0.02);
    for (int p = 1; p <= kPrefectureCount; ++p) {
      const auto& pr = prefs[p - 1];
      const double share = pr.population_k / pop_total;
      add_nhi_society(p, std::string(pr.name) + "医師国民健康保険組合", "医", 0.8 * share);
      add_nhi_society(p, std::string(pr.name) + "歯科医師国民健康保険組合", "歯", 0.5 * share);
    }

    // 後期高齢者医療広域連合 (法別 39): one per prefecture; cards carry no symbol.
    for (int p = 1; p <= kPrefectureCount; ++p) {
      auto& ins = add_insurer(InsurerKind::kLateStageElderly, insurer_number("39", p, 1),
                              std::string(prefs[p - 1].name) + "後期高齢者医療広域連合", p);
      ins.style = SymbolStyle::kNone;
      ins.group = INT64_MAX;
      ins.number_width = 8;
      late[p - 1] = insurers_.size() - 1;
    }

    // The vector is complete: take the pointers.
    for (int p = 0; p < kPrefectureCount; ++p) {
      kyokai_[p] = &insurers_[kyokai[p]];
      late_[p] = &insurers_[late[p]];
      for (std::size_t i : municipal[p]) municipal_[p].push_back(&insurers_[i]);
    }
    auto fill = [&](const auto& list, std::vector<GenInsurer*>& out, Picker& picker) {
      for (const auto& [i, w] : list) {
        out.push_back(&insurers_[i]);
        picker.add(w);
      }
    };
    fill(society, society_, society_pick_);
    fill(mutual, mutual_, mutual_pick_);
    fill(nhi_society, nhi_society_, nhi_society_pick_);
    ins_rng_ = nullptr;
  }

  std::int64_t write_insurers(std::ostream& os) {
    CsvWriter out(os);
    out.raw_line("number,name,kind,prefecture");
    for (const auto& ins : insurers_) {
      out.cell(ins.info.number);
      out.cell(ins.info.name);
      out.cell(core::to_string(ins.info.kind));
      out.cell(two_digits(ins.info.prefecture));
      out.end_row();
    }
    return out.rows();
  }

  // ---- facilities --------------------------------------------------------------------------

  std::int64_t write_facilities(std::ostream& os) {
    Rng rng(splitmix64(opt_.seed ^ 0x666163u));
    CsvWriter out(os);
    out.raw_line("code,name,type,prefecture");
    // National counts (病院 8,200, 医科診療所 104,000, 歯科診療所 68,000, 薬局 62,000) for
    // 125.6M insured: about one facility per 519 persons.
    constexpr std::array<double, 4> kTypeWeights{8200, 104000, 68000, 62000};
    constexpr std::array<core::FacilityType, 4> kTypes{
        core::FacilityType::kHospital, core::FacilityType::kMedicalClinic,
        core::FacilityType::kDentalClinic, core::FacilityType::kPharmacy};
    std::int64_t total = opt_.facilities;
    if (total <= 0)
      total = std::max<std::int64_t>(200, static_cast<std::int64_t>(std::llround(
                                              static_cast<double>(persons_) * 242200.0 / 125.6e6)));
    const auto per_type = apportion(total, kTypeWeights);
    std::array<double, kPrefectureCount> pop{};
    for (int p = 0; p < kPrefectureCount; ++p) pop[p] = tables::kPrefectures[p].population_k;
    std::array<std::vector<std::int64_t>, 4> per_pref;
    for (int t = 0; t < 4; ++t) per_pref[t] = apportion(per_type[t], pop);

    std::string name, body;
    for (int p = 1; p <= kPrefectureCount; ++p) {
      std::array<std::int64_t, 5> serial{};  // by fee table: 医科 1, 歯科 3, 調剤 4
      for (int t = 0; t < 4; ++t) {
        const int table = core::fee_table_of(kTypes[t]);
        for (std::int64_t i = 0; i < per_pref[t][p - 1]; ++i) {
          // 郡市区番号 2 digits + 4-digit serial; injective in the per-table counter.
          const std::int64_t c = serial[table]++;
          body.clear();
          append_int(body, p, 2);
          append_int(body, table);
          append_int(body, c % 40 + 1, 2);
          append_int(body, (c / 40) % 10000, 4);
          facility_name(rng, kTypes[t], p, name);
          out.cell(core::make_facility_code(body));
          out.cell(name);
          out.cell(core::to_string(kTypes[t]));
          out.cell(two_digits(p));
          out.end_row();
        }
      }
    }
    return out.rows();
  }

  std::string_view muni_name(int pref, std::size_t i) const {
    return tables::kMunicipalities[munis_[pref - 1][i]].name;
  }

  void facility_name(Rng& rng, core::FacilityType type, int pref, std::string& name) {
    const std::string_view muni = muni_name(pref, muni_pick_[pref - 1].pick(rng));
    const std::string_view muni_short = muni.substr(0, muni.size() - 3);
    auto stem = [&]() -> std::string_view {
      switch (rng.below(4)) {
        case 0:
          return tables::kFamilyNames[family_pick_.pick(rng)].kanji;
        case 1:
          return rng.pick(tables::kFacilityWords);
        case 2:
          return rng.pick(tables::kTowns);
        default:
          return muni_short;
      }
    };
    name.clear();
    switch (type) {
      case core::FacilityType::kHospital:
        if (rng.chance(0.1)) {
          name.append(muni).append("立病院");
        } else {
          if (rng.chance(0.3))
            name.append("医療法人").append(stem()).append("会").append(kIdeographicSpace);
          name.append(stem()).append(rng.pick(tables::kHospitalSuffixes));
        }
        break;
      case core::FacilityType::kMedicalClinic:
        name.append(stem()).append(rng.pick(tables::kClinicSuffixes));
        break;
      case core::FacilityType::kDentalClinic:
        name.append(stem()).append(rng.pick(tables::kDentalSuffixes));
        break;
      case core::FacilityType::kPharmacy:
        if (rng.chance(0.35)) {
          name.append(rng.pick(tables::kFacilityWords)).append("薬局").append(kIdeographicSpace);
          name.append(muni_short).append(rng.pick(tables::kTowns)).append("店");
        } else {
          name.append(stem()).append(rng.pick(tables::kPharmacySuffixes));
        }
        break;
    }
  }

  // ---- persons -----------------------------------------------------------------------------

  void make_address(int pref, std::size_t muni, std::string& address, std::string& postcode) {
    const auto& pr = tables::kPrefectures[pref - 1];
    const std::size_t town = rng_.below(std::size(tables::kTowns));
    address.assign(pr.name).append(muni_name(pref, muni)).append(tables::kTowns[town]);
    const int chome = static_cast<int>(rng_.between(1, 5));
    const int ban = static_cast<int>(rng_.between(1, 30));
    const int go = static_cast<int>(rng_.between(1, 20));
    const double form = rng_.unit();
    if (form < 0.70) {
      append_int(address, chome);
      address.append("丁目");
      append_int(address, ban);
      address.append("番");
      append_int(address, go);
      address.append("号");
    } else if (form < 0.95) {
      append_int(address, chome);
      address += '-';
      append_int(address, ban);
      address += '-';
      append_int(address, go);
      if (rng_.chance(0.4)) {
        address.append(kIdeographicSpace).append(rng_.pick(tables::kBuildings));
        append_int(address, rng_.between(1, 8) * 100 + rng_.between(1, 12));
        address.append("号室");
      }
    } else {
      // Some insurers still register full-width digits; matching must cope.
      auto fw = [&address](int n) {
        std::string d;
        append_int(d, n);
        for (char c : d) {
          address += '\xEF';
          address += '\xBC';
          address += static_cast<char>(0x90 + (c - '0'));
        }
      };
      fw(chome);
      address.append("丁目");
      fw(ban);
      address.append("番");
      fw(go);
      address.append("号");
    }
    // The same town always has the same postcode.
    const std::uint64_t h =
        splitmix64((static_cast<std::uint64_t>(pref) << 32) ^ (muni << 16) ^ town);
    const int first3 = pr.postcode_lo + static_cast<int>(h % (pr.postcode_hi - pr.postcode_lo + 1));
    postcode.clear();
    append_int(postcode, first3, 3);
    postcode += '-';
    append_int(postcode, static_cast<std::int64_t>((h >> 24) % 10000), 4);
  }

  const tables::Name& given_name(int sex, Days birth) {
    const int year = civil_from_days(birth).y;
    const int era = year < 1960 ? 0 : year < 1990 ? 1 : 2;
    if (sex == 1) {
      if (era == 0) return rng_.pick(tables::kMaleOld);
      if (era == 1) return rng_.pick(tables::kMaleMid);
      return rng_.pick(tables::kMaleYoung);
    }
    if (era == 0) return rng_.pick(tables::kFemaleOld);
    if (era == 1) return rng_.pick(tables::kFemaleMid);
    return rng_.pick(tables::kFemaleYoung);
  }

  const tables::Name& family_name() {
    // A steady small share of old-form / rare characters (the "●" problem at front desks).
    if (rng_.chance(0.006)) return rng_.pick(tables::kRareFamilyNames);
    return tables::kFamilyNames[family_pick_.pick(rng_)];
  }

  static void full_name(const tables::Name& family, const tables::Name& given, std::string& name,
                        std::string& kana) {
    name.assign(family.kanji).append(kIdeographicSpace).append(given.kanji);
    kana.assign(family.kana).append(kIdeographicSpace).append(given.kana);
  }

  Days birth_for_age(int age) {
    // Born between (today - age - 1 years, today - age years].
    const Days hi = add_years(today_, -age);
    const Days lo = add_years(today_, -age - 1) + 1;
    return static_cast<Days>(rng_.between(lo, hi));
  }

  Member& add_member(Role role, int sex, int age, const tables::Name& family) {
    if (count_ == members_.size()) members_.emplace_back();
    Member& m = members_[count_++];
    m.role = role;
    m.sex = sex;
    m.birth = birth_for_age(age);
    full_name(family, given_name(sex, m.birth), m.name, m.kana);
    const std::uint64_t index = static_cast<std::uint64_t>(next_person_++);
    m.linked = rng_.chance(0.70);
    m.my_number.clear();
    if (m.linked) {
      char body[11];
      std::uint64_t v = (index * my_mul_ + my_add_) % kMyNumberSpace;
      for (int i = 10; i >= 0; --i, v /= 10) body[i] = static_cast<char>('0' + v % 10);
      m.my_number.assign(body, 11);
      m.my_number += static_cast<char>('0' + core::my_number_check_digit(m.my_number));
    }
    m.income = rng_.unit();
    m.limit = rng_.chance(0.03);
    m.limit_pick = rng_.unit();
    m.disease = 0;
    if (rng_.chance(0.003)) {
      const double d = rng_.unit();
      m.disease = d < 0.88 ? 1 : d < 0.98 ? 2 : 3;
    }
    m.in_prev = false;
    m.prev_acquired = m.acquired = m.lost_on = kNoDay;
    m.loss = core::LossReason::kNone;
    m.copay_change = m.name_change = false;
    return m;
  }

  int clamp_age(int age, InsurerKind kind) const {
    return kind == InsurerKind::kLateStageElderly ? std::max(age, 75) : std::clamp(age, 0, 74);
  }

  // Builds the members of one household of `kind` (at most `cap` persons).
  void make_household(InsurerKind kind, std::int64_t cap) {
    count_ = 0;
    const tables::Name& family = family_name();
    if (kind == InsurerKind::kLateStageElderly) {
      // Each 75+ person is insured individually; an elderly couple shares only the address.
      const int age = sample_age(rng_, kLateStageAges);
      const int sex = rng_.chance(0.6) ? 2 : 1;
      add_member(Role::kHead, sex, age, family);
      if (cap > 1 && rng_.chance(0.3))
        add_member(Role::kHead, 3 - sex,
                   std::clamp(age + static_cast<int>(rng_.between(-4, 3)), 75, 105), family);
      return;
    }
    std::span<const AgeBand> bands = kEmployeeAges;
    double male = 0.65;
    if (kind == InsurerKind::kMutualAid) bands = kPublicServantAges;
    if (kind == InsurerKind::kMunicipalNhi) bands = kMunicipalNhiAges, male = 0.55;
    if (kind == InsurerKind::kNhiSociety) bands = kNhiSocietyAges, male = 0.7;
    const int age = sample_age(rng_, bands);
    const int sex = rng_.chance(male) ? 1 : 2;
    add_member(Role::kHead, sex, age, family);

    const bool nhi = !is_employee(kind);
    double spouse_p = age < 25 ? 0.05 : age < 35 ? 0.2 : age < 60 ? 0.32 : 0.3;
    if (nhi) spouse_p = age < 30 ? 0.1 : 0.45;
    if (static_cast<std::int64_t>(count_) < cap && rng_.chance(spouse_p))
      add_member(Role::kSpouse, 3 - sex,
                 clamp_age(std::max(18, age + static_cast<int>(rng_.between(-5, 3))), kind),
                 family);
    if (age >= 22 && age <= 60) {
      const double u = rng_.unit();
      const int children = u < 0.68 ? 0 : u < 0.82 ? 1 : u < 0.96 ? 2 : 3;
      for (int c = 0; c < children && static_cast<std::int64_t>(count_) < cap; ++c)
        add_member(Role::kChild, rng_.chance(0.51) ? 1 : 2,
                   static_cast<int>(rng_.between(0, std::min(22, age - 20))), family);
    }
    if (age >= 40 && age <= 60 && static_cast<std::int64_t>(count_) < cap && rng_.chance(0.02))
      add_member(Role::kParent, rng_.chance(0.3) ? 1 : 2, static_cast<int>(rng_.between(65, 74)),
                 family);
  }

  // ---- coverage rows -----------------------------------------------------------------------

  void key_cells(const Card& card, std::string_view event, int branch) {
    row_.clear();
    row_.set(F::kEvent, event);
    row_.set(F::kInsurerNumber, card.insurer->info.number);
    row_.set(F::kSymbol, card.symbol);
    row_.set(F::kNumber, card.number);
    row_.set_int(F::kBranch, branch, 2);
  }

  // The acquire row: everything the insurer registers, with the terms in force on `ref` (today,
  // or the last covered day when the coverage has ended).
  void emit_acquire(CsvWriter& out, const Card& card, const Member& m, int branch,
                    std::string_view insured_name, Days acquired, Days ref, bool with_extras) {
    const InsurerKind kind = card.insurer->info.kind;
    key_cells(card, "acquire", branch);
    row_.set_int(F::kRelationship, m.role == Role::kHead ? 1 : 2);
    row_.set(F::kInsuredName, insured_name);
    row_.set(F::kName, m.name);
    row_.set(F::kNameKana, m.kana);
    row_.set_int(F::kSex, m.sex);
    row_.set_date(F::kBirthDate, m.birth);
    row_.set(F::kAddress, card.address);
    row_.set(F::kPostcode, card.postcode);
    row_.set_date(F::kAcquiredOn, acquired);

    const int age = age_on(m.birth, ref);
    const Days turns75 = add_years(m.birth, 75);
    // Cards of 国保 and 後期 are reissued every year (国保 1 Oct, 国保組合 1 Apr, 後期 1 Aug);
    // employee cards have no end date unless the holder turns 75 (moves to 後期) first.
    int renew_month = 0;
    if (kind == InsurerKind::kMunicipalNhi) renew_month = 10;
    if (kind == InsurerKind::kNhiSociety) renew_month = 4;
    if (kind == InsurerKind::kLateStageElderly) renew_month = 8;
    Days issued, from, until = kNoDay;
    if (renew_month) {
      const Days start = term_start(ref, renew_month, 1);
      from = std::max(acquired, start);
      until = add_years(start, 1) - 1;
      issued = acquired >= start
                   ? std::min<Days>(acquired + static_cast<Days>(rng_.between(0, 10)), today_)
                   : start - static_cast<Days>(rng_.between(7, 20));
    } else {
      from = acquired;
      issued = std::min<Days>(acquired + static_cast<Days>(rng_.between(0, 10)), today_);
      if (age >= 70) until = turns75 - 1;
    }
    if (kind != InsurerKind::kLateStageElderly && until != kNoDay)
      until = std::min(until, turns75 - 1);
    row_.set_date(F::kCardIssuedOn, issued);
    row_.set_date(F::kCardValidFrom, from);
    row_.set_date(F::kCardValidUntil, until);

    int copay = 3;
    const Days e_start = elderly_start(m.birth);
    if (preschool_on(m.birth, ref)) {
      copay = 2;
    } else if (kind == InsurerKind::kLateStageElderly) {
      copay = m.income < 0.72 ? 1 : m.income < 0.92 ? 2 : 3;
    } else if (age >= 70 && ref >= e_start) {
      // 高齢受給者証: yearly terms from 1 August, starting the month after the 70th birthday.
      copay = m.income < 0.85 ? 2 : 3;
      const Days e_from = std::max({acquired, e_start, term_start(ref, 8, 1)});
      const Days e_until = std::min(add_years(term_start(e_from, 8, 1), 1) - 1, turns75 - 1);
      row_.set_int(F::kElderlyCopayRatio, copay);
      row_.set_date(F::kElderlyValidFrom, e_from);
      row_.set_date(F::kElderlyValidUntil, e_until);
    }
    row_.set_int(F::kCopayRatio, copay);

    if (with_extras && m.limit) {
      // 限度額適用認定証: A01-A06 under 70, B01-B10 from 70; yearly to 31 July.
      static constexpr std::array<double, 6> kA{0.05, 0.10, 0.50, 0.25, 0.09, 0.01};
      static constexpr std::array<double, 10> kB{0.03, 0.03, 0.04, 0.45, 0.12,
                                                 0.10, 0.06, 0.06, 0.06, 0.05};
      std::span<const double> w =
          age >= 70 ? std::span<const double>(kB) : std::span<const double>(kA);
      double x = m.limit_pick;
      std::size_t i = 0;
      while (i + 1 < w.size() && x >= w[i]) x -= w[i++];
      auto& cat = row_[F::kLimitCategory];
      cat.assign(age >= 70 ? "B" : "A");
      append_int(cat, static_cast<std::int64_t>(i + 1), 2);
      const Days l_from = std::max<Days>(acquired, ref - static_cast<Days>(rng_.between(0, 330)));
      row_.set_date(F::kLimitValidFrom, l_from);
      row_.set_date(F::kLimitValidUntil, add_years(term_start(l_from, 8, 1), 1) - 1);
    }
    if (with_extras && m.disease) {
      // 特定疾病療養受療証: open-ended for employee insurance, yearly for 国保 and 後期.
      row_.set_int(F::kSpecificDisease, m.disease);
      row_.set_date(F::kSpecificDiseaseValidFrom,
                    std::max<Days>(acquired, ref - static_cast<Days>(rng_.between(0, 2500))));
      if (!is_employee(kind))
        row_.set_date(F::kSpecificDiseaseValidUntil, add_years(term_start(ref, 8, 1), 1) - 1);
    }
    if (m.linked) row_.set(F::kMyNumber, m.my_number);
    row_.write(out);
  }

  void emit_lose(CsvWriter& out, const Card& card, int branch, Days acquired, Days lost_on,
                 core::LossReason reason) {
    key_cells(card, "lose", branch);
    row_.set_date(F::kAcquiredOn, acquired);
    row_.set_date(F::kLostOn, lost_on);
    row_.set(F::kLossReason, core::to_string(reason));
    row_.write(out);
  }

  // A change row carries the key, the acquisition date (which period) and the changed fields.
  void begin_change(const Card& card, int branch, Days acquired) {
    key_cells(card, "change", branch);
    row_.set_date(F::kAcquiredOn, acquired);
  }

  // ---- the household flow --------------------------------------------------------------------

  GenInsurer* pick_insurer(InsurerKind kind, int& pref, std::size_t& muni) {
    switch (kind) {
      case InsurerKind::kKyokaiKenpo:
        return kyokai_[pref - 1];
      case InsurerKind::kMunicipalNhi:
        return municipal_[pref - 1][muni];
      case InsurerKind::kLateStageElderly:
        return late_[pref - 1];
      case InsurerKind::kHealthInsuranceSociety: {
        GenInsurer* ins = society_[society_pick_.pick(rng_)];
        // Most members live in the head office's prefecture, some commute from elsewhere.
        if (rng_.chance(0.8)) pref = ins->info.prefecture;
        muni = muni_pick_[pref - 1].pick(rng_);
        return ins;
      }
      case InsurerKind::kMutualAid: {
        GenInsurer* ins = mutual_[mutual_pick_.pick(rng_)];
        if (ins->info.prefecture != 13 || rng_.chance(0.5)) pref = ins->info.prefecture;
        muni = muni_pick_[pref - 1].pick(rng_);
        return ins;
      }
      case InsurerKind::kNhiSociety: {
        GenInsurer* ins = nhi_society_[nhi_society_pick_.pick(rng_)];
        if (ins->info.prefecture != 13 || rng_.chance(0.7)) pref = ins->info.prefecture;
        muni = muni_pick_[pref - 1].pick(rng_);
        return ins;
      }
    }
    return nullptr;
  }

  // The insurer a household left with reason 03 (他保険加入) before joining `final_card`'s.
  // Sets prev.insurer and prev.address (a move when the old insurer is regional).
  void pick_previous(InsurerKind final_kind, const Card& final_card, int pref, std::size_t muni,
                     Card& prev) {
    InsurerKind kind;
    const double u = rng_.unit();
    if (is_employee(final_kind))
      kind = u < 0.45   ? InsurerKind::kKyokaiKenpo
             : u < 0.80 ? InsurerKind::kHealthInsuranceSociety
             : u < 0.95 ? InsurerKind::kMunicipalNhi
                        : InsurerKind::kMutualAid;
    else if (final_kind == InsurerKind::kMunicipalNhi)
      kind = u < 0.45   ? InsurerKind::kKyokaiKenpo
             : u < 0.70 ? InsurerKind::kHealthInsuranceSociety
             : u < 0.80 ? InsurerKind::kMutualAid
                        : InsurerKind::kMunicipalNhi;
    else if (final_kind == InsurerKind::kNhiSociety)
      kind = u < 0.5 ? InsurerKind::kMunicipalNhi : InsurerKind::kKyokaiKenpo;
    else
      kind = u < 0.8    ? InsurerKind::kMunicipalNhi
             : u < 0.92 ? InsurerKind::kKyokaiKenpo
                        : InsurerKind::kHealthInsuranceSociety;
    prev.address = final_card.address;
    prev.postcode = final_card.postcode;
    int prev_pref = pref;
    std::size_t prev_muni = muni;
    bool moved = false;
    if (kind == final_kind && (kind == InsurerKind::kKyokaiKenpo)) {
      prev_pref = static_cast<int>(population_.pick(rng_)) + 1;
      if (prev_pref == pref) prev_pref = pref % kPrefectureCount + 1;
      prev_muni = muni_pick_[prev_pref - 1].pick(rng_);
      moved = true;
    } else if (kind == final_kind && kind == InsurerKind::kMunicipalNhi) {
      prev_muni = (muni + 1 + rng_.below(munis_[pref - 1].size() - 1)) % munis_[pref - 1].size();
      moved = true;
    }
    if (kind == InsurerKind::kKyokaiKenpo) {
      prev.insurer = kyokai_[prev_pref - 1];
    } else if (kind == InsurerKind::kMunicipalNhi) {
      prev.insurer = municipal_[prev_pref - 1][prev_muni];
    } else {
      int ignored_pref = pref;
      std::size_t ignored_muni = muni;
      do {
        prev.insurer = pick_insurer(kind, ignored_pref, ignored_muni);
      } while (prev.insurer == final_card.insurer);
    }
    if (moved) make_address(prev_pref, prev_muni, prev.address, prev.postcode);
  }

  // Career start: the earliest day a head could have joined an insurer.
  Days career_start(const Member& head, InsurerKind kind) const {
    const int start_age = is_employee(kind) ? 18 : 20;
    return std::max(add_years(head.birth, start_age), add_years(today_, -40));
  }

  void loss_for_member(Member& m, InsurerKind kind, bool whole_household_public_assistance) {
    if (m.acquired >= today_) return;
    const int age = age_on(m.birth, today_);
    core::LossReason r = core::LossReason::kNone;
    const double u = rng_.unit();
    if (kind == InsurerKind::kLateStageElderly) {
      if (u < 0.035)
        r = core::LossReason::kDeath;
      else if (u < 0.038)
        r = core::LossReason::kPublicAssistance;
    } else if (!is_employee(kind)) {
      if (whole_household_public_assistance)
        r = core::LossReason::kPublicAssistance;
      else if (age >= 65 && u < 0.01)
        r = core::LossReason::kDeath;
      else if (u > 0.996)
        r = core::LossReason::kOther;  // 転出 abroad and the like
    } else if (m.role != Role::kHead) {
      // Dependants leave when their income passes the 被扶養者 limit, rarely by death.
      if (u < 0.02)
        r = core::LossReason::kOther;
      else if (u < 0.021)
        r = core::LossReason::kDeath;
    }
    if (r == core::LossReason::kNone) return;
    m.loss = r;
    m.lost_on = static_cast<Days>(rng_.between(m.acquired + 1, today_));
  }

  void household(CsvWriter& out, InsurerKind kind, std::int64_t cap) {
    make_household(kind, cap);
    int pref = static_cast<int>(population_.pick(rng_)) + 1;
    std::size_t muni = muni_pick_[pref - 1].pick(rng_);
    Card& card = final_card_;
    card.insurer = pick_insurer(kind, pref, muni);
    make_address(pref, muni, card.address, card.postcode);

    if (kind == InsurerKind::kLateStageElderly) {
      for (std::size_t i = 0; i < count_; ++i) late_stage_person(out, members_[i], pref, muni);
      return;
    }

    Member& head = members_[0];
    const Days start = career_start(head, kind);
    const double switch_p = is_employee(kind)                    ? 0.07
                            : kind == InsurerKind::kMunicipalNhi ? 0.06
                                                                 : 0.05;
    const bool switched = today_ - start >= 90 && rng_.chance(switch_p);
    Days switch_day = kNoDay, prev_start = kNoDay;
    if (switched) {
      prev_start = static_cast<Days>(rng_.between(start, today_ - 60));
      switch_day = static_cast<Days>(rng_.between(prev_start + 30, today_));
      pick_previous(kind, card, pref, muni, prev_card_);
    }
    const Days head_acquired =
        switched ? switch_day : static_cast<Days>(rng_.between(start, today_));
    const bool public_assistance = kind == InsurerKind::kMunicipalNhi && rng_.chance(0.006);
    for (std::size_t i = 0; i < count_; ++i) {
      Member& m = members_[i];
      if (switched && m.birth < switch_day) {
        m.in_prev = true;
        m.prev_acquired = std::max(prev_start, m.birth);
      }
      Days a = head_acquired;
      // Some spouses joined later (marriage); one already covered moves with the household.
      if (m.role == Role::kSpouse && !m.in_prev && rng_.chance(0.3))
        a = static_cast<Days>(rng_.between(a, today_));
      m.acquired = std::max(a, m.birth);
      if (i == 0) m.acquired = head_acquired;
      loss_for_member(m, kind, public_assistance);
      const int age = age_on(m.birth, today_);
      m.copay_change = age >= 70 && rng_.chance(0.05);
      if (m.role == Role::kHead && count_ == 1 && m.sex == 2 && age >= 22 && age <= 40 &&
          m.loss == core::LossReason::kNone && rng_.chance(0.01)) {
        m.name_change = true;
        const std::string_view given_kanji = std::string_view(m.name).substr(
            m.name.find(kIdeographicSpace) + kIdeographicSpace.size());
        const std::string_view given_kana = std::string_view(m.kana).substr(
            m.kana.find(kIdeographicSpace) + kIdeographicSpace.size());
        const auto& fam = tables::kFamilyNames[family_pick_.pick(rng_)];
        m.new_name.assign(fam.kanji).append(kIdeographicSpace).append(given_kanji);
        m.new_kana.assign(fam.kana).append(kIdeographicSpace).append(given_kana);
      }
    }
    const bool address_change = rng_.chance(0.007);

    // Previous coverage: acquire rows, then its loss (03) on the day the new one starts.
    if (switched) {
      issue_card(*prev_card_.insurer, prev_card_.symbol, prev_card_.number);
      for (std::size_t i = 0; i < count_; ++i) {
        const Member& m = members_[i];
        if (m.in_prev)
          emit_acquire(out, prev_card_, m, static_cast<int>(i), head.name, m.prev_acquired,
                       switch_day - 1, false);
      }
      for (std::size_t i = 0; i < count_; ++i) {
        const Member& m = members_[i];
        if (m.in_prev)
          emit_lose(out, prev_card_, static_cast<int>(i), m.prev_acquired, switch_day,
                    core::LossReason::kOtherInsurance);
      }
    }

    issue_card(*card.insurer, card.symbol, card.number);
    for (std::size_t i = 0; i < count_; ++i) {
      const Member& m = members_[i];
      const Days ref = m.loss != core::LossReason::kNone ? m.lost_on - 1 : today_;
      emit_acquire(out, card, m, static_cast<int>(i), head.name, m.acquired, ref, true);
    }
    if (address_change) {
      make_address(pref,
                   kind == InsurerKind::kMunicipalNhi ? muni : muni_pick_[pref - 1].pick(rng_),
                   scratch_address_, scratch_postcode_);
      for (std::size_t i = 0; i < count_; ++i) {
        begin_change(card, static_cast<int>(i), members_[i].acquired);
        row_.set(F::kAddress, scratch_address_);
        row_.set(F::kPostcode, scratch_postcode_);
        row_.write(out);
      }
    }
    for (std::size_t i = 0; i < count_; ++i)
      emit_member_changes(out, card, members_[i], static_cast<int>(i));
    for (std::size_t i = 0; i < count_; ++i) {
      const Member& m = members_[i];
      if (m.loss != core::LossReason::kNone)
        emit_lose(out, card, static_cast<int>(i), m.acquired, m.lost_on, m.loss);
    }
  }

  void emit_member_changes(CsvWriter& out, const Card& card, const Member& m, int branch) {
    if (m.name_change) {
      // Marriage: the member's name, and so the insured name, changes.
      begin_change(card, branch, m.acquired);
      row_.set(F::kName, m.new_name);
      row_.set(F::kNameKana, m.new_kana);
      row_.set(F::kInsuredName, m.new_name);
      row_.write(out);
    }
    if (m.copay_change) {
      // Income reassessment of a 70-74 year old: 2割 <-> 3割 (現役並み) within the same term.
      const Days ref = m.loss != core::LossReason::kNone ? m.lost_on - 1 : today_;
      const Days e_start = elderly_start(m.birth);
      if (age_on(m.birth, ref) < 70 || ref < e_start) return;
      const int copay = m.income < 0.85 ? 3 : 2;
      const Days e_from = std::max({m.acquired, e_start, term_start(ref, 8, 1)});
      const Days e_until =
          std::min(add_years(term_start(e_from, 8, 1), 1) - 1, add_years(m.birth, 75) - 1);
      begin_change(card, branch, m.acquired);
      row_.set_int(F::kCopayRatio, copay);
      row_.set_int(F::kElderlyCopayRatio, copay);
      row_.set_date(F::kElderlyValidFrom, e_from);
      row_.set_date(F::kElderlyValidUntil, e_until);
      row_.write(out);
    }
  }

  // A 75+ person: acquired on the 75th birthday (or when the system started, 2008-04-01), some
  // with the coverage they left that day; some die or move to public assistance.
  void late_stage_person(CsvWriter& out, Member& m, int pref, std::size_t muni) {
    constexpr Days kSystemStart = days_from_civil(2008, 4, 1);
    const Days turns75 = add_years(m.birth, 75);
    m.acquired = std::min(std::max(turns75, kSystemStart), today_);
    const bool moved_in = rng_.chance(0.08);
    if (moved_in) m.acquired = static_cast<Days>(rng_.between(m.acquired, today_));
    Card& card = final_card_;
    if (!moved_in && turns75 >= kSystemStart && rng_.chance(0.12)) {
      pick_previous(InsurerKind::kLateStageElderly, card, pref, muni, prev_card_);
      issue_card(*prev_card_.insurer, prev_card_.symbol, prev_card_.number);
      const Days prev_from = static_cast<Days>(
          rng_.between(std::max(add_years(m.birth, 20), add_years(turns75, -40)), turns75 - 30));
      emit_acquire(out, prev_card_, m, 0, m.name, prev_from, turns75 - 1, false);
      emit_lose(out, prev_card_, 0, prev_from, turns75, core::LossReason::kOtherInsurance);
    }
    loss_for_member(m, InsurerKind::kLateStageElderly, false);
    issue_card(*card.insurer, card.symbol, card.number);
    const Days ref = m.loss != core::LossReason::kNone ? m.lost_on - 1 : today_;
    emit_acquire(out, card, m, 0, m.name, m.acquired, ref, true);
    if (m.loss != core::LossReason::kNone) emit_lose(out, card, 0, m.acquired, m.lost_on, m.loss);
  }

  std::int64_t write_registrations(std::ostream& os) {
    CsvWriter out(os);
    out.raw_line(core::registration_csv_header());
    std::array<std::int64_t, kKindCount> remaining = quota_;
    std::int64_t left = persons_;
    while (left > 0) {
      // Households are interleaved by drawing the kind in proportion to what is left of each
      // quota, so the split is exact and the file is not sorted by kind.
      std::int64_t x = static_cast<std::int64_t>(rng_.below(static_cast<std::uint64_t>(left)));
      int k = 0;
      while (x >= remaining[k]) x -= remaining[k++];
      household(out, kKindShares[k].kind, remaining[k]);
      remaining[k] -= static_cast<std::int64_t>(count_);
      left -= static_cast<std::int64_t>(count_);
    }
    return out.rows();
  }

  const GenOptions& opt_;
  Days today_;
  std::int64_t persons_;
  Rng rng_;
  Rng* ins_rng_ = nullptr;
  std::array<std::int64_t, kKindCount> quota_{};
  std::uint64_t my_mul_ = 0, my_add_ = 0;
  std::int64_t next_person_ = 0;

  Picker population_, family_pick_;
  std::array<std::vector<int>, kPrefectureCount> munis_;  // indices into kMunicipalities
  std::array<Picker, kPrefectureCount> muni_pick_;

  std::vector<GenInsurer> insurers_;
  std::array<GenInsurer*, kPrefectureCount> kyokai_{}, late_{};
  std::array<std::vector<GenInsurer*>, kPrefectureCount> municipal_;
  std::vector<GenInsurer*> society_, mutual_, nhi_society_;
  Picker society_pick_, mutual_pick_, nhi_society_pick_;

  // Reused per household so that the steady state allocates nothing.
  std::vector<Member> members_;
  std::size_t count_ = 0;
  Card final_card_, prev_card_;
  RegRow row_;
  std::string scratch_address_, scratch_postcode_;
};

Days today_utc() {
  const auto now = std::chrono::floor<std::chrono::days>(std::chrono::system_clock::now());
  return static_cast<Days>(now.time_since_epoch().count());
}

}  // namespace

GenSummary generate(const GenOptions& options, std::ostream& insurers_csv,
                    std::ostream& facilities_csv, std::ostream& registrations_csv) {
  const Days today = options.today.valid() ? options.today.days() : today_utc();
  Generator gen(options, today);
  return gen.run(insurers_csv, facilities_csv, registrations_csv);
}

std::vector<std::string> demo_rare_names() {
  std::vector<std::string> names;
  for (const auto& n : tables::kRareFamilyNames) names.emplace_back(n.kanji);
  return names;
}

}  // namespace onshi::gen
