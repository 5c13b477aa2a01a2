//! Broken credit commitments as a list type's criterion (违背信用承诺的认定标准): the credit office
//! may say that a subject which broke N credit commitments within M months is a candidate for a
//! black list. When a commitment is found broken and the subject meets the criterion, the platform
//! proposes it to the list's owning department (候选), which lists it, on its own decision
//! document, or dismisses it with reasons. Nothing is listed without that decision.

use crate::list::{ListColour, ListType, RawListEntry};
use crate::{DepartmentCode, DomainError};
use chrono::{DateTime, Months, NaiveDate, Utc};

/// The most broken commitments a criterion may ask for, and the longest window.
const MAX_BROKEN: u32 = 20;
const MAX_WINDOW_MONTHS: u32 = 120;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommitmentCriterion {
    pub list_type_id: String,
    /// Broken commitments that make a candidate…
    pub broken: u32,
    /// …counted over this many months before the latest finding.
    pub within_months: u32,
}

impl CommitmentCriterion {
    /// Only a black list takes it: a broken promise is never a reason for a red list.
    pub fn parse(
        list_type: &ListType,
        broken: i32,
        within_months: i32,
    ) -> Result<Self, DomainError> {
        if list_type.colour != ListColour::Black {
            return Err(DomainError::invalid(
                "input.listType",
                format!(
                    "违背信用承诺只能作为黑名单的认定标准；“{}”不是黑名单",
                    list_type.name
                ),
            ));
        }
        let broken = u32::try_from(broken)
            .ok()
            .filter(|n| (1..=MAX_BROKEN).contains(n))
            .ok_or_else(|| {
                DomainError::invalid(
                    "input.brokenCommitments",
                    format!("违背承诺次数应为1到{MAX_BROKEN}次"),
                )
            })?;
        let within_months = u32::try_from(within_months)
            .ok()
            .filter(|n| (1..=MAX_WINDOW_MONTHS).contains(n))
            .ok_or_else(|| {
                DomainError::invalid(
                    "input.withinMonths",
                    format!("统计期间应为1到{MAX_WINDOW_MONTHS}个月"),
                )
            })?;
        Ok(CommitmentCriterion {
            list_type_id: list_type.id.clone(),
            broken,
            within_months,
        })
    }

    /// Whether a commitment found broken on `found_on` counts on `today`: within the window.
    pub fn counts(&self, found_on: NaiveDate, today: NaiveDate) -> bool {
        let since = today
            .checked_sub_months(Months::new(self.within_months))
            .unwrap_or(NaiveDate::MIN);
        since < found_on && found_on <= today
    }

    /// Of commitments found broken on `found_on`, how many count on `today`.
    pub fn counted(&self, found_on: &[NaiveDate], today: NaiveDate) -> usize {
        found_on.iter().filter(|d| self.counts(**d, today)).count()
    }

    pub fn is_met(&self, found_on: &[NaiveDate], today: NaiveDate) -> bool {
        self.counted(found_on, today) >= self.broken as usize
    }

    /// The candidate's reason, in the words the department and the subject read.
    pub fn reason(&self, list_name: &str, counted: usize) -> String {
        format!(
            "{}个月内违背信用承诺{counted}次，达到“{list_name}”的认定标准（{}次）",
            self.within_months, self.broken
        )
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CandidateStatus {
    /// Waiting for the owning department.
    Pending,
    /// Listed by the department.
    Listed,
    /// Dismissed, with reasons.
    Dismissed,
}

impl CandidateStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            CandidateStatus::Pending => "pending",
            CandidateStatus::Listed => "listed",
            CandidateStatus::Dismissed => "dismissed",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [Self::Pending, Self::Listed, Self::Dismissed]
            .into_iter()
            .find(|x| x.as_str() == s)
    }

    /// Decided once.
    pub fn decide(self, list: bool) -> Result<Self, DomainError> {
        match self {
            CandidateStatus::Pending if list => Ok(CandidateStatus::Listed),
            CandidateStatus::Pending => Ok(CandidateStatus::Dismissed),
            _ => Err(DomainError::conflict("该候选已处理，不能再次处理")),
        }
    }
}

/// A subject proposed for a black list by a commitment criterion.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListingCandidate {
    pub id: String,
    pub subject_id: String,
    pub list_type_id: String,
    pub reason: String,
    /// The broken commitments that met the criterion.
    pub commitment_ids: Vec<String>,
    pub status: CandidateStatus,
    pub created_at: DateTime<Utc>,
    pub decided_at: Option<DateTime<Utc>>,
    pub decided_by: Option<DepartmentCode>,
    pub decision_note: Option<String>,
    /// The entry a listed candidate became.
    pub entry_id: Option<String>,
}

/// Dismissing needs reasons; listing needs the department's decision document (认定文书).
pub fn decision(
    list: bool,
    basis_document: Option<&str>,
    note: Option<&str>,
) -> Result<(Option<String>, Option<String>), DomainError> {
    let note = crate::subject::note_unless(list, note, "不予列入时请写明理由")?;
    let basis = basis_document.map(str::trim).filter(|b| !b.is_empty());
    match (list, basis) {
        (true, None) => Err(DomainError::invalid(
            "input.basisDocument",
            "列入名单须有本部门的认定文书编号",
        )),
        (true, Some(b)) => Ok((Some(b.to_owned()), note)),
        (false, _) => Ok((None, note)),
    }
}

/// The listing a candidate becomes: once (its key is the candidate's).
pub fn entry_for(
    c: &ListingCandidate,
    subject_code: &str,
    list_type_code: &str,
    basis_document: &str,
) -> RawListEntry {
    RawListEntry {
        subject_code: subject_code.to_owned(),
        list_type_code: list_type_code.to_owned(),
        reason: c.reason.clone(),
        basis_document: basis_document.to_owned(),
        start_date: None,
        end_date: None,
        idempotency_key: Some(format!("candidate-{}", c.id)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures::{d, list_type};

    #[test]
    fn only_black_lists_and_sensible_numbers() {
        let black = list_type("market-serious-illegal", ListColour::Black);
        let red = list_type("tax-a-level", ListColour::Red);
        assert!(CommitmentCriterion::parse(&black, 2, 12).is_ok());
        let field = |r: Result<CommitmentCriterion, DomainError>| match r {
            Err(DomainError::Invalid { field, .. }) => field,
            other => panic!("{other:?}"),
        };
        assert_eq!(
            field(CommitmentCriterion::parse(&red, 2, 12)),
            "input.listType"
        );
        assert_eq!(
            field(CommitmentCriterion::parse(&black, 0, 12)),
            "input.brokenCommitments"
        );
        assert_eq!(
            field(CommitmentCriterion::parse(&black, 2, 121)),
            "input.withinMonths"
        );
    }

    #[test]
    fn only_findings_within_the_window_count() {
        let black = list_type("market-serious-illegal", ListColour::Black);
        let c = CommitmentCriterion::parse(&black, 2, 12).unwrap();
        let today = d("2026-11-28");
        assert!(!c.is_met(&[d("2026-11-28")], today));
        assert!(c.is_met(&[d("2026-11-28"), d("2025-11-29")], today));
        assert!(
            !c.is_met(&[d("2026-11-28"), d("2025-11-28")], today),
            "twelve months ago to the day is outside"
        );
        assert_eq!(
            c.reason("市场监管严重违法失信名单", 2),
            "12个月内违背信用承诺2次，达到“市场监管严重违法失信名单”的认定标准（2次）"
        );
    }

    #[test]
    fn a_decision_needs_a_document_to_list_and_reasons_to_dismiss() {
        assert!(decision(true, None, None).is_err());
        assert!(decision(true, Some("  "), None).is_err());
        assert_eq!(
            decision(true, Some("阜市监信〔2026〕1号"), None).unwrap(),
            (Some("阜市监信〔2026〕1号".to_owned()), None)
        );
        assert!(decision(false, None, None).is_err());
        assert!(decision(false, None, Some("承诺已补正")).is_ok());
        assert_eq!(
            CandidateStatus::Pending.decide(true),
            Ok(CandidateStatus::Listed)
        );
        assert!(CandidateStatus::Listed.decide(false).is_err());
    }
}
