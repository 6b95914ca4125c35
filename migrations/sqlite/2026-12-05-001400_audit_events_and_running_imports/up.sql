-- One audit event per request or job step: who, when, the operation, its outcome and the records
-- it returned or changed (a JSON array of {action, entity, ids[, to]}). The per-record rows of the
-- old log become one event each, so nothing recorded is lost.
CREATE TABLE audit_events (
    id TEXT PRIMARY KEY NOT NULL,
    at TIMESTAMP NOT NULL,
    actor_token_id TEXT,
    actor_name TEXT NOT NULL,
    operation TEXT NOT NULL,
    status INTEGER,
    records TEXT NOT NULL
);
INSERT INTO audit_events (id, at, actor_token_id, actor_name, operation, status, records)
SELECT id, at, actor_token_id, actor_name, 'recorded per record before events', NULL,
       '[{"action":"' || action || '","entity":"' || entity || '","ids":["' || entity_id || '"]}]'
FROM audit_log;
DROP TABLE audit_log;

-- An import writes batch by batch: the row exists from its start and says how far it got.
ALTER TABLE imports ADD COLUMN updated_at TIMESTAMP;
ALTER TABLE imports ADD COLUMN cancel_requested BOOLEAN NOT NULL DEFAULT FALSE;
