DROP TABLE authorisations;
