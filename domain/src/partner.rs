//! Partner apps (合作方): registered by the credit office with a name, the scopes they may use, a
//! rate plan, and either a secret or a public key to sign their own tokens with; suspended at
//! once when needed; their use counted per day.

use crate::{DomainError, Scope};
use chrono::{DateTime, Utc};
use std::collections::BTreeSet;

/// Scopes a partner may be given.
pub const PARTNER_SCOPES: [Scope; 1] = [Scope::PartnerLookup];

/// The longest a partner's token may live, from `iat` to `exp`, so that a leaked token soon dies.
pub const MAX_TOKEN_SECONDS: i64 = 3_600;

/// Where a partner stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PartnerStatus {
    Active,
    /// Every request refused until reinstated.
    Suspended,
}

impl PartnerStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            PartnerStatus::Active => "active",
            PartnerStatus::Suspended => "suspended",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [Self::Active, Self::Suspended]
            .into_iter()
            .find(|x| x.as_str() == s)
    }

    pub fn suspend(self) -> Result<Self, DomainError> {
        match self {
            PartnerStatus::Active => Ok(PartnerStatus::Suspended),
            PartnerStatus::Suspended => Err(DomainError::conflict("该合作方已被暂停")),
        }
    }

    pub fn reinstate(self) -> Result<Self, DomainError> {
        match self {
            PartnerStatus::Suspended => Ok(PartnerStatus::Active),
            PartnerStatus::Active => Err(DomainError::conflict("该合作方未被暂停")),
        }
    }
}

/// How a partner's requests are paced: a bucket of `burst` refilled at `per_second`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PartnerPlan {
    pub per_second: u32,
    pub burst: u32,
}

/// How a partner signs its tokens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PartnerKey {
    /// HS256 with a secret the platform made and showed once.
    Secret(String),
    /// EdDSA (Ed25519) with its own private key; the platform keeps the public key (PEM).
    PublicKey(String),
}

/// A registered partner.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Partner {
    pub id: String,
    /// Its tokens' `iss`, `sub` and `kid`.
    pub client_id: String,
    pub name: String,
    pub scopes: BTreeSet<Scope>,
    pub plan: PartnerPlan,
    pub status: PartnerStatus,
    pub uses_key_pair: bool,
    pub created_at: DateTime<Utc>,
    pub suspended_at: Option<DateTime<Utc>>,
    pub suspension_reason: Option<String>,
}

/// A registration as asked.
#[derive(Debug, Clone)]
pub struct RawPartner {
    pub name: String,
    pub scopes: Vec<String>,
    pub per_second: i64,
    pub burst: i64,
    pub public_key_pem: Option<String>,
}

/// A registration, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewPartner {
    pub name: String,
    pub scopes: BTreeSet<Scope>,
    pub plan: PartnerPlan,
    pub public_key_pem: Option<String>,
}

impl NewPartner {
    pub fn parse(raw: RawPartner) -> Result<NewPartner, DomainError> {
        let name = crate::text::name("input.name", &raw.name, 100)?;
        if raw.scopes.is_empty() {
            return Err(DomainError::invalid(
                "input.scopes",
                "请至少给出一个权限范围",
            ));
        }
        let mut scopes = BTreeSet::new();
        for s in &raw.scopes {
            let scope = Scope::parse(s.trim())
                .filter(|x| PARTNER_SCOPES.contains(x))
                .ok_or_else(|| {
                    DomainError::invalid(
                        "input.scopes",
                        format!(
                            "合作方不能获得权限范围 {s}；可用：{}",
                            PARTNER_SCOPES.map(Scope::as_str).join("、")
                        ),
                    )
                })?;
            scopes.insert(scope);
        }
        let bounded = |v: i64, field: &str, max: i64| {
            u32::try_from(v)
                .ok()
                .filter(|n| *n >= 1 && i64::from(*n) <= max)
                .ok_or_else(|| DomainError::invalid(field, format!("应在 1 到 {max} 之间")))
        };
        let plan = PartnerPlan {
            per_second: bounded(raw.per_second, "input.ratePerSecond", 10_000)?,
            burst: bounded(raw.burst, "input.burst", 100_000)?,
        };
        let public_key_pem = match raw.public_key_pem.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(pem) if pem.starts_with("-----BEGIN PUBLIC KEY-----") && pem.len() < 1_000 => {
                Some(pem.to_owned())
            }
            Some(_) => {
                return Err(DomainError::invalid(
                    "input.publicKeyPem",
                    "公钥应为 PEM 格式的 Ed25519 公钥（-----BEGIN PUBLIC KEY-----）",
                ));
            }
        };
        Ok(NewPartner {
            name: name.to_owned(),
            scopes,
            plan,
            public_key_pem,
        })
    }
}

/// A suspension's reason, checked.
pub fn suspension_reason(raw: &str) -> Result<String, DomainError> {
    crate::subject::required_text("reason", raw, 500)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw() -> RawPartner {
        RawPartner {
            name: " 阜新信用通 ".into(),
            scopes: vec!["partner:lookup".into()],
            per_second: 20,
            burst: 40,
            public_key_pem: None,
        }
    }

    fn field_of(e: DomainError) -> String {
        match e {
            DomainError::Invalid { field, .. } => field,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_registration_is_checked_field_by_field() {
        let p = NewPartner::parse(raw()).unwrap();
        assert_eq!(p.name, "阜新信用通");
        assert_eq!(
            p.plan,
            PartnerPlan {
                per_second: 20,
                burst: 40
            }
        );
        let mut r = raw();
        r.scopes = vec!["lists:write".into()];
        assert_eq!(field_of(NewPartner::parse(r).unwrap_err()), "input.scopes");
        let mut r = raw();
        r.burst = 0;
        assert_eq!(field_of(NewPartner::parse(r).unwrap_err()), "input.burst");
        let mut r = raw();
        r.public_key_pem = Some("ssh-ed25519 AAAA".into());
        assert_eq!(
            field_of(NewPartner::parse(r).unwrap_err()),
            "input.publicKeyPem"
        );
    }

    #[test]
    fn suspending_twice_is_a_conflict() {
        let s = PartnerStatus::Active.suspend().unwrap();
        assert!(matches!(s.suspend(), Err(DomainError::Conflict(_))));
        assert_eq!(s.reinstate().unwrap(), PartnerStatus::Active);
        assert!(PartnerStatus::Active.reinstate().is_err());
    }
}
