//! Dispatches: made with a listing, answered by their departments, cancelled when the entry ends.

use super::catalogue::acting_department;
use super::changed_one;
use super::memoranda::current_memoranda;
use super::webhooks;
use super::{Page, PageRequest, Policy, Store, new_id, now};
use crate::conn::AnyConnection;
use crate::error::{OnUnique, StoreError};
use crate::rows::{DepartmentRow, convert};
use crate::rows_joint::{DispatchRow, FeedbackRow, outcome_str};
use crate::schema::{departments, dispatches, feedback, lifts, list_entries};
use chrono::NaiveDate;
use diesel::prelude::*;
use domain::access::{self, DepartmentPrincipal, DispatchScope};
use domain::dispatch::{self, Dispatch, DispatchStatus, Feedback, RawFeedback};
use domain::memorandum::plan_dispatches;
use domain::node::NodeKind;
use domain::webhook::WebhookEvent;
use domain::{Department, DomainError, ListEntry, ListType, Subject};

#[derive(Debug, Clone, Default)]
pub struct DispatchFilter {
    pub status: Option<DispatchStatus>,
    /// Only pending dispatches past their acknowledgement deadline (or only those that are not).
    pub overdue: Option<bool>,
    pub entry_id: Option<String>,
    /// Only this dispatch (`node(id:)`, by the same rule as the list).
    pub id: Option<String>,
}

/// A dispatch with its feedback, if answered.
#[derive(Debug, Clone)]
pub struct DispatchView {
    pub dispatch: Dispatch,
    pub feedback: Option<Feedback>,
}

type BoxedDispatches<'a> = dispatches::BoxedQuery<'a, <AnyConnection as Connection>::Backend>;

impl Store {
    /// The dispatches a department may see: its inbox and those of its own entries; the credit
    /// office sees all.
    pub fn dispatches(
        &self,
        actor: &DepartmentPrincipal,
        filter: &DispatchFilter,
        today: NaiveDate,
        page: &PageRequest,
    ) -> Result<Page<Dispatch>, StoreError> {
        self.read(|c| {
            let department = acting_department(c, actor)?;
            let mut q: BoxedDispatches<'_> = dispatches::table.into_boxed();
            if let DispatchScope::Own(code) = access::dispatch_scope(&department) {
                let own_entries = list_entries::table
                    .filter(list_entries::created_by.eq(code.to_string()))
                    .select(list_entries::id);
                q = q.filter(
                    dispatches::department_code
                        .eq(code.to_string())
                        .or(dispatches::entry_id.eq_any(own_entries)),
                );
            }
            if let Some(s) = filter.status {
                q = q.filter(dispatches::status.eq(s.as_str()));
            }
            if let Some(e) = &filter.entry_id {
                q = q.filter(dispatches::entry_id.eq(e.clone()));
            }
            if let Some(id) = &filter.id {
                q = q.filter(dispatches::id.eq(id.clone()));
            }
            // The same rules as Dispatch::is_overdue and Lift::is_overdue, in SQL: pending past
            // the acknowledgement deadline, or a lift unconfirmed past its own.
            let pending = DispatchStatus::Pending.as_str();
            let late_lifts = lifts::table
                .filter(lifts::confirmed_at.is_null())
                .filter(lifts::lift_by.lt(today))
                .select(lifts::dispatch_id);
            // Never NULL (a deadline not known yet is not overdue), so that NOT reads rightly.
            let late_ack = dispatches::status
                .eq(pending)
                .and(dispatches::acknowledge_by.is_not_null())
                .and(dispatches::acknowledge_by.lt(today));
            let late_lift = dispatches::status
                .eq(DispatchStatus::LiftRequested.as_str())
                .and(dispatches::id.eq_any(late_lifts));
            match filter.overdue {
                Some(true) => q = q.filter(late_ack.or(late_lift)),
                Some(false) => q = q.filter(diesel::dsl::not(late_ack.or(late_lift))),
                None => {}
            }
            if let Some(after) = &page.after {
                q = q.filter(dispatches::id.gt(after.clone()));
            }
            let rows = q
                .select(DispatchRow::as_select())
                .order(dispatches::id)
                .limit(page.limit())
                .load(c)?;
            Ok(Page::from_overfetch(convert(rows)?, page))
        })
    }

    pub fn acknowledge_dispatch(
        &self,
        actor: &DepartmentPrincipal,
        id: &str,
    ) -> Result<Dispatch, StoreError> {
        self.write(|c| {
            let department = acting_department(c, actor)?;
            let d = load(c, id)?;
            access::may_handle_dispatch(&department, &d.department)?;
            let status = d.status.acknowledge()?;
            let at = now();
            let rows = diesel::update(super::in_state!(dispatches, id, d.status.as_str()))
                .set((
                    dispatches::status.eq(status.as_str()),
                    dispatches::acknowledged_at.eq(Some(at)),
                ))
                .execute(c)?;
            changed_one(rows, "该推送")?;
            Ok(Dispatch {
                status,
                acknowledged_at: Some(at.and_utc()),
                ..d
            })
        })
    }

    /// Records what the department did (联合奖惩案例). A second answer is a conflict.
    pub fn record_feedback(
        &self,
        actor: &DepartmentPrincipal,
        id: &str,
        raw: &RawFeedback,
        today: NaiveDate,
    ) -> Result<DispatchView, StoreError> {
        let (business, note) = raw.validate()?;
        self.write(|c| {
            let department = acting_department(c, actor)?;
            let d = load(c, id)?;
            access::may_handle_dispatch(&department, &d.department)?;
            let status = d.status.answer(raw.outcome)?;
            let at = now();
            let row = FeedbackRow {
                dispatch_id: d.id.clone(),
                outcome: outcome_str(raw.outcome).to_owned(),
                business,
                note,
                recorded_by: department.code.to_string(),
                recorded_at: at,
            };
            diesel::insert_into(feedback::table)
                .values(&row)
                .execute(c)
                .on_unique("该推送已反馈，不能重复反馈")?;
            let acknowledged_at = d.acknowledged_at.map(|t| t.naive_utc()).unwrap_or(at);
            let rows = diesel::update(super::in_state!(dispatches, id, d.status.as_str()))
                .set((
                    dispatches::status.eq(status.as_str()),
                    dispatches::acknowledged_at.eq(Some(acknowledged_at)),
                    dispatches::answered_at.eq(Some(at)),
                    dispatches::answered_on.eq(Some(today)),
                ))
                .execute(c)?;
            changed_one(rows, "该推送")?;
            let dispatch = Dispatch {
                status,
                acknowledged_at: Some(acknowledged_at.and_utc()),
                answered_at: Some(at.and_utc()),
                ..d
            };
            Ok(DispatchView {
                dispatch,
                feedback: Some(Feedback::try_from(row)?),
            })
        })
    }

    pub fn feedback_for(&self, dispatch_ids: &[String]) -> Result<Vec<Feedback>, StoreError> {
        if dispatch_ids.is_empty() {
            return Ok(Vec::new());
        }
        self.read(|c| {
            let rows = feedback::table
                .filter(feedback::dispatch_id.eq_any(dispatch_ids))
                .select(FeedbackRow::as_select())
                .load(c)?;
            convert(rows)
        })
    }
}

pub(crate) fn load(c: &mut AnyConnection, id: &str) -> Result<Dispatch, StoreError> {
    let row = dispatches::table
        .find(id)
        .select(DispatchRow::as_select())
        .first(c)
        .optional()?
        .ok_or_else(|| NodeKind::Dispatch.not_found(id))?;
    Dispatch::try_from(row)
}

/// A dispatch's feedback, once recorded.
pub(crate) fn feedback_of(c: &mut AnyConnection, id: &str) -> Result<Option<Feedback>, StoreError> {
    feedback::table
        .find(id)
        .select(FeedbackRow::as_select())
        .first(c)
        .optional()?
        .map(Feedback::try_from)
        .transpose()
}

/// The dispatch rows a new entry calls for, and the memorandum versions it falls under.
pub(crate) fn plan_rows(
    policy: &Policy,
    catalogue: &ListingCatalogue,
    entry: &ListEntry,
    list_type: &ListType,
    subject: &Subject,
    today: NaiveDate,
) -> (Vec<String>, Vec<DispatchRow>) {
    let memoranda = &catalogue.memoranda;
    let versions: Vec<String> = memoranda
        .iter()
        .filter(|m| m.applies_to(list_type, today))
        .map(|m| m.version_id.clone())
        .collect();
    if versions.is_empty() {
        return (versions, Vec::new());
    }
    let plan = plan_dispatches(memoranda, list_type, subject, &catalogue.departments, today);
    let made = now();
    let acknowledge_by = dispatch::acknowledge_by(
        &policy.calendar.current(),
        today,
        policy.acknowledge_working_days,
    );
    let rows = plan
        .iter()
        .map(|p| DispatchRow {
            id: new_id(),
            entry_id: entry.id.clone(),
            measure_id: p.measure.id.clone(),
            version_id: p.memorandum.version_id.clone(),
            department_code: p.department.code.to_string(),
            status: DispatchStatus::Pending.as_str().to_owned(),
            created_at: made,
            created_on: today,
            acknowledge_by,
            feedback_due: dispatch::feedback_due(today, p.memorandum.feedback_due_quarters),
            acknowledged_at: None,
            answered_at: None,
            answered_on: None,
            cancelled_at: None,
            cancel_reason: None,
            suspended_by: None,
        })
        .collect();
    (versions, rows)
}

/// What the listings of one transaction need, loaded once: the memoranda (current versions) and
/// the departments they may reach.
pub(crate) struct ListingCatalogue {
    pub memoranda: Vec<domain::memorandum::Memorandum>,
    pub departments: Vec<Department>,
}

impl ListingCatalogue {
    pub(crate) fn load(c: &mut AnyConnection) -> Result<Self, StoreError> {
        Ok(ListingCatalogue {
            memoranda: current_memoranda(c)?,
            departments: convert(
                departments::table
                    .select(DepartmentRow::as_select())
                    .load(c)?,
            )?,
        })
    }
}

/// Cancels the open dispatches of entries that ended; returns them as cancelled.
pub(crate) fn cancel_open(
    c: &mut AnyConnection,
    entry_ids: &[String],
    reason: &str,
) -> Result<Vec<Dispatch>, StoreError> {
    if entry_ids.is_empty() {
        return Ok(Vec::new());
    }
    let open: Vec<&str> = DispatchStatus::ALL
        .iter()
        .filter(|s| s.is_open())
        .map(|s| s.as_str())
        .collect();
    let rows: Vec<DispatchRow> = dispatches::table
        .filter(dispatches::entry_id.eq_any(entry_ids))
        .filter(dispatches::status.eq_any(&open))
        .select(DispatchRow::as_select())
        .load(c)?;
    let at = now();
    let mut cancelled = Vec::with_capacity(rows.len());
    for row in rows {
        let d = Dispatch::try_from(row)?;
        let status = d.status.cancel()?;
        cancelled.push(Dispatch {
            status,
            cancelled_at: Some(at.and_utc()),
            cancel_reason: Some(reason.to_owned()),
            ..d
        });
    }
    let ids: Vec<&str> = cancelled.iter().map(|d| d.id.as_str()).collect();
    for chunk in ids.chunks(1000) {
        // Only those still open: one answered meanwhile (applied, say) is a conflict, and the
        // ending command is retried whole, when it will ask for that one to be lifted instead.
        let rows = diesel::update(
            dispatches::table
                .filter(dispatches::id.eq_any(chunk))
                .filter(dispatches::status.eq_any(&open)),
        )
        .set((
            dispatches::status.eq(DispatchStatus::Cancelled.as_str()),
            dispatches::cancelled_at.eq(Some(at)),
            dispatches::cancel_reason.eq(Some(reason)),
        ))
        .execute(c)?;
        moved_all(rows, chunk.len())?;
    }
    // Lifted measures are told to the departments that were applying them.
    webhooks::tell_dispatches(c, WebhookEvent::DispatchCancelled, &cancelled, |_| {})?;
    Ok(cancelled)
}

/// After moving `expected` dispatches guarded by the states they were read in: fewer moved means
/// another command answered one meanwhile, and the ending command loses with a conflict (it is
/// retried whole).
pub(crate) fn moved_all(rows: usize, expected: usize) -> Result<(), StoreError> {
    if rows == expected {
        Ok(())
    } else {
        Err(DomainError::conflict("推送状态刚被另一操作改变，请重试").into())
    }
}
