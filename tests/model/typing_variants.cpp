// Typing variants: how a desk or an insurer may spell the same key (N2 of
// docs/eligibility-rules.md), a look-alike that is a different key (N3), and the accepted date
// forms.
#include <algorithm>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "tests/model/history_generator.hpp"
#include "tests/model/reference_model.hpp"

namespace onshi::model {

// ---------------------------------------------------------------------------------------------
// Characters

std::string fullwidth(std::string_view ascii) {
  std::string out;
  for (char ch : ascii) {
    const auto c = static_cast<unsigned char>(ch);
    out += c >= 0x21 && c <= 0x7E ? utf8(char32_t{c} + 0xFEE0) : std::string(1, ch);
  }
  return out;
}

namespace {

// Full-width katakana (and ー) -> its half-width form, built from the model's own match_key.
const std::map<char32_t, char32_t>& half_forms() {
  static const std::map<char32_t, char32_t> m = [] {
    std::map<char32_t, char32_t> r;
    for (char32_t h = 0xFF66; h <= 0xFF9D; ++h) {
      const std::u32string k = code_points(match_key(utf8(h)));
      if (k.size() == 1) r[k[0]] = h;
    }
    return r;
  }();
  return m;
}

bool is_katakana(char32_t c) {
  return c >= 0x30A1 && c <= 0x30FA;
}
bool is_mark(char32_t c) {
  return c == 0xFF9E || c == 0xFF9F || c == 0x309B || c == 0x309C || c == 0x3099 || c == 0x309A;
}
bool is_semi(char32_t c) {
  return c == 0xFF9F || c == 0x309C || c == 0x309A;
}
bool is_ascii_digit(char32_t c) {
  return c >= '0' && c <= '9';
}

// One letter as the reader sees it: the text that spelled it and what it reads as.
struct Group {
  std::u32string text;
  char32_t letter = 0;  // normalised: ASCII (letters upper), full-width katakana, or as is
};

char32_t fold_char(char32_t c) {
  if (c >= 0xFF01 && c <= 0xFF5E) c -= 0xFEE0;
  if (c >= 'a' && c <= 'z') c -= 0x20;
  if (c >= 0xFF66 && c <= 0xFF9D) {
    const std::u32string k = code_points(match_key(utf8(c)));
    if (k.size() == 1) c = k[0];
  }
  return c;
}

std::vector<Group> groups_of(const std::string& text) {
  std::vector<Group> out;
  for (char32_t c : code_points(text)) {
    if (is_mark(c) && !out.empty() && out.back().text.size() == 1 &&
        (is_katakana(out.back().letter))) {
      const char32_t composed = compose_kana(out.back().letter, is_semi(c));
      out.back().text += c;
      if (composed) out.back().letter = composed;
      continue;
    }
    out.push_back(Group{std::u32string(1, c), fold_char(c)});
  }
  return out;
}

// The base and mark kind of a composed katakana (ガ -> カ, voiced).
bool decompose(char32_t letter, char32_t& base, bool& semi) {
  for (char32_t cand :
       {char32_t(letter - 1), char32_t(letter - 2), char32_t{0x30A6}, char32_t(letter - 8)}) {
    if (compose_kana(cand, false) == letter) {
      base = cand;
      semi = false;
      return true;
    }
    if (compose_kana(cand, true) == letter) {
      base = cand;
      semi = true;
      return true;
    }
  }
  return false;
}

const std::vector<std::u32string> kDashes = {
    U"-",      U"\uFF0D", U"\u2010", U"\u2011", U"\u2012", U"\u2013", U"\u2014", U"\u2015",
    U"\u2212", U"\u301C", U"\uFF5E", U"~",      U"\u30A0", U"\uFE58", U"\uFE63", U"\u2043"};
const std::vector<std::u32string> kInnerSpaces = {U"\u00A0", U"\u3000", U"\u2002", U"\u202F",
                                                  U"\u205F", U"\u200B", U"\uFEFF", U"\u2060",
                                                  U" ",      U"\u200C", U"\u1680", U"\t"};

bool is_dash_letter(char32_t c) {
  if (c == 0x30FC) return false;
  return match_key(utf8(c)).empty() && c != ' ' && c != 0x3000 && c != 0xA0;
}
bool is_space_letter(char32_t c) {
  return c == ' ' || c == 0x3000 || c == 0xA0 || c == 0x2002 || c == 0x202F;
}

std::u32string spell(Rng& rng, const Group& g, bool at_edge) {
  const char32_t L = g.letter;
  std::vector<std::u32string> options{g.text};
  if (is_ascii_digit(L)) {
    options = {std::u32string(1, L), std::u32string(1, L + 0xFEE0)};
  } else if (L >= 'A' && L <= 'Z') {
    options = {std::u32string(1, L), std::u32string(1, L + 0x20), std::u32string(1, L + 0xFEE0),
               std::u32string(1, L + 0x20 + 0xFEE0)};
  } else if (is_space_letter(L)) {
    options = {U"\u3000", U"\u00A0", U"\u2002", U"\u202F"};
    if (!at_edge) options.push_back(U" ");
  } else if (is_dash_letter(L)) {
    options = kDashes;
    if (!at_edge) options.push_back(U"");
  } else if (L == 0x30FC) {
    options = {U"\u30FC", U"\uFF70"};
  } else if (is_katakana(L)) {
    char32_t base = 0;
    bool semi = false;
    const auto& half = half_forms();
    options = {std::u32string(1, L)};
    if (half.count(L)) options.push_back(std::u32string(1, half.at(L)));
    if (decompose(L, base, semi)) {
      const std::u32string marks = semi ? U"\uFF9F\u309C\u309A" : U"\uFF9E\u309B\u3099";
      for (char32_t m : marks) {
        options.push_back(std::u32string{base, m});
        if (half.count(base)) options.push_back(std::u32string{half.at(base), m});
      }
    }
  } else if (L >= 0x4E00 && L <= 0x9FFF) {
    options.push_back(g.text + U"\uFE00");
    options.push_back(g.text + U"\U000E0100");
  }
  return options[static_cast<std::size_t>(rng.uni(0, static_cast<int>(options.size()) - 1))];
}

bool acceptable(const std::string& v, std::size_t max_bytes, std::size_t max_chars) {
  if (v.size() > max_bytes || code_points(v).size() > max_chars) return false;
  if (!v.empty() && (v.front() == ' ' || v.front() == '\t' || v.back() == ' ' || v.back() == '\t'))
    return false;
  return true;
}

}  // namespace

std::string typed_variant(Rng& rng, const std::string& text, std::size_t max_bytes,
                          std::size_t max_chars) {
  const std::string key = match_key(text);
  const std::vector<Group> gs = groups_of(text);
  for (int attempt = 0; attempt < 8; ++attempt) {
    const double p = 0.4 / (1 + attempt);
    std::u32string out;
    for (std::size_t i = 0; i < gs.size(); ++i) {
      const bool edge = i == 0 || i + 1 == gs.size();
      out += rng.chance(p) ? spell(rng, gs[i], edge) : gs[i].text;
      if (i + 1 < gs.size() && rng.chance(p / 8)) out += rng.pick(kInnerSpaces);
    }
    const std::string v = from_code_points(out);
    if (match_key(v) == key && acceptable(v, max_bytes, max_chars)) return v;
  }
  return text;
}

std::optional<std::string> different_variant(Rng& rng, const std::string& text) {
  const std::string key = match_key(text);
  std::vector<Group> gs = groups_of(text);
  std::vector<std::size_t> order(gs.size() * 5);
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  for (std::size_t i = order.size(); i > 1; --i)
    std::swap(order[i - 1], order[static_cast<std::size_t>(rng.uni(0, static_cast<int>(i) - 1))]);
  for (std::size_t o : order) {
    const std::size_t gi = o / 5;
    const int how = static_cast<int>(o % 5);
    std::vector<Group> v = gs;
    Group& g = v[gi];
    char32_t base = 0;
    bool semi = false;
    if (how == 0 && g.letter >= 0x30A1 && g.letter <= 0x30F6) {  // katakana -> hiragana
      g.text = std::u32string(1, g.letter - 0x60);
    } else if (how == 1 && is_katakana(g.letter) && decompose(g.letter, base, semi)) {
      g.text = std::u32string(1, base);  // ガ -> カ
    } else if (how == 2 && g.letter == 0x30FC) {
      g.text.clear();  // コード -> コド
    } else if (how == 3 && is_katakana(g.letter) && g.letter != 0x30FC) {
      g.text += U"\u30FC";  // コド -> コード
    } else if (how == 4) {
      static const std::map<char32_t, char32_t> kSwap = {{U'高', U'髙'}, {U'髙', U'高'},
                                                         {U'崎', U'﨑'}, {U'﨑', U'崎'},
                                                         {U'辺', U'邉'}, {U'邉', U'辺'}};
      auto it = kSwap.find(g.letter);
      if (it == kSwap.end()) continue;
      g.text = std::u32string(1, it->second);
    } else {
      continue;
    }
    std::u32string out;
    for (const Group& x : v) out += x.text;
    std::string s = from_code_points(out);
    if (!s.empty() && match_key(s) != key && !match_key(s).empty()) return s;
  }
  return std::nullopt;
}

std::string render_date(Rng& rng, Day day) {
  const Ymd v = ymd_of(day);
  char buf[64];
  const int form = rng.uni(0, 6);
  auto two = [&](int n) {
    char b[16];
    std::snprintf(b, sizeof b, rng.chance(0.5) ? "%02d" : "%d", n);
    return std::string(b);
  };
  std::string s;
  // Eras: 昭和 from 1926-12-25, 平成 from 1989-01-08, 令和 from 2019-05-01.
  const char* letter = nullptr;
  const char* kanji = nullptr;
  int era_year = 0;
  if (day >= day_of(2019, 5, 1)) {
    letter = "R";
    kanji = "令和";
    era_year = v.y - 2018;
  } else if (day >= day_of(1989, 1, 8)) {
    letter = "H";
    kanji = "平成";
    era_year = v.y - 1988;
  } else if (day >= day_of(1926, 12, 25)) {
    letter = "S";
    kanji = "昭和";
    era_year = v.y - 1925;
  }
  if ((form == 4 || form == 5) && !letter) {
    s = iso_of(day);
  } else if (form == 0 || form == 6) {
    s = iso_of(day);
  } else if (form == 1) {
    std::snprintf(buf, sizeof buf, "%04d%02d%02d", v.y, v.m, v.d);
    s = buf;
  } else if (form == 2) {
    s = std::to_string(v.y) + "/" + two(v.m) + "/" + two(v.d);
  } else if (form == 3) {
    s = std::to_string(v.y) + "." + two(v.m) + "." + two(v.d);
  } else if (form == 4) {
    const char* seps[] = {".", "/", "-"};
    const std::string sep = seps[rng.uni(0, 2)];
    std::string l = letter;
    if (rng.chance(0.3)) l[0] = static_cast<char>(l[0] - 'A' + 'a');
    s = l + std::to_string(era_year) + sep + two(v.m) + sep + two(v.d);
  } else {
    const std::string y = era_year == 1 && rng.chance(0.7) ? "元" : std::to_string(era_year);
    s = std::string(kanji) + y + "年" + std::to_string(v.m) + "月" + std::to_string(v.d) + "日";
  }
  if (rng.chance(0.15)) s = fullwidth(s);
  return s;
}

}  // namespace onshi::model
