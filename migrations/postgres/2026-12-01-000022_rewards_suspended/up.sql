-- Rewards suspended while punished: an open reward dispatch cancelled because its subject was
-- black-listed names that black entry, so that its ending can reopen it (if the red entry is
-- still in force).
ALTER TABLE dispatches ADD COLUMN suspended_by TEXT;
CREATE INDEX dispatches_suspended_by ON dispatches (suspended_by) WHERE suspended_by IS NOT NULL;
