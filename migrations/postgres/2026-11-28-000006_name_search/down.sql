DROP INDEX subjects_name;
CREATE INDEX subjects_name ON subjects (name);
DROP INDEX subjects_name_bigrams;
DROP FUNCTION name_bigrams(text);
