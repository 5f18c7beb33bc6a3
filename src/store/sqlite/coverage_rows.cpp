#include "store/sqlite/coverage_rows.hpp"

#include <chrono>
#include <cstdio>
#include <ctime>

#include "store/store.hpp"

namespace onshi::store::sqlite {
namespace {

// The values of symbol_key and number_key for insert row `r`: derived from the same parameters
// as symbol and number, so they can never disagree with them.
std::string derived_keys_sql(int r) {
  return "onshi_match_key(?" + std::to_string(row_base(r) + kSymbol) + "),onshi_match_key(?" +
         std::to_string(row_base(r) + kNumber) + ")";
}

}  // namespace

// The bulk statements say OR ROLLBACK: a constraint failure ends the whole transaction, which
// commit_load would do anyway, and SQLite then keeps no statement journal to undo a half-run
// statement (with the deferred foreign keys of migration 1: ~20% of the load path).
std::string coverage_insert_sql(int rows) {
  std::string sql = "INSERT OR ROLLBACK INTO coverages (";
  for (const char* c : kCovColNames) sql += std::string(c) + ',';
  sql += "id) VALUES ";
  for (int r = 0; r < rows; ++r) {
    sql += r == 0 ? "(" : ",(";
    for (int i = kInsurerNumber; i <= kPersonKey; ++i)
      sql += '?' + std::to_string(row_base(r) + i) + ',';
    sql += derived_keys_sql(r) + ",?1,?2,?" + std::to_string(row_base(r) + kRowParams) + ')';
  }
  return sql;
}

std::string coverage_update_sql() {
  std::string sql = "UPDATE OR ROLLBACK coverages SET ";
  for (int i = kInsurerNumber; i <= kPersonKey; ++i)
    sql += std::string(kCovColNames[i - 1]) + "=?" + std::to_string(row_base(0) + i) + ',';
  sql += "symbol_key=onshi_match_key(?" + std::to_string(row_base(0) + kSymbol) + "),";
  sql += "number_key=onshi_match_key(?" + std::to_string(row_base(0) + kNumber) + "),";
  return sql + "load_id=?1,updated_at=?2 WHERE id=?" + std::to_string(row_base(0) + kRowParams);
}

std::string coverage_select_sql(std::string_view rest) {
  std::string sql = "SELECT id";
  for (const char* c : kCovColNames) sql += std::string(",") + c;
  sql += " FROM coverages ";
  return sql += rest;
}

// ?1 is the load id, shared by every row.
std::string event_insert_sql(int rows) {
  std::string sql = "INSERT OR ROLLBACK INTO applied_events (event_hash, load_id) VALUES ";
  for (int r = 0; r < rows; ++r) sql += (r == 0 ? "(?" : ",(?") + std::to_string(r + 2) + ",?1)";
  return sql + " ON CONFLICT (event_hash) DO NOTHING";
}

// ISO-8601 UTC with milliseconds: sorts as text and reads naturally in the shell.
std::string now_utc_text() {
  const auto now = std::chrono::system_clock::now();
  const auto ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count();
  const std::time_t secs = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[80];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<int>(ms % 1000));
  return buf;
}

// Binds a row's own columns at parameters base+kInsurerNumber .. base+kPersonKey.
void bind_coverage(Stmt& s, int base, const core::Coverage& c, DateTexts& dates) {
  s.bind(base + kInsurerNumber, c.key.insurer_number);
  s.bind(base + kSymbol, c.key.symbol);
  s.bind(base + kNumber, c.key.number);
  s.bind(base + kBranch, c.key.branch);
  s.bind(base + kRelationship, static_cast<std::int64_t>(c.relationship));
  s.bind(base + kInsuredName, c.insured_name);
  s.bind(base + kName, c.name);
  s.bind(base + kNameKana, c.name_kana);
  s.bind(base + kSex, static_cast<std::int64_t>(c.sex));
  dates.bind(s, base + kBirthDate, c.birth_date);
  s.bind(base + kAddress, c.address);
  s.bind(base + kPostcode, c.postcode);
  dates.bind(s, base + kAcquiredOn, c.acquired_on);
  dates.bind(s, base + kLostOn, c.lost_on);
  s.bind(base + kLossReason, static_cast<std::int64_t>(c.loss_reason));
  dates.bind(s, base + kCardIssuedOn, c.card_issued_on);
  dates.bind(s, base + kCardValidFrom, c.card_valid_from);
  dates.bind(s, base + kCardValidUntil, c.card_valid_until);
  s.bind(base + kCopayRatio, static_cast<std::int64_t>(c.copay_ratio));
  if (c.elderly) {
    s.bind(base + kElderlyCopayRatio, static_cast<std::int64_t>(c.elderly->copay_ratio));
    dates.bind(s, base + kElderlyValidFrom, c.elderly->valid_from);
    dates.bind(s, base + kElderlyValidUntil, c.elderly->valid_until);
  } else {
    s.bind_null(base + kElderlyCopayRatio);
    s.bind_null(base + kElderlyValidFrom);
    s.bind_null(base + kElderlyValidUntil);
  }
  if (c.self_pay_limit) {
    s.bind(base + kLimitCategory, c.self_pay_limit->category);
    dates.bind(s, base + kLimitValidFrom, c.self_pay_limit->valid_from);
    dates.bind(s, base + kLimitValidUntil, c.self_pay_limit->valid_until);
  } else {
    s.bind_null(base + kLimitCategory);
    s.bind_null(base + kLimitValidFrom);
    s.bind_null(base + kLimitValidUntil);
  }
  if (c.specific_disease) {
    s.bind(base + kSpecificDisease, static_cast<std::int64_t>(c.specific_disease->disease));
    dates.bind(s, base + kSpecificDiseaseValidFrom, c.specific_disease->valid_from);
    dates.bind(s, base + kSpecificDiseaseValidUntil, c.specific_disease->valid_until);
  } else {
    s.bind_null(base + kSpecificDisease);
    s.bind_null(base + kSpecificDiseaseValidFrom);
    s.bind_null(base + kSpecificDiseaseValidUntil);
  }
  s.bind(base + kPersonKey, c.person_key);
}

// Reads back exactly the 'YYYY-MM-DD' this store writes; Date::from_ymd rejects what is not a
// calendar day in the supported years. Not core::parse_date_strict: that builds its error text
// with snprintf before it knows whether there is an error (~1,500 instructions a call), and a
// start-up index rebuild reads nine dates for each of millions of rows.
std::optional<core::Date> date_from_text(std::string_view t) {
  if (t.size() != 10 || t[4] != '-' || t[7] != '-') return std::nullopt;
  int v[3] = {0, 0, 0};
  int part = 0;
  for (std::size_t i = 0; i < t.size(); ++i) {
    if (i == 4 || i == 7) {
      ++part;
      continue;
    }
    if (t[i] < '0' || t[i] > '9') return std::nullopt;
    v[part] = v[part] * 10 + (t[i] - '0');
  }
  const core::Date d = core::Date::from_ymd(v[0], v[1], v[2]);
  if (!d.valid()) return std::nullopt;
  return d;
}

core::Date date_at(const Stmt& s, int col, std::int64_t id) {
  if (s.is_null(col)) return {};
  const auto d = date_from_text(s.text_view_at(col));
  // Only a hand-edited file gets here; naming the row and column (never the value) lets an
  // operator find it without the error carrying personal data.
  if (!d)
    throw StoreError("sqlite: coverages row " + std::to_string(id) + ": " + kCovColNames[col - 1] +
                     " is not a YYYY-MM-DD date");
  return *d;
}

int int_at(const Stmt& s, int col) {
  return static_cast<int>(s.int_at(col));
}

void read_coverage(const Stmt& s, core::Coverage& c) {
  c.id = s.int_at(0);
  const std::int64_t id = c.id;
  c.key.insurer_number = s.text_view_at(kInsurerNumber);
  c.key.symbol = s.text_view_at(kSymbol);
  c.key.number = s.text_view_at(kNumber);
  c.key.branch = s.text_view_at(kBranch);
  c.relationship = static_cast<core::Relationship>(s.int_at(kRelationship));
  c.insured_name = s.text_view_at(kInsuredName);
  c.name = s.text_view_at(kName);
  c.name_kana = s.text_view_at(kNameKana);
  c.sex = static_cast<core::Sex>(s.int_at(kSex));
  c.birth_date = date_at(s, kBirthDate, id);
  c.address = s.text_view_at(kAddress);
  c.postcode = s.text_view_at(kPostcode);
  c.acquired_on = date_at(s, kAcquiredOn, id);
  c.lost_on = date_at(s, kLostOn, id);
  c.loss_reason = static_cast<core::LossReason>(s.int_at(kLossReason));
  c.card_issued_on = date_at(s, kCardIssuedOn, id);
  c.card_valid_from = date_at(s, kCardValidFrom, id);
  c.card_valid_until = date_at(s, kCardValidUntil, id);
  c.copay_ratio = int_at(s, kCopayRatio);
  if (s.is_null(kElderlyCopayRatio)) {
    c.elderly.reset();
  } else {
    c.elderly = core::ElderlyRecipientTerms{int_at(s, kElderlyCopayRatio),
                                            date_at(s, kElderlyValidFrom, id),
                                            date_at(s, kElderlyValidUntil, id)};
  }
  if (s.is_null(kLimitCategory)) {
    c.self_pay_limit.reset();
  } else {
    c.self_pay_limit =
        core::SelfPayLimitTerms{std::string(s.text_view_at(kLimitCategory)),
                                date_at(s, kLimitValidFrom, id), date_at(s, kLimitValidUntil, id)};
  }
  if (s.is_null(kSpecificDisease)) {
    c.specific_disease.reset();
  } else {
    c.specific_disease = core::SpecificDiseaseTerms{int_at(s, kSpecificDisease),
                                                    date_at(s, kSpecificDiseaseValidFrom, id),
                                                    date_at(s, kSpecificDiseaseValidUntil, id)};
  }
  c.person_key = s.text_view_at(kPersonKey);
}

}  // namespace onshi::store::sqlite
