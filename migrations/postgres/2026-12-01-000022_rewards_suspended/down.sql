DROP INDEX dispatches_suspended_by;
ALTER TABLE dispatches DROP COLUMN suspended_by;
