#include "core/registration.hpp"

#include "core/identifiers.hpp"
#include "core/text_normalise.hpp"

namespace onshi::core {
namespace {

using F = RegistrationField;

constexpr std::array<std::string_view, kRegistrationFieldCount> kFieldNames{
    "event",
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
    "my_number",
    "changed_on",
};

constexpr std::size_t kMaxTextBytes = 400;  // longest name/address we keep, in UTF-8 bytes

Error field_error(ErrorCode code, F field, std::string_view why) {
  std::string detail = "field '";
  detail += field_name(field);
  detail += "': ";
  detail += why;
  return make_error(code, std::move(detail));
}

// Reads a date field if given. Returns false (and sets err) on a bad value.
bool read_date(const RegistrationRow& row, F field, Date& out, std::optional<Error>& err) {
  const auto& v = row[field];
  if (!v || v->empty()) return true;
  auto parsed = parse_date(*v);
  if (!parsed) {
    err = field_error(parsed.error().code, field, parsed.error().detail);
    return false;
  }
  out = *parsed;
  return true;
}

bool read_small_int(const RegistrationRow& row, F field, int lo, int hi, ErrorCode code, int& out,
                    std::optional<Error>& err) {
  const auto& v = row[field];
  if (!v || v->empty()) return true;
  const std::string d = digits_only(*v);
  if (d.empty() || d.size() > 3) {
    err = field_error(code, field, "must be a number");
    return false;
  }
  const int n = std::stoi(d);
  if (n < lo || n > hi) {
    err = field_error(code, field, "out of range");
    return false;
  }
  out = n;
  return true;
}

bool read_text(const RegistrationRow& row, F field, std::string& out, std::optional<Error>& err) {
  const auto& v = row[field];
  if (!v || v->empty()) return true;
  if (!is_valid_utf8(*v)) {
    err = field_error(ErrorCode::kFileEncoding, field, "not valid UTF-8");
    return false;
  }
  if (v->size() > kMaxTextBytes) {
    err = field_error(ErrorCode::kRowFieldInvalid, field, "too long");
    return false;
  }
  out = *v;
  return true;
}

std::optional<Error> check_period(F field, Date from, Date until) {
  if (from.valid() && until.valid() && until < from)
    return field_error(ErrorCode::kRowDatesInconsistent, field, "ends before it starts");
  return std::nullopt;
}

}  // namespace

std::string_view field_name(RegistrationField field) {
  return kFieldNames[static_cast<std::size_t>(field)];
}

std::optional<RegistrationField> field_from_name(std::string_view name) {
  for (std::size_t i = 0; i < kFieldNames.size(); ++i)
    if (kFieldNames[i] == name) return static_cast<RegistrationField>(i);
  return std::nullopt;
}

std::string registration_csv_header() {
  std::string header;
  for (std::size_t i = 0; i < kFieldNames.size(); ++i) {
    if (i) header += ',';
    header += kFieldNames[i];
  }
  return header;
}

std::string_view to_string(RegistrationEventKind kind) {
  switch (kind) {
    case RegistrationEventKind::kAcquire:
      return "acquire";
    case RegistrationEventKind::kChange:
      return "change";
    case RegistrationEventKind::kLose:
      return "lose";
  }
  return "";
}

Result<RegistrationEvent> validate_registration(const RegistrationRow& row) {
  RegistrationEvent ev;
  for (std::size_t i = 0; i < kRegistrationFieldCount; ++i)
    ev.given[i] = row.fields[i].has_value() && !row.fields[i]->empty();
  auto missing = [&](F f) {
    return field_error(ErrorCode::kRowFieldMissing, f, "required for this event");
  };

  // Event kind: English or the Japanese words insurers use.
  if (!ev.has(F::kEvent)) return missing(F::kEvent);
  const std::string kind = match_key(*row[F::kEvent]);
  if (kind == "ACQUIRE" || kind == "取得")
    ev.kind = RegistrationEventKind::kAcquire;
  else if (kind == "CHANGE" || kind == "変更")
    ev.kind = RegistrationEventKind::kChange;
  else if (kind == "LOSE" || kind == "喪失")
    ev.kind = RegistrationEventKind::kLose;
  else
    return field_error(ErrorCode::kRowEventUnknown, F::kEvent, "use acquire, change or lose");

  Coverage& c = ev.values;
  // The insured-card key is always required.
  if (!ev.has(F::kInsurerNumber)) return missing(F::kInsurerNumber);
  auto insurer = parse_insurer_number(*row[F::kInsurerNumber]);
  if (!insurer) return field_error(insurer.error().code, F::kInsurerNumber, insurer.error().detail);
  c.key.insurer_number = insurer->digits;
  if (!ev.has(F::kNumber)) return missing(F::kNumber);
  // Kept as written (N1): matching uses match_key, the answer shows the insurer's own text.
  c.key.number = *row[F::kNumber];
  if (!is_valid_utf8(c.key.number) || match_key(c.key.number).empty() || c.key.number.size() > 40)
    return field_error(ErrorCode::kInsuredNumberFormat, F::kNumber, "not a card number");
  if (ev.has(F::kSymbol)) {
    c.key.symbol = *row[F::kSymbol];
    if (c.key.symbol.size() > 60 || !is_valid_utf8(c.key.symbol))
      return field_error(ErrorCode::kSymbolTooLong, F::kSymbol, "at most 20 characters");
  }
  if (ev.has(F::kBranch)) {
    auto branch = parse_branch(*row[F::kBranch]);
    if (!branch) return field_error(branch.error().code, F::kBranch, branch.error().detail);
    c.key.branch = *branch;
  } else {
    c.key.branch = "00";
  }

  std::optional<Error> err;
  int relationship = 0, sex = 0, copay = 0, elderly_copay = 0, disease = 0;
  Date elderly_from, elderly_until, limit_from, limit_until, sd_from, sd_until;
  if (!read_small_int(row, F::kRelationship, 1, 2, ErrorCode::kRowRelationshipInvalid, relationship,
                      err) ||
      !read_small_int(row, F::kSex, 1, 3, ErrorCode::kRowSexInvalid, sex, err) ||
      !read_small_int(row, F::kCopayRatio, 1, 3, ErrorCode::kRowCopayRatioInvalid, copay, err) ||
      !read_small_int(row, F::kElderlyCopayRatio, 1, 3, ErrorCode::kRowCopayRatioInvalid,
                      elderly_copay, err) ||
      !read_small_int(row, F::kSpecificDisease, 1, 3, ErrorCode::kRowSpecificDiseaseInvalid,
                      disease, err) ||
      !read_date(row, F::kBirthDate, c.birth_date, err) ||
      !read_date(row, F::kAcquiredOn, c.acquired_on, err) ||
      !read_date(row, F::kLostOn, c.lost_on, err) ||
      !read_date(row, F::kCardIssuedOn, c.card_issued_on, err) ||
      !read_date(row, F::kCardValidFrom, c.card_valid_from, err) ||
      !read_date(row, F::kCardValidUntil, c.card_valid_until, err) ||
      !read_date(row, F::kElderlyValidFrom, elderly_from, err) ||
      !read_date(row, F::kElderlyValidUntil, elderly_until, err) ||
      !read_date(row, F::kLimitValidFrom, limit_from, err) ||
      !read_date(row, F::kLimitValidUntil, limit_until, err) ||
      !read_date(row, F::kSpecificDiseaseValidFrom, sd_from, err) ||
      !read_date(row, F::kSpecificDiseaseValidUntil, sd_until, err) ||
      !read_date(row, F::kChangedOn, ev.changed_on, err) ||
      !read_text(row, F::kInsuredName, c.insured_name, err) ||
      !read_text(row, F::kName, c.name, err) || !read_text(row, F::kNameKana, c.name_kana, err) ||
      !read_text(row, F::kAddress, c.address, err))
    return *err;
  if (relationship) c.relationship = static_cast<Relationship>(relationship);
  if (sex) c.sex = static_cast<Sex>(sex);
  if (copay) c.copay_ratio = copay;
  if (ev.has(F::kPostcode)) {
    auto pc = parse_postcode(*row[F::kPostcode]);
    if (!pc) return field_error(pc.error().code, F::kPostcode, pc.error().detail);
    c.postcode = *pc;
  }
  if (ev.has(F::kLossReason) &&
      !loss_reason_from_code(digits_only(*row[F::kLossReason]), c.loss_reason))
    return field_error(ErrorCode::kRowLossReasonInvalid, F::kLossReason, "use 01, 02, 03 or 99");
  // Validity dates without the code they belong to would be dropped silently: refuse them.
  if (!ev.has(F::kElderlyCopayRatio) &&
      (ev.has(F::kElderlyValidFrom) || ev.has(F::kElderlyValidUntil)))
    return missing(F::kElderlyCopayRatio);
  if (!ev.has(F::kLimitCategory) && (ev.has(F::kLimitValidFrom) || ev.has(F::kLimitValidUntil)))
    return missing(F::kLimitCategory);
  if (!ev.has(F::kSpecificDisease) &&
      (ev.has(F::kSpecificDiseaseValidFrom) || ev.has(F::kSpecificDiseaseValidUntil)))
    return missing(F::kSpecificDisease);
  if (ev.has(F::kElderlyCopayRatio))
    c.elderly = ElderlyRecipientTerms{elderly_copay, elderly_from, elderly_until};
  if (ev.has(F::kLimitCategory)) {
    const std::string cat = match_key(*row[F::kLimitCategory]);
    if (!is_valid_self_pay_limit_category(cat))
      return field_error(ErrorCode::kRowLimitCategoryInvalid, F::kLimitCategory,
                         "use A01..A06 or B01..B10");
    c.self_pay_limit = SelfPayLimitTerms{cat, limit_from, limit_until};
  }
  if (ev.has(F::kSpecificDisease))
    c.specific_disease = SpecificDiseaseTerms{disease, sd_from, sd_until};
  if (ev.has(F::kMyNumber)) {
    auto mn = parse_my_number(*row[F::kMyNumber]);
    if (!mn) return field_error(mn.error().code, F::kMyNumber, mn.error().detail);
    ev.my_number = *mn;
  }

  // What each kind needs.
  switch (ev.kind) {
    case RegistrationEventKind::kAcquire:
      for (F f : {F::kName, F::kSex, F::kBirthDate, F::kAcquiredOn, F::kRelationship})
        if (!ev.has(f)) return missing(f);
      break;
    case RegistrationEventKind::kChange:
      break;
    case RegistrationEventKind::kLose:
      for (F f : {F::kLostOn, F::kLossReason})
        if (!ev.has(f)) return missing(f);
      break;
  }
  if (c.birth_date.valid() && c.acquired_on.valid() && c.acquired_on < c.birth_date)
    return field_error(ErrorCode::kRowDatesInconsistent, F::kAcquiredOn, "before the birth date");
  if (c.acquired_on.valid() && c.lost_on.valid() && c.lost_on < c.acquired_on)
    return field_error(ErrorCode::kRowDatesInconsistent, F::kLostOn, "before the acquisition date");
  if (auto e = check_period(F::kCardValidUntil, c.card_valid_from, c.card_valid_until)) return *e;
  if (auto e = check_period(F::kElderlyValidUntil, elderly_from, elderly_until)) return *e;
  if (auto e = check_period(F::kLimitValidUntil, limit_from, limit_until)) return *e;
  if (auto e = check_period(F::kSpecificDiseaseValidUntil, sd_from, sd_until)) return *e;
  return ev;
}

std::string registration_fingerprint_text(const RegistrationEvent& ev) {
  const Coverage& c = ev.values;
  std::string t;
  t.reserve(256);
  // Length-prefixed, so that no text inside a field can shift the field boundaries.
  auto add = [&t](std::string_view s) {
    t += std::to_string(s.size());
    t += ':';
    t += s;
  };
  auto add_text = [&](std::string_view s) { add(match_key(s)); };
  auto add_int = [&](int n) { add(std::to_string(n)); };
  auto add_date = [&](Date d) { add(d.compact()); };
  // R-S2: the member and the event kind, then what the event does.
  add(to_string(ev.kind));
  add(c.key.insurer_number);
  add_text(c.key.symbol);
  add_text(c.key.number);
  add(c.key.branch);
  add_date(ev.changed_on);
  auto add_field = [&](F f) {
    add(field_name(f));
    switch (f) {
      case F::kRelationship:
        return add_int(static_cast<int>(c.relationship));
      case F::kInsuredName:
        return add_text(c.insured_name);
      case F::kName:
        return add_text(c.name);
      case F::kNameKana:
        return add_text(c.name_kana);
      case F::kSex:
        return add_int(static_cast<int>(c.sex));
      case F::kBirthDate:
        return add_date(c.birth_date);
      case F::kAddress:
        return add_text(c.address);
      case F::kPostcode:
        return add(c.postcode);
      case F::kAcquiredOn:
        return add_date(c.acquired_on);
      case F::kLostOn:
        return add_date(c.lost_on);
      case F::kLossReason:
        return add(to_string(c.loss_reason));
      case F::kCardIssuedOn:
        return add_date(c.card_issued_on);
      case F::kCardValidFrom:
        return add_date(c.card_valid_from);
      case F::kCardValidUntil:
        return add_date(c.card_valid_until);
      case F::kCopayRatio:
        return add_int(c.copay_ratio);
      case F::kElderlyCopayRatio:
        return add_int(c.elderly ? c.elderly->copay_ratio : 0);
      case F::kElderlyValidFrom:
        return add_date(c.elderly ? c.elderly->valid_from : Date{});
      case F::kElderlyValidUntil:
        return add_date(c.elderly ? c.elderly->valid_until : Date{});
      case F::kLimitCategory:
        return add(c.self_pay_limit ? c.self_pay_limit->category : "");
      case F::kLimitValidFrom:
        return add_date(c.self_pay_limit ? c.self_pay_limit->valid_from : Date{});
      case F::kLimitValidUntil:
        return add_date(c.self_pay_limit ? c.self_pay_limit->valid_until : Date{});
      case F::kSpecificDisease:
        return add_int(c.specific_disease ? c.specific_disease->disease : 0);
      case F::kSpecificDiseaseValidFrom:
        return add_date(c.specific_disease ? c.specific_disease->valid_from : Date{});
      case F::kSpecificDiseaseValidUntil:
        return add_date(c.specific_disease ? c.specific_disease->valid_until : Date{});
      case F::kMyNumber:
        return add(c.person_key);
      default:
        return;
    }
  };
  // The columns that carry a value of the coverage (key, selector and changed_on are added
  // above); a term's dates are columns of their own, as in apply_registration.
  static constexpr F kValueFields[] = {F::kRelationship,
                                       F::kInsuredName,
                                       F::kName,
                                       F::kNameKana,
                                       F::kSex,
                                       F::kBirthDate,
                                       F::kAddress,
                                       F::kPostcode,
                                       F::kAcquiredOn,
                                       F::kLostOn,
                                       F::kLossReason,
                                       F::kCardIssuedOn,
                                       F::kCardValidFrom,
                                       F::kCardValidUntil,
                                       F::kCopayRatio,
                                       F::kElderlyCopayRatio,
                                       F::kElderlyValidFrom,
                                       F::kElderlyValidUntil,
                                       F::kLimitCategory,
                                       F::kLimitValidFrom,
                                       F::kLimitValidUntil,
                                       F::kSpecificDisease,
                                       F::kSpecificDiseaseValidFrom,
                                       F::kSpecificDiseaseValidUntil,
                                       F::kMyNumber};
  switch (ev.kind) {
    case RegistrationEventKind::kAcquire:
      // Every value, after defaults: an explicit default and an empty cell mean the same.
      for (F f : kValueFields) add_field(f);
      break;
    case RegistrationEventKind::kChange:
      // Which values it sets; acquired_on only selects the period.
      add(ev.has(F::kAcquiredOn) ? c.acquired_on.compact() : "latest");
      for (F f : kValueFields)
        if (f != F::kAcquiredOn && ev.has(f)) add_field(f);
      break;
    case RegistrationEventKind::kLose:
      add(ev.has(F::kAcquiredOn) ? c.acquired_on.compact() : "latest");
      add_field(F::kLostOn);
      add_field(F::kLossReason);
      break;
  }
  return t;
}

}  // namespace onshi::core
