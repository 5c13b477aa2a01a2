-- The court list as 法释〔2017〕7号 has it, and banks as departments:
-- * a list type is owned by one department, or by a department role in every jurisdiction (each
--   court lists the debtors of its own); it may bound an entry's period, declare the grounds on
--   which its owner removes an entry (and in how many working days), and say that it is not
--   repaired by application, naming the basis;
-- * an entry can be REMOVED on such a ground, the deadline to remove it kept;
-- * departments have the role `bank` (lending banks: the only ones a bank token or a subject's
--   authorisation may name).
ALTER TABLE departments DROP CONSTRAINT departments_role_check;
ALTER TABLE departments ADD CONSTRAINT departments_role_check CHECK (role IN
    ('credit_office', 'market_regulation', 'court', 'tax', 'bank', 'other'));

ALTER TABLE list_types ALTER COLUMN owner_department DROP NOT NULL;
ALTER TABLE list_types ADD COLUMN owner_role TEXT CHECK (owner_role IN
    ('credit_office', 'market_regulation', 'court', 'tax', 'bank', 'other'));
ALTER TABLE list_types ADD CONSTRAINT list_types_one_owner CHECK
    ((owner_department IS NULL) <> (owner_role IS NULL));
ALTER TABLE list_types ADD COLUMN max_period_months INTEGER CHECK (max_period_months BETWEEN 1 AND 120);
-- JSON: [{"code": "...", "name": "..."}], or NULL when entries are not removed on grounds.
ALTER TABLE list_types ADD COLUMN removal_grounds TEXT;
ALTER TABLE list_types ADD COLUMN removal_working_days INTEGER CHECK (removal_working_days BETWEEN 1 AND 60);
ALTER TABLE list_types ADD COLUMN no_repair_basis TEXT;

ALTER TABLE list_entries DROP CONSTRAINT list_entries_status_check;
ALTER TABLE list_entries ADD CONSTRAINT list_entries_status_check CHECK (status IN
    ('active', 'expired', 'revoked', 'repaired', 'removed'));
ALTER TABLE list_entries ADD COLUMN removal_ground TEXT;
ALTER TABLE list_entries ADD COLUMN removal_basis TEXT;
ALTER TABLE list_entries ADD COLUMN ground_arisen_on DATE;
-- The last day to remove it (working days after the ground arose); NULL until the calendar has it.
ALTER TABLE list_entries ADD COLUMN remove_by DATE;
-- The date in China it was removed.
ALTER TABLE list_entries ADD COLUMN removed_on DATE;
CREATE INDEX list_entries_removed ON list_entries (ground_arisen_on) WHERE removal_ground IS NOT NULL;
