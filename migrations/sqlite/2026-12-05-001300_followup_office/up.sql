-- The follow-up office: letters dated by the day they are made, in rounds (a sequence used up
-- starts again), cancelled or held with a reason, addressed as corrected, rendered under the
-- letterhead stored with them; tasks keep the step their sequence is at and why they completed;
-- the letterhead lives in the database so every process renders the same.
ALTER TABLE letters ADD COLUMN round INTEGER NOT NULL DEFAULT 0;
ALTER TABLE letters ADD COLUMN cancel_reason TEXT;
ALTER TABLE letters ADD COLUMN recipient_name TEXT;
ALTER TABLE letters ADD COLUMN recipient_address TEXT NOT NULL DEFAULT '[]';
ALTER TABLE letters ADD COLUMN letterhead TEXT NOT NULL DEFAULT '{}';
CREATE INDEX letters_print_day ON letters (channel, send_on);
CREATE INDEX letters_patient ON letters (patient_id);

ALTER TABLE followup_tasks ADD COLUMN letter_step INTEGER NOT NULL DEFAULT 0;
ALTER TABLE followup_tasks ADD COLUMN completed_reason TEXT;
-- The patient's name key, copied so the worklist sorts by name through an index; kept current by
-- patient updates. The earliest day the task's next letter can be due (NULL: plan it on the next run).
ALTER TABLE followup_tasks ADD COLUMN patient_name TEXT NOT NULL DEFAULT '';
ALTER TABLE followup_tasks ADD COLUMN next_letter_on DATE;
UPDATE followup_tasks SET patient_name =
    (SELECT name_search FROM patients WHERE patients.id = followup_tasks.patient_id);
CREATE INDEX followup_tasks_state_name_id ON followup_tasks (state, patient_name, id);
CREATE INDEX followup_tasks_name_id ON followup_tasks (patient_name, id);
-- The worklist's orders (due date, date of last contact) within a state, and the letter run's.
CREATE INDEX followup_tasks_due ON followup_tasks (due_on, id);
CREATE INDEX followup_tasks_state_due_id ON followup_tasks (state, due_on, id);
CREATE INDEX followup_tasks_state_anchor_id ON followup_tasks (state, anchor_on, id);
-- PostgreSQL starts a row-value range scan only on an index led by the compared columns.
CREATE INDEX followup_tasks_anchor_id ON followup_tasks (anchor_on, id);

CREATE TABLE registry_settings (
    name TEXT PRIMARY KEY NOT NULL,
    data TEXT NOT NULL,
    version INTEGER NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    updated_by TEXT NOT NULL
);

-- Patient search by birth date and the last four digits of the SSN (never the whole number).
ALTER TABLE patients ADD COLUMN date_of_birth TEXT;
ALTER TABLE patients ADD COLUMN ssn_last_four TEXT;
UPDATE patients SET date_of_birth = json_extract(data, '$.dateOfBirth'),
    ssn_last_four = substr(json_extract(data, '$.socialSecurityNumber'), -4);
CREATE INDEX patients_date_of_birth ON patients (date_of_birth);
CREATE INDEX patients_ssn_last_four ON patients (ssn_last_four);
