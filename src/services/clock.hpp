#pragma once
// Where the services get "now" from: a function returning UTC milliseconds since the epoch.
// Production uses the system clock; tests inject a fixed one, so that no result depends on the
// time of day the tests happen to run at (JST midnight must not flip an answer).
#include <cstdint>
#include <functional>
#include <optional>
#include <string_view>

namespace onshi::services {

using Clock = std::function<std::int64_t()>;

// The system clock (services/japan_clock.hpp now_utc_ms).
Clock system_clock();
// Always answers `utc_ms`.
Clock fixed_clock(std::int64_t utc_ms);

// Reads an instant "YYYY-MM-DDThh:mm:ss[.fff](Z|±hh:mm)", e.g. "2026-11-22T23:59:59.999+09:00",
// as UTC ms; nullopt if it is not exactly that.
std::optional<std::int64_t> parse_instant_ms(std::string_view text);

// TEST-ONLY: the clock `onshi serve` uses. The environment variable ONSHI_TEST_NOW, when set,
// pins "now" to the instant it names (a frozen clock, e.g.
// ONSHI_TEST_NOW=2026-11-22T23:59:59.999+09:00) so that server tests do not depend on the real
// date; unset (always, outside tests) it is the system clock. A malformed value throws.
Clock clock_from_environment();

}  // namespace onshi::services
