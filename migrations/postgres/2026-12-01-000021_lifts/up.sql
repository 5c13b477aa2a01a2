-- Lifting measures (措施解除): when an entry ends, each dispatch its department had answered
-- APPLIED becomes a lift request with its ground (wrongful: undo and restore the subject's
-- standing; ended: stop applying it), which the department confirms within working days.
ALTER TABLE dispatches DROP CONSTRAINT dispatches_status_check;
ALTER TABLE dispatches ADD CONSTRAINT dispatches_status_check CHECK (status IN
    ('pending', 'acknowledged', 'applied', 'not_applicable', 'cancelled', 'lift_requested', 'lifted'));

ALTER TABLE memorandum_versions ADD COLUMN lift_working_days INTEGER NOT NULL DEFAULT 5
    CHECK (lift_working_days BETWEEN 1 AND 30);

CREATE TABLE lifts (
    id TEXT PRIMARY KEY,
    dispatch_id TEXT NOT NULL REFERENCES dispatches (id),
    -- The implementing department, copied from the dispatch for its inbox and its figures.
    department_code TEXT NOT NULL,
    ground TEXT NOT NULL CHECK (ground IN ('wrongful', 'ended')),
    requested_at TIMESTAMP NOT NULL,
    -- The date in China it was requested: working days count from here.
    requested_on DATE NOT NULL,
    -- The memorandum's term when it was requested.
    working_days INTEGER NOT NULL CHECK (working_days BETWEEN 1 AND 30),
    lift_by DATE,
    confirmed_at TIMESTAMP,
    confirmed_on DATE,
    business TEXT,
    note TEXT
);
CREATE INDEX lifts_dispatch ON lifts (dispatch_id, id);
CREATE INDEX lifts_department ON lifts (department_code, requested_on);
-- At most one open request per dispatch.
CREATE UNIQUE INDEX lifts_one_open ON lifts (dispatch_id) WHERE confirmed_at IS NULL;
CREATE INDEX lifts_pending_deadline ON lifts (requested_on) WHERE lift_by IS NULL;

-- A typical case whose entry is revoked as wrongful is withdrawn from publication.
ALTER TABLE typical_cases DROP CONSTRAINT typical_cases_status_check;
ALTER TABLE typical_cases ADD CONSTRAINT typical_cases_status_check CHECK (status IN
    ('proposed', 'approved', 'rejected', 'withdrawn'));
ALTER TABLE typical_cases ADD COLUMN withdrawn_at TIMESTAMP;
