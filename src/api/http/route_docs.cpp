#include "api/http/route_docs.hpp"

namespace onshi::api::http::docs {
namespace {

using core::ErrorCode;

// ---- shared shapes

// A reason or notice: the catalogue's code and remedy, the sentence with its dates filled in.
constexpr Field kExplained[] = {
    {"code", "string", "Stable code from the error catalogue (GET /v1/errors).", true},
    {"message_ja", "string", "What happened, in Japanese, with the dates filled in.", true},
    {"message_en", "string", "What happened, in English.", true},
    {"remedy_ja", "string", "What to do, in Japanese.", true},
    {"remedy_en", "string", "What to do, in English.", true},
};

constexpr Field kErrorMembers[] = {
    {"code", "string", "Stable code (part of the API).", true},
    {"message_ja", "string", "Message in Japanese.", true},
    {"message_en", "string", "Message in English.", true},
    {"remedy_ja", "string", "What to do, in Japanese.", true},
    {"remedy_en", "string", "What to do, in English.", true},
    {"detail", "string", "English detail; never holds personal data; may change."},
};

// ---- POST /v1/eligibility/confirm

constexpr Field kConfirmRequest[] = {
    {"insurer_number", "string",
     "保険者番号: 8 digits, or 6 for 国保; zero- or space-padded to 8 is fine; full-width digits, "
     "spaces and hyphens are ignored; check digit verified.",
     true},
    {"symbol", "string",
     "記号 as on the card (may be empty, may hold hyphens, kana, kanji); matched on the one "
     "normalisation of eligibility-rules.md N2."},
    {"number", "string", "番号 as on the card, normalised the same way.", true},
    {"branch", "string",
     "枝番 (\"1\" or \"01\"); without it the birth date picks the family member."},
    {"birth_date", "string",
     "1972-05-01, 19720501, 1972/5/1, S47.05.01, 昭和47年5月1日, R6/1/5; full-width digits "
     "accepted.",
     true},
    {"as_of", "string", "資格確認日, same forms; default today in Japan (JST)."},
    {"self_pay_limit_consent", "boolean",
     "true when the patient agreed to share 限度額適用認定証 information."},
    {"specific_disease_consent", "boolean",
     "true when the patient agreed to share 特定疾病療養受療証 information."},
    {"arbitrary_id", "string", "Up to 64 bytes, echoed back (the レセコン's own id)."},
};

constexpr Field kTermRatio[] = {
    {"copay_ratio", "integer", "Co-pay ratio in 割 (1, 2, 3).", true},
    {"valid_from", "string", "First day.", true, true, "date"},
    {"valid_until", "string", "Last day.", true, true, "date"},
};
constexpr Field kTermLimit[] = {
    {"category", "string", "限度額適用区分 A01–A06, B01–B10.", true},
    {"valid_from", "string", "First day.", true, true, "date"},
    {"valid_until", "string", "Last day.", true, true, "date"},
};
constexpr Field kTermDisease[] = {
    {"disease", "integer",
     "特定疾病区分: 1 dialysis, 2 coagulation factor disorder, 3 blood-product HIV.", true},
    {"valid_from", "string", "First day.", true, true, "date"},
    {"valid_until", "string", "Last day.", true, true, "date"},
};

constexpr Field kRecord[] = {
    {"insurer_number", "string", "保険者番号, canonical (6 or 8 digits).", true},
    {"insurer_name", "string", "保険者名.", true},
    {"symbol", "string", "記号 exactly as the insurer wrote it.", true},
    {"number", "string", "番号 exactly as the insurer wrote it.", true},
    {"branch", "string", "枝番, 2 digits.", true},
    {"relationship", "integer", "1 本人 (insured), 2 家族 (dependant).", true},
    {"relationship_label", "string", "\"insured\" or \"dependant\".", true},
    {"insured_name", "string", "被保険者氏名: the card's 本人 (R-Q9).", true},
    {"name", "string",
     "氏名, byte for byte as registered (old-form kanji, non-BMP characters, variation "
     "sequences); family and given name separated by a full-width space.",
     true},
    {"name_kana", "string", "カナ氏名.", true},
    {"sex", "integer", "1 male, 2 female, 3 unset.", true},
    {"birth_date", "string", "生年月日.", true, true, "date"},
    {"address", "string", "住所.", true},
    {"postcode", "string", "郵便番号 (nnn-nnnn) or empty.", true},
    {"acquired_on", "string", "資格取得年月日.", true, true, "date"},
    {"lost_on", "string", "資格喪失年月日, or null while in force.", true, true, "date"},
    {"loss_reason", "string",
     "資格喪失事由: 01 death, 02 public assistance, 03 other insurance, 99 other; null while in "
     "force.",
     true, true},
    {"card_issued_on", "string", "The card's issue date.", true, true, "date"},
    {"card_valid_from", "string", "The card's own validity start.", true, true, "date"},
    {"card_valid_until", "string", "The card's own validity end.", true, true, "date"},
    {"copay_ratio", "integer", "一部負担金割合 in 割 as registered.", true},
    {"applicable_copay_ratio", "integer",
     "The ratio the desk charges on as_of (the elderly recipient ratio when those terms apply, "
     "R-Q11).",
     true},
    {"elderly_recipient",
     "object",
     "高齢受給者証 terms, only when in force on as_of and the patient is 70–74 that day.",
     true,
     true,
     {},
     kTermRatio},
    {"self_pay_limit",
     "object",
     "限度額適用認定証 terms. Present only when self_pay_limit_consent was true; null unless in "
     "force on as_of.",
     false,
     true,
     {},
     kTermLimit},
    {"specific_disease",
     "object",
     "特定疾病療養受療証 terms. Present only when specific_disease_consent was true; null unless "
     "in "
     "force on as_of.",
     false,
     true,
     {},
     kTermDisease},
    {"my_number_linked", "boolean", "Whether the insurer linked this member to a My Number.", true},
};

constexpr Field kConfirmAnswer[] = {
    {"confirmation_id", "string", "This confirmation's id (node-time-sequence), as journalled.",
     true},
    {"reference_classification", "integer", "照会区分: 1 My Number Card, 2 insurance-card data.",
     true},
    {"as_of", "string", "The confirmation date used.", true, false, "date"},
    {"validity", "integer",
     "資格有効性: 1 valid, 2 invalid (lost or not started), 3 invalid, a newer coverage of the "
     "same person exists, 4 no matching coverage, 5 several persons match.",
     true},
    {"validity_label", "string",
     "valid, invalid, invalid_newer_coverage_exists, no_matching_coverage, several_match.", true},
    {"arbitrary_id", "string", "The request's arbitrary_id, when one was sent."},
    {"reason",
     "object",
     "Why the answer is not valid (an ELIGIBILITY_* code), or null when valid.",
     true,
     true,
     {},
     kExplained},
    {"notices",
     "array",
     "What a valid answer also tells the desk (NOTICE_CARD_VALIDITY_ENDED, "
     "NOTICE_CARD_NOT_YET_VALID); usually empty.",
     true,
     false,
     {},
     kExplained},
    {"record",
     "object",
     "The coverage answered with (validity 1–3), as the desk sees it on as_of; null for 4 and 5.",
     true,
     true,
     {},
     kRecord},
};

constexpr Body kConfirmBodies[] = {
    {"application/json", "The card data as typed at the desk.", kConfirmRequest}};

constexpr ErrorCode kConfirmErrors[] = {
    ErrorCode::kRequestBodyInvalid,
    ErrorCode::kRequestFieldMissing,
    ErrorCode::kRequestFieldInvalid,
    ErrorCode::kInsurerNumberFormat,
    ErrorCode::kInsurerNumberCheckDigit,
    ErrorCode::kInsuredNumberFormat,
    ErrorCode::kBranchFormat,
    ErrorCode::kDateFormat,
    ErrorCode::kDateOutOfRange,
    ErrorCode::kEraUnknown,
    ErrorCode::kUnavailable,
};

// ---- POST /v1/registrations

constexpr Field kRejectedRow[] = {
    {"line", "integer", "The row's line in the file (1 = header).", true},
    {"code", "string", "Stable code (ROW_*, DATE_*, …).", true},
    {"message_ja", "string", "Message in Japanese.", true},
    {"message_en", "string", "Message in English.", true},
    {"remedy_ja", "string", "What to do, in Japanese.", true},
    {"remedy_en", "string", "What to do, in English.", true},
    {"detail", "string", "English detail naming the field; never personal data."},
};

constexpr Field kLoadReceipt[] = {
    {"load_id", "integer", "The load's id in the store (0 when nothing was committed).", true},
    {"rows_total", "integer", "Data rows read.", true},
    {"rows_applied", "integer", "Rows committed by this load.", true},
    {"rows_already_applied", "integer",
     "Rows an earlier load already applied (same normalised event): resending is safe.", true},
    {"rows_rejected", "integer", "Rows refused, each listed in rejected.", true},
    {"rejected",
     "array",
     "Each refused row with its line, code and reason.",
     true,
     false,
     {},
     kRejectedRow},
    {"error",
     "object",
     "A file-level problem (FILE_HEADER_INVALID, FILE_ENCODING): the whole file was refused.",
     false,
     false,
     {},
     kErrorMembers},
};

constexpr Body kRegistrationBodies[] = {
    {"text/csv", "The registration file as CSV (docs/registration-format.md)."},
    {"application/x-ndjson", "The registration file as JSON Lines."},
    {"application/octet-stream", "Either form, sniffed: '{' first means JSON Lines."},
};

constexpr ErrorCode kRegistrationErrors[] = {
    ErrorCode::kFileHeaderInvalid,    ErrorCode::kFileEncoding, ErrorCode::kFileTooLarge,
    ErrorCode::kUnsupportedMediaType, ErrorCode::kUnavailable,
};

// ---- GET /v1/stats/daily

constexpr QueryParam kDailyStatsQuery[] = {
    {"from", "integer", "First day, YYYYMMDD (JST); default the beginning."},
    {"to", "integer", "Last day, YYYYMMDD (JST); default the end."},
};

constexpr Field kDailyCount[] = {
    {"day", "integer", "YYYYMMDD in Japan time.", true},
    {"facility_type", "string", "hospital, medical_clinic, dental_clinic, pharmacy.", true},
    {"method", "string", "insurance_card, my_number_card, batch.", true},
    {"validity", "integer", "資格有効性 1–5.", true},
    {"count", "integer", "Confirmations.", true},
};

constexpr ErrorCode kDailyStatsErrors[] = {ErrorCode::kUnavailable};

// ---- GET /healthz, /v1/errors

constexpr Field kHealthAnswer[] = {
    {"status", "string", "\"ok\".", true},
    {"coverages", "integer", "Coverages in this node's in-memory index.", true},
};

constexpr Field kCatalogueEntry[] = {
    {"code", "string", "Stable code.", true},
    {"http_status", "integer", "The HTTP status it is answered with (200: a reason or notice).",
     true},
    {"message_ja", "string", "Message in Japanese.", true},
    {"message_en", "string", "Message in English.", true},
    {"remedy_ja", "string", "What to do, in Japanese.", true},
    {"remedy_en", "string", "What to do, in English.", true},
};

}  // namespace

const RouteDoc kConfirm{
    "Counter confirmation by insurance-card data (照会区分 2)",
    "Is this patient insured on as_of, with whom, at what co-pay? Which person and period "
    "answer is decided by the rules R-Q1–R-Q14 of docs/eligibility-rules.md. Unknown fields are "
    "refused so that a typo is not silently ignored. Every confirmation is journalled "
    "(facility, credential, method, internal coverage id, result, time — no names, no numbers); "
    "an answer that carries a record leaves only once its journal record is durable, else 503.",
    {},
    kConfirmBodies,
    {"application/json", "Always a validity from the real code table (資格有効性).",
     kConfirmAnswer},
    kConfirmErrors,
};

const RouteDoc kRegistrations{
    "An insurer's registration file (資格情報の登録)",
    "The whole file in one request, CSV or JSON Lines (docs/registration-format.md), at most "
    "256 MiB (use `onshi load registrations` for bigger files); a larger Content-Length is "
    "refused before the body is read. Content-Length or chunked. The body goes to a private "
    "file of the node and is loaded from there in chunks. Valid rows are committed in one "
    "transaction; rows an earlier load applied change nothing, so resending is safe. Rows "
    "under an insurer number the credential does not hold are rejected "
    "(ROW_INSURER_NOT_ALLOWED). Answered 200 also when rows were rejected.",
    {},
    kRegistrationBodies,
    {"application/json", "The load receipt.", kLoadReceipt},
    kRegistrationErrors,
};

const RouteDoc kDailyStats{
    "Daily confirmation counters (operator)",
    "Confirmations per day (JST), facility type, method and validity.",
    kDailyStatsQuery,
    {},
    {"application/json", "An array of daily counts.", kDailyCount, true},
    kDailyStatsErrors,
};

const RouteDoc kHealth{
    "Liveness and index size",
    "Answers while the process serves; the store may be away (confirmations go on).",
    {},
    {},
    {"application/json", "", kHealthAnswer},
};

const RouteDoc kMetrics{
    "Prometheus metrics",
    "onshi_http_requests_total{route,code}, onshi_http_request_duration_seconds (histogram per "
    "route of this table), onshi_confirmations_total{validity,result}, onshi_index_coverages, "
    "onshi_index_bytes, onshi_access_log_records_total.",
    {},
    {},
    {"text/plain", "The Prometheus text format 0.0.4."},
};

const RouteDoc kErrors{
    "The error catalogue",
    "Every stable code with its HTTP status, messages and remedies in Japanese and English "
    "(the same as `onshi errors`).",
    {},
    {},
    {"application/json", "An array of catalogue entries.", kCatalogueEntry, true},
};

const RouteDoc kOpenApi{
    "This API as an OpenAPI 3.1 document",
    "Generated from the route table the server dispatches with, so it cannot drift from it.",
    {},
    {},
    {"application/json", "OpenAPI 3.1."},
};

const RouteDoc kDocs{
    "This API as a page to read",
    "Every route with its fields and error codes, generated from the route table.",
    {},
    {},
    {"text/html", "An HTML page."},
};

const RouteDoc kHome{
    "Where to go from here",        "A short page pointing to /docs and /openapi.json.", {}, {},
    {"text/html", "An HTML page."},
};

}  // namespace onshi::api::http::docs
