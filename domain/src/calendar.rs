//! The Mainland China working-day calendar: weekends, public holidays and the swapped working
//! weekends, as the State Council publishes them each year. The platform ships the years it knew
//! when it was built; the credit office loads each new year's notice at run time.

use chrono::{Datelike, Days, NaiveDate, Weekday};
use serde::Deserialize;
use std::collections::{BTreeMap, BTreeSet};

/// The calendar shipped with the project (`data/cn-working-days.json`).
pub const BUNDLED: &str = include_str!("../../data/cn-working-days.json");

/// With fewer days of calendar left than this, readiness reports `degraded` and the server warns:
/// the next year's notice is usually published in November.
pub const WARN_DAYS_LEFT: i64 = 45;

/// The years a notice may be for.
const YEARS: std::ops::RangeInclusive<i32> = 2000..=2100;

/// Fixed-date statutory holidays (全国年节及纪念日放假办法: 元旦, 劳动节, 国庆节): every whole
/// year's notice gives each one that falls on a weekday off. A notice without them is not a
/// whole year.
pub const FIXED_HOLIDAYS: [(u32, u32, &str); 6] = [
    (1, 1, "元旦"),
    (5, 1, "劳动节"),
    (5, 2, "劳动节"),
    (10, 1, "国庆节"),
    (10, 2, "国庆节"),
    (10, 3, "国庆节"),
];

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CalendarError {
    /// The calendar has no notice for this year, so whether a day is a working day is unknown.
    #[error("{0}年工作日历尚未载入")]
    YearUnknown(i32),
    #[error("工作日历格式不正确：{0}")]
    Malformed(String),
}

/// One year's notice: the weekdays off and the weekend days worked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CalendarYear {
    pub year: i32,
    pub off: BTreeSet<NaiveDate>,
    pub work: BTreeSet<NaiveDate>,
}

impl CalendarYear {
    /// Checks one year: every date inside it, holidays on weekdays and worked days on weekends,
    /// no day twice, and the fixed-date statutory holidays present (a whole year).
    pub fn new(year: i32, off: &[NaiveDate], work: &[NaiveDate]) -> Result<Self, CalendarError> {
        let bad = |m: String| Err(CalendarError::Malformed(m));
        if !YEARS.contains(&year) {
            return bad(format!(
                "年份 {year} 不在 {}–{} 之间",
                YEARS.start(),
                YEARS.end()
            ));
        }
        if let Some(d) = off.iter().chain(work).find(|d| d.year() != year) {
            return bad(format!("{d} 不属于{year}年"));
        }
        if let Some(d) = off.iter().find(|d| work.contains(d)) {
            return bad(format!("{d} 同时列为放假日和调休上班日"));
        }
        if let Some(d) = off.iter().find(|d| is_weekend(**d)) {
            return bad(format!(
                "{d} 是周末，不应列为放假日（off 只列工作日中的假日）"
            ));
        }
        if let Some(d) = work.iter().find(|d| !is_weekend(**d)) {
            return bad(format!(
                "{d} 不是周末，不应列为调休上班日（work 只列周末上班日）"
            ));
        }
        let off_set: BTreeSet<NaiveDate> = off.iter().copied().collect();
        let work_set: BTreeSet<NaiveDate> = work.iter().copied().collect();
        if off_set.len() != off.len() || work_set.len() != work.len() {
            return bad(format!("{year}年有日期重复列出"));
        }
        for (month, day, name) in FIXED_HOLIDAYS {
            let Some(date) = NaiveDate::from_ymd_opt(year, month, day) else {
                continue;
            };
            if !is_weekend(date) && !off_set.contains(&date) {
                return bad(format!(
                    "{year}年不完整：{date}（{name}）未列为放假日；请载入国务院公布的全年安排"
                ));
            }
        }
        Ok(CalendarYear {
            year,
            off: off_set,
            work: work_set,
        })
    }
}

/// Which days are working days, for the years whose notices it holds; any other year is an error.
#[derive(Debug, Clone, Default)]
pub struct WorkingDayCalendar {
    years: BTreeMap<i32, CalendarYear>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileYear {
    off: Vec<NaiveDate>,
    work: Vec<NaiveDate>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    #[serde(default)]
    #[expect(dead_code, reason = "a note for people; read only to be allowed")]
    about: Option<String>,
    years: BTreeMap<String, FileYear>,
}

/// Reads a notice file in the format of `data/cn-working-days.json`, checking every year in it.
pub fn parse_notice(text: &str) -> Result<Vec<CalendarYear>, CalendarError> {
    let file: File = serde_json::from_str(text)
        .map_err(|e| CalendarError::Malformed(format!("不是所需的 JSON 格式（{e}）")))?;
    if file.years.is_empty() {
        return Err(CalendarError::Malformed("文件中没有年份 (years)".into()));
    }
    file.years
        .into_iter()
        .map(|(key, y)| {
            let year: i32 = key
                .parse()
                .map_err(|_| CalendarError::Malformed(format!("年份 {key:?} 不是四位数字")))?;
            CalendarYear::new(year, &y.off, &y.work)
        })
        .collect()
}

impl WorkingDayCalendar {
    /// A calendar that knows no year: every question about a day is answered with an error.
    pub fn empty() -> Self {
        WorkingDayCalendar::default()
    }

    /// The calendar shipped with the project.
    pub fn bundled() -> Result<Self, CalendarError> {
        Self::from_json(BUNDLED)
    }

    /// Reads a calendar in the format of `data/cn-working-days.json`.
    pub fn from_json(text: &str) -> Result<Self, CalendarError> {
        Ok(Self::from_years(parse_notice(text)?))
    }

    /// A calendar of these years (a later one of the same year replaces an earlier).
    pub fn from_years(years: impl IntoIterator<Item = CalendarYear>) -> Self {
        WorkingDayCalendar {
            years: years.into_iter().map(|y| (y.year, y)).collect(),
        }
    }

    /// The years this calendar knows.
    pub fn years(&self) -> impl Iterator<Item = i32> + '_ {
        self.years.keys().copied()
    }

    /// The last day of the unbroken run of known years that holds `today`; `None` when today's own
    /// year is unknown.
    pub fn covered_until(&self, today: NaiveDate) -> Option<NaiveDate> {
        let mut year = today.year();
        if !self.years.contains_key(&year) {
            return None;
        }
        while self.years.contains_key(&(year + 1)) {
            year += 1;
        }
        NaiveDate::from_ymd_opt(year, 12, 31)
    }

    /// Days from `today` to the last day the calendar covers (0 on that day, negative never: a
    /// calendar that does not cover today has 0 left).
    pub fn days_left(&self, today: NaiveDate) -> i64 {
        self.covered_until(today)
            .map_or(0, |last| (last - today).num_days())
    }

    /// Fewer than [`WARN_DAYS_LEFT`] days left: readiness is degraded and the server warns.
    pub fn running_out(&self, today: NaiveDate) -> bool {
        self.days_left(today) < WARN_DAYS_LEFT
    }

    /// The first year from `today` on that the calendar lacks: what a deadline that cannot be
    /// computed waits for.
    pub fn first_missing_year(&self, today: NaiveDate) -> i32 {
        self.covered_until(today)
            .map_or(today.year(), |last| last.year() + 1)
    }

    /// Why a deadline from `today` on is not known yet, for the people who read it.
    pub fn pending_reason(&self, today: NaiveDate) -> String {
        CalendarError::YearUnknown(self.first_missing_year(today)).to_string()
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

    /// Whether `day` falls within `n` working days after `start` (on or before the `n`-th). Known
    /// without the calendar when `day` is within `n` calendar days, since `n` working days never
    /// end sooner; otherwise it fails when a year it needs is missing: never a guess.
    pub fn within_working_days(
        &self,
        start: NaiveDate,
        n: u32,
        day: NaiveDate,
    ) -> Result<bool, CalendarError> {
        if (day - start).num_days() <= i64::from(n) {
            return Ok(true);
        }
        Ok(day <= self.add_working_days(start, n)?)
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
    fn within_a_few_calendar_days_needs_no_calendar() {
        let none = WorkingDayCalendar::empty();
        assert_eq!(
            none.within_working_days(d("2027-01-04"), 5, d("2027-01-09")),
            Ok(true)
        );
        assert_eq!(
            none.within_working_days(d("2027-01-04"), 5, d("2027-01-10")),
            Err(CalendarError::YearUnknown(2027))
        );
        let cal = WorkingDayCalendar::bundled().unwrap();
        assert_eq!(
            cal.within_working_days(d("2026-11-27"), 5, d("2026-12-04")),
            Ok(true)
        );
        assert_eq!(
            cal.within_working_days(d("2026-11-27"), 5, d("2026-12-05")),
            Ok(false)
        );
    }

    #[test]
    fn malformed_calendars_are_refused() {
        let refused = |text: &str| {
            assert!(
                matches!(
                    WorkingDayCalendar::from_json(text),
                    Err(CalendarError::Malformed(_))
                ),
                "{text}"
            )
        };
        refused(r#"{"years":{"2026":{"off":["2026-11-28"],"work":[]}}}"#);
        refused(r#"{"years":{"2025":{"off":["2026-11-27"],"work":[]}}}"#);
        refused(r#"{"years":{}}"#);
        refused(r#"{"years":{"20x7":{"off":[],"work":[]}}}"#);
        refused(r#"{"year":{"2027":{"off":[],"work":[]}}}"#);
        refused(r#"{"years":{"2027":{"off":[],"work":[],"extra":[]}}}"#);
    }

    /// A notice for `year` with only the fixed-date holidays off (a test year, not a real notice).
    fn fixed_only(year: i32) -> String {
        let off: Vec<String> = FIXED_HOLIDAYS
            .iter()
            .filter_map(|(m, d, _)| NaiveDate::from_ymd_opt(year, *m, *d))
            .filter(|d| !is_weekend(*d))
            .map(|d| format!("\"{d}\""))
            .collect();
        format!(
            r#"{{"years":{{"{year}":{{"off":[{}],"work":[]}}}}}}"#,
            off.join(",")
        )
    }

    #[test]
    fn a_year_must_be_whole() {
        let cal = WorkingDayCalendar::from_json(&fixed_only(2027)).unwrap();
        assert_eq!(cal.years().collect::<Vec<_>>(), vec![2027]);
        let missing_october = fixed_only(2027).replace(r#","2027-10-01""#, "");
        let e = WorkingDayCalendar::from_json(&missing_october).unwrap_err();
        assert!(e.to_string().contains("2027-10-01"), "{e}");
    }

    #[test]
    fn no_day_is_both_off_and_worked_nor_listed_twice() {
        let both = r#"{"years":{"2027":{"off":["2027-01-01"],"work":["2027-01-01"]}}}"#;
        let e = WorkingDayCalendar::from_json(both).unwrap_err();
        assert!(e.to_string().contains("同时"), "{e}");
        let twice = fixed_only(2027).replace(r#""2027-01-01""#, r#""2027-01-01","2027-01-01""#);
        assert!(WorkingDayCalendar::from_json(&twice).is_err());
    }

    #[test]
    fn coverage_and_what_a_deadline_waits_for() {
        let cal = WorkingDayCalendar::bundled().unwrap();
        let today = d("2026-12-01");
        assert_eq!(cal.covered_until(today), Some(d("2026-12-31")));
        assert_eq!(cal.days_left(today), 30);
        assert!(cal.running_out(today));
        assert!(!cal.running_out(d("2026-11-16")), "45 days left");
        assert_eq!(cal.pending_reason(today), "2027年工作日历尚未载入");
        assert_eq!(cal.days_left(d("2027-01-05")), 0);
        assert_eq!(cal.first_missing_year(d("2027-01-05")), 2027);
        let mut years: Vec<CalendarYear> = parse_notice(BUNDLED).unwrap();
        years.extend(parse_notice(&fixed_only(2027)).unwrap());
        let longer = WorkingDayCalendar::from_years(years);
        assert_eq!(longer.covered_until(today), Some(d("2027-12-31")));
        assert_eq!(
            longer.add_working_days(d("2026-12-30"), 5).unwrap(),
            d("2027-01-07"),
            "1 January is off"
        );
    }
}
