#include "index/eligibility_index.hpp"

#include <array>
#include <cstring>
#include <mutex>

#include "core/text_normalise.hpp"

namespace onshi::index {
namespace {

constexpr std::uint32_t kNil = UINT32_MAX;

std::uint64_t fnv1a(std::string_view s, std::uint64_t h = 1469598103934665603ULL) {
  for (unsigned char ch : s) {
    h ^= ch;
    h *= 1099511628211ULL;
  }
  return h;
}

std::uint64_t group_hash(std::string_view insurer, std::string_view symbol_key,
                         std::string_view number_key) {
  std::uint64_t h = fnv1a(insurer);
  h = fnv1a(std::string_view("\x1f", 1), h);
  h = fnv1a(symbol_key, h);
  h = fnv1a(std::string_view("\x1f", 1), h);
  h = fnv1a(number_key, h);
  return h | 1;  // 0 marks an empty table cell
}

// The strings of one record, in blob order.
enum Text : std::uint8_t {
  kSymbol,
  kNumber,
  kInsuredName,
  kName,
  kNameKana,
  kAddress,
  kPostcode,
  kPersonKey,
  kLimitCategory,
  kTextCount
};

// The dates of one record as day numbers.
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

enum Flag : std::uint8_t { kHasElderly = 1, kHasLimit = 2, kHasDisease = 4, kPersonKeyPacked = 8 };

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

// Person keys are 64 lowercase hex digits (HMAC-SHA256); kept as their 32 bytes, half the size.
bool pack_hex(std::string_view hex, std::string& out) {
  if (hex.size() != 64) return false;
  out.resize(32);
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

}  // namespace

struct EligibilityIndex::Slot {
  std::uint64_t group = 0;
  std::uint64_t person = 0;  // 0: not linked to a My Number
  std::int64_t id = 0;
  std::uint32_t next_in_group = kNil;
  std::uint32_t next_in_person = kNil;
  std::uint32_t insurer = 0;
  std::array<std::int32_t, kDateCount> dates{};
  std::uint8_t relationship = 1, sex = 3, loss_reason = 0, copay = 3, elderly_copay = 0,
               disease = 0, flags = 0;
  std::array<char, 2> branch{};
  const char* blob = nullptr;  // kTextCount uint16 lengths, then the bytes

  std::string_view text(Text t) const {
    std::array<std::uint16_t, kTextCount> len;
    std::memcpy(len.data(), blob, sizeof len);
    std::size_t off = sizeof len;
    for (int i = 0; i < t; ++i) off += len[i];
    return {blob + off, len[t]};
  }
  core::Date date(DateField f) const { return core::Date::from_days(dates[f]); }
  std::string_view branch_view() const { return {branch.data(), 2}; }
};

// Open addressing from a 64-bit hash to the first slot of a chain. Distinct keys whose hashes
// collide share a chain; readers check the real fields, so a collision costs time, not truth.
class EligibilityIndex::HeadTable {
 public:
  std::uint32_t* find(std::uint64_t h) {
    if (keys_.empty()) return nullptr;
    for (std::size_t i = h & mask_;; i = (i + 1) & mask_) {
      if (keys_[i] == h) return &heads_[i];
      if (keys_[i] == 0) return nullptr;
    }
  }
  const std::uint32_t* find(std::uint64_t h) const { return const_cast<HeadTable*>(this)->find(h); }
  std::uint32_t& at(std::uint64_t h) {
    if ((used_ + 1) * 2 > keys_.size()) grow();
    std::size_t i = h & mask_;
    for (; keys_[i] != 0; i = (i + 1) & mask_)
      if (keys_[i] == h) return heads_[i];
    keys_[i] = h;
    heads_[i] = kNil;
    ++used_;
    return heads_[i];
  }
  std::size_t bytes() const { return keys_.capacity() * 8 + heads_.capacity() * 4; }

 private:
  void grow() {
    std::vector<std::uint64_t> keys(std::max<std::size_t>(1024, keys_.size() * 2), 0);
    std::vector<std::uint32_t> heads(keys.size(), kNil);
    const std::size_t mask = keys.size() - 1;
    for (std::size_t j = 0; j < keys_.size(); ++j) {
      if (keys_[j] == 0) continue;
      std::size_t i = keys_[j] & mask;
      while (keys[i] != 0) i = (i + 1) & mask;
      keys[i] = keys_[j];
      heads[i] = heads_[j];
    }
    keys_.swap(keys);
    heads_.swap(heads);
    mask_ = mask;
  }
  std::vector<std::uint64_t> keys_;
  std::vector<std::uint32_t> heads_;
  std::size_t mask_ = 0;
  std::size_t used_ = 0;
};

// Append-only storage for record strings: no per-record allocation. A replaced record's old
// blob stays until the next rebuild (updates are rare next to reads).
class EligibilityIndex::Arena {
 public:
  char* allocate(std::size_t n) {
    if (chunks_.empty() || used_ + n > kChunk) {
      const std::size_t size = std::max(kChunk, n);
      chunks_.push_back(std::make_unique<char[]>(size));
      used_ = 0;
      total_ += size;
    }
    char* p = chunks_.back().get() + used_;
    used_ += n;
    return p;
  }
  std::size_t bytes() const { return total_; }

 private:
  static constexpr std::size_t kChunk = 1 << 20;
  std::vector<std::unique_ptr<char[]>> chunks_;
  std::size_t used_ = 0;
  std::size_t total_ = 0;
};

EligibilityIndex::EligibilityIndex()
    : groups_(std::make_unique<HeadTable>()),
      persons_(std::make_unique<HeadTable>()),
      arena_(std::make_unique<Arena>()) {}
EligibilityIndex::~EligibilityIndex() = default;

void EligibilityIndex::upsert_insurers(std::span<const core::Insurer> insurers) {
  std::unique_lock lock(mutex_);
  for (const auto& ins : insurers) insurers_[insurer_slot(ins.number)] = ins;
}

std::uint32_t EligibilityIndex::insurer_slot(const std::string& number) {
  auto [it, inserted] =
      insurer_by_number_.try_emplace(number, static_cast<std::uint32_t>(insurers_.size()));
  if (inserted) insurers_.push_back(core::Insurer{number, "", {}, 0});
  return it->second;
}

void EligibilityIndex::upsert(std::span<const core::Coverage> coverages) {
  std::unique_lock lock(mutex_);
  for (const auto& c : coverages) place(c);
}

namespace {
// Removes slot `s` from the chain starting at `head`.
template <typename Next>
void unlink(std::uint32_t* head, std::uint32_t s, Next next) {
  if (!head) return;
  for (std::uint32_t* p = head; *p != kNil; p = &next(*p))
    if (*p == s) {
      *p = next(s);
      return;
    }
}
}  // namespace

void EligibilityIndex::place(const core::Coverage& c) {
  const auto id = static_cast<std::size_t>(c.id);
  if (slot_of_id_.size() <= id)
    slot_of_id_.resize(std::max(id + 1, slot_of_id_.size() * 3 / 2), kNil);
  std::uint32_t s = slot_of_id_[id];
  if (s == kNil) {
    s = static_cast<std::uint32_t>(slots_.size());
    slots_.emplace_back();
    slot_of_id_[id] = s;
  } else {
    // Replacing: take the old slot out of its chains first (its key may have changed).
    unlink(groups_->find(slots_[s].group), s,
           [this](std::uint32_t i) -> std::uint32_t& { return slots_[i].next_in_group; });
    if (slots_[s].person)
      unlink(persons_->find(slots_[s].person), s,
             [this](std::uint32_t i) -> std::uint32_t& { return slots_[i].next_in_person; });
  }
  Slot& slot = slots_[s];
  slot = Slot{};
  slot.id = c.id;
  slot.insurer = insurer_slot(c.key.insurer_number);
  slot.group = group_hash(c.key.insurer_number, core::match_key(c.key.symbol),
                          core::match_key(c.key.number));
  slot.person = c.person_key.empty() ? 0 : (fnv1a(c.person_key) | 1);
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
  for (int i = 0; i < kDateCount; ++i) slot.dates[i] = dates[i].days();
  slot.relationship = static_cast<std::uint8_t>(c.relationship);
  slot.sex = static_cast<std::uint8_t>(c.sex);
  slot.loss_reason = static_cast<std::uint8_t>(c.loss_reason);
  slot.copay = static_cast<std::uint8_t>(c.copay_ratio);
  if (c.elderly) {
    slot.flags |= kHasElderly;
    slot.elderly_copay = static_cast<std::uint8_t>(c.elderly->copay_ratio);
  }
  if (c.self_pay_limit) slot.flags |= kHasLimit;
  if (c.specific_disease) {
    slot.flags |= kHasDisease;
    slot.disease = static_cast<std::uint8_t>(c.specific_disease->disease);
  }
  slot.branch = {c.key.branch.size() > 0 ? c.key.branch[0] : '0',
                 c.key.branch.size() > 1 ? c.key.branch[1] : '0'};

  std::string packed_person;
  std::string_view person_text = c.person_key;
  if (pack_hex(c.person_key, packed_person)) {
    slot.flags |= kPersonKeyPacked;
    person_text = packed_person;
  }
  const std::string_view texts[kTextCount] = {
      c.key.symbol,
      c.key.number,
      c.insured_name,
      c.name,
      c.name_kana,
      c.address,
      c.postcode,
      person_text,
      c.self_pay_limit ? std::string_view(c.self_pay_limit->category) : ""};
  std::array<std::uint16_t, kTextCount> len;
  std::size_t total = sizeof len;
  for (int i = 0; i < kTextCount; ++i) {
    len[i] = static_cast<std::uint16_t>(std::min<std::size_t>(texts[i].size(), 0xFFFF));
    total += len[i];
  }
  char* blob = arena_->allocate(total);
  std::memcpy(blob, len.data(), sizeof len);
  char* p = blob + sizeof len;
  for (int i = 0; i < kTextCount; ++i) {
    std::memcpy(p, texts[i].data(), len[i]);
    p += len[i];
  }
  slot.blob = blob;

  std::uint32_t& group_head = groups_->at(slot.group);
  slots_[s].next_in_group = group_head;
  group_head = s;
  if (slots_[s].person) {
    std::uint32_t& person_head = persons_->at(slots_[s].person);
    slots_[s].next_in_person = person_head;
    person_head = s;
  }
}

template <typename Visit>
bool EligibilityIndex::for_each_in_group(std::string_view insurer_number,
                                         std::string_view symbol_key, std::string_view number_key,
                                         Visit&& visit) const {
  const auto ins = insurer_by_number_.find(std::string(insurer_number));
  if (ins == insurer_by_number_.end()) return false;
  const std::uint32_t* head = groups_->find(group_hash(insurer_number, symbol_key, number_key));
  if (!head) return true;
  for (std::uint32_t s = *head; s != kNil; s = slots_[s].next_in_group) {
    const Slot& slot = slots_[s];
    // Verify the real key: a hash collision must never answer with someone else's record.
    if (slot.insurer != ins->second || core::match_key(slot.text(kSymbol)) != symbol_key ||
        core::match_key(slot.text(kNumber)) != number_key)
      continue;
    visit(slot);
  }
  return true;
}

ConfirmAnswer EligibilityIndex::confirm(const CardLookup& q) const {
  std::shared_lock lock(mutex_);
  const core::Date as_of = q.query.as_of;
  // A family card key holds a handful of members and periods.
  std::vector<const Slot*> found;
  std::vector<core::CoverageFacts> facts;
  const bool insurer_known =
      for_each_in_group(q.insurer_number, q.symbol_key, q.number_key, [&](const Slot& s) {
        found.push_back(&s);
        core::CoverageFacts f;
        f.branch = s.branch_view();
        f.birth_date = s.date(kBirth);
        f.acquired_on = s.date(kAcquired);
        f.lost_on = s.date(kLost);
        f.loss_reason = static_cast<core::LossReason>(s.loss_reason);
        f.relationship = static_cast<core::Relationship>(s.relationship);
        f.person_key = s.text(kPersonKey);
        facts.push_back(f);
      });
  // R-Q6: is the same linked person covered on the as-of date anywhere (any insurer)? Asked
  // only of periods already lost on that day: no other period can be answered 2 or 3.
  for (std::size_t i = 0; i < found.size(); ++i) {
    const Slot& s = *found[i];
    const core::CoverageFacts& f = facts[i];
    if (!s.person || f.person_key.empty() || !f.lost_on.valid() || as_of < f.lost_on) continue;
    const std::uint32_t* head = persons_->find(s.person);
    for (std::uint32_t o = head ? *head : kNil; o != kNil; o = slots_[o].next_in_person) {
      const Slot& other = slots_[o];
      if (other.text(kPersonKey) != f.person_key) continue;  // a hash collision
      if (core::period_covers(other.date(kAcquired), other.date(kLost), as_of)) {
        facts[i].linked_in_force = true;
        break;
      }
    }
  }
  ConfirmAnswer answer;
  answer.resolution = core::resolve_eligibility(q.query, facts, insurer_known);
  const core::CoverageFacts* chosen = nullptr;
  if (answer.resolution.chosen) {
    const std::size_t c = *answer.resolution.chosen;
    chosen = &facts[c];
    answer.record = materialise(*found[c]);
    answer.insurer_name = insurers_[found[c]->insurer].name;
    core::Coverage& record = *answer.record;
    // R-Q9: a 本人's own name; a 家族's 本人 under the same card key.
    if (record.relationship == core::Relationship::kInsured) {
      record.insured_name = record.name;
    } else if (const auto insured = core::insured_person_of(facts, as_of)) {
      record.insured_name = std::string(found[*insured]->text(kName));
    }
    core::AnswerTerms terms = core::settle_terms(record, as_of, answer.resolution.validity);
    answer.applicable_copay_ratio = terms.applicable_copay_ratio;
    answer.notices = std::move(terms.notices);
  }
  answer.reason_text = core::explain(answer.resolution, chosen);
  return answer;
}

core::Coverage EligibilityIndex::materialise(const Slot& s) const {
  core::Coverage c;
  c.id = s.id;
  c.key.insurer_number = insurers_[s.insurer].number;
  c.key.symbol = s.text(kSymbol);
  c.key.number = s.text(kNumber);
  c.key.branch = s.branch_view();
  c.relationship = static_cast<core::Relationship>(s.relationship);
  c.insured_name = s.text(kInsuredName);
  c.name = s.text(kName);
  c.name_kana = s.text(kNameKana);
  c.sex = static_cast<core::Sex>(s.sex);
  c.birth_date = s.date(kBirth);
  c.address = s.text(kAddress);
  c.postcode = s.text(kPostcode);
  c.acquired_on = s.date(kAcquired);
  c.lost_on = s.date(kLost);
  c.loss_reason = static_cast<core::LossReason>(s.loss_reason);
  c.card_issued_on = s.date(kCardIssued);
  c.card_valid_from = s.date(kCardFrom);
  c.card_valid_until = s.date(kCardUntil);
  c.copay_ratio = s.copay;
  if (s.flags & kHasElderly)
    c.elderly =
        core::ElderlyRecipientTerms{s.elderly_copay, s.date(kElderlyFrom), s.date(kElderlyUntil)};
  if (s.flags & kHasLimit)
    c.self_pay_limit = core::SelfPayLimitTerms{std::string(s.text(kLimitCategory)),
                                               s.date(kLimitFrom), s.date(kLimitUntil)};
  if (s.flags & kHasDisease)
    c.specific_disease =
        core::SpecificDiseaseTerms{s.disease, s.date(kDiseaseFrom), s.date(kDiseaseUntil)};
  c.person_key = (s.flags & kPersonKeyPacked) ? unpack_hex(s.text(kPersonKey))
                                              : std::string(s.text(kPersonKey));
  return c;
}

std::vector<core::Coverage> EligibilityIndex::coverages_under(std::string_view insurer_number,
                                                              std::string_view symbol_key,
                                                              std::string_view number_key) const {
  std::shared_lock lock(mutex_);
  std::vector<core::Coverage> out;
  for_each_in_group(insurer_number, symbol_key, number_key,
                    [&](const Slot& s) { out.push_back(materialise(s)); });
  return out;
}

bool EligibilityIndex::insurer_known(std::string_view insurer_number) const {
  std::shared_lock lock(mutex_);
  return insurer_by_number_.count(std::string(insurer_number)) > 0;
}

void EligibilityIndex::swap(EligibilityIndex& other) {
  if (&other == this) return;
  std::unique_lock mine(mutex_, std::defer_lock);
  std::unique_lock theirs(other.mutex_, std::defer_lock);
  std::lock(mine, theirs);
  std::swap(slots_, other.slots_);
  std::swap(slot_of_id_, other.slot_of_id_);
  std::swap(groups_, other.groups_);
  std::swap(persons_, other.persons_);
  std::swap(arena_, other.arena_);
  std::swap(insurers_, other.insurers_);
  std::swap(insurer_by_number_, other.insurer_by_number_);
}

std::size_t EligibilityIndex::coverage_count() const {
  std::shared_lock lock(mutex_);
  return slots_.size();
}

std::size_t EligibilityIndex::memory_bytes() const {
  std::shared_lock lock(mutex_);
  return slots_.capacity() * sizeof(Slot) + slot_of_id_.capacity() * 4 + groups_->bytes() +
         persons_->bytes() + arena_->bytes();
}

}  // namespace onshi::index
