-- Edits: the warnings stored with each tumor, and batch edit runs with their failing tumors.
ALTER TABLE tumors ADD COLUMN warnings TEXT;

CREATE TABLE edit_runs (
    id TEXT PRIMARY KEY NOT NULL,
    started_at TIMESTAMP NOT NULL,
    finished_at TIMESTAMP NOT NULL,
    actor_name TEXT NOT NULL,
    rule_set TEXT NOT NULL,
    filters TEXT NOT NULL,
    tumors_checked BIGINT NOT NULL,
    tumors_failing BIGINT NOT NULL,
    counts TEXT NOT NULL
);

CREATE TABLE edit_run_failures (
    run_id TEXT NOT NULL REFERENCES edit_runs (id),
    tumor_id TEXT NOT NULL,
    patient_id TEXT NOT NULL,
    findings TEXT NOT NULL,
    PRIMARY KEY (run_id, tumor_id)
);
