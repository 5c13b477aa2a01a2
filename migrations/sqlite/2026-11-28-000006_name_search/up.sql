-- Names by any substring of 3 or more characters: an FTS5 index with the trigram tokenizer, kept
-- beside the table (external content) by triggers. Shorter patterns are matched by a scan, which the
-- embedded default's sizes allow.
CREATE VIRTUAL TABLE subject_names USING fts5(name, content = 'subjects', content_rowid = 'rowid', tokenize = 'trigram');
INSERT INTO subject_names (subject_names) VALUES ('rebuild');

CREATE TRIGGER subject_names_insert AFTER INSERT ON subjects BEGIN
    INSERT INTO subject_names (rowid, name) VALUES (new.rowid, new.name);
END;
CREATE TRIGGER subject_names_delete AFTER DELETE ON subjects BEGIN
    INSERT INTO subject_names (subject_names, rowid, name) VALUES ('delete', old.rowid, old.name);
END;
CREATE TRIGGER subject_names_update AFTER UPDATE OF name ON subjects BEGIN
    INSERT INTO subject_names (subject_names, rowid, name) VALUES ('delete', old.rowid, old.name);
    INSERT INTO subject_names (rowid, name) VALUES (new.rowid, new.name);
END;
