DROP TABLE write_gate;
DROP INDEX dispatches_acknowledge_pending;
ALTER TABLE complaints DROP COLUMN routed_on;
DROP TABLE working_calendar_years;
