#include "store/table_copy.hpp"

#include <array>

#include "store/open_store.hpp"

namespace onshi::store {

namespace {
// In dependency order (loads before the rows that name them). schema_migrations is not copied:
// the target's migrations made its own.
constexpr std::array<TableSpec, 11> kTables{{
    {"insurers", "number, name, kind, prefecture", "number"},
    {"facilities", "code, name, type, prefecture", "code"},
    {"credentials", "token_sha256, subject, role, label", "token_sha256, subject"},
    {"loads",
     "id, source, actor, started_at, rows_total, rows_applied, rows_rejected, "
     "rows_already_applied",
     "id"},
    {"coverages",
     "id, insurer_number, symbol, number, branch, relationship, insured_name, name, name_kana, "
     "sex, birth_date, address, postcode, acquired_on, lost_on, loss_reason, card_issued_on, "
     "card_valid_from, card_valid_until, copay_ratio, elderly_copay_ratio, elderly_valid_from, "
     "elderly_valid_until, limit_category, limit_valid_from, limit_valid_until, "
     "specific_disease, specific_disease_valid_from, specific_disease_valid_until, person_key, "
     "symbol_key, number_key, load_id, updated_at",
     "id"},
    {"applied_events", "event_hash, load_id", "event_hash"},
    {"access_log", "id, at_ms, facility_code, actor, method, coverage_id, validity, request_id",
     "id"},
    {"daily_counts", "day, facility_type, method, validity, count",
     "day, facility_type, method, validity"},
    {"changes", "seq, kind, load_id, at_ms", "seq"},
    {"journal",
     "node_id, seq, at_ms, facility_code, facility_type, actor, method, coverage_id, validity, "
     "request_id, prev_hash, hash",
     "node_id, seq"},
    {"journal_anchors", "node_id, seq, hash, at_ms", "node_id, seq"},
}};
}  // namespace

std::span<const TableSpec> copied_tables() {
  return kTables;
}

std::unique_ptr<TableCopy> open_table_copy(const std::string& data_dir,
                                           const std::string& store_url) {
  open_store(data_dir, store_url).reset();  // creates or migrates the schema
  if (store_url.empty()) return open_sqlite_table_copy(data_dir + "/onshi.db");
  return open_postgresql_table_copy(store_url);
}

}  // namespace onshi::store
