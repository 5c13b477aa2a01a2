DROP TABLE demo_keys;
