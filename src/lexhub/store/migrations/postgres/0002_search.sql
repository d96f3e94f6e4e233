-- lexhub schema 2 (PostgreSQL): see sqlite/0002_search.sql for what and why.
ALTER TABLE mentions ADD COLUMN profile TEXT;
ALTER TABLE mentions ADD COLUMN offcats TEXT NOT NULL DEFAULT ' ';
ALTER TABLE records ADD COLUMN offcats TEXT NOT NULL DEFAULT ' ';
CREATE INDEX records_occurred ON records (occurred);
