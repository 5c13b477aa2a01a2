-- Keys that `serve --demo` makes once for its database (a random HS256 secret, a random report
-- key), so that a demonstration never runs on a key anyone knows, and every command on the same
-- database (`xinyong token`, `xinyong report verify`) uses the same ones.
CREATE TABLE demo_keys (
    name TEXT PRIMARY KEY NOT NULL,
    value TEXT NOT NULL,
    made_at TIMESTAMP NOT NULL
);
