ALTER TABLE dispatches ADD CONSTRAINT dispatches_measure_id_fkey FOREIGN KEY (measure_id) REFERENCES measures (id);
ALTER TABLE dispatches ADD CONSTRAINT dispatches_department_code_fkey FOREIGN KEY (department_code) REFERENCES departments (code);
