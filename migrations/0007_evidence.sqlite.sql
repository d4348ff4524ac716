-- Evidence files uploaded through the API (POST /api/v1/items/{id}/evidence) and the public
-- reporter's tickets (POST /api/v1/public/reports). See docs/architecture.md, "Evidence files".
--
-- A file's bytes are kept once, keyed by the SHA-256 hex of its content (the same photo sent for
-- two items, or twice, is one row), as base64 text: one code path on both backends, and the
-- database backup carries the files with the records that name them. item_evidence says which
-- item a file was uploaded for, under which display name, by whom; only those files may be named
-- by an event on that item or downloaded through it.
CREATE TABLE evidence_blobs (
  sha256     TEXT   NOT NULL PRIMARY KEY,
  type       TEXT   NOT NULL,
  size       BIGINT NOT NULL,
  content    TEXT   NOT NULL,
  created_at BIGINT NOT NULL
);

CREATE TABLE item_evidence (
  item_id     TEXT   NOT NULL,
  sha256      TEXT   NOT NULL REFERENCES evidence_blobs (sha256),
  name        TEXT   NOT NULL,
  uploaded_by TEXT   NOT NULL,
  uploaded_at BIGINT NOT NULL,
  PRIMARY KEY (item_id, sha256)
);

-- A public report's ticket: the code the reporter types, the SHA-256 hex of the secret shown to
-- them once, the item it became, and how to reach them (never shown to the reporter again).
CREATE TABLE public_reports (
  ticket      TEXT   NOT NULL PRIMARY KEY,
  secret_hash TEXT   NOT NULL,
  item_id     TEXT   NOT NULL,
  contact     TEXT   NOT NULL,
  address     TEXT   NOT NULL,
  created_at  BIGINT NOT NULL
);
