//! Synthetic data at scale (`xinyong seed --synthetic N`): N subjects with valid, unique codes and
//! realistic names, with licences and penalties, and listings in realistic proportions made through
//! the listing rules (so with their dispatches).

use super::names::{self, PLACES, pick};
use anyhow::Context;
use chrono::{Days, NaiveDate};
use domain::access::DepartmentPrincipal;
use domain::list::RawListEntry;
use domain::record::RawCreditRecord;
use domain::subject::RawSubject;
use domain::{
    CreditRecordKind, DepartmentCode, DishonestyClass, NewCreditRecord, NewSubject, Scope,
    SubjectKind,
};
use persistence::Store;

/// Subjects written per transaction.
const CHUNK: usize = 10_000;

#[derive(Debug, Default)]
pub struct SyntheticSummary {
    pub subjects: usize,
    pub records: usize,
    pub entries: usize,
}

const USCC_SET: &[u8] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";

/// A unique code for the `n`-th synthetic subject: `n` in base 31 as the organisation code's eight
/// characters, so that no two synthetic subjects share one (for a database of synthetic data only).
fn unique_uscc(n: usize, kind: &str, division: &str) -> String {
    let mut digits = Vec::with_capacity(8);
    let mut rest = n;
    for _ in 0..8 {
        digits.push(USCC_SET[rest % 31] as char);
        rest /= 31;
    }
    let body: String = digits.iter().rev().collect();
    domain::uscc::complete(&format!("{kind}{division}"), &body).unwrap_or_default()
}

fn actor(code: &str) -> anyhow::Result<DepartmentPrincipal> {
    Ok(DepartmentPrincipal {
        department: DepartmentCode::parse(code)?,
        jurisdiction: None,
        scopes: Scope::ALL.into_iter().collect(),
    })
}

/// Seeds `n` synthetic subjects, numbered from `start` (so that runs can add more).
pub fn seed_synthetic(
    store: &Store,
    n: usize,
    start: usize,
    today: NaiveDate,
) -> anyhow::Result<SyntheticSummary> {
    let mut rng = fastrand::Rng::with_seed(start as u64 + 1);
    let market = DepartmentCode::parse("210900.market")?;
    let mut summary = SyntheticSummary::default();
    let mut offset = start;
    while offset < start + n {
        let size = CHUNK.min(start + n - offset);
        let mut subjects = Vec::with_capacity(size);
        for i in offset..offset + size {
            let (place, place_name) = *pick(&mut rng, PLACES);
            let raw = match i % 10 {
                8 => RawSubject {
                    code: unique_uscc(i, "92", place),
                    kind: Some(SubjectKind::IndividualBusiness),
                    name: names::shop_name(&mut rng, place_name),
                    ..RawSubject::default()
                },
                _ => RawSubject {
                    code: unique_uscc(i, "91", place),
                    kind: Some(SubjectKind::LegalPerson),
                    name: names::company_name(&mut rng, place_name),
                    representative_name: Some(names::person_name(&mut rng)),
                    ..RawSubject::default()
                },
            };
            subjects.push(NewSubject::parse(
                RawSubject {
                    jurisdiction: place.to_owned(),
                    ..raw
                },
                domain::time::china_date(chrono::Utc::now()),
            )?);
        }
        let ids = store
            .bulk_insert_subjects(&market, &subjects)
            .context("writing synthetic subjects")?;
        summary.subjects += ids.len();

        // About half hold a licence, one in eight a penalty.
        let mut records = Vec::new();
        for (k, id) in ids.iter().enumerate() {
            let n = offset + k;
            let decided = today
                .checked_sub_days(Days::new(rng.u64(10..700)))
                .unwrap_or(today);
            let published = decided
                .checked_add_days(Days::new(rng.u64(0..12)))
                .unwrap_or(decided)
                .min(today);
            let mut add = |kind: CreditRecordKind,
                           dept: &str,
                           class: Option<DishonestyClass>|
             -> anyhow::Result<()> {
                let raw = RawCreditRecord {
                    kind: Some(kind),
                    title: if class.is_some() {
                        "罚款".into()
                    } else {
                        "准予行政许可".into()
                    },
                    decision_number: format!("阜{dept}合成〔{n}〕{}号", kind.as_str()),
                    decision_date: Some(decided),
                    publication_date: Some(published),
                    legal_basis: "相关法律法规".into(),
                    content: String::new(),
                    dishonesty_class: class,
                    ..RawCreditRecord::default()
                };
                records.push((
                    id.clone(),
                    DepartmentCode::parse(&format!("210900.{dept}"))?,
                    NewCreditRecord::parse(&raw, today)?,
                ));
                Ok(())
            };
            if rng.u8(..2) == 0 {
                let dept = *pick(&mut rng, &["market", "housing", "transport"]);
                add(CreditRecordKind::Licence, dept, None)?;
            }
            if rng.u8(..8) == 0 {
                let class = *pick(
                    &mut rng,
                    &[
                        DishonestyClass::Minor,
                        DishonestyClass::General,
                        DishonestyClass::Serious,
                    ],
                );
                let dept = *pick(&mut rng, &["market", "ecology", "tax"]);
                add(CreditRecordKind::Penalty, dept, Some(class))?;
            }
        }
        summary.records += store
            .bulk_insert_records(&records)
            .context("writing synthetic records")?;

        // About 2% on the court's black list, 3% on the A-level taxpayers' red list; never both,
        // since no subject is rewarded while it is punished.
        let mut black_listed: std::collections::HashSet<String> = std::collections::HashSet::new();
        for (list_type, dept, per_hundred) in [
            ("court-dishonest-debtor", "210900.court", 2),
            ("tax-a-level", "210900.tax", 3),
        ] {
            let mut raws: Vec<RawListEntry> = Vec::new();
            for s in &subjects {
                if black_listed.contains(s.code.as_str()) {
                    continue;
                }
                if rng.u8(..100) < per_hundred {
                    if list_type == "court-dishonest-debtor" {
                        black_listed.insert(s.code.as_str().to_owned());
                    }
                    raws.push(RawListEntry {
                        subject_code: s.code.as_str().to_owned(),
                        list_type_code: list_type.into(),
                        reason: "合成数据".into(),
                        basis_document: "合成依据".into(),
                        start_date: today.checked_sub_days(Days::new(rng.u64(0..300))),
                        ..RawListEntry::default()
                    });
                }
            }
            if !raws.is_empty() {
                summary.entries += store
                    .add_list_entries(&actor(dept)?, &raws, today)
                    .context("listing synthetic subjects")?
                    .len();
            }
        }
        offset += size;
    }
    Ok(summary)
}

#[cfg(test)]
mod tests {
    #[test]
    fn synthetic_codes_are_valid_and_distinct() {
        let a = super::unique_uscc(0, "91", "210902");
        let b = super::unique_uscc(1, "91", "210902");
        let c = super::unique_uscc(999_999, "91", "210902");
        for code in [&a, &b, &c] {
            assert!(domain::Uscc::parse(code).is_ok(), "{code}");
        }
        assert_ne!(a, b);
    }
}
