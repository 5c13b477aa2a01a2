DROP TABLE partner_usage;
DROP TABLE partners;
