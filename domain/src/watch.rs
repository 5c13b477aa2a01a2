//! Banks' watchlists (贷后监测): a bank watches the subjects it lends to, each with the subject's
//! authorisation (授权查询, for lending), and is told when one is listed or its entry revoked,
//! repaired or expires. It is told only while it watches and while that authorisation is in force:
//! the authorisation, not the watch, is the subject's consent.

use crate::authorisation::{Authorisation, ReportPurpose};
use crate::feed::{ChangeAction, ChangeTarget, NewChange};
use crate::{DepartmentCode, DomainError, Principal, Scope};
use chrono::{DateTime, NaiveDate, Utc};

/// Codes one request may watch or unwatch.
pub const MAX_CODES: usize = 1_000;

/// A bank's watch on a subject, from `since` until it is ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Watch {
    pub id: String,
    pub bank: DepartmentCode,
    pub subject_id: String,
    pub since: DateTime<Utc>,
    pub ended_at: Option<DateTime<Utc>>,
}

/// The changes a watching bank is told of: an entry made, revoked, repaired or expired.
pub fn concerns_watchers(change: &NewChange) -> bool {
    change.target == ChangeTarget::ListEntry
        && matches!(
            change.action,
            ChangeAction::Created
                | ChangeAction::Revoked
                | ChangeAction::Repaired
                | ChangeAction::Expired
        )
}

/// The bank behind a request that may keep a watchlist.
pub fn watching_bank(principal: &Principal) -> Result<&DepartmentCode, DomainError> {
    Ok(&principal.department_with(Scope::BankQuery)?.department)
}

/// The last day of the lending authorisations `bank` holds in force on `today`, if any.
pub fn authorised_until(
    bank: &DepartmentCode,
    authorisations: &[Authorisation],
    today: NaiveDate,
) -> Option<NaiveDate> {
    authorisations
        .iter()
        .filter(|a| a.bank == *bank && a.purpose == ReportPurpose::Lending && a.in_force_on(today))
        .map(|a| a.valid_until)
        .max()
}

/// A bank may start watching a subject only with the subject's lending authorisation in force.
pub fn may_watch(
    bank: &DepartmentCode,
    code: &str,
    authorisations: &[Authorisation],
    today: NaiveDate,
) -> Result<NaiveDate, DomainError> {
    authorised_until(bank, authorisations, today).ok_or_else(|| {
        DomainError::forbidden(format!(
            "主体 {code} 未授权本机构为信易贷查询，或授权已过期、已撤销：不能关注"
        ))
    })
}

/// Whether the watching bank is told of a change made at `at`: it watched then, and the
/// subject's lending authorisation for it was in force then.
pub fn told(watch: &Watch, authorisations: &[Authorisation], at: DateTime<Utc>) -> bool {
    let watching = watch.since <= at && watch.ended_at.is_none_or(|end| at < end);
    let day = crate::time::china_date(at);
    watching
        && authorisations.iter().any(|a| {
            a.bank == watch.bank
                && a.subject_id == watch.subject_id
                && a.purpose == ReportPurpose::Lending
                && a.valid_from <= day
                && day <= a.valid_until
                && a.revoked_at.is_none_or(|r| at < r)
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures::d;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().to_utc()
    }

    fn bank() -> DepartmentCode {
        DepartmentCode::parse("210900.icbc").unwrap()
    }

    fn lending(from: &str, until: &str, revoked: Option<&str>) -> Authorisation {
        Authorisation {
            id: "a".into(),
            subject_id: "s".into(),
            bank: bank(),
            purpose: ReportPurpose::Lending,
            valid_from: d(from),
            valid_until: d(until),
            granted_at: at("2026-11-01T00:00:00Z"),
            revoked_at: revoked.map(at),
        }
    }

    fn watch(ended: Option<&str>) -> Watch {
        Watch {
            id: "w".into(),
            bank: bank(),
            subject_id: "s".into(),
            since: at("2026-11-10T00:00:00Z"),
            ended_at: ended.map(at),
        }
    }

    #[test]
    fn watching_needs_a_lending_authorisation_in_force() {
        let a = lending("2026-11-01", "2027-10-31", None);
        assert_eq!(
            may_watch(&bank(), "X", std::slice::from_ref(&a), d("2026-11-28")).unwrap(),
            d("2027-10-31")
        );
        let bidding = Authorisation {
            purpose: ReportPurpose::Bidding,
            ..a.clone()
        };
        assert!(may_watch(&bank(), "X", &[bidding], d("2026-11-28")).is_err());
        let other = Authorisation {
            bank: DepartmentCode::parse("210900.fxbank").unwrap(),
            ..a
        };
        assert!(matches!(
            may_watch(&bank(), "X", &[other], d("2026-11-28")),
            Err(DomainError::Forbidden(_))
        ));
    }

    #[test]
    fn told_only_while_watching_and_authorised() {
        let a = lending("2026-11-01", "2026-12-31", Some("2026-12-20T00:00:00Z"));
        let w = watch(None);
        assert!(
            !told(&w, std::slice::from_ref(&a), at("2026-11-09T12:00:00Z")),
            "before the watch"
        );
        assert!(told(
            &w,
            std::slice::from_ref(&a),
            at("2026-11-28T12:00:00Z")
        ));
        assert!(
            !told(&w, std::slice::from_ref(&a), at("2026-12-20T00:00:01Z")),
            "after the revocation"
        );
        let ended = watch(Some("2026-11-20T00:00:00Z"));
        assert!(
            !told(&ended, &[a], at("2026-11-28T12:00:00Z")),
            "after the watch ended"
        );
        let lapsed = lending("2026-11-01", "2026-11-27", None);
        assert!(
            !told(&w, &[lapsed], at("2026-11-28T12:00:00Z")),
            "after its last day"
        );
    }

    #[test]
    fn only_an_entry_s_life_concerns_watchers() {
        let change = |target, action| NewChange {
            target,
            action,
            target_id: "e".into(),
            subject_id: "s".into(),
            subject_code: "X".into(),
            department: None,
        };
        assert!(concerns_watchers(&change(
            ChangeTarget::ListEntry,
            ChangeAction::Created
        )));
        assert!(concerns_watchers(&change(
            ChangeTarget::ListEntry,
            ChangeAction::Expired
        )));
        assert!(!concerns_watchers(&change(
            ChangeTarget::CreditRecord,
            ChangeAction::Created
        )));
        assert!(!concerns_watchers(&change(
            ChangeTarget::Subject,
            ChangeAction::Created
        )));
    }
}
