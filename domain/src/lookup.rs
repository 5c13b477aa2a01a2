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
}

impl LookupVia {
    pub fn as_str(self) -> &'static str {
        match self {
            LookupVia::Subject => "subject",
            LookupVia::Screen => "screen",
            LookupVia::Report => "report",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [LookupVia::Subject, LookupVia::Screen, LookupVia::Report]
            .into_iter()
            .find(|v| v.as_str() == s)
    }
}

/// The longest purpose kept.
pub const MAX_PURPOSE_CHARS: usize = 200;

/// A look-up to log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewLookup {
    pub subject_id: String,
    pub department: DepartmentCode,
    pub via: LookupVia,
    pub purpose: Option<String>,
}

/// A logged look-up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lookup {
    pub id: String,
    pub at: DateTime<Utc>,
    pub department: DepartmentCode,
    pub via: LookupVia,
    pub purpose: Option<String>,
}

/// Who is logged when looking a subject up: every token holder but the subject itself; the
/// public's anonymous look-ups are not (they see only what is public anyway).
pub fn logged_as(principal: &Principal) -> Option<&DepartmentCode> {
    match principal {
        Principal::Department(d) => Some(&d.department),
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
        Principal::Department(_) => Err(DomainError::forbidden("查询记录只向主体本人开放")),
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
