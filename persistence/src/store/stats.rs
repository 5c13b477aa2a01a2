//! Statistics for the credit office (统计): listings, dispatches, feedback, checks, timeliness.

use super::Store;
use super::catalogue::acting_department;
use crate::conn::AnyConnection;
use crate::error::StoreError;
use crate::schema::{checks, credit_records, departments, dispatches, list_entries, subjects};
use chrono::{NaiveDate, NaiveDateTime, NaiveTime};
use diesel::prelude::*;
use domain::access::{self, DepartmentPrincipal};
use domain::dispatch::DispatchStatus;
use domain::record::PUBLICATION_DEADLINE_WORKING_DAYS;
use domain::{CreditRecordKind, DomainError, EntryStatus, JurisdictionCode};
use std::collections::BTreeMap;

/// Listings of one list type by one department.
#[derive(Debug, Clone, PartialEq)]
pub struct ListingCount {
    pub list_type_id: String,
    pub department: String,
    /// Entries made in the period.
    pub added: i64,
    /// Entries in force on the last day of the period.
    pub active: i64,
}

/// How one implementing department answered the dispatches of the period.
#[derive(Debug, Clone, PartialEq)]
pub struct DepartmentResponse {
    pub department: String,
    pub dispatched: i64,
    pub cancelled: i64,
    pub answered: i64,
    /// answered / (dispatched − cancelled); `None` when nothing was left to answer.
    pub feedback_rate: Option<f64>,
    /// Median working days from dispatch to feedback; `None` without answers, or when the calendar
    /// lacks a year it needs.
    pub median_response_working_days: Option<f64>,
    pub overdue: i64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Stats {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub listings: Vec<ListingCount>,
    pub dispatches_by_status: Vec<(DispatchStatus, i64)>,
    pub departments: Vec<DepartmentResponse>,
    pub overdue: i64,
    pub checks: i64,
    /// Licence and penalty records decided in the period, and how many were public in time.
    pub double_publicity_total: i64,
    pub double_publicity_on_time: i64,
    /// Records whose timeliness the calendar cannot tell.
    pub double_publicity_unknown: i64,
}

/// What the statistics need of an entry.
#[derive(Queryable)]
struct EntryFact {
    subject: String,
    list_type: String,
    by: String,
    created: NaiveDateTime,
    start: NaiveDate,
    end: NaiveDate,
    status: String,
}

/// What the statistics need of a dispatch.
#[derive(Queryable)]
struct DispatchFact {
    subject: String,
    dept: String,
    status: String,
    created_on: NaiveDate,
    answered_on: Option<NaiveDate>,
    acknowledge_by: Option<NaiveDate>,
}

fn start_of(d: NaiveDate) -> NaiveDateTime {
    // Timestamps are UTC; the period's days are China's (UTC+8).
    d.and_time(NaiveTime::MIN) - chrono::Duration::hours(8)
}

fn median(values: &mut [u32]) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    values.sort_unstable();
    let n = values.len();
    Some(if n % 2 == 1 {
        f64::from(values[n / 2])
    } else {
        (f64::from(values[n / 2 - 1]) + f64::from(values[n / 2])) / 2.0
    })
}

fn subject_ids_in(
    c: &mut AnyConnection,
    place: &Option<JurisdictionCode>,
) -> Result<Option<Vec<String>>, StoreError> {
    match place {
        None => Ok(None),
        Some(j) => {
            let (first, last) = j.code_range();
            Ok(Some(
                subjects::table
                    .filter(subjects::jurisdiction_code.between(first, last))
                    .select(subjects::id)
                    .load(c)?,
            ))
        }
    }
}

impl Store {
    /// Statistics for the days `from..=to`, optionally for subjects in one jurisdiction.
    pub fn stats(
        &self,
        actor: &DepartmentPrincipal,
        from: NaiveDate,
        to: NaiveDate,
        jurisdiction: Option<JurisdictionCode>,
        today: NaiveDate,
    ) -> Result<Stats, StoreError> {
        if to < from {
            return Err(DomainError::invalid("to", "结束日期不能早于开始日期").into());
        }
        let calendar = self.policy.calendar.clone();
        self.read(|c| {
            let department = acting_department(c, actor)?;
            access::may_read_stats(&department)?;
            let inside = subject_ids_in(c, &jurisdiction)?;
            let keep = |subject_id: &str| {
                inside
                    .as_ref()
                    .is_none_or(|ids| ids.iter().any(|i| i == subject_id))
            };
            let as_of = to.min(today);
            let (from_ts, to_ts) = (start_of(from), start_of(to + chrono::Days::new(1)));

            let entries: Vec<EntryFact> = list_entries::table
                .select((
                    list_entries::subject_id,
                    list_entries::list_type_id,
                    list_entries::created_by,
                    list_entries::created_at,
                    list_entries::start_date,
                    list_entries::end_date,
                    list_entries::status,
                ))
                .load(c)?;
            let mut listings: BTreeMap<(String, String), (i64, i64)> = BTreeMap::new();
            for EntryFact {
                list_type,
                by,
                created,
                start,
                end,
                status,
                ..
            } in entries.into_iter().filter(|e| keep(&e.subject))
            {
                let added = created >= from_ts && created < to_ts;
                let active =
                    status == EntryStatus::Active.as_str() && start <= as_of && end >= as_of;
                if added || active {
                    let slot = listings.entry((list_type, by)).or_default();
                    slot.0 += i64::from(added);
                    slot.1 += i64::from(active);
                }
            }

            let rows: Vec<DispatchFact> = dispatches::table
                .inner_join(list_entries::table)
                .filter(dispatches::created_on.between(from, to))
                .select((
                    list_entries::subject_id,
                    dispatches::department_code,
                    dispatches::status,
                    dispatches::created_on,
                    dispatches::answered_on,
                    dispatches::acknowledge_by,
                ))
                .load(c)?;
            let mut by_status: BTreeMap<&'static str, i64> = BTreeMap::new();
            let mut per_department: BTreeMap<String, (DepartmentResponse, Vec<u32>, bool)> =
                BTreeMap::new();
            let mut overdue = 0;
            for DispatchFact {
                dept,
                status,
                created_on,
                answered_on,
                acknowledge_by,
                ..
            } in rows.into_iter().filter(|r| keep(&r.subject))
            {
                let status = DispatchStatus::parse(&status)
                    .ok_or_else(|| crate::error::corrupt("dispatch status", &status))?;
                *by_status.entry(status.as_str()).or_default() += 1;
                let slot = per_department.entry(dept.clone()).or_insert_with(|| {
                    (
                        DepartmentResponse {
                            department: dept,
                            dispatched: 0,
                            cancelled: 0,
                            answered: 0,
                            feedback_rate: None,
                            median_response_working_days: None,
                            overdue: 0,
                        },
                        Vec::new(),
                        false,
                    )
                });
                slot.0.dispatched += 1;
                match status {
                    DispatchStatus::Cancelled => slot.0.cancelled += 1,
                    DispatchStatus::Applied | DispatchStatus::NotApplicable => {
                        slot.0.answered += 1;
                        if let Some(answered) = answered_on {
                            match calendar.working_days_between(created_on, answered) {
                                Ok(days) => slot.1.push(days),
                                Err(_) => slot.2 = true,
                            }
                        }
                    }
                    DispatchStatus::Pending if acknowledge_by.is_some_and(|by| today > by) => {
                        slot.0.overdue += 1;
                        overdue += 1;
                    }
                    _ => {}
                }
            }
            let departments_out = per_department
                .into_values()
                .map(|(mut r, mut days, unknown)| {
                    let open = r.dispatched - r.cancelled;
                    r.feedback_rate = (open > 0).then(|| r.answered as f64 / open as f64);
                    r.median_response_working_days = if unknown { None } else { median(&mut days) };
                    r
                })
                .collect();

            let (first, last) = match &jurisdiction {
                Some(j) => {
                    let (a, b) = j.code_range();
                    (Some(a), Some(b))
                }
                None => (None, None),
            };
            let mut check_q = checks::table
                .inner_join(departments::table.on(departments::code.eq(checks::department_code)))
                .filter(checks::created_on.between(from, to))
                .into_boxed();
            if let (Some(a), Some(b)) = (first, last) {
                check_q = check_q.filter(departments::jurisdiction_code.between(a, b));
            }
            let checks_made: i64 = check_q.count().get_result(c)?;

            let kinds = [
                CreditRecordKind::Licence.as_str(),
                CreditRecordKind::Penalty.as_str(),
            ];
            let records: Vec<(String, NaiveDate, NaiveDate)> = credit_records::table
                .filter(credit_records::kind.eq_any(kinds))
                .filter(credit_records::decision_date.between(from, to))
                .select((
                    credit_records::subject_id,
                    credit_records::decision_date,
                    credit_records::publication_date,
                ))
                .load(c)?;
            let (mut total, mut on_time, mut unknown) = (0, 0, 0);
            for (_, decided, published) in records.into_iter().filter(|r| keep(&r.0)) {
                total += 1;
                match calendar.add_working_days(decided, PUBLICATION_DEADLINE_WORKING_DAYS) {
                    Ok(deadline) => on_time += i64::from(published <= deadline),
                    Err(_) => unknown += 1,
                }
            }

            Ok(Stats {
                from,
                to,
                listings: listings
                    .into_iter()
                    .map(
                        |((list_type_id, department), (added, active))| ListingCount {
                            list_type_id,
                            department,
                            added,
                            active,
                        },
                    )
                    .collect(),
                dispatches_by_status: DispatchStatus::ALL
                    .iter()
                    .map(|s| (*s, by_status.get(s.as_str()).copied().unwrap_or(0)))
                    .collect(),
                departments: departments_out,
                overdue,
                checks: checks_made,
                double_publicity_total: total,
                double_publicity_on_time: on_time,
                double_publicity_unknown: unknown,
            })
        })
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn median_of_odd_and_even() {
        assert_eq!(super::median(&mut [3, 1, 2]), Some(2.0));
        assert_eq!(super::median(&mut [4, 1, 2, 3]), Some(2.5));
        assert_eq!(super::median(&mut []), None);
    }
}
