//! 信用记录 (credit records) and the double-publicity (双公示) rules.

use crate::calendar::{CalendarError, WorkingDayCalendar};
use crate::department::DepartmentCode;
use crate::error::DomainError;
use crate::subject::{optional_text, required_name, required_text};
use chrono::{DateTime, Months, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

/// Licences and penalties must be public within this many working days of their decision.
pub const PUBLICATION_DEADLINE_WORKING_DAYS: u32 = 7;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum CreditRecordKind {
    /// 行政许可
    Licence,
    /// 行政处罚
    Penalty,
    /// 信用承诺
    Commitment,
    /// 荣誉表彰
    Honour,
    /// 司法判决
    Judgment,
    /// 信用评价
    Rating,
    Other,
}

impl CreditRecordKind {
    pub const ALL: [CreditRecordKind; 7] = [
        CreditRecordKind::Licence,
        CreditRecordKind::Penalty,
        CreditRecordKind::Commitment,
        CreditRecordKind::Honour,
        CreditRecordKind::Judgment,
        CreditRecordKind::Rating,
        CreditRecordKind::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            CreditRecordKind::Licence => "licence",
            CreditRecordKind::Penalty => "penalty",
            CreditRecordKind::Commitment => "commitment",
            CreditRecordKind::Honour => "honour",
            CreditRecordKind::Judgment => "judgment",
            CreditRecordKind::Rating => "rating",
            CreditRecordKind::Other => "other",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// Licences and penalties are the two kinds under the double-publicity rule.
    pub fn is_double_publicity(self) -> bool {
        matches!(self, CreditRecordKind::Licence | CreditRecordKind::Penalty)
    }
}

/// The class of dishonesty of a penalty (NDRC Order No. 36 of 2025).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum DishonestyClass {
    /// 轻微
    Minor,
    /// 一般
    General,
    /// 严重
    Serious,
}

impl DishonestyClass {
    pub const ALL: [DishonestyClass; 3] = [
        DishonestyClass::Minor,
        DishonestyClass::General,
        DishonestyClass::Serious,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            DishonestyClass::Minor => "minor",
            DishonestyClass::General => "general",
            DishonestyClass::Serious => "serious",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// The shortest publicity, in months from the decision date.
    pub fn min_publicity_months(self) -> u32 {
        match self {
            DishonestyClass::Minor => 0,
            DishonestyClass::General => 3,
            DishonestyClass::Serious => 12,
        }
    }

    /// The longest publicity, in months from the decision date; publicity ends by itself there.
    pub fn max_publicity_months(self) -> u32 {
        match self {
            DishonestyClass::Minor => 3,
            DishonestyClass::General => 12,
            DishonestyClass::Serious => 36,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreditRecord {
    pub id: String,
    pub subject_id: String,
    pub kind: CreditRecordKind,
    pub title: String,
    /// 决定文书号
    pub decision_number: String,
    pub decision_date: NaiveDate,
    pub publication_date: NaiveDate,
    pub legal_basis: String,
    pub content: String,
    pub source_department: DepartmentCode,
    pub dishonesty_class: Option<DishonestyClass>,
    /// The last day the record is shown publicly; `None` for no end.
    pub publicity_end: Option<NaiveDate>,
    pub created_at: DateTime<Utc>,
    /// 1, and one more for each correction (earlier versions are kept).
    pub version: u32,
    /// Withdrawn after an objection was upheld: never public again.
    pub withdrawn_at: Option<DateTime<Utc>>,
}

impl CreditRecord {
    /// Whether the public may see the record on `today`.
    pub fn is_public_on(&self, today: NaiveDate) -> bool {
        self.withdrawn_at.is_none()
            && self.publication_date <= today
            && self.publicity_end.is_none_or(|end| today <= end)
    }

    /// For a licence or penalty, whether it was published within 7 working days of its decision;
    /// `None` for other kinds. Fails when the calendar lacks a year it needs: never a guess.
    pub fn published_on_time(
        &self,
        calendar: &WorkingDayCalendar,
    ) -> Result<Option<bool>, CalendarError> {
        if !self.kind.is_double_publicity() {
            return Ok(None);
        }
        published_in_time(calendar, self.decision_date, self.publication_date).map(Some)
    }
}

/// Whether a licence or penalty decided on `decided` and public from `published` met the
/// double-publicity deadline. Within 7 calendar days it always did (7 working days never end
/// sooner), whatever the calendar knows; otherwise it fails when the calendar lacks a year it
/// needs: never a guess.
pub fn published_in_time(
    calendar: &WorkingDayCalendar,
    decided: NaiveDate,
    published: NaiveDate,
) -> Result<bool, CalendarError> {
    calendar.within_working_days(decided, PUBLICATION_DEADLINE_WORKING_DAYS, published)
}

/// A record as typed by its source department.
#[derive(Debug, Clone, Default)]
pub struct RawCreditRecord {
    pub subject_code: String,
    pub kind: Option<CreditRecordKind>,
    pub title: String,
    pub decision_number: String,
    pub decision_date: Option<NaiveDate>,
    pub publication_date: Option<NaiveDate>,
    pub legal_basis: String,
    pub content: String,
    pub dishonesty_class: Option<DishonestyClass>,
    pub publicity_end: Option<NaiveDate>,
}

/// A validated record (the subject is resolved by the store).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewCreditRecord {
    pub kind: CreditRecordKind,
    pub title: String,
    pub decision_number: String,
    pub decision_date: NaiveDate,
    pub publication_date: NaiveDate,
    pub legal_basis: String,
    pub content: String,
    pub dishonesty_class: Option<DishonestyClass>,
    pub publicity_end: Option<NaiveDate>,
}

impl NewCreditRecord {
    /// Whether `stored` already says what this record says: the same file sent again. The
    /// publication date is left out, as an import made on another day defaults it to that day.
    pub fn same_as(&self, subject_id: &str, stored: &CreditRecord) -> bool {
        stored.subject_id == subject_id
            && stored.kind == self.kind
            && stored.title == self.title
            && stored.decision_number == self.decision_number
            && stored.decision_date == self.decision_date
            && stored.legal_basis == self.legal_basis
            && stored.content == self.content
            && stored.dishonesty_class == self.dishonesty_class
            && stored.publicity_end == self.publicity_end
    }
}

fn add_months(date: NaiveDate, months: u32, field: &str) -> Result<NaiveDate, DomainError> {
    date.checked_add_months(Months::new(months))
        .ok_or_else(|| DomainError::invalid(field, "日期超出范围"))
}

impl NewCreditRecord {
    /// Validates a record; `today` is the date in China when it is submitted.
    pub fn parse(raw: &RawCreditRecord, today: NaiveDate) -> Result<Self, DomainError> {
        let kind = raw
            .kind
            .ok_or_else(|| DomainError::invalid("input.kind", "请选择记录类别"))?;
        let title = required_name("title", &raw.title, 200)?;
        let decision_number = required_text("decisionNumber", &raw.decision_number, 100)?;
        // The licence columns of the double-publicity standard carry no legal basis, so a
        // licence may come without one; every other kind names its basis.
        let legal_basis = if kind == CreditRecordKind::Licence {
            optional_text("legalBasis", Some(&raw.legal_basis), 2000)?.unwrap_or_default()
        } else {
            required_text("legalBasis", &raw.legal_basis, 2000)?
        };
        let content = optional_text("content", Some(&raw.content), 10_000)?.unwrap_or_default();
        let decision_date = raw
            .decision_date
            .ok_or_else(|| DomainError::invalid("input.decisionDate", "请填写决定日期"))?;
        if decision_date > today {
            return Err(DomainError::invalid(
                "input.decisionDate",
                "决定日期不能晚于今天",
            ));
        }
        let publication_date = raw.publication_date.unwrap_or(today);
        if publication_date < decision_date {
            return Err(DomainError::invalid(
                "input.publicationDate",
                "公示日期不能早于决定日期",
            ));
        }
        if publication_date > today {
            return Err(DomainError::invalid(
                "input.publicationDate",
                "公示日期不能晚于今天",
            ));
        }
        let class = match (kind, raw.dishonesty_class) {
            (CreditRecordKind::Penalty, None) => {
                return Err(DomainError::invalid(
                    "input.dishonestyClass",
                    "行政处罚应注明失信程度（轻微、一般、严重）",
                ));
            }
            // A broken commitment is a record of dishonesty too: its class bounds its publicity.
            (CreditRecordKind::Penalty | CreditRecordKind::Commitment, c) => c,
            (_, Some(_)) => {
                return Err(DomainError::invalid(
                    "input.dishonestyClass",
                    "只有行政处罚和信用承诺记录有失信程度",
                ));
            }
            (_, None) => None,
        };
        let publicity_end = match (class, raw.publicity_end) {
            (Some(c), None) => Some(add_months(
                decision_date,
                c.max_publicity_months(),
                "input.decisionDate",
            )?),
            (Some(c), Some(end)) => {
                let min = add_months(
                    decision_date,
                    c.min_publicity_months(),
                    "input.publicityEnd",
                )?;
                let max = add_months(
                    decision_date,
                    c.max_publicity_months(),
                    "input.publicityEnd",
                )?;
                if end < min || end > max {
                    return Err(DomainError::invalid(
                        "input.publicityEnd",
                        format!("该失信程度的公示截止日期应在 {min} 至 {max} 之间"),
                    ));
                }
                Some(end)
            }
            (None, Some(end)) if end < decision_date => {
                return Err(DomainError::invalid(
                    "input.publicityEnd",
                    "公示截止日期不能早于决定日期",
                ));
            }
            (None, end) => end,
        };
        Ok(NewCreditRecord {
            kind,
            title,
            decision_number,
            decision_date,
            publication_date,
            legal_basis,
            content,
            dishonesty_class: class,
            publicity_end,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures::d;

    fn penalty(class: DishonestyClass) -> RawCreditRecord {
        RawCreditRecord {
            subject_code: "91350100M000100Y43".into(),
            kind: Some(CreditRecordKind::Penalty),
            title: "罚款".into(),
            decision_number: "阜市监罚〔2026〕1号".into(),
            decision_date: Some(d("2026-03-02")),
            publication_date: Some(d("2026-03-05")),
            legal_basis: "《中华人民共和国产品质量法》第四十九条".into(),
            content: "罚款人民币一万元".into(),
            dishonesty_class: Some(class),
            publicity_end: None,
        }
    }

    #[test]
    fn only_a_licence_may_come_without_a_legal_basis() {
        let today = d("2026-11-28");
        let mut raw = penalty(DishonestyClass::General);
        raw.legal_basis = " ".into();
        let e = NewCreditRecord::parse(&raw, today).unwrap_err();
        assert!(matches!(e, DomainError::Invalid { ref field, .. } if field == "input.legalBasis"));
        raw.kind = Some(CreditRecordKind::Licence);
        raw.dishonesty_class = None;
        let licence = NewCreditRecord::parse(&raw, today).unwrap();
        assert_eq!(licence.legal_basis, "");
    }

    #[test]
    fn the_same_record_again_is_the_same_whatever_its_publication_day() {
        let today = d("2026-11-28");
        let new = NewCreditRecord::parse(&penalty(DishonestyClass::General), today).unwrap();
        let stored = CreditRecord {
            id: "r".into(),
            subject_id: "s".into(),
            kind: new.kind,
            title: new.title.clone(),
            decision_number: new.decision_number.clone(),
            decision_date: new.decision_date,
            publication_date: d("2026-03-09"),
            legal_basis: new.legal_basis.clone(),
            content: new.content.clone(),
            source_department: DepartmentCode::parse("210900.market").unwrap(),
            dishonesty_class: new.dishonesty_class,
            publicity_end: new.publicity_end,
            created_at: Utc::now(),
            version: 1,
            withdrawn_at: None,
        };
        assert!(new.same_as("s", &stored));
        assert!(!new.same_as("t", &stored));
        let mut changed = stored.clone();
        changed.content.push('。');
        assert!(!new.same_as("s", &changed));
    }

    #[test]
    fn publicity_defaults_to_the_maximum_for_the_class() {
        let today = d("2026-11-28");
        let cases = [
            (DishonestyClass::Minor, "2026-06-02"),
            (DishonestyClass::General, "2027-03-02"),
            (DishonestyClass::Serious, "2029-03-02"),
        ];
        for (class, end) in cases {
            let r = NewCreditRecord::parse(&penalty(class), today).unwrap();
            assert_eq!(r.publicity_end, Some(d(end)), "{class:?}");
        }
    }

    #[test]
    fn publicity_end_must_respect_the_class() {
        let mut raw = penalty(DishonestyClass::Serious);
        raw.publicity_end = Some(d("2026-12-01"));
        let err = NewCreditRecord::parse(&raw, d("2026-11-28")).unwrap_err();
        assert!(
            matches!(err, DomainError::Invalid { ref field, .. } if field == "input.publicityEnd")
        );
    }

    #[test]
    fn penalty_needs_a_class_and_others_refuse_one() {
        let mut raw = penalty(DishonestyClass::General);
        raw.dishonesty_class = None;
        assert!(NewCreditRecord::parse(&raw, d("2026-11-28")).is_err());
        let mut raw = penalty(DishonestyClass::General);
        raw.kind = Some(CreditRecordKind::Licence);
        assert!(NewCreditRecord::parse(&raw, d("2026-11-28")).is_err());
    }

    #[test]
    fn dates_must_be_in_order() {
        let mut raw = penalty(DishonestyClass::General);
        raw.publication_date = Some(d("2026-03-01"));
        assert!(NewCreditRecord::parse(&raw, d("2026-11-28")).is_err());
        let raw = penalty(DishonestyClass::General);
        assert!(NewCreditRecord::parse(&raw, d("2026-03-01")).is_err());
    }

    fn record(kind: CreditRecordKind, decided: &str, published: &str) -> CreditRecord {
        CreditRecord {
            id: "r".into(),
            subject_id: "s".into(),
            kind,
            title: "t".into(),
            decision_number: "n".into(),
            decision_date: d(decided),
            publication_date: d(published),
            legal_basis: "b".into(),
            content: String::new(),
            source_department: DepartmentCode::parse("210900.market").unwrap(),
            dishonesty_class: None,
            publicity_end: None,
            created_at: Utc::now(),
            version: 1,
            withdrawn_at: None,
        }
    }

    #[test]
    fn timeliness_counts_working_days() {
        let cal = WorkingDayCalendar::bundled().unwrap();
        // Decided the day before the National Day holiday; with the swapped Saturday 10-10 worked,
        // the 7th working day after it is 2026-10-15.
        let on_time = record(CreditRecordKind::Licence, "2026-09-30", "2026-10-15");
        assert_eq!(on_time.published_on_time(&cal).unwrap(), Some(true));
        let late = record(CreditRecordKind::Penalty, "2026-09-30", "2026-10-16");
        assert_eq!(late.published_on_time(&cal).unwrap(), Some(false));
        let other = record(CreditRecordKind::Honour, "2026-09-30", "2026-12-15");
        assert_eq!(other.published_on_time(&cal).unwrap(), None);
        let unknown = record(CreditRecordKind::Licence, "2024-09-30", "2024-10-14");
        assert_eq!(
            unknown.published_on_time(&cal),
            Err(CalendarError::YearUnknown(2024))
        );
    }

    #[test]
    fn within_seven_calendar_days_is_on_time_without_a_calendar() {
        let none = WorkingDayCalendar::empty();
        let same_day = record(CreditRecordKind::Licence, "2027-03-01", "2027-03-01");
        assert_eq!(same_day.published_on_time(&none).unwrap(), Some(true));
        let week = record(CreditRecordKind::Penalty, "2027-03-01", "2027-03-08");
        assert_eq!(week.published_on_time(&none).unwrap(), Some(true));
        let later = record(CreditRecordKind::Penalty, "2027-03-01", "2027-03-09");
        assert_eq!(
            later.published_on_time(&none),
            Err(CalendarError::YearUnknown(2027))
        );
    }

    #[test]
    fn public_only_within_publicity() {
        let mut r = record(CreditRecordKind::Penalty, "2026-01-05", "2026-01-06");
        r.publicity_end = Some(d("2026-04-05"));
        assert!(r.is_public_on(d("2026-04-05")));
        assert!(!r.is_public_on(d("2026-04-06")));
        assert!(!r.is_public_on(d("2026-01-05")));
    }
}
