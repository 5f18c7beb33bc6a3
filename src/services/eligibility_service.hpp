#pragma once
// Counter confirmation by insurance-card data (照会区分 2): normalise what the desk typed, ask
// the index, and append the access-log record. Adapters (JSON, later XML/FHIR) call this.
#include <atomic>
#include <cstdint>
#include <functional>
#include <string>

#include "core/access_record.hpp"
#include "core/result.hpp"
#include "index/eligibility_index.hpp"
#include "services/clock.hpp"
#include "services/journal.hpp"
#include "services/metrics.hpp"
#include "services/principal.hpp"

namespace onshi::services {

// The request as text fields, exactly as the adapter received them.
struct ConfirmRequest {
  std::string insurer_number;
  std::string symbol;
  std::string number;
  std::string branch;                     // optional
  std::string birth_date;                 // required
  std::string as_of;                      // optional: today in Japan
  bool self_pay_limit_consent = false;    // 限度額適用認定証情報の提供に同意
  bool specific_disease_consent = false;  // 特定疾病療養受療証情報の提供に同意
  std::string arbitrary_id;               // echoed back (ArbitraryIdentifier)
};

struct ConfirmOutcome {
  index::ConfirmAnswer answer;
  core::Date as_of;
  bool self_pay_limit_consent = false;
  bool specific_disease_consent = false;
  std::string confirmation_id;
  std::string arbitrary_id;
  std::int64_t at_ms = 0;  // when it was answered (UTC ms)
};

class EligibilityService {
 public:
  // `clock` gives "now": the default as_of (today in Japan) and the answers' time stamps.
  // `node_id` starts every confirmation id, so that ids of different nodes never collide.
  EligibilityService(index::EligibilityIndex& index, Journal& access_log, Metrics& metrics,
                     Clock clock = system_clock(), std::string node_id = "local");
  // Validates the request and resolves it against the index. No side effects.
  core::Result<ConfirmOutcome> resolve(const Principal& who, const ConfirmRequest& request) const;
  // Appends the access-log record of an answered confirmation and counts it. `on_durable`
  // runs once the record is committed: an answer that reveals personal data is sent then.
  void record(const Principal& who, const ConfirmOutcome& outcome, core::ConfirmMethod method,
              Journal::Done on_durable);

 private:
  index::EligibilityIndex& index_;
  Journal& access_log_;
  Metrics& metrics_;
  Clock clock_;
  std::string node_id_;
  mutable std::atomic<std::uint64_t> sequence_{0};
};

}  // namespace onshi::services
