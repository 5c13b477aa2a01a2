//! Webhooks: pushes to a department's (or bank's) own system, for those that cannot hold a
//! subscription open. What an endpoint may be, what it is told, how a delivery is signed, and how
//! a delivery moves from owed to delivered or dead.
//!
//! A delivery is signed with HMAC-SHA256 over `{timestamp}.{body}`, with the endpoint's secret:
//! the receiver recomputes it, compares in constant time, and refuses timestamps far from its own
//! clock, so that a captured delivery cannot be replayed later by someone else.

use crate::DomainError;
use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use serde::Serialize;
use sha2::Sha256;
use std::time::Duration;

/// What an endpoint can be told.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum WebhookEvent {
    /// Measures its department must apply (联合奖惩措施), as listings dispatch them.
    DispatchCreated,
    /// Measures lifted: the entry ended (revoked, repaired, expired), its open dispatches cancelled.
    DispatchCancelled,
    /// Measures applied whose entry ended: the department is asked to lift them (措施解除), on
    /// the ground given (wrongful: undo and restore; ended: stop applying).
    DispatchLiftRequested,
    /// A bank's watched subject was listed, or its entry revoked, repaired or expired.
    WatchedSubjectChanged,
}

impl WebhookEvent {
    pub const ALL: [WebhookEvent; 4] = [
        WebhookEvent::DispatchCreated,
        WebhookEvent::DispatchCancelled,
        WebhookEvent::DispatchLiftRequested,
        WebhookEvent::WatchedSubjectChanged,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            WebhookEvent::DispatchCreated => "dispatch.created",
            WebhookEvent::DispatchCancelled => "dispatch.cancelled",
            WebhookEvent::DispatchLiftRequested => "dispatch.lift_requested",
            WebhookEvent::WatchedSubjectChanged => "watch.changed",
        }
    }

    /// The scope whose holders may be told of it.
    pub fn scope(self) -> crate::Scope {
        match self {
            WebhookEvent::DispatchCreated
            | WebhookEvent::DispatchCancelled
            | WebhookEvent::DispatchLiftRequested => crate::Scope::DispatchHandle,
            WebhookEvent::WatchedSubjectChanged => crate::Scope::BankQuery,
        }
    }

    /// The body's key for what it tells.
    fn items_key(self) -> &'static str {
        match self {
            WebhookEvent::DispatchCreated
            | WebhookEvent::DispatchCancelled
            | WebhookEvent::DispatchLiftRequested => "dispatches",
            WebhookEvent::WatchedSubjectChanged => "changes",
        }
    }

    pub fn parse(s: &str) -> Option<WebhookEvent> {
        Self::ALL.into_iter().find(|e| e.as_str() == s)
    }
}

/// Where a delivery stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeliveryStatus {
    /// Owed: waiting for its first or next attempt.
    Pending,
    /// The endpoint answered 2xx.
    Delivered,
    /// Every allowed attempt failed; kept, and sent again only when replayed.
    Dead,
}

impl DeliveryStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            DeliveryStatus::Pending => "pending",
            DeliveryStatus::Delivered => "delivered",
            DeliveryStatus::Dead => "dead",
        }
    }

    pub fn parse(s: &str) -> Option<DeliveryStatus> {
        [Self::Pending, Self::Delivered, Self::Dead]
            .into_iter()
            .find(|x| x.as_str() == s)
    }

    /// Sent again at the owner's request: only a delivery that is no longer owed.
    pub fn replay(self) -> Result<DeliveryStatus, DomainError> {
        match self {
            DeliveryStatus::Delivered | DeliveryStatus::Dead => Ok(DeliveryStatus::Pending),
            DeliveryStatus::Pending => Err(DomainError::conflict(
                "该推送尚在投递中，无需重放 (the delivery is still pending)",
            )),
        }
    }
}

/// How often and how patiently deliveries are tried.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts before a delivery is dead.
    pub max_attempts: u32,
    /// The wait after the first failure; it doubles after each further one.
    pub first_wait: Duration,
    /// The longest wait between two attempts.
    pub longest_wait: Duration,
}

impl Default for RetryPolicy {
    /// Eight attempts over about four hours: 30 s, 1, 2, 4, 8, 16, 32 min, then 1 h.
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 8,
            first_wait: Duration::from_secs(30),
            longest_wait: Duration::from_secs(3600),
        }
    }
}

/// What an attempt leads to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AfterAttempt {
    Delivered,
    /// Try again after this long.
    RetryAfter(Duration),
    Dead,
}

impl RetryPolicy {
    /// After the `attempts`-th attempt (counting from 1) of a pending delivery.
    pub fn after(&self, attempts: u32, succeeded: bool) -> AfterAttempt {
        if succeeded {
            return AfterAttempt::Delivered;
        }
        if attempts >= self.max_attempts {
            return AfterAttempt::Dead;
        }
        let doublings = attempts.saturating_sub(1).min(20);
        let wait = self
            .first_wait
            .saturating_mul(1u32 << doublings)
            .min(self.longest_wait);
        AfterAttempt::RetryAfter(wait)
    }
}

/// An endpoint's address: HTTPS anywhere, or plain HTTP to this machine (for tests and for a
/// receiver on the same host). Returns it trimmed.
pub fn parse_endpoint_url(raw: &str) -> Result<String, DomainError> {
    let field = "input.url";
    let raw = raw.trim();
    if raw.len() > 500 {
        return Err(DomainError::invalid(field, "地址过长（至多 500 个字符）"));
    }
    let url = url::Url::parse(raw)
        .map_err(|e| DomainError::invalid(field, format!("不是有效的网址：{e}")))?;
    let loopback = match url.host() {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => return Err(DomainError::invalid(field, "网址缺少主机名")),
    };
    match url.scheme() {
        "https" => {}
        "http" if loopback => {}
        "http" => {
            return Err(DomainError::invalid(
                field,
                "推送地址须为 HTTPS（仅本机地址可用 HTTP）",
            ));
        }
        other => {
            return Err(DomainError::invalid(
                field,
                format!("不支持的协议 {other}，请用 HTTPS"),
            ));
        }
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(DomainError::invalid(
            field,
            "网址中不能含用户名或密码；推送以签名证明来源",
        ));
    }
    Ok(url.to_string())
}

/// The department (or bank) behind a request that may keep an endpoint: one holding a scope
/// whose holders are told something.
pub fn may_own(principal: &crate::Principal) -> Result<&crate::DepartmentPrincipal, DomainError> {
    let mut refusal = None;
    for scope in WebhookEvent::ALL.map(WebhookEvent::scope) {
        match principal.department_with(scope) {
            Ok(d) => return Ok(d),
            Err(e) => refusal = refusal.or(Some(e)),
        }
    }
    Err(refusal.unwrap_or_else(|| DomainError::forbidden("无权登记推送地址")))
}

/// Who may be told what: each event needs its scope (dispatches `dispatch:handle`, a bank's
/// watched subjects `bank:query`).
pub fn may_register(
    actor: &crate::DepartmentPrincipal,
    events: &[WebhookEvent],
) -> Result<(), DomainError> {
    for e in events {
        let needed = e.scope();
        if !actor.scopes.contains(&needed) {
            return Err(DomainError::forbidden(format!(
                "订阅 {} 需要权限 {}",
                e.as_str(),
                needed.as_str()
            )));
        }
    }
    Ok(())
}

/// The events named, each once; none named means all that the actor may be told.
pub fn chosen_events(
    actor: &crate::DepartmentPrincipal,
    named: &[WebhookEvent],
) -> Vec<WebhookEvent> {
    WebhookEvent::ALL
        .into_iter()
        .filter(|e| {
            if named.is_empty() {
                actor.scopes.contains(&e.scope())
            } else {
                named.contains(e)
            }
        })
        .collect()
}

/// The value of the signature header: `v1=` and the HMAC-SHA256 of `{timestamp}.{body}` in hex.
pub fn sign(secret: &str, timestamp: i64, body: &str) -> String {
    let mut mac = mac(secret);
    mac.update(format!("{timestamp}.").as_bytes());
    mac.update(body.as_bytes());
    let digest = mac.finalize().into_bytes();
    let mut hex = String::with_capacity(3 + digest.len() * 2);
    hex.push_str("v1=");
    for b in digest {
        hex.push_str(&format!("{b:02x}"));
    }
    hex
}

/// Whether `header` is the signature of `body` at `timestamp` (what a receiver checks).
pub fn verify(secret: &str, timestamp: i64, body: &str, header: &str) -> bool {
    let Some(hex) = header.strip_prefix("v1=") else {
        return false;
    };
    let Some(bytes) = decode_hex(hex) else {
        return false;
    };
    let mut mac = mac(secret);
    mac.update(format!("{timestamp}.").as_bytes());
    mac.update(body.as_bytes());
    mac.verify_slice(&bytes).is_ok()
}

fn mac(secret: &str) -> Hmac<Sha256> {
    // HMAC takes a key of any length, so this cannot fail.
    match Hmac::<Sha256>::new_from_slice(secret.as_bytes()) {
        Ok(m) => m,
        Err(_) => unreachable!("HMAC accepts keys of every length"),
    }
}

fn decode_hex(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok())
        .collect()
}

/// One dispatch as an endpoint is told of it.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DispatchNotice {
    pub dispatch_id: String,
    pub entry_id: String,
    pub subject_code: String,
    pub list_type: String,
    pub measure_id: String,
    pub memorandum_version_id: String,
    pub department: String,
    pub status: String,
    pub acknowledge_by: Option<chrono::NaiveDate>,
    pub feedback_due: chrono::NaiveDate,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cancel_reason: Option<String>,
    /// For a lift request: its ground and deadline.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lift: Option<LiftNotice>,
}

/// What a department is asked when a measure it applied is to be lifted.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LiftNotice {
    /// `wrongful` (undo and restore the subject's standing) or `ended` (stop applying it).
    pub ground: &'static str,
    /// What to do, as the department reads it.
    pub what_to_do: &'static str,
    /// The last working day to confirm; absent while the calendar lacks its year.
    pub lift_by: Option<chrono::NaiveDate>,
}

/// A delivery's body: its own id (for the receiver's idempotency: retries and replays keep it),
/// the event, when it was made, and what it tells under the event's key.
pub fn body<T: Serialize>(
    delivery_id: &str,
    event: WebhookEvent,
    created_at: DateTime<Utc>,
    items: &[T],
) -> Result<String, serde_json::Error> {
    let mut body = serde_json::Map::new();
    body.insert("deliveryId".into(), delivery_id.into());
    body.insert("event".into(), event.as_str().into());
    body.insert("createdAt".into(), serde_json::to_value(created_at)?);
    body.insert(event.items_key().into(), serde_json::to_value(items)?);
    serde_json::to_string(&body)
}

/// One change to a watched subject, as a bank's endpoint is told of it.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct WatchNotice {
    /// Its number in the bank's watch feed (and the platform's change feed).
    pub seq: i64,
    pub at: DateTime<Utc>,
    /// `created` (listed), `revoked`, `repaired` or `expired`.
    pub action: &'static str,
    pub entry_id: String,
    pub subject_code: String,
}

/// Dispatches per delivery: a large import is told in bodies of a size any receiver takes.
pub const NOTICES_PER_DELIVERY: usize = 500;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn https_anywhere_and_http_only_to_this_machine() {
        assert!(parse_endpoint_url(" https://bank.example.cn/hooks ").is_ok());
        assert!(parse_endpoint_url("http://127.0.0.1:8080/x").is_ok());
        assert!(parse_endpoint_url("http://[::1]:8080/x").is_ok());
        assert!(parse_endpoint_url("http://localhost/x").is_ok());
        for bad in [
            "http://bank.example.cn/hooks",
            "ftp://127.0.0.1/x",
            "not a url",
            "https://user:pw@bank.example.cn/",
        ] {
            let e = parse_endpoint_url(bad).unwrap_err();
            assert!(
                matches!(e, DomainError::Invalid { ref field, .. } if field == "input.url"),
                "{bad}"
            );
        }
    }

    #[test]
    fn a_signature_verifies_only_with_the_same_secret_time_and_body() {
        let s = sign("whsec_1", 1_700_000_000, "{\"a\":1}");
        assert!(s.starts_with("v1=") && s.len() == 3 + 64);
        assert!(verify("whsec_1", 1_700_000_000, "{\"a\":1}", &s));
        assert!(!verify("whsec_2", 1_700_000_000, "{\"a\":1}", &s));
        assert!(!verify("whsec_1", 1_700_000_001, "{\"a\":1}", &s));
        assert!(!verify("whsec_1", 1_700_000_000, "{\"a\":2}", &s));
        assert!(!verify("whsec_1", 1_700_000_000, "{\"a\":1}", "v1=zz"));
    }

    #[test]
    fn waits_double_up_to_the_longest_and_the_last_attempt_is_dead() {
        let p = RetryPolicy {
            max_attempts: 4,
            first_wait: Duration::from_secs(10),
            longest_wait: Duration::from_secs(25),
        };
        assert_eq!(
            p.after(1, false),
            AfterAttempt::RetryAfter(Duration::from_secs(10))
        );
        assert_eq!(
            p.after(2, false),
            AfterAttempt::RetryAfter(Duration::from_secs(20))
        );
        assert_eq!(
            p.after(3, false),
            AfterAttempt::RetryAfter(Duration::from_secs(25))
        );
        assert_eq!(p.after(4, false), AfterAttempt::Dead);
        assert_eq!(p.after(4, true), AfterAttempt::Delivered);
    }

    #[test]
    fn only_a_finished_delivery_can_be_replayed() {
        assert_eq!(
            DeliveryStatus::Dead.replay().unwrap(),
            DeliveryStatus::Pending
        );
        assert_eq!(
            DeliveryStatus::Delivered.replay().unwrap(),
            DeliveryStatus::Pending
        );
        assert!(matches!(
            DeliveryStatus::Pending.replay(),
            Err(DomainError::Conflict(_))
        ));
    }

    fn actor(scopes: &[crate::Scope]) -> crate::DepartmentPrincipal {
        crate::DepartmentPrincipal {
            department: crate::DepartmentCode::parse("210900.icbc").unwrap(),
            jurisdiction: None,
            scopes: scopes.iter().copied().collect(),
        }
    }

    #[test]
    fn no_events_named_means_all_the_actor_may_be_told() {
        let bank = actor(&[crate::Scope::BankQuery]);
        assert_eq!(
            chosen_events(&bank, &[]),
            vec![WebhookEvent::WatchedSubjectChanged]
        );
        let named = [
            WebhookEvent::DispatchCancelled,
            WebhookEvent::DispatchCancelled,
        ];
        assert_eq!(
            chosen_events(&bank, &named),
            vec![WebhookEvent::DispatchCancelled]
        );
        assert!(matches!(
            may_register(&bank, &chosen_events(&bank, &named)),
            Err(DomainError::Forbidden(_))
        ));
        assert!(may_register(&bank, &chosen_events(&bank, &[])).is_ok());
    }

    #[test]
    fn a_body_tells_its_items_under_the_event_key() {
        let at = chrono::DateTime::parse_from_rfc3339("2026-11-28T08:00:00Z")
            .unwrap()
            .to_utc();
        let b = body("d1", WebhookEvent::WatchedSubjectChanged, at, &[1, 2]).unwrap();
        let v: serde_json::Value = serde_json::from_str(&b).unwrap();
        assert_eq!(v["deliveryId"], "d1");
        assert_eq!(v["event"], "watch.changed");
        assert_eq!(v["changes"], serde_json::json!([1, 2]));
    }
}
