-- PostgreSQL drops two foreign keys of dispatches here for bulk listings' sake. SQLite checks
-- them in process for little, and would have to rebuild the table to drop them: kept.
SELECT 1;
