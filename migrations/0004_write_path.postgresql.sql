-- The write path, tuned for speed (docs/benchmarks.md, "Timers"); the SQLite variant rebuilds
-- tables, PostgreSQL only needs room on each page. A claim rewrites a timer's lease columns and a
-- firing rewrites an instance's state text, neither of them indexed: with free space on the page,
-- PostgreSQL keeps the new row version on the same page and touches no index (a HOT update).
ALTER TABLE timers SET (fillfactor = 70);
ALTER TABLE instances SET (fillfactor = 80);
