//! Six months of demo activity, so that monitoring can be rehearsed on it: listings on every day of
//! the period, feedback at various delays (some never: overdue), entries that expire, are repaired,
//! found wrongful, their measures lifted (some late), objections and repairs at every step
//! (overdue ones too), and checks. Each day's commands run through the store as if on that day
//! ([`persistence::as_if_at`]), in order, so every date and deadline is the one they would have.

use super::demo::actor;
use super::names::pick;
use anyhow::Context;
use chrono::{Days, NaiveDate, NaiveDateTime};
use domain::dispatch::{Dispatch, Outcome, RawFeedback};
use domain::lift::{LiftGround, RawLiftConfirmation};
use domain::list::RawListEntry;
use domain::objection::{RawObjection, TargetKind};
use domain::repair::RawRepair;
use domain::{CreditRecord, DishonestyClass, ListEntry, Subject, SubjectKind};
use persistence::{Decision, Filer, Store};
use std::collections::BTreeMap;

/// How far back the demo reaches.
pub const HISTORY_DAYS: u64 = 180;

#[derive(Debug, Default)]
pub struct Activity {
    pub entries: usize,
    pub feedback: usize,
    pub checks: usize,
    pub objections: usize,
    pub repairs: usize,
    pub lifts_requested: usize,
    pub lifts_confirmed: usize,
}

/// Implementing departments that answer most of what reaches them in the demo (the others leave
/// theirs waiting, and overdue).
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

const CHECKS: usize = 40;

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
        count: 10,
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

/// What an objection to one of the market regulator's entries goes through, in days after the
/// entry was made (or before today, for the ones still waiting).
#[derive(Clone, Copy)]
enum Objected {
    RejectedInTime,
    Refused,
    AcceptedRecently,
    NeverAnswered,
    AcceptedLateRejectedLate,
    Upheld,
    AcceptedNeverDecided,
}

const OBJECTED: [Objected; 7] = [
    Objected::RejectedInTime,
    Objected::Refused,
    Objected::AcceptedRecently,
    Objected::NeverAnswered,
    Objected::AcceptedLateRejectedLate,
    Objected::Upheld,
    Objected::AcceptedNeverDecided,
];

enum Event {
    List {
        plan: &'static Plan,
        subject: usize,
        start: NaiveDate,
        end: Option<NaiveDate>,
    },
    Answer {
        dispatch: Dispatch,
        outcome: Option<Outcome>,
    },
    ConfirmLift {
        dispatch: Dispatch,
        ground: LiftGround,
    },
    File {
        entry: ListEntry,
        scenario: Objected,
    },
    Accept(String, &'static str),
    Refuse(String, &'static str),
    Decide(String, &'static str, bool),
    Apply {
        record: CreditRecord,
        approve: Option<bool>,
    },
    DecideRepair(String, String, bool),
    Revoke(ListEntry),
    Check,
}

struct History<'a> {
    store: &'a Store,
    subjects: &'a [Subject],
    today: NaiveDate,
    agenda: BTreeMap<NaiveDate, Vec<Event>>,
    rng: fastrand::Rng,
    done: Activity,
    /// Each day's commands get their own minute, so that they keep their order.
    minute: i64,
}

fn after(day: NaiveDate, days: u64) -> NaiveDate {
    day.checked_add_days(Days::new(days)).unwrap_or(day)
}

fn before(day: NaiveDate, days: u64) -> NaiveDate {
    day.checked_sub_days(Days::new(days)).unwrap_or(day)
}

/// A moment of `day` in office hours, China time (08:00 + `minute`), in UTC.
fn moment(day: NaiveDate, minute: i64) -> NaiveDateTime {
    day.and_hms_opt(0, 0, 0)
        .unwrap_or_default()
        .checked_add_signed(chrono::Duration::minutes(minute.min(600)))
        .unwrap_or_default()
}

impl History<'_> {
    fn at(&mut self, day: NaiveDate, event: Event) {
        if day <= self.today {
            self.agenda.entry(day).or_default().push(event);
        }
    }

    fn run(&mut self, start: NaiveDate) -> anyhow::Result<()> {
        let mut day = start;
        while day <= self.today {
            self.minute = 0;
            let events = self.agenda.remove(&day).unwrap_or_default();
            for event in events {
                self.minute += 1;
                let when = moment(day, self.minute);
                persistence::as_if_at(when, || self.happen(day, event))?;
            }
            let store = self.store;
            let report = persistence::as_if_at(moment(day, 599), || store.sweep_expired(day))?;
            self.ended(day, &report.ended.lifts, LiftGround::Ended);
            day = after(day, 1);
        }
        Ok(())
    }

    /// Lifts of the answering departments are confirmed within a fortnight, but for every fourth,
    /// left waiting (overdue once its five working days pass).
    fn ended(&mut self, day: NaiveDate, lifts: &[Dispatch], ground: LiftGround) {
        for d in lifts {
            self.done.lifts_requested += 1;
            let answering = ANSWERING.iter().any(|(a, _)| *a == d.department.as_str());
            if answering && !self.done.lifts_requested.is_multiple_of(4) {
                let on = after(day, self.rng.u64(1..14));
                self.at(
                    on,
                    Event::ConfirmLift {
                        dispatch: d.clone(),
                        ground,
                    },
                );
            }
        }
    }

    fn happen(&mut self, day: NaiveDate, event: Event) -> anyhow::Result<()> {
        let store = self.store;
        match event {
            Event::List {
                plan,
                subject,
                start,
                end,
            } => {
                let s = &self.subjects[subject];
                let raw = RawListEntry {
                    subject_code: s.code.as_str().to_owned(),
                    list_type_code: plan.list_type.to_owned(),
                    reason: plan.reason.to_owned(),
                    basis_document: format!(
                        "（{}）阜{}字第{}号",
                        chrono::Datelike::year(&start),
                        &plan.department[7..],
                        self.done.entries + 1
                    ),
                    start_date: Some(start),
                    end_date: end,
                    idempotency_key: None,
                };
                match store.add_list_entry(&actor(plan.department)?, &raw, day) {
                    Ok(change) => {
                        self.done.entries += 1;
                        self.listed(day, plan, change.entry, change.dispatches);
                    }
                    // Already on that list (random picks overlap), or a red list refused to a
                    // black-listed subject: the demo moves on.
                    Err(persistence::StoreError::Domain(domain::DomainError::Conflict(_))) => {}
                    Err(e) => return Err(e).context("a demo listing"),
                }
            }
            Event::Answer { dispatch, outcome } => {
                let (dept, business) = ANSWERING
                    .iter()
                    .find(|(a, _)| *a == dispatch.department.as_str())
                    .copied()
                    .unwrap_or(ANSWERING[0]);
                let me = actor(dept)?;
                let answered = match outcome {
                    None => store.acknowledge_dispatch(&me, &dispatch.id).map(|_| ()),
                    Some(outcome) => {
                        let raw = RawFeedback {
                            outcome,
                            business: business.to_owned(),
                            note: Some(match outcome {
                                Outcome::Applied => "已在审查中依规限制".to_owned(),
                                Outcome::NotApplicable => "该主体本期未办理相关业务".to_owned(),
                            }),
                        };
                        store
                            .record_feedback(&me, &dispatch.id, &raw, day)
                            .map(|_| self.done.feedback += 1)
                    }
                };
                // The entry may have ended first: its dispatch was cancelled meanwhile.
                ignore_conflict(answered)?;
            }
            Event::ConfirmLift { dispatch, ground } => {
                let raw = RawLiftConfirmation {
                    business: "资格审查".to_owned(),
                    note: (ground == LiftGround::Wrongful)
                        .then(|| "已撤销限制决定，恢复该主体的投标资格".to_owned()),
                };
                let me = actor(dispatch.department.as_str())?;
                if ignore_conflict(store.confirm_lift(&me, &dispatch.id, &raw, day).map(|_| ()))? {
                    self.done.lifts_confirmed += 1;
                }
            }
            Event::File { entry, scenario } => self.object(day, entry, scenario)?,
            Event::Accept(id, owner) => {
                store.accept_objection(&actor(owner)?, &id, "材料齐全，予以受理", day)?;
            }
            Event::Refuse(id, owner) => {
                store.refuse_objection(&actor(owner)?, &id, "未提供能够证明认定有误的材料")?;
            }
            Event::Decide(id, owner, upheld) => {
                let decision = if upheld {
                    Decision::Uphold {
                        reason: "复检结果表明原认定有误".to_owned(),
                        record: None,
                    }
                } else {
                    Decision::Reject {
                        reason: "复检结果与原检查结果一致，认定无误".to_owned(),
                    }
                };
                let decided = store.decide_objection(&actor(owner)?, &id, &decision, day)?;
                self.ended(day, &decided.ended.lifts, LiftGround::Wrongful);
            }
            Event::Apply { record, approve } => {
                let Some(subject) = self.subjects.iter().find(|s| s.id == record.subject_id) else {
                    return Ok(());
                };
                let raw = RawRepair {
                    target_id: record.id.clone(),
                    rectification: "已缴清罚款并完成整改".to_owned(),
                    commitment: "本单位承诺今后依法经营，如有违反愿承担相应责任".to_owned(),
                    attachments: vec!["缴款凭证.pdf".to_owned(), "整改报告.pdf".to_owned()],
                };
                let applied = store.apply_repair(&subject.code, TargetKind::Record, &raw, day)?;
                self.done.repairs += 1;
                if let Some(approve) = approve {
                    // The rejection comes late: past its ten working days.
                    let wait = if approve { 6 } else { 30 };
                    self.at(
                        after(day, wait),
                        Event::DecideRepair(
                            applied.id,
                            record.source_department.to_string(),
                            approve,
                        ),
                    );
                }
            }
            Event::DecideRepair(id, owner, approve) => {
                let reason = if approve {
                    "整改到位，准予修复"
                } else {
                    "整改报告未附验收意见"
                };
                store.decide_repair(&actor(&owner)?, &id, approve, reason, day)?;
            }
            Event::Revoke(entry) => {
                let change = store.revoke_list_entry(
                    &actor(entry.created_by.as_str())?,
                    &entry.id,
                    "认定主体有误，予以撤销",
                    day,
                )?;
                self.ended(day, &change.ended.lifts, LiftGround::Wrongful);
            }
            Event::Check => {
                let (dept, business) = *pick(&mut self.rng, CHECKING);
                let s = pick(&mut self.rng, self.subjects);
                store
                    .check(&actor(dept)?, s.code.as_str(), business, day)
                    .context("a demo check")?;
                self.done.checks += 1;
            }
        }
        Ok(())
    }

    /// A new entry: its answering departments reply at various delays, some never; the market
    /// regulator's first entries are objected to, one of its later ones revoked as an error.
    fn listed(&mut self, day: NaiveDate, plan: &Plan, entry: ListEntry, made: Vec<Dispatch>) {
        for d in made {
            if !ANSWERING.iter().any(|(a, _)| *a == d.department.as_str()) {
                continue;
            }
            let outcome = match self.rng.u8(0..10) {
                0..=5 => Some(Some(Outcome::Applied)),
                6 => Some(Some(Outcome::NotApplicable)),
                7 => Some(None),
                _ => None,
            };
            if let Some(outcome) = outcome {
                let on = after(day, self.rng.u64(1..25));
                self.at(
                    on,
                    Event::Answer {
                        dispatch: d,
                        outcome,
                    },
                );
            }
        }
        if plan.list_type != "market-serious-illegal" {
            return;
        }
        let objected = self.done.objections;
        if let Some(scenario) = OBJECTED.get(objected).copied() {
            self.done.objections += 1;
            let on = match scenario {
                Objected::AcceptedRecently => before(self.today, 8),
                Objected::NeverAnswered => before(self.today, 25),
                Objected::AcceptedNeverDecided => before(self.today, 40),
                _ => after(day, 3),
            }
            .max(day);
            self.at(on, Event::File { entry, scenario });
        } else if objected == OBJECTED.len() {
            self.done.objections += 1;
            self.at(after(day, 45), Event::Revoke(entry));
        }
    }

    fn object(
        &mut self,
        day: NaiveDate,
        entry: ListEntry,
        scenario: Objected,
    ) -> anyhow::Result<()> {
        let Some(subject) = self.subjects.iter().find(|s| s.id == entry.subject_id) else {
            return Ok(());
        };
        let raw = RawObjection {
            subject_code: subject.code.as_str().to_owned(),
            target: Some(TargetKind::Entry),
            target_id: entry.id.clone(),
            reason: "认定所依据的检查结果有误，已申请复检".to_owned(),
            contact: "13800000000".to_owned(),
            evidence: vec!["复检申请书.pdf".to_owned()],
        };
        let id = self
            .store
            .file_objection(&Filer::Public, &raw, day)?
            .objection
            .id;
        let owner = "210900.market";
        match scenario {
            Objected::RejectedInTime => {
                self.at(after(day, 1), Event::Accept(id.clone(), owner));
                self.at(after(day, 8), Event::Decide(id, owner, false));
            }
            Objected::Refused => self.at(after(day, 1), Event::Refuse(id, owner)),
            Objected::AcceptedRecently | Objected::AcceptedNeverDecided => {
                self.at(after(day, 1), Event::Accept(id, owner));
            }
            Objected::NeverAnswered => {}
            Objected::AcceptedLateRejectedLate => {
                self.at(after(day, 7), Event::Accept(id.clone(), owner));
                self.at(after(day, 35), Event::Decide(id, owner, false));
            }
            Objected::Upheld => {
                self.at(after(day, 1), Event::Accept(id.clone(), owner));
                self.at(after(day, 6), Event::Decide(id, owner, true));
            }
        }
        Ok(())
    }
}

/// A command refused because the state moved on (an entry ended before its dispatch was
/// answered) is part of the story; anything else stops the seeding. Returns whether it ran.
fn ignore_conflict(result: Result<(), persistence::StoreError>) -> anyhow::Result<bool> {
    match result {
        Ok(()) => Ok(true),
        Err(persistence::StoreError::Domain(domain::DomainError::Conflict(_))) => Ok(false),
        Err(e) => Err(e).context("a demo answer"),
    }
}

/// Plays six months of activity up to `today` on `subjects` and their `records`.
pub fn seed_history(
    store: &Store,
    subjects: &[Subject],
    records: &[CreditRecord],
    today: NaiveDate,
    mut rng: fastrand::Rng,
) -> anyhow::Result<Activity> {
    let start = before(today, HISTORY_DAYS);
    let mut h = History {
        store,
        subjects,
        today,
        agenda: BTreeMap::new(),
        rng: fastrand::Rng::with_seed(rng.u64(..)),
        done: Activity::default(),
        minute: 0,
    };
    let organisations: Vec<usize> = (0..subjects.len())
        .filter(|&i| subjects[i].kind.is_organisation())
        .collect();
    let persons: Vec<usize> = (0..subjects.len())
        .filter(|&i| subjects[i].kind == SubjectKind::NaturalPerson)
        .collect();
    for plan in PLANS {
        let pool = if plan.persons {
            &persons
        } else {
            &organisations
        };
        let mut chosen: Vec<usize> = Vec::new();
        while chosen.len() < plan.count.min(pool.len()) {
            let s = *pick(&mut rng, pool);
            if !chosen.contains(&s) {
                chosen.push(s);
            }
        }
        for (k, subject) in chosen.into_iter().enumerate() {
            // The market regulator's first entries, which the objections are about, early in the
            // period, so that each objection's steps fit in it.
            let day = if plan.list_type == "market-serious-illegal" && k <= OBJECTED.len() {
                after(start, 3 * k as u64)
            } else {
                after(start, rng.u64(0..HISTORY_DAYS))
            };
            let listed_start = before(day, rng.u64(0..20));
            h.at(
                day,
                Event::List {
                    plan,
                    subject,
                    start: listed_start,
                    end: None,
                },
            );
        }
    }
    // Entries listed long ago that end inside the period: their applied measures are lifted.
    for &subject in organisations.iter().skip(100).take(8) {
        let end = after(start, rng.u64(20..HISTORY_DAYS - 10));
        h.at(
            start,
            Event::List {
                plan: &PLANS[0],
                subject,
                start: before(start, 700),
                end: Some(end),
            },
        );
    }
    // Repairs of general penalties whose minimum publicity has passed: approved, rejected, one
    // waiting past its term, one just made.
    let eligible: Vec<&CreditRecord> = records
        .iter()
        .filter(|r| {
            r.dishonesty_class == Some(DishonestyClass::General)
                && r.decision_date
                    .checked_add_months(chrono::Months::new(4))
                    .is_some_and(|d| d <= before(today, 40))
                && r.is_public_on(today)
        })
        .take(4)
        .collect();
    for (i, record) in eligible.into_iter().enumerate() {
        let (on, approve) = match i {
            0 => (after(start, 60), Some(true)),
            1 => (after(start, 110), Some(false)),
            2 => (before(today, 30), None),
            _ => (before(today, 3), None),
        };
        let earliest = record
            .decision_date
            .checked_add_months(chrono::Months::new(3))
            .unwrap_or(today);
        h.at(
            on.max(earliest).max(start),
            Event::Apply {
                record: record.clone(),
                approve,
            },
        );
    }
    for _ in 0..CHECKS {
        let day = after(start, rng.u64(0..=HISTORY_DAYS));
        h.at(day, Event::Check);
    }
    h.run(start)?;
    Ok(h.done)
}
