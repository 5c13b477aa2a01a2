//! Objections: filed by anyone, followed with a receipt and a secret query code, handled by the
//! department that owns the target; upheld, they revoke an entry or correct or withdraw a record,
//! cancel its dispatches and publish a correction notice.

use super::catalogue::acting_department;
use super::dispatches::cancel_open;
use super::subjects::require_subject;
use super::targets::{archive_version, load_entry, load_record};
use super::{Page, PageRequest, Store, new_id, now};
use crate::conn::AnyConnection;
use crate::error::{StoreError, corrupt};
use crate::schema::{
    correction_notices, credit_records, list_entries, objection_deadlines, objection_steps,
    objections,
};
use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use domain::access::{self, DepartmentPrincipal, DispatchScope};
use domain::dispatch::Dispatch;
use domain::objection::{
    self, CorrectionNotice, Deadlines, NewObjection, Objection, ObjectionStatus, ObjectionStep,
    RawObjection, RecordRemedy, TargetKind,
};
use domain::{CreditRecord, DepartmentCode, DomainError, SubjectCode};
use sha2::{Digest, Sha256};
use std::collections::HashSet;

#[derive(Queryable, Selectable, Insertable, Clone)]
#[diesel(table_name = objections)]
struct ObjectionRow {
    id: String,
    receipt: String,
    query_code_hash: String,
    subject_id: String,
    target_kind: String,
    entry_id: Option<String>,
    record_id: Option<String>,
    owner_department: String,
    reason: String,
    contact: String,
    evidence: String,
    status: String,
    filed_on: NaiveDate,
    accept_by: Option<NaiveDate>,
    decide_by: Option<NaiveDate>,
    created_at: NaiveDateTime,
}

#[derive(Queryable, Selectable, Insertable)]
#[diesel(table_name = objection_steps)]
struct StepRow {
    objection_id: String,
    seq: i32,
    status: String,
    actor: String,
    note: String,
    at: NaiveDateTime,
}

#[derive(Queryable, Selectable, Insertable)]
#[diesel(table_name = correction_notices)]
struct NoticeRow {
    id: String,
    objection_id: String,
    subject_id: String,
    target_kind: String,
    target_id: String,
    title: String,
    body: String,
    published_at: NaiveDateTime,
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
    pub cancelled: Vec<Dispatch>,
    pub notice: Option<CorrectionNotice>,
    pub subject_code: String,
}

#[derive(Debug, Clone, Default)]
pub struct ObjectionFilter {
    pub status: Option<ObjectionStatus>,
    pub overdue: Option<bool>,
}

fn hash(code: &str) -> String {
    format!("{:x}", Sha256::digest(code.as_bytes()))
}

/// Random characters from a UUIDv4 (the operating system's CSPRNG), in an alphabet without 0/O/1/I.
fn random_code(len: usize) -> String {
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

fn deadline_key(target: &DeadlineTarget) -> String {
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

fn deadlines_for(c: &mut AnyConnection, target: &DeadlineTarget) -> Result<Deadlines, StoreError> {
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

fn load(c: &mut AnyConnection, id: &str) -> Result<Objection, StoreError> {
    let row = objections::table
        .find(id)
        .select(ObjectionRow::as_select())
        .first(c)
        .optional()?
        .ok_or_else(|| DomainError::not_found("异议", id))?;
    assemble(c, row)
}

fn assemble(c: &mut AnyConnection, r: ObjectionRow) -> Result<Objection, StoreError> {
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

fn add_step(
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
        .execute(c)?;
    Ok(())
}

impl Store {
    /// Files an objection. The target must belong to the named subject.
    pub fn file_objection(
        &self,
        filer: &Filer,
        raw: &RawObjection,
        today: NaiveDate,
    ) -> Result<Filed, StoreError> {
        let new = NewObjection::parse(raw)?;
        let calendar = self.policy.calendar.clone();
        self.write(|c| {
            let subject = require_subject(c, &raw.subject_code, "input.subject")?;
            if let Filer::Subject(code) = filer
                && *code != subject.code
            {
                return Err(DomainError::forbidden("主体令牌只能对本主体的信息提出异议").into());
            }
            let (owner, rule, entry_id, record_id) = match new.target {
                TargetKind::Entry => {
                    let (entry, list_type) = load_entry(c, &new.target_id)?
                        .filter(|(e, _)| e.subject_id == subject.id)
                        .ok_or_else(|| {
                            DomainError::invalid("input.targetId", "该主体没有这条名单条目")
                        })?;
                    (
                        list_type.owner.clone(),
                        DeadlineTarget::ListType(list_type.code),
                        Some(entry.id),
                        None,
                    )
                }
                TargetKind::Record => {
                    let record = load_record(c, &new.target_id)?
                        .filter(|r| r.subject_id == subject.id)
                        .ok_or_else(|| {
                            DomainError::invalid("input.targetId", "该主体没有这条信用记录")
                        })?;
                    (
                        record.source_department.clone(),
                        DeadlineTarget::RecordKind(record.kind),
                        None,
                        Some(record.id),
                    )
                }
            };
            let deadlines = deadlines_for(c, &rule)?;
            let query_code = random_code(16);
            let row = ObjectionRow {
                id: new_id(),
                receipt: format!("YY{}{}", today.format("%Y%m%d"), random_code(6)),
                query_code_hash: hash(&query_code),
                subject_id: subject.id.clone(),
                target_kind: new.target.as_str().to_owned(),
                entry_id,
                record_id,
                owner_department: owner.to_string(),
                reason: new.reason.clone(),
                contact: new.contact.clone(),
                evidence: new.evidence.join("\n"),
                status: ObjectionStatus::Submitted.as_str().to_owned(),
                filed_on: today,
                accept_by: deadlines.accept_by(&calendar, today),
                decide_by: None,
                created_at: now(),
            };
            diesel::insert_into(objections::table)
                .values(&row)
                .execute(c)?;
            let objection = assemble(c, row)?;
            let actor = match filer {
                Filer::Public => "public".to_owned(),
                Filer::Subject(code) => code.public_form(),
            };
            add_step(
                c,
                &objection,
                ObjectionStatus::Submitted,
                &actor,
                &new.reason,
            )?;
            Ok(Filed {
                objection: load(c, &objection.id)?,
                query_code,
            })
        })
    }

    /// An objection, for whoever holds its receipt and query code (and only them).
    pub fn objection_by_receipt(
        &self,
        receipt: &str,
        query_code: &str,
    ) -> Result<Objection, StoreError> {
        self.objection_by_receipt_for(receipt, Some(query_code), None)
    }

    /// As [`Store::objection_by_receipt`]; a subject (by its own token) follows its own objections
    /// without the query code.
    pub fn objection_by_receipt_for(
        &self,
        receipt: &str,
        query_code: Option<&str>,
        subject: Option<&SubjectCode>,
    ) -> Result<Objection, StoreError> {
        self.read(|c| {
            let row = objections::table
                .filter(objections::receipt.eq(receipt.trim().to_uppercase()))
                .select(ObjectionRow::as_select())
                .first(c)
                .optional()?
                .ok_or_else(|| DomainError::not_found("异议回执", receipt.trim()))?;
            let by_code = query_code.is_some_and(|q| row.query_code_hash == hash(q.trim()));
            let by_subject = match subject {
                Some(code) => {
                    super::subjects::load_subject_by_id(c, &row.subject_id)?.code == *code
                }
                None => false,
            };
            if !by_code && !by_subject {
                return Err(DomainError::forbidden("查询码不正确").into());
            }
            assemble(c, row)
        })
    }

    /// Accepts an objection (受理), starting the deadline to decide.
    pub fn accept_objection(
        &self,
        actor: &DepartmentPrincipal,
        id: &str,
        note: &str,
        today: NaiveDate,
    ) -> Result<Objection, StoreError> {
        let calendar = self.policy.calendar.clone();
        self.write(|c| {
            let department = acting_department(c, actor)?;
            let o = load(c, id)?;
            access::may_handle_objection(&department, &o.owner)?;
            let status = o.status.accept()?;
            let rule = rule_of(c, &o)?;
            let decide_by = deadlines_for(c, &rule)?.decide_by(&calendar, today);
            diesel::update(objections::table.find(id))
                .set((
                    objections::status.eq(status.as_str()),
                    objections::decide_by.eq(decide_by),
                ))
                .execute(c)?;
            add_step(c, &o, status, department.code.as_str(), note.trim())?;
            load(c, id)
        })
    }

    /// Refuses to accept an objection (不予受理), with reasons.
    pub fn refuse_objection(
        &self,
        actor: &DepartmentPrincipal,
        id: &str,
        reason: &str,
    ) -> Result<Objection, StoreError> {
        let reason = objection::reasons(reason)?;
        self.write(|c| {
            let department = acting_department(c, actor)?;
            let o = load(c, id)?;
            access::may_handle_objection(&department, &o.owner)?;
            let status = o.status.refuse()?;
            diesel::update(objections::table.find(id))
                .set(objections::status.eq(status.as_str()))
                .execute(c)?;
            add_step(c, &o, status, department.code.as_str(), &reason)?;
            load(c, id)
        })
    }

    /// Upholds or rejects an accepted objection. Upheld: the entry is revoked (its open dispatches
    /// cancelled) or the record corrected or withdrawn, and a correction notice is published.
    pub fn decide_objection(
        &self,
        actor: &DepartmentPrincipal,
        id: &str,
        decision: &Decision,
        today: NaiveDate,
    ) -> Result<Decided, StoreError> {
        let reason = match decision {
            Decision::Reject { reason } | Decision::Uphold { reason, .. } => {
                objection::reasons(reason)?
            }
        };
        self.write(|c| {
            let department = acting_department(c, actor)?;
            let o = load(c, id)?;
            access::may_handle_objection(&department, &o.owner)?;
            let upheld = matches!(decision, Decision::Uphold { .. });
            let status = o.status.decide(upheld)?;
            diesel::update(objections::table.find(id))
                .set(objections::status.eq(status.as_str()))
                .execute(c)?;
            add_step(c, &o, status, department.code.as_str(), &reason)?;
            let subject = super::subjects::load_subject_by_id(c, &o.subject_id)?;
            let mut cancelled = Vec::new();
            let mut notice = None;
            if let Decision::Uphold { record, .. } = decision {
                let (target, remedy) = match o.target {
                    TargetKind::Entry => {
                        let (entry, list_type) = load_entry(c, &o.target_id)?
                            .ok_or_else(|| corrupt("objection entry", &o.target_id))?;
                        let revoked = entry.revoke_wrongful()?;
                        diesel::update(list_entries::table.find(&entry.id))
                            .set((
                                list_entries::status.eq(revoked.as_str()),
                                list_entries::revocation_reason
                                    .eq(Some(format!("异议成立：{reason}"))),
                                list_entries::ended_at.eq(Some(now())),
                            ))
                            .execute(c)?;
                        cancelled = cancel_open(
                            c,
                            std::slice::from_ref(&entry.id),
                            "异议成立，名单条目已撤销，措施解除",
                        )?;
                        (
                            format!("列入“{}”名单", list_type.name),
                            "撤销该名单条目并解除相关措施".to_owned(),
                        )
                    }
                    TargetKind::Record => {
                        let r = load_record(c, &o.target_id)?
                            .ok_or_else(|| corrupt("objection record", &o.target_id))?;
                        let remedy = apply_record_remedy(
                            c,
                            &r,
                            record.as_ref().unwrap_or(&RecordRemedy::Withdraw),
                            &o.id,
                        )?;
                        (format!("信用记录（{}）", r.decision_number), remedy)
                    }
                };
                let (title, body) =
                    objection::notice_text(&subject.name, &target, &remedy, &reason, today);
                let row = NoticeRow {
                    id: new_id(),
                    objection_id: o.id.clone(),
                    subject_id: o.subject_id.clone(),
                    target_kind: o.target.as_str().to_owned(),
                    target_id: o.target_id.clone(),
                    title,
                    body,
                    published_at: now(),
                };
                diesel::insert_into(correction_notices::table)
                    .values(&row)
                    .execute(c)?;
                notice = Some(CorrectionNotice::try_from(row)?);
            }
            Ok(Decided {
                objection: load(c, id)?,
                cancelled,
                notice,
                subject_code: subject.code.as_str().to_owned(),
            })
        })
    }

    /// Objections a department handles; the credit office sees all (and so the overdue ones).
    pub fn objections(
        &self,
        actor: &DepartmentPrincipal,
        filter: &ObjectionFilter,
        today: NaiveDate,
        page: &PageRequest,
    ) -> Result<Page<Objection>, StoreError> {
        self.read(|c| {
            let department = acting_department(c, actor)?;
            let mut q = objections::table
                .select(ObjectionRow::as_select())
                .into_boxed();
            if let DispatchScope::Own(code) = access::dispatch_scope(&department) {
                q = q.filter(objections::owner_department.eq(code.to_string()));
            }
            if let Some(s) = filter.status {
                q = q.filter(objections::status.eq(s.as_str()));
            }
            // The same rule as Objection::is_overdue, in SQL.
            let submitted = ObjectionStatus::Submitted.as_str();
            let accepted = ObjectionStatus::Accepted.as_str();
            match filter.overdue {
                Some(true) => {
                    q = q.filter(
                        objections::status
                            .eq(submitted)
                            .and(objections::accept_by.lt(today))
                            .or(objections::status
                                .eq(accepted)
                                .and(objections::decide_by.lt(today))),
                    )
                }
                Some(false) => {
                    q = q
                        .filter(
                            objections::status
                                .ne(submitted)
                                .or(objections::accept_by.is_null())
                                .or(objections::accept_by.ge(today)),
                        )
                        .filter(
                            objections::status
                                .ne(accepted)
                                .or(objections::decide_by.is_null())
                                .or(objections::decide_by.ge(today)),
                        )
                }
                None => {}
            }
            if let Some(after) = &page.after {
                q = q.filter(objections::id.gt(after.clone()));
            }
            let rows = q.order(objections::id).limit(page.limit()).load(c)?;
            let items = rows
                .into_iter()
                .map(|row| assemble(c, row))
                .collect::<Result<Vec<_>, _>>()?;
            Ok(Page::from_overfetch(items, page))
        })
    }

    /// Which of these entries and records have an objection pending (异议处理中).
    pub fn pending_objection_targets(&self, ids: &[String]) -> Result<HashSet<String>, StoreError> {
        if ids.is_empty() {
            return Ok(HashSet::new());
        }
        self.read(|c| {
            let pending: Vec<&str> = ObjectionStatus::ALL
                .iter()
                .filter(|s| s.is_pending())
                .map(|s| s.as_str())
                .collect();
            let rows: Vec<(Option<String>, Option<String>)> = objections::table
                .filter(objections::status.eq_any(&pending))
                .filter(
                    objections::entry_id
                        .eq_any(ids)
                        .or(objections::record_id.eq_any(ids)),
                )
                .select((objections::entry_id, objections::record_id))
                .load(c)?;
            Ok(rows
                .into_iter()
                .flat_map(|(e, r)| e.into_iter().chain(r))
                .collect())
        })
    }

    /// Correction notices, newest last, of one subject or all.
    pub fn corrections(
        &self,
        subject_id: Option<&str>,
        page: &PageRequest,
    ) -> Result<Page<CorrectionNotice>, StoreError> {
        self.read(|c| {
            let mut q = correction_notices::table
                .select(NoticeRow::as_select())
                .into_boxed();
            if let Some(s) = subject_id {
                q = q.filter(correction_notices::subject_id.eq(s.to_owned()));
            }
            if let Some(after) = &page.after {
                q = q.filter(correction_notices::id.gt(after.clone()));
            }
            let rows = q
                .order(correction_notices::id)
                .limit(page.limit())
                .load(c)?;
            let items = rows
                .into_iter()
                .map(CorrectionNotice::try_from)
                .collect::<Result<Vec<_>, _>>()?;
            Ok(Page::from_overfetch(items, page))
        })
    }

    /// Sets the objection deadlines of a list type or record kind (the credit office).
    pub fn set_objection_deadlines(
        &self,
        actor: &DepartmentPrincipal,
        target: &DeadlineTarget,
        deadlines: Deadlines,
    ) -> Result<(), StoreError> {
        self.write(|c| {
            let department = acting_department(c, actor)?;
            access::may_manage_catalogue(&department)?;
            if let DeadlineTarget::ListType(code) = target
                && super::catalogue::find_list_type_by_code(c, code)?.is_none()
            {
                return Err(DomainError::invalid(
                    "input.listType",
                    format!("名单类型 {code} 不存在"),
                )
                .into());
            }
            let key = deadline_key(target);
            diesel::delete(objection_deadlines::table.find(&key)).execute(c)?;
            diesel::insert_into(objection_deadlines::table)
                .values((
                    objection_deadlines::target.eq(&key),
                    objection_deadlines::accept_working_days
                        .eq(i32::try_from(deadlines.accept_working_days).unwrap_or(i32::MAX)),
                    objection_deadlines::decide_working_days
                        .eq(i32::try_from(deadlines.decide_working_days).unwrap_or(i32::MAX)),
                ))
                .execute(c)?;
            Ok(())
        })
    }
}

fn rule_of(c: &mut AnyConnection, o: &Objection) -> Result<DeadlineTarget, StoreError> {
    Ok(match o.target {
        TargetKind::Entry => {
            let (_, t) = load_entry(c, &o.target_id)?
                .ok_or_else(|| corrupt("objection entry", &o.target_id))?;
            DeadlineTarget::ListType(t.code)
        }
        TargetKind::Record => {
            let r = load_record(c, &o.target_id)?
                .ok_or_else(|| corrupt("objection record", &o.target_id))?;
            DeadlineTarget::RecordKind(r.kind)
        }
    })
}

/// Withdraws or corrects a record, keeping its old version; returns what was done, for the notice.
fn apply_record_remedy(
    c: &mut AnyConnection,
    r: &CreditRecord,
    remedy: &RecordRemedy,
    objection_id: &str,
) -> Result<String, StoreError> {
    match remedy {
        RecordRemedy::Withdraw => {
            if r.withdrawn_at.is_some() {
                return Err(DomainError::conflict("该信用记录已经撤回").into());
            }
            diesel::update(credit_records::table.find(&r.id))
                .set(credit_records::withdrawn_at.eq(Some(now())))
                .execute(c)?;
            Ok("撤回该信用记录".to_owned())
        }
        RecordRemedy::Correct {
            title,
            content,
            legal_basis,
        } => {
            archive_version(c, r, Some(objection_id))?;
            diesel::update(credit_records::table.find(&r.id))
                .set((
                    credit_records::title.eq(title.clone().unwrap_or_else(|| r.title.clone())),
                    credit_records::content
                        .eq(content.clone().unwrap_or_else(|| r.content.clone())),
                    credit_records::legal_basis
                        .eq(legal_basis.clone().unwrap_or_else(|| r.legal_basis.clone())),
                    credit_records::version.eq(i32::try_from(r.version + 1).unwrap_or(i32::MAX)),
                ))
                .execute(c)?;
            Ok("更正该信用记录（原记录留档）".to_owned())
        }
    }
}
