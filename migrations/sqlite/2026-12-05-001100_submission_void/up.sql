-- A batch an administrator voids (a file the central registry never received, say): its tumors
-- count as not sent, so the next "changed since last" batch carries them again.
ALTER TABLE submissions ADD COLUMN voided_at TIMESTAMP;
ALTER TABLE submissions ADD COLUMN voided_by TEXT;
ALTER TABLE submissions ADD COLUMN void_reason TEXT;
