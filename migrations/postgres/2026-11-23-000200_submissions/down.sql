DROP TABLE submission_tumors;
DROP TABLE submissions;
DROP TABLE tumor_items;
DROP TABLE patient_items;
