//! Bulk loading for operators (`xinyong seed --synthetic`): subjects and records validated by the
//! domain's parsers, written in large statements (COPY on PostgreSQL). Trusted input from the
//! command line: no principal, no access rules; the schema's constraints still hold.

use super::{Store, new_id, now};
use crate::conn::bulk_insert;
use crate::error::StoreError;
use crate::rows::{CreditRecordRow, SubjectRow};
use crate::schema::{credit_records, subjects};
use diesel::prelude::*;
use domain::{DepartmentCode, NewCreditRecord, NewSubject};

const ROWS_PER_STATEMENT: usize = 2_000;

impl Store {
    /// Inserts subjects in one transaction; returns their ids in order.
    pub fn bulk_insert_subjects(
        &self,
        by: &DepartmentCode,
        new: &[NewSubject],
    ) -> Result<Vec<String>, StoreError> {
        let made = now();
        let rows: Vec<SubjectRow> = new
            .iter()
            .map(|s| super::subjects::subject_row(s, by, made))
            .collect();
        self.write(|c| {
            bulk_insert!(c, subjects::table, &rows, ROWS_PER_STATEMENT)?;
            Ok(rows.iter().map(|r| r.id.clone()).collect())
        })
    }

    /// Inserts records (subject id, source department, record) in one transaction.
    pub fn bulk_insert_records(
        &self,
        records: &[(String, DepartmentCode, NewCreditRecord)],
    ) -> Result<usize, StoreError> {
        let made = now();
        let rows: Vec<CreditRecordRow> = records
            .iter()
            .map(|(subject_id, source, r)| CreditRecordRow {
                id: new_id(),
                subject_id: subject_id.clone(),
                kind: r.kind.as_str().to_owned(),
                title: r.title.clone(),
                decision_number: r.decision_number.clone(),
                decision_date: r.decision_date,
                publication_date: r.publication_date,
                legal_basis: r.legal_basis.clone(),
                content: r.content.clone(),
                source_department: source.to_string(),
                dishonesty_class: r.dishonesty_class.map(|k| k.as_str().to_owned()),
                publicity_end: r.publicity_end,
                created_at: made,
                version: 1,
                withdrawn_at: None,
            })
            .collect();
        self.write(|c| {
            bulk_insert!(c, credit_records::table, &rows, ROWS_PER_STATEMENT)?;
            Ok(rows.len())
        })
    }
}
