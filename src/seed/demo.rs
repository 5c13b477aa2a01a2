//! Demo data: a few hundred subjects with valid codes, records and list entries spread over them,
//! made through the store's own commands so that every rule applies to them too.

use super::names::{self, PLACES, pick};
use anyhow::Context;
use chrono::{Datelike, Days, NaiveDate};
use domain::access::DepartmentPrincipal;
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
    // The subjects were there when the six months of activity began.
    let start = days_before(today, super::activity::HISTORY_DAYS);
    let registered = start.and_hms_opt(1, 0, 0).unwrap_or_default();
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
                rng.u64(30..800)
            } else {
                rng.u64(1_200..9_000)
            };
            days_before(start, days)
        });
        let raw = RawSubject {
            jurisdiction: place.to_owned(),
            established_on,
            ..raw
        };
        match persistence::as_if_at(registered, || store.register_subject(&market, raw, start)) {
            Ok(s) => subjects.push(s),
            // Two random codes colliding is possible and harmless: skip the second.
            Err(persistence::StoreError::Domain(domain::DomainError::Conflict(_))) => {}
            Err(e) => return Err(e).context("registering a demo subject"),
        }
    }
    summary.subjects = subjects.len();
    let records = seed_records(store, &subjects, start, today, &mut rng)?;
    summary.records = records.len();
    summary.activity = super::activity::seed_history(
        store,
        &subjects,
        &records,
        today,
        fastrand::Rng::with_seed(rng.u64(..)),
    )?;
    summary.entries = summary.activity.entries;
    Ok(Some(summary))
}

/// Licences and penalties decided over the last two years, each recorded on the day it was made
/// public (or when the demo's period begins, for older ones); some published late.
fn seed_records(
    store: &Store,
    subjects: &[Subject],
    start: NaiveDate,
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
            let on = published.max(start);
            let at = on.and_hms_opt(2, 0, 0).unwrap_or_default();
            let department = actor(&format!("210900.{dept}"))?;
            made.push(
                persistence::as_if_at(at, || store.add_credit_record(&department, &raw, on))
                    .context("adding a demo record")?,
            );
        }
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
