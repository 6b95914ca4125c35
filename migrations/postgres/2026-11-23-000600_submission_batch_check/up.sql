-- submission_tumors rows must name their batch. An export inserts one row per tumor it considered,
-- and PostgreSQL's row-level foreign-key check cost about 2 µs of server time a row (a million-tumor
-- batch: about 2 s of a 10-12 s export), so the rows are checked once per statement instead, against
-- the statement's new rows, and a batch that rows name cannot be deleted or renumbered.
ALTER TABLE submission_tumors DROP CONSTRAINT submission_tumors_submission_id_fkey;

CREATE FUNCTION submission_tumors_check_batch() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- The lock a foreign key takes: the batch cannot go while this transaction runs.
    PERFORM 1 FROM submissions s
        WHERE s.id IN (SELECT DISTINCT n.submission_id FROM new_rows n) FOR KEY SHARE;
    IF EXISTS (SELECT 1 FROM new_rows n
               WHERE NOT EXISTS (SELECT 1 FROM submissions s WHERE s.id = n.submission_id)) THEN
        RAISE foreign_key_violation
            USING MESSAGE = 'submission_tumors row names a submission that does not exist';
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER submission_tumors_batch_on_insert AFTER INSERT ON submission_tumors
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION submission_tumors_check_batch();
CREATE TRIGGER submission_tumors_batch_on_update AFTER UPDATE ON submission_tumors
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION submission_tumors_check_batch();

CREATE FUNCTION submissions_keep_referenced() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM submission_tumors t WHERE t.submission_id = OLD.id) THEN
        RAISE foreign_key_violation
            USING MESSAGE = 'submission is still named by submission_tumors rows';
    END IF;
    RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
END
$$;

CREATE TRIGGER submissions_keep_referenced BEFORE DELETE OR UPDATE OF id ON submissions
    FOR EACH ROW EXECUTE FUNCTION submissions_keep_referenced();
