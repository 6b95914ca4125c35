-- Annual follow-up: one task per patient and cycle, the reminder letters (an outbox), job runs and
-- the job lease that keeps two instances from running the same job at once.
CREATE TABLE followup_tasks (
    id TEXT PRIMARY KEY NOT NULL,
    patient_id TEXT NOT NULL REFERENCES patients (id),
    -- `<patient id>/<anchor day>`: one task per cycle, however often generation runs.
    cycle_key TEXT NOT NULL UNIQUE,
    -- The date of last contact the cycle counts from, as stored on the patient (partial date).
    last_contact TEXT NOT NULL,
    anchor_on DATE NOT NULL,
    due_on DATE NOT NULL,
    lost_on DATE NOT NULL,
    state TEXT NOT NULL,
    assignee TEXT,
    facility TEXT,
    version INTEGER NOT NULL,
    completed_by_contact_id TEXT,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX followup_tasks_patient ON followup_tasks (patient_id, last_contact);
CREATE INDEX followup_tasks_state_due ON followup_tasks (state, due_on);
CREATE INDEX followup_tasks_assignee ON followup_tasks (assignee);
CREATE INDEX followup_tasks_facility ON followup_tasks (facility);

CREATE TABLE letters (
    id TEXT PRIMARY KEY NOT NULL,
    task_id TEXT NOT NULL REFERENCES followup_tasks (id),
    patient_id TEXT NOT NULL REFERENCES patients (id),
    -- `<cycle key>/letter/<step>`: at most one letter per step and cycle.
    idempotency_key TEXT NOT NULL UNIQUE,
    step_index INTEGER NOT NULL,
    recipient TEXT NOT NULL,
    recipient_email TEXT,
    channel TEXT NOT NULL,
    template TEXT NOT NULL,
    subject TEXT NOT NULL,
    body TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    state TEXT NOT NULL,
    send_on DATE NOT NULL,
    attempts INTEGER NOT NULL,
    next_attempt_at TIMESTAMP NOT NULL,
    last_error TEXT,
    sent_at TIMESTAMP,
    printed_at TIMESTAMP,
    replied_at TIMESTAMP,
    reply_contact_id TEXT,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX letters_task ON letters (task_id);
CREATE INDEX letters_outbox ON letters (state, channel, next_attempt_at);

CREATE TABLE job_runs (
    id TEXT PRIMARY KEY NOT NULL,
    job TEXT NOT NULL,
    -- The scheduled tick (`2026-06-30T01:00`) or `manual/<id>`: a tick runs once across instances.
    period TEXT NOT NULL,
    as_of DATE NOT NULL,
    triggered_by TEXT NOT NULL,
    holder TEXT NOT NULL,
    state TEXT NOT NULL,
    counts TEXT NOT NULL,
    error TEXT,
    started_at TIMESTAMP NOT NULL,
    finished_at TIMESTAMP,
    UNIQUE (job, period)
);

CREATE TABLE job_leases (
    job TEXT PRIMARY KEY NOT NULL,
    holder TEXT NOT NULL,
    expires_at TIMESTAMP NOT NULL
);
