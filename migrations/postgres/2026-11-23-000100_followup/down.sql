DROP TABLE job_leases;
DROP TABLE job_runs;
DROP TABLE letters;
DROP TABLE followup_tasks;
