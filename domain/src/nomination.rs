//! Nominations by industry associations (行业协会商会推荐): an association recommends a member for
//! a red list; the list's owning department accepts (the member is listed, with its measures, the
//! association named as nominator) or declines, with a reason.

use crate::list::{ListColour, ListType, RawListEntry};
use crate::node::NodeKind;
use crate::{Department, DepartmentCode, DomainError};
use chrono::{DateTime, Utc};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NominationStatus {
    Pending,
    Accepted,
    Declined,
}

impl NominationStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            NominationStatus::Pending => "pending",
            NominationStatus::Accepted => "accepted",
            NominationStatus::Declined => "declined",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [Self::Pending, Self::Accepted, Self::Declined]
            .into_iter()
            .find(|x| x.as_str() == s)
    }

    /// The status as the association reads it.
    pub fn label(self) -> &'static str {
        match self {
            NominationStatus::Pending => "待处理",
            NominationStatus::Accepted => "已采纳",
            NominationStatus::Declined => "不予采纳",
        }
    }

    /// Decided once.
    pub fn decide(self, accept: bool) -> Result<Self, DomainError> {
        match self {
            NominationStatus::Pending if accept => Ok(NominationStatus::Accepted),
            NominationStatus::Pending => Ok(NominationStatus::Declined),
            _ => Err(DomainError::conflict("该推荐已处理，不能再次处理")),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Nomination {
    pub id: String,
    pub association: DepartmentCode,
    pub subject_id: String,
    pub list_type_id: String,
    pub reason: String,
    pub status: NominationStatus,
    pub created_at: DateTime<Utc>,
    pub decided_at: Option<DateTime<Utc>>,
    pub decision_note: Option<String>,
    /// The entry an accepted nomination became.
    pub entry_id: Option<String>,
}

/// Only an association nominates, and only for a red list.
pub fn may_nominate(is_association: bool, list_type: &ListType) -> Result<(), DomainError> {
    if !is_association {
        return Err(DomainError::forbidden("只有行业协会商会可以推荐"));
    }
    if list_type.colour != ListColour::Red {
        return Err(DomainError::invalid(
            "input.listType",
            format!("只能推荐列入红名单；“{}”不是红名单", list_type.name),
        ));
    }
    Ok(())
}

/// The list's owning department decides.
pub fn may_decide(department: &Department, list_type: &ListType) -> Result<(), DomainError> {
    if !list_type.owner.owns(department) {
        return Err(DomainError::forbidden(format!(
            "“{}”由{}管理，只有该部门可以处理推荐",
            list_type.name,
            list_type.owner.describe()
        )));
    }
    Ok(())
}

/// The reason for a nomination, checked.
pub fn reason(raw: &str) -> Result<String, DomainError> {
    let r = raw.trim();
    let n = r.chars().count();
    if !(4..=2_000).contains(&n) {
        return Err(DomainError::invalid(
            "input.reason",
            "推荐理由应为4到2000个字",
        ));
    }
    Ok(r.to_owned())
}

/// A decline needs a reason the association can act on.
pub fn decision_note(accept: bool, note: Option<&str>) -> Result<Option<String>, DomainError> {
    crate::subject::note_unless(accept, note, "不予采纳时请写明理由")
}

/// The listing an accepted nomination makes: once (its key is the nomination's), naming the
/// association in its basis.
pub fn entry_for(
    n: &Nomination,
    subject_code: &str,
    list_type_code: &str,
    association_name: &str,
) -> RawListEntry {
    RawListEntry {
        subject_code: subject_code.to_owned(),
        list_type_code: list_type_code.to_owned(),
        reason: n.reason.clone(),
        basis_document: format!(
            "{association_name}推荐（推荐编号 {}）",
            NodeKind::Nomination.global_id(&n.id)
        ),
        start_date: None,
        end_date: None,
        idempotency_key: Some(format!("nomination-{}", n.id)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decided_once_and_a_decline_says_why() {
        let s = NominationStatus::Pending.decide(true).unwrap();
        assert_eq!(s, NominationStatus::Accepted);
        assert!(matches!(s.decide(false), Err(DomainError::Conflict(_))));
        assert!(decision_note(false, Some("  ")).is_err());
        assert_eq!(decision_note(true, None).unwrap(), None);
        assert!(reason("好").is_err());
    }
}
