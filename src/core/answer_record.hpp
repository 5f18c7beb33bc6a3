#pragma once
// The record a confirmation answers with (資格情報 as the desk sees it on the as-of date): the
// answer's fields only, its texts decoded once into one buffer. The index builds it straight
// from its compact bytes, so that answering allocates one text buffer instead of the dozen
// strings of a core::Coverage (issue 7, point 4); adapters encode it as it is.
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/coverage.hpp"
#include "core/date.hpp"

namespace onshi::core {

class AnswerRecord {
 public:
  // The texts of an answer, in the order they are stored.
  enum Text : std::uint8_t {
    kInsurerNumber,
    kInsurerName,
    kSymbol,
    kNumber,
    kBranch,
    kName,
    kNameKana,
    kInsuredName,
    kAddress,
    kPostcode,
    kTextCount
  };

  std::int64_t id = 0;  // the coverage's (the access record names it)
  Relationship relationship = Relationship::kInsured;
  Sex sex = Sex::kUnset;
  Date birth_date;
  Date acquired_on;
  Date lost_on;
  LossReason loss_reason = LossReason::kNone;
  Date card_issued_on;
  Date card_valid_from;
  Date card_valid_until;
  int copay_ratio = 3;
  std::optional<ElderlyRecipientTerms> elderly;
  std::optional<SelfPayLimitTerms> self_pay_limit;
  std::optional<SpecificDiseaseTerms> specific_disease;
  bool my_number_linked = false;  // the insurer linked a person key (紐付け); never the key

  std::string_view text(Text t) const {
    return std::string_view(texts_).substr(spans_[t].at, spans_[t].size);
  }
  std::string_view insurer_number() const { return text(kInsurerNumber); }
  std::string_view insurer_name() const { return text(kInsurerName); }
  std::string_view symbol() const { return text(kSymbol); }
  std::string_view number() const { return text(kNumber); }
  std::string_view branch() const { return text(kBranch); }
  std::string_view name() const { return text(kName); }
  std::string_view name_kana() const { return text(kNameKana); }
  std::string_view insured_name() const { return text(kInsuredName); }
  std::string_view address() const { return text(kAddress); }
  std::string_view postcode() const { return text(kPostcode); }

  // Building, one text at a time: begin_text(t), append its bytes to buffer(), end_text(t).
  // A text set again replaces the old one (whose bytes stay in the buffer unused).
  void reserve(std::size_t bytes) { texts_.reserve(bytes); }
  std::string& buffer() { return texts_; }
  void begin_text(Text t) { spans_[t].at = static_cast<std::uint32_t>(texts_.size()); }
  void end_text(Text t) {
    spans_[t].size = static_cast<std::uint32_t>(texts_.size() - spans_[t].at);
  }
  void same_text(Text t, Text as) { spans_[t] = spans_[as]; }  // 本人: insured_name is name
  void set_text(Text t, std::string_view value) {
    begin_text(t);
    texts_.append(value);
    end_text(t);
  }

 private:
  struct Span {
    std::uint32_t at = 0, size = 0;
  };
  std::string texts_;  // offsets, not views: a moved short string moves its bytes
  std::array<Span, kTextCount> spans_{};
};

// The answer record of a registered coverage under an insurer of that name; insured_name as
// registered (the index settles it per R-Q9). For the reference model and tests.
AnswerRecord answer_record_of(const Coverage& c, std::string_view insurer_name);

// Field by field, texts by value.
bool operator==(const AnswerRecord& a, const AnswerRecord& b);

}  // namespace onshi::core
