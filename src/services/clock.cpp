#include "services/clock.hpp"

#include <cstdlib>
#include <stdexcept>
#include <string>

#include "core/date.hpp"
#include "services/japan_clock.hpp"

namespace onshi::services {
namespace {

// Reads exactly `n` decimal digits at `at`, advancing it.
bool digits(std::string_view s, std::size_t& at, std::size_t n, int& out) {
  if (at + n > s.size()) return false;
  out = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const char c = s[at + i];
    if (c < '0' || c > '9') return false;
    out = out * 10 + (c - '0');
  }
  at += n;
  return true;
}

bool expect(std::string_view s, std::size_t& at, char c) {
  if (at >= s.size() || s[at] != c) return false;
  ++at;
  return true;
}

}  // namespace

Clock system_clock() {
  return [] { return now_utc_ms(); };
}

Clock fixed_clock(std::int64_t utc_ms) {
  return [utc_ms] { return utc_ms; };
}

std::optional<std::int64_t> parse_instant_ms(std::string_view s) {
  std::size_t at = 0;
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, sec = 0, ms = 0;
  if (!digits(s, at, 4, y) || !expect(s, at, '-') || !digits(s, at, 2, mo) || !expect(s, at, '-') ||
      !digits(s, at, 2, d) || !expect(s, at, 'T') || !digits(s, at, 2, h) || !expect(s, at, ':') ||
      !digits(s, at, 2, mi) || !expect(s, at, ':') || !digits(s, at, 2, sec))
    return std::nullopt;
  if (at < s.size() && s[at] == '.' && !(++at, digits(s, at, 3, ms))) return std::nullopt;
  if (h > 23 || mi > 59 || sec > 59) return std::nullopt;
  const core::Date date = core::Date::from_ymd(y, mo, d);  // invalid unless a calendar day
  if (!date.valid()) return std::nullopt;
  std::int64_t offset_ms = 0;
  if (expect(s, at, 'Z')) {
  } else if (at < s.size() && (s[at] == '+' || s[at] == '-')) {
    const int sign = s[at++] == '-' ? -1 : 1;
    int oh = 0, om = 0;
    if (!digits(s, at, 2, oh) || !expect(s, at, ':') || !digits(s, at, 2, om) || oh > 23 || om > 59)
      return std::nullopt;
    offset_ms = sign * (oh * 3600000LL + om * 60000LL);
  } else {
    return std::nullopt;
  }
  if (at != s.size()) return std::nullopt;
  const std::int64_t local_ms = static_cast<std::int64_t>(date.days()) * 86400000 + h * 3600000LL +
                                mi * 60000LL + sec * 1000LL + ms;
  return local_ms - offset_ms;
}

Clock clock_from_environment() {
  const char* pinned = std::getenv("ONSHI_TEST_NOW");
  if (!pinned || !*pinned) return system_clock();
  const auto ms = parse_instant_ms(pinned);
  if (!ms)
    throw std::runtime_error(std::string("ONSHI_TEST_NOW: not an instant like "
                                         "2026-11-22T23:59:59.999+09:00: ") +
                             pinned);
  return fixed_clock(*ms);
}

}  // namespace onshi::services
