-- The query log (查询记录): every look-up of a subject by a token holder, for the subject to read.
CREATE TABLE lookups (
    id TEXT NOT NULL,
    at TIMESTAMP NOT NULL,
    -- No foreign key: a screening logs up to 1,000 rows at once and PostgreSQL checks a key row by
    -- row; the ids come from subjects just read, and subjects are never deleted.
    subject_id TEXT NOT NULL,
    department TEXT NOT NULL,
    -- 'subject', 'screen' or 'report'.
    via TEXT NOT NULL,
    purpose TEXT,
    -- One index, the one a subject reads its log by (ids are time-ordered and unique).
    PRIMARY KEY (subject_id, id)
);
