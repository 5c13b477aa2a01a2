//! Credit commitments (信用承诺): a subject promises, in public, to a department; the department
//! records whether the promise was kept. A broken promise becomes a credit record of the subject.

use crate::record::{CreditRecordKind, DishonestyClass, RawCreditRecord};
use crate::{DepartmentCode, DomainError};
use chrono::{DateTime, Months, NaiveDate, Utc};

/// What kind of promise.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CommitmentKind {
    /// 综合信用承诺: to act in good faith in general.
    General,
    /// 产品和服务质量承诺.
    Quality,
    /// 公开服务标准承诺: to keep a published service standard.
    ServiceStandard,
    /// 审批替代型: made in place of a document or check an approval would need.
    ApprovalReplacement,
    /// 容缺受理型: made so that an application proceeds while documents are missing.
    MissingDocuments,
    /// 信用修复型: made when applying for credit repair.
    Repair,
}

impl CommitmentKind {
    pub const ALL: [CommitmentKind; 6] = [
        CommitmentKind::General,
        CommitmentKind::Quality,
        CommitmentKind::ServiceStandard,
        CommitmentKind::ApprovalReplacement,
        CommitmentKind::MissingDocuments,
        CommitmentKind::Repair,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            CommitmentKind::General => "general",
            CommitmentKind::Quality => "quality",
            CommitmentKind::ServiceStandard => "service_standard",
            CommitmentKind::ApprovalReplacement => "approval_replacement",
            CommitmentKind::MissingDocuments => "missing_documents",
            CommitmentKind::Repair => "repair",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            CommitmentKind::General => "综合信用承诺",
            CommitmentKind::Quality => "产品和服务质量承诺",
            CommitmentKind::ServiceStandard => "公开服务标准承诺",
            CommitmentKind::ApprovalReplacement => "审批替代型信用承诺",
            CommitmentKind::MissingDocuments => "容缺受理型信用承诺",
            CommitmentKind::Repair => "信用修复型信用承诺",
        }
    }
}

/// Whether a promise was kept, as its department found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CommitmentStatus {
    /// Made; not yet assessed.
    Open,
    Kept,
    Broken,
}

impl CommitmentStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            CommitmentStatus::Open => "open",
            CommitmentStatus::Kept => "kept",
            CommitmentStatus::Broken => "broken",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [Self::Open, Self::Kept, Self::Broken]
            .into_iter()
            .find(|x| x.as_str() == s)
    }

    /// The status as the public reads it.
    pub fn label(self) -> &'static str {
        match self {
            CommitmentStatus::Open => "履约中",
            CommitmentStatus::Kept => "已践诺",
            CommitmentStatus::Broken => "已违诺",
        }
    }

    /// Assessed once: kept or broken, and never again.
    pub fn assess(self, kept: bool) -> Result<CommitmentStatus, DomainError> {
        match self {
            CommitmentStatus::Open if kept => Ok(CommitmentStatus::Kept),
            CommitmentStatus::Open => Ok(CommitmentStatus::Broken),
            done => Err(DomainError::conflict(format!(
                "该承诺已认定为{}，不能再次认定",
                if done == CommitmentStatus::Kept {
                    "已履行"
                } else {
                    "未履行"
                }
            ))),
        }
    }
}

/// A commitment as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Commitment {
    pub id: String,
    pub subject_id: String,
    pub kind: CommitmentKind,
    pub text: String,
    pub scope: String,
    /// The department it was made to, which assesses it.
    pub department: DepartmentCode,
    pub valid_from: NaiveDate,
    pub valid_until: NaiveDate,
    pub made_at: DateTime<Utc>,
    pub status: CommitmentStatus,
    pub assessed_at: Option<DateTime<Utc>>,
    pub note: Option<String>,
    /// The credit record a broken commitment became.
    pub record_id: Option<String>,
}

/// Only the department a commitment was made to assesses it.
pub fn may_assess(department: &DepartmentCode, c: &Commitment) -> Result<(), DomainError> {
    if *department != c.department {
        return Err(DomainError::forbidden(
            "只有接受该承诺的部门可以认定其履行情况",
        ));
    }
    Ok(())
}

/// The longest a commitment may run.
pub const MAX_YEARS: u32 = 5;

/// A commitment as a subject sends it.
#[derive(Debug, Clone)]
pub struct RawCommitment {
    pub kind: CommitmentKind,
    pub text: String,
    pub scope: String,
    pub department: String,
    pub valid_from: Option<NaiveDate>,
    pub valid_until: NaiveDate,
}

/// A commitment, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewCommitment {
    pub kind: CommitmentKind,
    pub text: String,
    pub scope: String,
    pub department: DepartmentCode,
    pub valid_from: NaiveDate,
    pub valid_until: NaiveDate,
}

fn text(field: &str, raw: &str, min: usize, max: usize, what: &str) -> Result<String, DomainError> {
    let t = raw.trim();
    let n = t.chars().count();
    if n < min || n > max {
        return Err(DomainError::invalid(
            field,
            format!("{what}应为{min}到{max}个字"),
        ));
    }
    Ok(t.to_owned())
}

impl NewCommitment {
    pub fn parse(raw: &RawCommitment, today: NaiveDate) -> Result<NewCommitment, DomainError> {
        let text = text("input.text", &raw.text, 10, 5_000, "承诺内容")?;
        let scope = text_scope(&raw.scope)?;
        let department = DepartmentCode::parse(raw.department.trim())
            .map_err(|e| DomainError::invalid("input.department", e.to_string()))?;
        let valid_from = raw.valid_from.unwrap_or(today);
        if valid_from < today {
            return Err(DomainError::invalid(
                "input.validFrom",
                "承诺不能从过去的日期开始",
            ));
        }
        let latest = valid_from
            .checked_add_months(Months::new(12 * MAX_YEARS))
            .unwrap_or(valid_from);
        if raw.valid_until < valid_from || raw.valid_until > latest {
            return Err(DomainError::invalid(
                "input.validUntil",
                format!("承诺期限应在开始之日起{MAX_YEARS}年以内"),
            ));
        }
        Ok(NewCommitment {
            kind: raw.kind,
            text,
            scope,
            department,
            valid_from,
            valid_until: raw.valid_until,
        })
    }
}

fn text_scope(raw: &str) -> Result<String, DomainError> {
    text("input.scope", raw, 2, 500, "承诺事项（适用范围）")
}

/// What the department says of a broken promise: what was not done (required).
pub fn breach_note(kept: bool, note: Option<&str>) -> Result<Option<String>, DomainError> {
    crate::subject::note_unless(kept, note, "认定未履行时请写明未履行的事实")
}

/// The class a broken commitment's record has when its department gives none.
pub const DEFAULT_BREACH_CLASS: DishonestyClass = DishonestyClass::General;

/// The credit record a broken commitment becomes: of kind commitment, decided today by the
/// department it was made to, numbered after the commitment so that it is made once; of the class
/// the assessing department gives, public until the end that class allows.
pub fn breach_record(
    commitment_id: &str,
    kind: CommitmentKind,
    subject_code: &str,
    scope: &str,
    note: &str,
    class: DishonestyClass,
    today: NaiveDate,
) -> RawCreditRecord {
    RawCreditRecord {
        subject_code: subject_code.to_owned(),
        kind: Some(CreditRecordKind::Commitment),
        title: format!("未履行{}", kind.label()),
        decision_number: format!("信用承诺-{commitment_id}"),
        decision_date: Some(today),
        publication_date: Some(today),
        legal_basis: format!("信用承诺：{scope}"),
        content: note.to_owned(),
        dishonesty_class: Some(class),
        publicity_end: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures::d;

    fn raw() -> RawCommitment {
        RawCommitment {
            kind: CommitmentKind::MissingDocuments,
            text: "本企业承诺在30日内补齐消防验收材料，逾期未补齐的自愿承担相应责任。".into(),
            scope: "食品经营许可申请".into(),
            department: "210900.market".into(),
            valid_from: None,
            valid_until: d("2026-12-28"),
        }
    }

    fn field(e: DomainError) -> String {
        match e {
            DomainError::Invalid { field, .. } => field,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_commitment_is_checked_and_starts_today_by_default() {
        let c = NewCommitment::parse(&raw(), d("2026-11-28")).unwrap();
        assert_eq!(c.valid_from, d("2026-11-28"));
        let mut r = raw();
        r.text = "太短".into();
        assert_eq!(
            field(NewCommitment::parse(&r, d("2026-11-28")).unwrap_err()),
            "input.text"
        );
        let mut r = raw();
        r.valid_until = d("2032-01-01");
        assert_eq!(
            field(NewCommitment::parse(&r, d("2026-11-28")).unwrap_err()),
            "input.validUntil"
        );
        let mut r = raw();
        r.valid_from = Some(d("2026-11-01"));
        assert_eq!(
            field(NewCommitment::parse(&r, d("2026-11-28")).unwrap_err()),
            "input.validFrom"
        );
        let mut r = raw();
        r.department = "market".into();
        assert_eq!(
            field(NewCommitment::parse(&r, d("2026-11-28")).unwrap_err()),
            "input.department"
        );
    }

    #[test]
    fn assessed_once_and_a_breach_needs_its_facts() {
        let s = CommitmentStatus::Open.assess(false).unwrap();
        assert_eq!(s, CommitmentStatus::Broken);
        assert!(matches!(s.assess(true), Err(DomainError::Conflict(_))));
        assert_eq!(
            field(breach_note(false, Some(" ")).unwrap_err()),
            "input.note"
        );
        assert_eq!(breach_note(true, None).unwrap(), None);
    }

    #[test]
    fn a_breach_record_is_a_valid_commitment_record() {
        let raw = breach_record(
            "c1",
            CommitmentKind::Quality,
            "X",
            "食品",
            "未按承诺召回",
            DEFAULT_BREACH_CLASS,
            d("2026-11-28"),
        );
        let r = crate::NewCreditRecord::parse(&raw, d("2026-11-28")).unwrap();
        assert_eq!(r.kind, CreditRecordKind::Commitment);
        assert_eq!(r.decision_number, "信用承诺-c1");
        assert_eq!(r.dishonesty_class, Some(DishonestyClass::General));
        assert_eq!(
            r.publicity_end,
            Some(d("2027-11-28")),
            "a general one is public for a year"
        );
    }
}
