DROP TABLE listing_candidates;
DROP TABLE commitment_criteria;
