DROP TABLE tumor_tombstones;
DROP TABLE record_changes;
