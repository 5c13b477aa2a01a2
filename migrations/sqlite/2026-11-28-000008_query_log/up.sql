-- The query log (查询记录): every look-up of a subject by a token holder, for the subject to read.
CREATE TABLE lookups (
    id TEXT PRIMARY KEY,
    at TIMESTAMP NOT NULL,
    subject_id TEXT NOT NULL REFERENCES subjects (id),
    department TEXT NOT NULL,
    -- 'subject', 'screen' or 'report'.
    via TEXT NOT NULL,
    purpose TEXT
);
CREATE INDEX lookups_subject ON lookups (subject_id, id);
