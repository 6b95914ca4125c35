-- Every change keeps who, when, the field, the old and the new value: one row per field an update
-- or a deletion changed, one row per creation (field NULL). No foreign keys: a deleted record's
-- last values stay here.
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
