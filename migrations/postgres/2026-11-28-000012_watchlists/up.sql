-- Banks' watchlists (贷后监测): the subjects a bank lends to, each watched from `since` until ended.
CREATE TABLE watches (
    id TEXT PRIMARY KEY,
    bank TEXT NOT NULL REFERENCES departments (code),
    subject_id TEXT NOT NULL REFERENCES subjects (id),
    since TIMESTAMP NOT NULL,
    ended_at TIMESTAMP
);
CREATE INDEX watches_bank ON watches (bank, id);
CREATE INDEX watches_subject ON watches (subject_id);

-- What each bank was told: the changes to its watched subjects that it may see, numbered as in the
-- change feed (so in commit order) and written in the transaction of the change.
CREATE TABLE watch_events (
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
