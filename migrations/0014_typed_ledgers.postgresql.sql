-- Typed ledgers (`kind: ledger`, engine/include/rectify/definition/ledger_kind.h): the rows of the
-- registers kept beside the problem ledger (seed 002: fund transfers, supervision
-- responsibility, acceptance), appended by `rectify ledger import --kind` in one transaction per
-- file. A row keeps its cells as a JSON object (column name -> canonical text), checked against
-- the kind's version it was imported under: the columns are the definition's, not the schema's,
-- so a county adds a ledger with a YAML file and no migration.
CREATE TABLE ledger_rows (
  ledger      TEXT    NOT NULL,
  seq         BIGINT  NOT NULL,
  version     INTEGER NOT NULL,
  row_key     TEXT,
  cells       TEXT    NOT NULL,
  source      TEXT    NOT NULL,
  source_row  INTEGER NOT NULL,
  imported_by TEXT    NOT NULL,
  imported_at BIGINT  NOT NULL,
  PRIMARY KEY (ledger, seq)
);

-- A ledger with a key (`key:`) has each key once; rows of a ledger without one have no key (NULL,
-- which a unique index lets repeat on both backends).
CREATE UNIQUE INDEX ledger_rows_key ON ledger_rows (ledger, row_key);
