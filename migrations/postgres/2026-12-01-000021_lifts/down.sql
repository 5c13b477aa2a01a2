ALTER TABLE typical_cases DROP COLUMN withdrawn_at;
ALTER TABLE typical_cases DROP CONSTRAINT typical_cases_status_check;
ALTER TABLE typical_cases ADD CONSTRAINT typical_cases_status_check CHECK (status IN
    ('proposed', 'approved', 'rejected'));
DROP TABLE lifts;
ALTER TABLE memorandum_versions DROP COLUMN lift_working_days;
ALTER TABLE dispatches DROP CONSTRAINT dispatches_status_check;
ALTER TABLE dispatches ADD CONSTRAINT dispatches_status_check CHECK (status IN
    ('pending', 'acknowledged', 'applied', 'not_applicable', 'cancelled'));
