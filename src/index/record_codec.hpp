#pragma once
// The byte encoding of one coverage inside the index (see docs/scale.md, "The compact index").
//
// A record is variable-length: what a coverage does not have takes no room (absent dates, the
// optional terms, an unlinked person key), and what repeats is coded:
//   u16 presence: bits 0-11 one per date present, 12 elderly terms, 13 self-pay limit,
//       14 specific disease, 15 person key as its 32 bytes (64 lowercase hex digits packed)
//   u8  flags (kFlag*), u8 relationship | sex << 4 (both < 16; else two bytes further on)
//   [32 bytes packed person key]
//   varint insurer slot, branch (1 byte "00".."99", else 2 raw bytes), loss reason byte,
//   zigzag copay [elderly copay] [disease], [relationship, sex bytes when wide]
//   each date present: u16 day number from 1899-12-31 (1900-01-01 = 1 .. 2079-06-05 = 65534),
//       else 0xFFFF and the i32 day number
//   [person key text when not packable: varint length + bytes]
//   dictionary-coded texts (TextDictionary), each varint length + code bytes: symbol, number,
//       name, name_kana, address, [insured_name unless equal to name], [limit category]
//   postcode: "NNN-NNNN" as 3 bytes (kFlagPostcodePacked), else varint length + bytes
// Every field round-trips exactly (tests/index/record_codec_test.cpp).
#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/answer_record.hpp"
#include "core/coverage.hpp"
#include "core/insurer.hpp"
#include "index/text_dictionary.hpp"

namespace onshi::index {

enum DateField : std::uint8_t {
  kBirth,
  kAcquired,
  kLost,
  kCardIssued,
  kCardFrom,
  kCardUntil,
  kElderlyFrom,
  kElderlyUntil,
  kLimitFrom,
  kLimitUntil,
  kDiseaseFrom,
  kDiseaseUntil,
  kDateCount
};

// A record parsed in place: texts stay coded (views into the record's bytes) until decoded.
struct RecordView {
  std::uint32_t insurer = 0;
  std::array<char, 2> branch{};
  core::Relationship relationship = core::Relationship::kInsured;
  core::Sex sex = core::Sex::kUnset;
  core::LossReason loss_reason = core::LossReason::kNone;
  int copay_ratio = 0;
  int elderly_copay_ratio = 0;
  int disease = 0;
  bool has_elderly = false, has_limit = false, has_disease = false;
  bool person_packed = false;  // person_key holds the 32 bytes of 64 hex digits
  bool insured_is_name = false;
  std::array<core::Date, kDateCount> dates{};
  std::string_view person_key;  // packed bytes or the text; "" when not linked
  std::string_view symbol, number, name, name_kana, address, insured_name, limit_category;
  bool postcode_packed = false;
  std::uint32_t postcode_digits = 0;
  std::string_view postcode;  // when not packed

  std::string_view branch_view() const { return {branch.data(), 2}; }
};

// Appends the encoding of `c` (under insurer slot `insurer`) to `out`. The id is not part of it.
void encode_record(const core::Coverage& c, std::uint32_t insurer, TextDictionary& dict,
                   std::string& out);
// Parses a record that encode_record wrote at `p`.
RecordView parse_record(const char* p);
// The person key of a record as parse_record gives it, without parsing the rest when packed.
std::string_view stored_person_key(const char* record);
// Decodes one coded text of a view.
std::string decode_text(std::string_view coded, const TextDictionary& dict);
// The record an answer shows, texts decoded into its one buffer; the id and insurer come from
// the index. A view into a record's bytes has no Coverage in between (issue 7, point 4).
core::AnswerRecord answer_record(const RecordView& v, std::int64_t id, const core::Insurer& insurer,
                                 const TextDictionary& dict);
// The postcode's text appended to `out`.
void append_postcode(const RecordView& v, std::string& out);
// The whole coverage back; the id and insurer number come from the index.
core::Coverage materialise_record(const RecordView& v, std::int64_t id,
                                  const std::string& insurer_number, const TextDictionary& dict);

}  // namespace onshi::index
