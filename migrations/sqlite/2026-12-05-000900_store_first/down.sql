-- Uncoded values go back as empty codes and year 0; findings other than warnings are dropped.
-- Rebuilt as in up.sql, outside diesel's transaction with foreign keys off.
PRAGMA foreign_keys = OFF;
BEGIN IMMEDIATE;
PRAGMA legacy_alter_table = ON;
ALTER TABLE tumors RENAME TO tumors_after_000900;
CREATE TABLE tumors (
    id TEXT PRIMARY KEY NOT NULL,
    patient_id TEXT NOT NULL REFERENCES patients (id),
    version INTEGER NOT NULL,
    primary_site TEXT NOT NULL,
    histology TEXT NOT NULL,
    behavior TEXT NOT NULL,
    diagnosis_year INTEGER NOT NULL,
    class_of_case TEXT NOT NULL,
    reporting_facility TEXT,
    data TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    warnings TEXT,
    items TEXT
);
INSERT INTO tumors (id, patient_id, version, primary_site, histology, behavior, diagnosis_year,
        class_of_case, reporting_facility, data, created_at, updated_at, warnings, items)
    SELECT id, patient_id, version, COALESCE(primary_site, ''), COALESCE(histology, ''),
        COALESCE(behavior, ''), COALESCE(diagnosis_year, 0), COALESCE(class_of_case, ''),
        reporting_facility, data, created_at, updated_at,
        CASE WHEN edit_status = 'clean' THEN NULL ELSE findings END, items
    FROM tumors_after_000900;
DROP TABLE tumors_after_000900;
PRAGMA legacy_alter_table = OFF;
CREATE INDEX tumors_patient ON tumors (patient_id);
CREATE INDEX tumors_site ON tumors (primary_site);
CREATE INDEX tumors_diagnosis_year ON tumors (diagnosis_year);
DROP INDEX patients_edit_status;
ALTER TABLE patients DROP COLUMN edit_status;
ALTER TABLE patients DROP COLUMN findings;
COMMIT;
PRAGMA foreign_keys = ON;
