-- The foundation: jurisdictions, departments, subjects, credit records, list types and entries.
-- Ids are UUIDv7 text, made by the application, so that both backends share one code path and
-- keyset pagination by id follows creation order.

CREATE TABLE jurisdictions (
    code TEXT PRIMARY KEY CHECK (code ~ '^[0-9]{6}$'),
    name TEXT NOT NULL,
    parent_code TEXT REFERENCES jurisdictions (code)
);

CREATE TABLE departments (
    code TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    jurisdiction_code TEXT NOT NULL REFERENCES jurisdictions (code),
    role TEXT NOT NULL CHECK (role IN ('credit_office', 'market_regulation', 'court', 'tax', 'other'))
);
CREATE INDEX departments_jurisdiction ON departments (jurisdiction_code);

CREATE TABLE subjects (
    id TEXT PRIMARY KEY,
    code TEXT NOT NULL,
    check_exception BOOLEAN NOT NULL DEFAULT FALSE,
    kind TEXT NOT NULL CHECK (kind IN ('legal_person', 'other_organisation', 'individual_business', 'natural_person')),
    name TEXT NOT NULL,
    jurisdiction_code TEXT NOT NULL REFERENCES jurisdictions (code),
    representative_name TEXT,
    representative_id_number TEXT,
    registered_by TEXT NOT NULL REFERENCES departments (code),
    created_at TIMESTAMP NOT NULL,
    CONSTRAINT subjects_code_key UNIQUE (code)
);
CREATE INDEX subjects_jurisdiction ON subjects (jurisdiction_code, id);
CREATE INDEX subjects_kind ON subjects (kind, id);
CREATE INDEX subjects_name ON subjects (name);
CREATE INDEX subjects_representative ON subjects (representative_id_number);

CREATE TABLE list_types (
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
CREATE INDEX list_types_owner ON list_types (owner_department);

CREATE TABLE list_entries (
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
    CHECK (end_date >= start_date),
    CONSTRAINT list_entries_idempotency_key UNIQUE (created_by, idempotency_key)
);
CREATE INDEX list_entries_subject ON list_entries (subject_id, id);
CREATE INDEX list_entries_type ON list_entries (list_type_id, id);
CREATE INDEX list_entries_status_end ON list_entries (status, end_date);

CREATE TABLE credit_records (
    id TEXT PRIMARY KEY,
    subject_id TEXT NOT NULL REFERENCES subjects (id),
    kind TEXT NOT NULL CHECK (kind IN ('licence', 'penalty', 'commitment', 'honour', 'judgment', 'rating', 'other')),
    title TEXT NOT NULL,
    decision_number TEXT NOT NULL,
    decision_date DATE NOT NULL,
    publication_date DATE NOT NULL,
    legal_basis TEXT NOT NULL,
    content TEXT NOT NULL,
    source_department TEXT NOT NULL REFERENCES departments (code),
    dishonesty_class TEXT CHECK (dishonesty_class IN ('minor', 'general', 'serious')),
    publicity_end DATE,
    created_at TIMESTAMP NOT NULL,
    CHECK (publication_date >= decision_date),
    CONSTRAINT credit_records_decision_key UNIQUE (source_department, kind, decision_number)
);
CREATE INDEX credit_records_subject ON credit_records (subject_id, id);
CREATE INDEX credit_records_subject_kind ON credit_records (subject_id, kind, id);
