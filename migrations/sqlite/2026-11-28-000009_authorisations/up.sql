-- Authorised queries (授权查询): a subject lets a named bank fetch its credit report for a purpose
-- until a date; it can revoke at any time.
CREATE TABLE authorisations (
    id TEXT PRIMARY KEY,
    subject_id TEXT NOT NULL REFERENCES subjects (id),
    -- The bank's department code.
    bank TEXT NOT NULL,
    -- 'lending' (信易贷) or 'bidding' (公共资源交易).
    purpose TEXT NOT NULL,
    valid_from DATE NOT NULL,
    valid_until DATE NOT NULL,
    granted_at TIMESTAMP NOT NULL,
    revoked_at TIMESTAMP
);
CREATE INDEX authorisations_subject ON authorisations (subject_id, bank);
