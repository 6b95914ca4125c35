-- A person's signed-in session on the web pages. The cookie holds a random secret; only its SHA-256
-- is stored (as for API tokens), so the table read by someone else opens no session. Each session
-- has its own CSRF token for the forms, and ends on sign-out or after the idle time.
CREATE TABLE sessions (
    id TEXT PRIMARY KEY NOT NULL,
    user_id TEXT NOT NULL REFERENCES users (id),
    csrf_token TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    last_seen_at TIMESTAMP NOT NULL,
    ended_at TIMESTAMP
);
CREATE INDEX sessions_user ON sessions (user_id);
