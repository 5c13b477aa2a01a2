//! The working-day calendar as stored: each year's notice in `working_calendar_years`, loaded by
//! the credit office at run time, so that no redeploy is needed when the State Council publishes
//! a year. Every instance keeps the calendar in memory and reloads it when the stored revision
//! moves ([`Store::refresh_calendar`]); deadlines that fell past the calendar are filled in once
//! their year is there ([`Store::fill_pending_deadlines`]).

use super::catalogue::acting_credit_office;
use super::{Store, hold_sequence_lock, now};
use crate::conn::AnyConnection;
use crate::error::{StoreError, corrupt};
use crate::schema::{dispatches, working_calendar_years};
use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use domain::access::DepartmentPrincipal;
use domain::calendar::{self, CalendarYear};
use domain::{DomainError, WorkingDayCalendar};
use std::sync::{Arc, RwLock};

/// Any number, the same on every instance: loads of the calendar take their revisions in order.
const CALENDAR_LOCK: i64 = 0x7869_6e79_6f6e_6703;

/// The calendar an instance holds, and the stored revision it was read at; shared by every clone
/// of the store.
#[derive(Clone, Default)]
pub struct CalendarHandle(Arc<RwLock<(i64, Arc<WorkingDayCalendar>)>>);

impl std::fmt::Debug for CalendarHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("CalendarHandle")
            .field(&self.get().0)
            .finish()
    }
}

impl CalendarHandle {
    /// The calendar as last read.
    pub fn current(&self) -> Arc<WorkingDayCalendar> {
        self.get().1
    }

    fn get(&self) -> (i64, Arc<WorkingDayCalendar>) {
        let guard = self.0.read().unwrap_or_else(|p| p.into_inner());
        (guard.0, guard.1.clone())
    }

    fn set(&self, revision: i64, calendar: WorkingDayCalendar) {
        let mut guard = self.0.write().unwrap_or_else(|p| p.into_inner());
        *guard = (revision, Arc::new(calendar));
    }
}

/// Deadlines that a load (or a sweep) filled in, by kind.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FilledDeadlines {
    pub dispatches: usize,
    pub objections: usize,
    pub complaints: usize,
    pub lifts: usize,
    pub removals: usize,
}

impl FilledDeadlines {
    pub fn total(&self) -> usize {
        self.dispatches + self.objections + self.complaints + self.lifts + self.removals
    }
}

/// What loading a notice did.
#[derive(Debug, Clone)]
pub struct CalendarLoaded {
    /// The years the notice held, now stored.
    pub years: Vec<i32>,
    pub filled: FilledDeadlines,
    /// The calendar as it is after the load.
    pub calendar: Arc<WorkingDayCalendar>,
}

#[derive(Queryable, Selectable, Insertable)]
#[diesel(table_name = working_calendar_years)]
struct YearRow {
    year: i32,
    off_days: String,
    work_days: String,
    source: String,
    loaded_at: NaiveDateTime,
    revision: i64,
}

fn join(days: &std::collections::BTreeSet<NaiveDate>) -> String {
    days.iter()
        .map(|d| d.to_string())
        .collect::<Vec<_>>()
        .join(",")
}

fn split(text: &str) -> Result<Vec<NaiveDate>, StoreError> {
    text.split(',')
        .filter(|s| !s.is_empty())
        .map(|s| s.parse().map_err(|_| corrupt("calendar day", s)))
        .collect()
}

impl TryFrom<YearRow> for CalendarYear {
    type Error = StoreError;
    fn try_from(r: YearRow) -> Result<Self, StoreError> {
        CalendarYear::new(r.year, &split(&r.off_days)?, &split(&r.work_days)?)
            .map_err(|e| StoreError::Internal(format!("stored calendar year {}: {e}", r.year)))
    }
}

fn stored_revision(c: &mut AnyConnection) -> Result<i64, StoreError> {
    let max: Option<i64> = working_calendar_years::table
        .select(diesel::dsl::max(working_calendar_years::revision))
        .first(c)?;
    Ok(max.unwrap_or(0))
}

fn read_calendar(c: &mut AnyConnection) -> Result<(i64, WorkingDayCalendar), StoreError> {
    let rows: Vec<YearRow> = working_calendar_years::table
        .select(YearRow::as_select())
        .load(c)?;
    let revision = rows.iter().map(|r| r.revision).max().unwrap_or(0);
    let years = rows
        .into_iter()
        .map(CalendarYear::try_from)
        .collect::<Result<Vec<_>, _>>()?;
    Ok((revision, WorkingDayCalendar::from_years(years)))
}

/// Stores `years` under one new revision; `replace` says whether a year already stored is
/// replaced (a load) or kept (the bundled years, which never override a loaded one).
fn store_years(
    c: &mut AnyConnection,
    years: &[CalendarYear],
    source: &str,
    replace: bool,
) -> Result<usize, StoreError> {
    hold_sequence_lock(c, CALENDAR_LOCK)?;
    let revision = stored_revision(c)? + 1;
    let mut stored = 0;
    for y in years {
        let exists = working_calendar_years::table
            .find(y.year)
            .select(working_calendar_years::year)
            .first::<i32>(c)
            .optional()?
            .is_some();
        if exists && !replace {
            continue;
        }
        if exists {
            diesel::delete(working_calendar_years::table.find(y.year)).execute(c)?;
        }
        diesel::insert_into(working_calendar_years::table)
            .values(YearRow {
                year: y.year,
                off_days: join(&y.off),
                work_days: join(&y.work),
                source: source.to_owned(),
                loaded_at: now(),
                revision,
            })
            .execute(c)?;
        stored += 1;
    }
    Ok(stored)
}

impl Store {
    /// The working-day calendar as this instance last read it.
    pub fn calendar(&self) -> Arc<WorkingDayCalendar> {
        self.policy.calendar.current()
    }

    /// Stores the years of `json` (a notice file) that the database lacks, recorded as `source`:
    /// a year already stored, loaded by the credit office say, is never replaced by them. Then
    /// reads the calendar. The bundled years are installed so whenever the store migrates.
    pub fn install_calendar(&self, json: &str, source: &str) -> Result<(), StoreError> {
        let years = calendar::parse_notice(json)
            .map_err(|e| StoreError::Internal(format!("calendar from {source}: {e}")))?;
        let missing = self.read(|c| {
            let stored: Vec<i32> = working_calendar_years::table
                .select(working_calendar_years::year)
                .load(c)?;
            Ok(years.iter().any(|y| !stored.contains(&y.year)))
        })?;
        if missing {
            self.write(|c| {
                store_years(c, &years, source, false)?;
                let (_, loaded) = read_calendar(c)?;
                fill_all(c, &loaded, self.policy.acknowledge_working_days)
            })?;
        }
        self.refresh_calendar().map(|_| ())
    }

    /// The credit office loads a year's notice (the shape of `data/cn-working-days.json`): checked
    /// whole, stored for every instance, and the deadlines that were waiting for it filled in, in
    /// one transaction.
    pub fn load_working_calendar(
        &self,
        actor: &DepartmentPrincipal,
        json: &str,
    ) -> Result<CalendarLoaded, StoreError> {
        self.load_calendar_notice(Some(actor), json, None)
    }

    /// As [`Store::load_working_calendar`], by the operator (the CLI, the `calendar_file`
    /// setting), recorded as `source`.
    pub fn load_working_calendar_as(
        &self,
        source: &str,
        json: &str,
    ) -> Result<CalendarLoaded, StoreError> {
        self.load_calendar_notice(None, json, Some(source))
    }

    fn load_calendar_notice(
        &self,
        actor: Option<&DepartmentPrincipal>,
        json: &str,
        source: Option<&str>,
    ) -> Result<CalendarLoaded, StoreError> {
        let years = calendar::parse_notice(json)
            .map_err(|e| DomainError::invalid("input.json", e.to_string()))?;
        let (revision, loaded, filled) = self.write(|c| {
            let source = match actor {
                Some(a) => {
                    const WHO: &str = "只有信用办可以载入工作日历";
                    acting_credit_office(c, a, WHO)?.code.to_string()
                }
                None => source.unwrap_or("operator").to_owned(),
            };
            store_years(c, &years, &source, true)?;
            let (revision, loaded) = read_calendar(c)?;
            let filled = fill_all(c, &loaded, self.policy.acknowledge_working_days)?;
            Ok((revision, loaded, filled))
        })?;
        self.policy.calendar.set(revision, loaded);
        Ok(CalendarLoaded {
            years: years.iter().map(|y| y.year).collect(),
            filled,
            calendar: self.calendar(),
        })
    }

    /// Reads the calendar again if another instance (or process) loaded a year since this one
    /// last read it; returns whether it changed. Cheap when nothing did: one small query.
    pub fn refresh_calendar(&self) -> Result<bool, StoreError> {
        let (held, _) = self.policy.calendar.get();
        let stored = self.read(stored_revision)?;
        if stored == held && held != 0 {
            return Ok(false);
        }
        let (revision, loaded) = self.read(read_calendar)?;
        self.policy.calendar.set(revision, loaded);
        Ok(revision != held)
    }

    /// Fills in the deadlines that fell past the calendar when they were set and can be computed
    /// now. The sweep runs it, for rows written by an instance whose calendar was behind.
    pub fn fill_pending_deadlines(&self) -> Result<FilledDeadlines, StoreError> {
        let calendar = self.calendar();
        let days = self.policy.acknowledge_working_days;
        self.write(|c| fill_all(c, &calendar, days))
    }
}

fn fill_all(
    c: &mut AnyConnection,
    calendar: &WorkingDayCalendar,
    acknowledge_working_days: u32,
) -> Result<FilledDeadlines, StoreError> {
    Ok(FilledDeadlines {
        dispatches: fill_dispatches(c, calendar, acknowledge_working_days)?,
        objections: super::objections::fill_pending(c, calendar)?,
        complaints: super::complaints::fill_pending(c, calendar)?,
        lifts: super::lifts::fill_pending(c, calendar)?,
        removals: super::entries::fill_removals(c, calendar)?,
    })
}

/// Dispatches' acknowledgement deadlines, one update per day they were made on.
fn fill_dispatches(
    c: &mut AnyConnection,
    calendar: &WorkingDayCalendar,
    working_days: u32,
) -> Result<usize, StoreError> {
    let days: Vec<NaiveDate> = dispatches::table
        .filter(dispatches::acknowledge_by.is_null())
        .select(dispatches::created_on)
        .distinct()
        .load(c)?;
    let mut filled = 0;
    for made in days {
        let Some(by) = domain::dispatch::acknowledge_by(calendar, made, working_days) else {
            continue;
        };
        filled += diesel::update(
            dispatches::table
                .filter(dispatches::acknowledge_by.is_null())
                .filter(dispatches::created_on.eq(made)),
        )
        .set(dispatches::acknowledge_by.eq(Some(by)))
        .execute(c)?;
    }
    Ok(filled)
}
