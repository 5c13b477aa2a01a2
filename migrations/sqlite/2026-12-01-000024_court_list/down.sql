PRAGMA foreign_keys = OFF;
BEGIN;
CREATE TABLE list_entries_rebuilt (
    id TEXT PRIMARY KEY,
    subject_id TEXT NOT NULL REFERENCES subjects (id),
    list_type_id TEXT NOT NULL REFERENCES list_types (id),
    reason TEXT NOT NULL,
    basis_document TEXT NOT NULL,
    start_date DATE NOT NULL,
    end_date DATE NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('active', 'expired', 'revoked', 'repaired')),
    revocation_reason TEXT,
    created_by TEXT NOT NULL REFERENCES departments (code),
    created_at TIMESTAMP NOT NULL,
    ended_at TIMESTAMP,
    idempotency_key TEXT,
    relisted_after_repair BOOLEAN NOT NULL DEFAULT FALSE,
    CHECK (end_date >= start_date),
    CONSTRAINT list_entries_idempotency_key UNIQUE (created_by, idempotency_key)
);
INSERT INTO list_entries_rebuilt (id, subject_id, list_type_id, reason, basis_document, start_date, end_date, status, revocation_reason, created_by, created_at, ended_at, idempotency_key, relisted_after_repair)
    SELECT id, subject_id, list_type_id, reason, basis_document, start_date, end_date, status, revocation_reason, created_by, created_at, ended_at, idempotency_key, relisted_after_repair FROM list_entries;
DROP TABLE list_entries;
ALTER TABLE list_entries_rebuilt RENAME TO list_entries;
CREATE INDEX list_entries_subject ON list_entries (subject_id, id);
CREATE INDEX list_entries_type ON list_entries (list_type_id, id);
CREATE INDEX list_entries_status_end ON list_entries (status, end_date);
CREATE INDEX list_entries_created_at ON list_entries (created_at);
CREATE TABLE list_types_rebuilt (
    id TEXT PRIMARY KEY,
    code TEXT NOT NULL,
    name TEXT NOT NULL,
    colour TEXT NOT NULL CHECK (colour IN ('red', 'black')),
    owner_department TEXT NOT NULL REFERENCES departments (code),
    default_period_months INTEGER NOT NULL CHECK (default_period_months BETWEEN 1 AND 120),
    legal_basis TEXT NOT NULL,
    description TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    CONSTRAINT list_types_code_key UNIQUE (code)
);
INSERT INTO list_types_rebuilt (id, code, name, colour, owner_department, default_period_months, legal_basis, description, created_at)
    SELECT id, code, name, colour, owner_department, default_period_months, legal_basis, description, created_at FROM list_types;
DROP TABLE list_types;
ALTER TABLE list_types_rebuilt RENAME TO list_types;
CREATE INDEX list_types_owner ON list_types (owner_department);
CREATE TABLE departments_rebuilt (
    code TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    jurisdiction_code TEXT NOT NULL REFERENCES jurisdictions (code),
    role TEXT NOT NULL CHECK (role IN ('credit_office', 'market_regulation', 'court', 'tax', 'other'))
);
INSERT INTO departments_rebuilt (code, name, jurisdiction_code, role)
    SELECT code, name, jurisdiction_code, role FROM departments;
DROP TABLE departments;
ALTER TABLE departments_rebuilt RENAME TO departments;
CREATE INDEX departments_jurisdiction ON departments (jurisdiction_code);
COMMIT;
PRAGMA foreign_keys = ON;
