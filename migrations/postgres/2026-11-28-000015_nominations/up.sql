-- Industry associations (行业协会商会): accounts like departments' that nominate members for red
-- lists; and their nominations, each decided once by the list's owning department.
CREATE TABLE associations (
    code TEXT PRIMARY KEY REFERENCES departments (code)
);

CREATE TABLE nominations (
    id TEXT PRIMARY KEY,
    association TEXT NOT NULL REFERENCES associations (code),
    subject_id TEXT NOT NULL REFERENCES subjects (id),
    list_type_id TEXT NOT NULL REFERENCES list_types (id),
    reason TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'accepted', 'declined')),
    created_at TIMESTAMP NOT NULL,
    decided_at TIMESTAMP,
    decision_note TEXT,
    entry_id TEXT REFERENCES list_entries (id)
);
CREATE INDEX nominations_association ON nominations (association, id);
CREATE INDEX nominations_list_type ON nominations (list_type_id, id);
CREATE INDEX nominations_entry ON nominations (entry_id);
