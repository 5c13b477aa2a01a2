//! The Mainland China working-day calendar: weekends, public holidays and the swapped working
//! weekends, as the State Council publishes them each year.

use chrono::{Datelike, Days, NaiveDate, Weekday};
use serde::Deserialize;
use std::collections::{BTreeMap, BTreeSet};

/// The calendar shipped with the project (`data/cn-working-days.json`).
pub const BUNDLED: &str = include_str!("../../data/cn-working-days.json");

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CalendarError {
    /// The calendar has no notice for this year, so whether a day is a working day is unknown.
    #[error("工作日历不包含{0}年，无法计算工作日")]
    YearUnknown(i32),
    #[error("工作日历格式不正确：{0}")]
    Malformed(String),
}

#[derive(Debug, Clone, Default)]
struct Year {
    off: BTreeSet<NaiveDate>,
    work: BTreeSet<NaiveDate>,
}

/// Which days are working days, for the years whose notices it holds; any other year is an error.
#[derive(Debug, Clone)]
pub struct WorkingDayCalendar {
    years: BTreeMap<i32, Year>,
}

#[derive(Deserialize)]
struct FileYear {
    off: Vec<NaiveDate>,
    work: Vec<NaiveDate>,
}

#[derive(Deserialize)]
struct File {
    years: BTreeMap<String, FileYear>,
}

impl WorkingDayCalendar {
    /// A calendar that knows no year: every question about a day is answered with an error.
    pub fn empty() -> Self {
        WorkingDayCalendar {
            years: BTreeMap::new(),
        }
    }

    /// The calendar shipped with the project.
    pub fn bundled() -> Result<Self, CalendarError> {
        Self::from_json(BUNDLED)
    }

    /// Reads a calendar in the format of `data/cn-working-days.json`.
    pub fn from_json(text: &str) -> Result<Self, CalendarError> {
        let file: File =
            serde_json::from_str(text).map_err(|e| CalendarError::Malformed(e.to_string()))?;
        let mut years = BTreeMap::new();
        for (key, y) in file.years {
            let year: i32 = key
                .parse()
                .map_err(|_| CalendarError::Malformed(format!("year {key:?}")))?;
            let all = y.off.iter().chain(&y.work);
            if let Some(d) = all.clone().find(|d| d.year() != year) {
                return Err(CalendarError::Malformed(format!("{d} listed under {year}")));
            }
            if let Some(d) = y.off.iter().find(|d| is_weekend(**d)) {
                return Err(CalendarError::Malformed(format!(
                    "{d} is a weekend listed as off"
                )));
            }
            if let Some(d) = y.work.iter().find(|d| !is_weekend(**d)) {
                return Err(CalendarError::Malformed(format!(
                    "{d} is a weekday listed as work"
                )));
            }
            years.insert(
                year,
                Year {
                    off: y.off.into_iter().collect(),
                    work: y.work.into_iter().collect(),
                },
            );
        }
        Ok(WorkingDayCalendar { years })
    }

    /// The years this calendar knows.
    pub fn years(&self) -> impl Iterator<Item = i32> + '_ {
        self.years.keys().copied()
    }

    pub fn is_working_day(&self, day: NaiveDate) -> Result<bool, CalendarError> {
        let year = self
            .years
            .get(&day.year())
            .ok_or(CalendarError::YearUnknown(day.year()))?;
        Ok(if is_weekend(day) {
            year.work.contains(&day)
        } else {
            !year.off.contains(&day)
        })
    }

    /// The `n`-th working day after `start`; `start` itself never counts.
    pub fn add_working_days(&self, start: NaiveDate, n: u32) -> Result<NaiveDate, CalendarError> {
        let mut day = start;
        let mut left = n;
        while left > 0 {
            day = day
                .checked_add_days(Days::new(1))
                .ok_or(CalendarError::YearUnknown(day.year() + 1))?;
            if self.is_working_day(day)? {
                left -= 1;
            }
        }
        Ok(day)
    }

    /// How many working days lie after `from` up to and including `to` (0 when `to <= from`).
    pub fn working_days_between(
        &self,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<u32, CalendarError> {
        let mut count = 0;
        let mut day = from;
        while day < to {
            day = day
                .succ_opt()
                .ok_or(CalendarError::YearUnknown(day.year() + 1))?;
            if self.is_working_day(day)? {
                count += 1;
            }
        }
        Ok(count)
    }
}

fn is_weekend(day: NaiveDate) -> bool {
    matches!(day.weekday(), Weekday::Sat | Weekday::Sun)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures::d;

    #[derive(Deserialize)]
    struct Vector {
        start: NaiveDate,
        add_working_days: u32,
        result: NaiveDate,
        start_is_working_day: bool,
    }

    #[test]
    fn every_vector_passes() {
        let cal = WorkingDayCalendar::bundled().unwrap();
        let vectors: Vec<Vector> =
            serde_json::from_str(include_str!("../../vectors/working-days.json")).unwrap();
        assert!(!vectors.is_empty());
        for v in vectors {
            assert_eq!(
                cal.is_working_day(v.start).unwrap(),
                v.start_is_working_day,
                "{}",
                v.start
            );
            assert_eq!(
                cal.add_working_days(v.start, v.add_working_days).unwrap(),
                v.result,
                "{} + {}",
                v.start,
                v.add_working_days
            );
        }
    }

    #[test]
    fn swapped_weekend_is_a_working_day_and_holiday_is_not() {
        let cal = WorkingDayCalendar::bundled().unwrap();
        assert!(cal.is_working_day(d("2026-02-14")).unwrap()); // a Saturday worked for Spring Festival
        assert!(!cal.is_working_day(d("2026-10-01")).unwrap());
        assert!(!cal.is_working_day(d("2026-11-28")).unwrap()); // an ordinary Saturday
    }

    #[test]
    fn unknown_year_is_an_error_not_a_guess() {
        let cal = WorkingDayCalendar::bundled().unwrap();
        assert_eq!(
            cal.is_working_day(d("2027-03-01")),
            Err(CalendarError::YearUnknown(2027))
        );
        assert_eq!(
            cal.add_working_days(d("2026-12-30"), 5),
            Err(CalendarError::YearUnknown(2027))
        );
    }

    #[test]
    fn zero_days_is_the_start() {
        let cal = WorkingDayCalendar::bundled().unwrap();
        assert_eq!(
            cal.add_working_days(d("2026-11-28"), 0).unwrap(),
            d("2026-11-28")
        );
    }

    #[test]
    fn counts_working_days_between() {
        let cal = WorkingDayCalendar::bundled().unwrap();
        assert_eq!(
            cal.working_days_between(d("2026-11-27"), d("2026-12-04"))
                .unwrap(),
            5
        );
        assert_eq!(
            cal.working_days_between(d("2026-12-04"), d("2026-11-27"))
                .unwrap(),
            0
        );
    }

    #[test]
    fn malformed_calendars_are_refused() {
        let weekend_off = r#"{"years":{"2026":{"off":["2026-11-28"],"work":[]}}}"#;
        assert!(matches!(
            WorkingDayCalendar::from_json(weekend_off),
            Err(CalendarError::Malformed(_))
        ));
        let wrong_year = r#"{"years":{"2025":{"off":["2026-11-27"],"work":[]}}}"#;
        assert!(matches!(
            WorkingDayCalendar::from_json(wrong_year),
            Err(CalendarError::Malformed(_))
        ));
    }
}
