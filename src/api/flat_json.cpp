#include "api/flat_json.hpp"

#include <cstdint>

namespace onshi::api {
namespace {

class Reader {
 public:
  explicit Reader(std::string_view s) : s_(s) {}

  bool object(std::vector<FlatMember>& members) {
    skip_space();
    if (!eat('{')) return false;
    skip_space();
    if (eat('}')) return end();
    for (;;) {
      FlatMember m;
      skip_space();
      if (!string_into(m.decoded_key, &m.raw_key)) return false;
      skip_space();
      if (!eat(':')) return false;
      skip_space();
      if (!value(m)) return false;
      members.push_back(std::move(m));
      skip_space();
      if (eat(',')) continue;
      if (eat('}')) return end();
      return false;
    }
  }

 private:
  bool end() {
    skip_space();
    return p_ == s_.size();
  }
  bool eat(char c) {
    if (p_ < s_.size() && s_[p_] == c) {
      ++p_;
      return true;
    }
    return false;
  }
  bool literal(std::string_view word) {
    if (s_.substr(p_, word.size()) != word) return false;
    p_ += word.size();
    return true;
  }
  void skip_space() {
    while (p_ < s_.size() && (s_[p_] == ' ' || s_[p_] == '\t' || s_[p_] == '\n' || s_[p_] == '\r'))
      ++p_;
  }

  bool value(FlatMember& m) {
    if (p_ >= s_.size()) return false;
    const char c = s_[p_];
    if (c == '"') {
      m.kind = FlatMember::Kind::kString;
      std::string_view raw;
      if (!string_into(m.text, &raw)) return false;
      if (m.text.empty()) m.text.assign(raw);
      return true;
    }
    if (c == 't') return (m.kind = FlatMember::Kind::kTrue, literal("true"));
    if (c == 'f') return (m.kind = FlatMember::Kind::kFalse, literal("false"));
    if (c == 'n') return (m.kind = FlatMember::Kind::kNull, literal("null"));
    if (c == '{' || c == '[') return (m.kind = FlatMember::Kind::kNested, skip_nested(0));
    return number(m);
  }

  // RFC 8259 number: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
  bool number(FlatMember& m) {
    const std::size_t start = p_;
    eat('-');
    if (eat('0')) {
    } else if (p_ < s_.size() && s_[p_] >= '1' && s_[p_] <= '9') {
      digits();
    } else {
      return false;
    }
    bool integer = true;
    if (eat('.')) {
      integer = false;
      if (!digits()) return false;
    }
    if (p_ < s_.size() && (s_[p_] == 'e' || s_[p_] == 'E')) {
      integer = false;
      ++p_;
      if (!eat('+')) eat('-');
      if (!digits()) return false;
    }
    m.kind = integer ? FlatMember::Kind::kInteger : FlatMember::Kind::kNumber;
    m.text.assign(s_.substr(start, p_ - start));
    return true;
  }
  bool digits() {
    const std::size_t start = p_;
    while (p_ < s_.size() && s_[p_] >= '0' && s_[p_] <= '9') ++p_;
    return p_ > start;
  }

  // A nested object or array, read for its syntax only. Depth-bounded: a body of brackets
  // cannot exhaust the stack.
  bool skip_nested(int depth) {
    if (depth > 64) return false;
    const char open = s_[p_++];
    const char close = open == '{' ? '}' : ']';
    skip_space();
    if (eat(close)) return true;
    for (;;) {
      skip_space();
      if (open == '{') {
        std::string ignored;
        std::string_view raw;
        if (!string_into(ignored, &raw)) return false;
        skip_space();
        if (!eat(':')) return false;
        skip_space();
      }
      if (p_ >= s_.size()) return false;
      if (s_[p_] == '{' || s_[p_] == '[') {
        if (!skip_nested(depth + 1)) return false;
      } else {
        FlatMember scalar;
        if (!value(scalar)) return false;
      }
      skip_space();
      if (eat(',')) continue;
      return eat(close);
    }
  }

  // A string. Without escapes `*raw` is its bytes in the body and `out` is left empty;
  // with escapes `out` holds it decoded. Either way it must be valid UTF-8 without controls.
  bool string_into(std::string& out, std::string_view* raw) {
    if (!eat('"')) return false;
    const std::size_t start = p_;
    bool escaped = false;
    while (p_ < s_.size()) {
      const auto c = static_cast<unsigned char>(s_[p_]);
      if (c == '"') {
        if (!escaped) *raw = s_.substr(start, p_ - start);
        ++p_;
        return true;
      }
      if (c < 0x20) return false;
      if (c == '\\') {
        if (!escaped) {
          out.assign(s_.substr(start, p_ - start));
          escaped = true;
        }
        if (!escape(out)) return false;
        continue;
      }
      const std::size_t n = utf8_length(p_);
      if (n == 0) return false;
      if (escaped) out.append(s_.substr(p_, n));
      p_ += n;
    }
    return false;
  }

  // Length of the well-formed UTF-8 sequence at `at` (RFC 3629: no overlongs, no surrogates,
  // nothing past U+10FFFF), or 0.
  std::size_t utf8_length(std::size_t at) const {
    const auto b = [&](std::size_t i) {
      return at + i < s_.size() ? static_cast<unsigned char>(s_[at + i]) : 0u;
    };
    const unsigned c = b(0);
    const auto cont = [&](std::size_t i) { return (b(i) & 0xC0) == 0x80; };
    if (c < 0x80) return 1;
    if (c >= 0xC2 && c <= 0xDF) return cont(1) ? 2 : 0;
    if (c >= 0xE0 && c <= 0xEF) {
      const unsigned c1 = b(1);
      if (c == 0xE0 && c1 < 0xA0) return 0;
      if (c == 0xED && c1 > 0x9F) return 0;
      return cont(1) && cont(2) ? 3 : 0;
    }
    if (c >= 0xF0 && c <= 0xF4) {
      const unsigned c1 = b(1);
      if (c == 0xF0 && c1 < 0x90) return 0;
      if (c == 0xF4 && c1 > 0x8F) return 0;
      return cont(1) && cont(2) && cont(3) ? 4 : 0;
    }
    return 0;
  }

  bool escape(std::string& out) {
    ++p_;  // the backslash
    if (p_ >= s_.size()) return false;
    const char e = s_[p_++];
    switch (e) {
      case '"':
        out += '"';
        return true;
      case '\\':
        out += '\\';
        return true;
      case '/':
        out += '/';
        return true;
      case 'b':
        out += '\b';
        return true;
      case 'f':
        out += '\f';
        return true;
      case 'n':
        out += '\n';
        return true;
      case 'r':
        out += '\r';
        return true;
      case 't':
        out += '\t';
        return true;
      case 'u':
        break;
      default:
        return false;
    }
    std::uint32_t cp = 0;
    if (!hex4(cp)) return false;
    if (cp >= 0xD800 && cp <= 0xDBFF) {
      // A high surrogate must be followed by an escaped low one.
      std::uint32_t low = 0;
      if (!literal("\\u") || !hex4(low) || low < 0xDC00 || low > 0xDFFF) return false;
      cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
    } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
      return false;
    }
    append_utf8(out, cp);
    return true;
  }
  bool hex4(std::uint32_t& v) {
    if (p_ + 4 > s_.size()) return false;
    v = 0;
    for (int i = 0; i < 4; ++i) {
      const char c = s_[p_++];
      v <<= 4;
      if (c >= '0' && c <= '9')
        v |= static_cast<std::uint32_t>(c - '0');
      else if (c >= 'a' && c <= 'f')
        v |= static_cast<std::uint32_t>(c - 'a' + 10);
      else if (c >= 'A' && c <= 'F')
        v |= static_cast<std::uint32_t>(c - 'A' + 10);
      else
        return false;
    }
    return true;
  }
  static void append_utf8(std::string& out, std::uint32_t cp) {
    if (cp < 0x80) {
      out += static_cast<char>(cp);
    } else if (cp < 0x800) {
      out += static_cast<char>(0xC0 | (cp >> 6));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
      out += static_cast<char>(0xE0 | (cp >> 12));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
      out += static_cast<char>(0xF0 | (cp >> 18));
      out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    }
  }

  std::string_view s_;
  std::size_t p_ = 0;
};

}  // namespace

bool read_flat_object(std::string_view body, std::vector<FlatMember>& members) {
  members.clear();
  Reader r(body);
  if (r.object(members)) return true;
  members.clear();
  return false;
}

}  // namespace onshi::api
