// The counter-confirmation body (POST /v1/eligibility/confirm): decoding, then the real
// EligibilityService::resolve against a small index (validation, normalisation, the default
// date). Whatever arrives, the answer is an error with a catalogued code or a well-formed JSON
// answer. The service is built as `onshi serve` builds it, over a real SQLite store in a temp
// directory (its access log is never written: resolve has no side effects and record() is not
// called), with a fixed clock so that runs are reproducible.
#include <stdlib.h>

#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <system_error>

#include "api/confirm_json.hpp"
#include "core/error_catalogue.hpp"
#include "core/identifiers.hpp"
#include "fuzz_common.hpp"
#include "index/eligibility_index.hpp"
#include "services/clock.hpp"
#include "services/eligibility_service.hpp"
#include "services/journal.hpp"
#include "services/metrics.hpp"
#include "store/store.hpp"

namespace {

// Every error the service returns must be one of the catalogue's codes.
bool catalogued(onshi::core::ErrorCode code) {
  const int i = static_cast<int>(code);
  return i >= 0 && i < onshi::core::error_count() && !onshi::core::error_info(code).code.empty();
}

struct World {
  World() {
    char tmpl[] = "/tmp/onshi-fuzz-confirm-XXXXXX";
    if (!mkdtemp(tmpl)) std::abort();
    dir = tmpl;
    store = onshi::store::open_sqlite_store(dir + "/onshi.db");
    access_log = std::make_unique<onshi::services::Journal>(*store);
    const onshi::core::Insurer ins{onshi::core::make_insurer_number("0613048"), "健保", {}, 13};
    index.upsert_insurers({&ins, 1});
    onshi::core::Coverage c;
    c.id = 1;
    c.key = {ins.number, "12-34", "5678", "00"};
    c.name = "𠮷田　太郎";
    c.birth_date = onshi::core::Date::from_ymd(1972, 5, 1);
    c.acquired_on = onshi::core::Date::from_ymd(2020, 4, 1);
    index.upsert({&c, 1});
    // 2026-11-22 10:00 in Japan.
    service = std::make_unique<onshi::services::EligibilityService>(
        index, *access_log, metrics,
        onshi::services::fixed_clock(*onshi::services::parse_instant_ms("2026-11-22T01:00:00Z")));
    who.role = onshi::store::Role::kFacility;
    who.label = "fuzz-desk";
    who.facility = onshi::core::Facility{"1310000010", "病院", {}, 13};
  }
  ~World() {
    service.reset();
    access_log.reset();
    store.reset();
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
  }
  std::string dir;
  std::unique_ptr<onshi::store::Store> store;
  std::unique_ptr<onshi::services::Journal> access_log;
  onshi::index::EligibilityIndex index;
  onshi::services::Metrics metrics;
  std::unique_ptr<onshi::services::EligibilityService> service;
  onshi::services::Principal who;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const unsigned char* data, std::size_t size) {
  static World world;
  const auto text = onshi::fuzz::as_text(data, size);
  const auto request = onshi::api::decode_confirm_request(text);
  if (!request) {
    ONSHI_FUZZ_CHECK(catalogued(request.error().code));
    return 0;
  }
  const auto outcome = world.service->resolve(world.who, *request);
  if (!outcome) {
    ONSHI_FUZZ_CHECK(catalogued(outcome.error().code));
    return 0;
  }
  ONSHI_FUZZ_CHECK(outcome->as_of.valid());
  ONSHI_FUZZ_CHECK(!outcome->confirmation_id.empty());
  const std::string json = onshi::api::encode_confirm_outcome(*outcome);
  const auto parsed = nlohmann::json::parse(json, nullptr, false);
  ONSHI_FUZZ_CHECK(!parsed.is_discarded());
  ONSHI_FUZZ_CHECK(parsed.is_object() && parsed.contains("validity"));
  ONSHI_FUZZ_CHECK(parsed["confirmation_id"] == outcome->confirmation_id);
  if (outcome->answer.resolution.reason)
    ONSHI_FUZZ_CHECK(catalogued(*outcome->answer.resolution.reason));
  return 0;
}
