DROP TRIGGER submissions_keep_referenced ON submissions;
DROP FUNCTION submissions_keep_referenced();
DROP TRIGGER submission_tumors_batch_on_update ON submission_tumors;
DROP TRIGGER submission_tumors_batch_on_insert ON submission_tumors;
DROP FUNCTION submission_tumors_check_batch();
ALTER TABLE submission_tumors ADD CONSTRAINT submission_tumors_submission_id_fkey
    FOREIGN KEY (submission_id) REFERENCES submissions (id);
