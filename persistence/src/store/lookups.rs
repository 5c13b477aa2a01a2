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

/// Subjects per statement in the look-ups below: well under PostgreSQL's parameter limit.
const TIED_PER_STATEMENT: usize = 2_000;

impl Store {
    /// Of `subject_ids`, those `department` is tied to: registered by it, on its own lists, in its
    /// own records, or that authorised it (in force on `today`). Four queries per 2,000 subjects,
    /// whatever the page.
    pub fn tied_subjects(
        &self,
        department: &str,
        subject_ids: &[String],
        today: chrono::NaiveDate,
    ) -> Result<std::collections::HashSet<String>, StoreError> {
        use crate::schema::{authorisations, credit_records, list_entries, subjects};
        self.read(|c| {
            let mut tied = std::collections::HashSet::new();
            for chunk in subject_ids.chunks(TIED_PER_STATEMENT) {
                tied.extend(
                    subjects::table
                        .filter(subjects::registered_by.eq(department))
                        .filter(subjects::id.eq_any(chunk))
                        .select(subjects::id)
                        .load::<String>(c)?,
                );
                tied.extend(
                    list_entries::table
                        .filter(list_entries::created_by.eq(department))
                        .filter(list_entries::subject_id.eq_any(chunk))
                        .select(list_entries::subject_id)
                        .distinct()
                        .load::<String>(c)?,
                );
                tied.extend(
                    credit_records::table
                        .filter(credit_records::source_department.eq(department))
                        .filter(credit_records::subject_id.eq_any(chunk))
                        .select(credit_records::subject_id)
                        .distinct()
                        .load::<String>(c)?,
                );
                tied.extend(
                    authorisations::table
                        .filter(authorisations::bank.eq(department))
                        .filter(authorisations::subject_id.eq_any(chunk))
                        .filter(authorisations::revoked_at.is_null())
                        .filter(authorisations::valid_until.ge(today))
                        .select(authorisations::subject_id)
                        .distinct()
                        .load::<String>(c)?,
                );
            }
            Ok(tied)
        })
    }

    /// The ids of the subjects registered under these codes (persons whose number was shown as a
    /// representative's, to log it in their own query log).
    pub fn subject_ids_by_codes(&self, codes: &[String]) -> Result<Vec<String>, StoreError> {
        use crate::schema::subjects;
        self.read(|c| {
            let mut ids = Vec::new();
            for chunk in codes.chunks(TIED_PER_STATEMENT) {
                ids.extend(
                    subjects::table
                        .filter(subjects::code.eq_any(chunk))
                        .select(subjects::id)
                        .load::<String>(c)?,
                );
            }
            Ok(ids)
        })
    }
}
