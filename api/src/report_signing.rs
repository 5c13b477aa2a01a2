//! Signing and verifying credit reports: Ed25519 over the report's canonical form, as a detached
//! JWS (RFC 7515, appendix F): the document carries the payload and `protected..signature`.
//! Verification needs only the platform's public key, served at
//! `/.well-known/xinyong-report-keys.json`; no database.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use chrono::{DateTime, Utc};
use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};
use serde_json::{Value, json};

/// Why a document is not a genuine, unaltered report.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum Rejected {
    #[error("不是信用报告文件：{0}")]
    Malformed(String),
    #[error("报告不是用本平台的密钥签发的（密钥编号 {0}）")]
    UnknownKey(String),
    #[error("签名不符：报告内容已被改动，或签名无效")]
    BadSignature,
    #[error("报告的出具时间不在其签名密钥（{0}）的有效期内")]
    OutsideValidity(String),
}

/// A genuine, unaltered report.
#[derive(Debug, Clone, PartialEq)]
pub struct Verified {
    pub payload: Value,
    /// Signed by a demonstration's own key (`serve --demo`): genuine, but proves nothing.
    pub demonstration: bool,
}

/// One report key as configured: its private seed (to sign with) or only its public half (a
/// retired key, kept so that the reports it signed still verify), and when it was in use.
#[derive(Clone, Debug)]
pub struct KeySpec {
    pub material: KeyMaterial,
    pub valid_from: Option<DateTime<Utc>>,
    pub valid_until: Option<DateTime<Utc>>,
    pub demo: bool,
}

#[derive(Clone)]
pub enum KeyMaterial {
    Seed([u8; 32]),
    Public(VerifyingKey),
}

impl std::fmt::Debug for KeyMaterial {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            KeyMaterial::Seed(_) => f.write_str("Seed(…)"),
            KeyMaterial::Public(k) => write!(f, "Public({})", B64.encode(k.to_bytes())),
        }
    }
}

#[derive(Clone)]
pub struct ReportSigner {
    key: SigningKey,
    kid: String,
    demo: bool,
    verifier: ReportVerifier,
}

/// Every key a report may have been signed with.
#[derive(Clone, Debug)]
pub struct ReportVerifier {
    keys: Vec<PublicKey>,
}

#[derive(Clone, Debug)]
struct PublicKey {
    key: VerifyingKey,
    kid: String,
    valid_from: Option<DateTime<Utc>>,
    valid_until: Option<DateTime<Utc>>,
    demo: bool,
}

impl PublicKey {
    fn new(key: VerifyingKey, spec: &KeySpec) -> Self {
        PublicKey {
            kid: kid_of(&key),
            key,
            valid_from: spec.valid_from,
            valid_until: spec.valid_until,
            demo: spec.demo,
        }
    }

    fn covers(&self, at: DateTime<Utc>) -> bool {
        self.valid_from.is_none_or(|f| f <= at) && self.valid_until.is_none_or(|u| at < u)
    }
}

/// A key's id: the first 16 hex digits of the SHA-256 of its public half.
fn kid_of(key: &VerifyingKey) -> String {
    persistence::sha256_hex(&B64.encode(key.to_bytes()))[..16].to_owned()
}

impl ReportSigner {
    /// One key, in use for ever (tests, and a deployment that never rotated).
    pub fn from_seed(seed: [u8; 32]) -> Self {
        let spec = KeySpec {
            material: KeyMaterial::Seed(seed),
            valid_from: None,
            valid_until: None,
            demo: false,
        };
        match Self::from_keys(vec![spec], Utc::now()) {
            Ok(signer) => signer,
            Err(_) => unreachable!("a single unbounded seed is always in use"),
        }
    }

    /// Signs with the key in use at `now` whose use began last; verifies with all of them.
    pub fn from_keys(specs: Vec<KeySpec>, now: DateTime<Utc>) -> Result<Self, String> {
        let keys: Vec<PublicKey> = specs
            .iter()
            .map(|spec| match &spec.material {
                KeyMaterial::Seed(seed) => {
                    PublicKey::new(SigningKey::from_bytes(seed).verifying_key(), spec)
                }
                KeyMaterial::Public(key) => PublicKey::new(*key, spec),
            })
            .collect();
        let (seed, spec) = specs
            .iter()
            .zip(&keys)
            .filter(|(_, key)| key.covers(now))
            .filter_map(|(spec, _)| match &spec.material {
                KeyMaterial::Seed(seed) => Some((seed, spec)),
                KeyMaterial::Public(_) => None,
            })
            .max_by_key(|(_, spec)| spec.valid_from)
            .ok_or_else(|| {
                "no report key with its private seed is in use now (check the keys' validFrom and validUntil)"
                    .to_owned()
            })?;
        let key = SigningKey::from_bytes(seed);
        Ok(ReportSigner {
            kid: kid_of(&key.verifying_key()),
            demo: spec.demo,
            key,
            verifier: ReportVerifier { keys },
        })
    }

    pub fn verifier(&self) -> &ReportVerifier {
        &self.verifier
    }

    /// The signed document for `payload`: pretty JSON, to be kept as it is. A demonstration's
    /// report says so in its signed header, so that no one can present it as a real one.
    pub fn sign(&self, payload: Value) -> String {
        let mut header = json!({ "alg": "EdDSA", "kid": self.kid, "typ": "xinyong-credit-report" });
        if self.demo {
            header["demo"] = json!(true);
        }
        let protected = B64.encode(header.to_string());
        let input = signing_input(&protected, &payload);
        let signature = B64.encode(self.key.sign(input.as_bytes()).to_bytes());
        let document = json!({ "payload": payload, "jws": format!("{protected}..{signature}") });
        serde_json::to_string_pretty(&document).unwrap_or_else(|_| document.to_string())
    }
}

impl ReportVerifier {
    /// From one public key, base64url (the JWK's `x`).
    pub fn from_public(x: &str) -> Result<Self, String> {
        let key = public_key(x)?;
        let spec = KeySpec {
            material: KeyMaterial::Public(key),
            valid_from: None,
            valid_until: None,
            demo: false,
        };
        Ok(ReportVerifier {
            keys: vec![PublicKey::new(key, &spec)],
        })
    }

    /// The keys as a JSON Web Key Set, each with the period it signed in (`validFrom`,
    /// `validUntil`, absent when unbounded) and `demo` for a demonstration's key.
    pub fn jwks(&self) -> Value {
        let keys: Vec<Value> = self
            .keys
            .iter()
            .map(|k| {
                let mut jwk = json!({ "kty": "OKP", "crv": "Ed25519", "alg": "EdDSA", "use": "sig",
                    "kid": k.kid, "x": B64.encode(k.key.to_bytes()) });
                if let Some(f) = k.valid_from {
                    jwk["validFrom"] = json!(f.to_rfc3339());
                }
                if let Some(u) = k.valid_until {
                    jwk["validUntil"] = json!(u.to_rfc3339());
                }
                if k.demo {
                    jwk["demo"] = json!(true);
                }
                jwk
            })
            .collect();
        json!({ "keys": keys })
    }

    /// The payload of a genuine, unaltered report, signed by one of the keys while it was in use.
    pub fn verify(&self, document: &str) -> Result<Verified, Rejected> {
        let malformed = |m: &str| Rejected::Malformed(m.to_owned());
        let doc: Value =
            serde_json::from_str(document).map_err(|e| Rejected::Malformed(e.to_string()))?;
        let payload = doc
            .get("payload")
            .ok_or_else(|| malformed("缺少 payload"))?;
        let jws = doc["jws"].as_str().ok_or_else(|| malformed("缺少 jws"))?;
        let (protected, signature) = jws
            .split_once("..")
            .ok_or_else(|| malformed("jws 应为 protected..signature"))?;
        let header: Value = B64
            .decode(protected)
            .ok()
            .and_then(|h| serde_json::from_slice(&h).ok())
            .ok_or_else(|| malformed("jws 头无法读取"))?;
        if header["alg"] != "EdDSA" {
            return Err(malformed("签名算法应为 EdDSA"));
        }
        let kid = header["kid"].as_str().unwrap_or_default();
        let key = self
            .keys
            .iter()
            .find(|k| k.kid == kid)
            .ok_or_else(|| Rejected::UnknownKey(kid.to_owned()))?;
        let signature: [u8; 64] = B64
            .decode(signature)
            .ok()
            .and_then(|s| s.try_into().ok())
            .ok_or(Rejected::BadSignature)?;
        key.key
            .verify_strict(
                signing_input(protected, payload).as_bytes(),
                &Signature::from_bytes(&signature),
            )
            .map_err(|_| Rejected::BadSignature)?;
        if key.valid_from.is_some() || key.valid_until.is_some() {
            let issued = payload["issuedAt"]
                .as_str()
                .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
                .ok_or_else(|| malformed("缺少出具时间 issuedAt"))?;
            if !key.covers(issued.with_timezone(&Utc)) {
                return Err(Rejected::OutsideValidity(key.kid.clone()));
            }
        }
        Ok(Verified {
            payload: payload.clone(),
            demonstration: key.demo || header["demo"] == json!(true),
        })
    }
}

/// An Ed25519 public key, base64url.
pub fn public_key(x: &str) -> Result<VerifyingKey, String> {
    let bytes = B64
        .decode(x.trim())
        .map_err(|e| format!("public key is not base64url: {e}"))?;
    let bytes: [u8; 32] = bytes
        .try_into()
        .map_err(|_| "an Ed25519 public key has 32 bytes".to_owned())?;
    VerifyingKey::from_bytes(&bytes).map_err(|e| format!("not an Ed25519 public key: {e}"))
}

fn signing_input(protected: &str, payload: &Value) -> String {
    format!(
        "{protected}.{}",
        B64.encode(domain::report::canonical(payload))
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signed_report_verifies_and_any_change_to_its_content_does_not() {
        let signer = ReportSigner::from_seed([7; 32]);
        let doc = signer
            .sign(json!({ "number": "XY-1", "subject": { "name": "阜新市海州区矿业有限公司" } }));
        let verifier =
            ReportVerifier::from_public(signer.verifier().jwks()["keys"][0]["x"].as_str().unwrap())
                .unwrap();
        assert_eq!(verifier.verify(&doc).unwrap().payload["number"], "XY-1");
        // Layout is not content: the same document compacted still verifies.
        let compact = serde_json::from_str::<Value>(&doc).unwrap().to_string();
        assert!(verifier.verify(&compact).is_ok());
        let altered = doc.replace("矿业", "矿产");
        assert_eq!(verifier.verify(&altered), Err(Rejected::BadSignature));
        let other = ReportSigner::from_seed([8; 32]);
        assert!(matches!(
            other.verifier().verify(&doc),
            Err(Rejected::UnknownKey(_))
        ));
        assert!(matches!(verifier.verify("{}"), Err(Rejected::Malformed(_))));
    }
}

#[cfg(test)]
mod rotation {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    fn spec(seed: u8, from: Option<&str>, until: Option<&str>) -> KeySpec {
        KeySpec {
            material: KeyMaterial::Seed([seed; 32]),
            valid_from: from.map(at),
            valid_until: until.map(at),
            demo: false,
        }
    }

    #[test]
    fn a_report_signed_before_a_rotation_still_verifies_and_only_within_its_key_s_period() {
        let old = ReportSigner::from_keys(
            vec![spec(1, None, Some("2026-12-01T00:00:00Z"))],
            at("2026-06-01T00:00:00Z"),
        )
        .unwrap();
        let report = old.sign(json!({ "number": "XY-OLD", "issuedAt": "2026-06-01T08:00:00Z" }));
        let now = ReportSigner::from_keys(
            vec![
                spec(1, None, Some("2026-12-01T00:00:00Z")),
                spec(2, Some("2026-12-01T00:00:00Z"), None),
            ],
            at("2026-12-02T00:00:00Z"),
        )
        .unwrap();
        assert_ne!(now.kid, old.kid, "signs with the new key");
        assert_eq!(
            now.verifier().verify(&report).unwrap().payload["number"],
            "XY-OLD"
        );
        assert_eq!(now.verifier().jwks()["keys"].as_array().unwrap().len(), 2);
        // The old key, used after its retirement (a stolen seed), proves nothing.
        let late = old.sign(json!({ "number": "XY-LATE", "issuedAt": "2026-12-05T08:00:00Z" }));
        assert!(matches!(
            now.verifier().verify(&late),
            Err(Rejected::OutsideValidity(_))
        ));
        assert!(
            ReportSigner::from_keys(
                vec![spec(1, None, Some("2026-12-01T00:00:00Z"))],
                at("2026-12-02T00:00:00Z")
            )
            .is_err(),
            "no key in use: refuse rather than sign with a retired one"
        );
    }

    #[test]
    fn a_demonstration_report_says_so() {
        let mut demo = spec(3, None, None);
        demo.demo = true;
        let signer = ReportSigner::from_keys(vec![demo], Utc::now()).unwrap();
        let report = signer.sign(json!({ "number": "XY-DEMO" }));
        assert!(signer.verifier().verify(&report).unwrap().demonstration);
        assert_eq!(signer.verifier().jwks()["keys"][0]["demo"], true);
    }
}
