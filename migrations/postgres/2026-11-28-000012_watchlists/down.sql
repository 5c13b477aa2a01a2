DROP TABLE watch_events;
DROP TABLE watches;
