#pragma once
// A small streaming JSON writer for answers on the hot path: appends to one string, escapes
// per RFC 8259 and passes UTF-8 through untouched (names with 𠮷 or variation selectors must
// reach the desk byte for byte).
#include <cstdint>
#include <string>
#include <string_view>

namespace onshi::api {

class JsonWriter {
 public:
  explicit JsonWriter(std::string& out) : out_(out) {}
  JsonWriter& begin_object() { return open('{'); }
  JsonWriter& end_object() { return close('}'); }
  JsonWriter& begin_array() { return open('['); }
  JsonWriter& end_array() { return close(']'); }
  JsonWriter& key(std::string_view k);
  JsonWriter& value(std::string_view s);
  JsonWriter& value(const char* s) { return value(std::string_view(s)); }
  JsonWriter& value(std::int64_t n);
  JsonWriter& value(int n) { return value(static_cast<std::int64_t>(n)); }
  JsonWriter& value(bool b);
  JsonWriter& null();
  // key + value in one call
  template <typename T>
  JsonWriter& field(std::string_view k, const T& v) {
    key(k);
    return value(v);
  }

 private:
  JsonWriter& open(char c);
  JsonWriter& close(char c);
  void separate();
  std::string& out_;
  bool need_comma_ = false;
};

void append_json_string(std::string& out, std::string_view s);

}  // namespace onshi::api
