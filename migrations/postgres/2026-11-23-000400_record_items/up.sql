-- The NAACCR items without a typed field move onto their records (a JSON object naaccrId -> value,
-- NULL when there are none): one row per patient or tumor instead of two, read and written with it.
ALTER TABLE patients ADD COLUMN items TEXT;
UPDATE patients SET items = patient_items.items
    FROM patient_items WHERE patient_items.patient_id = patients.id AND patient_items.items <> '{}';
ALTER TABLE tumors ADD COLUMN items TEXT;
UPDATE tumors SET items = tumor_items.items
    FROM tumor_items WHERE tumor_items.tumor_id = tumors.id AND tumor_items.items <> '{}';
DROP TABLE patient_items;
DROP TABLE tumor_items;
