//! 推送 (dispatches): one measure for one implementing department about one list entry, and the
//! feedback (反馈) that answers it.

use crate::calendar::{CalendarError, WorkingDayCalendar};
use crate::department::DepartmentCode;
use crate::error::DomainError;
use crate::subject::{optional_text, required_text};
use chrono::{DateTime, Datelike, Months, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

/// Unacknowledged this many working days after it was made, a dispatch is overdue (configurable).
pub const DEFAULT_ACKNOWLEDGE_WORKING_DAYS: u32 = 5;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum DispatchStatus {
    Pending,
    Acknowledged,
    Applied,
    NotApplicable,
    Cancelled,
    /// Applied, and its entry ended: the department is asked to lift the measure.
    LiftRequested,
    /// The department confirmed that it lifted the measure.
    Lifted,
}

impl DispatchStatus {
    pub const ALL: [DispatchStatus; 7] = [
        DispatchStatus::Pending,
        DispatchStatus::Acknowledged,
        DispatchStatus::Applied,
        DispatchStatus::NotApplicable,
        DispatchStatus::Cancelled,
        DispatchStatus::LiftRequested,
        DispatchStatus::Lifted,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            DispatchStatus::Pending => "pending",
            DispatchStatus::Acknowledged => "acknowledged",
            DispatchStatus::Applied => "applied",
            DispatchStatus::NotApplicable => "not_applicable",
            DispatchStatus::Cancelled => "cancelled",
            DispatchStatus::LiftRequested => "lift_requested",
            DispatchStatus::Lifted => "lifted",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// Still waiting for its department.
    pub fn is_open(self) -> bool {
        matches!(self, DispatchStatus::Pending | DispatchStatus::Acknowledged)
    }

    /// The status as people read it.
    pub fn label(self) -> &'static str {
        match self {
            DispatchStatus::Pending => "待签收",
            DispatchStatus::Acknowledged => "已签收",
            DispatchStatus::Applied => "已实施",
            DispatchStatus::NotApplicable => "不适用",
            DispatchStatus::Cancelled => "已撤回",
            DispatchStatus::LiftRequested => "待解除",
            DispatchStatus::Lifted => "已解除",
        }
    }

    /// Whether the measure was applied at some time (applied, and perhaps lifted since).
    pub fn was_applied(self) -> bool {
        matches!(
            self,
            DispatchStatus::Applied | DispatchStatus::LiftRequested | DispatchStatus::Lifted
        )
    }

    /// Applied → LiftRequested when its entry ends; a lifted measure is asked again when its entry
    /// is found wrongful after it ended (the subject's standing is still to restore).
    pub fn request_lift(self) -> Result<Self, DomainError> {
        match self {
            DispatchStatus::Applied | DispatchStatus::LiftRequested | DispatchStatus::Lifted => {
                Ok(DispatchStatus::LiftRequested)
            }
            other => Err(DomainError::conflict(format!(
                "推送当前状态为{}，没有已实施的措施需要解除",
                other.label()
            ))),
        }
    }

    /// LiftRequested → Lifted, when the department confirms.
    pub fn confirm_lift(self) -> Result<Self, DomainError> {
        match self {
            DispatchStatus::LiftRequested => Ok(DispatchStatus::Lifted),
            DispatchStatus::Lifted => Err(DomainError::conflict("该措施已确认解除，不能重复确认")),
            other => Err(DomainError::conflict(format!(
                "推送当前状态为{}，没有待解除的措施",
                other.label()
            ))),
        }
    }

    /// Pending → Acknowledged.
    pub fn acknowledge(self) -> Result<Self, DomainError> {
        match self {
            DispatchStatus::Pending => Ok(DispatchStatus::Acknowledged),
            other => Err(DomainError::conflict(format!(
                "推送当前状态为{}，不能签收",
                other.label()
            ))),
        }
    }

    /// Pending or Acknowledged → Applied | NotApplicable. Feedback on a pending dispatch
    /// acknowledges it at the same moment; a second answer is a conflict.
    pub fn answer(self, outcome: Outcome) -> Result<Self, DomainError> {
        match self {
            DispatchStatus::Pending | DispatchStatus::Acknowledged => Ok(outcome.status()),
            DispatchStatus::Cancelled => Err(DomainError::conflict(
                "该推送已撤回（名单条目已结束），不能再反馈",
            )),
            other => Err(DomainError::conflict(format!(
                "该推送已反馈（{}），不能重复反馈",
                other.label()
            ))),
        }
    }

    /// Any open dispatch → Cancelled, when its entry ends.
    pub fn cancel(self) -> Result<Self, DomainError> {
        if self.is_open() {
            Ok(DispatchStatus::Cancelled)
        } else {
            Err(DomainError::conflict(format!(
                "推送当前状态为{}，不能撤回",
                self.label()
            )))
        }
    }
}

/// What the implementing department did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Outcome {
    Applied,
    NotApplicable,
}

impl Outcome {
    pub fn status(self) -> DispatchStatus {
        match self {
            Outcome::Applied => DispatchStatus::Applied,
            Outcome::NotApplicable => DispatchStatus::NotApplicable,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Dispatch {
    pub id: String,
    pub entry_id: String,
    pub measure_id: String,
    pub memorandum_version_id: String,
    pub department: DepartmentCode,
    pub status: DispatchStatus,
    pub created_at: DateTime<Utc>,
    /// The last working day to acknowledge; `None` when the calendar did not reach that far when
    /// the dispatch was made (never guessed).
    pub acknowledge_by: Option<NaiveDate>,
    pub feedback_due: NaiveDate,
    pub acknowledged_at: Option<DateTime<Utc>>,
    pub answered_at: Option<DateTime<Utc>>,
    pub cancelled_at: Option<DateTime<Utc>>,
    pub cancel_reason: Option<String>,
}

impl Dispatch {
    /// Pending past its acknowledgement deadline.
    pub fn is_overdue(&self, today: NaiveDate) -> bool {
        self.status == DispatchStatus::Pending && self.acknowledge_by.is_some_and(|by| today > by)
    }
}

/// The deadline to acknowledge a dispatch made on `made`: `None` when the calendar lacks a year.
pub fn acknowledge_by(
    calendar: &WorkingDayCalendar,
    made: NaiveDate,
    working_days: u32,
) -> Option<NaiveDate> {
    calendar.add_working_days(made, working_days).ok()
}

/// The last day of the `quarters`-th quarter after the quarter of `made` (the quarterly report-back
/// rule: a dispatch of November is answered by 31 March).
pub fn feedback_due(made: NaiveDate, quarters: u32) -> NaiveDate {
    let quarter_start_month = (made.month0() / 3) * 3 + 1;
    let start = NaiveDate::from_ymd_opt(made.year(), quarter_start_month, 1).unwrap_or(made);
    start
        .checked_add_months(Months::new(3 * (quarters + 1)))
        .and_then(|d| d.pred_opt())
        .unwrap_or(made)
}

/// 联合奖惩案例: what the implementing department did, in which business.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Feedback {
    pub dispatch_id: String,
    pub outcome: Outcome,
    pub business: String,
    pub note: String,
    pub recorded_by: DepartmentCode,
    pub recorded_at: DateTime<Utc>,
}

/// Feedback as typed by the implementing department.
#[derive(Debug, Clone)]
pub struct RawFeedback {
    pub outcome: Outcome,
    pub business: String,
    pub note: Option<String>,
}

impl RawFeedback {
    /// Validates: a business is always named; "not applicable" needs a reason.
    pub fn validate(&self) -> Result<(String, String), DomainError> {
        let business = required_text("business", &self.business, 200)?;
        let note = optional_text("note", self.note.as_deref(), 2000)?.unwrap_or_default();
        if self.outcome == Outcome::NotApplicable && note.is_empty() {
            return Err(DomainError::invalid("input.note", "不适用时请说明原因"));
        }
        Ok((business, note))
    }
}

/// How many working days a dispatch waited for its answer.
pub fn response_working_days(
    calendar: &WorkingDayCalendar,
    made: NaiveDate,
    answered: NaiveDate,
) -> Result<u32, CalendarError> {
    calendar.working_days_between(made, answered)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures::d;

    #[test]
    fn state_machine() {
        use DispatchStatus::*;
        assert_eq!(Pending.acknowledge(), Ok(Acknowledged));
        assert!(Acknowledged.acknowledge().is_err());
        assert_eq!(Acknowledged.answer(Outcome::Applied), Ok(Applied));
        assert_eq!(Pending.answer(Outcome::NotApplicable), Ok(NotApplicable));
        assert!(matches!(
            Applied.answer(Outcome::Applied),
            Err(DomainError::Conflict(_))
        ));
        assert!(matches!(
            Cancelled.answer(Outcome::Applied),
            Err(DomainError::Conflict(_))
        ));
        assert_eq!(Pending.cancel(), Ok(Cancelled));
        assert_eq!(Acknowledged.cancel(), Ok(Cancelled));
        assert!(Applied.cancel().is_err());
        assert!(Cancelled.cancel().is_err());
        assert_eq!(Applied.request_lift(), Ok(LiftRequested));
        assert_eq!(Lifted.request_lift(), Ok(LiftRequested));
        assert!(Pending.request_lift().is_err());
        assert!(NotApplicable.request_lift().is_err());
        assert!(Cancelled.request_lift().is_err());
        assert_eq!(LiftRequested.confirm_lift(), Ok(Lifted));
        assert!(Lifted.confirm_lift().is_err());
        assert!(Applied.confirm_lift().is_err());
        assert!(LiftRequested.cancel().is_err());
        assert!(matches!(
            LiftRequested.answer(Outcome::Applied),
            Err(DomainError::Conflict(_))
        ));
    }

    #[test]
    fn feedback_is_due_at_the_end_of_the_next_quarter() {
        assert_eq!(feedback_due(d("2026-11-28"), 1), d("2027-03-31"));
        assert_eq!(feedback_due(d("2026-01-01"), 1), d("2026-06-30"));
        assert_eq!(feedback_due(d("2026-03-31"), 2), d("2026-09-30"));
    }

    #[test]
    fn acknowledgement_deadline_and_overdue() {
        let cal = WorkingDayCalendar::bundled().unwrap();
        assert_eq!(
            acknowledge_by(&cal, d("2026-11-27"), 5),
            Some(d("2026-12-04"))
        );
        assert_eq!(
            acknowledge_by(&cal, d("2026-12-28"), 5),
            None,
            "2027 is not in the calendar"
        );
    }

    #[test]
    fn not_applicable_needs_a_reason() {
        let raw = RawFeedback {
            outcome: Outcome::NotApplicable,
            business: "行政许可".into(),
            note: None,
        };
        assert!(raw.validate().is_err());
        let raw = RawFeedback {
            outcome: Outcome::Applied,
            business: " ".into(),
            note: None,
        };
        assert!(raw.validate().is_err());
    }
}
