-- Every import is kept with its report, refused files too, so a registrar can follow them.
CREATE TABLE imports (
    id TEXT PRIMARY KEY NOT NULL,
    created_at TIMESTAMP NOT NULL,
    actor_token_id TEXT,
    actor_name TEXT NOT NULL,
    file_name TEXT,
    byte_count BIGINT NOT NULL,
    status TEXT NOT NULL,
    refused_reason TEXT,
    format TEXT,
    record_type TEXT,
    naaccr_version TEXT,
    patients_read BIGINT NOT NULL,
    patients_created BIGINT NOT NULL,
    patients_updated BIGINT NOT NULL,
    patients_unchanged BIGINT NOT NULL,
    patients_rejected BIGINT NOT NULL,
    tumors_read BIGINT NOT NULL,
    report TEXT
);
