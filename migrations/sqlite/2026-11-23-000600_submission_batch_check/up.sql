-- PostgreSQL checks submission_tumors -> submissions once per statement from this step on; SQLite
-- keeps its foreign key, whose per-row check is an index probe inside the same library call.
SELECT 1;
