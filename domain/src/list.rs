//! 红黑名单: list types and the entries on them.

use crate::calendar::WorkingDayCalendar;
use crate::department::{Department, DepartmentCode, DepartmentRole};
use crate::error::DomainError;
use crate::subject::{optional_text, required_name, required_text};
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

/// Who writes a list: one department, or every department of a role, each in its own
/// jurisdiction (every court lists the debtors of its own, 法释〔2017〕7号).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum ListOwner {
    Department(DepartmentCode),
    Role(DepartmentRole),
}

impl ListOwner {
    pub fn owns(&self, department: &Department) -> bool {
        match self {
            ListOwner::Department(code) => *code == department.code,
            ListOwner::Role(role) => *role == department.role,
        }
    }

    /// As people read it: the department's code, or the role's name.
    pub fn describe(&self) -> String {
        match self {
            ListOwner::Department(code) => code.to_string(),
            ListOwner::Role(role) => format!("各地{}（各自辖区）", role.label()),
        }
    }
}

/// A ground on which a list's owner removes an entry (e.g. 法释〔2017〕7号 Art. 10: the obligation
/// performed).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RemovalGround {
    /// A stable short name, e.g. `performed`.
    pub code: String,
    pub name: String,
}

/// Working days to remove an entry once a ground arises, unless its list type says otherwise (the
/// court list's three, 法释〔2017〕7号 Art. 10).
pub const DEFAULT_REMOVAL_WORKING_DAYS: u32 = 3;

/// How a list's entries are removed when a ground arises, and how soon.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RemovalRule {
    pub grounds: Vec<RemovalGround>,
    /// Working days from the ground arising within which the owner must remove the entry.
    pub working_days: u32,
}

/// 名单类型: one kind of list, owned by one department or by a role.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListType {
    pub id: String,
    /// A stable short name, e.g. `court-dishonest-debtor`.
    pub code: String,
    pub name: String,
    pub colour: ListColour,
    pub owner: ListOwner,
    /// How long an entry lasts when its department gives no end.
    pub default_period_months: u32,
    /// The longest an entry may last (the court list: two years, three more where the court says
    /// so); none for no bound.
    pub max_period_months: Option<u32>,
    /// The grounds on which the owner removes an entry; none when entries are not removed so.
    pub removal: Option<RemovalRule>,
    /// Entries are not repaired by application, on this basis (the court removes them instead).
    pub no_repair_basis: Option<String>,
    pub legal_basis: String,
    pub description: String,
    pub created_at: DateTime<Utc>,
}

/// A list type as typed by the credit office: an owner department, or an owner role.
#[derive(Debug, Clone, Default)]
pub struct RawListType {
    pub code: String,
    pub name: String,
    pub colour: Option<ListColour>,
    pub owner: Option<String>,
    pub owner_role: Option<DepartmentRole>,
    pub default_period_months: i32,
    pub max_period_months: Option<i32>,
    pub removal_grounds: Vec<RemovalGround>,
    pub removal_working_days: Option<i32>,
    pub no_repair_basis: Option<String>,
    pub legal_basis: String,
    pub description: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewListType {
    pub code: String,
    pub name: String,
    pub colour: ListColour,
    pub owner: ListOwner,
    pub default_period_months: u32,
    pub max_period_months: Option<u32>,
    pub removal: Option<RemovalRule>,
    pub no_repair_basis: Option<String>,
    pub legal_basis: String,
    pub description: String,
}

/// Grounds, checked: each a short code and a name, no code twice.
fn parse_removal(
    grounds: &[RemovalGround],
    working_days: Option<i32>,
) -> Result<Option<RemovalRule>, DomainError> {
    if grounds.is_empty() {
        return match working_days {
            None => Ok(None),
            Some(_) => Err(DomainError::invalid(
                "input.removalGrounds",
                "规定了移出期限，请同时列出移出情形",
            )),
        };
    }
    let mut out: Vec<RemovalGround> = Vec::with_capacity(grounds.len());
    for (i, g) in grounds.iter().enumerate() {
        let code = g.code.trim();
        let ok = (2..=40).contains(&code.len())
            && code.starts_with(|c: char| c.is_ascii_lowercase())
            && code
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
        if !ok || out.iter().any(|x| x.code == code) {
            return Err(DomainError::invalid(
                format!("input.removalGrounds[{i}].code"),
                "移出情形代码应为2至40位小写字母、数字或下划线，且不重复",
            ));
        }
        let name = required_name("name", &g.name, 200).map_err(|_| {
            DomainError::invalid(format!("input.removalGrounds[{i}].name"), "请写明移出情形")
        })?;
        out.push(RemovalGround {
            code: code.to_owned(),
            name,
        });
    }
    let days = working_days
        .map_or(Ok(DEFAULT_REMOVAL_WORKING_DAYS), u32::try_from)
        .ok()
        .filter(|d| (1..=60).contains(d))
        .ok_or_else(|| {
            DomainError::invalid("input.removalWorkingDays", "移出期限应为1至60个工作日")
        })?;
    Ok(Some(RemovalRule {
        grounds: out,
        working_days: days,
    }))
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
        let owner = match (raw.owner.as_deref().map(str::trim), raw.owner_role) {
            (Some(code), None) if !code.is_empty() => ListOwner::Department(
                DepartmentCode::parse(code)
                    .map_err(|e| DomainError::invalid("input.owner", e.to_string()))?,
            ),
            (None | Some(""), Some(role)) => ListOwner::Role(role),
            _ => {
                return Err(DomainError::invalid(
                    "input.owner",
                    "请指定一个认定部门（owner），或一类部门（ownerRole），二者只填其一",
                ));
            }
        };
        let months = |v: i32, field: &str, what: &str| {
            u32::try_from(v)
                .ok()
                .filter(|m| (1..=MAX_PERIOD_MONTHS).contains(m))
                .ok_or_else(|| {
                    DomainError::invalid(field, format!("{what}应为1至{MAX_PERIOD_MONTHS}个月"))
                })
        };
        let default_period_months = months(
            raw.default_period_months,
            "input.defaultPeriodMonths",
            "默认期限",
        )?;
        let max_period_months = raw
            .max_period_months
            .map(|m| months(m, "input.maxPeriodMonths", "最长期限"))
            .transpose()?;
        if max_period_months.is_some_and(|m| m < default_period_months) {
            return Err(DomainError::invalid(
                "input.maxPeriodMonths",
                "最长期限不能短于默认期限",
            ));
        }
        Ok(NewListType {
            code: code.to_owned(),
            name: required_name("name", &raw.name, 100)?,
            colour,
            owner,
            default_period_months,
            max_period_months,
            removal: parse_removal(&raw.removal_grounds, raw.removal_working_days)?,
            no_repair_basis: optional_text("noRepairBasis", raw.no_repair_basis.as_deref(), 2000)?,
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
    /// Removed by its owner on one of its list type's removal grounds (the court list's debtor
    /// performed, say).
    Removed,
}

impl EntryStatus {
    pub const ALL: [EntryStatus; 5] = [
        EntryStatus::Active,
        EntryStatus::Expired,
        EntryStatus::Revoked,
        EntryStatus::Repaired,
        EntryStatus::Removed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            EntryStatus::Active => "active",
            EntryStatus::Expired => "expired",
            EntryStatus::Revoked => "revoked",
            EntryStatus::Repaired => "repaired",
            EntryStatus::Removed => "removed",
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
    /// How its owner removed it, when it did.
    pub removal: Option<Removal>,
}

/// A removal on one of the list type's grounds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Removal {
    /// The ground's code.
    pub ground: String,
    /// The owner's document that removes it (e.g. the court's ruling on performance).
    pub basis_document: String,
    /// The day the ground arose: the deadline to remove counts from here.
    pub ground_arisen_on: NaiveDate,
    /// The last day to remove it; `None` while the calendar lacks the year.
    pub remove_by: Option<NaiveDate>,
    /// The day (in China) it was removed.
    pub removed_on: NaiveDate,
}

impl Removal {
    /// Whether it was removed later than its rule allows (`working_days` after the ground
    /// arose); `None` while the calendar cannot tell.
    pub fn late(&self, calendar: &WorkingDayCalendar, working_days: u32) -> Option<bool> {
        calendar
            .within_working_days(self.ground_arisen_on, working_days, self.removed_on)
            .ok()
            .map(|in_time| !in_time)
    }
}

/// What a removal asks for, as the owner typed it.
#[derive(Debug, Clone, Default)]
pub struct RawRemoval {
    pub ground: String,
    pub basis_document: String,
    /// The day the ground arose; today when not given.
    pub ground_arisen_on: Option<NaiveDate>,
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
    /// Removes an entry in force on one of its list type's grounds (法释〔2017〕7号 Art. 10 for the
    /// court list): the ground must be the list's, the day it arose not after today. Returns the
    /// new status and the removal, its deadline `None` while the calendar lacks the year.
    pub fn remove(
        &self,
        list_type: &ListType,
        raw: &RawRemoval,
        today: NaiveDate,
        calendar: &WorkingDayCalendar,
    ) -> Result<(EntryStatus, Removal), DomainError> {
        let Some(rule) = &list_type.removal else {
            return Err(DomainError::conflict(format!(
                "“{}”未规定移出情形：请按撤销或信用修复办理",
                list_type.name
            )));
        };
        let ground = raw.ground.trim();
        if !rule.grounds.iter().any(|g| g.code == ground) {
            let known: Vec<String> = rule
                .grounds
                .iter()
                .map(|g| format!("{}（{}）", g.code, g.name))
                .collect();
            return Err(DomainError::invalid(
                "input.ground",
                format!("移出情形应为以下之一：{}", known.join("；")),
            ));
        }
        let basis_document = required_text("basisDocument", &raw.basis_document, 200)?;
        let arisen = raw.ground_arisen_on.unwrap_or(today);
        if arisen > today {
            return Err(DomainError::invalid(
                "input.groundArisenOn",
                "移出情形出现的日期不能晚于今天",
            ));
        }
        if arisen < self.start_date {
            return Err(DomainError::invalid(
                "input.groundArisenOn",
                "移出情形出现的日期不能早于列入日期",
            ));
        }
        let status = match self.status_on(today) {
            EntryStatus::Active => EntryStatus::Removed,
            other => {
                return Err(DomainError::conflict(format!(
                    "名单条目当前状态为{}，不能移出",
                    status_label(other)
                )));
            }
        };
        Ok((
            status,
            Removal {
                ground: ground.to_owned(),
                basis_document,
                ground_arisen_on: arisen,
                remove_by: calendar.add_working_days(arisen, rule.working_days).ok(),
                removed_on: today,
            },
        ))
    }

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
        EntryStatus::Removed => "已移出",
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
        if let Some(max) = list_type.max_period_months {
            let latest = start_date
                .checked_add_months(Months::new(max))
                .ok_or_else(|| DomainError::invalid("input.startDate", "日期超出范围"))?;
            if end_date > latest {
                return Err(DomainError::invalid(
                    "input.endDate",
                    format!(
                        "“{}”的期限最长为{max}个月：移出日期不能晚于 {latest}",
                        list_type.name
                    ),
                ));
            }
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
            owner: Some("210900.tax".into()),
            default_period_months: 12,
            legal_basis: "国家税务总局公告2014年第48号".into(),
            ..RawListType::default()
        };
        assert!(NewListType::parse(&raw).is_ok());
        let bad = RawListType {
            default_period_months: 0,
            ..raw.clone()
        };
        assert!(NewListType::parse(&bad).is_err());
        let bad = RawListType {
            code: "Tax A".into(),
            ..raw.clone()
        };
        assert!(NewListType::parse(&bad).is_err());
        let both = RawListType {
            owner_role: Some(DepartmentRole::Tax),
            ..raw.clone()
        };
        assert!(NewListType::parse(&both).is_err(), "one owner, not two");
        let neither = RawListType {
            owner: None,
            ..raw.clone()
        };
        assert!(NewListType::parse(&neither).is_err());
        let shorter_max = RawListType {
            max_period_months: Some(6),
            ..raw.clone()
        };
        assert!(NewListType::parse(&shorter_max).is_err());
        let bad_ground = RawListType {
            removal_grounds: vec![RemovalGround {
                code: "Performed!".into(),
                name: "已履行".into(),
            }],
            ..raw
        };
        assert!(NewListType::parse(&bad_ground).is_err());
    }

    fn court_list() -> ListType {
        ListType {
            owner: ListOwner::Role(DepartmentRole::Court),
            default_period_months: 24,
            max_period_months: Some(60),
            removal: Some(RemovalRule {
                grounds: vec![RemovalGround {
                    code: "performed".into(),
                    name: "被执行人已履行义务".into(),
                }],
                working_days: 3,
            }),
            ..crate::fixtures::list_type("court-dishonest-debtor", ListColour::Black)
        }
    }

    #[test]
    fn a_role_owns_a_list_in_every_jurisdiction() {
        let list = court_list();
        let county = crate::fixtures::dept("210922.court", DepartmentRole::Court);
        let tax = crate::fixtures::dept("210922.tax", DepartmentRole::Tax);
        assert!(list.owner.owns(&county));
        assert!(!list.owner.owns(&tax));
        assert!(list.owner.describe().contains("人民法院"));
    }

    #[test]
    fn the_court_list_lasts_at_most_five_years() {
        let today = d("2026-11-28");
        let raw = |end: &str| RawListEntry {
            reason: "r".into(),
            basis_document: "b".into(),
            start_date: Some(d("2026-11-01")),
            end_date: Some(d(end)),
            ..RawListEntry::default()
        };
        assert!(NewListEntry::parse(&raw("2031-11-01"), &court_list(), today).is_ok());
        let too_long = NewListEntry::parse(&raw("2031-11-02"), &court_list(), today);
        assert!(
            matches!(too_long, Err(DomainError::Invalid { field, .. }) if field == "input.endDate")
        );
        let default = RawListEntry {
            end_date: None,
            ..raw("2028-01-01")
        };
        assert_eq!(
            NewListEntry::parse(&default, &court_list(), today)
                .unwrap()
                .end_date,
            d("2028-11-01"),
            "two years by default"
        );
    }

    #[test]
    fn removal_on_a_ground_of_the_list() {
        let today = d("2026-11-28");
        let e = entry("2027-06-01", EntryStatus::Active);
        let cal = WorkingDayCalendar::bundled().unwrap();
        let raw = RawRemoval {
            ground: "performed".into(),
            basis_document: "(2026)辽09执恢12号".into(),
            ground_arisen_on: Some(d("2026-11-20")),
        };
        let (status, removal) = e.remove(&court_list(), &raw, today, &cal).unwrap();
        assert_eq!(status, EntryStatus::Removed);
        assert_eq!(removal.remove_by, Some(d("2026-11-25")));
        assert_eq!(removal.removed_on, today);
        assert_eq!(removal.late(&cal, 3), Some(true), "removed on the 28th");
        let in_time = Removal {
            removed_on: d("2026-11-25"),
            ..removal
        };
        assert_eq!(in_time.late(&cal, 3), Some(false));
        let unknown = RawRemoval {
            ground: "paid_someone".into(),
            ..raw.clone()
        };
        assert!(matches!(
            e.remove(&court_list(), &unknown, today, &cal),
            Err(DomainError::Invalid { field, .. }) if field == "input.ground"
        ));
        let future = RawRemoval {
            ground_arisen_on: Some(d("2026-11-29")),
            ..raw.clone()
        };
        assert!(e.remove(&court_list(), &future, today, &cal).is_err());
        let revoked = entry("2027-06-01", EntryStatus::Revoked);
        assert!(matches!(
            revoked.remove(&court_list(), &raw, today, &cal),
            Err(DomainError::Conflict(_))
        ));
        let no_grounds = crate::fixtures::list_type("tax-major-violation", ListColour::Black);
        assert!(matches!(
            e.remove(&no_grounds, &raw, today, &cal),
            Err(DomainError::Conflict(_))
        ));
    }
}
