//! Lifting measures (措施解除): when an entry ends, its open dispatches are cancelled and those its
//! departments had applied become lift requests, in the ending command's transaction; each
//! department confirms its lifts.

use super::catalogue::acting_department;
use super::dispatches::{DispatchView, cancel_open, load, moved_all};
use super::webhooks;
use super::{Store, changed_one, new_id, now};
use crate::conn::{AnyConnection, batch_insert};
use crate::error::{OnUnique, StoreError, corrupt};
use crate::rows::convert;
use crate::rows_joint::DispatchRow;
use crate::schema::{dispatches, lifts, memorandum_versions};
use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use domain::access::{self, DepartmentPrincipal};
use domain::dispatch::{Dispatch, DispatchStatus};
use domain::lift::{self, Lift, LiftGround, LiftStep, RawLiftConfirmation};
use domain::node::NodeKind;
use domain::webhook::{LiftNotice, WebhookEvent};
use domain::{DepartmentCode, WorkingDayCalendar};
use std::collections::HashMap;

/// What an entry's ending did to its measures.
#[derive(Debug, Clone, Default)]
pub struct EndedMeasures {
    /// Open dispatches, cancelled.
    pub cancelled: Vec<Dispatch>,
    /// Applied ones, now asked to be lifted.
    pub lifts: Vec<Dispatch>,
    /// Reward dispatches that the ended (black) entries had suspended, reopened.
    pub resumed: Vec<Dispatch>,
}

/// How the entries ended, and the rules of time their deadlines follow.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Ending<'a> {
    /// Told to the departments whose open dispatches are cancelled.
    pub(crate) reason: &'a str,
    pub(crate) ground: LiftGround,
    pub(crate) today: NaiveDate,
    pub(crate) calendar: &'a WorkingDayCalendar,
    /// For the reward dispatches reopened when a black entry ends.
    pub(crate) acknowledge_working_days: u32,
}

#[derive(Queryable, Selectable, Insertable, Clone)]
#[diesel(table_name = lifts)]
struct LiftRow {
    id: String,
    dispatch_id: String,
    department_code: String,
    ground: String,
    requested_at: NaiveDateTime,
    requested_on: NaiveDate,
    working_days: i32,
    lift_by: Option<NaiveDate>,
    confirmed_at: Option<NaiveDateTime>,
    confirmed_on: Option<NaiveDate>,
    business: Option<String>,
    note: Option<String>,
}

impl TryFrom<LiftRow> for Lift {
    type Error = StoreError;
    fn try_from(r: LiftRow) -> Result<Self, StoreError> {
        Ok(Lift {
            ground: LiftGround::parse(&r.ground)
                .ok_or_else(|| corrupt("lift ground", &r.ground))?,
            department: DepartmentCode::parse(&r.department_code)
                .map_err(|_| corrupt("department", &r.department_code))?,
            id: r.id,
            dispatch_id: r.dispatch_id,
            requested_at: r.requested_at.and_utc(),
            requested_on: r.requested_on,
            lift_by: r.lift_by,
            confirmed_at: r.confirmed_at.map(|t| t.and_utc()),
            confirmed_on: r.confirmed_on,
            business: r.business,
            note: r.note,
        })
    }
}

/// Rows per statement: well under SQLite's parameter limit at 12 columns.
const ROWS_PER_STATEMENT: usize = 1_000;

/// Ends the measures of entries that ended, in the caller's transaction: open dispatches are
/// cancelled with `ending.reason`; applied ones — and, where the listing was wrongful, those
/// lifted because it had ended — get a lift request on `ending.ground`, due in their memorandum's
/// working days; departments with a webhook are told of both.
pub(crate) fn end_measures(
    c: &mut AnyConnection,
    entry_ids: &[String],
    ending: Ending<'_>,
) -> Result<EndedMeasures, StoreError> {
    let (today, calendar) = (ending.today, ending.calendar);
    if entry_ids.is_empty() {
        return Ok(EndedMeasures::default());
    }
    let cancelled = cancel_open(c, entry_ids, ending.reason)?;
    let resumed = super::rewards::resume(
        c,
        entry_ids,
        today,
        calendar,
        ending.acknowledge_working_days,
    )?;
    if ending.ground == LiftGround::Wrongful {
        super::typical_cases::withdraw_cases_of(c, entry_ids)?;
    }
    let mut liftable = vec![DispatchStatus::Applied.as_str()];
    if ending.ground == LiftGround::Wrongful {
        liftable.extend([
            DispatchStatus::LiftRequested.as_str(),
            DispatchStatus::Lifted.as_str(),
        ]);
    }
    let mut applied: Vec<Dispatch> = Vec::new();
    for chunk in entry_ids.chunks(ROWS_PER_STATEMENT) {
        let rows: Vec<DispatchRow> = dispatches::table
            .filter(dispatches::entry_id.eq_any(chunk))
            .filter(dispatches::status.eq_any(&liftable))
            .select(DispatchRow::as_select())
            .load(c)?;
        applied.extend(convert::<_, Dispatch>(rows)?);
    }
    if applied.is_empty() {
        return Ok(EndedMeasures {
            cancelled,
            lifts: Vec::new(),
            resumed,
        });
    }
    let latest = latest_lifts(c, &applied)?;
    let days = lift_days(c, &applied)?;
    let at = now();
    let mut new_rows = Vec::new();
    let mut made_wrongful = Vec::new();
    // Applied or lifted before: their status moves to LiftRequested.
    let mut moved: Vec<String> = Vec::new();
    let mut lifted = Vec::new();
    // Each lifted dispatch's deadline, told to its department as it is stored.
    let mut deadlines: HashMap<String, Option<NaiveDate>> = HashMap::new();
    for d in applied {
        let last = latest.get(&d.id);
        let working_days = days
            .get(&d.memorandum_version_id)
            .copied()
            .unwrap_or(lift::DEFAULT_LIFT_WORKING_DAYS);
        let lift_by = lift::lift_by(calendar, today, working_days);
        match (lift::step_for(d.status, last, ending.ground), last) {
            (LiftStep::Nothing, _) => continue,
            (LiftStep::MakeWrongful, Some(open)) => made_wrongful.push((open.id.clone(), lift_by)),
            (LiftStep::MakeWrongful, None) => return Err(corrupt("open lift of", &d.id)),
            (LiftStep::Request, _) => {
                moved.push(d.id.clone());
                new_rows.push(LiftRow {
                    id: new_id(),
                    dispatch_id: d.id.clone(),
                    department_code: d.department.to_string(),
                    ground: ending.ground.as_str().to_owned(),
                    requested_at: at,
                    requested_on: today,
                    working_days: i32::try_from(working_days).unwrap_or(i32::MAX),
                    lift_by,
                    confirmed_at: None,
                    confirmed_on: None,
                    business: None,
                    note: None,
                });
            }
        }
        // Keyed by the id the notice gives out.
        deadlines.insert(NodeKind::Dispatch.global_id(&d.id), lift_by);
        lifted.push(Dispatch {
            status: d.status.request_lift()?,
            ..d
        });
    }
    // Only those still in the state read: one confirmed or answered meanwhile is a conflict, and
    // the ending command is retried whole.
    let from = [
        DispatchStatus::Applied.as_str(),
        DispatchStatus::Lifted.as_str(),
    ];
    for chunk in moved.chunks(ROWS_PER_STATEMENT) {
        let rows = diesel::update(
            dispatches::table
                .filter(dispatches::id.eq_any(chunk))
                .filter(dispatches::status.eq_any(from)),
        )
        .set(dispatches::status.eq(DispatchStatus::LiftRequested.as_str()))
        .execute(c)?;
        moved_all(rows, chunk.len())?;
    }
    for chunk in new_rows.chunks(ROWS_PER_STATEMENT) {
        batch_insert!(c, lifts::table, chunk).on_unique("措施解除请求刚被另一操作提出，请重试")?;
    }
    for (id, lift_by) in &made_wrongful {
        let rows = diesel::update(lifts::table.find(id).filter(lifts::confirmed_at.is_null()))
            .set((
                lifts::ground.eq(LiftGround::Wrongful.as_str()),
                lifts::requested_at.eq(at),
                lifts::requested_on.eq(today),
                lifts::lift_by.eq(lift_by),
            ))
            .execute(c)?;
        changed_one(rows, "该措施解除请求")?;
    }
    let ground = ending.ground;
    webhooks::tell_dispatches(c, WebhookEvent::DispatchLiftRequested, &lifted, |n| {
        n.lift = Some(LiftNotice {
            ground: ground.as_str(),
            what_to_do: ground.label(),
            lift_by: deadlines.get(&n.dispatch_id).copied().flatten(),
        });
    })?;
    Ok(EndedMeasures {
        cancelled,
        lifts: lifted,
        resumed,
    })
}

/// The latest lift of each of these dispatches that has one.
fn latest_lifts(
    c: &mut AnyConnection,
    of: &[Dispatch],
) -> Result<HashMap<String, Lift>, StoreError> {
    let ids: Vec<&str> = of
        .iter()
        .filter(|d| d.status != DispatchStatus::Applied)
        .map(|d| d.id.as_str())
        .collect();
    let mut latest = HashMap::new();
    for chunk in ids.chunks(ROWS_PER_STATEMENT) {
        let rows: Vec<LiftRow> = lifts::table
            .filter(lifts::dispatch_id.eq_any(chunk))
            .order(lifts::id)
            .select(LiftRow::as_select())
            .load(c)?;
        for r in rows {
            let lift = Lift::try_from(r)?;
            latest.insert(lift.dispatch_id.clone(), lift);
        }
    }
    Ok(latest)
}

/// The lift term of each memorandum version these dispatches were made under.
fn lift_days(c: &mut AnyConnection, of: &[Dispatch]) -> Result<HashMap<String, u32>, StoreError> {
    let mut versions: Vec<&str> = of
        .iter()
        .map(|d| d.memorandum_version_id.as_str())
        .collect();
    versions.sort_unstable();
    versions.dedup();
    let rows: Vec<(String, i32)> = memorandum_versions::table
        .filter(memorandum_versions::id.eq_any(&versions))
        .select((
            memorandum_versions::id,
            memorandum_versions::lift_working_days,
        ))
        .load(c)?;
    Ok(rows
        .into_iter()
        .map(|(id, d)| {
            (
                id,
                u32::try_from(d).unwrap_or(lift::DEFAULT_LIFT_WORKING_DAYS),
            )
        })
        .collect())
}

/// A dispatch with its lift, once confirmed.
#[derive(Debug, Clone)]
pub struct LiftConfirmed {
    pub dispatch: DispatchView,
    pub lift: Lift,
}

impl Store {
    /// The implementing department confirms it lifted a measure (LiftRequested → Lifted), naming
    /// the business; undoing a wrongful listing says how the subject's standing was restored.
    pub fn confirm_lift(
        &self,
        actor: &DepartmentPrincipal,
        dispatch_id: &str,
        raw: &RawLiftConfirmation,
        today: NaiveDate,
    ) -> Result<LiftConfirmed, StoreError> {
        self.write(|c| {
            let department = acting_department(c, actor)?;
            let d = load(c, dispatch_id)?;
            access::may_handle_dispatch(&department, &d.department)?;
            let status = d.status.confirm_lift()?;
            let open: Lift = lifts::table
                .filter(lifts::dispatch_id.eq(dispatch_id))
                .filter(lifts::confirmed_at.is_null())
                .select(LiftRow::as_select())
                .first(c)
                .optional()?
                .ok_or_else(|| corrupt("open lift of", dispatch_id))?
                .try_into()?;
            let (business, note) = raw.validate(open.ground)?;
            let at = now();
            let rows = diesel::update(super::in_state!(dispatches, dispatch_id, d.status.as_str()))
                .set(dispatches::status.eq(status.as_str()))
                .execute(c)?;
            changed_one(rows, "该推送")?;
            diesel::update(lifts::table.find(&open.id))
                .set((
                    lifts::confirmed_at.eq(Some(at)),
                    lifts::confirmed_on.eq(Some(today)),
                    lifts::business.eq(Some(&business)),
                    lifts::note.eq(note.as_ref()),
                ))
                .execute(c)?;
            let lift = Lift {
                confirmed_at: Some(at.and_utc()),
                confirmed_on: Some(today),
                business: Some(business),
                note,
                ..open
            };
            let feedback = super::dispatches::feedback_of(c, dispatch_id)?;
            Ok(LiftConfirmed {
                dispatch: DispatchView {
                    dispatch: Dispatch { status, ..d },
                    feedback,
                },
                lift,
            })
        })
    }

    /// One lift by its id (`node(id:)`, which shows it only with its dispatch).
    pub fn lift(&self, id: &str) -> Result<Option<Lift>, StoreError> {
        self.read(|c| {
            let rows: Vec<LiftRow> = lifts::table.find(id).select(LiftRow::as_select()).load(c)?;
            Ok(convert(rows)?.pop())
        })
    }

    /// Every lift of these dispatches, oldest first.
    pub fn lifts_of(&self, dispatch_ids: &[String]) -> Result<Vec<Lift>, StoreError> {
        if dispatch_ids.is_empty() {
            return Ok(Vec::new());
        }
        self.read(|c| {
            let rows: Vec<LiftRow> = lifts::table
                .filter(lifts::dispatch_id.eq_any(dispatch_ids))
                .order(lifts::id)
                .select(LiftRow::as_select())
                .load(c)?;
            convert(rows)
        })
    }
}

/// Lifts requested past the calendar, their deadlines filled in once it reaches them; returns
/// how many.
pub(crate) fn fill_pending(
    c: &mut AnyConnection,
    calendar: &WorkingDayCalendar,
) -> Result<usize, StoreError> {
    let waiting: Vec<(NaiveDate, i32)> = lifts::table
        .filter(lifts::lift_by.is_null())
        .select((lifts::requested_on, lifts::working_days))
        .distinct()
        .load(c)?;
    let mut filled = 0;
    for (on, days) in waiting {
        let Some(by) = lift::lift_by(calendar, on, u32::try_from(days).unwrap_or(0)) else {
            continue;
        };
        filled += diesel::update(
            lifts::table
                .filter(lifts::lift_by.is_null())
                .filter(lifts::requested_on.eq(on))
                .filter(lifts::working_days.eq(days)),
        )
        .set(lifts::lift_by.eq(Some(by)))
        .execute(c)?;
    }
    Ok(filled)
}
