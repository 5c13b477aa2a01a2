-- The audit trail: every mutation, refused ones included, chained by hashes so that a changed or
-- deleted row is detected (`xinyong audit verify`).
CREATE TABLE audit_log (
    seq BIGINT PRIMARY KEY CHECK (seq >= 1),
    at TIMESTAMP NOT NULL,
    request_id TEXT NOT NULL,
    -- The token's subject, or 'anonymous'.
    actor TEXT NOT NULL,
    department TEXT,
    action TEXT NOT NULL,
    target TEXT NOT NULL,
    -- 'ok', or the error code it was refused with.
    outcome TEXT NOT NULL,
    -- SHA-256 over the action's arguments and its answer.
    digest TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);
CREATE INDEX audit_log_action ON audit_log (action, seq);
CREATE INDEX audit_log_department ON audit_log (department, seq);
