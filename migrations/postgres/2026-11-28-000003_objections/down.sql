DROP TABLE correction_notices;
DROP TABLE credit_record_versions;
ALTER TABLE credit_records DROP COLUMN withdrawn_at;
ALTER TABLE credit_records DROP COLUMN version;
DROP TABLE objection_deadlines;
DROP TABLE objection_steps;
DROP TABLE objections;
