//! Complaints (投诉): about how a department handled something — an objection answered late, a
//! measure applied wrongly — not about the data (that is an objection). Anyone files one and
//! follows it with a receipt and a secret query code; the credit office routes it to the
//! department concerned, which answers; the credit office closes it. Each step has a deadline in
//! working days.

use crate::{DepartmentCode, DomainError, WorkingDayCalendar};
use chrono::{DateTime, NaiveDate, Utc};

/// Working days the credit office has to route a complaint.
pub const ROUTE_WORKING_DAYS: u32 = 2;
/// Working days a department has to answer a complaint routed to it.
pub const ANSWER_WORKING_DAYS: u32 = 10;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ComplaintCategory {
    /// 异议处理超期或不当.
    ObjectionHandling,
    /// 联合奖惩措施实施不当.
    MeasureApplied,
    /// 信用修复办理不当.
    RepairHandling,
    Other,
}

impl ComplaintCategory {
    pub fn as_str(self) -> &'static str {
        match self {
            ComplaintCategory::ObjectionHandling => "objection_handling",
            ComplaintCategory::MeasureApplied => "measure_applied",
            ComplaintCategory::RepairHandling => "repair_handling",
            ComplaintCategory::Other => "other",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [
            Self::ObjectionHandling,
            Self::MeasureApplied,
            Self::RepairHandling,
            Self::Other,
        ]
        .into_iter()
        .find(|x| x.as_str() == s)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ComplaintStatus {
    /// Filed; the credit office routes it.
    Submitted,
    /// With the department concerned, to answer.
    Routed,
    /// Answered; the credit office closes it.
    Answered,
    Closed,
}

impl ComplaintStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ComplaintStatus::Submitted => "submitted",
            ComplaintStatus::Routed => "routed",
            ComplaintStatus::Answered => "answered",
            ComplaintStatus::Closed => "closed",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [Self::Submitted, Self::Routed, Self::Answered, Self::Closed]
            .into_iter()
            .find(|x| x.as_str() == s)
    }

    /// The status as the filer reads it.
    pub fn label(self) -> &'static str {
        match self {
            ComplaintStatus::Submitted => "已提交，待转办",
            ComplaintStatus::Routed => "已转办，待答复",
            ComplaintStatus::Answered => "已答复，待办结",
            ComplaintStatus::Closed => "已办结",
        }
    }

    pub fn route(self) -> Result<Self, DomainError> {
        match self {
            ComplaintStatus::Submitted => Ok(ComplaintStatus::Routed),
            _ => Err(DomainError::conflict("只有新提交的投诉可以转办")),
        }
    }

    pub fn answer(self) -> Result<Self, DomainError> {
        match self {
            ComplaintStatus::Routed => Ok(ComplaintStatus::Answered),
            _ => Err(DomainError::conflict("只有已转办、尚未答复的投诉可以答复")),
        }
    }

    /// Closed after the answer, or at once when the credit office itself settles it.
    pub fn close(self) -> Result<Self, DomainError> {
        match self {
            ComplaintStatus::Submitted | ComplaintStatus::Answered => Ok(ComplaintStatus::Closed),
            ComplaintStatus::Routed => Err(DomainError::conflict(
                "投诉已转办，待承办部门答复后才能办结",
            )),
            ComplaintStatus::Closed => Err(DomainError::conflict("该投诉已办结")),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Complaint {
    pub id: String,
    pub receipt: String,
    pub category: ComplaintCategory,
    /// The department complained about, as the filer named it (if it could).
    pub about: Option<DepartmentCode>,
    pub description: String,
    pub contact: Option<String>,
    pub status: ComplaintStatus,
    pub filed_on: NaiveDate,
    /// None beyond the working-day calendar: never guessed.
    pub route_by: Option<NaiveDate>,
    pub routed_to: Option<DepartmentCode>,
    /// The day it was routed: its answer deadline counts from there.
    pub routed_on: Option<NaiveDate>,
    pub answer_by: Option<NaiveDate>,
    pub answer: Option<String>,
    pub conclusion: Option<String>,
    pub filed_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Complaint {
    /// Past the deadline of the step it waits for.
    pub fn is_overdue(&self, today: NaiveDate) -> bool {
        match self.status {
            ComplaintStatus::Submitted => self.route_by.is_some_and(|d| today > d),
            ComplaintStatus::Routed => self.answer_by.is_some_and(|d| today > d),
            _ => false,
        }
    }
}

/// A complaint as filed.
#[derive(Debug, Clone)]
pub struct RawComplaint {
    pub category: ComplaintCategory,
    pub about: Option<String>,
    pub description: String,
    pub contact: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewComplaint {
    pub category: ComplaintCategory,
    pub about: Option<DepartmentCode>,
    pub description: String,
    pub contact: Option<String>,
}

impl NewComplaint {
    pub fn parse(raw: &RawComplaint) -> Result<Self, DomainError> {
        let description = raw.description.trim();
        let n = description.chars().count();
        if !(10..=5_000).contains(&n) {
            return Err(DomainError::invalid(
                "input.description",
                "请描述投诉的事情经过（10到5000字）",
            ));
        }
        let about = match raw
            .about
            .as_deref()
            .map(str::trim)
            .filter(|a| !a.is_empty())
        {
            None => None,
            Some(a) => Some(
                DepartmentCode::parse(a)
                    .map_err(|e| DomainError::invalid("input.about", e.to_string()))?,
            ),
        };
        let contact = raw
            .contact
            .as_deref()
            .map(str::trim)
            .filter(|c| !c.is_empty())
            .map(str::to_owned);
        if contact.as_ref().is_some_and(|c| c.chars().count() > 100) {
            return Err(DomainError::invalid("input.contact", "联系方式至多100字"));
        }
        Ok(NewComplaint {
            category: raw.category,
            about,
            description: description.to_owned(),
            contact,
        })
    }
}

/// An answer or conclusion (the input field `name`), checked.
pub fn text(name: &str, raw: &str) -> Result<String, DomainError> {
    crate::subject::required_text(name, raw, 5_000)
}

/// The last day of a step that starts on `from`.
pub fn deadline(calendar: &WorkingDayCalendar, from: NaiveDate, days: u32) -> Option<NaiveDate> {
    calendar.add_working_days(from, days).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_complaint_moves_forward_only() {
        let s = ComplaintStatus::Submitted.route().unwrap();
        assert!(s.close().is_err(), "routed: wait for the answer");
        let s = s.answer().unwrap();
        assert_eq!(s.close().unwrap(), ComplaintStatus::Closed);
        assert!(ComplaintStatus::Closed.close().is_err());
        assert!(ComplaintStatus::Submitted.answer().is_err());
    }

    #[test]
    fn overdue_is_past_the_waiting_step_s_deadline() {
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        let c = Complaint {
            id: "c".into(),
            receipt: "TS".into(),
            category: ComplaintCategory::Other,
            about: None,
            description: "x".into(),
            contact: None,
            status: ComplaintStatus::Submitted,
            filed_on: d("2026-11-27"),
            route_by: Some(d("2026-12-01")),
            routed_to: None,
            routed_on: None,
            answer_by: None,
            answer: None,
            conclusion: None,
            filed_at: Utc::now(),
            updated_at: Utc::now(),
        };
        assert!(!c.is_overdue(d("2026-12-01")));
        assert!(c.is_overdue(d("2026-12-02")));
    }
}
