ALTER TABLE contacts DROP COLUMN created_by;
ALTER TABLE treatments DROP COLUMN created_by;
ALTER TABLE tumors DROP COLUMN created_by;
ALTER TABLE patients DROP COLUMN created_by;
DROP TABLE tumor_tombstones;
DROP TABLE record_changes;
