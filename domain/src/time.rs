//! What "today" means for the platform: the date in China Standard Time (UTC+8, no daylight saving).

use chrono::{DateTime, FixedOffset, NaiveDate, Utc};

const CST_SECONDS: i32 = 8 * 3600;

/// The calendar date in China at the instant `now`.
pub fn china_date(now: DateTime<Utc>) -> NaiveDate {
    match FixedOffset::east_opt(CST_SECONDS) {
        Some(cst) => now.with_timezone(&cst).date_naive(),
        None => now.date_naive(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn late_evening_utc_is_next_day_in_china() {
        let now: DateTime<Utc> = "2026-11-27T17:00:00Z".parse().unwrap();
        assert_eq!(china_date(now), "2026-11-28".parse::<NaiveDate>().unwrap());
    }
}
