-- A dispatch's measure and department are checked where dispatches are made (from the memoranda
-- and departments loaded in the same transaction), and neither table ever loses a row. As foreign
-- keys they cost a trigger each per dispatch: a black list's 100,000 entries make three million
-- dispatches, and these two checks took 25 of its 59 seconds of COPY (see docs/benchmarks.md).
-- The entry's key stays: entries are written beside their dispatches and it guards that.
ALTER TABLE dispatches DROP CONSTRAINT dispatches_measure_id_fkey;
ALTER TABLE dispatches DROP CONSTRAINT dispatches_department_code_fkey;
