DROP TABLE edit_run_failures;
DROP TABLE edit_runs;
ALTER TABLE tumors DROP COLUMN warnings;
