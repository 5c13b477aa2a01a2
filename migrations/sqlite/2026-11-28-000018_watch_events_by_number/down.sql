CREATE TABLE watch_events_old (
    bank TEXT NOT NULL,
    seq BIGINT NOT NULL,
    at TIMESTAMP NOT NULL,
    target TEXT NOT NULL,
    action TEXT NOT NULL,
    target_id TEXT NOT NULL,
    subject_id TEXT NOT NULL,
    subject_code TEXT NOT NULL,
    department TEXT,
    PRIMARY KEY (bank, seq)
);
INSERT INTO watch_events_old
    SELECT w.bank, w.seq, c.at, c.target, c.action, c.target_id, c.subject_id, c.subject_code, c.department
    FROM watch_events w JOIN changes c ON c.seq = w.seq;
DROP TABLE watch_events;
ALTER TABLE watch_events_old RENAME TO watch_events;
