-- Lifting measures (措施解除): when an entry ends, each dispatch its department had answered
-- APPLIED becomes a lift request with its ground (wrongful: undo and restore the subject's
-- standing; ended: stop applying it), which the department confirms within working days.
-- The dispatches' status CHECK gains the two lift states: SQLite rebuilds the table for that
-- (https://sqlite.org/lang_altertable.html#otheralter), with foreign keys off meanwhile.
PRAGMA foreign_keys = OFF;
BEGIN;
CREATE TABLE dispatches_rebuilt (
    id TEXT PRIMARY KEY,
    entry_id TEXT NOT NULL REFERENCES list_entries (id),
    measure_id TEXT NOT NULL REFERENCES measures (id),
    -- The measure's version, copied so that reads need no join; the measure's key vouches for it.
    version_id TEXT NOT NULL,
    department_code TEXT NOT NULL REFERENCES departments (code),
    status TEXT NOT NULL CHECK (status IN ('pending', 'acknowledged', 'applied', 'not_applicable', 'cancelled', 'lift_requested', 'lifted')),
    created_at TIMESTAMP NOT NULL,
    -- The date in China it was made: working days count from here.
    created_on DATE NOT NULL,
    acknowledge_by DATE,
    feedback_due DATE NOT NULL,
    acknowledged_at TIMESTAMP,
    answered_at TIMESTAMP,
    answered_on DATE,
    cancelled_at TIMESTAMP,
    cancel_reason TEXT,
    CONSTRAINT dispatches_once UNIQUE (entry_id, measure_id, department_code)
);
INSERT INTO dispatches_rebuilt (id, entry_id, measure_id, version_id, department_code, status, created_at, created_on, acknowledge_by, feedback_due, acknowledged_at, answered_at, answered_on, cancelled_at, cancel_reason)
    SELECT id, entry_id, measure_id, version_id, department_code, status, created_at, created_on, acknowledge_by, feedback_due, acknowledged_at, answered_at, answered_on, cancelled_at, cancel_reason FROM dispatches;
DROP TABLE dispatches;
ALTER TABLE dispatches_rebuilt RENAME TO dispatches;
-- dispatches_once (entry_id, …) serves look-ups by entry.
CREATE INDEX dispatches_department ON dispatches (department_code, id);
CREATE INDEX dispatches_created_on ON dispatches (created_on);
CREATE INDEX dispatches_acknowledge_pending ON dispatches (created_on) WHERE acknowledge_by IS NULL;

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
CREATE TABLE typical_cases_rebuilt (
    id TEXT PRIMARY KEY,
    dispatch_id TEXT NOT NULL UNIQUE REFERENCES dispatches (id),
    department TEXT NOT NULL REFERENCES departments (code),
    subject_id TEXT NOT NULL REFERENCES subjects (id),
    kind TEXT NOT NULL CHECK (kind IN ('reward', 'punishment')),
    title TEXT NOT NULL,
    summary TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('proposed', 'approved', 'rejected', 'withdrawn')),
    proposed_at TIMESTAMP NOT NULL,
    decided_at TIMESTAMP,
    decision_note TEXT,
    withdrawn_at TIMESTAMP
);
INSERT INTO typical_cases_rebuilt (id, dispatch_id, department, subject_id, kind, title, summary, status, proposed_at, decided_at, decision_note)
    SELECT id, dispatch_id, department, subject_id, kind, title, summary, status, proposed_at, decided_at, decision_note FROM typical_cases;
DROP TABLE typical_cases;
ALTER TABLE typical_cases_rebuilt RENAME TO typical_cases;
CREATE INDEX typical_cases_status ON typical_cases (status, id);
COMMIT;
PRAGMA foreign_keys = ON;
