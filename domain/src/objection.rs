//! 异议 (objections): anyone may object to a credit record or a list entry; the owning department
//! accepts or refuses it, then upholds or rejects it, each within its deadline in working days.

use crate::calendar::WorkingDayCalendar;
use crate::error::DomainError;
use crate::subject::{optional_text, required_text};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// The mark the public reads beside an entry or record while an objection to it is pending.
pub const UNDER_OBJECTION: &str = "异议处理中";

/// Default deadlines: accept or refuse within 2 working days of filing, decide within 10 of acceptance.
pub const DEFAULT_ACCEPT_WORKING_DAYS: u32 = 2;
pub const DEFAULT_DECIDE_WORKING_DAYS: u32 = 10;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ObjectionStatus {
    Submitted,
    Accepted,
    Upheld,
    Rejected,
    NotAccepted,
}

impl ObjectionStatus {
    pub const ALL: [ObjectionStatus; 5] = [
        ObjectionStatus::Submitted,
        ObjectionStatus::Accepted,
        ObjectionStatus::Upheld,
        ObjectionStatus::Rejected,
        ObjectionStatus::NotAccepted,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ObjectionStatus::Submitted => "submitted",
            ObjectionStatus::Accepted => "accepted",
            ObjectionStatus::Upheld => "upheld",
            ObjectionStatus::Rejected => "rejected",
            ObjectionStatus::NotAccepted => "not_accepted",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// Still being handled: the public view of its target says 异议处理中.
    pub fn is_pending(self) -> bool {
        matches!(self, ObjectionStatus::Submitted | ObjectionStatus::Accepted)
    }

    /// The status as the filer reads it.
    pub fn label(self) -> &'static str {
        match self {
            ObjectionStatus::Submitted => "已提交",
            ObjectionStatus::Accepted => "已受理",
            ObjectionStatus::Upheld => "异议成立",
            ObjectionStatus::Rejected => "异议不成立",
            ObjectionStatus::NotAccepted => "不予受理",
        }
    }

    fn illegal(self, action: &str) -> DomainError {
        DomainError::conflict(format!("异议当前状态为{}，不能{action}", self.label()))
    }

    /// Submitted → Accepted.
    pub fn accept(self) -> Result<Self, DomainError> {
        match self {
            ObjectionStatus::Submitted => Ok(ObjectionStatus::Accepted),
            other => Err(other.illegal("受理")),
        }
    }

    /// Submitted → NotAccepted.
    pub fn refuse(self) -> Result<Self, DomainError> {
        match self {
            ObjectionStatus::Submitted => Ok(ObjectionStatus::NotAccepted),
            other => Err(other.illegal("不予受理")),
        }
    }

    /// Accepted → Upheld | Rejected.
    pub fn decide(self, upheld: bool) -> Result<Self, DomainError> {
        match self {
            ObjectionStatus::Accepted if upheld => Ok(ObjectionStatus::Upheld),
            ObjectionStatus::Accepted => Ok(ObjectionStatus::Rejected),
            other => Err(other.illegal("作出决定")),
        }
    }
}

/// What an objection is against.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum TargetKind {
    Entry,
    Record,
}

impl TargetKind {
    pub fn as_str(self) -> &'static str {
        match self {
            TargetKind::Entry => "entry",
            TargetKind::Record => "record",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [TargetKind::Entry, TargetKind::Record]
            .into_iter()
            .find(|k| k.as_str() == s)
    }
}

/// Working days allowed to accept and to decide.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Deadlines {
    pub accept_working_days: u32,
    pub decide_working_days: u32,
}

impl Default for Deadlines {
    fn default() -> Self {
        Deadlines {
            accept_working_days: DEFAULT_ACCEPT_WORKING_DAYS,
            decide_working_days: DEFAULT_DECIDE_WORKING_DAYS,
        }
    }
}

impl Deadlines {
    pub fn parse(accept: i32, decide: i32) -> Result<Self, DomainError> {
        let check = |v: i32, field: &str| {
            u32::try_from(v)
                .ok()
                .filter(|d| (1..=60).contains(d))
                .ok_or_else(|| DomainError::invalid(field, "期限应为1至60个工作日"))
        };
        Ok(Deadlines {
            accept_working_days: check(accept, "input.acceptWorkingDays")?,
            decide_working_days: check(decide, "input.decideWorkingDays")?,
        })
    }

    /// The last day to accept or refuse an objection filed on `filed`; `None` beyond the calendar.
    pub fn accept_by(&self, calendar: &WorkingDayCalendar, filed: NaiveDate) -> Option<NaiveDate> {
        calendar
            .add_working_days(filed, self.accept_working_days)
            .ok()
    }

    /// The last day to decide an objection accepted on `accepted`; `None` beyond the calendar.
    pub fn decide_by(
        &self,
        calendar: &WorkingDayCalendar,
        accepted: NaiveDate,
    ) -> Option<NaiveDate> {
        calendar
            .add_working_days(accepted, self.decide_working_days)
            .ok()
    }
}

/// One step of an objection's handling: who did what, when and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ObjectionStep {
    pub status: ObjectionStatus,
    /// A department code, or `public` / the subject's code for the filing.
    pub actor: String,
    pub note: String,
    pub at: chrono::DateTime<chrono::Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Objection {
    pub id: String,
    /// 受理回执号: what the filer quotes to follow the objection.
    pub receipt: String,
    pub subject_id: String,
    pub target: TargetKind,
    pub target_id: String,
    pub owner: crate::DepartmentCode,
    pub reason: String,
    pub contact: String,
    pub evidence: Vec<String>,
    pub status: ObjectionStatus,
    pub filed_on: NaiveDate,
    pub accept_by: Option<NaiveDate>,
    pub decide_by: Option<NaiveDate>,
    pub steps: Vec<ObjectionStep>,
}

impl Objection {
    /// Past the deadline of the step it waits for.
    pub fn is_overdue(&self, today: NaiveDate) -> bool {
        waits_past_deadline(self.status, self.accept_by, self.decide_by, today)
    }
}

/// Whether an objection in `status` waits past the deadline of the step it waits for.
pub fn waits_past_deadline(
    status: ObjectionStatus,
    accept_by: Option<NaiveDate>,
    decide_by: Option<NaiveDate>,
    today: NaiveDate,
) -> bool {
    let due = match status {
        ObjectionStatus::Submitted => accept_by,
        ObjectionStatus::Accepted => decide_by,
        _ => None,
    };
    due.is_some_and(|d| today > d)
}

/// Whether a closed objection kept its deadlines: accepted or refused by `accept_by` and, once
/// accepted (on `accepted_on`), decided by `decide_by`. `None` when a deadline it needs is unknown
/// (beyond the calendar): never a guess.
pub fn handled_in_time(
    accept_by: Option<NaiveDate>,
    decide_by: Option<NaiveDate>,
    accepted_on: Option<NaiveDate>,
    closed_on: NaiveDate,
) -> Option<bool> {
    let answered_on = accepted_on.unwrap_or(closed_on);
    if answered_on > accept_by? {
        return Some(false);
    }
    match accepted_on {
        None => Some(true),
        Some(_) => decide_by.map(|by| closed_on <= by),
    }
}

/// An objection as the filer typed it.
#[derive(Debug, Clone, Default)]
pub struct RawObjection {
    pub subject_code: String,
    pub target: Option<TargetKind>,
    pub target_id: String,
    pub reason: String,
    pub contact: String,
    pub evidence: Vec<String>,
}

/// Validated text of a new objection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewObjection {
    pub target: TargetKind,
    pub target_id: String,
    pub reason: String,
    pub contact: String,
    pub evidence: Vec<String>,
}

impl NewObjection {
    pub fn parse(raw: &RawObjection) -> Result<Self, DomainError> {
        let target = raw.target.ok_or_else(|| {
            DomainError::invalid("input.targetKind", "请选择异议对象：信用记录或名单条目")
        })?;
        let target_id = required_text("targetId", &raw.target_id, 64)?;
        let evidence = raw
            .evidence
            .iter()
            .map(|e| required_text("evidence", e, 500))
            .collect::<Result<Vec<_>, _>>()?;
        if evidence.len() > 20 {
            return Err(DomainError::invalid("input.evidence", "证据材料最多20项"));
        }
        Ok(NewObjection {
            target,
            target_id,
            reason: required_text("reason", &raw.reason, 2000)?,
            contact: required_text("contact", &raw.contact, 200)?,
            evidence,
        })
    }
}

/// A decision's reasons are required: the filer is owed them.
pub fn reasons(note: &str) -> Result<String, DomainError> {
    required_text("reason", note, 2000)
}

/// Optional correction of a record when an objection against it is upheld.
pub fn optional_reason(note: Option<&str>) -> Result<Option<String>, DomainError> {
    optional_text("reason", note, 2000)
}

/// 更正公告: published when an objection is upheld, for anyone to read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CorrectionNotice {
    pub id: String,
    pub objection_id: String,
    pub subject_id: String,
    pub target: TargetKind,
    pub target_id: String,
    pub title: String,
    pub body: String,
    pub published_at: chrono::DateTime<chrono::Utc>,
}

/// What becomes of a record when an objection against it is upheld.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RecordRemedy {
    /// 撤回: the record is no longer shown.
    Withdraw,
    /// 更正: the record's content is replaced; the old version is kept.
    Correct {
        title: Option<String>,
        content: Option<String>,
        legal_basis: Option<String>,
    },
}

/// The text of a correction notice.
pub fn notice_text(
    subject_name: &str,
    target: &str,
    remedy: &str,
    reason: &str,
    on: NaiveDate,
) -> (String, String) {
    let title = format!("关于{subject_name}{target}的更正公告");
    let body = format!(
        "经核查，{subject_name}的{target}信息有误，异议成立。本平台已于{on}{remedy}。理由：{reason}"
    );
    (title, body)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures::d;

    #[test]
    fn state_machine() {
        use ObjectionStatus::*;
        assert_eq!(Submitted.accept(), Ok(Accepted));
        assert_eq!(Submitted.refuse(), Ok(NotAccepted));
        assert_eq!(Accepted.decide(true), Ok(Upheld));
        assert_eq!(Accepted.decide(false), Ok(Rejected));
        for s in [Accepted, Upheld, Rejected, NotAccepted] {
            assert!(matches!(s.accept(), Err(DomainError::Conflict(_))), "{s:?}");
            assert!(matches!(s.refuse(), Err(DomainError::Conflict(_))), "{s:?}");
        }
        for s in [Submitted, Upheld, Rejected, NotAccepted] {
            assert!(
                matches!(s.decide(true), Err(DomainError::Conflict(_))),
                "{s:?}"
            );
        }
        assert!(Submitted.is_pending() && Accepted.is_pending() && !Upheld.is_pending());
    }

    #[test]
    fn deadlines_skip_holidays_and_count_swapped_saturdays() {
        let cal = WorkingDayCalendar::bundled().unwrap();
        let dl = Deadlines::default();
        assert_eq!(dl.accept_by(&cal, d("2026-09-30")), Some(d("2026-10-09")));
        assert_eq!(dl.accept_by(&cal, d("2026-10-08")), Some(d("2026-10-10")));
        assert_eq!(
            dl.decide_by(&cal, d("2026-12-28")),
            None,
            "beyond the calendar: unknown, not guessed"
        );
    }

    #[test]
    fn in_time_means_every_step_by_its_deadline() {
        let (accept_by, decide_by) = (Some(d("2026-11-04")), Some(d("2026-11-18")));
        let on = |a: Option<&str>, closed: &str| {
            handled_in_time(accept_by, decide_by, a.map(d), d(closed))
        };
        assert_eq!(
            on(None, "2026-11-04"),
            Some(true),
            "refused on the last day"
        );
        assert_eq!(on(None, "2026-11-05"), Some(false), "refused a day late");
        assert_eq!(on(Some("2026-11-03"), "2026-11-18"), Some(true));
        assert_eq!(
            on(Some("2026-11-05"), "2026-11-06"),
            Some(false),
            "accepted late"
        );
        assert_eq!(
            on(Some("2026-11-03"), "2026-11-19"),
            Some(false),
            "decided late"
        );
        assert_eq!(handled_in_time(None, None, None, d("2026-11-04")), None);
        assert_eq!(
            handled_in_time(accept_by, None, Some(d("2026-11-03")), d("2026-12-30")),
            None,
            "the decision's deadline is beyond the calendar"
        );
    }

    #[test]
    fn overdue_follows_the_awaited_step() {
        let mut o = Objection {
            id: "o".into(),
            receipt: "r".into(),
            subject_id: "s".into(),
            target: TargetKind::Entry,
            target_id: "e".into(),
            owner: crate::DepartmentCode::parse("210900.court").unwrap(),
            reason: "r".into(),
            contact: "c".into(),
            evidence: vec![],
            status: ObjectionStatus::Submitted,
            filed_on: d("2026-09-30"),
            accept_by: Some(d("2026-10-09")),
            decide_by: None,
            steps: vec![],
        };
        assert!(!o.is_overdue(d("2026-10-09")));
        assert!(o.is_overdue(d("2026-10-10")));
        o.status = ObjectionStatus::NotAccepted;
        assert!(!o.is_overdue(d("2026-12-01")));
    }
}
