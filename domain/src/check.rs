//! 嵌入式核查 (the check): what applies to a subject for one department now, and the derived
//! eligibility the seed plan names.

use crate::department::Department;
use crate::list::{EntryStatus, ListColour, ListEntry, ListType};
use crate::memorandum::{Measure, MeasureScope, Memorandum, Reach, reaches_department};
use crate::record::{CreditRecord, CreditRecordKind};
use crate::subject::{Subject, SubjectKind};
use chrono::{Months, NaiveDate};

/// How long a clean record must be for the green channel (绿色通道) and acceptance with missing
/// documents (容缺受理).
pub const CLEAN_YEARS: u32 = 3;

/// An active entry that binds the checked subject: its own, or one of an organisation it represents.
#[derive(Debug, Clone)]
pub struct Listing {
    pub entry: ListEntry,
    pub list_type: ListType,
    /// The listed subject (the checked one, or the organisation behind it).
    pub listed: Subject,
    /// How the checked subject is bound: itself, or as the organisation's representative.
    pub via: Reach,
    /// The memorandum versions in force when the entry was made.
    pub memoranda: Vec<Memorandum>,
}

/// How a representative is bound by the organisation's listing.
pub fn representative_reach(organisation: &Subject) -> Reach {
    if organisation.kind == SubjectKind::LegalPerson {
        Reach::LegalRepresentative
    } else {
        Reach::Principal
    }
}

/// One measure the checking department must apply.
#[derive(Debug, Clone)]
pub struct ApplicableMeasure {
    pub memorandum: Memorandum,
    pub measure: Measure,
    pub entry_id: String,
    pub via: Reach,
}

/// The measures `department` must apply, from the listings that bind the subject: city-scope
/// measures naming the department, that reach the subject the way it is bound, where the listing
/// reaches the department's jurisdiction. While a black list binds the subject, no reward is
/// applied at all (its rewards are suspended): never a reward beside a punishment.
pub fn applicable_measures(
    department: &Department,
    listings: &[Listing],
) -> Vec<ApplicableMeasure> {
    let punished = listings
        .iter()
        .any(|l| l.list_type.colour == ListColour::Black);
    let mut out = Vec::new();
    for listing in listings {
        if punished && listing.list_type.colour == ListColour::Red {
            continue;
        }
        if !reaches_department(department, &listing.listed) {
            continue;
        }
        for memorandum in &listing.memoranda {
            for measure in &memorandum.measures {
                let applies = measure.scope == MeasureScope::City
                    && measure.fits(&listing.list_type)
                    && measure.is_implemented_by(department)
                    && measure.reaches.contains(&listing.via);
                if applies {
                    out.push(ApplicableMeasure {
                        memorandum: memorandum.clone(),
                        measure: measure.clone(),
                        entry_id: listing.entry.id.clone(),
                        via: listing.via,
                    });
                }
            }
        }
    }
    out
}

/// Whether the subject has had no bad record for three consecutive years up to `today`: no black
/// entry in force at any time in that window (revoked ones were errors and do not count) and no
/// penalty decided in it. Red lists do not matter either way.
pub fn clean_for_three_years(
    entries: &[(ListEntry, ListType)],
    records: &[CreditRecord],
    today: NaiveDate,
) -> bool {
    let since = today
        .checked_sub_months(Months::new(12 * CLEAN_YEARS))
        .unwrap_or(NaiveDate::MIN);
    let black_in_window = entries.iter().any(|(e, t)| {
        t.colour == ListColour::Black
            && e.stored_status != EntryStatus::Revoked
            && e.end_date >= since
            && e.start_date <= today
    });
    let penalty_in_window = records
        .iter()
        .any(|r| r.kind == CreditRecordKind::Penalty && r.decision_date >= since);
    !black_in_window && !penalty_in_window
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::EntryStatus;
    use crate::fixtures::{d, entry, list_type};

    fn lt(colour: ListColour) -> ListType {
        list_type("t", colour)
    }

    #[test]
    fn clean_record_rules() {
        let today = d("2026-11-28");
        assert!(clean_for_three_years(&[], &[], today));
        let old = (
            entry("2020-01-01", "2023-01-01", EntryStatus::Active),
            lt(ListColour::Black),
        );
        assert!(
            clean_for_three_years(std::slice::from_ref(&old), &[], today),
            "ended before the window"
        );
        let recent = (
            entry("2020-01-01", "2024-01-01", EntryStatus::Active),
            lt(ListColour::Black),
        );
        assert!(!clean_for_three_years(&[recent], &[], today));
        let revoked = (
            entry("2026-01-01", "2027-01-01", EntryStatus::Revoked),
            lt(ListColour::Black),
        );
        assert!(
            clean_for_three_years(&[revoked], &[], today),
            "a revoked listing was an error"
        );
        let red = (
            entry("2026-01-01", "2027-01-01", EntryStatus::Active),
            lt(ListColour::Red),
        );
        assert!(clean_for_three_years(&[red], &[], today));
    }
}
