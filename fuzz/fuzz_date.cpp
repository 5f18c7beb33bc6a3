// core::parse_date and parse_date_strict: whatever they accept must be a real day that the
// machine formats give back unchanged.
#include "core/date.hpp"
#include "fuzz_common.hpp"

namespace {

void check_round_trip(onshi::core::Date date) {
  using onshi::core::parse_date_strict;
  ONSHI_FUZZ_CHECK(date.valid());
  ONSHI_FUZZ_CHECK(date.year() >= 1868 && date.year() <= 2999);
  const auto iso = parse_date_strict(date.iso());
  ONSHI_FUZZ_CHECK(iso.ok() && *iso == date);
  const auto compact = parse_date_strict(date.compact());
  ONSHI_FUZZ_CHECK(compact.ok() && *compact == date);
  ONSHI_FUZZ_CHECK(onshi::core::Date::from_days(date.days()) == date);
  ONSHI_FUZZ_CHECK(onshi::core::Date::from_ymd(date.year(), date.month(), date.day()) == date);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const unsigned char* data, std::size_t size) {
  const auto text = onshi::fuzz::as_text(data, size);
  const auto loose = onshi::core::parse_date(text);
  if (loose) check_round_trip(*loose);
  const auto strict = onshi::core::parse_date_strict(text);
  if (strict) {
    check_round_trip(*strict);
    // The forgiving parser accepts everything the strict one does, with the same meaning.
    ONSHI_FUZZ_CHECK(loose.ok() && *loose == *strict);
  }
  return 0;
}
