//! Credit repair: applications by subjects, decisions by the department that decided the listing or
//! the penalty, and the rules per list type and record kind.

use super::catalogue::{acting_department, find_list_type_by_code};
use super::changed_one;
use super::changes;
use super::lifts::{EndedMeasures, Ending, end_measures};
use super::subjects::{load_subject_by_id, require_subject};
use super::targets::{archive_version, load_entry, load_record};
use super::{Page, PageRequest, Store, new_id, now};
use crate::conn::AnyConnection;
use crate::error::{StoreError, corrupt};
use crate::rows::{CreditRecordRow, ListEntryRow, ListTypeRow};
use crate::schema::{credit_records, list_entries, list_types, repair_rules, repairs};
use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use diesel::prelude::*;
use domain::access::{self, DepartmentPrincipal, DispatchScope};
use domain::feed::{ChangeAction, ChangeTarget};
use domain::lift::LiftGround;
use domain::node::NodeKind;
use domain::objection::TargetKind;
use domain::repair::{RawRepair, RepairRule, RepairStatus};
use domain::{
    CreditRecord, CreditRecordKind, DepartmentCode, DomainError, EntryStatus, ListEntry, ListType,
    SubjectCode,
};

#[derive(Queryable, Selectable, Insertable, Clone)]
#[diesel(table_name = repairs)]
struct RepairRow {
    id: String,
    subject_id: String,
    target_kind: String,
    entry_id: Option<String>,
    record_id: Option<String>,
    owner_department: String,
    rectification: String,
    commitment: String,
    attachments: String,
    status: String,
    applied_on: NaiveDate,
    decided_by: Option<String>,
    decision_reason: Option<String>,
    decided_at: Option<NaiveDateTime>,
    created_at: NaiveDateTime,
}

/// A repair application.
#[derive(Debug, Clone)]
pub struct Repair {
    pub id: String,
    pub subject_id: String,
    pub target: TargetKind,
    pub target_id: String,
    pub owner: DepartmentCode,
    pub rectification: String,
    pub commitment: String,
    pub attachments: Vec<String>,
    pub status: RepairStatus,
    pub applied_on: NaiveDate,
    pub decided_by: Option<String>,
    pub decision_reason: Option<String>,
    pub decided_at: Option<DateTime<Utc>>,
}

impl TryFrom<RepairRow> for Repair {
    type Error = StoreError;
    fn try_from(r: RepairRow) -> Result<Self, StoreError> {
        let target = TargetKind::parse(&r.target_kind)
            .ok_or_else(|| corrupt("target kind", &r.target_kind))?;
        let target_id = match target {
            TargetKind::Entry => r.entry_id,
            TargetKind::Record => r.record_id,
        }
        .ok_or_else(|| corrupt("repair target", &r.id))?;
        Ok(Repair {
            status: RepairStatus::parse(&r.status)
                .ok_or_else(|| corrupt("repair status", &r.status))?,
            owner: DepartmentCode::parse(&r.owner_department)
                .map_err(|_| corrupt("department", &r.owner_department))?,
            attachments: r.attachments.lines().map(str::to_owned).collect(),
            id: r.id,
            subject_id: r.subject_id,
            target,
            target_id,
            rectification: r.rectification,
            commitment: r.commitment,
            applied_on: r.applied_on,
            decided_by: r.decided_by,
            decision_reason: r.decision_reason,
            decided_at: r.decided_at.map(|t| t.and_utc()),
        })
    }
}

/// What a subject may repair, and when.
#[derive(Debug, Clone)]
pub struct RepairOption {
    pub target: TargetKind,
    pub target_id: String,
    pub description: String,
    pub allowed: bool,
    pub earliest: Option<NaiveDate>,
    /// The day its publicity (or the entry) ends by itself.
    pub ends: Option<NaiveDate>,
    pub required_attachments: Vec<String>,
    /// Not repaired by application, and on what basis (the court list: the court removes it).
    pub not_by_application: Option<String>,
}

/// A repair's decision and what it ended, for the caller to tell others.
#[derive(Debug, Clone)]
pub struct RepairDecided {
    pub repair: Repair,
    /// What ending its entry did to the entry's measures.
    pub ended: EndedMeasures,
    pub subject_code: String,
}

fn rule_row(c: &mut AnyConnection, key: &str) -> Result<Option<RepairRule>, StoreError> {
    let row: Option<(bool, i32, String, i32)> = repair_rules::table
        .find(key)
        .select((
            repair_rules::allowed,
            repair_rules::min_months,
            repair_rules::required_attachments,
            repair_rules::relist_window_months,
        ))
        .first(c)
        .optional()?;
    Ok(row.map(|(allowed, min, attachments, window)| RepairRule {
        allowed,
        min_months: u32::try_from(min).unwrap_or(0),
        required_attachments: attachments
            .lines()
            .map(str::to_owned)
            .filter(|s| !s.is_empty())
            .collect(),
        relist_window_months: u32::try_from(window).unwrap_or(0),
        not_by_application: None,
    }))
}

pub(crate) fn rule_for_list(
    c: &mut AnyConnection,
    list_type: &ListType,
) -> Result<RepairRule, StoreError> {
    let stored = rule_row(c, &format!("list_type:{}", list_type.code))?;
    Ok(RepairRule::for_list(list_type, stored))
}

fn rule_for_record(c: &mut AnyConnection, record: &CreditRecord) -> Result<RepairRule, StoreError> {
    Ok(
        rule_row(c, &format!("record_kind:{}", record.kind.as_str()))?
            .unwrap_or_else(|| RepairRule::default_for_record(record)),
    )
}

fn load(c: &mut AnyConnection, id: &str) -> Result<Repair, StoreError> {
    let row = repairs::table
        .find(id)
        .select(RepairRow::as_select())
        .first(c)
        .optional()?
        .ok_or_else(|| NodeKind::Repair.not_found(id))?;
    Repair::try_from(row)
}

impl Store {
    /// A subject's own repair application (subject token). Refused at once, with the rule named,
    /// when a rule forbids it.
    pub fn apply_repair(
        &self,
        subject: &SubjectCode,
        kind: TargetKind,
        raw: &RawRepair,
        today: NaiveDate,
    ) -> Result<Repair, StoreError> {
        let (rectification, commitment, attachments) = raw.validate()?;
        self.write(|c| {
            let s = require_subject(c, subject.as_str(), "subject")?;
            let (owner, since, entry_id, record_id, rule) = match kind {
                TargetKind::Entry => {
                    let (entry, list_type) = load_entry(c, raw.target_id.trim())?
                        .filter(|(e, _)| e.subject_id == s.id)
                        .ok_or_else(|| {
                            DomainError::invalid("input.targetId", "本主体没有这条名单条目")
                        })?;
                    if entry.status_on(today) != EntryStatus::Active {
                        return Err(
                            DomainError::conflict("该名单条目已不在有效期内，无需修复").into()
                        );
                    }
                    let rule = rule_for_list(c, &list_type)?;
                    // Whoever listed it decides (谁认定、谁修复): for a list owned by a role,
                    // the court that listed.
                    (
                        entry.created_by.clone(),
                        entry.start_date,
                        Some(entry.id),
                        None,
                        rule,
                    )
                }
                TargetKind::Record => {
                    let record = load_record(c, raw.target_id.trim())?
                        .filter(|r| r.subject_id == s.id)
                        .ok_or_else(|| {
                            DomainError::invalid("input.targetId", "本主体没有这条信用记录")
                        })?;
                    if !record.is_public_on(today) {
                        return Err(
                            DomainError::conflict("该信用记录已不在公示期内，无需修复").into()
                        );
                    }
                    let rule = rule_for_record(c, &record)?;
                    (
                        record.source_department.clone(),
                        record.decision_date,
                        None,
                        Some(record.id),
                        rule,
                    )
                }
            };
            rule.check(since, today, &attachments)?;
            let pending = repairs::table
                .filter(repairs::status.eq(RepairStatus::Submitted.as_str()))
                .filter(
                    repairs::entry_id
                        .eq(&entry_id)
                        .or(repairs::record_id.eq(&record_id)),
                )
                .count()
                .get_result::<i64>(c)?;
            if pending > 0 {
                return Err(DomainError::conflict("已有一份修复申请在处理中").into());
            }
            let row = RepairRow {
                id: new_id(),
                subject_id: s.id.clone(),
                target_kind: kind.as_str().to_owned(),
                entry_id,
                record_id,
                owner_department: owner.to_string(),
                rectification,
                commitment,
                attachments: attachments.join("\n"),
                status: RepairStatus::Submitted.as_str().to_owned(),
                applied_on: today,
                decided_by: None,
                decision_reason: None,
                decided_at: None,
                created_at: now(),
            };
            diesel::insert_into(repairs::table)
                .values(&row)
                .execute(c)?;
            Repair::try_from(row)
        })
    }

    /// Approves or rejects, with reasons, by the department that decided. Approved: the entry is
    /// Repaired (its open dispatches cancelled) or the record's publicity ends today.
    pub fn decide_repair(
        &self,
        actor: &DepartmentPrincipal,
        id: &str,
        approve: bool,
        reason: &str,
        today: NaiveDate,
    ) -> Result<RepairDecided, StoreError> {
        let reason = domain::objection::reasons(reason)?;
        let calendar = self.calendar();
        self.write(|c| {
            let department = acting_department(c, actor)?;
            let repair = load(c, id)?;
            access::may_decide_repair(&department, &repair.owner)?;
            let status = repair.status.decide(approve)?;
            let subject = load_subject_by_id(c, &repair.subject_id)?;
            let mut ended = EndedMeasures::default();
            let mut repaired = None;
            if approve {
                repaired = Some(match repair.target {
                    TargetKind::Entry => {
                        let (entry, _) = load_entry(c, &repair.target_id)?
                            .ok_or_else(|| corrupt("repair entry", &repair.target_id))?;
                        let repaired = entry.repair(today)?;
                        diesel::update(list_entries::table.find(&entry.id))
                            .set((
                                list_entries::status.eq(repaired.as_str()),
                                list_entries::ended_at.eq(Some(now())),
                            ))
                            .execute(c)?;
                        ended = end_measures(
                            c,
                            std::slice::from_ref(&entry.id),
                            Ending {
                                reason: "信用修复已批准，措施解除",
                                ground: LiftGround::Ended,
                                today,
                                calendar: &calendar,
                                acknowledge_working_days: self.policy.acknowledge_working_days,
                            },
                        )?;
                        ChangeTarget::ListEntry
                    }
                    TargetKind::Record => {
                        let r = load_record(c, &repair.target_id)?
                            .ok_or_else(|| corrupt("repair record", &repair.target_id))?;
                        if !r.is_public_on(today) {
                            return Err(DomainError::conflict("该信用记录已不在公示期内").into());
                        }
                        archive_version(c, &r, None)?;
                        // Publicity ends: shown through yesterday, not from today.
                        let end = today.pred_opt().unwrap_or(today);
                        diesel::update(credit_records::table.find(&r.id))
                            .set((
                                credit_records::publicity_end.eq(Some(end)),
                                credit_records::version
                                    .eq(i32::try_from(r.version + 1).unwrap_or(i32::MAX)),
                            ))
                            .execute(c)?;
                        ChangeTarget::CreditRecord
                    }
                });
            }
            let rows = diesel::update(super::in_state!(repairs, id, repair.status.as_str()))
                .set((
                    repairs::status.eq(status.as_str()),
                    repairs::decided_by.eq(Some(department.code.to_string())),
                    repairs::decision_reason.eq(Some(&reason)),
                    repairs::decided_at.eq(Some(now())),
                ))
                .execute(c)?;
            changed_one(rows, "该修复申请")?;
            let decided = load(c, id)?;
            if let Some(target) = repaired {
                changes::append(
                    c,
                    &[changes::made(
                        target,
                        ChangeAction::Repaired,
                        &repair.target_id,
                        (&subject.id, subject.code.as_str()),
                        Some(&department.code),
                    )],
                )?;
            }
            Ok(RepairDecided {
                repair: decided,
                ended,
                subject_code: subject.code.as_str().to_owned(),
            })
        })
    }

    /// Applications a department decides; the credit office sees all. With `id`, only that one
    /// (`node(id:)`), by the same rule.
    pub fn repairs(
        &self,
        actor: &DepartmentPrincipal,
        status: Option<RepairStatus>,
        id: Option<&str>,
        page: &PageRequest,
    ) -> Result<Page<Repair>, StoreError> {
        self.read(|c| {
            let department = acting_department(c, actor)?;
            let mut q = repairs::table.select(RepairRow::as_select()).into_boxed();
            if let DispatchScope::Own(code) = access::dispatch_scope(&department) {
                q = q.filter(repairs::owner_department.eq(code.to_string()));
            }
            if let Some(s) = status {
                q = q.filter(repairs::status.eq(s.as_str()));
            }
            if let Some(id) = id {
                q = q.filter(repairs::id.eq(id.to_owned()));
            }
            if let Some(after) = &page.after {
                q = q.filter(repairs::id.gt(after.clone()));
            }
            let rows = q.order(repairs::id).limit(page.limit()).load(c)?;
            let items = rows
                .into_iter()
                .map(Repair::try_from)
                .collect::<Result<Vec<_>, _>>()?;
            Ok(Page::from_overfetch(items, page))
        })
    }

    /// What a subject may repair: for each entry in force and penalty in publicity, whether and from
    /// when it may apply, and when it ends by itself.
    pub fn repair_options(
        &self,
        code: &str,
        today: NaiveDate,
    ) -> Result<Vec<RepairOption>, StoreError> {
        self.read(|c| {
            let s = require_subject(c, code, "code")?;
            let mut out = Vec::new();
            let entries: Vec<(ListEntryRow, ListTypeRow)> = list_entries::table
                .inner_join(list_types::table)
                .filter(list_entries::subject_id.eq(&s.id))
                .select((ListEntryRow::as_select(), ListTypeRow::as_select()))
                .load(c)?;
            for (e, t) in entries {
                let (entry, list_type) = (ListEntry::try_from(e)?, ListType::try_from(t)?);
                if entry.status_on(today) != EntryStatus::Active {
                    continue;
                }
                let rule = rule_for_list(c, &list_type)?;
                out.push(RepairOption {
                    target: TargetKind::Entry,
                    target_id: entry.id.clone(),
                    description: format!("列入“{}”", list_type.name),
                    allowed: rule.allowed,
                    earliest: rule.earliest(entry.start_date),
                    ends: Some(entry.end_date),
                    required_attachments: rule.required_attachments.clone(),
                    not_by_application: rule.not_by_application.clone(),
                });
            }
            let records: Vec<CreditRecordRow> = credit_records::table
                .filter(credit_records::subject_id.eq(&s.id))
                .filter(credit_records::kind.eq(CreditRecordKind::Penalty.as_str()))
                .select(CreditRecordRow::as_select())
                .load(c)?;
            for r in records {
                let record = CreditRecord::try_from(r)?;
                if !record.is_public_on(today) {
                    continue;
                }
                let rule = rule_for_record(c, &record)?;
                out.push(RepairOption {
                    target: TargetKind::Record,
                    target_id: record.id.clone(),
                    description: format!("行政处罚 {}", record.decision_number),
                    allowed: rule.allowed,
                    earliest: rule.earliest(record.decision_date),
                    ends: record.publicity_end,
                    required_attachments: rule.required_attachments.clone(),
                    not_by_application: rule.not_by_application.clone(),
                });
            }
            Ok(out)
        })
    }

    /// Sets the repair rule of a list type or record kind (the credit office).
    pub fn set_repair_rule(
        &self,
        actor: &DepartmentPrincipal,
        list_type: Option<&str>,
        record_kind: Option<CreditRecordKind>,
        rule: &RepairRule,
    ) -> Result<(), StoreError> {
        self.write(|c| {
            let department = acting_department(c, actor)?;
            access::may_manage_catalogue(&department)?;
            let key = match (list_type, record_kind) {
                (Some(code), None) => {
                    find_list_type_by_code(c, code)?.ok_or_else(|| {
                        DomainError::invalid("input.listType", format!("名单类型 {code} 不存在"))
                    })?;
                    format!("list_type:{code}")
                }
                (None, Some(kind)) => format!("record_kind:{}", kind.as_str()),
                _ => {
                    return Err(DomainError::invalid(
                        "input.listType",
                        "请在 listType 和 recordKind 中选择一项",
                    )
                    .into());
                }
            };
            diesel::delete(repair_rules::table.find(&key)).execute(c)?;
            diesel::insert_into(repair_rules::table)
                .values((
                    repair_rules::target.eq(&key),
                    repair_rules::allowed.eq(rule.allowed),
                    repair_rules::min_months.eq(i32::try_from(rule.min_months).unwrap_or(i32::MAX)),
                    repair_rules::required_attachments.eq(rule.required_attachments.join("\n")),
                    repair_rules::relist_window_months
                        .eq(i32::try_from(rule.relist_window_months).unwrap_or(i32::MAX)),
                ))
                .execute(c)?;
            Ok(())
        })
    }
}
