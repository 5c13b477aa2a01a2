//! Screening many subjects at once (banks' borrower lists): one query per relation, whatever the
//! number of codes.

use super::Store;
use crate::error::StoreError;
use crate::rows::{ListEntryRow, ListTypeRow, SubjectRow, convert};
use crate::schema::{list_entries, list_types, objections, subjects};
use chrono::NaiveDate;
use diesel::prelude::*;
use domain::objection::ObjectionStatus;
use domain::subject::{CodeLookup, invalid_code_message};
use domain::{ListEntry, ListType, Subject};
use std::collections::{HashMap, HashSet};

/// The most codes one screening may hold.
pub const MAX_SCREEN: usize = 1_000;

/// One screened code.
#[derive(Debug, Clone)]
pub struct Screened {
    pub input: String,
    /// Why the code is not a valid code; `None` when it is.
    pub invalid: Option<String>,
    pub subject: Option<Subject>,
    /// Entries in force today, with their list types.
    pub entries: Vec<(ListEntry, ListType)>,
    /// An objection is pending against one of the subject's entries or records.
    pub under_objection: bool,
}

impl Store {
    /// Screens `codes`: for each, found or not, its entries in force, and whether an objection is
    /// pending. Invalid codes are reported per item; they do not fail the batch.
    pub fn screen(&self, codes: &[String], today: NaiveDate) -> Result<Vec<Screened>, StoreError> {
        let lookups: Vec<Result<CodeLookup, String>> = codes
            .iter()
            .map(|c| CodeLookup::parse(c).map_err(|e| invalid_code_message(c, e)))
            .collect();
        let wanted: Vec<String> = lookups
            .iter()
            .filter_map(|l| l.as_ref().ok().map(|l| l.as_str().to_owned()))
            .collect::<HashSet<_>>()
            .into_iter()
            .collect();
        self.read(|c| {
            let found: Vec<Subject> = if wanted.is_empty() {
                Vec::new()
            } else {
                convert(
                    subjects::table
                        .filter(subjects::code.eq_any(&wanted))
                        .select(SubjectRow::as_select())
                        .load(c)?,
                )?
            };
            let by_code: HashMap<&str, &Subject> =
                found.iter().map(|s| (s.code.as_str(), s)).collect();
            let ids: Vec<&str> = found.iter().map(|s| s.id.as_str()).collect();
            let rows: Vec<(ListEntryRow, ListTypeRow)> = if ids.is_empty() {
                Vec::new()
            } else {
                list_entries::table
                    .inner_join(list_types::table)
                    .filter(list_entries::subject_id.eq_any(&ids))
                    .filter(super::entries::in_force(today))
                    .select((ListEntryRow::as_select(), ListTypeRow::as_select()))
                    .load(c)?
            };
            let mut entries: HashMap<String, Vec<(ListEntry, ListType)>> = HashMap::new();
            for (e, t) in rows {
                let e = ListEntry::try_from(e)?;
                entries
                    .entry(e.subject_id.clone())
                    .or_default()
                    .push((e, ListType::try_from(t)?));
            }
            let pending: HashSet<String> = if ids.is_empty() {
                HashSet::new()
            } else {
                let open: Vec<&str> = ObjectionStatus::ALL
                    .iter()
                    .filter(|s| s.is_pending())
                    .map(|s| s.as_str())
                    .collect();
                objections::table
                    .filter(objections::status.eq_any(&open))
                    .filter(objections::subject_id.eq_any(&ids))
                    .select(objections::subject_id)
                    .load::<String>(c)?
                    .into_iter()
                    .collect()
            };
            Ok(codes
                .iter()
                .zip(&lookups)
                .map(|(input, lookup)| match lookup {
                    Err(why) => Screened {
                        input: input.clone(),
                        invalid: Some(why.clone()),
                        subject: None,
                        entries: Vec::new(),
                        under_objection: false,
                    },
                    Ok(l) => {
                        // A code failing its check names a subject only if registered as a pilot code.
                        let subject = by_code
                            .get(l.as_str())
                            .filter(|s| !l.needs_exception_flag() || s.check_exception)
                            .map(|s| (*s).clone());
                        let invalid = match (l, &subject) {
                            (CodeLookup::PilotOnly(code, why), None) => {
                                Some(invalid_code_message(code.as_str(), *why))
                            }
                            _ => None,
                        };
                        let id = subject.as_ref().map(|s| s.id.clone()).unwrap_or_default();
                        Screened {
                            input: input.clone(),
                            invalid,
                            entries: entries.get(&id).cloned().unwrap_or_default(),
                            under_objection: pending.contains(&id),
                            subject,
                        }
                    }
                })
                .collect())
        })
    }
}
