// ONSHI_TEST_NOW's instant parser (services::parse_instant_ms): whatever arrives, no crash, and
// an accepted instant written back in UTC ("…Z", milliseconds) reads as the same instant.
#include <cstdint>
#include <cstdio>
#include <string>

#include "core/date.hpp"
#include "fuzz_common.hpp"
#include "services/clock.hpp"

namespace {

std::string utc_text(std::int64_t ms) {
  std::int64_t days = ms / 86400000, rest = ms % 86400000;
  if (rest < 0) {
    rest += 86400000;
    --days;
  }
  const auto date = onshi::core::Date::from_days(static_cast<std::int32_t>(days));
  char buf[48];
  std::snprintf(buf, sizeof buf, "T%02d:%02d:%02d.%03dZ", static_cast<int>(rest / 3600000),
                static_cast<int>(rest / 60000 % 60), static_cast<int>(rest / 1000 % 60),
                static_cast<int>(rest % 1000));
  return date.iso() + buf;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const unsigned char* data, std::size_t size) {
  const auto text = onshi::fuzz::as_text(data, size);
  const auto ms = onshi::services::parse_instant_ms(text);
  if (!ms) return 0;
  const std::string again = utc_text(*ms);
  // Dates outside the calendar onshi handles (1868..2999) have no ISO form to write back.
  if (again.size() < 24) return 0;
  const auto back = onshi::services::parse_instant_ms(again);
  ONSHI_FUZZ_CHECK(back && *back == *ms);
  return 0;
}
