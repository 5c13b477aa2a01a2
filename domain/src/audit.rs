//! The audit trail's hash chain: each record's hash covers its content and the previous hash, so
//! that changing or deleting a record breaks the chain at that point.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// The hash before the first record.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditRecord {
    pub seq: i64,
    pub at: DateTime<Utc>,
    pub request_id: String,
    pub actor: String,
    pub department: Option<String>,
    pub action: String,
    pub target: String,
    pub outcome: String,
    pub digest: String,
    pub prev_hash: String,
    pub hash: String,
}

/// What a record's hash is computed over, one field per line, in a fixed order. Microseconds are
/// the stored precision of both backends.
pub fn canonical(r: &AuditRecord) -> String {
    [
        r.seq.to_string(),
        r.at.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string(),
        r.request_id.clone(),
        r.actor.clone(),
        r.department.clone().unwrap_or_default(),
        r.action.clone(),
        r.target.clone(),
        r.outcome.clone(),
        r.digest.clone(),
        r.prev_hash.clone(),
    ]
    .join("\n")
}

/// Where a chain first breaks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Break {
    /// A record's hash does not match its content: it was changed.
    Altered { seq: i64 },
    /// A record does not follow the one before it: records between were deleted or reordered.
    Unlinked { seq: i64, expected_seq: i64 },
}

/// Checks records in order with `hash` (SHA-256 hex of a string): `Ok(count)` or the first break.
pub fn verify(
    records: impl IntoIterator<Item = AuditRecord>,
    hash: impl Fn(&str) -> String,
) -> Result<u64, Break> {
    let mut prev = GENESIS.to_owned();
    let mut count = 0;
    for (expected, r) in (1..).zip(records) {
        if r.seq != expected || r.prev_hash != prev {
            return Err(Break::Unlinked {
                seq: r.seq,
                expected_seq: expected,
            });
        }
        if hash(&canonical(&r)) != r.hash {
            return Err(Break::Altered { seq: r.seq });
        }
        prev = r.hash;
        count += 1;
    }
    Ok(count)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toy_hash(s: &str) -> String {
        format!(
            "{:016x}",
            s.bytes()
                .fold(1469598103934665603u64, |h, b| (h ^ u64::from(b))
                    .wrapping_mul(1099511628211))
        )
    }

    fn chain(n: i64) -> Vec<AuditRecord> {
        let mut prev = GENESIS.to_owned();
        (1..=n)
            .map(|seq| {
                let mut r = AuditRecord {
                    seq,
                    at: Utc::now(),
                    request_id: format!("req-{seq}"),
                    actor: "210900.court".into(),
                    department: Some("210900.court".into()),
                    action: "addListEntry".into(),
                    target: format!("e{seq}"),
                    outcome: "ok".into(),
                    digest: "d".into(),
                    prev_hash: prev.clone(),
                    hash: String::new(),
                };
                r.hash = toy_hash(&canonical(&r));
                prev = r.hash.clone();
                r
            })
            .collect()
    }

    #[test]
    fn an_untouched_chain_verifies() {
        assert_eq!(verify(chain(5), toy_hash), Ok(5));
    }

    #[test]
    fn a_changed_record_is_named() {
        let mut c = chain(5);
        c[2].outcome = "FORBIDDEN".into();
        assert_eq!(verify(c, toy_hash), Err(Break::Altered { seq: 3 }));
    }

    #[test]
    fn a_deleted_record_breaks_the_link_after_it() {
        let mut c = chain(5);
        c.remove(1);
        assert_eq!(
            verify(c, toy_hash),
            Err(Break::Unlinked {
                seq: 3,
                expected_seq: 2
            })
        );
    }
}
