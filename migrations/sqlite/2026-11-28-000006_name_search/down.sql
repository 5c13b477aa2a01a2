DROP TRIGGER subject_names_update;
DROP TRIGGER subject_names_delete;
DROP TRIGGER subject_names_insert;
DROP TABLE subject_names;
