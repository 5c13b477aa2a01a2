-- A bank's feed names the changes it was told of by number; the change itself is read from the
-- feed, not kept twice.
CREATE TABLE watch_events_new (
    bank TEXT NOT NULL,
    seq BIGINT NOT NULL REFERENCES changes (seq),
    PRIMARY KEY (bank, seq)
);
INSERT INTO watch_events_new (bank, seq) SELECT bank, seq FROM watch_events;
DROP TABLE watch_events;
ALTER TABLE watch_events_new RENAME TO watch_events;
