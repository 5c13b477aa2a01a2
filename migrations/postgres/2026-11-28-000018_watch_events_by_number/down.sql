ALTER TABLE watch_events DROP CONSTRAINT watch_events_seq_fkey;
ALTER TABLE watch_events ADD COLUMN at TIMESTAMP, ADD COLUMN target TEXT, ADD COLUMN action TEXT,
    ADD COLUMN target_id TEXT, ADD COLUMN subject_id TEXT, ADD COLUMN subject_code TEXT,
    ADD COLUMN department TEXT;
UPDATE watch_events w SET at = c.at, target = c.target, action = c.action, target_id = c.target_id,
    subject_id = c.subject_id, subject_code = c.subject_code, department = c.department
    FROM changes c WHERE c.seq = w.seq;
ALTER TABLE watch_events ALTER COLUMN at SET NOT NULL, ALTER COLUMN target SET NOT NULL,
    ALTER COLUMN action SET NOT NULL, ALTER COLUMN target_id SET NOT NULL,
    ALTER COLUMN subject_id SET NOT NULL, ALTER COLUMN subject_code SET NOT NULL;
