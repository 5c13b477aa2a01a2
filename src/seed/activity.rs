//! Demo activity on the demo listings and records, so that statistics and the progress report have
//! something in every column: feedback from implementing departments, checks made while handling
//! business, objections at every step (one left waiting past its deadline), and repair
//! applications approved, rejected and pending. Made through the store's own commands.

use super::demo::actor;
use super::names::pick;
use anyhow::Context;
use chrono::{Days, NaiveDate};
use domain::dispatch::{DispatchStatus, Outcome, RawFeedback};
use domain::objection::{RawObjection, TargetKind};
use domain::repair::RawRepair;
use domain::{CreditRecord, DishonestyClass, ListEntry, Subject};
use persistence::{Decision, DispatchFilter, Filer, PageRequest, Store};

#[derive(Debug, Default)]
pub struct Activity {
    pub feedback: usize,
    pub checks: usize,
    pub objections: usize,
    pub repairs: usize,
}

/// Implementing departments that answer most of what reaches them in the demo.
const ANSWERING: &[(&str, &str)] = &[
    ("210900.finance", "政府采购供应商资格审查"),
    ("210900.housing", "建设工程招标投标资格审查"),
];

const CHECKING: &[(&str, &str)] = &[
    ("210900.finance", "政府采购供应商资格审查"),
    ("210900.housing", "建筑业企业资质审批"),
    ("210900.business-env", "行政许可申请受理"),
    ("210900.pboc", "金融机构授信前核查"),
];

pub fn seed_activity(
    store: &Store,
    subjects: &[Subject],
    entries: &[ListEntry],
    records: &[CreditRecord],
    today: NaiveDate,
    rng: &mut fastrand::Rng,
) -> anyhow::Result<Activity> {
    let mut done = Activity {
        feedback: answer_dispatches(store, today, rng)?,
        ..Activity::default()
    };
    for _ in 0..40 {
        let (dept, business) = *pick(rng, CHECKING);
        let s = pick(rng, subjects);
        store
            .check(&actor(dept)?, s.code.as_str(), business, today)
            .context("a demo check")?;
        done.checks += 1;
    }
    done.objections = object(store, subjects, entries, today)?;
    done.repairs = repair(store, subjects, records, today)?;
    Ok(done)
}

fn answer_dispatches(
    store: &Store,
    today: NaiveDate,
    rng: &mut fastrand::Rng,
) -> anyhow::Result<usize> {
    let mut answered = 0;
    for (dept, business) in ANSWERING {
        let me = actor(dept)?;
        let mut inbox = Vec::new();
        let mut after = None;
        loop {
            let page = store.dispatches(
                &me,
                &DispatchFilter {
                    status: Some(DispatchStatus::Pending),
                    ..DispatchFilter::default()
                },
                today,
                &PageRequest {
                    first: persistence::MAX_PAGE_SIZE,
                    after: after.take(),
                },
            )?;
            after = page.items.last().map(|d| d.id.clone());
            inbox.extend(page.items);
            if !page.has_next_page {
                break;
            }
        }
        for d in inbox.iter().filter(|d| d.department == me.department) {
            match rng.u8(0..10) {
                0..=5 => {
                    let raw = RawFeedback {
                        outcome: Outcome::Applied,
                        business: (*business).to_owned(),
                        note: Some("已在审查中依规限制".to_owned()),
                    };
                    store.record_feedback(&me, &d.id, &raw, today)?;
                    answered += 1;
                }
                6 => {
                    let raw = RawFeedback {
                        outcome: Outcome::NotApplicable,
                        business: (*business).to_owned(),
                        note: Some("该主体本期未办理相关业务".to_owned()),
                    };
                    store.record_feedback(&me, &d.id, &raw, today)?;
                    answered += 1;
                }
                7 => {
                    store.acknowledge_dispatch(&me, &d.id)?;
                }
                _ => {}
            }
        }
    }
    Ok(answered)
}

fn code_of<'a>(subjects: &'a [Subject], subject_id: &str) -> Option<&'a Subject> {
    subjects.iter().find(|s| s.id == subject_id)
}

/// Four objections against black-list entries: rejected, refused, accepted and still open, and one
/// filed three weeks ago that nobody has answered (overdue).
fn object(
    store: &Store,
    subjects: &[Subject],
    entries: &[ListEntry],
    today: NaiveDate,
) -> anyhow::Result<usize> {
    let targets: Vec<(&ListEntry, &Subject)> = entries
        .iter()
        .filter(|e| e.created_by.as_str() == "210900.market")
        .filter_map(|e| code_of(subjects, &e.subject_id).map(|s| (e, s)))
        .take(4)
        .collect();
    let market = actor("210900.market")?;
    for (i, (entry, subject)) in targets.iter().enumerate() {
        let filed_on = if i == 3 {
            today.checked_sub_days(Days::new(21)).unwrap_or(today)
        } else {
            today
        };
        let raw = RawObjection {
            subject_code: subject.code.as_str().to_owned(),
            target: Some(TargetKind::Entry),
            target_id: entry.id.clone(),
            reason: "认定所依据的检查结果有误，已申请复检".to_owned(),
            contact: "13800000000".to_owned(),
            evidence: vec!["复检申请书.pdf".to_owned()],
        };
        let filed = store.file_objection(&Filer::Public, &raw, filed_on)?;
        let id = &filed.objection.id;
        match i {
            0 => {
                store.accept_objection(&market, id, "材料齐全，予以受理", today)?;
                let reject = Decision::Reject {
                    reason: "复检结果与原检查结果一致，认定无误".to_owned(),
                };
                store.decide_objection(&market, id, &reject, today)?;
            }
            1 => {
                store.refuse_objection(&market, id, "未提供能够证明认定有误的材料")?;
            }
            2 => {
                store.accept_objection(&market, id, "材料齐全，予以受理", today)?;
            }
            _ => {}
        }
    }
    Ok(targets.len())
}

/// Repair applications for penalties whose minimum publicity has passed: approved, rejected and
/// pending.
fn repair(
    store: &Store,
    subjects: &[Subject],
    records: &[CreditRecord],
    today: NaiveDate,
) -> anyhow::Result<usize> {
    let eligible = records.iter().filter(|r| {
        r.dishonesty_class == Some(DishonestyClass::General)
            && r.decision_date
                .checked_add_months(chrono::Months::new(4))
                .is_some_and(|d| d <= today)
            && r.is_public_on(today)
    });
    let mut made = 0;
    for (i, record) in eligible.take(3).enumerate() {
        let Some(subject) = code_of(subjects, &record.subject_id) else {
            continue;
        };
        let raw = RawRepair {
            target_id: record.id.clone(),
            rectification: "已缴清罚款并完成整改".to_owned(),
            commitment: "本单位承诺今后依法经营，如有违反愿承担相应责任".to_owned(),
            attachments: vec!["缴款凭证.pdf".to_owned(), "整改报告.pdf".to_owned()],
        };
        let applied = store.apply_repair(&subject.code, TargetKind::Record, &raw, today)?;
        let owner = actor(record.source_department.as_str())?;
        match i {
            0 => {
                store.decide_repair(&owner, &applied.id, true, "整改到位，准予修复", today)?;
            }
            1 => {
                store.decide_repair(&owner, &applied.id, false, "整改报告未附验收意见", today)?;
            }
            _ => {}
        }
        made += 1;
    }
    Ok(made)
}
