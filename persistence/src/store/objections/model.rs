//! Rows, public types and the small helpers of objections.

use super::super::now;
use crate::conn::AnyConnection;
use crate::error::{OnUnique, StoreError, corrupt};
use crate::schema::{correction_notices, objection_deadlines, objection_steps, objections};
use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use domain::node::NodeKind;
use domain::objection::{
    CorrectionNotice, Deadlines, Objection, ObjectionStatus, ObjectionStep, RecordRemedy,
    TargetKind,
};
use domain::{DepartmentCode, SubjectCode};
use sha2::{Digest, Sha256};

#[derive(Queryable, Selectable, Insertable, Clone)]
#[diesel(table_name = objections)]
pub(super) struct ObjectionRow {
    pub(super) id: String,
    pub(super) receipt: String,
    pub(super) query_code_hash: String,
    pub(super) subject_id: String,
    pub(super) target_kind: String,
    pub(super) entry_id: Option<String>,
    pub(super) record_id: Option<String>,
    pub(super) owner_department: String,
    pub(super) reason: String,
    pub(super) contact: String,
    pub(super) evidence: String,
    pub(super) status: String,
    pub(super) filed_on: NaiveDate,
    pub(super) accept_by: Option<NaiveDate>,
    pub(super) decide_by: Option<NaiveDate>,
    pub(super) created_at: NaiveDateTime,
}

#[derive(Queryable, Selectable, Insertable)]
#[diesel(table_name = objection_steps)]
pub(super) struct StepRow {
    pub(super) objection_id: String,
    pub(super) seq: i32,
    pub(super) status: String,
    pub(super) actor: String,
    pub(super) note: String,
    pub(super) at: NaiveDateTime,
}

#[derive(Queryable, Selectable, Insertable)]
#[diesel(table_name = correction_notices)]
pub(super) struct NoticeRow {
    pub(super) id: String,
    pub(super) objection_id: String,
    pub(super) subject_id: String,
    pub(super) target_kind: String,
    pub(super) target_id: String,
    pub(super) title: String,
    pub(super) body: String,
    pub(super) published_at: NaiveDateTime,
}

impl TryFrom<NoticeRow> for CorrectionNotice {
    type Error = StoreError;
    fn try_from(r: NoticeRow) -> Result<Self, StoreError> {
        Ok(CorrectionNotice {
            target: TargetKind::parse(&r.target_kind)
                .ok_or_else(|| corrupt("target kind", &r.target_kind))?,
            id: r.id,
            objection_id: r.objection_id,
            subject_id: r.subject_id,
            target_id: r.target_id,
            title: r.title,
            body: r.body,
            published_at: r.published_at.and_utc(),
        })
    }
}

/// Who files an objection.
#[derive(Debug, Clone)]
pub enum Filer {
    /// Anyone, without an account.
    Public,
    /// A subject through its own token: it may object only about itself.
    Subject(SubjectCode),
}

/// A filed objection and the secret the filer follows it with (shown once, stored only hashed).
#[derive(Debug, Clone)]
pub struct Filed {
    pub objection: Objection,
    pub query_code: String,
}

/// The owning department's decision.
#[derive(Debug, Clone)]
pub enum Decision {
    Reject {
        reason: String,
    },
    Uphold {
        reason: String,
        record: Option<RecordRemedy>,
    },
}

/// What a decision did, for the caller to tell others about.
#[derive(Debug, Clone)]
pub struct Decided {
    pub objection: Objection,
    /// What revoking its entry did to the entry's measures.
    pub ended: super::super::lifts::EndedMeasures,
    pub notice: Option<CorrectionNotice>,
    pub subject_code: String,
}

#[derive(Debug, Clone, Default)]
pub struct ObjectionFilter {
    pub status: Option<ObjectionStatus>,
    pub overdue: Option<bool>,
    /// Only this objection (`node(id:)`, by the same rule as the list).
    pub id: Option<String>,
}

pub(crate) fn hash(code: &str) -> String {
    format!("{:x}", Sha256::digest(code.as_bytes()))
}

/// Random characters from a UUIDv4 (the operating system's CSPRNG), in an alphabet without 0/O/1/I.
pub(crate) fn random_code(len: usize) -> String {
    const ALPHABET: &[u8] = b"23456789ABCDEFGHJKLMNPQRSTUVWXYZ";
    let mut out = String::with_capacity(len);
    while out.len() < len {
        for b in uuid::Uuid::new_v4().as_bytes() {
            if out.len() < len {
                out.push(ALPHABET[usize::from(*b) % ALPHABET.len()] as char);
            }
        }
    }
    out
}

pub(super) fn deadline_key(target: &DeadlineTarget) -> String {
    match target {
        DeadlineTarget::ListType(code) => format!("list_type:{code}"),
        DeadlineTarget::RecordKind(kind) => format!("record_kind:{}", kind.as_str()),
    }
}

/// What a deadline rule applies to.
#[derive(Debug, Clone)]
pub enum DeadlineTarget {
    ListType(String),
    RecordKind(domain::CreditRecordKind),
}

pub(super) fn deadlines_for(
    c: &mut AnyConnection,
    target: &DeadlineTarget,
) -> Result<Deadlines, StoreError> {
    let found: Option<(i32, i32)> = objection_deadlines::table
        .find(deadline_key(target))
        .select((
            objection_deadlines::accept_working_days,
            objection_deadlines::decide_working_days,
        ))
        .first(c)
        .optional()?;
    Ok(match found {
        Some((a, d)) => Deadlines::parse(a, d)?,
        None => Deadlines::default(),
    })
}

pub(super) fn load(c: &mut AnyConnection, id: &str) -> Result<Objection, StoreError> {
    let row = objections::table
        .find(id)
        .select(ObjectionRow::as_select())
        .first(c)
        .optional()?
        .ok_or_else(|| NodeKind::Objection.not_found(id))?;
    assemble(c, row)
}

pub(super) fn assemble(c: &mut AnyConnection, r: ObjectionRow) -> Result<Objection, StoreError> {
    let steps = objection_steps::table
        .filter(objection_steps::objection_id.eq(&r.id))
        .order(objection_steps::seq)
        .select(StepRow::as_select())
        .load(c)?
        .into_iter()
        .map(|s| {
            Ok(ObjectionStep {
                status: ObjectionStatus::parse(&s.status)
                    .ok_or_else(|| corrupt("objection status", &s.status))?,
                actor: s.actor,
                note: s.note,
                at: s.at.and_utc(),
            })
        })
        .collect::<Result<Vec<_>, StoreError>>()?;
    let target =
        TargetKind::parse(&r.target_kind).ok_or_else(|| corrupt("target kind", &r.target_kind))?;
    let target_id = match target {
        TargetKind::Entry => r.entry_id,
        TargetKind::Record => r.record_id,
    }
    .ok_or_else(|| corrupt("objection target", &r.id))?;
    Ok(Objection {
        status: ObjectionStatus::parse(&r.status)
            .ok_or_else(|| corrupt("objection status", &r.status))?,
        owner: DepartmentCode::parse(&r.owner_department)
            .map_err(|_| corrupt("department", &r.owner_department))?,
        evidence: r.evidence.lines().map(str::to_owned).collect(),
        id: r.id,
        receipt: r.receipt,
        subject_id: r.subject_id,
        target,
        target_id,
        reason: r.reason,
        contact: r.contact,
        filed_on: r.filed_on,
        accept_by: r.accept_by,
        decide_by: r.decide_by,
        steps,
    })
}

pub(super) fn add_step(
    c: &mut AnyConnection,
    o: &Objection,
    status: ObjectionStatus,
    actor: &str,
    note: &str,
) -> Result<(), StoreError> {
    diesel::insert_into(objection_steps::table)
        .values(StepRow {
            objection_id: o.id.clone(),
            seq: i32::try_from(o.steps.len()).unwrap_or(i32::MAX),
            status: status.as_str().to_owned(),
            actor: actor.to_owned(),
            note: note.to_owned(),
            at: now(),
        })
        .execute(c)
        .on_unique("该异议刚被另一操作处理，请刷新后查看")?;
    Ok(())
}
