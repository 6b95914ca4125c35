CREATE TABLE submission_tumors_old (
    submission_id TEXT NOT NULL REFERENCES submissions (id),
    tumor_id TEXT NOT NULL,
    tumor_version INTEGER NOT NULL,
    content_hash TEXT NOT NULL,
    included INTEGER NOT NULL,
    reasons TEXT,
    PRIMARY KEY (submission_id, tumor_id)
);
INSERT INTO submission_tumors_old
    SELECT submission_id, tumor_id, tumor_version, content_hash, included, reasons
    FROM submission_tumors;
DROP TABLE submission_tumors;
ALTER TABLE submission_tumors_old RENAME TO submission_tumors;
CREATE INDEX submission_tumors_tumor ON submission_tumors (tumor_id);
