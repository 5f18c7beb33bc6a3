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

// Version 2: one truth for every process (issue 6).
// - coverages gain symbol_key / number_key, core::match_key of symbol and number, so a load can
//   read a card key's coverages from the store inside its own transaction instead of from one
//   process's index. The unique key moves to them: two typings of one card are one card
//   (docs/eligibility-rules.md N2), and the same index answers lookups by card key. SQLite
//   cannot drop a table constraint, so the table is rebuilt; onshi_match_key() is the C++
//   core::match_key registered on every connection (sqlite_store.cpp).
// - coverages_by_load lets a node re-read what one load wrote when it follows the change log.
// - changes: the change log. seq is the rowid: max+1 under the write lock, never deleted, so
//   commit order = seq order without gaps.
constexpr const char* kV2 = R"sql(
CREATE TABLE coverages_v2 (
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
  symbol_key                   TEXT NOT NULL,
  number_key                   TEXT NOT NULL,
  load_id                      INTEGER NOT NULL REFERENCES loads (id) DEFERRABLE INITIALLY DEFERRED,
  updated_at                   TEXT NOT NULL,
  UNIQUE (insurer_number, symbol_key, number_key, branch, acquired_on)
);
INSERT INTO coverages_v2
  SELECT id, insurer_number, symbol, number, branch, relationship, insured_name, name, name_kana,
         sex, birth_date, address, postcode, acquired_on, lost_on, loss_reason, card_issued_on,
         card_valid_from, card_valid_until, copay_ratio, elderly_copay_ratio, elderly_valid_from,
         elderly_valid_until, limit_category, limit_valid_from, limit_valid_until,
         specific_disease, specific_disease_valid_from, specific_disease_valid_until, person_key,
         onshi_match_key(symbol), onshi_match_key(number), load_id, updated_at
  FROM coverages ORDER BY id;
DROP TABLE coverages;
ALTER TABLE coverages_v2 RENAME TO coverages;
CREATE INDEX coverages_by_load ON coverages (load_id, id);

CREATE TABLE changes (
  seq     INTEGER PRIMARY KEY,
  kind    INTEGER NOT NULL,
  load_id INTEGER NOT NULL DEFAULT 0,
  at_ms   INTEGER NOT NULL
);
)sql";

// Version 3: the access journal (issue 7, docs/journal.md). One hash chain per node, imported
// from the nodes' journal files; (node_id, seq) makes a re-import a no-op. The indexes answer
// "by facility and time" (operator), "by time" and "by person" (coverage_id). access_log
// stays, read-only, with what was written before: its records have no chain to verify.
constexpr const char* kV3 = R"sql(
CREATE TABLE journal (
  node_id       TEXT NOT NULL,
  seq           INTEGER NOT NULL,
  at_ms         INTEGER NOT NULL,
  facility_code TEXT NOT NULL,
  facility_type INTEGER NOT NULL,
  actor         TEXT NOT NULL,
  method        INTEGER NOT NULL,
  coverage_id   INTEGER NOT NULL,
  validity      INTEGER NOT NULL,
  request_id    TEXT NOT NULL,
  prev_hash     TEXT NOT NULL,
  hash          TEXT NOT NULL,
  PRIMARY KEY (node_id, seq)
) WITHOUT ROWID;
CREATE INDEX journal_by_time ON journal (at_ms);
CREATE INDEX journal_by_facility ON journal (facility_code, at_ms);
CREATE INDEX journal_by_coverage ON journal (coverage_id, at_ms);

CREATE TABLE journal_anchors (
  node_id TEXT NOT NULL,
  seq     INTEGER NOT NULL,
  hash    TEXT NOT NULL,
  at_ms   INTEGER NOT NULL,
  PRIMARY KEY (node_id, seq)
) WITHOUT ROWID;
)sql";

constexpr std::array<Migration, 3> kMigrations{{
    {1, kV1},
    {2, kV2},
    {3, kV3},
}};

}  // namespace

std::span<const Migration> migrations() {
  return kMigrations;
}

int latest_schema_version() {
  return kMigrations.back().version;
}

}  // namespace onshi::store::sqlite
