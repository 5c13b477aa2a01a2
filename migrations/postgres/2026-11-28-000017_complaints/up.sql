-- Complaints (投诉) about how a department handled something; followed with a receipt and a
-- secret query code (kept only hashed), routed by the credit office, answered by the department.
CREATE TABLE complaints (
    id TEXT PRIMARY KEY,
    receipt TEXT NOT NULL UNIQUE,
    query_code_hash TEXT NOT NULL,
    category TEXT NOT NULL,
    about TEXT REFERENCES departments (code),
    description TEXT NOT NULL,
    contact TEXT,
    status TEXT NOT NULL CHECK (status IN ('submitted', 'routed', 'answered', 'closed')),
    filed_on DATE NOT NULL,
    route_by DATE,
    routed_to TEXT REFERENCES departments (code),
    answer_by DATE,
    answer TEXT,
    conclusion TEXT,
    filed_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX complaints_status ON complaints (status, id);
CREATE INDEX complaints_routed_to ON complaints (routed_to, id);
