-- NAACCR submissions and imports.
-- patient_items / tumor_items keep the NAACCR items the registry has no typed field for (a JSON object
-- naaccrId -> value), so a file imported and exported again gives back every item.
CREATE TABLE patient_items (
    patient_id TEXT PRIMARY KEY NOT NULL REFERENCES patients (id),
    items TEXT NOT NULL
);

CREATE TABLE tumor_items (
    tumor_id TEXT PRIMARY KEY NOT NULL REFERENCES tumors (id),
    items TEXT NOT NULL
);

-- One submission batch: who, when, filters, counts and the file's SHA-256.
CREATE TABLE submissions (
    id TEXT PRIMARY KEY NOT NULL,
    created_at TIMESTAMP NOT NULL,
    actor_token_id TEXT,
    actor_name TEXT NOT NULL,
    record_type TEXT NOT NULL,
    naaccr_version TEXT NOT NULL,
    -- The filters as JSON: reportingFacility, dxFrom, dxTo, changedSinceLast, includeFailing.
    filters TEXT NOT NULL,
    patient_count BIGINT NOT NULL,
    tumor_count BIGINT NOT NULL,
    excluded_count BIGINT NOT NULL,
    byte_count BIGINT NOT NULL,
    sha256 TEXT NOT NULL,
    file_name TEXT NOT NULL
);

-- Every tumor a batch considered: carried (with the version and content hash sent) or left out
-- (with the error-level edits that excluded it, as JSON).
CREATE TABLE submission_tumors (
    submission_id TEXT NOT NULL REFERENCES submissions (id),
    tumor_id TEXT NOT NULL,
    tumor_version INTEGER NOT NULL,
    content_hash TEXT NOT NULL,
    included BOOLEAN NOT NULL,
    reasons TEXT,
    PRIMARY KEY (submission_id, tumor_id)
);
CREATE INDEX submission_tumors_tumor ON submission_tumors (tumor_id);
