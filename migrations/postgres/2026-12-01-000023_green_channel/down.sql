DROP TABLE green_channel_rules;
ALTER TABLE subjects DROP COLUMN established_on;
