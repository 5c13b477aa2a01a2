-- Credit commitments (信用承诺): public promises by subjects, each made to a department, which
-- records whether it was kept; a broken one points at the credit record it became.
CREATE TABLE commitments (
    id TEXT PRIMARY KEY,
    subject_id TEXT NOT NULL REFERENCES subjects (id),
    kind TEXT NOT NULL,
    text TEXT NOT NULL,
    scope TEXT NOT NULL,
    department TEXT NOT NULL REFERENCES departments (code),
    valid_from DATE NOT NULL,
    valid_until DATE NOT NULL,
    made_at TIMESTAMP NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('open', 'kept', 'broken')),
    assessed_at TIMESTAMP,
    note TEXT,
    record_id TEXT REFERENCES credit_records (id)
);
CREATE INDEX commitments_subject ON commitments (subject_id, id);
CREATE INDEX commitments_department ON commitments (department, id);
