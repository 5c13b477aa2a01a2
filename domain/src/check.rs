//! 嵌入式核查 (the check): what applies to a subject for one department now, and the derived
//! eligibility the seed plan names.

use crate::department::Department;
use crate::list::{ListColour, ListEntry, ListType};
use crate::memorandum::{Measure, MeasureScope, Memorandum, Reach, reaches_department};
use crate::subject::{Subject, SubjectKind};

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

impl Listing {
    /// Whether `measure` binds the checked subject through this listing: it fits the list and
    /// reaches the subject the way it is bound (itself, or as the organisation's representative).
    pub fn is_bound_by(&self, measure: &Measure) -> bool {
        measure.fits(&self.list_type) && measure.reaches.contains(&self.via)
    }
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
    binding_measures(listings, |listing, measure| {
        measure.scope == MeasureScope::City
            && reaches_department(department, &listing.listed)
            && measure.is_implemented_by(department)
    })
}

/// The national-scope measures (e.g. the consumption limits of 法释〔2015〕17号) that bind the
/// subject through the same listings: carried out by national bodies, not dispatched here, shown
/// so that a department sees the whole picture.
pub fn national_measures(listings: &[Listing]) -> Vec<ApplicableMeasure> {
    binding_measures(listings, |_, measure| {
        measure.scope == MeasureScope::National
    })
}

/// The measures of the listings' memoranda that fit their lists, reach the subject the way it is
/// bound and pass `keep` — rewards left out while a black list binds it.
fn binding_measures(
    listings: &[Listing],
    keep: impl Fn(&Listing, &Measure) -> bool,
) -> Vec<ApplicableMeasure> {
    let punished = listings
        .iter()
        .any(|l| l.list_type.colour == ListColour::Black);
    let mut out = Vec::new();
    for listing in listings {
        if punished && listing.list_type.colour == ListColour::Red {
            continue;
        }
        for memorandum in &listing.memoranda {
            for measure in &memorandum.measures {
                if listing.is_bound_by(measure) && keep(listing, measure) {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures::{dept, entry, list_type, measure, memorandum, subject};
    use crate::memorandum::{MeasureKind, MeasureScope};
    use crate::{DepartmentRole, EntryStatus};

    fn listing(colour: ListColour, kind: MeasureKind) -> Listing {
        Listing {
            entry: entry("2026-01-01", "2028-01-01", EntryStatus::Active),
            list_type: list_type("t", colour),
            listed: subject("210902"),
            via: Reach::Subject,
            memoranda: vec![memorandum(
                vec![],
                vec![measure(kind.as_str(), kind, &["housing"])],
            )],
        }
    }

    #[test]
    fn never_a_reward_beside_a_punishment() {
        let housing = dept("210900.housing", DepartmentRole::Other);
        let red = listing(ListColour::Red, MeasureKind::Reward);
        let black = listing(ListColour::Black, MeasureKind::Punishment);
        let alone = applicable_measures(&housing, std::slice::from_ref(&red));
        assert_eq!(alone.len(), 1);
        let both = applicable_measures(&housing, &[red, black.clone()]);
        assert_eq!(both.len(), 1);
        assert_eq!(both[0].measure.kind, MeasureKind::Punishment);
        assert!(national_measures(std::slice::from_ref(&black)).is_empty());
        let mut national = black;
        national.memoranda[0].measures[0].scope = MeasureScope::National;
        assert!(applicable_measures(&housing, std::slice::from_ref(&national)).is_empty());
        assert_eq!(national_measures(&[national]).len(), 1);
    }
}
