-- lexhub schema 2 (SQLite): what search needs beyond the blocking keys.
--  mentions.profile: the mention's scoring fields that have no column (aliases, monikers,
--    phones, addresses, marks, identifiers, eye, hair) as compact JSON, so candidates are
--    scored without reading and decoding whole record versions.
--  mentions.offcats / records.offcats: the record's NIBRS offense categories as
--    " cat1 cat2 " (leading and trailing space), so a withholding rule conditioned on an
--    offense category ("victims of sex offenses") is part of the storage query.
-- Rows written by schema 1 keep NULLs: they are scored from their columns only and match
-- no category; re-ingest them to index them fully.
ALTER TABLE mentions ADD COLUMN profile TEXT;
ALTER TABLE mentions ADD COLUMN offcats TEXT NOT NULL DEFAULT ' ';
ALTER TABLE records ADD COLUMN offcats TEXT NOT NULL DEFAULT ' ';
CREATE INDEX records_occurred ON records (occurred);
