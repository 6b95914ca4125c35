-- One key led by the tumor (the "changed since" look-up, one row per tumor and batch) and a
-- partial index for the rows a batch left out, instead of a batch-led key plus a tumor index.
-- SQLite cannot change a primary key in place, so the table is rebuilt.
CREATE TABLE submission_tumors_new (
    submission_id TEXT NOT NULL REFERENCES submissions (id),
    tumor_id TEXT NOT NULL,
    tumor_version INTEGER NOT NULL,
    content_hash TEXT NOT NULL,
    included INTEGER NOT NULL,
    reasons TEXT,
    PRIMARY KEY (tumor_id, submission_id)
);
INSERT INTO submission_tumors_new
    SELECT submission_id, tumor_id, tumor_version, content_hash, included, reasons
    FROM submission_tumors;
DROP TABLE submission_tumors;
ALTER TABLE submission_tumors_new RENAME TO submission_tumors;
CREATE INDEX submission_tumors_excluded ON submission_tumors (submission_id, tumor_id)
    WHERE NOT included;
