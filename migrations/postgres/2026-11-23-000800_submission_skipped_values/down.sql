ALTER TABLE submissions DROP COLUMN skipped;
