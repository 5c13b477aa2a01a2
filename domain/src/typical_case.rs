//! Typical cases (典型案例): a department puts forward a measure it applied — a reward (守信激励)
//! or a punishment (失信惩戒) — with a summary; the credit office approves it for publication, and
//! approved cases are public and go to the provincial and national platforms through the feed.

use crate::dispatch::Dispatch;
use crate::list::EntryStatus;
use crate::memorandum::MeasureKind;
use crate::{Department, DepartmentCode, DomainError};
use chrono::{DateTime, Utc};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CaseStatus {
    /// Put forward; awaiting the credit office.
    Proposed,
    /// Public.
    Approved,
    Rejected,
    /// Withdrawn from publication: its entry was revoked as wrongful.
    Withdrawn,
}

impl CaseStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            CaseStatus::Proposed => "proposed",
            CaseStatus::Approved => "approved",
            CaseStatus::Rejected => "rejected",
            CaseStatus::Withdrawn => "withdrawn",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [
            Self::Proposed,
            Self::Approved,
            Self::Rejected,
            Self::Withdrawn,
        ]
        .into_iter()
        .find(|x| x.as_str() == s)
    }

    /// The statuses a case built on a wrongful listing leaves: proposed (it may not be published)
    /// and approved (it is taken down).
    pub const WITHDRAWABLE: [CaseStatus; 2] = [CaseStatus::Proposed, CaseStatus::Approved];

    /// Decided once.
    pub fn decide(self, approve: bool) -> Result<Self, DomainError> {
        match self {
            CaseStatus::Proposed if approve => Ok(CaseStatus::Approved),
            CaseStatus::Proposed => Ok(CaseStatus::Rejected),
            CaseStatus::Withdrawn => Err(DomainError::conflict(
                "该典型案例所依据的名单条目已被认定为错误列入并撤销，案例已撤回",
            )),
            _ => Err(DomainError::conflict("该典型案例已审核，不能再次审核")),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TypicalCase {
    pub id: String,
    pub dispatch_id: String,
    pub department: DepartmentCode,
    pub subject_id: String,
    /// A reward case (守信激励) or a punishment case (失信惩戒): the measure's own kind.
    pub kind: MeasureKind,
    pub title: String,
    pub summary: String,
    pub status: CaseStatus,
    pub proposed_at: DateTime<Utc>,
    pub decided_at: Option<DateTime<Utc>>,
    pub decision_note: Option<String>,
    /// When it was withdrawn because its entry was revoked as wrongful.
    pub withdrawn_at: Option<DateTime<Utc>>,
}

/// A case is a measure its department applied and recorded so (it may have been lifted since, the
/// entry having ended), on an entry that was not a wrongful listing.
pub fn may_propose(
    department: &Department,
    dispatch: &Dispatch,
    entry: EntryStatus,
) -> Result<(), DomainError> {
    if dispatch.department != department.code {
        return Err(DomainError::forbidden(
            "只有实施该措施的部门可以将其报为典型案例",
        ));
    }
    if entry == EntryStatus::Revoked {
        return Err(DomainError::conflict(
            "该名单条目已撤销（错误列入），不能据此报送典型案例",
        ));
    }
    if !dispatch.status.was_applied() {
        return Err(DomainError::conflict(
            "只有已反馈“已实施”的措施可以报为典型案例",
        ));
    }
    Ok(())
}

/// A title and summary, checked.
pub fn texts(title: &str, summary: &str) -> Result<(String, String), DomainError> {
    let t = crate::text::name("input.title", title, 100)?;
    crate::text::no_controls("input.summary", summary)?;
    let s = summary.trim();
    if s.chars().count() < 20 || s.chars().count() > 5_000 {
        return Err(DomainError::invalid(
            "input.summary",
            "案例摘要应为20到5000个字",
        ));
    }
    Ok((t.to_owned(), s.to_owned()))
}

/// A rejection says why.
pub fn decision_note(approve: bool, note: Option<&str>) -> Result<Option<String>, DomainError> {
    crate::subject::note_unless(approve, note, "不予发布时请写明理由")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decided_once_and_texts_are_bounded() {
        assert_eq!(
            CaseStatus::Proposed.decide(true).unwrap(),
            CaseStatus::Approved
        );
        assert!(CaseStatus::Rejected.decide(true).is_err());
        assert!(texts("", "x".repeat(30).as_str()).is_err());
        assert!(texts("标题", "太短").is_err());
        assert!(decision_note(false, None).is_err());
    }
}
