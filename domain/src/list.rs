//! 红黑名单: list types and the entries on them.

use crate::department::DepartmentCode;
use crate::error::DomainError;
use crate::subject::{optional_text, required_text};
use chrono::{DateTime, Months, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

/// 守信红名单 or 失信黑名单.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ListColour {
    Red,
    Black,
}

impl ListColour {
    pub fn as_str(self) -> &'static str {
        match self {
            ListColour::Red => "red",
            ListColour::Black => "black",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [ListColour::Red, ListColour::Black]
            .into_iter()
            .find(|c| c.as_str() == s)
    }
}

/// 名单类型: one kind of list, owned by one department.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListType {
    pub id: String,
    /// A stable short name, e.g. `court-dishonest-debtor`.
    pub code: String,
    pub name: String,
    pub colour: ListColour,
    pub owner: DepartmentCode,
    /// How long an entry lasts when its department gives no end.
    pub default_period_months: u32,
    pub legal_basis: String,
    pub description: String,
    pub created_at: DateTime<Utc>,
}

/// A list type as typed by the credit office.
#[derive(Debug, Clone, Default)]
pub struct RawListType {
    pub code: String,
    pub name: String,
    pub colour: Option<ListColour>,
    pub owner: String,
    pub default_period_months: i32,
    pub legal_basis: String,
    pub description: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewListType {
    pub code: String,
    pub name: String,
    pub colour: ListColour,
    pub owner: DepartmentCode,
    pub default_period_months: u32,
    pub legal_basis: String,
    pub description: String,
}

/// The longest default period a list type may have: ten years.
pub const MAX_PERIOD_MONTHS: u32 = 120;

impl NewListType {
    pub fn parse(raw: &RawListType) -> Result<Self, DomainError> {
        let code = raw.code.trim();
        let ok = (3..=64).contains(&code.len())
            && code.starts_with(|c: char| c.is_ascii_lowercase())
            && code
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
        if !ok {
            return Err(DomainError::invalid(
                "input.code",
                "名单类型代码应为3至64位小写字母、数字或连字符，如 court-dishonest-debtor",
            ));
        }
        let colour = raw
            .colour
            .ok_or_else(|| DomainError::invalid("input.colour", "请选择红名单或黑名单"))?;
        let owner = DepartmentCode::parse(&raw.owner)
            .map_err(|e| DomainError::invalid("input.owner", e.to_string()))?;
        let months = u32::try_from(raw.default_period_months)
            .ok()
            .filter(|m| (1..=MAX_PERIOD_MONTHS).contains(m))
            .ok_or_else(|| {
                DomainError::invalid(
                    "input.defaultPeriodMonths",
                    format!("默认期限应为1至{MAX_PERIOD_MONTHS}个月"),
                )
            })?;
        Ok(NewListType {
            code: code.to_owned(),
            name: required_text("name", &raw.name, 100)?,
            colour,
            owner,
            default_period_months: months,
            legal_basis: required_text("legalBasis", &raw.legal_basis, 2000)?,
            description: optional_text("description", raw.description.as_deref(), 2000)?
                .unwrap_or_default(),
        })
    }
}

/// The state of a list entry. `Expired` is never trusted from storage alone: see
/// [`ListEntry::status_on`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum EntryStatus {
    Active,
    Expired,
    Revoked,
    Repaired,
}

impl EntryStatus {
    pub const ALL: [EntryStatus; 4] = [
        EntryStatus::Active,
        EntryStatus::Expired,
        EntryStatus::Revoked,
        EntryStatus::Repaired,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            EntryStatus::Active => "active",
            EntryStatus::Expired => "expired",
            EntryStatus::Revoked => "revoked",
            EntryStatus::Repaired => "repaired",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// 名单条目: one subject on one list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListEntry {
    pub id: String,
    pub subject_id: String,
    pub list_type_id: String,
    pub reason: String,
    /// 认定依据文书
    pub basis_document: String,
    pub start_date: NaiveDate,
    /// The last day the entry is in force.
    pub end_date: NaiveDate,
    /// The status as stored; read [`ListEntry::status_on`] instead.
    pub stored_status: EntryStatus,
    pub revocation_reason: Option<String>,
    pub created_by: DepartmentCode,
    pub created_at: DateTime<Utc>,
    pub ended_at: Option<DateTime<Utc>>,
    /// Listed again on the same list soon after a repair (within the rule's window): flagged.
    pub relisted_after_repair: bool,
}

impl ListEntry {
    /// The status on `today`: an active entry whose end has passed is expired, whatever a sweep
    /// has or has not stored yet. Stores filter with the same rule (see `persistence`).
    pub fn status_on(&self, today: NaiveDate) -> EntryStatus {
        match self.stored_status {
            EntryStatus::Active if self.end_date < today => EntryStatus::Expired,
            s => s,
        }
    }

    /// Revokes an entry (error, or an objection upheld). Only an entry in force can be revoked.
    pub fn revoke(&self, today: NaiveDate) -> Result<EntryStatus, DomainError> {
        match self.status_on(today) {
            EntryStatus::Active => Ok(EntryStatus::Revoked),
            other => Err(DomainError::conflict(format!(
                "名单条目当前状态为{}，不能撤销",
                status_label(other)
            ))),
        }
    }
}

impl ListEntry {
    /// Ends an entry early after an approved repair: only an entry in force can be repaired.
    pub fn repair(&self, today: NaiveDate) -> Result<EntryStatus, DomainError> {
        match self.status_on(today) {
            EntryStatus::Active => Ok(EntryStatus::Repaired),
            other => Err(DomainError::conflict(format!(
                "名单条目当前状态为{}，不能修复",
                status_label(other)
            ))),
        }
    }

    /// Revokes an entry found wrong when an objection is upheld: whatever its state (a wrong
    /// listing is revoked even after it expired or was repaired, to restore the subject's name),
    /// unless it is revoked already.
    pub fn revoke_wrongful(&self) -> Result<EntryStatus, DomainError> {
        match self.stored_status {
            EntryStatus::Revoked => Err(DomainError::conflict("名单条目已经撤销")),
            _ => Ok(EntryStatus::Revoked),
        }
    }
}

/// The status as the public reads it.
pub fn status_label(s: EntryStatus) -> &'static str {
    match s {
        EntryStatus::Active => "有效",
        EntryStatus::Expired => "已到期",
        EntryStatus::Revoked => "已撤销",
        EntryStatus::Repaired => "已修复",
    }
}

/// An entry as typed by the owning department.
#[derive(Debug, Clone, Default)]
pub struct RawListEntry {
    pub subject_code: String,
    pub list_type_code: String,
    pub reason: String,
    pub basis_document: String,
    pub start_date: Option<NaiveDate>,
    pub end_date: Option<NaiveDate>,
    pub idempotency_key: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewListEntry {
    pub reason: String,
    pub basis_document: String,
    pub start_date: NaiveDate,
    pub end_date: NaiveDate,
    pub idempotency_key: Option<String>,
}

impl NewListEntry {
    /// Validates an entry for `list_type`; the end defaults to the type's period after the start.
    pub fn parse(
        raw: &RawListEntry,
        list_type: &ListType,
        today: NaiveDate,
    ) -> Result<Self, DomainError> {
        let reason = required_text("reason", &raw.reason, 2000)?;
        let basis_document = required_text("basisDocument", &raw.basis_document, 200)?;
        let start_date = raw.start_date.unwrap_or(today);
        if start_date > today {
            return Err(DomainError::invalid(
                "input.startDate",
                "列入日期不能晚于今天",
            ));
        }
        let end_date = match raw.end_date {
            Some(end) => end,
            None => start_date
                .checked_add_months(Months::new(list_type.default_period_months))
                .ok_or_else(|| DomainError::invalid("input.startDate", "日期超出范围"))?,
        };
        if end_date < start_date {
            return Err(DomainError::invalid(
                "input.endDate",
                "移出日期不能早于列入日期",
            ));
        }
        let idempotency_key = optional_text("idempotencyKey", raw.idempotency_key.as_deref(), 100)?;
        Ok(NewListEntry {
            reason,
            basis_document,
            start_date,
            end_date,
            idempotency_key,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures::d;

    fn list_type() -> ListType {
        ListType {
            code: "court-dishonest-debtor".into(),
            default_period_months: 36,
            ..crate::fixtures::list_type("lt", ListColour::Black)
        }
    }

    fn entry(end: &str, status: EntryStatus) -> ListEntry {
        crate::fixtures::entry("2025-01-01", end, status)
    }

    #[test]
    fn active_past_its_end_reads_expired() {
        let e = entry("2026-11-27", EntryStatus::Active);
        assert_eq!(e.status_on(d("2026-11-27")), EntryStatus::Active);
        assert_eq!(e.status_on(d("2026-11-28")), EntryStatus::Expired);
        let r = entry("2026-11-27", EntryStatus::Revoked);
        assert_eq!(r.status_on(d("2026-11-28")), EntryStatus::Revoked);
    }

    #[test]
    fn only_an_entry_in_force_can_be_revoked() {
        let today = d("2026-11-28");
        assert_eq!(
            entry("2027-01-01", EntryStatus::Active).revoke(today),
            Ok(EntryStatus::Revoked)
        );
        for e in [
            entry("2026-11-01", EntryStatus::Active),
            entry("2027-01-01", EntryStatus::Revoked),
            entry("2027-01-01", EntryStatus::Repaired),
        ] {
            assert!(matches!(e.revoke(today), Err(DomainError::Conflict(_))));
        }
    }

    #[test]
    fn end_defaults_to_the_period() {
        let raw = RawListEntry {
            reason: "拒不履行生效判决".into(),
            basis_document: "(2026)辽09执123号".into(),
            start_date: Some(d("2026-02-28")),
            ..RawListEntry::default()
        };
        let e = NewListEntry::parse(&raw, &list_type(), d("2026-11-28")).unwrap();
        assert_eq!(e.end_date, d("2029-02-28"));
    }

    #[test]
    fn refuses_bad_entries() {
        let today = d("2026-11-28");
        let good = RawListEntry {
            reason: "r".into(),
            basis_document: "b".into(),
            ..RawListEntry::default()
        };
        let blank = RawListEntry {
            reason: "  ".into(),
            ..good.clone()
        };
        assert!(NewListEntry::parse(&blank, &list_type(), today).is_err());
        let backwards = RawListEntry {
            start_date: Some(d("2026-11-01")),
            end_date: Some(d("2026-10-01")),
            ..good.clone()
        };
        assert!(NewListEntry::parse(&backwards, &list_type(), today).is_err());
        let future = RawListEntry {
            start_date: Some(d("2026-12-01")),
            ..good
        };
        assert!(NewListEntry::parse(&future, &list_type(), today).is_err());
    }

    #[test]
    fn list_type_validation() {
        let raw = RawListType {
            code: "tax-a-level".into(),
            name: "A级纳税人".into(),
            colour: Some(ListColour::Red),
            owner: "210900.tax".into(),
            default_period_months: 12,
            legal_basis: "国家税务总局公告2014年第48号".into(),
            description: None,
        };
        assert!(NewListType::parse(&raw).is_ok());
        let bad = RawListType {
            default_period_months: 0,
            ..raw.clone()
        };
        assert!(NewListType::parse(&bad).is_err());
        let bad = RawListType {
            code: "Tax A".into(),
            ..raw
        };
        assert!(NewListType::parse(&bad).is_err());
    }
}
