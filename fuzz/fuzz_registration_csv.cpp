// parse_registrations on CSV, then core::validate_registration on every row.
#include "fuzz_registration_common.hpp"

extern "C" int LLVMFuzzerTestOneInput(const unsigned char* data, std::size_t size) {
  const auto text = onshi::fuzz::as_text(data, size);
  onshi::fuzz::check_parsed(
      onshi::ingest::parse_registrations(text, onshi::ingest::RegistrationFormat::kCsv));
  return 0;
}
