//! JWT bearer tokens → [`Principal`].
//!
//! One algorithm is accepted, the one the configured key is for: an HS256 token is refused where
//! an RS256 or EdDSA public key is configured (algorithm confusion), and `alg: none` never parses.
//! `iss`, `aud`, `exp` and `iat` are required and checked as RFC 8725 asks: a token not yet valid
//! (`nbf`) or issued in the future (`iat`, beyond the leeway) is refused, and so is one that lives
//! longer than its role may (a department's 30 days, a subject's one, a partner's one hour, by
//! default), however its `iat` is set.

use domain::access::{DepartmentPrincipal, PartnerPrincipal};
use domain::partner::{MAX_TOKEN_SECONDS, Partner, PartnerKey, PartnerStatus};
use domain::{DepartmentCode, JurisdictionCode, Principal, Scope, SubjectCode};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation, decode, encode};
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};

/// The key tokens are verified with.
#[derive(Clone)]
pub enum VerifyingKey {
    /// A shared secret, for development and tests.
    Hs256(SecretString),
    /// An RSA public key in PEM, for production.
    Rs256Pem(String),
    /// An Ed25519 public key in PEM, for production.
    EdDsaPem(String),
}

#[derive(Clone)]
pub struct JwtSettings {
    pub issuer: String,
    pub audience: String,
    pub key: VerifyingKey,
    /// The longest a token may live, from `iat` to `exp`, by role.
    pub lifetimes: Lifetimes,
}

/// The longest token each role may hold, in seconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Lifetimes {
    pub department: i64,
    pub subject: i64,
}

impl Default for Lifetimes {
    fn default() -> Self {
        Lifetimes {
            department: 30 * 24 * 3600,
            subject: 24 * 3600,
        }
    }
}

/// Seconds of clock difference forgiven between the token's issuer and this server.
const LEEWAY: i64 = 30;

/// Refuses a token issued in the future or living longer than `max` seconds. Measured from `iat`,
/// which must not lie ahead: so `exp` is never more than `max` (and the leeway) from now.
fn check_lifetime(claims: &Claims, max: i64, role: &str) -> Result<(), AuthError> {
    let now = chrono::Utc::now().timestamp();
    if claims.iat > now + LEEWAY {
        return Err(AuthError::Invalid("签发时间 (iat) 在未来".into()));
    }
    if claims.exp.saturating_sub(claims.iat) > max {
        return Err(AuthError::Invalid(format!(
            "{role}令牌的有效期不能超过{}",
            human_seconds(max)
        )));
    }
    Ok(())
}

fn human_seconds(s: i64) -> String {
    match s {
        s if s % 86_400 == 0 => format!("{}天", s / 86_400),
        s if s % 3_600 == 0 => format!("{}小时", s / 3_600),
        s => format!("{s}秒"),
    }
}

/// The claims Xinyong reads.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Claims {
    pub sub: String,
    /// `department` (the default when `dept` is present) or `subject`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dept: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jur: Option<String>,
    #[serde(default)]
    pub scopes: Vec<String>,
    pub exp: i64,
    pub iat: i64,
    /// Not before: refused until then.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nbf: Option<i64>,
    pub iss: String,
    pub aud: String,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AuthError {
    #[error("令牌已过期，请重新获取")]
    Expired,
    #[error("令牌无效：{0}")]
    Invalid(String),
    #[error("Authorization 头应为 “Bearer <令牌>”")]
    Malformed,
    #[error("服务器的令牌密钥配置不正确")]
    BadKey(String),
    /// A partner suspended by the credit office: refused, with the reason.
    #[error("合作方已被暂停：{0}")]
    Suspended(String),
    #[error("暂时无法核验令牌，请稍后重试")]
    Unavailable,
}

impl AuthError {
    /// Whether the caller is known but refused (403) rather than not identified (401).
    pub fn is_refusal(&self) -> bool {
        matches!(self, AuthError::Suspended(_))
    }
}

/// The token in an `Authorization` header value.
pub fn bearer(value: &str) -> Result<&str, AuthError> {
    value
        .strip_prefix("Bearer ")
        .or_else(|| value.strip_prefix("bearer "))
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .ok_or(AuthError::Malformed)
}

/// The client id a partner's own token names in its `kid`, when it is a partner's token.
pub fn partner_client_id(token: &str) -> Option<String> {
    jsonwebtoken::decode_header(token)
        .ok()?
        .kid
        .filter(|k| k.starts_with("pt_"))
}

/// Checks a partner's own token with the key registered for it: HS256 with its secret or EdDSA
/// with its public key, `iss` and `sub` its client id, `aud` the platform, at most an hour long.
pub fn verify_partner(
    token: &str,
    partner: &Partner,
    key: &PartnerKey,
    audience: &str,
) -> Result<PartnerPrincipal, AuthError> {
    let (decoding, alg) = match key {
        PartnerKey::Secret(s) => (DecodingKey::from_secret(s.as_bytes()), Algorithm::HS256),
        PartnerKey::PublicKey(pem) => (
            DecodingKey::from_ed_pem(pem.as_bytes())
                .map_err(|_| AuthError::Invalid("合作方登记的公钥无法使用".into()))?,
            Algorithm::EdDSA,
        ),
    };
    let mut validation = Validation::new(alg);
    validation.algorithms = vec![alg];
    validation.set_issuer(&[&partner.client_id]);
    validation.set_audience(&[audience]);
    validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
    validation.validate_nbf = true;
    validation.leeway = LEEWAY as u64;
    let claims = decode::<Claims>(token, &decoding, &validation)
        .map_err(refusal)?
        .claims;
    if claims.sub != partner.client_id {
        return Err(AuthError::Invalid("sub 应为合作方编号 (client id)".into()));
    }
    check_lifetime(&claims, MAX_TOKEN_SECONDS, "合作方")?;
    if partner.status == PartnerStatus::Suspended {
        return Err(AuthError::Suspended(
            partner.suspension_reason.clone().unwrap_or_default(),
        ));
    }
    Ok(PartnerPrincipal {
        client_id: partner.client_id.clone(),
        scopes: partner.scopes.clone(),
    })
}

fn refusal(e: jsonwebtoken::errors::Error) -> AuthError {
    use jsonwebtoken::errors::ErrorKind;
    match e.kind() {
        ErrorKind::ExpiredSignature => AuthError::Expired,
        ErrorKind::ImmatureSignature => AuthError::Invalid("令牌尚未生效 (nbf)".into()),
        ErrorKind::InvalidAudience => AuthError::Invalid("受众 (aud) 不符".into()),
        ErrorKind::InvalidIssuer => AuthError::Invalid("签发者 (iss) 不符".into()),
        ErrorKind::InvalidAlgorithm => AuthError::Invalid("签名算法不被接受".into()),
        ErrorKind::InvalidSignature => AuthError::Invalid("签名不正确".into()),
        ErrorKind::MissingRequiredClaim(c) => AuthError::Invalid(format!("缺少声明 {c}")),
        _ => AuthError::Invalid("无法解析".into()),
    }
}

/// Verifies tokens; built once at start.
#[derive(Clone)]
pub struct Verifier {
    key: DecodingKey,
    validation: Validation,
    audience: String,
    lifetimes: Lifetimes,
}

impl Verifier {
    pub fn new(settings: &JwtSettings) -> Result<Self, AuthError> {
        let (key, alg) = match &settings.key {
            VerifyingKey::Hs256(s) => (
                DecodingKey::from_secret(s.expose_secret().as_bytes()),
                Algorithm::HS256,
            ),
            VerifyingKey::Rs256Pem(pem) => (
                DecodingKey::from_rsa_pem(pem.as_bytes())
                    .map_err(|e| AuthError::BadKey(e.to_string()))?,
                Algorithm::RS256,
            ),
            VerifyingKey::EdDsaPem(pem) => (
                DecodingKey::from_ed_pem(pem.as_bytes())
                    .map_err(|e| AuthError::BadKey(e.to_string()))?,
                Algorithm::EdDSA,
            ),
        };
        let mut validation = Validation::new(alg);
        validation.algorithms = vec![alg];
        validation.set_issuer(&[&settings.issuer]);
        validation.set_audience(&[&settings.audience]);
        validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
        validation.validate_nbf = true;
        validation.leeway = LEEWAY as u64;
        Ok(Verifier {
            key,
            validation,
            audience: settings.audience.clone(),
            lifetimes: settings.lifetimes,
        })
    }

    /// Reads an `Authorization` header value: absent → anonymous.
    pub fn principal(&self, header: Option<&str>) -> Result<Principal, AuthError> {
        let Some(value) = header else {
            return Ok(Principal::Anonymous);
        };
        let claims = self.verify(bearer(value)?)?;
        let principal = principal_from_claims(&claims)?;
        match principal {
            Principal::Subject { .. } => {
                check_lifetime(&claims, self.lifetimes.subject, "主体")?;
            }
            _ => check_lifetime(&claims, self.lifetimes.department, "部门")?,
        }
        Ok(principal)
    }

    pub fn verify(&self, token: &str) -> Result<Claims, AuthError> {
        decode::<Claims>(token, &self.key, &self.validation)
            .map(|d| d.claims)
            .map_err(refusal)
    }

    /// The audience every token must name, partners' included.
    pub fn audience(&self) -> &str {
        &self.audience
    }
}

/// Turns verified claims into a principal. Unknown scopes are ignored, so that tokens for newer
/// servers still work here; an unknown role is refused.
pub fn principal_from_claims(claims: &Claims) -> Result<Principal, AuthError> {
    let role = claims.role.as_deref().unwrap_or(if claims.dept.is_some() {
        "department"
    } else {
        ""
    });
    match role {
        "department" => {
            let dept = claims
                .dept
                .as_deref()
                .ok_or_else(|| AuthError::Invalid("部门令牌缺少 dept".into()))?;
            let department = DepartmentCode::parse(dept)
                .map_err(|_| AuthError::Invalid("dept 格式不正确".into()))?;
            let jurisdiction = match &claims.jur {
                Some(j) => Some(
                    JurisdictionCode::parse(j)
                        .map_err(|_| AuthError::Invalid("jur 格式不正确".into()))?,
                ),
                None => None,
            };
            let scopes = claims
                .scopes
                .iter()
                .filter_map(|s| Scope::parse(s))
                .collect();
            Ok(Principal::Department(DepartmentPrincipal {
                department,
                jurisdiction,
                scopes,
            }))
        }
        "subject" => {
            let code = SubjectCode::parse(&claims.sub)
                .map_err(|_| AuthError::Invalid("sub 不是有效的主体代码".into()))?;
            Ok(Principal::Subject { code })
        }
        other => Err(AuthError::Invalid(format!("未知的角色 {other:?}"))),
    }
}

/// Signs claims with a development secret (HS256): for `xinyong token`, the demo and tests.
pub fn mint_hs256(secret: &SecretString, claims: &Claims) -> Result<String, AuthError> {
    encode(
        &Header::new(Algorithm::HS256),
        claims,
        &EncodingKey::from_secret(secret.expose_secret().as_bytes()),
    )
    .map_err(|e| AuthError::BadKey(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings() -> JwtSettings {
        JwtSettings {
            issuer: "xinyong".into(),
            audience: "xinyong-api".into(),
            key: VerifyingKey::Hs256(SecretString::from("test-secret-of-enough-length-000")),
            lifetimes: Lifetimes::default(),
        }
    }

    fn claims(exp_offset: i64) -> Claims {
        let now = chrono::Utc::now().timestamp();
        Claims {
            sub: "210900.court".into(),
            role: None,
            dept: Some("210900.court".into()),
            jur: Some("210900".into()),
            scopes: vec!["lists:write".into(), "no:such".into()],
            exp: now + exp_offset,
            iat: now,
            nbf: None,
            iss: "xinyong".into(),
            aud: "xinyong-api".into(),
        }
    }

    fn secret() -> SecretString {
        SecretString::from("test-secret-of-enough-length-000")
    }

    #[test]
    fn good_token_gives_a_department() {
        let v = Verifier::new(&settings()).unwrap();
        let t = mint_hs256(&secret(), &claims(3600)).unwrap();
        let p = v.principal(Some(&format!("Bearer {t}"))).unwrap();
        let Principal::Department(d) = p else {
            panic!("not a department")
        };
        assert_eq!(d.department.as_str(), "210900.court");
        assert_eq!(d.scopes.len(), 1);
    }

    #[test]
    fn refusals() {
        let v = Verifier::new(&settings()).unwrap();
        assert_eq!(v.principal(None).unwrap(), Principal::Anonymous);
        assert_eq!(v.principal(Some("Basic abc")), Err(AuthError::Malformed));
        let expired = mint_hs256(&secret(), &claims(-3600)).unwrap();
        assert_eq!(v.verify(&expired), Err(AuthError::Expired));
        let mut wrong_aud = claims(3600);
        wrong_aud.aud = "other".into();
        assert!(
            v.verify(&mint_hs256(&secret(), &wrong_aud).unwrap())
                .is_err()
        );
        let other_key = mint_hs256(
            &SecretString::from("another-secret-another-secret-00"),
            &claims(3600),
        )
        .unwrap();
        assert!(v.verify(&other_key).is_err());
    }

    #[test]
    fn alg_none_is_refused() {
        use base64::Engine;
        let b64 = |b: &[u8]| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(b);
        let v = Verifier::new(&settings()).unwrap();
        let header = b64(br#"{"alg":"none","typ":"JWT"}"#);
        let body = b64(serde_json::to_string(&claims(3600)).unwrap().as_bytes());
        assert!(v.verify(&format!("{header}.{body}.")).is_err());
    }
}
