//! 定期报送 (progress reporting): the figures the seed plan asks every department to report to the
//! credit office for a period — listings published, dispatches received and answered, checks made,
//! objections and repairs handled on time, double publicity on time — per department, per calendar
//! month and in all.
//!
//! Facts are fed in one by one and each is counted on one day: for its department, its month and
//! the whole. A month's figures are those of its days alone, so the months add up to the period and
//! a month reads the same as a report for that month.

use crate::EntryStatus;
use crate::calendar::WorkingDayCalendar;
use crate::dispatch::{self, DispatchStatus};
use crate::error::DomainError;
use crate::objection::{self, ObjectionStatus};
use crate::record;
use crate::repair::{self, RepairStatus};
use chrono::{Datelike, NaiveDate};
use std::collections::BTreeMap;
use std::fmt;

/// A calendar month, shown as `2026-11`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Month {
    pub year: i32,
    pub month: u32,
}

impl Month {
    pub fn of(day: NaiveDate) -> Self {
        Month {
            year: day.year(),
            month: day.month(),
        }
    }

    fn next(self) -> Self {
        if self.month == 12 {
            Month {
                year: self.year + 1,
                month: 1,
            }
        } else {
            Month {
                month: self.month + 1,
                ..self
            }
        }
    }
}

impl fmt::Display for Month {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

/// Cases of one kind handled in the period, and how many within their deadline.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Timeliness {
    pub handled: i64,
    pub on_time: i64,
    /// Handled, but the working-day calendar cannot tell whether in time (it lacks the year).
    pub unknown: i64,
}

impl Timeliness {
    fn count(&mut self, in_time: Option<bool>) {
        self.handled += 1;
        match in_time {
            Some(true) => self.on_time += 1,
            Some(false) => {}
            None => self.unknown += 1,
        }
    }

    /// Share handled in time of those that can be judged; `None` when none can.
    pub fn share(&self) -> Option<f64> {
        let judged = self.handled - self.unknown;
        (judged > 0).then(|| self.on_time as f64 / judged as f64)
    }
}

/// The figures of one department, one month, or the whole period.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Figures {
    /// List entries published (made on the platform) in the period.
    pub entries_added: i64,
    /// Dispatches received as implementing department.
    pub dispatched: i64,
    /// Of those, cancelled because their entry ended before an answer.
    pub cancelled: i64,
    /// Of those, answered with feedback (applied or not applicable).
    pub answered: i64,
    /// Of those, still unacknowledged past their deadline today.
    pub dispatches_overdue: i64,
    /// Lifts requested of it (measures it applied whose entry ended), by the day requested.
    pub lifts_requested: i64,
    /// Of those, confirmed lifted.
    pub lifts_confirmed: i64,
    /// Of those, still unconfirmed past their deadline today.
    pub lifts_overdue: i64,
    /// Working days from dispatch to answer → how many answers took that long.
    response_days: BTreeMap<u32, i64>,
    response_unknown: bool,
    /// Checks made while handling business (核查).
    pub checks: i64,
    /// Objections closed in the period (refused, upheld or rejected).
    pub objections: Timeliness,
    /// Objections filed in the period and still waiting past their deadline today.
    pub objections_overdue: i64,
    /// Repair applications decided in the period.
    pub repairs: Timeliness,
    /// Repair applications made in the period and still undecided past their deadline today.
    pub repairs_overdue: i64,
    /// Licences and penalties decided in the period, public within 7 working days or not.
    pub publicity: Timeliness,
}

impl Figures {
    /// answered / (dispatched − cancelled); `None` when nothing was left to answer.
    pub fn feedback_rate(&self) -> Option<f64> {
        let open = self.dispatched - self.cancelled;
        (open > 0).then(|| self.answered as f64 / open as f64)
    }

    /// Median working days from dispatch to feedback; `None` without answers, or when the
    /// calendar lacks a year it needs.
    pub fn median_response_working_days(&self) -> Option<f64> {
        if self.response_unknown {
            return None;
        }
        let n: i64 = self.response_days.values().sum();
        if n == 0 {
            return None;
        }
        // The values at the two middle positions (the same one when n is odd).
        let (lower, upper) = ((n - 1) / 2, n / 2);
        let (mut below, mut low, mut high) = (0, None, None);
        for (days, count) in &self.response_days {
            below += count;
            if low.is_none() && below > lower {
                low = Some(*days);
            }
            if below > upper {
                high = Some(*days);
                break;
            }
        }
        Some((f64::from(low?) + f64::from(high?)) / 2.0)
    }
}

/// One department's row of the report.
#[derive(Debug, Clone, PartialEq)]
pub struct DepartmentProgress {
    pub code: String,
    /// Empty when the department is not registered (facts may outlive a reference-data change).
    pub name: String,
    /// Entries it published that are in force on the period's last day (or today, if earlier).
    pub active_entries: i64,
    pub figures: Figures,
}

/// A whole report: per department (every registered one in scope, even with nothing to report),
/// per month of the period (every month, even empty), and in all.
#[derive(Debug, Clone, PartialEq)]
pub struct Progress {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub departments: Vec<DepartmentProgress>,
    pub months: Vec<(Month, Figures)>,
    pub total: Figures,
    pub total_active_entries: i64,
}

/// Counts facts into a [`Progress`].
pub struct Tally<'a> {
    from: NaiveDate,
    to: NaiveDate,
    today: NaiveDate,
    calendar: &'a WorkingDayCalendar,
    names: BTreeMap<String, String>,
    departments: BTreeMap<String, DepartmentProgress>,
    months: BTreeMap<Month, Figures>,
    total: Figures,
    total_active: i64,
}

impl<'a> Tally<'a> {
    /// A report of the days `from..=to`, read on `today` (for what is overdue now).
    pub fn new(
        from: NaiveDate,
        to: NaiveDate,
        today: NaiveDate,
        calendar: &'a WorkingDayCalendar,
    ) -> Result<Self, DomainError> {
        if to < from {
            return Err(DomainError::invalid("to", "结束日期不能早于开始日期"));
        }
        let mut months = BTreeMap::new();
        let mut m = Month::of(from);
        while m <= Month::of(to) {
            months.insert(m, Figures::default());
            m = m.next();
        }
        Ok(Tally {
            from,
            to,
            today,
            calendar,
            names: BTreeMap::new(),
            departments: BTreeMap::new(),
            months,
            total: Figures::default(),
            total_active: 0,
        })
    }

    /// Names a department; `shown` gives it a row even if it has nothing to report.
    pub fn department(&mut self, code: &str, name: &str, shown: bool) {
        self.names.insert(code.to_owned(), name.to_owned());
        if shown {
            self.row(code);
        }
    }

    fn row(&mut self, code: &str) -> &mut DepartmentProgress {
        let name = self.names.get(code).cloned().unwrap_or_default();
        self.departments
            .entry(code.to_owned())
            .or_insert_with(|| DepartmentProgress {
                code: code.to_owned(),
                name,
                active_entries: 0,
                figures: Figures::default(),
            })
    }

    /// Counts a fact of `department` on `day`, if the day is in the period.
    fn count(&mut self, department: &str, day: NaiveDate, f: impl Fn(&mut Figures)) {
        if day < self.from || day > self.to {
            return;
        }
        f(&mut self.row(department).figures);
        f(self.months.entry(Month::of(day)).or_default());
        f(&mut self.total);
    }

    /// A list entry its department published on `created_on` (China's date). Returns whether it
    /// was published in the period, and whether it is in force at the period's end.
    pub fn entry(
        &mut self,
        by: &str,
        created_on: NaiveDate,
        stored: EntryStatus,
        start: NaiveDate,
        end: NaiveDate,
    ) -> (bool, bool) {
        let added = self.from <= created_on && created_on <= self.to;
        self.count(by, created_on, |f| f.entries_added += 1);
        let as_of = self.to.min(self.today);
        let active = stored == EntryStatus::Active && start <= as_of && end >= as_of;
        if active {
            self.row(by).active_entries += 1;
            self.total_active += 1;
        }
        (added, active)
    }

    /// `count` dispatches `to` an implementing department, made on `made`, alike in all else.
    pub fn dispatches(
        &mut self,
        to: &str,
        status: DispatchStatus,
        made: NaiveDate,
        answered_on: Option<NaiveDate>,
        acknowledge_by: Option<NaiveDate>,
        count: i64,
    ) {
        // Applied ones may have been lifted since: answered all the same.
        let answered = status.was_applied() || status == DispatchStatus::NotApplicable;
        let response = match (answered, answered_on) {
            (true, Some(on)) => Some(dispatch::response_working_days(self.calendar, made, on).ok()),
            _ => None,
        };
        let overdue =
            status == DispatchStatus::Pending && acknowledge_by.is_some_and(|by| self.today > by);
        self.count(to, made, |f| {
            f.dispatched += count;
            if status == DispatchStatus::Cancelled {
                f.cancelled += count;
            }
            if answered {
                f.answered += count;
            }
            match response {
                Some(Some(days)) => *f.response_days.entry(days).or_default() += count,
                Some(None) => f.response_unknown = true,
                None => {}
            }
            if overdue {
                f.dispatches_overdue += count;
            }
        });
    }

    /// `count` lifts requested of an implementing department on `requested_on`, alike in all
    /// else: confirmed or not, and due by `lift_by`.
    pub fn lifts(
        &mut self,
        of: &str,
        requested_on: NaiveDate,
        confirmed: bool,
        lift_by: Option<NaiveDate>,
        count: i64,
    ) {
        let overdue = crate::lift::overdue(confirmed, lift_by, self.today);
        self.count(of, requested_on, |f| {
            f.lifts_requested += count;
            if confirmed {
                f.lifts_confirmed += count;
            }
            if overdue {
                f.lifts_overdue += count;
            }
        });
    }

    /// A check a department made on `on`.
    pub fn check(&mut self, by: &str, on: NaiveDate) {
        self.count(by, on, |f| f.checks += 1);
    }

    /// An objection against something `owner` decided. `accepted_on` and `closed_on` are the days
    /// of its acceptance and of its closing step, where it has them.
    #[allow(clippy::too_many_arguments)]
    pub fn objection(
        &mut self,
        owner: &str,
        status: ObjectionStatus,
        filed_on: NaiveDate,
        accept_by: Option<NaiveDate>,
        decide_by: Option<NaiveDate>,
        accepted_on: Option<NaiveDate>,
        closed_on: Option<NaiveDate>,
    ) {
        if status.is_pending() {
            if objection::waits_past_deadline(status, accept_by, decide_by, self.today) {
                self.count(owner, filed_on, |f| f.objections_overdue += 1);
            }
        } else if let Some(closed) = closed_on {
            let in_time = objection::handled_in_time(accept_by, decide_by, accepted_on, closed);
            self.count(owner, closed, |f| f.objections.count(in_time));
        }
    }

    /// A repair application to `owner`, made on `applied_on`, decided on `decided_on` if it was.
    pub fn repair(
        &mut self,
        owner: &str,
        status: RepairStatus,
        applied_on: NaiveDate,
        decided_on: Option<NaiveDate>,
    ) {
        match (status, decided_on) {
            (RepairStatus::Submitted, _) => {
                if repair::waits_past_deadline(self.calendar, status, applied_on, self.today) {
                    self.count(owner, applied_on, |f| f.repairs_overdue += 1);
                }
            }
            (_, Some(decided)) => {
                let in_time = repair::decided_in_time(self.calendar, applied_on, decided);
                self.count(owner, decided, |f| f.repairs.count(in_time));
            }
            (_, None) => {}
        }
    }

    /// A licence or penalty its source department decided on `decided` and made public on
    /// `published`.
    pub fn double_publicity(&mut self, source: &str, decided: NaiveDate, published: NaiveDate) {
        let in_time = record::published_in_time(self.calendar, decided, published).ok();
        self.count(source, decided, |f| f.publicity.count(in_time));
    }

    pub fn finish(self) -> Progress {
        Progress {
            from: self.from,
            to: self.to,
            departments: self.departments.into_values().collect(),
            months: self.months.into_iter().collect(),
            total: self.total,
            total_active_entries: self.total_active,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures::d;

    fn calendar() -> WorkingDayCalendar {
        WorkingDayCalendar::bundled().unwrap()
    }

    #[test]
    fn an_empty_period_has_every_month_and_every_shown_department() {
        let cal = calendar();
        let mut t = Tally::new(d("2026-10-15"), d("2026-12-02"), d("2026-12-05"), &cal).unwrap();
        t.department("210900.tax", "市税务局", true);
        t.department("210900.court", "市法院", false);
        let p = t.finish();
        let months: Vec<String> = p.months.iter().map(|(m, _)| m.to_string()).collect();
        assert_eq!(months, ["2026-10", "2026-11", "2026-12"]);
        assert_eq!(p.departments.len(), 1);
        assert_eq!(p.departments[0].name, "市税务局");
        assert_eq!(p.total, Figures::default());
        assert!(Tally::new(d("2026-11-02"), d("2026-11-01"), d("2026-11-02"), &cal).is_err());
    }

    #[test]
    fn facts_count_on_their_day_only_inside_the_period_and_months_add_up() {
        let cal = calendar();
        let today = d("2026-11-30");
        let mut t = Tally::new(d("2026-10-01"), d("2026-11-30"), today, &cal).unwrap();
        t.department("210900.tax", "市税务局", true);
        t.check("210900.tax", d("2026-10-09"));
        t.check("210900.tax", d("2026-11-09"));
        t.check("210900.tax", d("2026-09-30"));
        t.entry(
            "210900.tax",
            d("2026-11-03"),
            EntryStatus::Active,
            d("2026-01-01"),
            d("2029-01-01"),
        );
        t.entry(
            "210900.tax",
            d("2026-08-03"),
            EntryStatus::Revoked,
            d("2026-01-01"),
            d("2029-01-01"),
        );
        t.dispatches(
            "210900.finance",
            DispatchStatus::Applied,
            d("2026-11-02"),
            Some(d("2026-11-04")),
            Some(d("2026-11-09")),
            1,
        );
        t.dispatches(
            "210900.finance",
            DispatchStatus::Pending,
            d("2026-11-02"),
            None,
            Some(d("2026-11-09")),
            1,
        );
        t.dispatches(
            "210900.finance",
            DispatchStatus::Cancelled,
            d("2026-10-12"),
            None,
            Some(d("2026-10-19")),
            1,
        );
        let p = t.finish();
        assert_eq!(
            p.total.checks, 2,
            "the day before the period is not counted"
        );
        assert_eq!(p.total.entries_added, 1);
        assert_eq!(
            p.total_active_entries, 1,
            "the revoked entry is not in force"
        );
        let finance = &p.departments[0];
        assert_eq!(finance.code, "210900.finance");
        assert_eq!(finance.name, "", "not named: still shown, by its code");
        assert_eq!(
            (finance.figures.dispatched, finance.figures.cancelled),
            (3, 1)
        );
        assert_eq!(finance.figures.answered, 1);
        assert_eq!(finance.figures.dispatches_overdue, 1);
        assert_eq!(finance.figures.feedback_rate(), Some(0.5));
        assert_eq!(finance.figures.median_response_working_days(), Some(2.0));
        let (oct, nov) = (&p.months[0].1, &p.months[1].1);
        assert_eq!((oct.checks, nov.checks), (1, 1));
        assert_eq!((oct.dispatched, nov.dispatched), (1, 2));
        assert_eq!(oct.dispatched + nov.dispatched, p.total.dispatched);
    }

    #[test]
    fn lifts_count_requested_confirmed_and_overdue_and_lifted_dispatches_stay_answered() {
        let cal = calendar();
        let today = d("2026-11-30");
        let mut t = Tally::new(d("2026-11-01"), d("2026-11-30"), today, &cal).unwrap();
        let housing = "210900.housing";
        for status in [DispatchStatus::LiftRequested, DispatchStatus::Lifted] {
            t.dispatches(
                housing,
                status,
                d("2026-11-02"),
                Some(d("2026-11-03")),
                Some(d("2026-11-09")),
                1,
            );
        }
        t.lifts(housing, d("2026-11-16"), true, Some(d("2026-11-23")), 2);
        t.lifts(housing, d("2026-11-16"), false, Some(d("2026-11-23")), 3);
        t.lifts(housing, d("2026-11-27"), false, Some(d("2026-12-04")), 1);
        t.lifts(housing, d("2026-10-30"), false, Some(d("2026-11-06")), 1);
        let f = &t.finish().departments[0].figures;
        assert_eq!(f.answered, 2, "applied, then lifted: still answered");
        assert_eq!(f.median_response_working_days(), Some(1.0));
        assert_eq!(
            (f.lifts_requested, f.lifts_confirmed, f.lifts_overdue),
            (6, 2, 3),
            "October's is outside the period; 27 Nov's is not due yet"
        );
    }

    #[test]
    fn the_median_response_weighs_alike_dispatches_by_their_count() {
        let cal = calendar();
        let today = d("2026-11-30");
        let median = |answers: &[(&str, i64)]| {
            let mut t = Tally::new(d("2026-11-01"), d("2026-11-30"), today, &cal).unwrap();
            for (answered, count) in answers {
                t.dispatches(
                    "210900.finance",
                    DispatchStatus::Applied,
                    d("2026-11-02"),
                    Some(d(answered)),
                    None,
                    *count,
                );
            }
            t.finish().total.median_response_working_days()
        };
        assert_eq!(median(&[]), None);
        assert_eq!(median(&[("2026-11-03", 3)]), Some(1.0));
        assert_eq!(median(&[("2026-11-03", 1), ("2026-11-05", 1)]), Some(2.0));
        assert_eq!(median(&[("2026-11-03", 2), ("2026-11-05", 1)]), Some(1.0));
        assert_eq!(
            median(&[("2026-11-03", 1), ("2026-11-04", 1), ("2026-11-06", 2)]),
            Some(3.0),
            "1, 2, 4, 4"
        );
    }

    #[test]
    fn objections_repairs_and_publicity_count_in_time_late_and_unknown() {
        let cal = calendar();
        let today = d("2026-11-30");
        let mut t = Tally::new(d("2026-11-01"), d("2026-12-31"), today, &cal).unwrap();
        let o = "210900.market";
        // Filed 2 Nov (Monday): accept by 4 Nov; accepted 3 Nov, decide by 17 Nov.
        t.objection(
            o,
            ObjectionStatus::Rejected,
            d("2026-11-02"),
            Some(d("2026-11-04")),
            Some(d("2026-11-17")),
            Some(d("2026-11-03")),
            Some(d("2026-11-10")),
        );
        t.objection(
            o,
            ObjectionStatus::NotAccepted,
            d("2026-11-02"),
            Some(d("2026-11-04")),
            None,
            None,
            Some(d("2026-11-06")),
        );
        t.objection(
            o,
            ObjectionStatus::Submitted,
            d("2026-11-02"),
            Some(d("2026-11-04")),
            None,
            None,
            None,
        );
        t.repair(
            o,
            RepairStatus::Approved,
            d("2026-11-02"),
            Some(d("2026-11-16")),
        );
        t.repair(
            o,
            RepairStatus::Rejected,
            d("2026-11-02"),
            Some(d("2026-11-17")),
        );
        t.repair(o, RepairStatus::Submitted, d("2026-11-02"), None);
        t.repair(
            o,
            RepairStatus::Approved,
            d("2026-12-28"),
            Some(d("2026-12-29")),
        );
        t.repair(
            o,
            RepairStatus::Approved,
            d("2026-12-18"),
            Some(d("2026-12-31")),
        );
        t.double_publicity(o, d("2026-11-02"), d("2026-11-11"));
        t.double_publicity(o, d("2026-11-02"), d("2026-11-12"));
        t.double_publicity(o, d("2026-12-28"), d("2026-12-28"));
        t.double_publicity(o, d("2026-12-24"), d("2026-12-31"));
        t.double_publicity(o, d("2026-12-24"), d("2027-01-04"));
        let f = t.finish().total;
        assert_eq!(
            f.objections,
            Timeliness {
                handled: 2,
                on_time: 1,
                unknown: 0
            }
        );
        assert_eq!(f.objections.share(), Some(0.5));
        assert_eq!(f.objections_overdue, 1);
        assert_eq!(
            f.repairs,
            Timeliness {
                handled: 4,
                on_time: 2,
                unknown: 1
            },
            "16 Nov is the tenth working day; decided the next day is in time whatever the \
             calendar; applied 18 Dec and decided 31 Dec needs 2027"
        );
        assert_eq!(f.repairs_overdue, 1);
        assert_eq!(
            f.publicity,
            Timeliness {
                handled: 5,
                on_time: 3,
                unknown: 1
            },
            "7 working days after 2 Nov is 11 Nov; within 7 days is on time whatever the calendar; \
             24 Dec to 4 Jan needs 2027"
        );
        assert_eq!(Timeliness::default().share(), None);
    }
}
