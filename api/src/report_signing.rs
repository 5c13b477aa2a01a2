//! Signing and verifying credit reports: Ed25519 over the report's canonical form, as a detached
//! JWS (RFC 7515, appendix F): the document carries the payload and `protected..signature`.
//! Verification needs only the platform's public key, served at
//! `/.well-known/xinyong-report-keys.json`; no database.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
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
}

#[derive(Clone)]
pub struct ReportSigner {
    key: SigningKey,
    verifier: ReportVerifier,
}

#[derive(Clone, Debug)]
pub struct ReportVerifier {
    key: VerifyingKey,
    kid: String,
}

impl ReportSigner {
    /// From a 32-byte Ed25519 seed.
    pub fn from_seed(seed: [u8; 32]) -> Self {
        let key = SigningKey::from_bytes(&seed);
        let verifier = ReportVerifier::new(key.verifying_key());
        ReportSigner { key, verifier }
    }

    pub fn verifier(&self) -> &ReportVerifier {
        &self.verifier
    }

    /// The signed document for `payload`: pretty JSON, to be kept as it is.
    pub fn sign(&self, payload: Value) -> String {
        let protected = B64.encode(
            json!({ "alg": "EdDSA", "kid": self.verifier.kid, "typ": "xinyong-credit-report" })
                .to_string(),
        );
        let input = signing_input(&protected, &payload);
        let signature = B64.encode(self.key.sign(input.as_bytes()).to_bytes());
        let document = json!({ "payload": payload, "jws": format!("{protected}..{signature}") });
        serde_json::to_string_pretty(&document).unwrap_or_else(|_| document.to_string())
    }
}

impl ReportVerifier {
    fn new(key: VerifyingKey) -> Self {
        let x = B64.encode(key.to_bytes());
        let kid = persistence::sha256_hex(&x)[..16].to_owned();
        ReportVerifier { key, kid }
    }

    /// From the public key, base64url (the JWK's `x`).
    pub fn from_public(x: &str) -> Result<Self, String> {
        let bytes = B64
            .decode(x.trim())
            .map_err(|e| format!("public key is not base64url: {e}"))?;
        let bytes: [u8; 32] = bytes
            .try_into()
            .map_err(|_| "an Ed25519 public key has 32 bytes".to_owned())?;
        VerifyingKey::from_bytes(&bytes)
            .map(ReportVerifier::new)
            .map_err(|e| format!("not an Ed25519 public key: {e}"))
    }

    pub fn kid(&self) -> &str {
        &self.kid
    }

    /// The key as a JSON Web Key Set.
    pub fn jwks(&self) -> Value {
        json!({ "keys": [{ "kty": "OKP", "crv": "Ed25519", "alg": "EdDSA", "use": "sig",
            "kid": self.kid, "x": B64.encode(self.key.to_bytes()) }] })
    }

    /// The payload of a genuine, unaltered report.
    pub fn verify(&self, document: &str) -> Result<Value, Rejected> {
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
        if kid != self.kid {
            return Err(Rejected::UnknownKey(kid.to_owned()));
        }
        let signature: [u8; 64] = B64
            .decode(signature)
            .ok()
            .and_then(|s| s.try_into().ok())
            .ok_or(Rejected::BadSignature)?;
        self.key
            .verify_strict(
                signing_input(protected, payload).as_bytes(),
                &Signature::from_bytes(&signature),
            )
            .map_err(|_| Rejected::BadSignature)?;
        Ok(payload.clone())
    }
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
        assert_eq!(verifier.verify(&doc).unwrap()["number"], "XY-1");
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
