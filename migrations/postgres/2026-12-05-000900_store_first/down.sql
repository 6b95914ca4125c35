DROP INDEX patients_edit_status;
ALTER TABLE patients DROP COLUMN edit_status;
ALTER TABLE patients DROP COLUMN findings;

-- Uncoded values go back as empty codes and year 0; findings other than warnings are dropped.
DROP INDEX tumors_edit_status;
UPDATE tumors SET findings = NULL WHERE edit_status = 'clean';
ALTER TABLE tumors DROP COLUMN edit_status;
ALTER TABLE tumors RENAME COLUMN findings TO warnings;
UPDATE tumors SET primary_site = COALESCE(primary_site, ''), histology = COALESCE(histology, ''),
    behavior = COALESCE(behavior, ''), diagnosis_year = COALESCE(diagnosis_year, 0),
    class_of_case = COALESCE(class_of_case, '');
ALTER TABLE tumors
    ALTER COLUMN primary_site SET NOT NULL,
    ALTER COLUMN histology SET NOT NULL,
    ALTER COLUMN behavior SET NOT NULL,
    ALTER COLUMN diagnosis_year SET NOT NULL,
    ALTER COLUMN class_of_case SET NOT NULL;
