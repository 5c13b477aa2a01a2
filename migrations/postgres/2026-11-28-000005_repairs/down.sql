ALTER TABLE list_entries DROP COLUMN relisted_after_repair;
DROP TABLE repair_rules;
DROP TABLE repairs;
