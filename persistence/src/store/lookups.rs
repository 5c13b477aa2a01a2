//! The query log: look-ups by token holders, appended; read by the subject itself.

use super::newest_first;
use super::subjects::find_subject_by_code;
use super::{Page, PageRequest, Store, new_id};
use crate::conn::{AnyConnection, bulk_insert};
use crate::error::StoreError;
use crate::schema::lookups;
use chrono::{NaiveDateTime, SubsecRound};
use diesel::prelude::*;
use domain::SubjectCode;
use domain::lookup::{Looker, Lookup, LookupVia, NewLookup};

/// Under SQLite's 32,766 parameters at 6 columns.
const ROWS_PER_STATEMENT: usize = 2_000;

#[derive(Queryable, Selectable, Insertable)]
#[diesel(table_name = lookups, treat_none_as_default_value = false)]
struct LookupRow {
    id: String,
    at: NaiveDateTime,
    subject_id: String,
    department: String,
    via: String,
    purpose: Option<String>,
}

impl TryFrom<LookupRow> for Lookup {
    type Error = StoreError;

    fn try_from(r: LookupRow) -> Result<Self, StoreError> {
        let bad = |what: &str| StoreError::Internal(format!("lookup {}: bad {what}", r.id));
        Ok(Lookup {
            by: Looker::parse(&r.department).ok_or_else(|| bad("department"))?,
            via: LookupVia::parse(&r.via).ok_or_else(|| bad("via"))?,
            at: r.at.and_utc(),
            id: r.id,
            purpose: r.purpose,
        })
    }
}

impl Store {
    /// Logs look-ups, all in one transaction.
    pub fn log_lookups(&self, new: &[NewLookup]) -> Result<(), StoreError> {
        if new.is_empty() {
            return Ok(());
        }
        let at = super::now().trunc_subsecs(6);
        let rows: Vec<LookupRow> = new
            .iter()
            .map(|n| LookupRow {
                id: new_id(),
                at,
                subject_id: n.subject_id.clone(),
                department: n.by.stored(),
                via: n.via.as_str().to_owned(),
                purpose: n.purpose.clone(),
            })
            .collect();
        // A screening logs up to 1,000 look-ups: COPY on PostgreSQL keeps that off its latency.
        self.write(|c: &mut AnyConnection| {
            bulk_insert!(c, lookups::table, &rows, ROWS_PER_STATEMENT)?;
            Ok(())
        })
    }

    /// A subject's query log, newest first.
    pub fn lookups_of(
        &self,
        subject: &SubjectCode,
        page: &PageRequest,
    ) -> Result<Page<Lookup>, StoreError> {
        self.read(|c| {
            let Some(found) = find_subject_by_code(c, subject.as_str(), "sub")? else {
                return Ok(Page::from_overfetch(Vec::new(), page));
            };
            let q = lookups::table
                .filter(lookups::subject_id.eq(&found.id))
                .select(LookupRow::as_select())
                .into_boxed();
            let rows = newest_first!(c, q, lookups::id, page)?;
            let items = rows
                .into_iter()
                .map(Lookup::try_from)
                .collect::<Result<Vec<_>, _>>()?;
            Ok(Page::from_overfetch(items, page))
        })
    }
}
