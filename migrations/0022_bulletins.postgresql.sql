-- Bulletins (通报, engine/include/rectify/engine/bulletin.h): the numbered documents a campaign's
-- headquarters issues, kept as issued. The number counts per campaign per calendar year of the
-- issue date, from 1, dense: the issuer takes MAX + 1 in its transaction and the primary key
-- refuses a number two nodes took at once (the loser builds again and takes the next one,
-- adapters/store/soci/bulletin_store.cc). The content is the JSON the bulletin was built from at
-- issue time and the HTML its rendering in each language, so a later change to an item never
-- changes a published bulletin.
CREATE TABLE bulletins (
  campaign   TEXT    NOT NULL,
  year       INTEGER NOT NULL,
  number     INTEGER NOT NULL,
  round      TEXT    NOT NULL,  -- '' when no round is named
  title      TEXT    NOT NULL,
  issued_by  TEXT    NOT NULL,
  issued_at  BIGINT  NOT NULL,
  content    TEXT    NOT NULL,
  html_zh    TEXT    NOT NULL,
  html_en    TEXT    NOT NULL,
  PRIMARY KEY (campaign, year, number)
);
CREATE INDEX bulletins_by_issue ON bulletins (campaign, issued_at);
