-- Each patient's export form (its NAACCR items before a dictionary is chosen, and per tumor what an
-- export filters on and records), derived from all its records. Any write to those records deletes
-- the form; the next export computes it again.
CREATE TABLE export_forms (
    patient_id TEXT PRIMARY KEY NOT NULL REFERENCES patients (id),
    form BLOB NOT NULL,
    -- Whether every tumor passed the error-level edits, and when they were run: a failure can
    -- clear with time (a date that was in the future), so a failing form serves that day only.
    passes BOOLEAN NOT NULL,
    checked_on DATE NOT NULL
);
