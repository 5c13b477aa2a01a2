//! Authorised queries (授权查询): a subject lets a named bank fetch its full credit report for one
//! purpose until a date; revoking ends it at once. Without one, a bank sees what the public sees.

use crate::{DepartmentCode, DomainError, Principal, Scope, SubjectCode};
use chrono::{DateTime, Months, NaiveDate, Utc};

/// What a report is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ReportPurpose {
    /// 信易贷：贷款审批 (lending)
    Lending,
    /// 公共资源交易：招标投标 (bidding)
    Bidding,
}

impl ReportPurpose {
    pub fn as_str(self) -> &'static str {
        match self {
            ReportPurpose::Lending => "lending",
            ReportPurpose::Bidding => "bidding",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [ReportPurpose::Lending, ReportPurpose::Bidding]
            .into_iter()
            .find(|p| p.as_str() == s)
    }
}

/// The longest an authorisation may run, from the day it is granted.
pub const MAX_MONTHS: u32 = 12;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Authorisation {
    pub id: String,
    pub subject_id: String,
    pub bank: DepartmentCode,
    pub purpose: ReportPurpose,
    pub valid_from: NaiveDate,
    /// The last day it may be used.
    pub valid_until: NaiveDate,
    pub granted_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
}

impl Authorisation {
    pub fn in_force_on(&self, today: NaiveDate) -> bool {
        self.revoked_at.is_none() && self.valid_from <= today && today <= self.valid_until
    }

    /// Revoking: once; an authorisation already revoked is a conflict, not a no-op.
    pub fn revoke(&self) -> Result<(), DomainError> {
        match self.revoked_at {
            Some(_) => Err(DomainError::conflict("该授权已经撤销")),
            None => Ok(()),
        }
    }
}

/// Only the subject itself grants and revokes, with its own token.
pub fn granting_subject(principal: &Principal) -> Result<&SubjectCode, DomainError> {
    match principal {
        Principal::Subject { code } => Ok(code),
        Principal::Anonymous => Err(DomainError::Unauthenticated(
            "授权需要登录：请使用主体本人的令牌".into(),
        )),
        Principal::Department(_) | Principal::Partner(_) => {
            Err(DomainError::forbidden("只有主体本人可以授权或撤销授权"))
        }
    }
}

/// The last day of a new authorisation, checked: from today, for at most [`MAX_MONTHS`].
pub fn valid_until(until: NaiveDate, today: NaiveDate) -> Result<NaiveDate, DomainError> {
    let latest = today
        .checked_add_months(Months::new(MAX_MONTHS))
        .unwrap_or(today);
    if until < today || until > latest {
        return Err(DomainError::invalid(
            "input.validUntil",
            format!("授权截止日期应在今天（{today}）到{latest}之间"),
        ));
    }
    Ok(until)
}

/// A bank may fetch a subject's full report only with `bank:query` and an authorisation of that
/// subject for this bank and purpose, in force today.
pub fn may_fetch_report<'a>(
    principal: &'a Principal,
    authorisations: &[Authorisation],
    purpose: ReportPurpose,
    today: NaiveDate,
) -> Result<&'a DepartmentCode, DomainError> {
    let bank = &principal.department_with(Scope::BankQuery)?.department;
    let authorised = authorisations
        .iter()
        .any(|a| a.bank == *bank && a.purpose == purpose && a.in_force_on(today));
    if !authorised {
        return Err(DomainError::forbidden(
            "该主体未授权本机构为此目的查询信用报告，或授权已过期、已撤销",
        ));
    }
    Ok(bank)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::DepartmentPrincipal;
    use crate::fixtures::d;

    fn bank(scopes: &[Scope]) -> Principal {
        Principal::Department(DepartmentPrincipal {
            department: DepartmentCode::parse("210900.icbc").unwrap(),
            jurisdiction: None,
            scopes: scopes.iter().copied().collect(),
        })
    }

    fn auth(bank: &str, until: &str) -> Authorisation {
        Authorisation {
            id: "a".into(),
            subject_id: "s".into(),
            bank: DepartmentCode::parse(bank).unwrap(),
            purpose: ReportPurpose::Lending,
            valid_from: d("2026-11-01"),
            valid_until: d(until),
            granted_at: Utc::now(),
            revoked_at: None,
        }
    }

    #[test]
    fn only_an_authorised_bank_for_that_purpose_and_day_fetches() {
        let p = bank(&[Scope::BankQuery]);
        let today = d("2026-11-28");
        let ok = [auth("210900.icbc", "2026-12-31")];
        assert!(may_fetch_report(&p, &ok, ReportPurpose::Lending, today).is_ok());
        assert!(may_fetch_report(&p, &ok, ReportPurpose::Bidding, today).is_err());
        assert!(
            may_fetch_report(
                &p,
                &[auth("210900.fxbank", "2026-12-31")],
                ReportPurpose::Lending,
                today
            )
            .is_err()
        );
        assert!(
            may_fetch_report(
                &p,
                &[auth("210900.icbc", "2026-11-27")],
                ReportPurpose::Lending,
                today
            )
            .is_err()
        );
        let mut revoked = auth("210900.icbc", "2026-12-31");
        revoked.revoked_at = Some(Utc::now());
        assert!(may_fetch_report(&p, &[revoked.clone()], ReportPurpose::Lending, today).is_err());
        assert!(revoked.revoke().is_err());
        assert!(may_fetch_report(&bank(&[]), &ok, ReportPurpose::Lending, today).is_err());
    }

    #[test]
    fn an_authorisation_runs_from_today_for_at_most_a_year() {
        let today = d("2026-11-28");
        assert!(valid_until(d("2026-11-27"), today).is_err());
        assert!(valid_until(d("2027-11-28"), today).is_ok());
        assert!(valid_until(d("2027-11-29"), today).is_err());
    }
}
