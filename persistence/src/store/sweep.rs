//! The expiry sweep: entries past their end become Expired in storage, and their open dispatches
//! are cancelled. Reads never wait for it (an entry past its end reads as expired anyway).

use super::changes;
use super::lifts::{EndedMeasures, Ending, end_measures};
use super::{Store, now};
use crate::conn::AnyConnection;
use crate::error::StoreError;
use crate::schema::{list_entries, subjects};
use chrono::NaiveDate;
use diesel::prelude::*;
use domain::EntryStatus;
use domain::feed::{ChangeAction, ChangeTarget};
use domain::lift::LiftGround;

/// Any number, the same on every instance: the PostgreSQL advisory lock of the sweep.
const SWEEP_LOCK: i64 = 0x7869_6e79_6f6e_6701;

/// What one sweep did.
#[derive(Debug, Default)]
pub struct SweepReport {
    pub expired_entries: usize,
    /// Codes of the subjects whose entries expired, for cache invalidation.
    pub subject_codes: Vec<String>,
    /// Their open dispatches cancelled, their applied ones asked to be lifted.
    pub ended: EndedMeasures,
    /// Another instance held the lock: this one did nothing.
    pub skipped: bool,
}

diesel::define_sql_function!(fn pg_try_advisory_xact_lock(key: diesel::sql_types::BigInt) -> diesel::sql_types::Bool);

impl Store {
    /// Expires entries whose end is before `today`; one instance at a time.
    pub fn sweep_expired(&self, today: NaiveDate) -> Result<SweepReport, StoreError> {
        let calendar = self.calendar();
        self.write(|c| {
            if let AnyConnection::Postgresql(pg) = c {
                let got: bool =
                    diesel::select(pg_try_advisory_xact_lock(SWEEP_LOCK)).get_result(pg)?;
                if !got {
                    return Ok(SweepReport {
                        skipped: true,
                        ..SweepReport::default()
                    });
                }
            }
            let due: Vec<(String, String, String)> = list_entries::table
                .inner_join(subjects::table)
                .filter(list_entries::status.eq(EntryStatus::Active.as_str()))
                .filter(list_entries::end_date.lt(today))
                .select((list_entries::id, subjects::id, subjects::code))
                .load(c)?;
            if due.is_empty() {
                return Ok(SweepReport::default());
            }
            let ids: Vec<String> = due.iter().map(|(id, _, _)| id.clone()).collect();
            let at = now();
            for chunk in ids.chunks(1000) {
                diesel::update(list_entries::table.filter(list_entries::id.eq_any(chunk)))
                    .set((
                        list_entries::status.eq(EntryStatus::Expired.as_str()),
                        list_entries::ended_at.eq(Some(at)),
                    ))
                    .execute(c)?;
            }
            let ended = end_measures(
                c,
                &ids,
                Ending {
                    reason: "名单条目已到期，措施解除",
                    ground: LiftGround::Ended,
                    today,
                    calendar: &calendar,
                    acknowledge_working_days: self.policy.acknowledge_working_days,
                },
            )?;
            let feed: Vec<_> = due
                .iter()
                .map(|(id, subject_id, code)| {
                    changes::made(
                        ChangeTarget::ListEntry,
                        ChangeAction::Expired,
                        id,
                        (subject_id, code),
                        None,
                    )
                })
                .collect();
            changes::append(c, &feed)?;
            let mut subject_codes: Vec<String> = due.into_iter().map(|(_, _, code)| code).collect();
            subject_codes.sort();
            subject_codes.dedup();
            Ok(SweepReport {
                expired_entries: ids.len(),
                subject_codes,
                ended,
                skipped: false,
            })
        })
    }
}
