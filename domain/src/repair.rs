//! 信用修复 (credit repair): a subject that has put things right applies to end a list entry or a
//! penalty's publicity early; the department that decided approves or rejects (谁认定、谁修复).

use crate::calendar::WorkingDayCalendar;
use crate::error::DomainError;
use crate::list::{ListColour, ListType};
use crate::record::{CreditRecord, CreditRecordKind, DishonestyClass};
use crate::subject::required_text;
use chrono::{Months, NaiveDate};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum RepairStatus {
    Submitted,
    Approved,
    Rejected,
}

impl RepairStatus {
    pub const ALL: [RepairStatus; 3] = [
        RepairStatus::Submitted,
        RepairStatus::Approved,
        RepairStatus::Rejected,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            RepairStatus::Submitted => "submitted",
            RepairStatus::Approved => "approved",
            RepairStatus::Rejected => "rejected",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// The status as the applicant reads it.
    pub fn label(self) -> &'static str {
        match self {
            RepairStatus::Submitted => "已申请，待决定",
            RepairStatus::Approved => "准予修复",
            RepairStatus::Rejected => "不予修复",
        }
    }

    /// Submitted → Approved | Rejected.
    pub fn decide(self, approve: bool) -> Result<Self, DomainError> {
        match self {
            RepairStatus::Submitted if approve => Ok(RepairStatus::Approved),
            RepairStatus::Submitted => Ok(RepairStatus::Rejected),
            RepairStatus::Approved => Err(DomainError::conflict("该修复申请已经批准")),
            RepairStatus::Rejected => Err(DomainError::conflict("该修复申请已经驳回")),
        }
    }
}

/// The rules of repair for one list type or record kind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RepairRule {
    pub allowed: bool,
    /// Months that must pass from the listing's start or the decision before applying.
    pub min_months: u32,
    /// Attachments an application must name.
    pub required_attachments: Vec<String>,
    /// A subject listed again on the same list within this many months of a repair is flagged.
    pub relist_window_months: u32,
    /// Why repair by application is not allowed, when a list type says so (the court list is
    /// removed by the court instead).
    pub not_by_application: Option<String>,
}

/// The owning department decides an application within this many working days of it: the
/// platform's term, the same as for deciding an accepted objection, against which progress reports
/// count repairs handled on time.
pub const DECIDE_WORKING_DAYS: u32 = 10;

/// The last day to decide an application made on `applied`; `None` beyond the calendar.
pub fn decide_by(calendar: &WorkingDayCalendar, applied: NaiveDate) -> Option<NaiveDate> {
    calendar.add_working_days(applied, DECIDE_WORKING_DAYS).ok()
}

/// Whether an application made on `applied` and decided on `decided` was decided in its term;
/// `None` while the calendar cannot tell (never a guess).
pub fn decided_in_time(
    calendar: &WorkingDayCalendar,
    applied: NaiveDate,
    decided: NaiveDate,
) -> Option<bool> {
    calendar
        .within_working_days(applied, DECIDE_WORKING_DAYS, decided)
        .ok()
}

/// Whether an application made on `applied` and still undecided (`status`) waits past its term.
pub fn waits_past_deadline(
    calendar: &WorkingDayCalendar,
    status: RepairStatus,
    applied: NaiveDate,
    today: NaiveDate,
) -> bool {
    status == RepairStatus::Submitted && decide_by(calendar, applied).is_some_and(|by| today > by)
}

/// The default window in which a new listing after a repair is flagged.
pub const DEFAULT_RELIST_WINDOW_MONTHS: u32 = 12;

impl RepairRule {
    /// Defaults for a list type: black lists may be repaired a year after listing (as serious
    /// dishonesty under NDRC Order No. 36 of 2025); red lists are not "repaired".
    pub fn default_for_list(list_type: &ListType) -> Self {
        RepairRule {
            allowed: list_type.colour == ListColour::Black,
            min_months: 12,
            required_attachments: Vec::new(),
            relist_window_months: DEFAULT_RELIST_WINDOW_MONTHS,
            not_by_application: None,
        }
    }

    /// The rule of a list type: the credit office's (`stored`) or the default, except that a list
    /// type repaired not by application never is, whatever was set.
    pub fn for_list(list_type: &ListType, stored: Option<RepairRule>) -> Self {
        let rule = stored.unwrap_or_else(|| Self::default_for_list(list_type));
        match &list_type.no_repair_basis {
            Some(basis) => RepairRule {
                allowed: false,
                not_by_application: Some(basis.clone()),
                ..rule
            },
            None => rule,
        }
    }

    /// Defaults for a record (NDRC Order No. 36 of 2025): only penalties; minor once obligations
    /// are met, general after 3 months, serious after 1 year, counted from the decision.
    pub fn default_for_record(record: &CreditRecord) -> Self {
        let min_months = match record.dishonesty_class {
            Some(DishonestyClass::Minor) => 0,
            Some(DishonestyClass::General) => 3,
            Some(DishonestyClass::Serious) | None => 12,
        };
        RepairRule {
            allowed: record.kind == CreditRecordKind::Penalty,
            min_months,
            required_attachments: Vec::new(),
            relist_window_months: DEFAULT_RELIST_WINDOW_MONTHS,
            not_by_application: None,
        }
    }

    /// The first day an application may be made, counting from `since`; `None` if never.
    pub fn earliest(&self, since: NaiveDate) -> Option<NaiveDate> {
        if !self.allowed {
            return None;
        }
        since.checked_add_months(Months::new(self.min_months))
    }

    /// Refuses an application that breaks a rule, naming the rule.
    pub fn check(
        &self,
        since: NaiveDate,
        today: NaiveDate,
        attachments: &[String],
    ) -> Result<(), DomainError> {
        let Some(earliest) = self.earliest(since) else {
            let why = match &self.not_by_application {
                Some(basis) => format!("规则：该名单不通过申请修复。{basis}"),
                None => "规则：该类信息不适用信用修复".to_owned(),
            };
            return Err(DomainError::invalid("input.targetId", why));
        };
        if today < earliest {
            return Err(DomainError::invalid(
                "input.targetId",
                format!(
                    "规则：自 {since} 起满{}个月后方可申请修复，最早可于 {earliest} 申请",
                    self.min_months
                ),
            ));
        }
        if let Some(missing) = self
            .required_attachments
            .iter()
            .find(|a| !attachments.iter().any(|x| x.contains(a.as_str())))
        {
            return Err(DomainError::invalid(
                "input.attachments",
                format!("规则：申请须附“{missing}”"),
            ));
        }
        Ok(())
    }
}

/// A repair application as the subject typed it.
#[derive(Debug, Clone, Default)]
pub struct RawRepair {
    pub target_id: String,
    /// 整改情况: what the subject did to put things right.
    pub rectification: String,
    /// 信用承诺书.
    pub commitment: String,
    pub attachments: Vec<String>,
}

impl RawRepair {
    pub fn validate(&self) -> Result<(String, String, Vec<String>), DomainError> {
        let attachments = self
            .attachments
            .iter()
            .map(|a| required_text("attachments", a, 500))
            .collect::<Result<Vec<_>, _>>()?;
        Ok((
            required_text("rectification", &self.rectification, 5000)?,
            required_text("commitment", &self.commitment, 5000)?,
            attachments,
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures::{d, list_type};

    #[test]
    fn the_decision_is_due_ten_working_days_after_the_application() {
        let cal = WorkingDayCalendar::bundled().unwrap();
        assert_eq!(decide_by(&cal, d("2026-11-02")), Some(d("2026-11-16")));
        assert_eq!(
            decide_by(&cal, d("2026-09-30")),
            Some(d("2026-10-20")),
            "the National Day holiday does not count; the swapped Saturday does"
        );
        assert_eq!(
            decide_by(&cal, d("2026-12-28")),
            None,
            "beyond the calendar"
        );
    }

    #[test]
    fn decisions() {
        assert_eq!(
            RepairStatus::Submitted.decide(true),
            Ok(RepairStatus::Approved)
        );
        assert_eq!(
            RepairStatus::Submitted.decide(false),
            Ok(RepairStatus::Rejected)
        );
        assert!(matches!(
            RepairStatus::Approved.decide(true),
            Err(DomainError::Conflict(_))
        ));
        assert!(matches!(
            RepairStatus::Rejected.decide(false),
            Err(DomainError::Conflict(_))
        ));
    }

    #[test]
    fn list_rules_name_the_rule_and_the_date() {
        let rule = RepairRule::default_for_list(&list_type("x", ListColour::Black));
        let err = rule
            .check(d("2026-03-02"), d("2026-11-28"), &[])
            .unwrap_err();
        assert!(err.to_string().contains("2027-03-02"), "{err}");
        assert!(rule.check(d("2025-11-28"), d("2026-11-28"), &[]).is_ok());
        let red = RepairRule::default_for_list(&list_type("y", ListColour::Red));
        assert!(red.check(d("2020-01-01"), d("2026-11-28"), &[]).is_err());
    }

    #[test]
    fn required_attachments() {
        let rule = RepairRule {
            required_attachments: vec!["整改报告".into()],
            ..RepairRule::default_for_list(&list_type("x", ListColour::Black))
        };
        assert!(rule.check(d("2020-01-01"), d("2026-11-28"), &[]).is_err());
        assert!(
            rule.check(d("2020-01-01"), d("2026-11-28"), &["整改报告.pdf".into()])
                .is_ok()
        );
    }
}
