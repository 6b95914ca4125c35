-- People who sign in to the web pages (API tokens stay for machines): the name they sign in with,
-- their role, an argon2id password hash (PHC string), and the failed sign-ins that lock the account.
CREATE TABLE users (
    id TEXT PRIMARY KEY NOT NULL,
    name TEXT NOT NULL UNIQUE,
    role TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    failed_sign_ins INTEGER NOT NULL DEFAULT 0,
    locked_until TIMESTAMP,
    created_at TIMESTAMP NOT NULL,
    disabled_at TIMESTAMP
);
