//! What the platform showed on a past date (as at the end of that day, China time), so that a
//! lending or bidding decision made on it can be evidenced later. Entries and records keep enough
//! to tell: when they were made, when they ended or were withdrawn, and their earlier versions.

use crate::time::china_date;
use crate::{CreditRecord, EntryStatus, ListEntry, Subject};
use chrono::{DateTime, NaiveDate, Utc};

/// An earlier version of a record, kept when it was corrected or its publicity cut short.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordVersion {
    pub version: u32,
    pub title: String,
    pub content: String,
    pub legal_basis: String,
    pub publicity_end: Option<NaiveDate>,
    /// When the next version replaced it.
    pub replaced_at: DateTime<Utc>,
}

/// Whether something made at `made` was on the platform by the end of `date`.
fn made_by(made: DateTime<Utc>, date: NaiveDate) -> bool {
    china_date(made) <= date
}

impl Subject {
    /// Whether the platform knew the subject by the end of `date`.
    pub fn registered_by(&self, date: NaiveDate) -> bool {
        made_by(self.created_at, date)
    }
}

impl ListEntry {
    /// The entry as it stood at the end of `date`; `None` if it was not on the platform yet.
    pub fn as_of(&self, date: NaiveDate) -> Option<ListEntry> {
        if !made_by(self.created_at, date) {
            return None;
        }
        match self.ended_at {
            // Revoked, repaired or swept later: in force then (its end date still applies).
            Some(ended) if china_date(ended) > date => Some(ListEntry {
                stored_status: EntryStatus::Active,
                revocation_reason: None,
                ended_at: None,
                ..self.clone()
            }),
            _ => Some(self.clone()),
        }
    }
}

impl CreditRecord {
    /// The record as it stood at the end of `date`, given its earlier versions; `None` if it was
    /// not on the platform yet.
    pub fn as_of(&self, date: NaiveDate, versions: &[RecordVersion]) -> Option<CreditRecord> {
        if !made_by(self.created_at, date) {
            return None;
        }
        let mut then = self.clone();
        if then.withdrawn_at.is_some_and(|t| china_date(t) > date) {
            then.withdrawn_at = None;
        }
        // The oldest version replaced after that day is the one shown that day.
        if let Some(v) = versions
            .iter()
            .filter(|v| china_date(v.replaced_at) > date)
            .min_by_key(|v| v.version)
        {
            then.version = v.version;
            then.title = v.title.clone();
            then.content = v.content.clone();
            then.legal_basis = v.legal_basis.clone();
            then.publicity_end = v.publicity_end;
        }
        Some(then)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures::{self, d as day};

    fn at(date: &str) -> DateTime<Utc> {
        // Noon in China.
        format!("{date}T04:00:00Z").parse().unwrap()
    }

    #[test]
    fn an_entry_revoked_later_was_in_force_then_and_one_made_later_was_not_there() {
        let mut e = fixtures::entry("2026-03-01", "2028-02-29", EntryStatus::Revoked);
        e.created_at = at("2026-03-01");
        e.ended_at = Some(at("2026-06-01"));
        e.revocation_reason = Some("判决撤销".into());
        assert_eq!(e.as_of(day("2026-02-28")), None);
        let then = e.as_of(day("2026-05-31")).unwrap();
        assert_eq!(then.status_on(day("2026-05-31")), EntryStatus::Active);
        assert_eq!(then.revocation_reason, None);
        let after = e.as_of(day("2026-06-01")).unwrap();
        assert_eq!(after.status_on(day("2026-06-01")), EntryStatus::Revoked);
    }

    #[test]
    fn a_corrected_record_shows_the_version_of_the_day() {
        let mut r = fixtures::record();
        r.created_at = at("2026-03-01");
        r.version = 3;
        r.content = "罚款一万元".into();
        let v = |version, content: &str, replaced: &str| RecordVersion {
            version,
            title: r.title.clone(),
            content: content.into(),
            legal_basis: r.legal_basis.clone(),
            publicity_end: r.publicity_end,
            replaced_at: at(replaced),
        };
        let versions = [
            v(1, "罚款十万元", "2026-04-01"),
            v(2, "罚款五万元", "2026-05-01"),
        ];
        let content = |d: &str| r.as_of(day(d), &versions).map(|r| (r.version, r.content));
        assert_eq!(content("2026-02-01"), None);
        assert_eq!(content("2026-03-15"), Some((1, "罚款十万元".into())));
        assert_eq!(content("2026-04-15"), Some((2, "罚款五万元".into())));
        assert_eq!(content("2026-05-15"), Some((3, "罚款一万元".into())));
        r.withdrawn_at = Some(at("2026-06-01"));
        assert!(
            r.as_of(day("2026-05-31"), &versions)
                .unwrap()
                .withdrawn_at
                .is_none()
        );
        assert!(
            r.as_of(day("2026-06-01"), &versions)
                .unwrap()
                .withdrawn_at
                .is_some()
        );
    }
}
