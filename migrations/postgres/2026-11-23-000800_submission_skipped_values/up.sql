-- What a batch's file could not carry (values longer than the item, duplicates, items of another
-- level or unknown to the version), as JSON: [{"naaccrId", "reason", "count"}]. Items the record
-- type leaves out by design are not listed.
ALTER TABLE submissions ADD COLUMN skipped TEXT NOT NULL DEFAULT '[]';
