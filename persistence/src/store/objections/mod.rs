//! Objections: filed by anyone, followed with a receipt and a secret query code, handled by the
//! department that owns the target; upheld, they revoke an entry or correct or withdraw a record,
//! cancel its dispatches and publish a correction notice.

mod model;
mod pending;
mod queries;

use model::*;
pub use model::{DeadlineTarget, Decided, Decision, Filed, Filer, ObjectionFilter};
pub(crate) use model::{hash, random_code};
pub(crate) use pending::fill_pending;

use super::catalogue::acting_department;
use super::changes;
use super::lifts::{EndedMeasures, Ending, end_measures};
use super::subjects::require_subject;
use super::targets::{archive_version, load_entry, load_record};
use super::{Store, changed_one, new_id, now};
use crate::conn::AnyConnection;
use crate::error::{StoreError, corrupt};
use crate::schema::{correction_notices, credit_records, list_entries, objections};
use chrono::NaiveDate;
use diesel::prelude::*;
use domain::access::{self, DepartmentPrincipal};
use domain::feed::{ChangeAction, ChangeTarget};
use domain::lift::LiftGround;
use domain::objection::{
    self, CorrectionNotice, NewObjection, Objection, ObjectionStatus, RawObjection, RecordRemedy,
    TargetKind,
};
use domain::{CreditRecord, DomainError, SubjectCode};

impl Store {
    /// Files an objection. The target must belong to the named subject.
    pub fn file_objection(
        &self,
        filer: &Filer,
        raw: &RawObjection,
        today: NaiveDate,
    ) -> Result<Filed, StoreError> {
        let new = NewObjection::parse(raw)?;
        let calendar = self.calendar();
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
                        entry.created_by.clone(),
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
        let calendar = self.calendar();
        self.write(|c| {
            let department = acting_department(c, actor)?;
            let o = load(c, id)?;
            access::may_handle_objection(&department, &o.owner)?;
            let status = o.status.accept()?;
            let rule = rule_of(c, &o)?;
            let decide_by = deadlines_for(c, &rule)?.decide_by(&calendar, today);
            let rows = diesel::update(super::in_state!(objections, id, o.status.as_str()))
                .set((
                    objections::status.eq(status.as_str()),
                    objections::decide_by.eq(decide_by),
                ))
                .execute(c)?;
            changed_one(rows, "该异议")?;
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
            let rows = diesel::update(super::in_state!(objections, id, o.status.as_str()))
                .set(objections::status.eq(status.as_str()))
                .execute(c)?;
            changed_one(rows, "该异议")?;
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
        let calendar = self.calendar();
        self.write(|c| {
            let department = acting_department(c, actor)?;
            let o = load(c, id)?;
            access::may_handle_objection(&department, &o.owner)?;
            let upheld = matches!(decision, Decision::Uphold { .. });
            let status = o.status.decide(upheld)?;
            let rows = diesel::update(super::in_state!(objections, id, o.status.as_str()))
                .set(objections::status.eq(status.as_str()))
                .execute(c)?;
            changed_one(rows, "该异议")?;
            add_step(c, &o, status, department.code.as_str(), &reason)?;
            let subject = super::subjects::load_subject_by_id(c, &o.subject_id)?;
            let mut ended = EndedMeasures::default();
            let mut notice = None;
            if let Decision::Uphold { record, .. } = decision {
                let (target, remedy, action) = match o.target {
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
                        ended = end_measures(
                            c,
                            std::slice::from_ref(&entry.id),
                            Ending {
                                reason: "异议成立，名单条目已撤销，措施解除",
                                ground: LiftGround::Wrongful,
                                today,
                                calendar: &calendar,
                                acknowledge_working_days: self.policy.acknowledge_working_days,
                            },
                        )?;
                        (
                            format!("列入“{}”名单", list_type.name),
                            "撤销该名单条目并解除相关措施".to_owned(),
                            (ChangeTarget::ListEntry, ChangeAction::Revoked),
                        )
                    }
                    TargetKind::Record => {
                        let r = load_record(c, &o.target_id)?
                            .ok_or_else(|| corrupt("objection record", &o.target_id))?;
                        let chosen = record.as_ref().unwrap_or(&RecordRemedy::Withdraw);
                        let action = match chosen {
                            RecordRemedy::Withdraw => ChangeAction::Revoked,
                            RecordRemedy::Correct { .. } => ChangeAction::Amended,
                        };
                        let remedy = apply_record_remedy(c, &r, chosen, &o.id)?;
                        (
                            format!("信用记录（{}）", r.decision_number),
                            remedy,
                            (ChangeTarget::CreditRecord, action),
                        )
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
                changes::append(
                    c,
                    &[changes::made(
                        action.0,
                        action.1,
                        &o.target_id,
                        (&subject.id, subject.code.as_str()),
                        Some(&department.code),
                    )],
                )?;
            }
            Ok(Decided {
                objection: load(c, id)?,
                ended,
                notice,
                subject_code: subject.code.as_str().to_owned(),
            })
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
