ALTER TABLE imports DROP COLUMN cancel_requested;
ALTER TABLE imports DROP COLUMN updated_at;
CREATE TABLE audit_log (
    id TEXT PRIMARY KEY NOT NULL,
    at TIMESTAMP NOT NULL,
    actor_token_id TEXT,
    actor_name TEXT NOT NULL,
    action TEXT NOT NULL,
    entity TEXT NOT NULL,
    entity_id TEXT NOT NULL
);
CREATE INDEX audit_log_entity ON audit_log (entity, entity_id);
DROP TABLE audit_events;
