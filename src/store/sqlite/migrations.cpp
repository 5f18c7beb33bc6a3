#include "store/sqlite/migrations.hpp"

#include <array>

namespace onshi::store::sqlite {
namespace {

// load_id references are DEFERRABLE INITIALLY DEFERRED: checked at COMMIT instead of per row, so
// bulk inserts need no statement journal; commit_load writes the loads row and the rows that
// point at it in the same transaction.
// Dates are TEXT 'YYYY-MM-DD' (NULL = no date) so the file reads naturally in the sqlite3 shell;
// enums are their integer codes. Optional term groups (elderly_*, limit_*, specific_disease_*)
// are present exactly when their first column is not NULL.
constexpr const char* kV1 = R"sql(
CREATE TABLE insurers (
  number     TEXT PRIMARY KEY NOT NULL,
  name       TEXT NOT NULL,
  kind       INTEGER NOT NULL,
  prefecture INTEGER NOT NULL
);

CREATE TABLE facilities (
  code       TEXT PRIMARY KEY NOT NULL,
  name       TEXT NOT NULL,
  type       INTEGER NOT NULL,
  prefecture INTEGER NOT NULL
);

CREATE TABLE credentials (
  token_sha256 TEXT NOT NULL,
  subject      TEXT NOT NULL,
  role         INTEGER NOT NULL,
  label        TEXT NOT NULL,
  PRIMARY KEY (token_sha256, subject)
) WITHOUT ROWID;

CREATE TABLE loads (
  id                   INTEGER PRIMARY KEY,
  source               TEXT NOT NULL,
  actor                TEXT NOT NULL,
  started_at           TEXT NOT NULL,
  rows_total           INTEGER NOT NULL,
  rows_applied         INTEGER NOT NULL,
  rows_rejected        INTEGER NOT NULL,
  rows_already_applied INTEGER NOT NULL
);

CREATE TABLE coverages (
  id                           INTEGER PRIMARY KEY,
  insurer_number               TEXT NOT NULL,
  symbol                       TEXT NOT NULL,
  number                       TEXT NOT NULL,
  branch                       TEXT NOT NULL,
  relationship                 INTEGER NOT NULL,
  insured_name                 TEXT NOT NULL,
  name                         TEXT NOT NULL,
  name_kana                    TEXT NOT NULL,
  sex                          INTEGER NOT NULL,
  birth_date                   TEXT,
  address                      TEXT NOT NULL,
  postcode                     TEXT NOT NULL,
  acquired_on                  TEXT,
  lost_on                      TEXT,
  loss_reason                  INTEGER NOT NULL,
  card_issued_on               TEXT,
  card_valid_from              TEXT,
  card_valid_until             TEXT,
  copay_ratio                  INTEGER NOT NULL,
  elderly_copay_ratio          INTEGER,
  elderly_valid_from           TEXT,
  elderly_valid_until          TEXT,
  limit_category               TEXT,
  limit_valid_from             TEXT,
  limit_valid_until            TEXT,
  specific_disease             INTEGER,
  specific_disease_valid_from  TEXT,
  specific_disease_valid_until TEXT,
  person_key                   TEXT NOT NULL,
  load_id                      INTEGER NOT NULL REFERENCES loads (id) DEFERRABLE INITIALLY DEFERRED,
  updated_at                   TEXT NOT NULL,
  UNIQUE (insurer_number, symbol, number, branch, acquired_on)
);

CREATE TABLE applied_events (
  event_hash TEXT PRIMARY KEY NOT NULL,
  load_id    INTEGER NOT NULL REFERENCES loads (id) DEFERRABLE INITIALLY DEFERRED
) WITHOUT ROWID;

-- coverage_id is not a foreign key: 0 means "nothing matched", and the audit trail must outlive
-- any change to the coverages it points at.
CREATE TABLE access_log (
  id            INTEGER PRIMARY KEY,
  at_ms         INTEGER NOT NULL,
  facility_code TEXT NOT NULL,
  actor         TEXT NOT NULL,
  method        INTEGER NOT NULL,
  coverage_id   INTEGER NOT NULL,
  validity      INTEGER NOT NULL,
  request_id    TEXT NOT NULL
);
-- Both serve "newest first, limit N" without sorting the whole log.
CREATE INDEX access_log_by_time ON access_log (at_ms);
CREATE INDEX access_log_by_facility ON access_log (facility_code, at_ms);

CREATE TABLE daily_counts (
  day           INTEGER NOT NULL,
  facility_type INTEGER NOT NULL,
  method        INTEGER NOT NULL,
  validity      INTEGER NOT NULL,
  count         INTEGER NOT NULL,
  PRIMARY KEY (day, facility_type, method, validity)
) WITHOUT ROWID;
)sql";

constexpr std::array<Migration, 1> kMigrations{{
    {1, kV1},
}};

}  // namespace

std::span<const Migration> migrations() {
  return kMigrations;
}

int latest_schema_version() {
  return kMigrations.back().version;
}

}  // namespace onshi::store::sqlite
