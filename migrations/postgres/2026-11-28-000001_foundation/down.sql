DROP TABLE credit_records;
DROP TABLE list_entries;
DROP TABLE list_types;
DROP TABLE subjects;
DROP TABLE departments;
DROP TABLE jurisdictions;
