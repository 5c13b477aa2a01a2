//! Demo data: a few hundred subjects with valid codes, records and list entries spread over them,
//! made through the store's own commands so that every rule applies to them too.

use super::names::{self, PLACES, pick};
use anyhow::Context;
use chrono::{Datelike, Days, NaiveDate};
use domain::access::DepartmentPrincipal;
use domain::list::RawListEntry;
use domain::record::RawCreditRecord;
use domain::subject::RawSubject;
use domain::{CreditRecordKind, DepartmentCode, DishonestyClass, Scope, Subject, SubjectKind};
use persistence::{PageRequest, Store, SubjectFilter};

pub const DEMO_SUBJECTS: usize = 300;

#[derive(Debug, Default)]
pub struct DemoSummary {
    pub subjects: usize,
    pub records: usize,
    pub entries: usize,
    pub activity: super::Activity,
}

pub(super) fn actor(code: &str) -> anyhow::Result<DepartmentPrincipal> {
    Ok(DepartmentPrincipal {
        department: DepartmentCode::parse(code)?,
        jurisdiction: None,
        scopes: Scope::ALL.into_iter().collect(),
    })
}

fn days_before(today: NaiveDate, days: u64) -> NaiveDate {
    today.checked_sub_days(Days::new(days)).unwrap_or(today)
}

/// Seeds demo data into a database that has no subjects yet; returns `None` if it has some.
pub fn seed_demo(store: &Store, today: NaiveDate) -> anyhow::Result<Option<DemoSummary>> {
    let any = store.subjects(
        &SubjectFilter::default(),
        &PageRequest {
            first: 1,
            after: None,
        },
    )?;
    if !any.items.is_empty() {
        return Ok(None);
    }
    let mut rng = fastrand::Rng::with_seed(210_900);
    let mut summary = DemoSummary::default();
    let market = actor("210900.market")?;
    let mut subjects: Vec<Subject> = Vec::new();
    for i in 0..DEMO_SUBJECTS {
        let (place, place_name) = *pick(&mut rng, PLACES);
        let raw = match i % 10 {
            8 => RawSubject {
                code: names::uscc(&mut rng, "92", place),
                kind: Some(SubjectKind::IndividualBusiness),
                name: names::shop_name(&mut rng, place_name),
                representative_name: None,
                ..RawSubject::default()
            },
            9 => RawSubject {
                code: names::citizen_id(&mut rng, place),
                kind: Some(SubjectKind::NaturalPerson),
                name: names::person_name(&mut rng),
                ..RawSubject::default()
            },
            _ => RawSubject {
                code: names::uscc(&mut rng, "91", place),
                kind: Some(SubjectKind::LegalPerson),
                name: names::company_name(&mut rng, place_name),
                representative_name: Some(names::person_name(&mut rng)),
                representative_id_number: Some(names::citizen_id(&mut rng, place)),
                ..RawSubject::default()
            },
        };
        // Most organisations are years old, one in six founded within the last three years (not
        // yet clean for long enough); persons count from their birth.
        let established_on = (raw.kind != Some(SubjectKind::NaturalPerson)).then(|| {
            let days = if i % 6 == 5 {
                rng.i64(30..1_000)
            } else {
                rng.i64(1_200..9_000)
            };
            today - chrono::Duration::days(days)
        });
        let raw = RawSubject {
            jurisdiction: place.to_owned(),
            established_on,
            ..raw
        };
        match store.register_subject(&market, raw, today) {
            Ok(s) => subjects.push(s),
            // Two random codes colliding is possible and harmless: skip the second.
            Err(persistence::StoreError::Domain(domain::DomainError::Conflict(_))) => {}
            Err(e) => return Err(e).context("registering a demo subject"),
        }
    }
    summary.subjects = subjects.len();
    let records = seed_records(store, &subjects, today, &mut rng)?;
    let entries = seed_entries(store, &subjects, today, &mut rng)?;
    summary.records = records.len();
    summary.entries = entries.len();
    summary.activity =
        super::activity::seed_activity(store, &subjects, &entries, &records, today, &mut rng)?;
    Ok(Some(summary))
}

fn seed_records(
    store: &Store,
    subjects: &[Subject],
    today: NaiveDate,
    rng: &mut fastrand::Rng,
) -> anyhow::Result<Vec<domain::CreditRecord>> {
    let licensers = ["market", "housing", "transport", "ecology", "business-env"];
    let penalisers = ["market", "ecology", "emergency", "tax", "transport"];
    let mut made = Vec::new();
    for (n, s) in subjects.iter().enumerate() {
        let mut wanted = Vec::new();
        if rng.f32() < 0.5 {
            wanted.push((CreditRecordKind::Licence, *pick(rng, &licensers)));
        }
        if rng.f32() < 0.25 {
            wanted.push((CreditRecordKind::Penalty, *pick(rng, &penalisers)));
        }
        for (kind, dept) in wanted {
            let decided = days_before(today, rng.u64(10..600));
            let published = decided
                .checked_add_days(Days::new(rng.u64(0..14)))
                .unwrap_or(decided)
                .min(today);
            let (title, class, basis) = match kind {
                CreditRecordKind::Penalty => (
                    "罚款",
                    Some(*pick(
                        rng,
                        &[
                            DishonestyClass::Minor,
                            DishonestyClass::General,
                            DishonestyClass::General,
                            DishonestyClass::Serious,
                        ],
                    )),
                    "《中华人民共和国行政处罚法》及相关法律法规",
                ),
                _ => (
                    "准予行政许可",
                    None,
                    "《中华人民共和国行政许可法》及相关法律法规",
                ),
            };
            let raw = RawCreditRecord {
                subject_code: s.code.as_str().to_owned(),
                kind: Some(kind),
                title: title.to_owned(),
                decision_number: format!("阜{dept}〔{}〕{}号", decided.year(), n + 1),
                decision_date: Some(decided),
                publication_date: Some(published),
                legal_basis: basis.to_owned(),
                content: format!("{}：{}", title, s.name),
                dishonesty_class: class,
                publicity_end: None,
            };
            made.push(
                store
                    .add_credit_record(&actor(&format!("210900.{dept}"))?, &raw, today)
                    .context("adding a demo record")?,
            );
        }
    }
    Ok(made)
}

struct Plan {
    list_type: &'static str,
    department: &'static str,
    reason: &'static str,
    count: usize,
    persons: bool,
}

const PLANS: &[Plan] = &[
    Plan {
        list_type: "court-dishonest-debtor",
        department: "210900.court",
        reason: "有履行能力而拒不履行生效法律文书确定的义务",
        count: 15,
        persons: false,
    },
    Plan {
        list_type: "court-dishonest-debtor",
        department: "210900.court",
        reason: "有履行能力而拒不履行生效法律文书确定的义务",
        count: 5,
        persons: true,
    },
    Plan {
        list_type: "tax-major-violation",
        department: "210900.tax",
        reason: "虚开增值税专用发票",
        count: 8,
        persons: false,
    },
    Plan {
        list_type: "market-serious-illegal",
        department: "210900.market",
        reason: "生产销售不符合安全标准的食品，情节严重",
        count: 8,
        persons: false,
    },
    Plan {
        list_type: "hrss-wage-arrears",
        department: "210900.hrss",
        reason: "拖欠农民工工资数额较大，经责令仍不支付",
        count: 6,
        persons: false,
    },
    Plan {
        list_type: "emergency-safety-dishonest",
        department: "210900.emergency",
        reason: "发生较大生产安全责任事故",
        count: 4,
        persons: false,
    },
    Plan {
        list_type: "tax-a-level",
        department: "210900.tax",
        reason: "年度纳税信用评价为A级",
        count: 25,
        persons: false,
    },
    Plan {
        list_type: "customs-aeo",
        department: "210900.customs",
        reason: "通过海关高级认证",
        count: 6,
        persons: false,
    },
];

fn seed_entries(
    store: &Store,
    subjects: &[Subject],
    today: NaiveDate,
    rng: &mut fastrand::Rng,
) -> anyhow::Result<Vec<domain::ListEntry>> {
    let mut made = Vec::new();
    let mut add = |list_type: &str,
                   dept: &str,
                   s: &Subject,
                   reason: &str,
                   start: NaiveDate,
                   end: Option<NaiveDate>|
     -> anyhow::Result<Option<domain::ListEntry>> {
        let raw = RawListEntry {
            subject_code: s.code.as_str().to_owned(),
            list_type_code: list_type.to_owned(),
            reason: reason.to_owned(),
            basis_document: format!(
                "（{}）阜{}字第{}号",
                start.year(),
                &dept[7..],
                made.len() + 1
            ),
            start_date: Some(start),
            end_date: end,
            idempotency_key: None,
        };
        match store.add_list_entry(&actor(dept)?, &raw, today) {
            Ok(e) => {
                made.push(e.entry.clone());
                Ok(Some(e.entry))
            }
            // Already on that list (random picks overlap): one entry is enough.
            Err(persistence::StoreError::Domain(domain::DomainError::Conflict(_))) => Ok(None),
            Err(e) => Err(e).context("adding a demo entry"),
        }
    };
    let organisations: Vec<&Subject> = subjects
        .iter()
        .filter(|s| s.kind.is_organisation())
        .collect();
    let persons: Vec<&Subject> = subjects
        .iter()
        .filter(|s| s.kind == SubjectKind::NaturalPerson)
        .collect();
    for plan in PLANS {
        let pool = if plan.persons {
            &persons
        } else {
            &organisations
        };
        let mut chosen: Vec<&Subject> = Vec::new();
        while chosen.len() < plan.count.min(pool.len()) {
            let s = *pick(rng, pool);
            if !chosen.iter().any(|c| c.id == s.id) {
                chosen.push(s);
            }
        }
        for s in chosen {
            let start = days_before(today, rng.u64(0..300));
            add(plan.list_type, plan.department, s, plan.reason, start, None)?;
        }
    }
    // Some entries whose period has passed, read as expired; and one revoked in error.
    for s in organisations.iter().skip(100).take(5) {
        let start = days_before(today, 800);
        add(
            "court-dishonest-debtor",
            "210900.court",
            s,
            "有履行能力而拒不履行生效法律文书确定的义务",
            start,
            Some(days_before(today, 30)),
        )?;
    }
    let wrongly_listed = match organisations.get(120) {
        Some(s) => add(
            "market-serious-illegal",
            "210900.market",
            s,
            "虚假宣传",
            days_before(today, 20),
            None,
        )?,
        None => None,
    };
    for s in subjects
        .iter()
        .filter(|s| s.jurisdiction.as_str() == "210922" && s.kind.is_organisation())
        .take(3)
    {
        add(
            "zhangwu-market-serious-illegal",
            "210922.market",
            s,
            "无证经营，拒不改正",
            days_before(today, 40),
            None,
        )?;
    }
    if let Some(e) = wrongly_listed {
        store.revoke_list_entry(
            &actor("210900.market")?,
            &e.id,
            "认定主体有误，予以撤销",
            today,
        )?;
        made.retain(|m| m.id != e.id);
    }
    Ok(made)
}

/// Subjects worth looking up first: one in force on each of a few lists, as (list name, code).
pub fn samples(store: &Store, today: NaiveDate) -> anyhow::Result<Vec<(String, String)>> {
    let mut out = Vec::new();
    for list_type in [
        "court-dishonest-debtor",
        "tax-major-violation",
        "tax-a-level",
        "customs-aeo",
    ] {
        let filter = persistence::EntryFilter {
            list_type_code: Some(list_type.to_owned()),
            subject_id: None,
            status: Some(domain::EntryStatus::Active),
            jurisdiction: None,
            today,
        };
        let page = store.list_entries(
            &filter,
            &PageRequest {
                first: 1,
                after: None,
            },
        )?;
        if let Some(entry) = page.items.first()
            && let Some(subject) = store.subject_by_id(&entry.subject_id)?
        {
            out.push((list_type.to_owned(), subject.code.as_str().to_owned()));
        }
    }
    Ok(out)
}
