// The operator's reference lists: every item returned must hold values that validate again.
#include "core/identifiers.hpp"
#include "fuzz_common.hpp"
#include "ingest/reference_files.hpp"

extern "C" int LLVMFuzzerTestOneInput(const unsigned char* data, std::size_t size) {
  using namespace onshi;
  const auto text = fuzz::as_text(data, size);

  const auto insurers = ingest::parse_insurers_csv(text);
  if (insurers.file_error) ONSHI_FUZZ_CHECK(insurers.items.empty());
  for (const auto& insurer : insurers.items) {
    const auto again = core::parse_insurer_number(insurer.number);
    ONSHI_FUZZ_CHECK(again.ok() && again->digits == insurer.number);
    ONSHI_FUZZ_CHECK(insurer.prefecture >= 1 && insurer.prefecture <= 47);
    ONSHI_FUZZ_CHECK(!insurer.name.empty());
  }
  for (const auto& error : insurers.errors) ONSHI_FUZZ_CHECK(error.line >= 1);

  const auto facilities = ingest::parse_facilities_csv(text);
  if (facilities.file_error) ONSHI_FUZZ_CHECK(facilities.items.empty());
  for (const auto& facility : facilities.items) {
    const auto code = core::parse_facility_code(facility.code);
    ONSHI_FUZZ_CHECK(code.ok() && code->digits == facility.code);
    ONSHI_FUZZ_CHECK(code->prefecture() == facility.prefecture);
    ONSHI_FUZZ_CHECK(core::fee_table_of(facility.type) == code->fee_table());
  }
  for (const auto& error : facilities.errors) ONSHI_FUZZ_CHECK(error.line >= 1);
  return 0;
}
