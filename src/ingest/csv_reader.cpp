#include "ingest/csv_reader.hpp"

#include <algorithm>
#include <cstdint>
#include <cstring>

namespace onshi::ingest {
namespace {

constexpr std::string_view kBom = "\xEF\xBB\xBF";

bool is_space(char c) {
  return c == ' ' || c == '\t';
}

// A CR ends a line only in front of an LF or at the end of the input; anywhere else it is data
// (a lone CR is not a line ending in RFC 4180, and old Mac files are not expected).
bool is_line_end(std::string_view s, std::size_t i) {
  return s[i] == '\n' || (s[i] == '\r' && (i + 1 == s.size() || s[i + 1] == '\n'));
}

// Position just past the line ending at `i` (which is_line_end).
std::size_t past_line_end(std::string_view s, std::size_t i) {
  return s[i] == '\r' && i + 1 < s.size() ? i + 2 : i + 1;
}

}  // namespace

std::string_view skip_bom(std::string_view content) {
  if (content.starts_with(kBom)) content.remove_prefix(kBom.size());
  return content;
}

std::string_view trim_spaces(std::string_view text) {
  std::size_t b = 0, e = text.size();
  while (b < e && is_space(text[b])) ++b;
  while (e > b && is_space(text[e - 1])) --e;
  return text.substr(b, e - b);
}

CsvReader::CsvReader(std::string_view content)
    : text_(skip_bom(content)), skipped_(content.size() - text_.size()) {}

bool CsvReader::next(CsvRecord& record) {
  const std::string_view s = text_;
  const std::size_t n = s.size();
  // Blank lines carry no record.
  for (;;) {
    std::size_t p = pos_;
    while (p < n && is_space(s[p])) ++p;
    if (p == n) {
      pos_ = n;
      return false;
    }
    if (!is_line_end(s, p)) break;
    pos_ = past_line_end(s, p);
    ++line_;
  }

  record.line = line_;
  record.error.reset();
  record.fields.clear();
  unescaped_used_ = 0;
  const std::size_t start = pos_;
  record_start_ = start;
  std::size_t i = pos_;
  std::size_t end = n;  // end of the record's bytes, line ending excluded
  bool at_end = false;
  while (!at_end) {
    std::size_t f = i;
    while (f < n && is_space(s[f])) ++f;
    if (f < n && s[f] == '"') {
      // Quoted field. Only fields holding "" are copied; the rest are views into the input.
      std::string* unescaped = nullptr;
      std::size_t seg = f + 1;
      std::size_t close = n;
      for (std::size_t q = f + 1;;) {
        const void* hit = q < n ? std::memchr(s.data() + q, '"', n - q) : nullptr;
        if (!hit) break;
        const std::size_t at = static_cast<const char*>(hit) - s.data();
        if (at + 1 < n && s[at + 1] == '"') {
          if (!unescaped) unescaped = &next_buffer();
          unescaped->append(s.data() + seg, at + 1 - seg);
          seg = at + 2;
          q = at + 2;
          continue;
        }
        close = at;
        break;
      }
      if (close == n) {
        line_ += static_cast<std::size_t>(std::count(s.begin() + f, s.end(), '\n'));
        record.error = core::make_error(
            core::ErrorCode::kRowFieldInvalid,
            "unterminated quoted field in column " + std::to_string(record.fields.size() + 1) +
                ": no closing '\"' before the end of the file, so the rest of the file was read "
                "as this one record");
        record.fields.push_back(s.substr(f + 1));
        end = n;
        pos_ = n;
        break;
      }
      if (unescaped) {
        unescaped->append(s.data() + seg, close - seg);
        record.fields.push_back(*unescaped);
      } else {
        record.fields.push_back(s.substr(f + 1, close - f - 1));
      }
      line_ += static_cast<std::size_t>(std::count(s.begin() + f, s.begin() + close, '\n'));
      i = close + 1;
      while (i < n && is_space(s[i])) ++i;
      if (i < n && s[i] != ',' && !is_line_end(s, i)) {
        if (!record.error)
          record.error = core::make_error(core::ErrorCode::kRowFieldInvalid,
                                          "text after the closing quote of column " +
                                              std::to_string(record.fields.size()) +
                                              " (a '\"' inside a field must be written as \"\")");
        while (i < n && s[i] != ',' && !is_line_end(s, i)) ++i;
      }
    } else {
      std::size_t j = i;
      while (j < n && s[j] != ',' && s[j] != '\n') ++j;
      std::size_t field_end = j;
      if ((j == n || s[j] == '\n') && field_end > i && s[field_end - 1] == '\r') --field_end;
      record.fields.push_back(s.substr(i, field_end - i));
      i = j;
    }
    // i is at a ',', a line ending or the end of the input.
    if (i < n && s[i] == ',') {
      ++i;
      continue;
    }
    at_end = true;
    end = i;
    if (end > start && s[end - 1] == '\r' && (end == n || s[end] == '\n')) --end;
    if (i < n) {
      pos_ = past_line_end(s, i);
      ++line_;
    } else {
      pos_ = n;
    }
  }

  record.raw = s.substr(start, end - start);
  return true;
}

std::string& CsvReader::next_buffer() {
  if (unescaped_used_ == unescaped_.size()) unescaped_.emplace_back();
  std::string& buffer = unescaped_[unescaped_used_++];
  buffer.clear();
  return buffer;
}

TextKind classify_utf8(std::string_view text) {
  // The same rules as core::is_valid_utf8 (RFC 3629, Unicode Table 3-7), inlined here because
  // this runs over every byte of files that reach hundreds of megabytes.
  const auto* p = reinterpret_cast<const unsigned char*>(text.data());
  const auto* const e = p + text.size();
  bool multibyte = false;
  while (p < e) {
    // Eight bytes at a time while everything is ASCII: most of a line is digits and commas.
    while (e - p >= 8) {
      std::uint64_t word;
      std::memcpy(&word, p, 8);
      if (word & 0x8080808080808080ull) break;
      p += 8;
    }
    while (p < e && *p < 0x80u) ++p;
    if (p == e) break;
    const unsigned char b0 = *p;
    std::size_t length;
    unsigned char low = 0x80u, high = 0xBFu;
    if (b0 >= 0xC2u && b0 <= 0xDFu) {
      length = 2;
    } else if (b0 >= 0xE0u && b0 <= 0xEFu) {
      length = 3;
      if (b0 == 0xE0u) low = 0xA0u;   // overlong
      if (b0 == 0xEDu) high = 0x9Fu;  // surrogates
    } else if (b0 >= 0xF0u && b0 <= 0xF4u) {
      length = 4;
      if (b0 == 0xF0u) low = 0x90u;   // overlong
      if (b0 == 0xF4u) high = 0x8Fu;  // above U+10FFFF
    } else {
      return TextKind::kInvalid;
    }
    if (static_cast<std::size_t>(e - p) < length || p[1] < low || p[1] > high)
      return TextKind::kInvalid;
    for (std::size_t k = 2; k < length; ++k)
      if ((p[k] & 0xC0u) != 0x80u) return TextKind::kInvalid;
    p += length;
    multibyte = true;
  }
  return multibyte ? TextKind::kUtf8 : TextKind::kAscii;
}

bool EncodingTally::check(std::string_view text) {
  switch (classify_utf8(text)) {
    case TextKind::kAscii:
      return true;
    case TextKind::kUtf8:
      ++utf8_;
      return true;
    case TextKind::kInvalid:
      ++invalid_;
      return false;
  }
  return false;
}

core::Error EncodingTally::file_error() const {
  return core::make_error(core::ErrorCode::kFileEncoding,
                          "the file is not UTF-8 (" + std::to_string(invalid_) +
                              " lines have invalid byte sequences and none has UTF-8 text); save "
                              "it as UTF-8: Shift_JIS is not accepted");
}

std::string describe_name(std::string_view name) {
  constexpr std::size_t kMax = 40;
  std::string out = "'";
  std::size_t i = 0;
  for (; i < name.size() && i < kMax; ++i) {
    const auto c = static_cast<unsigned char>(name[i]);
    out += (c < 0x20 || c == 0x7F) ? '?' : static_cast<char>(c);
  }
  if (i < name.size()) {
    // Cut in the middle of a character: drop its leading bytes too.
    if ((static_cast<unsigned char>(name[i]) & 0xC0u) == 0x80u) {
      while ((static_cast<unsigned char>(out.back()) & 0xC0u) == 0x80u) out.pop_back();
      if (static_cast<unsigned char>(out.back()) >= 0xC0u) out.pop_back();
    }
    out += "...";
  }
  out += '\'';
  return out;
}

}  // namespace onshi::ingest
