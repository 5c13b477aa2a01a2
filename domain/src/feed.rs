//! The change feed (变更订阅) for upstream platforms (信用辽宁, 信用中国) and anyone else who must
//! follow the platform: every change to a subject's public standing, numbered in commit order, so
//! that a consumer resuming after the last number it saw misses nothing and sees nothing twice.

use crate::DepartmentCode;
use chrono::{DateTime, Utc};

/// What changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ChangeTarget {
    Subject,
    CreditRecord,
    ListEntry,
    /// A typical case (典型案例), when the credit office publishes it.
    TypicalCase,
}

/// How it changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ChangeAction {
    /// Registered, recorded or listed.
    Created,
    /// Corrected in place (a record, after an upheld objection; its old version is kept).
    Amended,
    /// Withdrawn or revoked (an error, an upheld objection).
    Revoked,
    /// Ended early by an approved credit repair.
    Repaired,
    /// Past its end: an entry that bound until yesterday no longer does.
    Expired,
    /// Removed by its owner on a ground of its list type (the court list's debtor performed).
    Removed,
}

macro_rules! names {
    ($t:ty { $($v:ident => $s:literal),+ $(,)? }) => {
        impl $t {
            pub fn as_str(self) -> &'static str {
                match self { $(Self::$v => $s),+ }
            }

            pub fn parse(s: &str) -> Option<Self> {
                [$(Self::$v),+].into_iter().find(|v| v.as_str() == s)
            }
        }
    };
}

names!(ChangeTarget {
    Subject => "subject",
    CreditRecord => "record",
    ListEntry => "entry",
    TypicalCase => "case",
});
names!(ChangeAction {
    Created => "created",
    Amended => "amended",
    Revoked => "revoked",
    Repaired => "repaired",
    Expired => "expired",
    Removed => "removed",
});

/// A change as made, before the feed numbers it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewChange {
    pub target: ChangeTarget,
    pub action: ChangeAction,
    pub target_id: String,
    pub subject_id: String,
    pub subject_code: String,
    /// The department that made it; none for an expiry.
    pub department: Option<DepartmentCode>,
}

/// A change in the feed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    /// Its place in commit order, from 1, without gaps.
    pub seq: i64,
    pub at: DateTime<Utc>,
    pub change: NewChange,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_read_back() {
        for t in [
            ChangeTarget::Subject,
            ChangeTarget::CreditRecord,
            ChangeTarget::ListEntry,
        ] {
            assert_eq!(ChangeTarget::parse(t.as_str()), Some(t));
        }
        for a in [
            ChangeAction::Created,
            ChangeAction::Amended,
            ChangeAction::Revoked,
            ChangeAction::Repaired,
            ChangeAction::Expired,
        ] {
            assert_eq!(ChangeAction::parse(a.as_str()), Some(a));
        }
        assert_eq!(ChangeAction::parse("deleted"), None);
    }
}
