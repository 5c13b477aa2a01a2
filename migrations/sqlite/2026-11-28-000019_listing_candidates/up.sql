-- Broken credit commitments as a black list's criterion (违背信用承诺的认定标准), and the
-- candidates it proposes to the list's owning department, each decided once.
CREATE TABLE commitment_criteria (
    list_type_id TEXT PRIMARY KEY REFERENCES list_types (id),
    broken INTEGER NOT NULL CHECK (broken > 0),
    within_months INTEGER NOT NULL CHECK (within_months > 0)
);

CREATE TABLE listing_candidates (
    id TEXT PRIMARY KEY,
    subject_id TEXT NOT NULL REFERENCES subjects (id),
    list_type_id TEXT NOT NULL REFERENCES list_types (id),
    reason TEXT NOT NULL,
    -- The broken commitments that met the criterion, one id per line.
    commitment_ids TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'listed', 'dismissed')),
    created_at TIMESTAMP NOT NULL,
    decided_at TIMESTAMP,
    decided_by TEXT REFERENCES departments (code),
    decision_note TEXT,
    entry_id TEXT REFERENCES list_entries (id)
);
CREATE INDEX listing_candidates_list_type ON listing_candidates (list_type_id, id);
CREATE INDEX listing_candidates_subject ON listing_candidates (subject_id, list_type_id);
