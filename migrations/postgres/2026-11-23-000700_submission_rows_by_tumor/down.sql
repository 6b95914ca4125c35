DROP INDEX submission_tumors_excluded;
ALTER TABLE submission_tumors DROP CONSTRAINT submission_tumors_pkey;
ALTER TABLE submission_tumors ADD PRIMARY KEY (submission_id, tumor_id);
CREATE INDEX submission_tumors_tumor ON submission_tumors (tumor_id);
