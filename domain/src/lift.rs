//! 措施解除 (lifting measures): when a list entry ends, every measure a department applied on it is
//! to be lifted. Where the listing was wrong, what was done is undone and the subject's standing in
//! that business restored (plan §(十三): 因错误采取联合惩戒措施损害有关主体合法权益的…恢复其信誉、
//! 消除不良影响); where it ended in the ordinary way, the measure is no longer applied from now on.
//! The department confirms each lift within a deadline in working days.

use crate::calendar::WorkingDayCalendar;
use crate::department::DepartmentCode;
use crate::dispatch::DispatchStatus;
use crate::error::DomainError;
use crate::list::EntryStatus;
use crate::subject::{optional_text, required_text};
use chrono::{DateTime, NaiveDate, Utc};

/// Working days a department has to confirm a lift, unless its memorandum says otherwise.
pub const DEFAULT_LIFT_WORKING_DAYS: u32 = 5;

/// The most working days a memorandum may give.
pub const MAX_LIFT_WORKING_DAYS: u32 = 30;

/// Why a measure is lifted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LiftGround {
    /// The entry was revoked as an error or on an upheld objection: undo what was done and
    /// restore the subject's standing in that business.
    Wrongful,
    /// The entry was repaired, removed or expired: stop applying the measure from now on.
    Ended,
}

impl LiftGround {
    pub fn as_str(self) -> &'static str {
        match self {
            LiftGround::Wrongful => "wrongful",
            LiftGround::Ended => "ended",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [LiftGround::Wrongful, LiftGround::Ended]
            .into_iter()
            .find(|g| g.as_str() == s)
    }

    /// What the implementing department is asked to do, as it reads it.
    pub fn label(self) -> &'static str {
        match self {
            LiftGround::Wrongful => {
                "错误列入：撤销已采取的措施，恢复主体在该业务中的信誉、消除不良影响"
            }
            LiftGround::Ended => "名单已结束：自即日起停止实施该措施",
        }
    }

    /// The ground an entry's ending gives its applied measures; none while it is in force.
    pub fn of_ending(status: EntryStatus) -> Option<LiftGround> {
        match status {
            EntryStatus::Revoked => Some(LiftGround::Wrongful),
            EntryStatus::Expired | EntryStatus::Repaired | EntryStatus::Removed => {
                Some(LiftGround::Ended)
            }
            EntryStatus::Active => None,
        }
    }
}

/// One request to lift an applied measure, and its confirmation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lift {
    pub id: String,
    pub dispatch_id: String,
    pub department: DepartmentCode,
    pub ground: LiftGround,
    pub requested_at: DateTime<Utc>,
    /// The date in China it was requested: its deadline counts from here.
    pub requested_on: NaiveDate,
    /// The last working day to confirm; `None` while the calendar lacks the year (never guessed).
    pub lift_by: Option<NaiveDate>,
    pub confirmed_at: Option<DateTime<Utc>>,
    pub confirmed_on: Option<NaiveDate>,
    /// In which business the measure was lifted, and how.
    pub business: Option<String>,
    pub note: Option<String>,
}

impl Lift {
    pub fn is_open(&self) -> bool {
        self.confirmed_at.is_none()
    }

    /// Still unconfirmed past its deadline.
    pub fn is_overdue(&self, today: NaiveDate) -> bool {
        overdue(!self.is_open(), self.lift_by, today)
    }

    /// Confirmed, and by its deadline; `None` while that cannot be told.
    pub fn confirmed_in_time(&self, calendar: &WorkingDayCalendar, days: u32) -> Option<bool> {
        let on = self.confirmed_on?;
        calendar
            .within_working_days(self.requested_on, days, on)
            .ok()
    }
}

/// What an entry's ending asks of one of its dispatches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LiftStep {
    /// A new lift request (the dispatch was applied, or lifted as ended and is now found wrongful).
    Request,
    /// The open request, made because the entry ended, becomes one to undo a wrongful listing.
    MakeWrongful,
    /// Nothing to lift: never applied, or already asked on this ground.
    Nothing,
}

/// What to do with a dispatch in `status`, whose latest lift is `latest`, when its entry ends
/// on `ground`.
pub fn step_for(status: DispatchStatus, latest: Option<&Lift>, ground: LiftGround) -> LiftStep {
    let latest_ground = latest.map(|l| l.ground);
    match status {
        DispatchStatus::Applied => LiftStep::Request,
        DispatchStatus::LiftRequested
            if ground == LiftGround::Wrongful && latest_ground == Some(LiftGround::Ended) =>
        {
            LiftStep::MakeWrongful
        }
        DispatchStatus::Lifted
            if ground == LiftGround::Wrongful && latest_ground == Some(LiftGround::Ended) =>
        {
            LiftStep::Request
        }
        _ => LiftStep::Nothing,
    }
}

/// A lift unconfirmed past its deadline `lift_by` (none known yet: not overdue).
pub fn overdue(confirmed: bool, lift_by: Option<NaiveDate>, today: NaiveDate) -> bool {
    !confirmed && lift_by.is_some_and(|by| today > by)
}

/// The deadline to confirm a lift requested on `requested_on`.
pub fn lift_by(
    calendar: &WorkingDayCalendar,
    requested_on: NaiveDate,
    working_days: u32,
) -> Option<NaiveDate> {
    calendar.add_working_days(requested_on, working_days).ok()
}

/// A memorandum's lift deadline as typed; the default when not given.
pub fn parse_working_days(raw: Option<i32>) -> Result<u32, DomainError> {
    let Some(days) = raw else {
        return Ok(DEFAULT_LIFT_WORKING_DAYS);
    };
    u32::try_from(days)
        .ok()
        .filter(|d| (1..=MAX_LIFT_WORKING_DAYS).contains(d))
        .ok_or_else(|| {
            DomainError::invalid(
                "input.liftWorkingDays",
                format!("解除措施的期限应为1至{MAX_LIFT_WORKING_DAYS}个工作日"),
            )
        })
}

/// A lift as the implementing department confirms it.
#[derive(Debug, Clone, Default)]
pub struct RawLiftConfirmation {
    pub business: String,
    pub note: Option<String>,
}

impl RawLiftConfirmation {
    /// The business is always named; undoing a wrongful listing says what was done to restore the
    /// subject's standing.
    pub fn validate(&self, ground: LiftGround) -> Result<(String, Option<String>), DomainError> {
        let business = required_text("business", &self.business, 200)
            .map_err(|_| DomainError::invalid("input.business", "请写明在哪项业务中解除了措施"))?;
        let note = optional_text("note", self.note.as_deref(), 2000)?;
        if ground == LiftGround::Wrongful && note.is_none() {
            return Err(DomainError::invalid(
                "input.note",
                "错误列入的措施解除时，请说明如何恢复了主体信誉（如撤销了哪项决定）",
            ));
        }
        Ok((business, note))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures::d;

    fn lift(ground: LiftGround, confirmed: bool) -> Lift {
        Lift {
            id: "l".into(),
            dispatch_id: "d".into(),
            department: DepartmentCode::parse("210900.housing").unwrap(),
            ground,
            requested_at: Utc::now(),
            requested_on: d("2026-11-27"),
            lift_by: Some(d("2026-12-04")),
            confirmed_at: confirmed.then(Utc::now),
            confirmed_on: confirmed.then(|| d("2026-12-07")),
            business: None,
            note: None,
        }
    }

    #[test]
    fn the_ending_gives_the_ground() {
        assert_eq!(
            LiftGround::of_ending(EntryStatus::Revoked),
            Some(LiftGround::Wrongful)
        );
        assert_eq!(
            LiftGround::of_ending(EntryStatus::Repaired),
            Some(LiftGround::Ended)
        );
        assert_eq!(
            LiftGround::of_ending(EntryStatus::Expired),
            Some(LiftGround::Ended)
        );
        assert_eq!(LiftGround::of_ending(EntryStatus::Active), None);
    }

    #[test]
    fn what_an_ending_asks_of_each_dispatch() {
        use DispatchStatus::*;
        use LiftGround::*;
        assert_eq!(step_for(Applied, None, Ended), LiftStep::Request);
        assert_eq!(step_for(Applied, None, Wrongful), LiftStep::Request);
        for never in [Pending, Acknowledged, NotApplicable, Cancelled] {
            assert_eq!(step_for(never, None, Wrongful), LiftStep::Nothing);
        }
        let ended_open = lift(Ended, false);
        let ended_done = lift(Ended, true);
        let wrongful_done = lift(Wrongful, true);
        assert_eq!(
            step_for(LiftRequested, Some(&ended_open), Wrongful),
            LiftStep::MakeWrongful,
            "an expired entry found wrongful: undo, not only stop"
        );
        assert_eq!(
            step_for(Lifted, Some(&ended_done), Wrongful),
            LiftStep::Request
        );
        assert_eq!(
            step_for(Lifted, Some(&wrongful_done), Wrongful),
            LiftStep::Nothing
        );
        assert_eq!(
            step_for(LiftRequested, Some(&ended_open), Ended),
            LiftStep::Nothing
        );
    }

    #[test]
    fn overdue_and_in_time() {
        let cal = WorkingDayCalendar::bundled().unwrap();
        let open = lift(LiftGround::Ended, false);
        assert!(!open.is_overdue(d("2026-12-04")));
        assert!(open.is_overdue(d("2026-12-05")));
        let done = lift(LiftGround::Ended, true);
        assert!(!done.is_overdue(d("2027-01-05")));
        assert_eq!(done.confirmed_in_time(&cal, 5), Some(false));
        assert_eq!(done.confirmed_in_time(&cal, 6), Some(true));
    }

    #[test]
    fn confirmations_and_deadlines_are_checked() {
        let raw = RawLiftConfirmation {
            business: "招标投标".into(),
            note: None,
        };
        assert!(raw.validate(LiftGround::Ended).is_ok());
        assert!(matches!(
            raw.validate(LiftGround::Wrongful),
            Err(DomainError::Invalid { field, .. }) if field == "input.note"
        ));
        let blank = RawLiftConfirmation {
            business: " ".into(),
            note: Some("已撤销".into()),
        };
        assert!(blank.validate(LiftGround::Ended).is_err());
        assert_eq!(parse_working_days(None), Ok(DEFAULT_LIFT_WORKING_DAYS));
        assert_eq!(parse_working_days(Some(10)), Ok(10));
        assert!(parse_working_days(Some(0)).is_err());
        assert!(parse_working_days(Some(31)).is_err());
    }
}
