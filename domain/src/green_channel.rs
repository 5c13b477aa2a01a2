//! 绿色通道 and 容缺受理 (the green channel, acceptance with documents missing), plan §三(三): only
//! for a 诚信典型 (a red-list entry in force) or a subject with three full years of no bad credit
//! record — no black-list entry in force at any time in them and no penalty decided in them —
//! counted from its establishment; never while a punishment binds it, itself or through an
//! organisation it represents. The years and whether minor penalties count are the credit
//! office's rule.

use crate::check::Listing;
use crate::error::DomainError;
use crate::list::{EntryStatus, ListColour, ListEntry, ListType};
use crate::memorandum::{MeasureKind, Reach};
use crate::record::{CreditRecord, CreditRecordKind, DishonestyClass};
use crate::subject::Subject;
use chrono::{Months, NaiveDate};

/// The credit office's rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GreenChannelRule {
    /// How many full years with no bad record qualify.
    pub clean_years: u32,
    /// Whether a minor (轻微) penalty breaks a clean record; general and serious ones always do.
    pub count_minor_penalties: bool,
}

impl Default for GreenChannelRule {
    fn default() -> Self {
        GreenChannelRule {
            clean_years: 3,
            count_minor_penalties: false,
        }
    }
}

impl GreenChannelRule {
    pub fn parse(clean_years: i32, count_minor_penalties: bool) -> Result<Self, DomainError> {
        let clean_years = u32::try_from(clean_years)
            .ok()
            .filter(|y| (1..=10).contains(y))
            .ok_or_else(|| DomainError::invalid("input.cleanYears", "年限应为1至10年"))?;
        Ok(GreenChannelRule {
            clean_years,
            count_minor_penalties,
        })
    }

    fn counts(&self, class: Option<DishonestyClass>) -> bool {
        // A penalty without a class is counted as a general one: never a clean record by omission.
        class != Some(DishonestyClass::Minor) || self.count_minor_penalties
    }
}

/// Why a subject qualifies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GreenGround {
    /// A red-list entry in force (诚信典型).
    HonestExample { list_name: String },
    /// No bad credit record since `since` (the rule's years back from today).
    CleanRecord { since: NaiveDate, years: u32 },
}

/// The verdict, with what a department and the subject read about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GreenChannel {
    Granted(GreenGround),
    Refused(String),
}

impl GreenChannel {
    pub fn is_granted(&self) -> bool {
        matches!(self, GreenChannel::Granted(_))
    }

    pub fn ground(&self) -> Option<&GreenGround> {
        match self {
            GreenChannel::Granted(g) => Some(g),
            GreenChannel::Refused(_) => None,
        }
    }

    /// Which ground qualified, or why none did.
    pub fn explanation(&self) -> String {
        match self {
            GreenChannel::Granted(GreenGround::HonestExample { list_name }) => {
                format!("诚信典型：列入守信红名单“{list_name}”")
            }
            GreenChannel::Granted(GreenGround::CleanRecord { since, years }) => {
                format!("连续{years}年无不良信用记录（自{since}起）")
            }
            GreenChannel::Refused(why) => why.clone(),
        }
    }
}

/// The last day an entry was in force: its end, or the day it was ended early.
fn last_day_in_force(e: &ListEntry) -> NaiveDate {
    let ended = e.ended_at.map(crate::time::china_date);
    match ended {
        Some(on) if e.stored_status != EntryStatus::Active => on.min(e.end_date),
        _ => e.end_date,
    }
}

/// A punishment that binds the checked subject now: its own black entry in force, or one of an
/// organisation it represents whose measures reach it as such.
fn bound_by(listings: &[Listing]) -> Option<String> {
    listings
        .iter()
        .filter(|l| l.list_type.colour == ListColour::Black)
        .find_map(|l| {
            if l.via == Reach::Subject {
                return Some(format!(
                    "受失信惩戒约束：本主体在失信名单“{}”中",
                    l.list_type.name
                ));
            }
            let reached = l
                .memoranda
                .iter()
                .flat_map(|m| &m.measures)
                .any(|m| m.kind == MeasureKind::Punishment && l.is_bound_by(m));
            reached.then(|| {
                format!(
                    "受失信惩戒约束：作为“{}”的{}，该组织在失信名单“{}”中",
                    l.listed.name,
                    if l.via == Reach::LegalRepresentative {
                        "法定代表人"
                    } else {
                        "主要负责人"
                    },
                    l.list_type.name
                )
            })
        })
}

/// Whether `subject` (none: not registered) qualifies on `today`, from its own entries (all of
/// them, with their list types), its penalty records, and the listings that bind it now.
pub fn green_channel(
    rule: &GreenChannelRule,
    subject: Option<&Subject>,
    own: &[(ListEntry, ListType)],
    penalties: &[CreditRecord],
    binding: &[Listing],
    today: NaiveDate,
) -> GreenChannel {
    let Some(subject) = subject else {
        return GreenChannel::Refused("主体未在本平台登记，无法认定".into());
    };
    if let Some(why) = bound_by(binding) {
        return GreenChannel::Refused(why);
    }
    let red = own
        .iter()
        .find(|(e, t)| t.colour == ListColour::Red && e.status_on(today) == EntryStatus::Active);
    if let Some((_, t)) = red {
        return GreenChannel::Granted(GreenGround::HonestExample {
            list_name: t.name.clone(),
        });
    }
    let years = rule.clean_years;
    let Some(since) = today.checked_sub_months(Months::new(12 * years)) else {
        return GreenChannel::Refused("日期超出范围".into());
    };
    match subject.existing_since() {
        None => {
            return GreenChannel::Refused(format!(
                "成立日期未登记，无法认定连续{years}年无不良信用记录"
            ));
        }
        Some(on) if on > since => {
            return GreenChannel::Refused(format!(
                "成立不满{years}年（成立日期 {on}），不能以连续{years}年无不良信用记录认定"
            ));
        }
        Some(_) => {}
    }
    // Revoked entries were errors: they never counted against the subject.
    let black = own.iter().find(|(e, t)| {
        t.colour == ListColour::Black
            && e.stored_status != EntryStatus::Revoked
            && e.start_date <= today
            && last_day_in_force(e) >= since
    });
    if let Some((e, t)) = black {
        return GreenChannel::Refused(format!(
            "{years}年内曾在失信名单“{}”中（{} 至 {}）",
            t.name,
            e.start_date,
            last_day_in_force(e)
        ));
    }
    let penalty = penalties.iter().find(|r| {
        r.kind == CreditRecordKind::Penalty
            && r.withdrawn_at.is_none()
            && r.decision_date >= since
            && rule.counts(r.dishonesty_class)
    });
    if let Some(r) = penalty {
        return GreenChannel::Refused(format!(
            "{years}年内有行政处罚记录（{}，{}）",
            r.decision_number, r.decision_date
        ));
    }
    GreenChannel::Granted(GreenGround::CleanRecord { since, years })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::department::DepartmentCode;
    use crate::fixtures::{d, entry, list_type, measure, memorandum, subject};
    use crate::memorandum::Measure;
    use chrono::Utc;

    fn established(on: &str) -> Subject {
        Subject {
            established_on: Some(d(on)),
            ..subject("210902")
        }
    }

    fn penalty(decided: &str, class: Option<DishonestyClass>) -> CreditRecord {
        CreditRecord {
            id: "r".into(),
            subject_id: "s".into(),
            kind: CreditRecordKind::Penalty,
            title: "罚款".into(),
            decision_number: "阜市监罚〔2025〕1号".into(),
            decision_date: d(decided),
            publication_date: d(decided),
            legal_basis: "b".into(),
            content: String::new(),
            source_department: DepartmentCode::parse("210900.market").unwrap(),
            dishonesty_class: class,
            publicity_end: None,
            created_at: Utc::now(),
            version: 1,
            withdrawn_at: None,
        }
    }

    fn verdict(
        s: Option<&Subject>,
        own: &[(ListEntry, ListType)],
        records: &[CreditRecord],
    ) -> GreenChannel {
        green_channel(
            &GreenChannelRule::default(),
            s,
            own,
            records,
            &[],
            d("2026-11-28"),
        )
    }

    #[test]
    fn three_full_years_from_establishment() {
        let today_founded = established("2026-11-28");
        assert!(!verdict(Some(&today_founded), &[], &[]).is_granted());
        let unknown = subject("210902");
        let v = verdict(Some(&unknown), &[], &[]);
        assert!(v.explanation().contains("成立日期未登记"), "{v:?}");
        let old = established("2020-03-01");
        assert_eq!(
            verdict(Some(&old), &[], &[]),
            GreenChannel::Granted(GreenGround::CleanRecord {
                since: d("2023-11-28"),
                years: 3
            })
        );
        assert!(!verdict(None, &[], &[]).is_granted());
    }

    #[test]
    fn a_black_entry_or_a_penalty_in_the_years_breaks_it() {
        let old = established("2010-01-01");
        let black = (
            entry("2022-01-01", "2024-01-01", EntryStatus::Expired),
            list_type("b", ListColour::Black),
        );
        assert!(!verdict(Some(&old), std::slice::from_ref(&black), &[]).is_granted());
        let long_ago = (
            entry("2019-01-01", "2023-11-27", EntryStatus::Expired),
            list_type("b", ListColour::Black),
        );
        assert!(verdict(Some(&old), &[long_ago], &[]).is_granted());
        let revoked = (
            entry("2025-01-01", "2027-01-01", EntryStatus::Revoked),
            list_type("b", ListColour::Black),
        );
        assert!(
            verdict(Some(&old), &[revoked], &[]).is_granted(),
            "a wrongful listing never counted"
        );
        let general = penalty("2025-06-01", Some(DishonestyClass::General));
        assert!(!verdict(Some(&old), &[], std::slice::from_ref(&general)).is_granted());
        let unclassed = penalty("2025-06-01", None);
        assert!(!verdict(Some(&old), &[], &[unclassed]).is_granted());
        let minor = penalty("2025-06-01", Some(DishonestyClass::Minor));
        assert!(verdict(Some(&old), &[], std::slice::from_ref(&minor)).is_granted());
        let strict = GreenChannelRule {
            count_minor_penalties: true,
            ..GreenChannelRule::default()
        };
        let v = green_channel(&strict, Some(&old), &[], &[minor], &[], d("2026-11-28"));
        assert!(!v.is_granted());
        let withdrawn = CreditRecord {
            withdrawn_at: Some(Utc::now()),
            ..general
        };
        assert!(verdict(Some(&old), &[], &[withdrawn]).is_granted());
    }

    #[test]
    fn an_honest_example_qualifies_unless_punished() {
        let new = established("2026-11-01");
        let red = (
            entry("2026-11-01", "2027-11-01", EntryStatus::Active),
            list_type("r", ListColour::Red),
        );
        let v = verdict(Some(&new), std::slice::from_ref(&red), &[]);
        assert!(matches!(
            v,
            GreenChannel::Granted(GreenGround::HonestExample { .. })
        ));
        // The representative of a black-listed company whose measures reach representatives.
        let company = Subject {
            name: "阜新某公司".into(),
            ..subject("210902")
        };
        let reaching = Measure {
            reaches: vec![Reach::Subject, Reach::LegalRepresentative],
            ..measure("m", MeasureKind::Punishment, &["market"])
        };
        let memo = memorandum(vec![], vec![reaching]);
        let binding = Listing {
            entry: entry("2026-01-01", "2028-01-01", EntryStatus::Active),
            list_type: list_type("b", ListColour::Black),
            listed: company,
            via: Reach::LegalRepresentative,
            memoranda: vec![memo.clone()],
        };
        let v = green_channel(
            &GreenChannelRule::default(),
            Some(&new),
            &[red],
            &[],
            std::slice::from_ref(&binding),
            d("2026-11-28"),
        );
        assert!(!v.is_granted());
        assert!(v.explanation().contains("法定代表人"), "{v:?}");
        // Measures that bind only the organisation itself do not bind its representative.
        let mut only_org = binding;
        only_org.memoranda[0].measures[0].reaches = vec![Reach::Subject];
        let old = established("2010-01-01");
        let v = green_channel(
            &GreenChannelRule::default(),
            Some(&old),
            &[],
            &[],
            &[only_org],
            d("2026-11-28"),
        );
        assert!(v.is_granted(), "{v:?}");
    }
}
