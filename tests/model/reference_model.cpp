// The reference model: docs/eligibility-rules.md read literally, brute force. Rule ids in the
// comments are the document's.
#include "tests/model/reference_model.hpp"

#include <algorithm>
#include <cstdio>
#include <numeric>

namespace onshi::model {

// ---------------------------------------------------------------------------------------------
// Days

Day day_of(int y, int m, int d) {
  // Days from civil (proleptic Gregorian), epoch 1970-01-01.
  y -= m <= 2 ? 1 : 0;
  const int era = (y >= 0 ? y : y - 399) / 400;
  const int yoe = y - era * 400;
  const int doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

Ymd ymd_of(Day z) {
  z += 719468;
  const int era = (z >= 0 ? z : z - 146096) / 146097;
  const int doe = z - era * 146097;
  const int yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int y = yoe + era * 400;
  const int doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int mp = (5 * doy + 2) / 153;
  const int d = doy - (153 * mp + 2) / 5 + 1;
  const int m = mp + (mp < 10 ? 3 : -9);
  return Ymd{y + (m <= 2 ? 1 : 0), m, d};
}

std::string iso_of(Day day) {
  const Ymd v = ymd_of(day);
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", v.y, v.m, v.d);
  return buf;
}

bool is_leap(int y) {
  return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

int days_in_month(int y, int m) {
  static const int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && is_leap(y) ? 29 : kDays[m - 1];
}

int age_in_years(Day birth, Day on) {
  const Ymd b = ymd_of(birth);
  const Ymd d = ymd_of(on);
  int age = d.y - b.y;
  // Comparing (month, day) pairs makes a 29 February birthday complete on 1 March in
  // non-leap years (28 February is still before 29 February), as R-Q10 says.
  if (d.m < b.m || (d.m == b.m && d.d < b.d)) --age;
  return age;
}

// ---------------------------------------------------------------------------------------------
// Text

std::string utf8(char32_t cp) {
  std::string out;
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
  return out;
}

namespace {

struct Unit {
  char32_t cp = 0;
  bool valid = true;
  unsigned char raw = 0;  // the byte, when not valid
};

std::vector<Unit> decode(std::string_view s) {
  std::vector<Unit> out;
  std::size_t i = 0;
  while (i < s.size()) {
    const auto b0 = static_cast<unsigned char>(s[i]);
    int len = 0;
    char32_t cp = 0;
    if (b0 < 0x80) {
      len = 1;
      cp = b0;
    } else if (b0 >= 0xC2 && b0 <= 0xDF) {
      len = 2;
      cp = b0 & 0x1F;
    } else if (b0 >= 0xE0 && b0 <= 0xEF) {
      len = 3;
      cp = b0 & 0x0F;
    } else if (b0 >= 0xF0 && b0 <= 0xF4) {
      len = 4;
      cp = b0 & 0x07;
    }
    bool ok = len > 0 && i + len <= s.size();
    for (int k = 1; ok && k < len; ++k) {
      const auto b = static_cast<unsigned char>(s[i + k]);
      if ((b & 0xC0) != 0x80) ok = false;
      cp = (cp << 6) | (b & 0x3F);
    }
    if (ok && ((len == 3 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) ||
               (len == 4 && (cp < 0x10000 || cp > 0x10FFFF))))
      ok = false;
    if (!ok) {
      out.push_back(Unit{0, false, b0});
      ++i;
    } else {
      out.push_back(Unit{cp, true, 0});
      i += len;
    }
  }
  return out;
}

// Half-width katakana U+FF66..U+FF9D -> full-width katakana.
char32_t full_katakana(char32_t c) {
  static const char32_t kTable[] = {0x30F2, 0x30A1, 0x30A3, 0x30A5, 0x30A7,
                                    0x30A9, 0x30E3, 0x30E5, 0x30E7, 0x30C3,  // ｦ..ｯ
                                    0x30FC,                                  // ｰ
                                    0x30A2, 0x30A4, 0x30A6, 0x30A8, 0x30AA,  // ｱ..ｵ
                                    0x30AB, 0x30AD, 0x30AF, 0x30B1, 0x30B3,  // ｶ..ｺ
                                    0x30B5, 0x30B7, 0x30B9, 0x30BB, 0x30BD,  // ｻ..ｿ
                                    0x30BF, 0x30C1, 0x30C4, 0x30C6, 0x30C8,  // ﾀ..ﾄ
                                    0x30CA, 0x30CB, 0x30CC, 0x30CD, 0x30CE,  // ﾅ..ﾉ
                                    0x30CF, 0x30D2, 0x30D5, 0x30D8, 0x30DB,  // ﾊ..ﾎ
                                    0x30DE, 0x30DF, 0x30E0, 0x30E1, 0x30E2,  // ﾏ..ﾓ
                                    0x30E4, 0x30E6, 0x30E8,                  // ﾔﾕﾖ
                                    0x30E9, 0x30EA, 0x30EB, 0x30EC, 0x30ED,  // ﾗ..ﾛ
                                    0x30EF, 0x30F3};                         // ﾜﾝ
  return kTable[c - 0xFF66];
}

bool is_mark(char32_t c) {
  return c == 0xFF9E || c == 0xFF9F || c == 0x309B || c == 0x309C || c == 0x3099 || c == 0x309A;
}
bool is_semi_mark(char32_t c) {
  return c == 0xFF9F || c == 0x309C || c == 0x309A;
}

bool is_space(char32_t c) {
  return c == 0x20 || c == 0x09 || c == 0xA0 || c == 0x1680 || (c >= 0x2000 && c <= 0x200A) ||
         c == 0x202F || c == 0x205F || c == 0x3000;
}
bool is_zero_width(char32_t c) {
  return (c >= 0x200B && c <= 0x200D) || c == 0x2060 || c == 0xFEFF;
}
bool is_dash(char32_t c) {  // after the full-width row, so U+FF0D / U+FF5E arrive as - / ~
  return c == 0x2D || c == 0x7E || (c >= 0x2010 && c <= 0x2015) || c == 0x2043 || c == 0x2053 ||
         c == 0x2212 || c == 0x301C || c == 0x30A0 || c == 0xFE58 || c == 0xFE63;
}
bool is_variation_selector(char32_t c) {
  return (c >= 0xFE00 && c <= 0xFE0F) || (c >= 0xE0100 && c <= 0xE01EF);
}
bool is_digit_any(const Unit& u) {
  return u.valid && ((u.cp >= '0' && u.cp <= '9') || (u.cp >= 0xFF10 && u.cp <= 0xFF19));
}

}  // namespace

char32_t compose_kana(char32_t b, bool semi) {
  // Katakana and (Reading: "a kana" includes hiragana) hiragana with a (semi-)voiced form.
  for (char32_t base : {char32_t{0x30A0}, char32_t{0x3040}}) {  // katakana = hiragana + 0x60
    const char32_t h = b - base + 0x3040;                       // as hiragana
    if (b < base || b > base + 0x5F) continue;
    if (!semi) {
      // か..ぢ (odd code points 304B..3061 step 2), つ て と, は ひ ふ へ ほ, う
      if (h >= 0x304B && h <= 0x3061 && (h - 0x304B) % 2 == 0) return b + 1;
      if (h == 0x3064 || h == 0x3066 || h == 0x3068) return b + 1;
      if (h >= 0x306F && h <= 0x307B && (h - 0x306F) % 3 == 0) return b + 1;
      if (h == 0x3046) return base == 0x30A0 ? 0x30F4 : 0x3094;        // ヴ / ゔ
      if (base == 0x30A0 && b >= 0x30EF && b <= 0x30F2) return b + 8;  // ワヰヱヲ -> ヷヸヹヺ
      if (b == base + 0x5D) return b + 1;                              // ヽ -> ヾ, ゝ -> ゞ
    } else {
      if (h >= 0x306F && h <= 0x307B && (h - 0x306F) % 3 == 0) return b + 2;
    }
  }
  return 0;
}

// Reading: "after a kana" and "immediately before or after it in the input" are taken on the
// raw input code points: a mark composes only with the character right before it (a dropped
// space between them breaks the pair), and ー is read as a dash when an input neighbour is a
// digit, whatever is dropped later. The generator never puts anything between a kana and its
// mark, nor composes hiragana, ワ-row kana or ゝ/ヽ, so only the plain cases are compared.
std::string match_key(std::string_view text) {
  const std::vector<Unit> in = decode(text);
  std::string out;
  // The last code point appended, when it is a kana the previous input character produced
  // (a mark composes only with the character immediately before it in the input).
  char32_t last_kana = 0;
  std::size_t last_kana_pos = 0;
  for (std::size_t i = 0; i < in.size(); ++i) {
    const Unit& u = in[i];
    if (!u.valid) {
      out += static_cast<char>(u.raw);
      last_kana = 0;
      continue;
    }
    char32_t c = u.cp;
    if (c >= 0xFF01 && c <= 0xFF5E) c -= 0xFEE0;
    if (c >= 'a' && c <= 'z') c -= 0x20;
    if (c >= 0xFF66 && c <= 0xFF9D) c = full_katakana(c);
    if (is_mark(c)) {
      const char32_t composed = last_kana ? compose_kana(last_kana, is_semi_mark(c)) : 0;
      if (composed) {
        out.resize(last_kana_pos);
        out += utf8(composed);
      }
      last_kana = 0;  // composed (no further mark applies) or dropped
      continue;
    }
    last_kana = 0;
    if (c == 0x30FC) {
      const bool digit_before = i > 0 && is_digit_any(in[i - 1]);
      const bool digit_after = i + 1 < in.size() && is_digit_any(in[i + 1]);
      if (digit_before || digit_after) continue;  // read as a dash
    }
    if (is_space(c) || is_zero_width(c) || is_dash(c) || is_variation_selector(c)) continue;
    if (compose_kana(c, false) || compose_kana(c, true)) {
      last_kana = c;
      last_kana_pos = out.size();
    }
    out += utf8(c);
  }
  return out;
}

std::u32string code_points(std::string_view text) {
  std::u32string out;
  for (const Unit& u : decode(text)) out += u.valid ? u.cp : char32_t{0xFFFD};
  return out;
}

std::string from_code_points(const std::u32string& cps) {
  std::string out;
  for (char32_t c : cps) out += utf8(c);
  return out;
}

// ---------------------------------------------------------------------------------------------
// Meaning (R-S2)

namespace {

constexpr char kSep = '\x1f';

void put(std::string& m, std::string_view name, const std::optional<std::string>& v, bool as_text) {
  m += name;
  m += '=';
  if (v) m += as_text ? "t:" + match_key(*v) : "v:" + *v;
  m += kSep;
}
void put(std::string& m, std::string_view name, const std::optional<int>& v) {
  m += name;
  m += '=';
  if (v) m += std::to_string(*v);
  m += kSep;
}
void put_day(std::string& m, std::string_view name, const std::optional<Day>& v) {
  m += name;
  m += '=';
  if (v) m += iso_of(*v);
  m += kSep;
}

// Every field of a row, an absent one as "name=" (for a change: "which fields it sets").
void put_fields(std::string& m, const Fields& f) {
  put(m, "relationship", f.relationship);
  put(m, "insured_name", f.insured_name, true);
  put(m, "name", f.name, true);
  put(m, "name_kana", f.name_kana, true);
  put(m, "sex", f.sex);
  put_day(m, "birth_date", f.birth_date);
  put(m, "address", f.address, true);
  put(m, "postcode", f.postcode, false);
  put_day(m, "acquired_on", f.acquired_on);
  put_day(m, "lost_on", f.lost_on);
  put(m, "loss_reason", f.loss_reason);
  put_day(m, "card_issued_on", f.card_issued_on);
  put_day(m, "card_valid_from", f.card_valid_from);
  put_day(m, "card_valid_until", f.card_valid_until);
  put(m, "copay_ratio", f.copay_ratio);
  put(m, "elderly_copay_ratio", f.elderly_copay_ratio);
  put_day(m, "elderly_valid_from", f.elderly_valid_from);
  put_day(m, "elderly_valid_until", f.elderly_valid_until);
  put(m, "limit_category", f.limit_category, false);
  put_day(m, "limit_valid_from", f.limit_valid_from);
  put_day(m, "limit_valid_until", f.limit_valid_until);
  put(m, "specific_disease", f.specific_disease);
  put_day(m, "disease_valid_from", f.disease_valid_from);
  put_day(m, "disease_valid_until", f.disease_valid_until);
  put(m, "my_number", f.my_number, false);
}

}  // namespace

std::string meaning_of(const Row& r) {
  std::string m;
  m += r.kind == Kind::kAcquire ? "acquire" : r.kind == Kind::kChange ? "change" : "lose";
  m += kSep;
  m += r.insurer;
  m += kSep;
  m += match_key(r.symbol);
  m += kSep;
  m += match_key(r.number);
  m += kSep;
  m += r.branch.value_or("00");  // R-M1
  m += kSep;
  put_day(m, "changed_on", r.f.changed_on);
  switch (r.kind) {
    case Kind::kAcquire: {
      // Every field after defaults: co-pay 3; an absent text is empty. (An absent sex is not
      // possible: the generator always sends the required fields.)
      Fields f = r.f;
      f.changed_on.reset();
      if (!f.copay_ratio) f.copay_ratio = 3;
      for (auto* t : {&f.insured_name, &f.name, &f.name_kana, &f.address, &f.postcode})
        if (!*t) *t = std::string();
      // Reading: registration-format.md says insured_name defaults to name on the acquire of a
      // 本人; R-S2 says "an absent text is empty". The generator never re-sends a 本人 acquire
      // with the insured_name cell toggled, so the choice does not matter to the test; the
      // model takes the rules page literally (empty).
      put_fields(m, f);
      break;
    }
    case Kind::kChange:
      put_fields(m, r.f);  // absent fields print as "name=" (not set); set ones with value
      break;
    case Kind::kLose:
      put_day(m, "acquired_on", r.f.acquired_on);
      put_day(m, "lost_on", r.f.lost_on);
      put(m, "loss_reason", r.f.loss_reason);
      break;
  }
  return m;
}

std::string to_string(const Outcome& o) {
  switch (o.kind) {
    case Outcome::Kind::kApplied:
      return "applied";
    case Outcome::Kind::kAlreadyApplied:
      return "already applied";
    case Outcome::Kind::kRejected: {
      std::string s = "rejected " + o.code;
      for (const std::string& a : o.alternatives) s += " (or " + a + ")";
      return s;
    }
  }
  return "?";
}

// ---------------------------------------------------------------------------------------------
// Registration

Model::Model(std::vector<InsurerInfo> insurers) : insurers_(std::move(insurers)) {}

bool Model::same_member(const Period& p, const Row& r) const {
  return p.insurer == r.insurer && p.symbol_key == match_key(r.symbol) &&
         p.number_key == match_key(r.number) && p.branch == r.branch.value_or("00");
}

std::vector<std::size_t> Model::member_periods(const Row& r) const {
  std::vector<std::size_t> out;
  for (std::size_t i = 0; i < periods_.size(); ++i)
    if (same_member(periods_[i], r)) out.push_back(i);
  return out;
}

namespace {

bool overlaps(Day a1, std::optional<Day> l1, Day a2, std::optional<Day> l2) {
  // [a1, l1) and [a2, l2), an absent end open. Touching (l1 == a2) is no overlap, and a period
  // lost on its first day covers no day and overlaps nothing (R-A4).
  if ((l1 && *l1 == a1) || (l2 && *l2 == a2)) return false;
  const bool first_before_second_ends = !l2 || a1 < *l2;
  const bool second_before_first_ends = !l1 || a2 < *l1;
  return first_before_second_ends && second_before_first_ends;
}

bool ends_before_start(const std::optional<Day>& from, const std::optional<Day>& until) {
  return from && until && *until < *from;
}

}  // namespace

// R-O1: the model collects every rule the row breaks, in the order R-O1 and the document give;
// the first is Outcome::code (the only acceptable answer), the others are kept for reports. Rules
// that need a target period are evaluated only when it exists; a row that breaks a row check is
// still evaluated against the state.
Outcome Model::apply(const Row& r) {
  const Fields& f = r.f;
  std::vector<std::string> codes;

  // R-A7 row checks. Reading: a lose row's other cells are ignored (R-S2), so only its
  // acquired_on and lost_on are checked.
  bool dates_bad = f.acquired_on && f.lost_on && *f.lost_on < *f.acquired_on;
  if (r.kind != Kind::kLose) {
    if (f.birth_date && f.acquired_on && *f.birth_date > *f.acquired_on) dates_bad = true;
    if (ends_before_start(f.card_valid_from, f.card_valid_until) ||
        ends_before_start(f.elderly_valid_from, f.elderly_valid_until) ||
        ends_before_start(f.limit_valid_from, f.limit_valid_until) ||
        ends_before_start(f.disease_valid_from, f.disease_valid_until))
      dates_bad = true;
  }
  if (dates_bad) codes.push_back("ROW_DATES_INCONSISTENT");
  // R-O1: the row's own checks, then the insurer, then the rules.
  if (std::none_of(insurers_.begin(), insurers_.end(),
                   [&](const InsurerInfo& i) { return i.number == r.insurer; }))
    codes.push_back("ROW_INSURER_UNKNOWN");

  // R-S1: a re-send changes nothing, whatever happened since. (A row that breaks a row check
  // cannot mean what an applied row meant.)
  const std::string meaning = meaning_of(r);
  if (codes.empty() && std::find(applied_meanings_.begin(), applied_meanings_.end(), meaning) !=
                           applied_meanings_.end())
    return Outcome{Outcome::Kind::kAlreadyApplied, "", {}};

  auto add_code = [&](const char* c) {
    if (std::find(codes.begin(), codes.end(), c) == codes.end()) codes.push_back(c);
  };
  auto refuse = [&]() {
    Outcome o{Outcome::Kind::kRejected, codes.front(), {}};
    o.alternatives.assign(codes.begin() + 1, codes.end());
    return o;
  };
  const std::vector<std::size_t> member = member_periods(r);

  if (r.kind == Kind::kAcquire) {
    const Day acquired = *f.acquired_on;
    std::string member_link;
    if (!member.empty()) {
      const Period& any = periods_[member.front()];  // R-M2: all periods agree
      member_link = any.person_key;
      if (any.birth_date != *f.birth_date) add_code("ROW_PERSON_CONFLICT");  // R-A2
      if (f.my_number && !member_link.empty() && member_link != *f.my_number)
        add_code("ROW_PERSON_CONFLICT");
      for (std::size_t i : member)  // R-A3
        if (periods_[i].acquired_on == acquired) add_code("ROW_PERIOD_ALREADY_REGISTERED");
      for (std::size_t i : member)  // R-A4
        if (periods_[i].acquired_on != acquired &&
            overlaps(periods_[i].acquired_on, periods_[i].lost_on, acquired, f.lost_on))
          add_code("ROW_PERIOD_OVERLAP");
    }
    if (!codes.empty()) return refuse();
    Period p;
    p.insurer = r.insurer;
    p.symbol = r.symbol;
    p.number = r.number;
    p.symbol_key = match_key(r.symbol);
    p.number_key = match_key(r.number);
    p.branch = r.branch.value_or("00");
    p.relationship = f.relationship.value_or(1);
    p.name = f.name.value_or("");
    // Reading: registration-format.md says insured_name "defaults to name" on the acquire of a
    // 本人; the rules page (R-A6, R-Q9, R-S2 "an absent text is empty") never stores that
    // default, and R-Q9 shows a 本人's own name anyway. It matters only when a change turns the
    // 本人 into a 家族 with no 本人 left under the card key: R-Q9 then shows "the insured_name the
    // insurer gave on the dependant's row (or empty)" — here empty.
    p.insured_name = f.insured_name.value_or("");
    p.name_kana = f.name_kana.value_or("");
    p.sex = f.sex.value_or(3);
    p.birth_date = *f.birth_date;
    p.address = f.address.value_or("");
    p.postcode = f.postcode.value_or("");
    p.acquired_on = acquired;
    p.lost_on = f.lost_on;
    p.loss_reason = f.loss_reason;
    p.card_issued_on = f.card_issued_on;
    p.card_valid_from = f.card_valid_from;
    p.card_valid_until = f.card_valid_until;
    p.copay_ratio = f.copay_ratio.value_or(3);
    p.elderly_copay_ratio = f.elderly_copay_ratio;
    p.elderly_valid_from = f.elderly_valid_from;
    p.elderly_valid_until = f.elderly_valid_until;
    p.limit_category = f.limit_category;
    p.limit_valid_from = f.limit_valid_from;
    p.limit_valid_until = f.limit_valid_until;
    p.specific_disease = f.specific_disease;
    p.disease_valid_from = f.disease_valid_from;
    p.disease_valid_until = f.disease_valid_until;
    // R-A5
    p.person_key = f.my_number.value_or(member_link);
    if (f.my_number && member_link.empty())
      for (std::size_t i : member) periods_[i].person_key = *f.my_number;
    periods_.push_back(std::move(p));
    applied_meanings_.push_back(meaning);
    return Outcome{Outcome::Kind::kApplied, "", {}};
  }

  // R-C1: the period with the acquired_on given, else the latest one.
  std::optional<std::size_t> target;
  for (std::size_t i : member) {
    if (f.acquired_on) {
      if (periods_[i].acquired_on == *f.acquired_on) target = i;
    } else if (!target || periods_[i].acquired_on > periods_[*target].acquired_on) {
      target = i;
    }
  }
  if (!target) {
    add_code("ROW_COVERAGE_NOT_FOUND");
    return refuse();
  }

  std::vector<Period> next = periods_;
  Period& t = next[*target];
  // R-C5 (lose, and a change giving lost_on).
  if (f.lost_on) {
    if (*f.lost_on < t.acquired_on) add_code("ROW_DATES_INCONSISTENT");
    for (std::size_t i : member)
      if (i != *target &&
          overlaps(periods_[i].acquired_on, periods_[i].lost_on, t.acquired_on, f.lost_on))
        add_code("ROW_PERIOD_OVERLAP");
  }
  if (r.kind == Kind::kLose) {
    t.lost_on = f.lost_on;
    t.loss_reason = f.loss_reason;
  } else {
    // R-C2: only the fields the row carries, on the target period.
    // Reading: "fields" are columns: a change carrying elderly_copay_ratio alone keeps the
    // registered validity dates (the generator always sends the three together).
    if (f.relationship) t.relationship = *f.relationship;
    if (f.insured_name) t.insured_name = *f.insured_name;
    if (f.name) t.name = *f.name;
    if (f.name_kana) t.name_kana = *f.name_kana;
    if (f.sex) t.sex = *f.sex;
    if (f.address) t.address = *f.address;
    if (f.postcode) t.postcode = *f.postcode;
    if (f.lost_on) t.lost_on = f.lost_on;
    if (f.loss_reason) t.loss_reason = f.loss_reason;
    if (f.card_issued_on) t.card_issued_on = f.card_issued_on;
    if (f.card_valid_from) t.card_valid_from = f.card_valid_from;
    if (f.card_valid_until) t.card_valid_until = f.card_valid_until;
    if (f.copay_ratio) t.copay_ratio = *f.copay_ratio;
    if (f.elderly_copay_ratio) t.elderly_copay_ratio = f.elderly_copay_ratio;
    if (f.elderly_valid_from) t.elderly_valid_from = f.elderly_valid_from;
    if (f.elderly_valid_until) t.elderly_valid_until = f.elderly_valid_until;
    if (f.limit_category) t.limit_category = f.limit_category;
    if (f.limit_valid_from) t.limit_valid_from = f.limit_valid_from;
    if (f.limit_valid_until) t.limit_valid_until = f.limit_valid_until;
    if (f.specific_disease) t.specific_disease = f.specific_disease;
    if (f.disease_valid_from) t.disease_valid_from = f.disease_valid_from;
    if (f.disease_valid_until) t.disease_valid_until = f.disease_valid_until;
    // R-C3: person fields on every period of the member.
    for (std::size_t i : member) {
      if (f.birth_date) next[i].birth_date = *f.birth_date;
      if (f.my_number) next[i].person_key = *f.my_number;
    }
    // R-C4
    if (f.birth_date)
      for (std::size_t i : member)
        if (next[i].birth_date > next[i].acquired_on) add_code("ROW_DATES_INCONSISTENT");
  }
  if (!codes.empty()) return refuse();
  periods_ = std::move(next);
  applied_meanings_.push_back(meaning);
  return Outcome{Outcome::Kind::kApplied, "", {}};
}

// ---------------------------------------------------------------------------------------------
// Confirmation

namespace {

nlohmann::json day_or_null(const std::optional<Day>& d) {
  return d ? nlohmann::json(iso_of(*d)) : nlohmann::json(nullptr);
}

bool within(Day d, const std::optional<Day>& from, const std::optional<Day>& until) {
  // Reading: an absent valid_from is open too (the generator always sends one).
  return (!from || *from <= d) && (!until || d <= *until);
}

nlohmann::json answer(int validity, const char* reason) {
  nlohmann::json j;
  j["validity"] = validity;
  j["reason"] = reason ? nlohmann::json{{"code", reason}} : nlohmann::json(nullptr);
  j["notices"] = nlohmann::json::array();
  j["record"] = nullptr;
  return j;
}

std::string loss_reason_code(int r) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%02d", r);
  return buf;
}

}  // namespace

nlohmann::json Model::record_of(const Period& p, const Query& q) const {
  const Day d = q.as_of;
  nlohmann::json r;
  r["insurer_number"] = p.insurer;
  std::string insurer_name;
  for (const InsurerInfo& i : insurers_)
    if (i.number == p.insurer) insurer_name = i.name;
  r["insurer_name"] = insurer_name;
  r["symbol"] = p.symbol;  // R-Q8 / N1: bytes as the acquire row wrote them
  r["number"] = p.number;
  r["branch"] = p.branch;
  r["relationship"] = p.relationship;
  r["relationship_label"] = p.relationship == 1 ? "insured" : "dependant";
  // R-Q9
  std::string insured_name;
  if (p.relationship == 1) {
    insured_name = p.name;
  } else {
    const Period* best = nullptr;
    bool best_in_force = false;
    for (const Period& o : periods_) {
      if (o.insurer != p.insurer || o.symbol_key != p.symbol_key || o.number_key != p.number_key ||
          o.relationship != 1)
        continue;
      const bool f = o.in_force_on(d);
      const bool better =
          !best || (f && !best_in_force) ||
          (f == best_in_force && (o.acquired_on > best->acquired_on ||
                                  (o.acquired_on == best->acquired_on && o.branch < best->branch)));
      if (better) {
        best = &o;
        best_in_force = f;
      }
    }
    insured_name = best ? best->name : p.insured_name;
  }
  r["insured_name"] = insured_name;
  r["name"] = p.name;
  r["name_kana"] = p.name_kana;
  r["sex"] = p.sex;
  r["birth_date"] = iso_of(p.birth_date);
  r["address"] = p.address;
  r["postcode"] = p.postcode;
  r["acquired_on"] = iso_of(p.acquired_on);
  r["lost_on"] = day_or_null(p.lost_on);
  r["loss_reason"] =
      p.loss_reason ? nlohmann::json(loss_reason_code(*p.loss_reason)) : nlohmann::json(nullptr);
  r["card_issued_on"] = day_or_null(p.card_issued_on);
  r["card_valid_from"] = day_or_null(p.card_valid_from);
  r["card_valid_until"] = day_or_null(p.card_valid_until);
  r["copay_ratio"] = p.copay_ratio;
  // R-Q10
  const int age = age_in_years(p.birth_date, d);
  const bool elderly_shown = p.elderly_copay_ratio &&
                             within(d, p.elderly_valid_from, p.elderly_valid_until) && age >= 70 &&
                             age <= 74;
  // R-Q11
  r["applicable_copay_ratio"] = elderly_shown ? *p.elderly_copay_ratio : p.copay_ratio;
  if (elderly_shown)
    r["elderly_recipient"] = {{"copay_ratio", *p.elderly_copay_ratio},
                              {"valid_from", day_or_null(p.elderly_valid_from)},
                              {"valid_until", day_or_null(p.elderly_valid_until)}};
  else
    r["elderly_recipient"] = nullptr;
  // R-Q12
  if (q.limit_consent) {
    if (p.limit_category && within(d, p.limit_valid_from, p.limit_valid_until))
      r["self_pay_limit"] = {{"category", *p.limit_category},
                             {"valid_from", day_or_null(p.limit_valid_from)},
                             {"valid_until", day_or_null(p.limit_valid_until)}};
    else
      r["self_pay_limit"] = nullptr;
  }
  if (q.disease_consent) {
    if (p.specific_disease && within(d, p.disease_valid_from, p.disease_valid_until))
      r["specific_disease"] = {{"disease", *p.specific_disease},
                               {"valid_from", day_or_null(p.disease_valid_from)},
                               {"valid_until", day_or_null(p.disease_valid_until)}};
    else
      r["specific_disease"] = nullptr;
  }
  r["my_number_linked"] = !p.person_key.empty();
  return r;
}

nlohmann::json Model::confirm(const Query& q) const {
  const Day d = q.as_of;
  // R-Q1
  if (std::none_of(insurers_.begin(), insurers_.end(),
                   [&](const InsurerInfo& i) { return i.number == q.insurer; }))
    return answer(4, "ELIGIBILITY_INSURER_UNKNOWN");
  const std::string sk = match_key(q.symbol);
  const std::string nk = match_key(q.number);
  std::vector<const Period*> c;
  for (const Period& p : periods_)
    if (p.insurer == q.insurer && p.symbol_key == sk && p.number_key == nk) c.push_back(&p);
  if (c.empty()) return answer(4, "ELIGIBILITY_NO_COVERAGE_FOR_NUMBER");
  // R-Q2
  if (q.branch) {
    std::erase_if(c, [&](const Period* p) { return p->branch != *q.branch; });
    if (c.empty()) return answer(4, "ELIGIBILITY_BRANCH_NOT_FOUND");
  }
  // R-Q3
  std::erase_if(c, [&](const Period* p) { return p->birth_date != q.birth_date; });
  if (c.empty()) return answer(4, "ELIGIBILITY_BIRTH_DATE_MISMATCH");
  // R-Q4: union-find over same branch or same My Number link.
  std::vector<std::size_t> parent(c.size());
  std::iota(parent.begin(), parent.end(), 0);
  auto find = [&](std::size_t x) {
    while (parent[x] != x) x = parent[x] = parent[parent[x]];
    return x;
  };
  for (std::size_t i = 0; i < c.size(); ++i)
    for (std::size_t j = i + 1; j < c.size(); ++j)
      if (c[i]->branch == c[j]->branch ||
          (!c[i]->person_key.empty() && c[i]->person_key == c[j]->person_key))
        parent[find(i)] = find(j);
  for (std::size_t i = 1; i < c.size(); ++i)
    if (find(i) != find(0)) return answer(5, "ELIGIBILITY_SEVERAL_MATCH");

  // R-Q5
  const Period* chosen = nullptr;
  for (const Period* p : c) {
    if (!p->in_force_on(d)) continue;
    if (!chosen || p->acquired_on > chosen->acquired_on ||
        (p->acquired_on == chosen->acquired_on && p->branch < chosen->branch))
      chosen = p;
  }
  nlohmann::json out;
  if (chosen) {
    out = answer(1, nullptr);
    out["record"] = record_of(*chosen, q);
    // R-Q13
    if (chosen->card_valid_until && d > *chosen->card_valid_until)
      out["notices"].push_back({{"code", "NOTICE_CARD_VALIDITY_ENDED"}});
    if (chosen->card_valid_from && d < *chosen->card_valid_from)
      out["notices"].push_back({{"code", "NOTICE_CARD_NOT_YET_VALID"}});
    return out;
  }
  // R-Q6. Reading: "the one with the latest lost_on" is chosen among the periods started by D
  // (those are the ones "all lost by D").
  for (const Period* p : c) {
    if (p->acquired_on > d) continue;
    if (!chosen || *p->lost_on > *chosen->lost_on ||
        (*p->lost_on == *chosen->lost_on &&
         (p->acquired_on > chosen->acquired_on ||
          (p->acquired_on == chosen->acquired_on && p->branch < chosen->branch))))
      chosen = p;
  }
  if (chosen) {
    bool newer = false;
    if (!chosen->person_key.empty())
      for (const Period& o : periods_)
        if (o.person_key == chosen->person_key && o.in_force_on(d)) newer = true;
    out = newer ? answer(3, "ELIGIBILITY_LOST_NEWER_EXISTS") : answer(2, "ELIGIBILITY_LOST");
    out["record"] = record_of(*chosen, q);
    return out;
  }
  // R-Q7
  for (const Period* p : c)
    if (!chosen || p->acquired_on < chosen->acquired_on ||
        (p->acquired_on == chosen->acquired_on && p->branch < chosen->branch))
      chosen = p;
  out = answer(2, "ELIGIBILITY_NOT_YET_STARTED");
  out["record"] = record_of(*chosen, q);
  return out;
}

}  // namespace onshi::model
