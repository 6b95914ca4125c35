-- Every change keeps who, when, the field, the old and the new value: one row per field an update
-- or a deletion changed (a change of nothing: one row, field NULL). A creation is told by the
-- record itself (created_at, created_by below), so creating records, an import's many above all,
-- writes no row here; a deletion writes its creation here too, beside its last values. No
-- foreign keys: a deleted record's history stays.
CREATE TABLE record_changes (
    id TEXT NOT NULL,
    entity TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    patient_id TEXT NOT NULL,
    version INTEGER NOT NULL,
    action TEXT NOT NULL,
    at TIMESTAMP NOT NULL,
    actor_token_id TEXT,
    actor_name TEXT NOT NULL,
    field TEXT,
    old_value TEXT,
    new_value TEXT
);
-- A record's history is read by its id in time order: the one index (a write adds one row to the
-- table and one entry here; the ids are time-ordered and unique).
CREATE INDEX record_changes_entity ON record_changes (entity_id, id);

-- Who created each record (the token's name; '' for records created before this was kept).
ALTER TABLE patients ADD COLUMN created_by TEXT NOT NULL DEFAULT '';
ALTER TABLE tumors ADD COLUMN created_by TEXT NOT NULL DEFAULT '';
ALTER TABLE treatments ADD COLUMN created_by TEXT NOT NULL DEFAULT '';
ALTER TABLE contacts ADD COLUMN created_by TEXT NOT NULL DEFAULT '';

-- A deleted tumor leaves a tombstone; the next submission batch reports it (reported_in).
CREATE TABLE tumor_tombstones (
    tumor_id TEXT PRIMARY KEY NOT NULL,
    patient_id TEXT NOT NULL,
    patient_id_number TEXT NOT NULL,
    reporting_facility TEXT,
    keys TEXT NOT NULL,
    deleted_at TIMESTAMP NOT NULL,
    actor_name TEXT NOT NULL,
    reported_in TEXT
);
CREATE INDEX tumor_tombstones_unreported ON tumor_tombstones (reported_in);
