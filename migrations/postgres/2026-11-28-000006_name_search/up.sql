-- Chinese names have no spaces to split words at, and pg_trgm makes no trigram of a 2-character
-- pattern (阜新, 矿业). Every distinct pair of adjacent characters of a name goes into a GIN index
-- instead: a search for any substring of 2 or more characters asks for names holding all of the
-- pattern's pairs, and LIKE then checks the order. The planner keeps statistics on the expression.
CREATE FUNCTION name_bigrams(t text) RETURNS text[]
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
AS $$ SELECT ARRAY(SELECT DISTINCT substr(t, i, 2) FROM generate_series(1, char_length(t) - 1) AS i) $$;

CREATE INDEX subjects_name_bigrams ON subjects USING gin (name_bigrams(name));

-- Prefix matches (LIKE '阜新市%') use a btree only with pattern operators under a non-C collation.
DROP INDEX subjects_name;
CREATE INDEX subjects_name ON subjects (name text_pattern_ops);
