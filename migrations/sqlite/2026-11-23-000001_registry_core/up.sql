-- Registry core: API tokens, audit log, patients, tumors, treatments and follow-up contacts.
-- Each record keeps its validated JSON document in `data`; the columns beside it are what lists filter on.
CREATE TABLE api_tokens (
    id TEXT PRIMARY KEY NOT NULL,
    name TEXT NOT NULL,
    role TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    created_at TIMESTAMP NOT NULL,
    revoked_at TIMESTAMP
);

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

CREATE TABLE patients (
    id TEXT PRIMARY KEY NOT NULL,
    version INTEGER NOT NULL,
    patient_id_number TEXT NOT NULL UNIQUE,
    name_search TEXT NOT NULL,
    date_of_last_contact TEXT,
    vital_status TEXT NOT NULL,
    data TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX patients_name_search ON patients (name_search);

CREATE TABLE tumors (
    id TEXT PRIMARY KEY NOT NULL,
    patient_id TEXT NOT NULL REFERENCES patients (id),
    version INTEGER NOT NULL,
    primary_site TEXT NOT NULL,
    histology TEXT NOT NULL,
    behavior TEXT NOT NULL,
    diagnosis_year INTEGER NOT NULL,
    class_of_case TEXT NOT NULL,
    reporting_facility TEXT,
    data TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX tumors_patient ON tumors (patient_id);
CREATE INDEX tumors_site ON tumors (primary_site);
CREATE INDEX tumors_diagnosis_year ON tumors (diagnosis_year);

CREATE TABLE treatments (
    id TEXT PRIMARY KEY NOT NULL,
    tumor_id TEXT NOT NULL REFERENCES tumors (id),
    version INTEGER NOT NULL,
    modality TEXT NOT NULL,
    data TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX treatments_tumor ON treatments (tumor_id);

CREATE TABLE contacts (
    id TEXT PRIMARY KEY NOT NULL,
    patient_id TEXT NOT NULL REFERENCES patients (id),
    version INTEGER NOT NULL,
    contact_date TEXT NOT NULL,
    vital_status TEXT NOT NULL,
    data TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX contacts_patient ON contacts (patient_id);

CREATE TABLE contact_tumors (
    contact_id TEXT NOT NULL REFERENCES contacts (id),
    tumor_id TEXT NOT NULL REFERENCES tumors (id),
    cancer_status TEXT NOT NULL,
    PRIMARY KEY (contact_id, tumor_id)
);
CREATE INDEX contact_tumors_tumor ON contact_tumors (tumor_id);
