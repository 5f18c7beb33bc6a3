#pragma once
// Counter confirmation by insurance-card data (照会区分 2): normalise what the desk typed, ask
// the index, keep back what the patient did not consent to share, stamp the method, append the
// access record, and release the answer only once that record is durable when it carries
// personal data. Adapters (JSON, later XML/FHIR) call confirm() with their encoder and only
// translate: every rule is here.
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
  // The record's consent-gated terms (self_pay_limit, specific_disease) are already removed
  // unless the matching consent flag below is set.
  index::ConfirmAnswer answer;
  core::ConfirmMethod method = core::ConfirmMethod::kInsuranceCard;
  int reference_classification = 2;  // 照会区分: 1 My Number Card, 2 insurance-card data
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
  // An adapter's encoding of an outcome (JSON, XML, …); pure.
  using Encoder = std::string (*)(const ConfirmOutcome&);
  // Called once with the encoded answer when it may leave, or with the error to answer
  // instead (a refused request, or UNAVAILABLE when the access record could not be made
  // durable). May run on another thread (the access log's) than the caller's.
  using Send = std::function<void(core::Result<std::string>)>;

  // The whole confirmation: resolve, encode (on the caller's thread), record, and send --
  // at once when the answer carries no record, after its access record is durable when it does.
  void confirm(const Principal& who, const ConfirmRequest& request, Encoder encode, Send send);

  // The parts of confirm(), for tests and the reference model's differential test:
  // Validates the request and resolves it against the index, consent applied. No side effects.
  core::Result<ConfirmOutcome> resolve(const Principal& who, const ConfirmRequest& request) const;
  // Appends the access record of an answered confirmation and counts it. `on_durable` runs
  // once the record is durable.
  void record(const Principal& who, const ConfirmOutcome& outcome, Journal::Done on_durable);

 private:
  index::EligibilityIndex& index_;
  Journal& access_log_;
  Metrics& metrics_;
  Clock clock_;
  std::string node_id_;
  mutable std::atomic<std::uint64_t> sequence_{0};
};

}  // namespace onshi::services
