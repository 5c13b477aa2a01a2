-- Joint reward and punishment: memoranda in versions, their measures, the dispatches a listing makes,
-- the feedback that answers them, and the log of checks.

CREATE TABLE memoranda (
    id TEXT PRIMARY KEY,
    key TEXT NOT NULL,
    -- The version new listings fall under; not a foreign key, as versions point back here.
    current_version_id TEXT NOT NULL,
    retired_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL,
    CONSTRAINT memoranda_key_key UNIQUE (key)
);

CREATE TABLE memorandum_versions (
    id TEXT PRIMARY KEY,
    memorandum_id TEXT NOT NULL REFERENCES memoranda (id),
    version INTEGER NOT NULL CHECK (version >= 1),
    title TEXT NOT NULL,
    document_number TEXT NOT NULL,
    -- One issuing body per line.
    issued_by TEXT NOT NULL,
    effective_date DATE NOT NULL,
    -- List type codes, or all-red / all-black, comma-separated.
    list_types TEXT NOT NULL,
    feedback_due_quarters INTEGER NOT NULL CHECK (feedback_due_quarters BETWEEN 1 AND 8),
    created_by TEXT NOT NULL REFERENCES departments (code),
    created_at TIMESTAMP NOT NULL,
    CONSTRAINT memorandum_versions_number UNIQUE (memorandum_id, version)
);

CREATE TABLE measures (
    id TEXT PRIMARY KEY,
    version_id TEXT NOT NULL REFERENCES memorandum_versions (id),
    position INTEGER NOT NULL,
    code TEXT NOT NULL,
    name TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('reward', 'punishment')),
    category TEXT NOT NULL CHECK (category IN ('administrative', 'market', 'industry', 'social')),
    legal_basis TEXT NOT NULL,
    scope TEXT NOT NULL CHECK (scope IN ('city', 'national')),
    -- Comma-separated: subject, legal_representative, principal, responsible_person, actual_controller.
    reaches TEXT NOT NULL,
    -- Comma-separated short names of implementing departments (market, tax, …).
    implementers TEXT NOT NULL,
    CONSTRAINT measures_code_in_version UNIQUE (version_id, code)
);
CREATE INDEX measures_version ON measures (version_id, position);

-- The memorandum versions in force when an entry was made: checks apply these, not later ones.
CREATE TABLE entry_memoranda (
    entry_id TEXT NOT NULL REFERENCES list_entries (id),
    version_id TEXT NOT NULL REFERENCES memorandum_versions (id),
    PRIMARY KEY (entry_id, version_id)
);

CREATE TABLE dispatches (
    id TEXT PRIMARY KEY,
    entry_id TEXT NOT NULL REFERENCES list_entries (id),
    measure_id TEXT NOT NULL REFERENCES measures (id),
    -- The measure's version, copied so that reads need no join; the measure's key vouches for it.
    version_id TEXT NOT NULL,
    department_code TEXT NOT NULL REFERENCES departments (code),
    status TEXT NOT NULL CHECK (status IN ('pending', 'acknowledged', 'applied', 'not_applicable', 'cancelled')),
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
-- dispatches_once (entry_id, …) serves look-ups by entry.
CREATE INDEX dispatches_department ON dispatches (department_code, id);
CREATE INDEX dispatches_created_on ON dispatches (created_on);

CREATE TABLE feedback (
    dispatch_id TEXT PRIMARY KEY REFERENCES dispatches (id),
    outcome TEXT NOT NULL CHECK (outcome IN ('applied', 'not_applicable')),
    business TEXT NOT NULL,
    note TEXT NOT NULL,
    recorded_by TEXT NOT NULL REFERENCES departments (code),
    recorded_at TIMESTAMP NOT NULL
);

CREATE TABLE checks (
    id TEXT PRIMARY KEY,
    department_code TEXT NOT NULL REFERENCES departments (code),
    subject_code TEXT NOT NULL,
    subject_id TEXT REFERENCES subjects (id),
    business TEXT NOT NULL,
    -- What was returned: entry ids and measure codes, as JSON.
    result TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    created_on DATE NOT NULL
);
CREATE INDEX checks_department ON checks (department_code, id);
CREATE INDEX checks_created_on ON checks (created_on);

CREATE INDEX list_entries_created_at ON list_entries (created_at);
CREATE INDEX credit_records_decision_date ON credit_records (decision_date);
