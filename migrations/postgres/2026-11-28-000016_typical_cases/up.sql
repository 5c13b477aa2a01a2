-- Typical cases (典型案例): an applied measure put forward by its department, published once the
-- credit office approves it.
CREATE TABLE typical_cases (
    id TEXT PRIMARY KEY,
    dispatch_id TEXT NOT NULL UNIQUE REFERENCES dispatches (id),
    department TEXT NOT NULL REFERENCES departments (code),
    subject_id TEXT NOT NULL REFERENCES subjects (id),
    kind TEXT NOT NULL CHECK (kind IN ('reward', 'punishment')),
    title TEXT NOT NULL,
    summary TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('proposed', 'approved', 'rejected')),
    proposed_at TIMESTAMP NOT NULL,
    decided_at TIMESTAMP,
    decision_note TEXT
);
CREATE INDEX typical_cases_status ON typical_cases (status, id);
