-- Objections (异议) with their steps and deadlines, record corrections kept beside the old version,
-- and the public correction notices (更正公告).

CREATE TABLE objections (
    id TEXT PRIMARY KEY,
    receipt TEXT NOT NULL,
    -- SHA-256 of the secret query code, which only the filer holds.
    query_code_hash TEXT NOT NULL,
    subject_id TEXT NOT NULL REFERENCES subjects (id),
    target_kind TEXT NOT NULL CHECK (target_kind IN ('entry', 'record')),
    entry_id TEXT REFERENCES list_entries (id),
    record_id TEXT REFERENCES credit_records (id),
    owner_department TEXT NOT NULL REFERENCES departments (code),
    reason TEXT NOT NULL,
    contact TEXT NOT NULL,
    -- One reference per line.
    evidence TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('submitted', 'accepted', 'upheld', 'rejected', 'not_accepted')),
    filed_on DATE NOT NULL,
    accept_by DATE,
    decide_by DATE,
    created_at TIMESTAMP NOT NULL,
    CONSTRAINT objections_receipt_key UNIQUE (receipt),
    CHECK ((target_kind = 'entry' AND entry_id IS NOT NULL AND record_id IS NULL)
        OR (target_kind = 'record' AND record_id IS NOT NULL AND entry_id IS NULL))
);
CREATE INDEX objections_owner ON objections (owner_department, id);
CREATE INDEX objections_entry ON objections (entry_id);
CREATE INDEX objections_record ON objections (record_id);
CREATE INDEX objections_status ON objections (status);

CREATE TABLE objection_steps (
    objection_id TEXT NOT NULL REFERENCES objections (id),
    seq INTEGER NOT NULL,
    status TEXT NOT NULL,
    actor TEXT NOT NULL,
    note TEXT NOT NULL,
    at TIMESTAMP NOT NULL,
    PRIMARY KEY (objection_id, seq)
);

-- Deadlines other than the defaults, per list type ('list_type:CODE') or record kind ('record_kind:KIND').
CREATE TABLE objection_deadlines (
    target TEXT PRIMARY KEY,
    accept_working_days INTEGER NOT NULL CHECK (accept_working_days BETWEEN 1 AND 60),
    decide_working_days INTEGER NOT NULL CHECK (decide_working_days BETWEEN 1 AND 60)
);

ALTER TABLE credit_records ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
ALTER TABLE credit_records ADD COLUMN withdrawn_at TIMESTAMP;

-- Earlier versions of corrected records.
CREATE TABLE credit_record_versions (
    record_id TEXT NOT NULL REFERENCES credit_records (id),
    version INTEGER NOT NULL,
    title TEXT NOT NULL,
    content TEXT NOT NULL,
    legal_basis TEXT NOT NULL,
    publicity_end DATE,
    replaced_at TIMESTAMP NOT NULL,
    objection_id TEXT REFERENCES objections (id),
    PRIMARY KEY (record_id, version)
);

CREATE TABLE correction_notices (
    id TEXT PRIMARY KEY,
    objection_id TEXT NOT NULL REFERENCES objections (id),
    subject_id TEXT NOT NULL REFERENCES subjects (id),
    target_kind TEXT NOT NULL,
    target_id TEXT NOT NULL,
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    published_at TIMESTAMP NOT NULL
);
CREATE INDEX correction_notices_subject ON correction_notices (subject_id, id);
