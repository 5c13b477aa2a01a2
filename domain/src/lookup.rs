//! The query log (查询记录): who looked a subject up, when, how and why. As credit bureaus let
//! people see who looked at them, a subject reads its own log.

use crate::{DepartmentCode, DomainError, Principal, SubjectCode};
use chrono::{DateTime, Utc};

/// How a subject was looked up.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LookupVia {
    /// `subject(code:)`.
    Subject,
    /// `screen(codes:)`, one of a batch.
    Screen,
    /// `creditReport(code:, purpose:)`, a full report under the subject's authorisation.
    Report,
    /// A person's whole identity number shown in any other answer (a list, a page, a record).
    List,
}

impl LookupVia {
    pub fn as_str(self) -> &'static str {
        match self {
            LookupVia::Subject => "subject",
            LookupVia::Screen => "screen",
            LookupVia::Report => "report",
            LookupVia::List => "list",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [
            LookupVia::Subject,
            LookupVia::Screen,
            LookupVia::Report,
            LookupVia::List,
        ]
        .into_iter()
        .find(|v| v.as_str() == s)
    }
}

/// The longest purpose kept.
pub const MAX_PURPOSE_CHARS: usize = 200;

/// Who looked: a department (or bank), or a partner app by its client id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Looker {
    Department(DepartmentCode),
    Partner(String),
}

impl Looker {
    const PARTNER: &'static str = "partner:";

    /// As stored: a department's code, or `partner:` and the client id.
    pub fn stored(&self) -> String {
        match self {
            Looker::Department(d) => d.to_string(),
            Looker::Partner(id) => format!("{}{id}", Self::PARTNER),
        }
    }

    pub fn parse(s: &str) -> Option<Looker> {
        match s.strip_prefix(Self::PARTNER) {
            Some(id) if !id.is_empty() => Some(Looker::Partner(id.to_owned())),
            Some(_) => None,
            None => DepartmentCode::parse(s).ok().map(Looker::Department),
        }
    }
}

/// A look-up to log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewLookup {
    pub subject_id: String,
    pub by: Looker,
    pub via: LookupVia,
    pub purpose: Option<String>,
}

/// A logged look-up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lookup {
    pub id: String,
    pub at: DateTime<Utc>,
    pub by: Looker,
    pub via: LookupVia,
    pub purpose: Option<String>,
}

/// Who is logged when looking a subject up: every token holder but the subject itself; the
/// public's anonymous look-ups are not (they see only what is public anyway).
pub fn logged_as(principal: &Principal) -> Option<Looker> {
    match principal {
        Principal::Department(d) => Some(Looker::Department(d.department.clone())),
        Principal::Partner(p) => Some(Looker::Partner(p.client_id.clone())),
        Principal::Anonymous | Principal::Subject { .. } => None,
    }
}

/// A purpose as given: trimmed, none when empty, refused when too long.
pub fn purpose(raw: Option<&str>) -> Result<Option<String>, DomainError> {
    let Some(p) = raw.map(str::trim).filter(|p| !p.is_empty()) else {
        return Ok(None);
    };
    if p.chars().count() > MAX_PURPOSE_CHARS {
        return Err(DomainError::invalid(
            "purpose",
            format!("查询目的不能超过{MAX_PURPOSE_CHARS}个字"),
        ));
    }
    Ok(Some(p.to_owned()))
}

/// Only the subject itself reads its query log.
pub fn may_read_log(principal: &Principal) -> Result<&SubjectCode, DomainError> {
    match principal {
        Principal::Subject { code } => Ok(code),
        Principal::Anonymous => Err(DomainError::Unauthenticated(
            "查看查询记录需要登录：请使用主体本人的令牌".into(),
        )),
        Principal::Department(_) | Principal::Partner(_) => {
            Err(DomainError::forbidden("查询记录只向主体本人开放"))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn purposes_are_trimmed_and_bounded() {
        assert_eq!(purpose(None), Ok(None));
        assert_eq!(purpose(Some("  ")), Ok(None));
        assert_eq!(purpose(Some(" 贷前审查 ")), Ok(Some("贷前审查".into())));
        assert!(purpose(Some(&"审".repeat(MAX_PURPOSE_CHARS + 1))).is_err());
    }

    #[test]
    fn only_token_holders_other_than_the_subject_are_logged() {
        assert_eq!(logged_as(&Principal::Anonymous), None);
        assert!(may_read_log(&Principal::Anonymous).is_err());
        assert_eq!(LookupVia::parse("screen"), Some(LookupVia::Screen));
    }
}
