//! Rewards only for the trustworthy, in the store: which subjects a black list binds now, their
//! red entries' open reward dispatches suspended (cancelled, naming the black entry) when they are
//! black-listed, and reopened when the last black entry that binds them ends.

use super::dispatches::cancel_open;
use super::entries::in_force;
use super::webhooks;
use crate::conn::AnyConnection;
use crate::error::StoreError;
use crate::rows::convert;
use crate::rows_joint::DispatchRow;
use crate::schema::{dispatches, list_entries, list_types};
use chrono::NaiveDate;
use diesel::prelude::*;
use domain::dispatch::{self, Dispatch, DispatchStatus};
use domain::reward::{self, BlackListing};
use domain::webhook::WebhookEvent;
use domain::{ListColour, WorkingDayCalendar};
use std::collections::HashMap;

const CHUNK: usize = 1_000;

/// The entries of `colour` in force on `today` of these subjects, by id: (subject, entry, list
/// name).
fn in_force_of<S: AsRef<str>>(
    c: &mut AnyConnection,
    subject_ids: &[S],
    colour: ListColour,
    today: NaiveDate,
) -> Result<Vec<(String, String, String)>, StoreError> {
    let ids: Vec<&str> = subject_ids.iter().map(AsRef::as_ref).collect();
    let mut out = Vec::new();
    for chunk in ids.chunks(CHUNK) {
        out.extend(
            list_entries::table
                .inner_join(list_types::table)
                .filter(list_entries::subject_id.eq_any(chunk))
                .filter(in_force(today))
                .filter(list_types::colour.eq(colour.as_str()))
                .order(list_entries::id)
                .select((list_entries::subject_id, list_entries::id, list_types::name))
                .load::<(String, String, String)>(c)?,
        );
    }
    Ok(out)
}

/// The black entry in force of each of these subjects that has one (the first, by id).
pub(crate) fn black_in_force(
    c: &mut AnyConnection,
    subject_ids: &[String],
    today: NaiveDate,
) -> Result<HashMap<String, BlackListing>, StoreError> {
    let mut out = HashMap::new();
    for (subject, entry_id, list_name) in in_force_of(c, subject_ids, ListColour::Black, today)? {
        out.entry(subject).or_insert(BlackListing {
            entry_id,
            list_name,
        });
    }
    Ok(out)
}

impl super::Store {
    /// The black entry in force (on `today`) of each of these subjects that has one.
    pub fn black_in_force_of(
        &self,
        subject_ids: &[String],
        today: NaiveDate,
    ) -> Result<HashMap<String, BlackListing>, StoreError> {
        self.read(|c| black_in_force(c, subject_ids, today))
    }
}

/// Suspends the rewards of subjects just black-listed (`black` by subject): the open dispatches of
/// their red entries in force are cancelled with the reason and marked with the black entry.
/// Returns them, cancelled.
pub(crate) fn suspend(
    c: &mut AnyConnection,
    black: &HashMap<String, BlackListing>,
    today: NaiveDate,
) -> Result<Vec<Dispatch>, StoreError> {
    let subjects: Vec<&str> = black.keys().map(String::as_str).collect();
    let mut suspended = Vec::new();
    for (subject, red_entry, _) in in_force_of(c, &subjects, ListColour::Red, today)? {
        let Some(by) = black.get(&subject) else {
            continue;
        };
        let cancelled = cancel_open(
            c,
            std::slice::from_ref(&red_entry),
            &reward::suspension_reason(by),
        )?;
        let ids: Vec<&str> = cancelled.iter().map(|d| d.id.as_str()).collect();
        diesel::update(dispatches::table.filter(dispatches::id.eq_any(&ids)))
            .set(dispatches::suspended_by.eq(Some(&by.entry_id)))
            .execute(c)?;
        suspended.extend(cancelled);
    }
    Ok(suspended)
}

/// After black entries ended: the reward dispatches they suspended are reopened (pending, with a
/// new acknowledgement deadline) where no other black entry binds the subject and the red entry
/// is still in force; suspended by another black entry in force, they wait for that one. Returns
/// the reopened, to be announced as new dispatches.
pub(crate) fn resume(
    c: &mut AnyConnection,
    ended_entries: &[String],
    today: NaiveDate,
    calendar: &WorkingDayCalendar,
    acknowledge_working_days: u32,
) -> Result<Vec<Dispatch>, StoreError> {
    let mut waiting: Vec<(DispatchRow, String)> = Vec::new();
    for chunk in ended_entries.chunks(CHUNK) {
        waiting.extend(
            dispatches::table
                .inner_join(list_entries::table)
                .filter(dispatches::suspended_by.eq_any(chunk))
                .select((DispatchRow::as_select(), list_entries::subject_id))
                .load::<(DispatchRow, String)>(c)?,
        );
    }
    if waiting.is_empty() {
        return Ok(Vec::new());
    }
    let subjects: Vec<String> = waiting.iter().map(|(_, s)| s.clone()).collect();
    let still_black = black_in_force(c, &subjects, today)?;
    let red: Vec<String> = in_force_of(c, &subjects, ListColour::Red, today)?
        .into_iter()
        .map(|(_, entry, _)| entry)
        .collect();
    let acknowledge_by = dispatch::acknowledge_by(calendar, today, acknowledge_working_days);
    let mut reopened = Vec::new();
    for (row, subject) in waiting {
        if let Some(other) = still_black.get(&subject) {
            diesel::update(dispatches::table.find(&row.id))
                .set(dispatches::suspended_by.eq(Some(&other.entry_id)))
                .execute(c)?;
        } else if red.contains(&row.entry_id) {
            diesel::update(dispatches::table.find(&row.id))
                .set((
                    dispatches::status.eq(DispatchStatus::Pending.as_str()),
                    dispatches::acknowledge_by.eq(acknowledge_by),
                    dispatches::cancelled_at.eq(None::<chrono::NaiveDateTime>),
                    dispatches::cancel_reason.eq(None::<String>),
                    dispatches::suspended_by.eq(None::<String>),
                ))
                .execute(c)?;
            reopened.push(DispatchRow {
                status: DispatchStatus::Pending.as_str().to_owned(),
                acknowledge_by,
                cancelled_at: None,
                cancel_reason: None,
                suspended_by: None,
                ..row
            });
        } else {
            diesel::update(dispatches::table.find(&row.id))
                .set(dispatches::suspended_by.eq(None::<String>))
                .execute(c)?;
        }
    }
    let reopened: Vec<Dispatch> = convert(reopened)?;
    webhooks::tell_dispatches(c, WebhookEvent::DispatchCreated, &reopened, |_| {})?;
    Ok(reopened)
}
