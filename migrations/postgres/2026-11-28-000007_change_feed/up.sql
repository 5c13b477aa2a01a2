-- The change feed for upstream platforms: every change to a subject's public standing, numbered in
-- commit order (numbers are taken under a lock held until commit, so a reader that has seen number
-- N never later finds a smaller one it missed).
CREATE TABLE changes (
    seq BIGINT PRIMARY KEY CHECK (seq >= 1),
    at TIMESTAMP NOT NULL,
    -- 'subject', 'record' or 'entry'.
    target TEXT NOT NULL,
    -- 'created', 'amended', 'revoked', 'repaired' or 'expired'.
    action TEXT NOT NULL,
    target_id TEXT NOT NULL,
    subject_id TEXT NOT NULL,
    subject_code TEXT NOT NULL,
    -- The department that made the change; none for an expiry.
    department TEXT
);
CREATE INDEX changes_subject ON changes (subject_id, seq);
