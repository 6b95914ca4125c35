ALTER TABLE submissions DROP COLUMN void_reason;
ALTER TABLE submissions DROP COLUMN voided_by;
ALTER TABLE submissions DROP COLUMN voided_at;
