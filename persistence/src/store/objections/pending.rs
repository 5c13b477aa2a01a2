//! Objections' deadlines that fell past the working-day calendar, filled in once it reaches them.

use super::model::{DeadlineTarget, deadlines_for};
use crate::conn::AnyConnection;
use crate::error::{StoreError, corrupt};
use crate::schema::{credit_records, list_entries, list_types, objection_steps, objections};
use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use domain::objection::{Deadlines, ObjectionStatus};
use domain::{CreditRecordKind, WorkingDayCalendar};

/// The rule an objection's deadlines follow: its list type's or its record kind's.
fn rule(
    c: &mut AnyConnection,
    entry_id: Option<&str>,
    record_id: Option<&str>,
) -> Result<Deadlines, StoreError> {
    let target = match (entry_id, record_id) {
        (Some(e), _) => DeadlineTarget::ListType(
            list_entries::table
                .inner_join(list_types::table)
                .filter(list_entries::id.eq(e))
                .select(list_types::code)
                .first(c)?,
        ),
        (None, Some(r)) => {
            let kind: String = credit_records::table
                .find(r)
                .select(credit_records::kind)
                .first(c)?;
            DeadlineTarget::RecordKind(
                CreditRecordKind::parse(&kind).ok_or_else(|| corrupt("record kind", &kind))?,
            )
        }
        (None, None) => return Err(corrupt("objection target", "none")),
    };
    deadlines_for(c, &target)
}

type Waiting = (String, NaiveDate, Option<String>, Option<String>);

/// Fills `accept_by` of objections filed past the calendar, and `decide_by` of those accepted
/// past it; returns how many objections gained a deadline.
pub(crate) fn fill_pending(
    c: &mut AnyConnection,
    calendar: &WorkingDayCalendar,
) -> Result<usize, StoreError> {
    let mut filled = 0;
    let to_accept: Vec<Waiting> = objections::table
        .filter(objections::accept_by.is_null())
        .select((
            objections::id,
            objections::filed_on,
            objections::entry_id,
            objections::record_id,
        ))
        .load(c)?;
    for (id, filed_on, entry, record) in to_accept {
        let deadlines = rule(c, entry.as_deref(), record.as_deref())?;
        if let Some(by) = deadlines.accept_by(calendar, filed_on) {
            diesel::update(objections::table.find(&id))
                .set(objections::accept_by.eq(Some(by)))
                .execute(c)?;
            filled += 1;
        }
    }
    let accepted: Vec<&str> = [
        ObjectionStatus::Accepted,
        ObjectionStatus::Upheld,
        ObjectionStatus::Rejected,
    ]
    .iter()
    .map(|s| s.as_str())
    .collect();
    let to_decide: Vec<(String, Option<String>, Option<String>)> = objections::table
        .filter(objections::decide_by.is_null())
        .filter(objections::status.eq_any(&accepted))
        .select((objections::id, objections::entry_id, objections::record_id))
        .load(c)?;
    for (id, entry, record) in to_decide {
        let accepted_at: Option<NaiveDateTime> = objection_steps::table
            .filter(objection_steps::objection_id.eq(&id))
            .filter(objection_steps::status.eq(ObjectionStatus::Accepted.as_str()))
            .select(objection_steps::at)
            .first(c)
            .optional()?;
        let Some(at) = accepted_at else { continue };
        let accepted_on = domain::time::china_date(at.and_utc());
        let deadlines = rule(c, entry.as_deref(), record.as_deref())?;
        if let Some(by) = deadlines.decide_by(calendar, accepted_on) {
            diesel::update(objections::table.find(&id))
                .set(objections::decide_by.eq(Some(by)))
                .execute(c)?;
            filled += 1;
        }
    }
    Ok(filled)
}
