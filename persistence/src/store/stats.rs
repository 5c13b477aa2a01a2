//! Statistics for the credit office (统计) and the departments' progress reports (定期报送): one
//! read of the facts, counted by [`domain::progress::Tally`].

use super::Store;
use super::catalogue::acting_department;
use crate::conn::AnyConnection;
use crate::error::{StoreError, corrupt};
use crate::schema::{
    checks, credit_records, departments, dispatches, lifts, list_entries, objection_steps,
    objections, repairs, subjects,
};
use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use domain::access::{self, DepartmentPrincipal};
use domain::dispatch::DispatchStatus;
use domain::objection::ObjectionStatus;
use domain::progress::{DepartmentProgress, Progress, Tally};
use domain::repair::RepairStatus;
use domain::{CreditRecordKind, EntryStatus, JurisdictionCode, WorkingDayCalendar};
use std::collections::{BTreeMap, HashMap};

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

#[derive(Debug, Clone, PartialEq)]
pub struct Stats {
    pub listings: Vec<ListingCount>,
    pub dispatches_by_status: Vec<(DispatchStatus, i64)>,
    /// Every figure per department, per month and in all.
    pub progress: Progress,
}

fn china_day(at: NaiveDateTime) -> NaiveDate {
    domain::time::china_date(at.and_utc())
}

/// The subjects' jurisdiction codes to count, as a range: one jurisdiction and those below it, or
/// every code (all are six digits).
struct Within(String, String);

impl Within {
    fn of(place: &Option<JurisdictionCode>) -> Self {
        match place {
            Some(j) => {
                let (first, last) = j.code_range();
                Within(first, last)
            }
            None => Within("000000".to_owned(), "999999".to_owned()),
        }
    }
}

fn parse<T>(value: &str, what: &str, f: impl Fn(&str) -> Option<T>) -> Result<T, StoreError> {
    f(value).ok_or_else(|| corrupt(what, value))
}

impl Store {
    /// Statistics for the days `from..=to` (China's days), optionally for subjects in one
    /// jurisdiction (and the departments of that jurisdiction). Credit office only.
    pub fn stats(
        &self,
        actor: &DepartmentPrincipal,
        from: NaiveDate,
        to: NaiveDate,
        jurisdiction: Option<JurisdictionCode>,
        today: NaiveDate,
    ) -> Result<Stats, StoreError> {
        let calendar = self.calendar();
        self.read(|c| {
            let department = acting_department(c, actor)?;
            access::may_read_stats(&department)?;
            count_all(c, &calendar, from, to, &jurisdiction, today)
        })
    }

    /// The acting department's own row of the progress report for the days `from..=to`: the
    /// figures the credit office reads about it.
    pub fn own_progress(
        &self,
        actor: &DepartmentPrincipal,
        from: NaiveDate,
        to: NaiveDate,
        today: NaiveDate,
    ) -> Result<DepartmentProgress, StoreError> {
        let calendar = self.calendar();
        self.read(|c| {
            let department = acting_department(c, actor)?;
            let stats = count_all(c, &calendar, from, to, &None, today)?;
            stats
                .progress
                .departments
                .into_iter()
                .find(|d| d.code == department.code.as_str())
                .ok_or_else(|| corrupt("progress row", department.code.as_str()))
        })
    }
}

fn count_all(
    c: &mut AnyConnection,
    calendar: &WorkingDayCalendar,
    from: NaiveDate,
    to: NaiveDate,
    jurisdiction: &Option<JurisdictionCode>,
    today: NaiveDate,
) -> Result<Stats, StoreError> {
    let mut tally = Tally::new(from, to, today, calendar)?;
    let within = Within::of(jurisdiction);
    let registered: Vec<(String, String, String)> = departments::table
        .select((
            departments::code,
            departments::name,
            departments::jurisdiction_code,
        ))
        .load(c)?;
    for (code, name, place) in &registered {
        let shown = within.0.as_str() <= place.as_str() && place <= &within.1;
        tally.department(code, name, shown);
    }
    let listings = count_entries(c, &within, &mut tally)?;
    let dispatches_by_status = count_dispatches(c, &within, &mut tally, from, to)?;
    count_lifts(c, &within, &mut tally, from, to)?;
    count_checks(c, &within, &mut tally, from, to)?;
    count_objections(c, &within, &mut tally, to)?;
    count_repairs(c, &within, &mut tally, to)?;
    count_double_publicity(c, &within, &mut tally, from, to)?;
    Ok(Stats {
        listings,
        dispatches_by_status,
        progress: tally.finish(),
    })
}

/// Every entry: its period and state decide whether it was added in the period or is in force at
/// its end.
fn count_entries(
    c: &mut AnyConnection,
    within: &Within,
    tally: &mut Tally<'_>,
) -> Result<Vec<ListingCount>, StoreError> {
    type Row = (String, String, NaiveDateTime, NaiveDate, NaiveDate, String);
    let rows: Vec<Row> = list_entries::table
        .inner_join(subjects::table)
        .filter(subjects::jurisdiction_code.between(&within.0, &within.1))
        .select((
            list_entries::list_type_id,
            list_entries::created_by,
            list_entries::created_at,
            list_entries::start_date,
            list_entries::end_date,
            list_entries::status,
        ))
        .load(c)?;
    let mut per_list: BTreeMap<(String, String), (i64, i64)> = BTreeMap::new();
    for (list_type, by, created_at, start, end, status) in rows {
        let status = parse(&status, "entry status", EntryStatus::parse)?;
        let (added, active) = tally.entry(&by, china_day(created_at), status, start, end);
        if added || active {
            let slot = per_list.entry((list_type, by)).or_default();
            slot.0 += i64::from(added);
            slot.1 += i64::from(active);
        }
    }
    Ok(per_list
        .into_iter()
        .map(
            |((list_type_id, department), (added, active))| ListingCount {
                list_type_id,
                department,
                added,
                active,
            },
        )
        .collect())
}

fn count_dispatches(
    c: &mut AnyConnection,
    within: &Within,
    tally: &mut Tally<'_>,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<(DispatchStatus, i64)>, StoreError> {
    // Grouped in the database: a year of a city's dispatches is millions of rows, but only
    // thousands of (department, status, days) groups.
    type Row = (
        String,
        String,
        NaiveDate,
        Option<NaiveDate>,
        Option<NaiveDate>,
        i64,
    );
    let rows: Vec<Row> = dispatches::table
        .inner_join(list_entries::table.inner_join(subjects::table))
        .filter(dispatches::created_on.between(from, to))
        .filter(subjects::jurisdiction_code.between(&within.0, &within.1))
        .group_by((
            dispatches::department_code,
            dispatches::status,
            dispatches::created_on,
            dispatches::answered_on,
            dispatches::acknowledge_by,
        ))
        .select((
            dispatches::department_code,
            dispatches::status,
            dispatches::created_on,
            dispatches::answered_on,
            dispatches::acknowledge_by,
            diesel::dsl::count_star(),
        ))
        .load(c)?;
    let mut by_status: HashMap<DispatchStatus, i64> = HashMap::new();
    for (to_dept, status, made, answered_on, acknowledge_by, count) in rows {
        let status = parse(&status, "dispatch status", DispatchStatus::parse)?;
        *by_status.entry(status).or_default() += count;
        tally.dispatches(&to_dept, status, made, answered_on, acknowledge_by, count);
    }
    Ok(DispatchStatus::ALL
        .iter()
        .map(|s| (*s, by_status.get(s).copied().unwrap_or(0)))
        .collect())
}

/// Lifts count for their implementing department on the day they were requested, grouped in the
/// database as dispatches are.
fn count_lifts(
    c: &mut AnyConnection,
    within: &Within,
    tally: &mut Tally<'_>,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<(), StoreError> {
    type Row = (String, NaiveDate, Option<NaiveDate>, Option<NaiveDate>, i64);
    let rows: Vec<Row> = lifts::table
        .inner_join(dispatches::table.inner_join(list_entries::table.inner_join(subjects::table)))
        .filter(lifts::requested_on.between(from, to))
        .filter(subjects::jurisdiction_code.between(&within.0, &within.1))
        .group_by((
            lifts::department_code,
            lifts::requested_on,
            lifts::confirmed_on,
            lifts::lift_by,
        ))
        .select((
            lifts::department_code,
            lifts::requested_on,
            lifts::confirmed_on,
            lifts::lift_by,
            diesel::dsl::count_star(),
        ))
        .load(c)?;
    for (of, requested_on, confirmed_on, lift_by, count) in rows {
        tally.lifts(&of, requested_on, confirmed_on.is_some(), lift_by, count);
    }
    Ok(())
}

/// Checks count for the department that made them, by its jurisdiction (a check may name a code
/// no subject has).
fn count_checks(
    c: &mut AnyConnection,
    within: &Within,
    tally: &mut Tally<'_>,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<(), StoreError> {
    let rows: Vec<(String, NaiveDate)> = checks::table
        .inner_join(departments::table.on(departments::code.eq(checks::department_code)))
        .filter(checks::created_on.between(from, to))
        .filter(departments::jurisdiction_code.between(&within.0, &within.1))
        .select((checks::department_code, checks::created_on))
        .load(c)?;
    for (by, on) in rows {
        tally.check(&by, on);
    }
    Ok(())
}

fn count_objections(
    c: &mut AnyConnection,
    within: &Within,
    tally: &mut Tally<'_>,
    to: NaiveDate,
) -> Result<(), StoreError> {
    type Row = (
        String,
        String,
        String,
        NaiveDate,
        Option<NaiveDate>,
        Option<NaiveDate>,
    );
    let rows: Vec<Row> = objections::table
        .inner_join(subjects::table.on(subjects::id.eq(objections::subject_id)))
        .filter(objections::filed_on.le(to))
        .filter(subjects::jurisdiction_code.between(&within.0, &within.1))
        .select((
            objections::id,
            objections::owner_department,
            objections::status,
            objections::filed_on,
            objections::accept_by,
            objections::decide_by,
        ))
        .load(c)?;
    // The days of each objection's steps after filing: its acceptance and its closing.
    let steps: Vec<(String, String, NaiveDateTime)> = objection_steps::table
        .inner_join(objections::table.on(objections::id.eq(objection_steps::objection_id)))
        .filter(objections::filed_on.le(to))
        .filter(objection_steps::status.ne(ObjectionStatus::Submitted.as_str()))
        .select((
            objection_steps::objection_id,
            objection_steps::status,
            objection_steps::at,
        ))
        .load(c)?;
    let mut days: HashMap<String, (Option<NaiveDate>, Option<NaiveDate>)> = HashMap::new();
    for (id, status, at) in steps {
        let slot = days.entry(id).or_default();
        if status == ObjectionStatus::Accepted.as_str() {
            slot.0 = Some(china_day(at));
        } else {
            slot.1 = Some(china_day(at));
        }
    }
    for (id, owner, status, filed_on, accept_by, decide_by) in rows {
        let status = parse(&status, "objection status", ObjectionStatus::parse)?;
        let (accepted_on, closed_on) = days.get(&id).copied().unwrap_or_default();
        tally.objection(
            &owner,
            status,
            filed_on,
            accept_by,
            decide_by,
            accepted_on,
            closed_on,
        );
    }
    Ok(())
}

fn count_repairs(
    c: &mut AnyConnection,
    within: &Within,
    tally: &mut Tally<'_>,
    to: NaiveDate,
) -> Result<(), StoreError> {
    type Row = (String, String, NaiveDate, Option<NaiveDateTime>);
    let rows: Vec<Row> = repairs::table
        .inner_join(subjects::table.on(subjects::id.eq(repairs::subject_id)))
        .filter(repairs::applied_on.le(to))
        .filter(subjects::jurisdiction_code.between(&within.0, &within.1))
        .select((
            repairs::owner_department,
            repairs::status,
            repairs::applied_on,
            repairs::decided_at,
        ))
        .load(c)?;
    for (owner, status, applied_on, decided_at) in rows {
        let status = parse(&status, "repair status", RepairStatus::parse)?;
        tally.repair(&owner, status, applied_on, decided_at.map(china_day));
    }
    Ok(())
}

fn count_double_publicity(
    c: &mut AnyConnection,
    within: &Within,
    tally: &mut Tally<'_>,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<(), StoreError> {
    let kinds = [
        CreditRecordKind::Licence.as_str(),
        CreditRecordKind::Penalty.as_str(),
    ];
    let rows: Vec<(String, NaiveDate, NaiveDate)> = credit_records::table
        .inner_join(subjects::table)
        .filter(credit_records::kind.eq_any(kinds))
        .filter(credit_records::decision_date.between(from, to))
        .filter(subjects::jurisdiction_code.between(&within.0, &within.1))
        .select((
            credit_records::source_department,
            credit_records::decision_date,
            credit_records::publication_date,
        ))
        .load(c)?;
    for (source, decided, published) in rows {
        tally.double_publicity(&source, decided, published);
    }
    Ok(())
}
