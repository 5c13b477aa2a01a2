-- The green channel (绿色通道): a subject's establishment date (成立日期), from which three clean
-- years are counted, and the credit office's rule (how many years; whether minor penalties count).
ALTER TABLE subjects ADD COLUMN established_on DATE;

CREATE TABLE green_channel_rules (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    clean_years INTEGER NOT NULL CHECK (clean_years BETWEEN 1 AND 10),
    count_minor_penalties BOOLEAN NOT NULL,
    updated_by TEXT NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
