#include "index/text_dictionary.hpp"

#include <algorithm>
#include <cstring>

namespace onshi::index {
namespace {

// Eight bytes a step (a run is 2-30 bytes): the build hashes some twenty runs a record.
std::uint64_t hash_bytes(std::string_view s) {
  std::uint64_t h = 0x9E3779B97F4A7C15ULL ^ s.size();
  std::size_t i = 0;
  for (; i + 8 <= s.size(); i += 8) {
    std::uint64_t w;
    std::memcpy(&w, s.data() + i, 8);
    h = (h ^ w) * 0xBF58476D1CE4E5B9ULL;
    h ^= h >> 31;
  }
  if (i < s.size()) {
    std::uint64_t w = 0;
    std::memcpy(&w, s.data() + i, s.size() - i);
    h = (h ^ w) * 0xBF58476D1CE4E5B9ULL;
    h ^= h >> 31;
  }
  h *= 0x94D049BB133111EBULL;
  return h ^ (h >> 29);
}

// U+3000 IDEOGRAPHIC SPACE in UTF-8.
bool ideographic_space_at(std::string_view s, std::size_t i) {
  return i + 2 < s.size() && static_cast<unsigned char>(s[i]) == 0xE3 &&
         static_cast<unsigned char>(s[i + 1]) == 0x80 &&
         static_cast<unsigned char>(s[i + 2]) == 0x80;
}

}  // namespace

std::size_t TextDictionary::bytes() const {
  return blob_.capacity() + starts_.capacity() * 4 + table_.capacity() * 8;
}

// A cell holds the run's code + 1 in its low 32 bits and the high 32 bits of its hash above,
// so that a probe compares bytes only when the hashes agree.
void TextDictionary::grow_table() {
  std::vector<std::uint64_t> table(std::max<std::size_t>(256, table_.size() * 2), 0);
  const std::size_t mask = table.size() - 1;
  for (std::uint32_t code = 0; code + 1 < starts_.size(); ++code) {
    const std::uint64_t h = hash_bytes(run(code));
    std::size_t i = h & mask;
    while (table[i] != 0) i = (i + 1) & mask;
    table[i] = (h & 0xFFFFFFFF00000000ULL) | (code + 1);
  }
  table_.swap(table);
}

std::uint32_t TextDictionary::code_of(std::string_view r) {
  if ((starts_.size() + 1) * 4 > table_.size() * 3) grow_table();
  const std::size_t mask = table_.size() - 1;
  const std::uint64_t h = hash_bytes(r);
  const std::uint64_t high = h & 0xFFFFFFFF00000000ULL;
  std::size_t i = h & mask;
  for (; table_[i] != 0; i = (i + 1) & mask) {
    if ((table_[i] & 0xFFFFFFFF00000000ULL) != high) continue;
    const auto code = static_cast<std::uint32_t>(table_[i]) - 1;
    if (run(code) == r) return code;
  }
  const auto code = static_cast<std::uint32_t>(starts_.size() - 1);
  if (code >= capacity_ || blob_.size() + r.size() > UINT32_MAX) return kRaw;
  blob_.append(r);
  starts_.push_back(static_cast<std::uint32_t>(blob_.size()));
  table_[i] = high | (code + 1);
  return code;
}

void TextDictionary::encode(std::string_view text, std::string& out) {
  std::size_t i = 0;
  while (i < text.size()) {
    if (static_cast<unsigned char>(text[i]) < 0x80) {
      std::size_t end = i + 1;
      while (end < text.size() && static_cast<unsigned char>(text[end]) < 0x80) ++end;
      out.append(text.substr(i, end - i));
      i = end;
      continue;
    }
    std::size_t end = i;
    if (ideographic_space_at(text, i)) {
      end = i + 3;
    } else {
      while (end < text.size() && static_cast<unsigned char>(text[end]) >= 0x80 &&
             !ideographic_space_at(text, end))
        ++end;
    }
    const std::string_view r = text.substr(i, end - i);
    const std::uint32_t code = code_of(r);
    if (code < 0x7F00) {
      out.push_back(static_cast<char>(0x80 + (code >> 8)));
      out.push_back(static_cast<char>(code & 0xFF));
    } else {
      out.push_back(static_cast<char>(0xFF));
      out.push_back(static_cast<char>(code >> 16));
      out.push_back(static_cast<char>((code >> 8) & 0xFF));
      out.push_back(static_cast<char>(code & 0xFF));
      if (code == kRaw) {
        put_varint(out, r.size());
        out.append(r);
      }
    }
    i = end;
  }
}

void TextDictionary::encode_field(int field, std::string_view text, std::string& out) {
  Memo& m = memo_[static_cast<std::size_t>(field)];
  if (!m.valid || m.text != text) {
    m.text.assign(text);
    m.coded.clear();
    encode(text, m.coded);
    m.valid = true;
  }
  out.append(m.coded);
}

void TextDictionary::decode(std::string_view coded, std::string& out) const {
  const auto* p = reinterpret_cast<const unsigned char*>(coded.data());
  const auto* end = p + coded.size();
  while (p < end) {
    const unsigned char b = *p++;
    if (b < 0x80) {
      out.push_back(static_cast<char>(b));
    } else if (b < 0xFF) {
      out.append(run((std::uint32_t{b} - 0x80u) << 8 | *p++));
    } else {
      const std::uint32_t code = std::uint32_t{p[0]} << 16 | std::uint32_t{p[1]} << 8 | p[2];
      p += 3;
      if (code == kRaw) {
        const auto n = static_cast<std::size_t>(get_varint(p));
        out.append(reinterpret_cast<const char*>(p), n);
        p += n;
      } else {
        out.append(run(code));
      }
    }
  }
}

}  // namespace onshi::index
