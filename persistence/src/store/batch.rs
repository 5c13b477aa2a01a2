//! Look-ups by many keys at once, for the API's per-request loaders (one query per relation).

use super::Store;
use crate::error::StoreError;
use crate::rows::{DepartmentRow, JurisdictionRow, ListTypeRow, SubjectRow, convert};
use crate::schema::{departments, jurisdictions, list_types, subjects};
use diesel::prelude::*;
use domain::{Department, Jurisdiction, ListType, Subject};

impl Store {
    pub fn subjects_by_ids(&self, ids: &[String]) -> Result<Vec<Subject>, StoreError> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        self.read(|c| {
            let rows = subjects::table
                .filter(subjects::id.eq_any(ids))
                .select(SubjectRow::as_select())
                .load(c)?;
            convert(rows)
        })
    }

    pub fn list_types_by_ids(&self, ids: &[String]) -> Result<Vec<ListType>, StoreError> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        self.read(|c| {
            let rows = list_types::table
                .filter(list_types::id.eq_any(ids))
                .select(ListTypeRow::as_select())
                .load(c)?;
            convert(rows)
        })
    }

    pub fn departments_by_codes(&self, codes: &[String]) -> Result<Vec<Department>, StoreError> {
        if codes.is_empty() {
            return Ok(Vec::new());
        }
        self.read(|c| {
            let rows = departments::table
                .filter(departments::code.eq_any(codes))
                .select(DepartmentRow::as_select())
                .load(c)?;
            convert(rows)
        })
    }

    pub fn jurisdictions_by_codes(
        &self,
        codes: &[String],
    ) -> Result<Vec<Jurisdiction>, StoreError> {
        if codes.is_empty() {
            return Ok(Vec::new());
        }
        self.read(|c| {
            let rows = jurisdictions::table
                .filter(jurisdictions::code.eq_any(codes))
                .select(JurisdictionRow::as_select())
                .load(c)?;
            convert(rows)
        })
    }
}

impl Store {
    pub fn list_entries_by_ids(
        &self,
        ids: &[String],
    ) -> Result<Vec<domain::ListEntry>, StoreError> {
        use crate::rows::ListEntryRow;
        use crate::schema::list_entries;
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        self.read(|c| {
            let rows = list_entries::table
                .filter(list_entries::id.eq_any(ids))
                .select(ListEntryRow::as_select())
                .load(c)?;
            convert(rows)
        })
    }
}

impl Store {
    pub fn credit_records_by_ids(
        &self,
        ids: &[String],
    ) -> Result<Vec<domain::CreditRecord>, StoreError> {
        use crate::rows::CreditRecordRow;
        use crate::schema::credit_records;
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        self.read(|c| {
            let rows = credit_records::table
                .filter(credit_records::id.eq_any(ids))
                .select(CreditRecordRow::as_select())
                .load(c)?;
            convert(rows)
        })
    }
}
