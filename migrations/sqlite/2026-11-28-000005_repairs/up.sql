-- Credit repair (信用修复): applications, the rules per list type and record kind, and the flag on a
-- listing that follows a repair too soon.

CREATE TABLE repairs (
    id TEXT PRIMARY KEY,
    subject_id TEXT NOT NULL REFERENCES subjects (id),
    target_kind TEXT NOT NULL CHECK (target_kind IN ('entry', 'record')),
    entry_id TEXT REFERENCES list_entries (id),
    record_id TEXT REFERENCES credit_records (id),
    owner_department TEXT NOT NULL REFERENCES departments (code),
    rectification TEXT NOT NULL,
    commitment TEXT NOT NULL,
    -- One attachment per line.
    attachments TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('submitted', 'approved', 'rejected')),
    applied_on DATE NOT NULL,
    decided_by TEXT REFERENCES departments (code),
    decision_reason TEXT,
    decided_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL,
    CHECK ((target_kind = 'entry' AND entry_id IS NOT NULL AND record_id IS NULL)
        OR (target_kind = 'record' AND record_id IS NOT NULL AND entry_id IS NULL))
);
CREATE INDEX repairs_owner ON repairs (owner_department, id);
CREATE INDEX repairs_subject ON repairs (subject_id);
CREATE INDEX repairs_entry ON repairs (entry_id);
CREATE INDEX repairs_record ON repairs (record_id);

-- Rules other than the defaults: 'list_type:CODE' or 'record_kind:KIND'.
CREATE TABLE repair_rules (
    target TEXT PRIMARY KEY,
    allowed BOOLEAN NOT NULL,
    min_months INTEGER NOT NULL CHECK (min_months BETWEEN 0 AND 120),
    -- One required attachment per line.
    required_attachments TEXT NOT NULL,
    relist_window_months INTEGER NOT NULL CHECK (relist_window_months BETWEEN 0 AND 120)
);

ALTER TABLE list_entries ADD COLUMN relisted_after_repair BOOLEAN NOT NULL DEFAULT FALSE;
