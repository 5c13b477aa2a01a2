-- A bank's feed names the changes it was told of by number; the change itself is read from the
-- feed, not kept twice.
ALTER TABLE watch_events DROP COLUMN at, DROP COLUMN target, DROP COLUMN action,
    DROP COLUMN target_id, DROP COLUMN subject_id, DROP COLUMN subject_code, DROP COLUMN department;
ALTER TABLE watch_events ADD CONSTRAINT watch_events_seq_fkey FOREIGN KEY (seq) REFERENCES changes (seq);
