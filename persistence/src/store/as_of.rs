//! A subject's entries and records as they stood on a past date (see `domain::as_of`).

use super::Store;
use crate::error::StoreError;
use crate::rows::{CreditRecordRow, ListEntryRow, convert};
use crate::schema::{credit_record_versions, credit_records, list_entries};
use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use domain::as_of::RecordVersion;
use domain::{CreditRecord, ListEntry};
use std::collections::HashMap;

/// Everything about a subject the platform held at the end of a day, before access rules.
#[derive(Debug, Clone)]
pub struct AsOf {
    pub date: NaiveDate,
    /// By id.
    pub entries: Vec<ListEntry>,
    /// By id.
    pub records: Vec<CreditRecord>,
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = credit_record_versions)]
struct VersionRow {
    record_id: String,
    version: i32,
    title: String,
    content: String,
    legal_basis: String,
    publicity_end: Option<NaiveDate>,
    replaced_at: NaiveDateTime,
}

impl Store {
    pub fn subject_as_of(&self, subject_id: &str, date: NaiveDate) -> Result<AsOf, StoreError> {
        self.read(|c| {
            let entries: Vec<ListEntry> = convert(
                list_entries::table
                    .filter(list_entries::subject_id.eq(subject_id))
                    .order(list_entries::id)
                    .select(ListEntryRow::as_select())
                    .load(c)?,
            )?;
            let records: Vec<CreditRecord> = convert(
                credit_records::table
                    .filter(credit_records::subject_id.eq(subject_id))
                    .order(credit_records::id)
                    .select(CreditRecordRow::as_select())
                    .load(c)?,
            )?;
            let ids: Vec<&str> = records.iter().map(|r| r.id.as_str()).collect();
            let mut versions: HashMap<String, Vec<RecordVersion>> = HashMap::new();
            for v in credit_record_versions::table
                .filter(credit_record_versions::record_id.eq_any(&ids))
                .select(VersionRow::as_select())
                .load(c)?
            {
                versions
                    .entry(v.record_id)
                    .or_default()
                    .push(RecordVersion {
                        version: u32::try_from(v.version).unwrap_or_default(),
                        title: v.title,
                        content: v.content,
                        legal_basis: v.legal_basis,
                        publicity_end: v.publicity_end,
                        replaced_at: v.replaced_at.and_utc(),
                    });
            }
            Ok(AsOf {
                date,
                entries: entries.iter().filter_map(|e| e.as_of(date)).collect(),
                records: records
                    .iter()
                    .filter_map(|r| {
                        r.as_of(date, versions.get(&r.id).map_or(&[][..], Vec::as_slice))
                    })
                    .collect(),
            })
        })
    }
}
