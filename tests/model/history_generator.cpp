#include "tests/model/history_generator.hpp"

#include <algorithm>
#include <cstdio>
#include <map>
#include <set>

#include "core/identifiers.hpp"
#include "core/registration.hpp"

namespace onshi::model {
namespace {

// ---------------------------------------------------------------------------------------------
// Values

const std::vector<std::string> kKanaParts = {"ア", "アイ", "コード", "コド", "ガ", "パ",  "ヴ",
                                             "カ", "ハ",   "ﾄﾞ",     "ｺｰﾄﾞ", "ﾊﾟ", "ｱｲｳ", "ｷ"};
const std::vector<std::string> kKanjiParts = {"記号", "東", "高", "髙", "北", "﨑"};
const std::vector<std::string> kLatinParts = {"A", "b", "XY", "Ab", "k"};
const std::vector<std::string> kDigitParts = {"1", "12", "345", "07", "９", "2０"};

std::string make_symbol(Rng& rng) {
  if (rng.chance(0.2)) return "";
  std::string s;
  const int n = rng.uni(1, 3);
  bool last_digit = false;
  for (int i = 0; i < n; ++i) {
    const int kind = rng.uni(0, 3);
    const auto& pool = kind == 0   ? kKanaParts
                       : kind == 1 ? kKanjiParts
                       : kind == 2 ? kLatinParts
                                   : kDigitParts;
    if (i > 0 && (rng.chance(0.3) || (last_digit && kind == 3))) s += rng.chance(0.7) ? "-" : "－";
    s += rng.pick(pool);
    last_digit = kind == 3;
  }
  return s;
}

std::string make_number(Rng& rng) {
  std::string s;
  const int digits = rng.uni(1, 7);
  for (int i = 0; i < digits; ++i) s += static_cast<char>('0' + rng.uni(0, 9));
  const int style = rng.uni(0, 9);
  if (style == 0 && s.size() >= 2) s.insert(s.size() / 2, "-");
  if (style == 1 && s.size() >= 2) s.insert(s.size() / 2, "ー");  // a dash between digits
  if (style == 2) s = "A" + s;
  if (style == 3) s = "ｱ" + s;
  if (style == 4) s = fullwidth(s);
  if (style == 5) s = "ガ" + s;
  return s;
}

struct NamePart {
  const char* kanji;
  const char* kana;
};
const std::vector<NamePart> kFamilies = {{"山田", "ヤマダ"},
                                         {"𠮷田", "ヨシダ"},
                                         {"髙橋", "タカハシ"},
                                         {"高橋", "タカハシ"},
                                         {"渡邉\U000E0101", "ワタナベ"},
                                         {"佐藤", "サトウ"},
                                         {"鈴木", "スズキ"},
                                         {"﨑山", "サキヤマ"},
                                         {"小林", "コバヤシ"}};
const std::vector<NamePart> kGivens = {
    {"太郎", "タロウ"},   {"花子", "ハナコ"}, {"一郎", "イチロウ"}, {"美咲", "ミサキ"},
    {"さくら", "サクラ"}, {"翔", "ショウ"},   {"陽菜", "ヒナ"},     {"大輔", "ダイスケ"},
    {"ゆうき", "ユウキ"}, {"健", "ケン"}};
const std::vector<std::string> kAddresses = {"東京都千代田区千代田1-1",
                                             "大阪府大阪市北区梅田2-4-9",
                                             "北海道札幌市中央区北1条西2丁目",
                                             "福岡県福岡市博多区博多駅前3-2-1 ﾊｲﾂ101",
                                             "沖縄県那覇市泉崎1丁目2番2号",
                                             "京都府京都市下京区四条通烏丸東入ル長刀鉾町20",
                                             "神奈川県横浜市西区みなとみらい２－３－１"};
const std::vector<std::string> kLimitCategories = {"A01", "A02", "A03", "A04", "A05", "A06",
                                                   "B01", "B02", "B03", "B04", "B05", "B06",
                                                   "B07", "B08", "B09", "B10"};

std::string digits(Rng& rng, int n) {
  std::string s;
  for (int i = 0; i < n; ++i) s += static_cast<char>('0' + rng.uni(0, 9));
  return s;
}

Day random_day(Rng& rng, int y0, int y1) {
  return rng.uni(day_of(y0, 1, 1), day_of(y1, 12, 31));
}

Day birthday_at(Day birth, int age) {
  const Ymd b = ymd_of(birth);
  const int y = b.y + age;
  if (b.m == 2 && b.d == 29 && !is_leap(y)) return day_of(y, 3, 1);
  return day_of(y, b.m, b.d);
}

// ---------------------------------------------------------------------------------------------
// The plan of a history

struct Card {
  int insurer = 0;
  std::string symbol, number;
  bool branched = true;
};

struct Person {
  std::string name, kana;
  int sex = 1;
  Day birth = 0;
  std::optional<std::string> my_number;
};

struct Member {
  int card = 0;
  std::optional<std::string> branch;
  int relationship = 1;
  Person person;
  std::string insured_name;  // the 本人's name, for a 家族
};

struct Timed {
  double t = 0;
  GenRow row;
};

class Builder {
 public:
  Builder(std::uint64_t seed) : rng_(seed) {}
  History build(int queries);

 private:
  void make_insurers();
  void make_cards_and_members();
  void plan_member(Member& m, Day start, std::optional<Day> must_lose, bool cross);
  Row base(Kind kind, const Member& m) const;
  Fields acquire_fields(const Member& m, Day a, std::optional<Day> l);
  void add(double t, Row row, std::string note);
  GenRow render(Row row, std::string note);
  Row retype(Row r);
  void add_noise();
  void make_queries(int n);
  std::string render_code(int v, int width);

  Rng rng_;
  History h_;
  std::vector<Card> cards_;
  std::vector<Member> members_;
  std::vector<Timed> timed_;
  std::set<Day> interesting_;
};

std::string Builder::render_code(int v, int width) {
  char buf[16];
  std::snprintf(buf, sizeof buf, width == 2 && rng_.chance(0.6) ? "%02d" : "%d", v);
  std::string s = buf;
  return rng_.chance(0.15) ? fullwidth(s) : s;
}

void Builder::make_insurers() {
  std::set<std::string> used;
  const int n = rng_.uni(2, 3);
  static const char* kHoubetsu[] = {"01", "06", "31", "39"};
  static const int kKinds[] = {1, 2, 3, 6};
  for (int i = 0; i <= n; ++i) {
    InsurerDef d;
    char pref[16];
    d.prefecture = rng_.uni(1, 47);
    std::snprintf(pref, sizeof pref, "%02d", d.prefecture);
    if (rng_.chance(0.4)) {
      d.number = core::make_insurer_number(std::string(pref) + digits(rng_, 3));
      d.kind = 4;
      d.name = "市国民健康保険" + std::to_string(i);
    } else {
      const int k = rng_.uni(0, 3);
      d.number = core::make_insurer_number(std::string(kHoubetsu[k]) + pref + digits(rng_, 3));
      d.kind = kKinds[k];
      d.name = "保険者" + std::to_string(i) + "健康保険組合";
    }
    if (!used.insert(d.number).second) {
      --i;
      continue;
    }
    d.registered = i < n;  // the last one is not in the operator's list
    h_.insurers.push_back(d);
  }
}

Person random_person(Rng& rng, Day birth, const NamePart& family) {
  Person p;
  const NamePart& g = rng.pick(kGivens);
  p.name = std::string(family.kanji) + " " + g.kanji;
  p.kana = std::string(family.kana) + " " + g.kana;
  p.sex = rng.chance(0.05) ? 3 : rng.uni(1, 2);
  p.birth = birth;
  if (rng.chance(0.6)) p.my_number = core::make_my_number(digits(rng, 11));
  return p;
}

void Builder::make_cards_and_members() {
  const int registered = static_cast<int>(h_.insurers.size()) - 1;
  const int ncards = rng_.uni(2, 4);
  for (int c = 0; c < ncards; ++c) {
    Card card;
    card.insurer = rng_.chance(0.02) ? registered : rng_.uni(0, registered - 1);
    card.symbol = make_symbol(rng_);
    card.number = make_number(rng_);
    card.branched = rng_.chance(0.8);
    cards_.push_back(card);
  }
  for (int c = 0; c < ncards; ++c) {
    const NamePart& family = rng_.pick(kFamilies);
    const bool elderly = rng_.chance(0.45);
    const Day birth = elderly ? random_day(rng_, 1944, 1957) : random_day(rng_, 1960, 2002);
    Member head;
    head.card = c;
    head.relationship = 1;
    head.person = random_person(rng_, rng_.chance(0.03) ? day_of(1952, 2, 29) : birth, family);
    const bool use_01 = rng_.chance(0.3);
    if (cards_[c].branched) head.branch = use_01 ? "01" : "00";
    members_.push_back(head);
    const int deps = rng_.uni(0, 3);
    Day twin_birth = -1;
    for (int d = 0; d < deps; ++d) {
      Member m;
      m.card = c;
      m.relationship = 2;
      m.insured_name = head.person.name;
      Day b = d == 0 ? birth + rng_.uni(-2000, 2000) : random_day(rng_, 1990, 2022);
      if (twin_birth >= 0 && rng_.chance(0.7)) b = twin_birth;  // twins
      if (d >= 1 && twin_birth < 0) twin_birth = b;
      m.person = random_person(rng_, b, family);
      char br[16];
      std::snprintf(br, sizeof br, "%02d", d + 2);
      if (cards_[c].branched) m.branch = br;
      members_.push_back(m);
    }
  }
}

Row Builder::base(Kind kind, const Member& m) const {
  Row r;
  r.kind = kind;
  const Card& c = cards_[static_cast<std::size_t>(m.card)];
  r.insurer = h_.insurers[static_cast<std::size_t>(c.insurer)].number;
  r.symbol = c.symbol;
  r.number = c.number;
  r.branch = m.branch;
  return r;
}

Fields Builder::acquire_fields(const Member& m, Day a, std::optional<Day> l) {
  Fields f;
  f.relationship = m.relationship;
  if (m.relationship == 2 && rng_.chance(0.85)) f.insured_name = m.insured_name;
  if (m.relationship == 1 && rng_.chance(0.3)) f.insured_name = m.person.name;
  f.name = m.person.name;
  if (rng_.chance(0.9)) f.name_kana = m.person.kana;
  f.sex = m.person.sex;
  f.birth_date = m.person.birth;
  if (rng_.chance(0.8)) f.address = rng_.pick(kAddresses);
  if (rng_.chance(0.6)) f.postcode = digits(rng_, 3) + "-" + digits(rng_, 4);
  f.acquired_on = a;
  if (l && rng_.chance(0.15)) {
    f.lost_on = l;
    f.loss_reason = rng_.pick(std::vector<int>{1, 2, 3, 99});
  }
  if (rng_.chance(0.7)) f.card_issued_on = a - rng_.uni(0, 20);
  if (rng_.chance(0.6)) f.card_valid_from = a + rng_.uni(-5, 15);
  if (rng_.chance(0.5)) f.card_valid_until = f.card_valid_from.value_or(a) + rng_.uni(60, 1200);
  if (!rng_.chance(0.3)) f.copay_ratio = rng_.pick(std::vector<int>{3, 3, 3, 2, 2, 1});
  const int age = age_in_years(m.person.birth, a);
  if ((age >= 64 && age <= 76 && rng_.chance(0.7)) || rng_.chance(0.08)) {
    f.elderly_copay_ratio = rng_.uni(2, 3);
    const Day d70 = birthday_at(m.person.birth, 70);
    f.elderly_valid_from = std::max(a, d70 + rng_.uni(-3, 35));
    if (rng_.chance(0.2)) f.elderly_valid_from = a;
    if (!rng_.chance(0.3))
      f.elderly_valid_until = rng_.chance(0.5)
                                  ? birthday_at(m.person.birth, 75) - 1 + rng_.uni(-2, 2)
                                  : *f.elderly_valid_from + rng_.uni(0, 2500);
  }
  if (rng_.chance(0.2)) {
    f.limit_category = rng_.pick(kLimitCategories);
    f.limit_valid_from = a + rng_.uni(0, 200);
    if (!rng_.chance(0.2)) f.limit_valid_until = *f.limit_valid_from + rng_.uni(0, 400);
  }
  if (rng_.chance(0.12)) {
    f.specific_disease = rng_.uni(1, 3);
    f.disease_valid_from = a + rng_.uni(-10, 200);
    if (!rng_.chance(0.3)) f.disease_valid_until = *f.disease_valid_from + rng_.uni(0, 600);
  }
  if (m.person.my_number && rng_.chance(0.75)) f.my_number = m.person.my_number;
  if (rng_.chance(0.15)) f.changed_on = a + rng_.uni(-10, 10);
  return f;
}

Row Builder::retype(Row r) {
  r.symbol = typed_variant(rng_, r.symbol, 60, 20);
  r.number = typed_variant(rng_, r.number, 40, 40);
  for (auto* t : {&r.f.name, &r.f.name_kana, &r.f.insured_name, &r.f.address})
    if (*t && rng_.chance(0.4)) **t = typed_variant(rng_, **t, 400, 400);
  if (r.branch == "00" && rng_.chance(0.3)) r.branch.reset();
  if (!r.branch && rng_.chance(0.2)) r.branch = "00";
  if (r.kind == Kind::kAcquire) {
    if (r.f.copay_ratio == 3 && rng_.chance(0.3))
      r.f.copay_ratio.reset();
    else if (!r.f.copay_ratio && rng_.chance(0.3))
      r.f.copay_ratio = 3;
  }
  return r;
}

GenRow Builder::render(Row r, std::string note) {
  GenRow g;
  // An empty cell is an absent value: never hand the model an empty text as "given".
  for (auto* t : {&r.f.name, &r.f.name_kana, &r.f.insured_name, &r.f.address, &r.f.postcode})
    if (*t && (*t)->empty()) t->reset();
  auto cell = [&](const char* col, std::string v) { g.cells.emplace_back(col, std::move(v)); };
  auto date = [&](const char* col, const std::optional<Day>& d) {
    if (d) cell(col, render_date(rng_, *d));
  };
  auto code = [&](const char* col, const std::optional<int>& v, int width) {
    if (v) cell(col, render_code(*v, width));
  };
  auto text = [&](const char* col, const std::optional<std::string>& v) {
    if (v) cell(col, *v);
  };
  static const std::vector<std::string> kAcquire = {"acquire", "取得", "ａｃｑｕｉｒｅ"};
  static const std::vector<std::string> kChange = {"change", "変更", "ｃｈａｎｇｅ"};
  static const std::vector<std::string> kLose = {"lose", "喪失", "ｌｏｓｅ"};
  const auto& words = r.kind == Kind::kAcquire  ? kAcquire
                      : r.kind == Kind::kChange ? kChange
                                                : kLose;
  cell("event", rng_.chance(0.7) ? words[0] : rng_.pick(words));
  std::string ins = r.insurer;
  const int it = rng_.uni(0, 9);
  if (it == 0) ins = fullwidth(ins);
  if (it == 1 && ins.size() == 6) ins = "00" + ins;
  if (it == 2) ins = ins.substr(0, 2) + "-" + ins.substr(2);
  cell("insurer_number", ins);
  if (!r.symbol.empty()) cell("symbol", r.symbol);
  cell("number", r.number);
  if (r.branch) {
    std::string b = *r.branch;
    if (b[0] == '0' && b != "00" && rng_.chance(0.3)) b = b.substr(1);
    if (rng_.chance(0.15)) b = fullwidth(b);
    cell("branch", b);
  }
  const Fields& f = r.f;
  code("relationship", f.relationship, 1);
  text("insured_name", f.insured_name);
  text("name", f.name);
  text("name_kana", f.name_kana);
  code("sex", f.sex, 1);
  date("birth_date", f.birth_date);
  text("address", f.address);
  if (f.postcode) {
    std::string p = *f.postcode;
    if (rng_.chance(0.4)) p = p.substr(0, 3) + p.substr(4);
    if (rng_.chance(0.15)) p = fullwidth(p);
    cell("postcode", p);
  }
  date("acquired_on", f.acquired_on);
  date("lost_on", f.lost_on);
  code("loss_reason", f.loss_reason, 2);
  date("card_issued_on", f.card_issued_on);
  date("card_valid_from", f.card_valid_from);
  date("card_valid_until", f.card_valid_until);
  code("copay_ratio", f.copay_ratio, 1);
  code("elderly_copay_ratio", f.elderly_copay_ratio, 1);
  date("elderly_valid_from", f.elderly_valid_from);
  date("elderly_valid_until", f.elderly_valid_until);
  if (f.limit_category) {
    std::string c = *f.limit_category;
    if (rng_.chance(0.15)) c = c.substr(0, 1) + fullwidth(c.substr(1));
    cell("limit_category", c);
  }
  date("limit_valid_from", f.limit_valid_from);
  date("limit_valid_until", f.limit_valid_until);
  code("specific_disease", f.specific_disease, 1);
  date("specific_disease_valid_from", f.disease_valid_from);
  date("specific_disease_valid_until", f.disease_valid_until);
  if (f.my_number) {
    std::string n = *f.my_number;
    if (rng_.chance(0.15)) n = fullwidth(n);
    cell("my_number", n);
  }
  date("changed_on", f.changed_on);
  g.row = std::move(r);
  g.note = std::move(note);
  return g;
}

void Builder::add(double t, Row row, std::string note) {
  const Fields& f = row.f;
  for (const auto& d :
       {f.birth_date, f.acquired_on, f.lost_on, f.card_valid_from, f.card_valid_until,
        f.elderly_valid_from, f.elderly_valid_until, f.limit_valid_from, f.limit_valid_until,
        f.disease_valid_from, f.disease_valid_until})
    if (d && *d > day_of(2010, 1, 1)) {
      interesting_.insert(*d);
      interesting_.insert(*d - 1);
      interesting_.insert(*d + 1);
    }
  timed_.push_back(Timed{t, render(retype(std::move(row)), std::move(note))});
}

// The rows of one member: periods with acquires, changes and loses in time order.
void Builder::plan_member(Member& m, Day start, std::optional<Day> must_lose, bool cross) {
  const int periods = cross ? 1 : rng_.pick(std::vector<int>{1, 1, 1, 2, 2, 3});
  Day a = std::max(start, m.person.birth + rng_.uni(0, 30));
  for (int k = 0; k < periods; ++k) {
    const bool last = k + 1 == periods;
    std::optional<Day> l;
    if (!last || rng_.chance(0.4)) l = a + rng_.uni(20, 1500);
    if (last && must_lose) l = std::max(*must_lose, a + 1);
    Row acq = base(Kind::kAcquire, m);
    acq.f = acquire_fields(m, a, l);
    const bool lost_in_acquire = acq.f.lost_on.has_value();
    add(a + rng_.uni(0, 10), acq, "acquire period " + std::to_string(k + 1));
    // Changes inside the period.
    const int nchanges = rng_.uni(0, 3);
    const Day span = l ? std::max(1, *l - a - 1) : 900;
    for (int c = 0; c < nchanges; ++c) {
      const Day t = a + rng_.uni(1, span);
      Row ch = base(Kind::kChange, m);
      if (rng_.chance(0.5)) ch.f.acquired_on = a;
      if (rng_.chance(0.35)) ch.f.changed_on = t;
      std::string what;
      const int kinds = rng_.uni(1, 2);
      for (int i = 0; i < kinds; ++i) {
        switch (rng_.uni(0, 15)) {
          case 0:
          case 1:
            ch.f.address = rng_.pick(kAddresses);
            if (rng_.chance(0.6)) ch.f.postcode = digits(rng_, 3) + "-" + digits(rng_, 4);
            what += " address";
            break;
          case 2: {
            const NamePart& fam = rng_.pick(kFamilies);
            const std::string given = m.person.name.substr(m.person.name.find(' ') + 1);
            const std::string gkana = m.person.kana.substr(m.person.kana.find(' ') + 1);
            m.person.name = std::string(fam.kanji) + " " + given;
            m.person.kana = std::string(fam.kana) + " " + gkana;
            ch.f.name = m.person.name;
            ch.f.name_kana = m.person.kana;
            what += " name";
            break;
          }
          case 3:
            ch.f.name_kana = typed_variant(rng_, m.person.kana, 400, 400);
            what += " kana retyped";
            break;
          case 4:
            ch.f.copay_ratio = rng_.uni(1, 3);
            what += " copay";
            break;
          case 5:
            ch.f.card_issued_on = t;
            ch.f.card_valid_from = t + rng_.uni(-3, 10);
            ch.f.card_valid_until = *ch.f.card_valid_from + rng_.uni(-2, 900);  // may be < from
            what += " card";
            break;
          case 6: {
            ch.f.elderly_copay_ratio = rng_.uni(2, 3);
            const Day d70 = birthday_at(m.person.birth, 70);
            ch.f.elderly_valid_from = rng_.chance(0.5) ? d70 + rng_.uni(-3, 35) : t;
            ch.f.elderly_valid_until = rng_.chance(0.5)
                                           ? birthday_at(m.person.birth, 75) - 1 + rng_.uni(-2, 2)
                                           : *ch.f.elderly_valid_from + rng_.uni(-2, 500);
            what += " elderly";
            break;
          }
          case 7:
            ch.f.limit_category = rng_.pick(kLimitCategories);
            ch.f.limit_valid_from = t + rng_.uni(-30, 30);
            ch.f.limit_valid_until = *ch.f.limit_valid_from + rng_.uni(-1, 365);
            what += " limit";
            break;
          case 8:
            ch.f.specific_disease = rng_.uni(1, 3);
            ch.f.disease_valid_from = t + rng_.uni(-30, 30);
            ch.f.disease_valid_until = *ch.f.disease_valid_from + rng_.uni(-1, 365);
            what += " disease";
            break;
          case 9:
            if (rng_.chance(0.5)) {
              m.person.birth += rng_.chance(0.5) ? rng_.uni(-400, -1) : rng_.uni(1, 60);
              ch.f.birth_date = m.person.birth;
              what += " birth correction";
            }
            break;
          case 10:
            if (!m.person.my_number || rng_.chance(0.2))
              m.person.my_number = core::make_my_number(digits(rng_, 11));
            ch.f.my_number = m.person.my_number;
            what += " my_number";
            break;
          case 11:
            if (rng_.chance(0.3)) {
              ch.f.relationship = m.relationship == 1 ? 2 : 1;
              what += " relationship";
            } else {
              ch.f.sex = rng_.uni(1, 3);
              what += " sex";
            }
            break;
          case 12:
            ch.f.insured_name = rng_.chance(0.5) ? m.insured_name : m.person.name;
            what += " insured_name";
            break;
          case 13:
            if (l && rng_.chance(0.5)) {
              ch.f.lost_on = std::max(a + 1, *l + rng_.uni(-20, 20));  // never an empty period
              ch.f.loss_reason = 99;
              what += " lost_on";
            } else {
              ch.f.loss_reason = 3;
              what += " loss_reason";
            }
            break;
          default: {
            // A change back to an earlier value (R-S3), with or without changed_on.
            ch.f.address = rng_.pick(kAddresses);
            Row back = ch;
            what += " address (and back later)";
            Row again = ch;
            back.f.address = rng_.pick(kAddresses);
            back.f.changed_on = std::nullopt;
            again.f.changed_on =
                rng_.chance(0.5) ? std::optional<Day>(t + 2) : std::optional<Day>(ch.f.changed_on);
            add(t + 0.5, back, "change address B");
            add(t + 0.7, again, "change address back to A");
            break;
          }
        }
      }
      if (ch.f.lost_on || ch.f.loss_reason || ch.f.address || ch.f.name || ch.f.name_kana ||
          ch.f.copay_ratio || ch.f.card_issued_on || ch.f.elderly_copay_ratio ||
          ch.f.limit_category || ch.f.specific_disease || ch.f.birth_date || ch.f.my_number ||
          ch.f.relationship || ch.f.sex || ch.f.insured_name)
        add(t, ch, "change" + what);
    }
    if (l && !lost_in_acquire) {
      Row lose = base(Kind::kLose, m);
      lose.f.lost_on = *l;
      lose.f.loss_reason = rng_.pick(std::vector<int>{3, 3, 99, 99, 1, 2});
      if (rng_.chance(0.5)) lose.f.acquired_on = a;
      if (rng_.chance(0.2)) lose.f.changed_on = *l;
      if (rng_.chance(0.15)) lose.f.address = rng_.pick(kAddresses);  // ignored (R-S2)
      if (rng_.chance(0.1)) lose.f.copay_ratio = 1;                   // ignored
      add(*l - rng_.uni(0, 20) - 0.5, lose, "lose period " + std::to_string(k + 1));
    }
    if (!l) break;
    a = *l + (rng_.chance(0.4) ? 0 : rng_.uni(1, 400));
  }
}

// Rows that break a rule or repeat an earlier one, at random places.
void Builder::add_noise() {
  std::vector<Timed> base_rows = timed_;
  if (base_rows.empty()) return;
  for (const Timed& x : base_rows) {
    if (!rng_.chance(0.12)) continue;
    const double t = x.t + rng_.uni(0, 800);
    if (rng_.chance(0.4))
      timed_.push_back(
          Timed{t, GenRow{x.row.row, x.row.cells, "re-send (identical) of: " + x.row.note}});
    else
      timed_.push_back(Timed{t, render(retype(x.row.row), "re-send (retyped) of: " + x.row.note)});
  }
  const int n = rng_.uni(0, 6);
  for (int i = 0; i < n; ++i) {
    const Timed& x = rng_.pick(base_rows);
    Row r = x.row.row;
    const double t = x.t + rng_.uni(1, 600);
    const Day a = r.f.acquired_on.value_or(day_of(2020, 4, 1));
    switch (rng_.uni(0, 10)) {
      case 0:  // the same period again, different content
        if (r.kind != Kind::kAcquire) break;
        r.f.address = rng_.pick(kAddresses);
        r.f.copay_ratio = rng_.uni(1, 3);
        add(t, r, "acquire of a registered period, different content");
        break;
      case 1:  // overlap
        if (r.kind != Kind::kAcquire) break;
        r.f.acquired_on = a + rng_.uni(1, 200);
        r.f.lost_on.reset();
        r.f.loss_reason.reset();
        add(t, r, "acquire overlapping a period");
        break;
      case 2:  // person conflict: other birth date or other My Number
        if (r.kind != Kind::kAcquire) break;
        r.f.acquired_on = a + rng_.uni(1500, 3000);
        r.f.lost_on.reset();
        r.f.loss_reason.reset();
        if (rng_.chance(0.5))
          r.f.birth_date = *r.f.birth_date - rng_.uni(1, 3000);
        else
          r.f.my_number = core::make_my_number(digits(rng_, 11));
        add(t + 3000, r, "acquire of another person under the member");
        break;
      case 3: {  // change / lose of a period that does not exist
        Row c;
        c.kind = rng_.chance(0.5) ? Kind::kChange : Kind::kLose;
        c.insurer = r.insurer;
        c.symbol = r.symbol;
        c.number = r.number;
        c.branch = r.branch;
        if (rng_.chance(0.5))
          c.f.acquired_on = a + rng_.uni(1, 30);
        else
          c.branch = "09";
        if (c.kind == Kind::kChange)
          c.f.address = rng_.pick(kAddresses);
        else {
          c.f.lost_on = a + rng_.uni(40, 400);
          c.f.loss_reason = 99;
        }
        add(t, c, "change/lose of a period that does not exist");
        break;
      }
      case 4: {  // lose before acquired_on
        Row c = r;
        c.kind = Kind::kLose;
        c.f = Fields{};
        if (rng_.chance(0.5)) c.f.acquired_on = a;
        c.f.lost_on = a - rng_.uni(1, 30);
        c.f.loss_reason = 3;
        add(t, c, "lose before the period started");
        break;
      }
      case 5: {  // birth date after an acquired_on (R-C4)
        Row c = r;
        c.kind = Kind::kChange;
        c.f = Fields{};
        c.f.birth_date = a + rng_.uni(1, 100);
        add(t, c, "birth date corrected to after acquired_on");
        break;
      }
      case 6: {  // lose extending over later periods
        Row c = r;
        c.kind = Kind::kLose;
        c.f = Fields{};
        c.f.acquired_on = a;
        c.f.lost_on = a + rng_.uni(1000, 3000);
        c.f.loss_reason = 99;
        add(t + 3000, c, "lose with a late lost_on (may overlap a later period)");
        break;
      }
      case 7: {  // unknown insurer
        Row c = r;
        c.insurer = h_.insurers.back().number;
        add(t, c, "row for an insurer not in the list");
        break;
      }
      case 8: {  // a look-alike symbol the document calls different
        Row c = r;
        auto d = different_variant(rng_, c.symbol.empty() ? c.number : c.symbol);
        if (!d) break;
        (c.symbol.empty() ? c.number : c.symbol) = *d;
        add(t, c, "row with a look-alike (different) symbol/number");
        break;
      }
      case 9: {  // inconsistent validity
        if (r.kind != Kind::kAcquire) break;
        r.f.acquired_on = a + rng_.uni(2000, 3000);
        r.f.card_valid_from = *r.f.acquired_on;
        r.f.card_valid_until = *r.f.acquired_on - rng_.uni(1, 10);
        add(t + 3000, r, "acquire with card validity ending before it starts");
        break;
      }
      default: {  // acquire with birth after acquired_on
        if (r.kind != Kind::kAcquire) break;
        r.f.birth_date = a + rng_.uni(1, 30);
        add(t, r, "acquire with birth date after acquired_on");
        break;
      }
    }
  }
}

void Builder::make_queries(int n) {
  std::vector<Day> days(interesting_.begin(), interesting_.end());
  for (const Member& m : members_) {
    for (int age : {70, 75}) {
      const Day b = birthday_at(m.person.birth, age);
      for (int d = -1; d <= 1; ++d) days.push_back(b + d);
    }
  }
  // Per card: the (branch, birth date) pairs its rows name.
  std::map<int, std::vector<std::pair<std::string, Day>>> members;
  for (const Timed& x : timed_) {
    for (std::size_t c = 0; c < cards_.size(); ++c) {
      const Card& card = cards_[c];
      if (match_key(card.number) != match_key(x.row.row.number) ||
          match_key(card.symbol) != match_key(x.row.row.symbol))
        continue;
      if (x.row.row.f.birth_date)
        members[static_cast<int>(c)].emplace_back(x.row.row.branch.value_or("00"),
                                                  *x.row.row.f.birth_date);
    }
  }
  for (int i = 0; i < n; ++i) {
    GenQuery g;
    const int ci = rng_.uni(0, static_cast<int>(cards_.size()) - 1);
    const Card& card = cards_[static_cast<std::size_t>(ci)];
    std::string insurer = h_.insurers[static_cast<std::size_t>(card.insurer)].number;
    std::string symbol = card.symbol, number = card.number;
    const int what = rng_.uni(0, 99);
    if (what < 6) {
      number = make_number(rng_);
      g.note = "unknown number";
    } else if (what < 10) {
      insurer = h_.insurers.back().number;
      g.note = "insurer not registered";
    } else if (what < 14) {
      insurer = h_.insurers[static_cast<std::size_t>(
                                rng_.uni(0, static_cast<int>(h_.insurers.size()) - 2))]
                    .number;
      g.note = "card under another insurer";
    } else if (what < 24) {
      if (!symbol.empty() && rng_.chance(0.5)) {
        if (auto d = different_variant(rng_, symbol)) symbol = *d;
      } else if (auto d = different_variant(rng_, number)) {
        number = *d;
      }
      g.note = "look-alike the document calls different";
    }
    g.symbol = typed_variant(rng_, symbol, 64, 64);
    g.number = typed_variant(rng_, number, 64, 64);
    if (match_key(g.number).empty()) g.number = "1";
    g.q.insurer = insurer;
    g.q.symbol = g.symbol;
    g.q.number = g.number;
    const int it = rng_.uni(0, 9);
    g.insurer_number = insurer;
    if (it == 0) g.insurer_number = fullwidth(insurer);
    if (it == 1 && insurer.size() == 6) g.insurer_number = "00" + insurer;
    const auto& known = members[ci];
    const bool have = !known.empty();
    const std::pair<std::string, Day> who =
        have ? rng_.pick(known)
             : std::pair<std::string, Day>{"00", rng_.pick(members_).person.birth};
    const int b = rng_.uni(0, 99);
    if (b < 45) {
      // no branch
    } else if (b < 88) {
      g.q.branch = who.first;
    } else {
      char br[16];
      std::snprintf(br, sizeof br, "%02d", rng_.uni(0, 5));
      g.q.branch = br;
    }
    if (g.q.branch) {
      g.branch = *g.q.branch;
      if (g.branch[0] == '0' && g.branch != "00" && rng_.chance(0.3)) g.branch = g.branch.substr(1);
      if (rng_.chance(0.15)) g.branch = fullwidth(g.branch);
    }
    const int bd = rng_.uni(0, 99);
    if (bd < 80)
      g.q.birth_date = who.second;
    else if (bd < 88)
      g.q.birth_date = who.second + (rng_.chance(0.5) ? 1 : -1);
    else if (bd < 94 && have)
      g.q.birth_date = rng_.pick(known).second;
    else
      g.q.birth_date = rng_.pick(members_).person.birth;
    g.birth_date = render_date(rng_, g.q.birth_date);
    g.q.as_of = rng_.chance(0.75) && !days.empty() ? rng_.pick(days) : random_day(rng_, 2016, 2028);
    if (rng_.chance(0.2))  // around the patient's 70th / 75th birthday (R-Q10)
      g.q.as_of = birthday_at(g.q.birth_date, rng_.chance(0.5) ? 70 : 75) + rng_.uni(-1, 1);
    g.as_of = rng_.chance(0.8) ? iso_of(g.q.as_of) : render_date(rng_, g.q.as_of);
    g.q.limit_consent = rng_.chance(0.5);
    g.q.disease_consent = rng_.chance(0.5);
    h_.queries.push_back(std::move(g));
  }
}

History Builder::build(int queries) {
  make_insurers();
  make_cards_and_members();
  // Cross-insurer links: some persons with a My Number also have a coverage under another
  // card (usually another insurer), starting around when the first one ends.
  const std::size_t own = members_.size();
  for (std::size_t i = 0; i < own; ++i) {
    Member& m = members_[i];
    const Day start = random_day(rng_, 2017, 2024);
    if (m.person.my_number && cards_.size() > 1 && rng_.chance(0.35)) {
      const Day switch_day = start + rng_.uni(100, 1200);
      plan_member(m, start, switch_day, false);
      Member other = m;
      int c = rng_.uni(0, static_cast<int>(cards_.size()) - 1);
      // Usually another card; sometimes another branch of the same card, linked by the same
      // My Number (one person under two branches, R-Q4 / R-Q5).
      if (c == m.card && rng_.chance(0.6)) c = (c + 1) % static_cast<int>(cards_.size());
      other.card = c;
      other.relationship = rng_.chance(0.5) ? 1 : 2;
      if (cards_[static_cast<std::size_t>(c)].branched)
        other.branch = "1" + std::to_string(rng_.uni(0, 9));
      else
        other.branch.reset();
      other.insured_name = m.person.name;
      const int gap = rng_.pick(std::vector<int>{0, 0, 1, 30, -10});
      plan_member(other, switch_day + gap, std::nullopt, true);
      members_.push_back(other);
    } else {
      plan_member(m, start, std::nullopt, false);
    }
  }
  add_noise();
  std::stable_sort(timed_.begin(), timed_.end(),
                   [](const Timed& a, const Timed& b) { return a.t < b.t; });
  // Split into loads.
  const int nloads = rng_.uni(1, 4);
  std::vector<std::size_t> cuts;
  for (int i = 1; i < nloads; ++i)
    cuts.push_back(static_cast<std::size_t>(rng_.uni(0, static_cast<int>(timed_.size()))));
  std::sort(cuts.begin(), cuts.end());
  std::size_t next = 0;
  Load load;
  load.layout_seed = rng_.next();
  for (std::size_t i = 0; i < timed_.size(); ++i) {
    while (next < cuts.size() && cuts[next] == i) {
      if (!load.rows.empty()) h_.loads.push_back(std::move(load));
      load = Load{};
      load.layout_seed = rng_.next();
      ++next;
    }
    load.rows.push_back(timed_[i].row);
  }
  if (!load.rows.empty()) h_.loads.push_back(std::move(load));
  make_queries(queries);
  return std::move(h_);
}

}  // namespace

History generate_history(std::uint64_t seed, int queries) {
  return Builder(seed).build(queries);
}

}  // namespace onshi::model
