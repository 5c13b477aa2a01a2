//! Typical cases: put forward by the department that applied a measure, published by the credit
//! office; publication goes into the change feed in the same transaction.

use super::catalogue::{acting_credit_office, acting_department};
use super::changed_one;
use super::changes;
use super::newest_first;
use super::subjects::load_subject_by_id;
use super::{Page, PageRequest, Store, new_id, now};
use crate::conn::AnyConnection;
use crate::error::{OnUnique, StoreError, corrupt};
use crate::rows_joint::DispatchRow;
use crate::schema::{dispatches, list_entries, measures, subjects, typical_cases};
use chrono::NaiveDateTime;
use diesel::prelude::*;
use domain::access::DepartmentPrincipal;
use domain::dispatch::Dispatch;
use domain::feed::{ChangeAction, ChangeTarget};
use domain::memorandum::MeasureKind;
use domain::node::NodeKind;
use domain::typical_case::{self, CaseStatus, TypicalCase};
use domain::{DepartmentCode, DomainError, EntryStatus};

#[derive(Queryable, Selectable, Insertable)]
#[diesel(table_name = typical_cases, treat_none_as_default_value = false)]
struct CaseRow {
    id: String,
    dispatch_id: String,
    department: String,
    subject_id: String,
    kind: String,
    title: String,
    summary: String,
    status: String,
    proposed_at: NaiveDateTime,
    decided_at: Option<NaiveDateTime>,
    decision_note: Option<String>,
    withdrawn_at: Option<NaiveDateTime>,
}

impl TryFrom<CaseRow> for TypicalCase {
    type Error = StoreError;
    fn try_from(r: CaseRow) -> Result<Self, StoreError> {
        let bad = |what: &str| StoreError::Internal(format!("typical case {}: bad {what}", r.id));
        Ok(TypicalCase {
            department: DepartmentCode::parse(&r.department).map_err(|_| bad("department"))?,
            kind: MeasureKind::parse(&r.kind).ok_or_else(|| bad("kind"))?,
            status: CaseStatus::parse(&r.status).ok_or_else(|| bad("status"))?,
            proposed_at: r.proposed_at.and_utc(),
            decided_at: r.decided_at.map(|t| t.and_utc()),
            withdrawn_at: r.withdrawn_at.map(|t| t.and_utc()),
            id: r.id,
            dispatch_id: r.dispatch_id,
            subject_id: r.subject_id,
            title: r.title,
            summary: r.summary,
            decision_note: r.decision_note,
        })
    }
}

/// Withdraws the cases built on measures of these entries, revoked as wrongful: published ones
/// come down (and the feed says so), proposed ones can no longer be published. In the revoking
/// command's transaction.
pub(crate) fn withdraw_cases_of(
    c: &mut AnyConnection,
    entry_ids: &[String],
) -> Result<usize, StoreError> {
    let statuses: Vec<&str> = CaseStatus::WITHDRAWABLE
        .iter()
        .map(|s| s.as_str())
        .collect();
    let mut withdrawn = 0;
    for chunk in entry_ids.chunks(1_000) {
        let of_entries = dispatches::table
            .filter(dispatches::entry_id.eq_any(chunk))
            .select(dispatches::id);
        let found: Vec<(String, String, String, String)> = typical_cases::table
            .inner_join(subjects::table.on(subjects::id.eq(typical_cases::subject_id)))
            .filter(typical_cases::dispatch_id.eq_any(of_entries))
            .filter(typical_cases::status.eq_any(&statuses))
            .select((
                typical_cases::id,
                typical_cases::status,
                subjects::id,
                subjects::code,
            ))
            .load(c)?;
        if found.is_empty() {
            continue;
        }
        let ids: Vec<&str> = found.iter().map(|(id, ..)| id.as_str()).collect();
        withdrawn += diesel::update(typical_cases::table.filter(typical_cases::id.eq_any(&ids)))
            .set((
                typical_cases::status.eq(CaseStatus::Withdrawn.as_str()),
                typical_cases::withdrawn_at.eq(Some(now())),
            ))
            .execute(c)?;
        let feed: Vec<_> = found
            .iter()
            .filter(|(_, status, ..)| status == CaseStatus::Approved.as_str())
            .map(|(id, _, subject_id, code)| {
                changes::made(
                    ChangeTarget::TypicalCase,
                    ChangeAction::Revoked,
                    id,
                    (subject_id, code),
                    None,
                )
            })
            .collect();
        changes::append(c, &feed)?;
    }
    Ok(withdrawn)
}

/// Who sees cases not yet published.
const HIDDEN: &str = "未发布的典型案例只向信用办开放";

fn case_row(c: &mut AnyConnection, id: &str) -> Result<CaseRow, StoreError> {
    typical_cases::table
        .find(id)
        .select(CaseRow::as_select())
        .first(c)
        .optional()?
        .ok_or_else(|| NodeKind::TypicalCase.not_found(id).into())
}

impl Store {
    /// The department that applied a measure puts it forward as a typical case: not on a revoked
    /// entry, and a reward case not while a black list binds the subject.
    pub fn propose_typical_case(
        &self,
        actor: &DepartmentPrincipal,
        dispatch_id: &str,
        title: &str,
        summary: &str,
        today: chrono::NaiveDate,
    ) -> Result<TypicalCase, StoreError> {
        let (title, summary) = typical_case::texts(title, summary)?;
        self.write(|c| {
            let department = acting_department(c, actor)?;
            let found: Option<(DispatchRow, String, String, String)> = dispatches::table
                .inner_join(measures::table)
                .inner_join(list_entries::table)
                .filter(dispatches::id.eq(dispatch_id))
                .select((
                    DispatchRow::as_select(),
                    measures::kind,
                    list_entries::subject_id,
                    list_entries::status,
                ))
                .first(c)
                .optional()?;
            let (row, kind, subject_id, entry_status) =
                found.ok_or_else(|| NodeKind::Dispatch.not_found(dispatch_id))?;
            let dispatch = Dispatch::try_from(row)?;
            let entry_status = EntryStatus::parse(&entry_status)
                .ok_or_else(|| corrupt("entry status", &entry_status))?;
            typical_case::may_propose(&department, &dispatch, entry_status)?;
            if kind == MeasureKind::Reward.as_str() {
                let black =
                    super::rewards::black_in_force(c, std::slice::from_ref(&subject_id), today)?;
                domain::reward::refuse_while_black(
                    domain::reward::RewardAct::RewardCase,
                    black.get(&subject_id),
                )?;
            }
            let row = CaseRow {
                id: new_id(),
                dispatch_id: dispatch.id,
                department: department.code.to_string(),
                subject_id,
                kind,
                title: title.clone(),
                summary: summary.clone(),
                status: CaseStatus::Proposed.as_str().to_owned(),
                proposed_at: now(),
                decided_at: None,
                decision_note: None,
                withdrawn_at: None,
            };
            diesel::insert_into(typical_cases::table)
                .values(&row)
                .execute(c)
                .on_unique("该措施已报为典型案例")?;
            TypicalCase::try_from(row)
        })
    }

    /// The credit office publishes or rejects a proposed case; publication enters the feed.
    pub fn decide_typical_case(
        &self,
        actor: &DepartmentPrincipal,
        id: &str,
        approve: bool,
        note: Option<&str>,
    ) -> Result<TypicalCase, StoreError> {
        let note = typical_case::decision_note(approve, note)?;
        self.write(|c| {
            let department = acting_credit_office(c, actor, "只有信用办可以审核典型案例")?;
            let found = TypicalCase::try_from(case_row(c, id)?)?;
            let status = found.status.decide(approve)?;
            let at = now();
            let rows = diesel::update(super::in_state!(typical_cases, id, found.status.as_str()))
                .set((
                    typical_cases::status.eq(status.as_str()),
                    typical_cases::decided_at.eq(Some(at)),
                    typical_cases::decision_note.eq(&note),
                ))
                .execute(c)?;
            changed_one(rows, "该典型案例")?;
            if status == CaseStatus::Approved {
                let subject = load_subject_by_id(c, &found.subject_id)?;
                changes::append(
                    c,
                    &[changes::made(
                        ChangeTarget::TypicalCase,
                        ChangeAction::Created,
                        &found.id,
                        (&subject.id, subject.code.as_str()),
                        Some(&department.code),
                    )],
                )?;
            }
            Ok(TypicalCase {
                status,
                decided_at: Some(at.and_utc()),
                decision_note: note,
                ..found
            })
        })
    }

    /// Typical cases in a status, newest first. Approved ones are public; the others only the
    /// credit office sees.
    pub fn typical_cases(
        &self,
        actor: Option<&DepartmentPrincipal>,
        status: CaseStatus,
        page: &PageRequest,
    ) -> Result<Page<TypicalCase>, StoreError> {
        self.read(|c| {
            if status != CaseStatus::Approved {
                let actor = actor.ok_or_else(|| DomainError::forbidden(HIDDEN))?;
                acting_credit_office(c, actor, HIDDEN)?;
            }
            let q = typical_cases::table
                .filter(typical_cases::status.eq(status.as_str()))
                .select(CaseRow::as_select())
                .into_boxed();
            let rows = newest_first!(c, q, typical_cases::id, page)?;
            let items = rows
                .into_iter()
                .map(TypicalCase::try_from)
                .collect::<Result<Vec<_>, _>>()?;
            Ok(Page::from_overfetch(items, page))
        })
    }

    /// One case as `actor` may see it (`node(id:)`): a published one for anyone, the others for
    /// the credit office only, as [`Store::typical_cases`] lists them; none when hidden.
    pub fn typical_case_for(
        &self,
        actor: Option<&DepartmentPrincipal>,
        id: &str,
    ) -> Result<Option<TypicalCase>, StoreError> {
        self.read(|c| {
            let Some(row) = typical_cases::table
                .find(id)
                .select(CaseRow::as_select())
                .first(c)
                .optional()?
            else {
                return Ok(None);
            };
            let case = TypicalCase::try_from(row)?;
            let visible = case.status == CaseStatus::Approved
                || actor.is_some_and(|a| acting_credit_office(c, a, HIDDEN).is_ok());
            Ok(visible.then_some(case))
        })
    }

    /// Cases by id (for `xinyong export`).
    pub fn typical_cases_by_ids(&self, ids: &[String]) -> Result<Vec<TypicalCase>, StoreError> {
        self.read(|c| {
            let mut out = Vec::new();
            for chunk in ids.chunks(1_000) {
                for r in typical_cases::table
                    .filter(typical_cases::id.eq_any(chunk))
                    .select(CaseRow::as_select())
                    .load(c)?
                {
                    out.push(TypicalCase::try_from(r)?);
                }
            }
            Ok(out)
        })
    }
}
