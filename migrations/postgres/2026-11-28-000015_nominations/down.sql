DROP TABLE nominations;
DROP TABLE associations;
