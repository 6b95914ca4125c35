DROP TABLE contact_tumors;
DROP TABLE contacts;
DROP TABLE treatments;
DROP TABLE tumors;
DROP TABLE patients;
DROP TABLE audit_log;
DROP TABLE api_tokens;
