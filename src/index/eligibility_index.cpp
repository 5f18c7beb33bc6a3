#include "index/eligibility_index.hpp"

#include <mutex>
#include <stdexcept>

#include "core/text_normalise.hpp"
#include "index/index_storage.hpp"
#include "index/record_codec.hpp"
#include "index/text_dictionary.hpp"

namespace onshi::index {
namespace {

std::uint64_t fnv1a(std::string_view s, std::uint64_t h = 1469598103934665603ULL) {
  for (unsigned char ch : s) {
    h ^= ch;
    h *= 1099511628211ULL;
  }
  return h;
}

std::uint32_t group_tag(std::string_view insurer, std::string_view symbol_key,
                        std::string_view number_key) {
  std::uint64_t h = fnv1a(insurer);
  h = fnv1a(std::string_view("\x1f", 1), h);
  h = fnv1a(symbol_key, h);
  h = fnv1a(std::string_view("\x1f", 1), h);
  h = fnv1a(number_key, h);
  return HeadTable::tag_of(h);
}

// group_tag of a registered card key. Rows come in id order, family members one after the
// other: the last key's tag is kept (per thread; the tag depends on the key alone), sparing
// the two match_key calls for every member after the first.
std::uint32_t card_tag(const core::CoverageKey& key) {
  thread_local std::string last_insurer, last_symbol, last_number;
  thread_local std::uint32_t last_tag = 0;
  if (last_tag == 0 || key.insurer_number != last_insurer || key.symbol != last_symbol ||
      key.number != last_number) {
    last_tag =
        group_tag(key.insurer_number, core::match_key(key.symbol), core::match_key(key.number));
    last_insurer = key.insurer_number;
    last_symbol = key.symbol;
    last_number = key.number;
  }
  return last_tag;
}

// The same for a packed and a text person key: the tag of its stored bytes.
std::uint32_t person_tag(std::string_view stored_key) {
  return HeadTable::tag_of(fnv1a(stored_key));
}

}  // namespace

EligibilityIndex::EligibilityIndex()
    : groups_(std::make_unique<HeadTable>()),
      persons_(std::make_unique<HeadTable>()),
      arena_(std::make_unique<RecordArena>()),
      dict_(std::make_unique<TextDictionary>()) {}
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
// Removes `id` from the chain starting at `head`.
template <typename Next>
void unlink(std::uint32_t* head, std::uint32_t id, Next next) {
  if (!head) return;
  for (std::uint32_t* p = head; *p != kNil; p = &next(*p))
    if (*p == id) {
      *p = next(id);
      return;
    }
}
}  // namespace

// Takes a replaced record out of its chains (its card key or person key may change).
void EligibilityIndex::unlink_old(std::uint32_t id) {
  const RecordView old = parse_record(arena_->at(links_[id].record));
  const std::string symbol = decode_text(old.symbol, *dict_);
  const std::string number = decode_text(old.number, *dict_);
  unlink(groups_->find(group_tag(insurers_[old.insurer].number, core::match_key(symbol),
                                 core::match_key(number))),
         id, [this](std::uint32_t i) -> std::uint32_t& { return links_[i].next_in_group; });
  if (!old.person_key.empty())
    unlink(persons_->find(person_tag(old.person_key)), id,
           [this](std::uint32_t i) -> std::uint32_t& { return links_[i].next_in_person; });
}

void EligibilityIndex::place(const core::Coverage& c) {
  // Ids are chain links of 32 bits; kNil marks the end of a chain.
  if (c.id <= 0 || c.id >= static_cast<std::int64_t>(kNil))
    throw std::out_of_range("EligibilityIndex: coverage id out of range");
  const auto id = static_cast<std::uint32_t>(c.id);
  if (links_.size() <= id) links_.resize(std::size_t{id} + 1, Links{kNil, kNil, kNil});
  // Encoded and stored first: if that throws (a record over 64 MiB), the old one stays as it was.
  thread_local std::string bytes;
  bytes.clear();
  encode_record(c, insurer_slot(c.key.insurer_number), *dict_, bytes);
  const std::uint32_t record = arena_->add(bytes);
  if (links_[id].record != kNil) {
    unlink_old(id);
  } else {
    ++count_;
  }
  links_[id].record = record;

  std::uint32_t& group_head = groups_->at(card_tag(c.key));
  links_[id].next_in_group = group_head;
  group_head = id;
  links_[id].next_in_person = kNil;
  const std::string_view person_key = stored_person_key(arena_->at(links_[id].record));
  if (!person_key.empty()) {
    std::uint32_t& person_head = persons_->at(person_tag(person_key));
    links_[id].next_in_person = person_head;
    person_head = id;
  }
}

template <typename Visit>
bool EligibilityIndex::for_each_in_group(std::string_view insurer_number,
                                         std::string_view symbol_key, std::string_view number_key,
                                         Visit&& visit) const {
  const auto ins = insurer_by_number_.find(std::string(insurer_number));
  if (ins == insurer_by_number_.end()) return false;
  const std::uint32_t* head = groups_->find(group_tag(insurer_number, symbol_key, number_key));
  if (!head) return true;
  for (std::uint32_t id = *head; id != kNil; id = links_[id].next_in_group) {
    const RecordView v = parse_record(arena_->at(links_[id].record));
    // Verify the real key: a tag collision must never answer with someone else's record.
    if (v.insurer != ins->second || core::match_key(decode_text(v.symbol, *dict_)) != symbol_key ||
        core::match_key(decode_text(v.number, *dict_)) != number_key)
      continue;
    visit(id, v);
  }
  return true;
}

ConfirmAnswer EligibilityIndex::confirm(const CardLookup& q) const {
  std::shared_lock lock(mutex_);
  const core::Date as_of = q.query.as_of;
  // A family card key holds a handful of members and periods; the vectors keep their room from
  // one confirmation to the next on this thread.
  thread_local std::vector<std::uint32_t> ids;
  thread_local std::vector<RecordView> found;
  thread_local std::vector<core::CoverageFacts> facts;
  ids.clear();
  found.clear();
  const bool insurer_known = for_each_in_group(q.insurer_number, q.symbol_key, q.number_key,
                                               [&](std::uint32_t id, const RecordView& v) {
                                                 ids.push_back(id);
                                                 found.push_back(v);
                                               });
  // Facts point into `found` (the branch), which no longer grows.
  facts.assign(found.size(), core::CoverageFacts{});
  for (std::size_t i = 0; i < found.size(); ++i) {
    const RecordView& v = found[i];
    core::CoverageFacts& f = facts[i];
    f.branch = v.branch_view();
    f.birth_date = v.dates[kBirth];
    f.acquired_on = v.dates[kAcquired];
    f.lost_on = v.dates[kLost];
    f.loss_reason = v.loss_reason;
    f.relationship = v.relationship;
    f.person_key = v.person_key;
  }
  // R-Q6: is the same linked person covered on the as-of date anywhere (any insurer)? Asked
  // only of periods already lost on that day: no other period can be answered 2 or 3.
  for (std::size_t i = 0; i < found.size(); ++i) {
    const core::CoverageFacts& f = facts[i];
    if (f.person_key.empty() || !f.lost_on.valid() || as_of < f.lost_on) continue;
    const std::uint32_t* head = persons_->find(person_tag(f.person_key));
    for (std::uint32_t o = head ? *head : kNil; o != kNil; o = links_[o].next_in_person) {
      const RecordView other = parse_record(arena_->at(links_[o].record));
      if (other.person_key != f.person_key) continue;  // a tag collision
      if (core::period_covers(other.dates[kAcquired], other.dates[kLost], as_of)) {
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
    answer.record = answer_record(found[c], ids[c], insurers_[found[c].insurer], *dict_);
    core::AnswerRecord& record = *answer.record;
    // R-Q9: a 本人's own name; a 家族's 本人 under the same card key.
    if (record.relationship == core::Relationship::kInsured) {
      record.same_text(core::AnswerRecord::kInsuredName, core::AnswerRecord::kName);
    } else if (const auto insured = core::insured_person_of(facts, as_of)) {
      record.begin_text(core::AnswerRecord::kInsuredName);
      dict_->decode(found[*insured].name, record.buffer());
      record.end_text(core::AnswerRecord::kInsuredName);
    }
    core::AnswerTerms terms = core::settle_terms(record, as_of, answer.resolution.validity);
    answer.applicable_copay_ratio = terms.applicable_copay_ratio;
    answer.notices = std::move(terms.notices);
  }
  answer.reason_text = core::explain(answer.resolution, chosen);
  return answer;
}

std::vector<core::Coverage> EligibilityIndex::coverages_under(std::string_view insurer_number,
                                                              std::string_view symbol_key,
                                                              std::string_view number_key) const {
  std::shared_lock lock(mutex_);
  std::vector<core::Coverage> out;
  for_each_in_group(insurer_number, symbol_key, number_key,
                    [&](std::uint32_t id, const RecordView& v) {
                      out.push_back(materialise_record(v, id, insurers_[v.insurer].number, *dict_));
                    });
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
  std::swap(links_, other.links_);
  std::swap(count_, other.count_);
  std::swap(groups_, other.groups_);
  std::swap(persons_, other.persons_);
  std::swap(arena_, other.arena_);
  std::swap(dict_, other.dict_);
  std::swap(insurers_, other.insurers_);
  std::swap(insurer_by_number_, other.insurer_by_number_);
}

std::size_t EligibilityIndex::coverage_count() const {
  std::shared_lock lock(mutex_);
  return count_;
}

std::size_t EligibilityIndex::memory_bytes() const {
  std::shared_lock lock(mutex_);
  return links_.capacity() * sizeof(Links) + groups_->bytes() + persons_->bytes() +
         arena_->bytes() + dict_->bytes();
}

}  // namespace onshi::index
