CREATE TABLE patient_items (
    patient_id TEXT PRIMARY KEY NOT NULL REFERENCES patients (id),
    items TEXT NOT NULL
);
CREATE TABLE tumor_items (
    tumor_id TEXT PRIMARY KEY NOT NULL REFERENCES tumors (id),
    items TEXT NOT NULL
);
INSERT INTO patient_items (patient_id, items) SELECT id, items FROM patients WHERE items IS NOT NULL;
INSERT INTO tumor_items (tumor_id, items) SELECT id, items FROM tumors WHERE items IS NOT NULL;
ALTER TABLE patients DROP COLUMN items;
ALTER TABLE tumors DROP COLUMN items;
