DROP TABLE typical_cases;
