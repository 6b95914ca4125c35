-- Store first, flag what is wrong: a tumor is stored while its site, morphology, diagnosis date or
-- class of case is still unknown (an abstract in progress, a central registry's record), so those
-- filter columns become nullable; every patient and tumor keeps its edit findings and edit status
-- (clean, warnings, errors) beside it, refreshed on every write of the patient's records.
-- SQLite cannot drop NOT NULL in place: the table is rebuilt as SQLite's ALTER TABLE page says,
-- with foreign keys off (so the rename leaves the other tables' references to `tumors` as they are
-- and they name the new table) and checked before the commit. Foreign keys can only be switched
-- outside a transaction, so this migration runs outside diesel's (metadata.toml) in its own.
PRAGMA foreign_keys = OFF;
BEGIN IMMEDIATE;
PRAGMA legacy_alter_table = ON;
ALTER TABLE tumors RENAME TO tumors_before_000900;
CREATE TABLE tumors (
    id TEXT PRIMARY KEY NOT NULL,
    patient_id TEXT NOT NULL REFERENCES patients (id),
    version INTEGER NOT NULL,
    primary_site TEXT,
    histology TEXT,
    behavior TEXT,
    diagnosis_year INTEGER,
    class_of_case TEXT,
    reporting_facility TEXT,
    data TEXT NOT NULL,
    findings TEXT,
    edit_status TEXT NOT NULL DEFAULT 'clean',
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    items TEXT
);
INSERT INTO tumors (id, patient_id, version, primary_site, histology, behavior, diagnosis_year,
        class_of_case, reporting_facility, data, findings, edit_status, created_at, updated_at, items)
    SELECT id, patient_id, version, primary_site, histology, behavior, diagnosis_year,
        class_of_case, reporting_facility, data, warnings,
        CASE WHEN warnings IS NULL THEN 'clean' ELSE 'warnings' END, created_at, updated_at, items
    FROM tumors_before_000900;
DROP TABLE tumors_before_000900;
PRAGMA legacy_alter_table = OFF;
CREATE INDEX tumors_patient ON tumors (patient_id);
CREATE INDEX tumors_site ON tumors (primary_site);
CREATE INDEX tumors_diagnosis_year ON tumors (diagnosis_year);
CREATE INDEX tumors_edit_status ON tumors (edit_status);

ALTER TABLE patients ADD COLUMN findings TEXT;
ALTER TABLE patients ADD COLUMN edit_status TEXT NOT NULL DEFAULT 'clean';
CREATE INDEX patients_edit_status ON patients (edit_status);
COMMIT;
PRAGMA foreign_keys = ON;
