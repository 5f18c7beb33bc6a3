#pragma once
// "Today" at a Japanese front desk: JST is UTC+9 all year (no daylight saving).
#include <chrono>
#include <cstdint>

#include "core/date.hpp"

namespace onshi::services {

inline std::int64_t now_utc_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

inline core::Date japan_date_of(std::int64_t utc_ms) {
  constexpr std::int64_t kJstOffsetMs = 9LL * 3600 * 1000;
  const std::int64_t ms = utc_ms + kJstOffsetMs;
  std::int64_t days = ms / 86400000;
  if (ms % 86400000 < 0) --days;
  return core::Date::from_days(static_cast<std::int32_t>(days));
}

inline core::Date japan_today() {
  return japan_date_of(now_utc_ms());
}

}  // namespace onshi::services
