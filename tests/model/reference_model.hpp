#pragma once
// The independent reference model of docs/eligibility-rules.md: registration (R-*) and
// confirmation by insurance-card data (R-Q*), written from that document alone and kept
// deliberately simple — every applied period and every applied row's meaning in plain vectors,
// every query a scan over everything. It shares no code with src/ (own dates, own match_key):
// the differential test compares the two implementations of the same document.
//
// Readings of the document where it is not explicit are marked "Reading:" below and in
// reference_model.cpp.
#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace onshi::model {

// ---- Days (own proleptic Gregorian arithmetic) ----
using Day = std::int32_t;  // days since 1970-01-01
struct Ymd {
  int y = 0, m = 0, d = 0;
};
Day day_of(int y, int m, int d);
Ymd ymd_of(Day day);
std::string iso_of(Day day);
bool is_leap(int y);
int days_in_month(int y, int m);
// R-Q10: completed years; the age goes up on the birthday itself; a 29 February birthday
// counts on 1 March in other years.
int age_in_years(Day birth, Day on);

// ---- Text ----
std::string utf8(char32_t cp);
// Code points of valid UTF-8 (the generator's own texts); invalid bytes become U+FFFD.
std::u32string code_points(std::string_view text);
std::string from_code_points(const std::u32string& cps);
// N2, character by character.
std::string match_key(std::string_view text);
// The composed kana for base + voiced (semi = false) or semi-voiced mark; 0 when none.
char32_t compose_kana(char32_t base, bool semi);

// ---- Rows ----
enum class Kind { kAcquire, kChange, kLose };

// A row as the registry reads it: every value already parsed (dates as days, codes as
// numbers), texts exactly as written in the cell. nullopt = the cell is empty (absent).
struct Fields {
  std::optional<int> relationship;  // 1 本人, 2 家族
  std::optional<std::string> insured_name, name, name_kana;
  std::optional<int> sex;
  std::optional<Day> birth_date;
  std::optional<std::string> address;
  std::optional<std::string> postcode;  // canonical NNN-NNNN
  std::optional<Day> acquired_on, lost_on;
  std::optional<int> loss_reason;  // 1, 2, 3, 99
  std::optional<Day> card_issued_on, card_valid_from, card_valid_until;
  std::optional<int> copay_ratio;
  std::optional<int> elderly_copay_ratio;
  std::optional<Day> elderly_valid_from, elderly_valid_until;
  std::optional<std::string> limit_category;  // A01..A06, B01..B10
  std::optional<Day> limit_valid_from, limit_valid_until;
  std::optional<int> specific_disease;  // 1..3
  std::optional<Day> disease_valid_from, disease_valid_until;
  std::optional<std::string> my_number;  // 12 ASCII digits (stands for its keyed hash)
  std::optional<Day> changed_on;
};

struct Row {
  Kind kind = Kind::kAcquire;
  std::string insurer;                // canonical 6 or 8 digits
  std::string symbol;                 // as written (bytes)
  std::string number;                 // as written (bytes)
  std::optional<std::string> branch;  // canonical 2 digits; nullopt = no branch given
  Fields f;
};

// R-S2: the meaning of a row, as a string (equal strings = same meaning).
std::string meaning_of(const Row& row);

struct Outcome {
  enum class Kind { kApplied, kAlreadyApplied, kRejected };
  Kind kind = Kind::kApplied;
  std::string code;  // wire code when rejected: the first rule broken, in the document's order
  // Other rules the row also breaks, shown in reports; R-O1 says the first one is the answer.
  std::vector<std::string> alternatives;
  bool accepts(const std::string& real_code) const { return real_code == code; }
  bool operator==(const Outcome&) const = default;
};
std::string to_string(const Outcome& o);

struct InsurerInfo {
  std::string number;  // canonical
  std::string name;
};

struct Query {
  std::string insurer;                // canonical digits (the request's text parses to it)
  std::string symbol, number;         // as typed
  std::optional<std::string> branch;  // canonical 2 digits
  Day birth_date = 0;
  Day as_of = 0;
  bool limit_consent = false;
  bool disease_consent = false;
};

class Model {
 public:
  explicit Model(std::vector<InsurerInfo> insurers);
  Outcome apply(const Row& row);
  // The expected answer in the shape of api::encode_confirm_outcome, limited to what the
  // document decides: {validity, reason: {code} | null, notices: [{code}], record | null}.
  nlohmann::json confirm(const Query& q) const;

  struct Period {
    std::string insurer, symbol, number, symbol_key, number_key, branch;
    int relationship = 1;
    std::string insured_name, name, name_kana;
    int sex = 3;
    Day birth_date = 0;
    std::string address, postcode;
    Day acquired_on = 0;
    std::optional<Day> lost_on;
    std::optional<int> loss_reason;
    std::optional<Day> card_issued_on, card_valid_from, card_valid_until;
    int copay_ratio = 3;
    std::optional<int> elderly_copay_ratio;
    std::optional<Day> elderly_valid_from, elderly_valid_until;
    std::optional<std::string> limit_category;
    std::optional<Day> limit_valid_from, limit_valid_until;
    std::optional<int> specific_disease;
    std::optional<Day> disease_valid_from, disease_valid_until;
    std::string person_key;  // the My Number itself here ("" = not linked)
    bool in_force_on(Day d) const { return acquired_on <= d && (!lost_on || d < *lost_on); }
  };
  const std::vector<Period>& periods() const { return periods_; }

 private:
  bool same_member(const Period& p, const Row& r) const;
  std::vector<std::size_t> member_periods(const Row& r) const;
  nlohmann::json record_of(const Period& p, const Query& q) const;

  std::vector<InsurerInfo> insurers_;
  std::vector<Period> periods_;
  std::vector<std::string> applied_meanings_;
};

}  // namespace onshi::model
