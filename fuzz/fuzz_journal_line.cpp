// services::journal_format::parse_line, the reader of the node-local journal files (which a
// restart, the importer and onshi audit verify read back): whatever it accepts must encode back
// to the very bytes it read -- they are what the record's hash covers -- and checking a chain of
// such records must never fail other than by saying what is wrong.
#include <optional>
#include <string>
#include <string_view>

#include "fuzz_common.hpp"
#include "services/journal_format.hpp"

extern "C" int LLVMFuzzerTestOneInput(const unsigned char* data, std::size_t size) {
  namespace jf = onshi::services::journal_format;
  const std::string_view text = onshi::fuzz::as_text(data, size);
  std::string_view rest = text;
  std::optional<jf::ChainCheck> chain;
  while (!rest.empty()) {
    const auto nl = rest.find('\n');
    const std::string_view line = rest.substr(0, nl);
    if (const auto r = jf::parse_line(line)) {
      std::string again;
      jf::append_line(again, *r);
      ONSHI_FUZZ_CHECK(again.size() == line.size() + 1);
      ONSHI_FUZZ_CHECK(std::string_view(again).substr(0, line.size()) == line);
      ONSHI_FUZZ_CHECK(r->hash.size() == 64 && r->prev_hash.size() == 64);
      if (!chain) chain.emplace(r->node_id, r->seq - 1, r->prev_hash);
      (void)chain->add(*r);
    }
    if (nl == std::string_view::npos) break;
    rest.remove_prefix(nl + 1);
  }
  return 0;
}
