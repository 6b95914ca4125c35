-- Store first, flag what is wrong: a tumor is stored while its site, morphology, diagnosis date or
-- class of case is still unknown (an abstract in progress, a central registry's record), so those
-- filter columns become nullable; every patient and tumor keeps its edit findings and edit status
-- (clean, warnings, errors) beside it, refreshed on every write of the patient's records.
ALTER TABLE tumors
    ALTER COLUMN primary_site DROP NOT NULL,
    ALTER COLUMN histology DROP NOT NULL,
    ALTER COLUMN behavior DROP NOT NULL,
    ALTER COLUMN diagnosis_year DROP NOT NULL,
    ALTER COLUMN class_of_case DROP NOT NULL;
ALTER TABLE tumors RENAME COLUMN warnings TO findings;
ALTER TABLE tumors ADD COLUMN edit_status TEXT NOT NULL DEFAULT 'clean';
UPDATE tumors SET edit_status = 'warnings' WHERE findings IS NOT NULL;
CREATE INDEX tumors_edit_status ON tumors (edit_status);

ALTER TABLE patients ADD COLUMN findings TEXT;
ALTER TABLE patients ADD COLUMN edit_status TEXT NOT NULL DEFAULT 'clean';
CREATE INDEX patients_edit_status ON patients (edit_status);
