-- The working-day calendar, year by year, in the database: the credit office loads each new
-- year's notice at run time and every instance reads it from here. Dates are ISO days joined by
-- commas: 'off' the weekdays that are holidays, 'work' the weekend days worked.
CREATE TABLE working_calendar_years (
    year INTEGER PRIMARY KEY CHECK (year BETWEEN 2000 AND 2100),
    off_days TEXT NOT NULL,
    work_days TEXT NOT NULL,
    -- 'bundled', or the department (or CLI) that loaded it.
    source TEXT NOT NULL,
    loaded_at TIMESTAMP NOT NULL,
    -- Grows with every load: an instance reloads when the greatest one moves.
    revision BIGINT NOT NULL
);

-- When a complaint was routed: its answer deadline counts from that day.
ALTER TABLE complaints ADD COLUMN routed_on DATE;

-- Deadlines that fell past the calendar wait here to be filled once their year is loaded.
CREATE INDEX dispatches_acknowledge_pending ON dispatches (created_on) WHERE acknowledge_by IS NULL;

-- A command's transaction writes here first (a no-op), so that it holds SQLite's write lock before
-- it reads: another process's command then waits its turn, rather than failing when it tries to
-- write on a snapshot that a commit made stale.
CREATE TABLE write_gate (id INTEGER PRIMARY KEY);
