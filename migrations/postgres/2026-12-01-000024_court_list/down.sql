DROP INDEX list_entries_removed;
ALTER TABLE list_entries DROP COLUMN removed_on;
ALTER TABLE list_entries DROP COLUMN remove_by;
ALTER TABLE list_entries DROP COLUMN ground_arisen_on;
ALTER TABLE list_entries DROP COLUMN removal_basis;
ALTER TABLE list_entries DROP COLUMN removal_ground;
ALTER TABLE list_entries DROP CONSTRAINT list_entries_status_check;
ALTER TABLE list_entries ADD CONSTRAINT list_entries_status_check CHECK (status IN
    ('active', 'expired', 'revoked', 'repaired'));
ALTER TABLE list_types DROP COLUMN no_repair_basis;
ALTER TABLE list_types DROP COLUMN removal_working_days;
ALTER TABLE list_types DROP COLUMN removal_grounds;
ALTER TABLE list_types DROP COLUMN max_period_months;
ALTER TABLE list_types DROP CONSTRAINT list_types_one_owner;
ALTER TABLE list_types DROP COLUMN owner_role;
ALTER TABLE list_types ALTER COLUMN owner_department SET NOT NULL;
ALTER TABLE departments DROP CONSTRAINT departments_role_check;
ALTER TABLE departments ADD CONSTRAINT departments_role_check CHECK (role IN
    ('credit_office', 'market_regulation', 'court', 'tax', 'other'));
