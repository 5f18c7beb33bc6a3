#include "index/record_codec.hpp"

#include <cstring>

namespace onshi::index {
namespace {

enum Presence : std::uint16_t {
  kHasElderly = 1u << 12,
  kHasLimit = 1u << 13,
  kHasDisease = 1u << 14,
  kPersonPacked = 1u << 15,
};

enum Flag : std::uint8_t {
  kFlagPersonText = 1,      // a person key that is not 64 lowercase hex digits
  kFlagInsuredIsName = 2,   // insured_name == name (every 本人): not stored twice
  kFlagPostcodePacked = 4,  // "NNN-NNNN" as a 3-byte number
  kFlagWideCodes = 8,       // relationship or sex >= 16: one byte each further on
  kFlagBranchText = 16,     // branch not two ASCII digits: its 2 bytes as they are
};

constexpr std::int32_t kDayBase = -25568;  // 1899-12-31: 1900-01-01 is day 1
constexpr std::uint16_t kDayEscape = 0xFFFF;

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

// Person keys are 64 lowercase hex digits (HMAC-SHA256); kept as their 32 bytes.
bool pack_hex(std::string_view hex, char* out) {
  if (hex.size() != 64) return false;
  for (std::size_t i = 0; i < 32; ++i) {
    const int hi = hex_value(hex[2 * i]), lo = hex_value(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) return false;
    out[i] = static_cast<char>(hi * 16 + lo);
  }
  return true;
}

std::string unpack_hex(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out(bytes.size() * 2, '0');
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    const auto b = static_cast<unsigned char>(bytes[i]);
    out[2 * i] = kDigits[b >> 4];
    out[2 * i + 1] = kDigits[b & 15];
  }
  return out;
}

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

bool postcode_packable(std::string_view p, std::uint32_t& digits) {
  if (p.size() != 8 || p[3] != '-') return false;
  digits = 0;
  for (std::size_t i = 0; i < 8; ++i) {
    if (i == 3) continue;
    if (!is_digit(p[i])) return false;
    digits = digits * 10 + static_cast<std::uint32_t>(p[i] - '0');
  }
  return true;
}

std::uint64_t zigzag(int v) {
  return (static_cast<std::uint64_t>(static_cast<std::int64_t>(v)) << 1) ^
         static_cast<std::uint64_t>(static_cast<std::int64_t>(v) >> 63);
}
int unzigzag(std::uint64_t v) {
  return static_cast<int>(static_cast<std::int64_t>(v >> 1) ^ -static_cast<std::int64_t>(v & 1));
}

// Codes `text` straight into `out` behind a one-byte length, moved up in the rare case that
// the coded form is 128 bytes or longer (a longer varint). Through the dictionary's memo of
// `field`, or directly when -1: a person's own name and kana rarely repeat row to row.
void put_text(std::string& out, int field, std::string_view text, TextDictionary& dict) {
  const std::size_t at = out.size();
  out.push_back('\0');
  if (field < 0) {
    dict.encode(text, out);
  } else {
    dict.encode_field(field, text, out);
  }
  const std::size_t n = out.size() - at - 1;
  if (n < 0x80) {
    out[at] = static_cast<char>(n);
    return;
  }
  std::string len;
  put_varint(len, n);
  out.replace(at, 1, len);
}

void put_raw(std::string& out, std::string_view bytes) {
  put_varint(out, bytes.size());
  out.append(bytes);
}

std::string_view get_raw(const unsigned char*& p) {
  const auto n = static_cast<std::size_t>(get_varint(p));
  const std::string_view s(reinterpret_cast<const char*>(p), n);
  p += n;
  return s;
}

}  // namespace

void encode_record(const core::Coverage& c, std::uint32_t insurer, TextDictionary& dict,
                   std::string& out) {
  const core::Date dates[kDateCount] = {
      c.birth_date,
      c.acquired_on,
      c.lost_on,
      c.card_issued_on,
      c.card_valid_from,
      c.card_valid_until,
      c.elderly ? c.elderly->valid_from : core::Date{},
      c.elderly ? c.elderly->valid_until : core::Date{},
      c.self_pay_limit ? c.self_pay_limit->valid_from : core::Date{},
      c.self_pay_limit ? c.self_pay_limit->valid_until : core::Date{},
      c.specific_disease ? c.specific_disease->valid_from : core::Date{},
      c.specific_disease ? c.specific_disease->valid_until : core::Date{},
  };
  std::uint16_t presence = 0;
  for (int i = 0; i < kDateCount; ++i)
    if (dates[i].valid()) presence |= static_cast<std::uint16_t>(1u << i);
  if (c.elderly) presence |= kHasElderly;
  if (c.self_pay_limit) presence |= kHasLimit;
  if (c.specific_disease) presence |= kHasDisease;
  char packed[32];
  if (pack_hex(c.person_key, packed)) presence |= kPersonPacked;

  std::uint8_t flags = 0;
  if (!c.person_key.empty() && !(presence & kPersonPacked)) flags |= kFlagPersonText;
  if (c.insured_name == c.name) flags |= kFlagInsuredIsName;
  std::uint32_t postcode = 0;
  if (postcode_packable(c.postcode, postcode)) flags |= kFlagPostcodePacked;
  const auto rel = static_cast<std::uint8_t>(c.relationship);
  const auto sex = static_cast<std::uint8_t>(c.sex);
  const bool wide = rel >= 16 || sex >= 16;
  if (wide) flags |= kFlagWideCodes;
  // The index has always kept a branch as 2 characters ('0'-padded, as cards print it).
  const std::array<char, 2> branch = {c.key.branch.size() > 0 ? c.key.branch[0] : '0',
                                      c.key.branch.size() > 1 ? c.key.branch[1] : '0'};
  const bool branch_digits = is_digit(branch[0]) && is_digit(branch[1]);
  if (!branch_digits) flags |= kFlagBranchText;

  out.push_back(static_cast<char>(presence & 0xFF));
  out.push_back(static_cast<char>(presence >> 8));
  out.push_back(static_cast<char>(flags));
  out.push_back(static_cast<char>(wide ? 0 : (rel | sex << 4)));
  if (presence & kPersonPacked) out.append(packed, 32);
  put_varint(out, insurer);
  if (branch_digits) {
    out.push_back(static_cast<char>((branch[0] - '0') * 10 + (branch[1] - '0')));
  } else {
    out.append(branch.data(), 2);
  }
  out.push_back(static_cast<char>(c.loss_reason));
  put_varint(out, zigzag(c.copay_ratio));
  if (c.elderly) put_varint(out, zigzag(c.elderly->copay_ratio));
  if (c.specific_disease) put_varint(out, zigzag(c.specific_disease->disease));
  if (wide) {
    out.push_back(static_cast<char>(rel));
    out.push_back(static_cast<char>(sex));
  }
  for (int i = 0; i < kDateCount; ++i) {
    if (!dates[i].valid()) continue;
    const std::int64_t v = std::int64_t{dates[i].days()} - kDayBase;
    if (v >= 1 && v < kDayEscape) {
      out.push_back(static_cast<char>(v & 0xFF));
      out.push_back(static_cast<char>(v >> 8));
    } else {
      out.push_back(static_cast<char>(0xFF));
      out.push_back(static_cast<char>(0xFF));
      const std::int32_t d = dates[i].days();
      char raw[4];
      std::memcpy(raw, &d, 4);
      out.append(raw, 4);
    }
  }
  if (flags & kFlagPersonText) put_raw(out, c.person_key);
  put_text(out, 0, c.key.symbol, dict);
  put_text(out, 1, c.key.number, dict);
  put_text(out, -1, c.name, dict);
  put_text(out, -1, c.name_kana, dict);
  put_text(out, 4, c.address, dict);
  if (!(flags & kFlagInsuredIsName)) put_text(out, 5, c.insured_name, dict);
  if (c.self_pay_limit) put_text(out, 2, c.self_pay_limit->category, dict);
  if (flags & kFlagPostcodePacked) {
    out.push_back(static_cast<char>(postcode & 0xFF));
    out.push_back(static_cast<char>((postcode >> 8) & 0xFF));
    out.push_back(static_cast<char>(postcode >> 16));
  } else {
    put_raw(out, c.postcode);
  }
}

RecordView parse_record(const char* record) {
  const auto* p = reinterpret_cast<const unsigned char*>(record);
  RecordView v;
  const std::uint16_t presence = static_cast<std::uint16_t>(p[0] | p[1] << 8);
  const std::uint8_t flags = p[2];
  const std::uint8_t codes = p[3];
  p += 4;
  v.has_elderly = presence & kHasElderly;
  v.has_limit = presence & kHasLimit;
  v.has_disease = presence & kHasDisease;
  v.insured_is_name = flags & kFlagInsuredIsName;
  v.postcode_packed = flags & kFlagPostcodePacked;
  if (presence & kPersonPacked) {
    v.person_packed = true;
    v.person_key = std::string_view(reinterpret_cast<const char*>(p), 32);
    p += 32;
  }
  v.insurer = static_cast<std::uint32_t>(get_varint(p));
  if (flags & kFlagBranchText) {
    v.branch = {static_cast<char>(p[0]), static_cast<char>(p[1])};
    p += 2;
  } else {
    v.branch = {static_cast<char>('0' + p[0] / 10), static_cast<char>('0' + p[0] % 10)};
    p += 1;
  }
  v.loss_reason = static_cast<core::LossReason>(*p++);
  v.copay_ratio = unzigzag(get_varint(p));
  if (v.has_elderly) v.elderly_copay_ratio = unzigzag(get_varint(p));
  if (v.has_disease) v.disease = unzigzag(get_varint(p));
  if (flags & kFlagWideCodes) {
    v.relationship = static_cast<core::Relationship>(p[0]);
    v.sex = static_cast<core::Sex>(p[1]);
    p += 2;
  } else {
    v.relationship = static_cast<core::Relationship>(codes & 15);
    v.sex = static_cast<core::Sex>(codes >> 4);
  }
  for (int i = 0; i < kDateCount; ++i) {
    if (!(presence & (1u << i))) continue;
    const std::uint16_t d = static_cast<std::uint16_t>(p[0] | p[1] << 8);
    p += 2;
    if (d != kDayEscape) {
      v.dates[i] = core::Date::from_days(kDayBase + d);
    } else {
      std::int32_t days;
      std::memcpy(&days, p, 4);
      p += 4;
      v.dates[i] = core::Date::from_days(days);
    }
  }
  if (flags & kFlagPersonText) v.person_key = get_raw(p);
  v.symbol = get_raw(p);
  v.number = get_raw(p);
  v.name = get_raw(p);
  v.name_kana = get_raw(p);
  v.address = get_raw(p);
  if (!v.insured_is_name) v.insured_name = get_raw(p);
  if (v.has_limit) v.limit_category = get_raw(p);
  if (v.postcode_packed) {
    v.postcode_digits = std::uint32_t{p[0]} | std::uint32_t{p[1]} << 8 | std::uint32_t{p[2]} << 16;
  } else {
    v.postcode = get_raw(p);
  }
  return v;
}

std::string_view stored_person_key(const char* record) {
  const auto* p = reinterpret_cast<const unsigned char*>(record);
  if (p[1] & (kPersonPacked >> 8)) return std::string_view(record + 4, 32);
  if (!(p[2] & kFlagPersonText)) return {};
  return parse_record(record).person_key;
}

std::string decode_text(std::string_view coded, const TextDictionary& dict) {
  std::string out;
  dict.decode(coded, out);
  return out;
}

void append_postcode(const RecordView& v, std::string& out) {
  if (!v.postcode_packed) {
    out.append(v.postcode);
    return;
  }
  char text[8];
  std::uint32_t d = v.postcode_digits;
  for (int i = 7; i >= 0; --i) {
    if (i == 3) continue;
    text[i] = static_cast<char>('0' + d % 10);
    d /= 10;
  }
  text[3] = '-';
  out.append(text, 8);
}

core::AnswerRecord answer_record(const RecordView& v, std::int64_t id, const core::Insurer& insurer,
                                 const TextDictionary& dict) {
  using core::AnswerRecord;
  AnswerRecord r;
  r.id = id;
  r.relationship = v.relationship;
  r.sex = v.sex;
  r.birth_date = v.dates[kBirth];
  r.acquired_on = v.dates[kAcquired];
  r.lost_on = v.dates[kLost];
  r.loss_reason = v.loss_reason;
  r.card_issued_on = v.dates[kCardIssued];
  r.card_valid_from = v.dates[kCardFrom];
  r.card_valid_until = v.dates[kCardUntil];
  r.copay_ratio = v.copay_ratio;
  if (v.has_elderly)
    r.elderly = core::ElderlyRecipientTerms{v.elderly_copay_ratio, v.dates[kElderlyFrom],
                                            v.dates[kElderlyUntil]};
  if (v.has_limit)
    r.self_pay_limit = core::SelfPayLimitTerms{decode_text(v.limit_category, dict),
                                               v.dates[kLimitFrom], v.dates[kLimitUntil]};
  if (v.has_disease)
    r.specific_disease =
        core::SpecificDiseaseTerms{v.disease, v.dates[kDiseaseFrom], v.dates[kDiseaseUntil]};
  r.my_number_linked = !v.person_key.empty();
  // One buffer for every text: the coded bytes are a fair guess of the decoded size.
  r.reserve(insurer.number.size() + insurer.name.size() + 2 + 8 +
            2 * (v.symbol.size() + v.number.size() + v.name.size() + v.name_kana.size() +
                 v.address.size() + v.insured_name.size() + v.postcode.size()));
  r.set_text(AnswerRecord::kInsurerNumber, insurer.number);
  r.set_text(AnswerRecord::kInsurerName, insurer.name);
  r.set_text(AnswerRecord::kBranch, v.branch_view());
  const auto decoded = [&](AnswerRecord::Text t, std::string_view coded) {
    r.begin_text(t);
    dict.decode(coded, r.buffer());
    r.end_text(t);
  };
  decoded(AnswerRecord::kSymbol, v.symbol);
  decoded(AnswerRecord::kNumber, v.number);
  decoded(AnswerRecord::kName, v.name);
  decoded(AnswerRecord::kNameKana, v.name_kana);
  decoded(AnswerRecord::kAddress, v.address);
  if (v.insured_is_name)
    r.same_text(AnswerRecord::kInsuredName, AnswerRecord::kName);
  else
    decoded(AnswerRecord::kInsuredName, v.insured_name);
  r.begin_text(AnswerRecord::kPostcode);
  append_postcode(v, r.buffer());
  r.end_text(AnswerRecord::kPostcode);
  return r;
}

core::Coverage materialise_record(const RecordView& v, std::int64_t id,
                                  const std::string& insurer_number, const TextDictionary& dict) {
  core::Coverage c;
  c.id = id;
  c.key.insurer_number = insurer_number;
  c.key.symbol = decode_text(v.symbol, dict);
  c.key.number = decode_text(v.number, dict);
  c.key.branch = v.branch_view();
  c.relationship = v.relationship;
  c.name = decode_text(v.name, dict);
  c.insured_name = v.insured_is_name ? c.name : decode_text(v.insured_name, dict);
  c.name_kana = decode_text(v.name_kana, dict);
  c.sex = v.sex;
  c.birth_date = v.dates[kBirth];
  c.address = decode_text(v.address, dict);
  append_postcode(v, c.postcode);
  c.acquired_on = v.dates[kAcquired];
  c.lost_on = v.dates[kLost];
  c.loss_reason = v.loss_reason;
  c.card_issued_on = v.dates[kCardIssued];
  c.card_valid_from = v.dates[kCardFrom];
  c.card_valid_until = v.dates[kCardUntil];
  c.copay_ratio = v.copay_ratio;
  if (v.has_elderly)
    c.elderly = core::ElderlyRecipientTerms{v.elderly_copay_ratio, v.dates[kElderlyFrom],
                                            v.dates[kElderlyUntil]};
  if (v.has_limit)
    c.self_pay_limit = core::SelfPayLimitTerms{decode_text(v.limit_category, dict),
                                               v.dates[kLimitFrom], v.dates[kLimitUntil]};
  if (v.has_disease)
    c.specific_disease =
        core::SpecificDiseaseTerms{v.disease, v.dates[kDiseaseFrom], v.dates[kDiseaseUntil]};
  c.person_key = v.person_packed ? unpack_hex(v.person_key) : std::string(v.person_key);
  return c;
}

}  // namespace onshi::index
