//! Partner apps: registered by the credit office, signing their own tokens (a secret or a key
//! pair), suspended at once, rate limited by their plan, counted per day, and logged when they
//! look a subject up.

use crate::helpers::*;
use jsonwebtoken::{Algorithm, EncodingKey, Header, encode};
use serde_json::{Value, json};
use std::time::{Duration, Instant};

const REGISTER_PARTNER: &str = "mutation($input: RegisterPartnerInput!) { registerPartner(input: $input) { secret partner { clientId name scopes ratePerSecond burst signsWith status } } }";
const SUSPEND: &str = "mutation($id: String!, $r: String!) { suspendPartner(input: { clientId: $id, reason: $r }) { partner { status suspendedAt suspensionReason } } }";
const REINSTATE: &str =
    "mutation($id: String!) { reinstatePartner(input: { clientId: $id }) { partner { status } } }";
const PARTNERS: &str = "{ partners(first: 50) { edges { node { clientId status usage(days: 7) { day requests } } } } }";
const LOOK: &str = "query($c: String!) { subject(code: $c, purpose: \"贷前审查\") { code name } }";
const LOG: &str = "{ me { queryLog(first: 10) { edges { node { via purpose partnerName department { code } } } } } }";

/// An Ed25519 key pair made for these tests with `openssl genpkey -algorithm ed25519`.
const PRIVATE_PEM: &str = "-----BEGIN PRIVATE KEY-----
MC4CAQAwBQYDK2VwBCIEIJOx5J8YVc+wDVDdMrllGON+wchKDA40dddNUtK72bHG
-----END PRIVATE KEY-----
";
const PUBLIC_PEM: &str = "-----BEGIN PUBLIC KEY-----
MCowBQYDK2VwAyEAKSZ/QutTUoIDw1kE4St958FkgtisOUtt203ywECmdL4=
-----END PUBLIC KEY-----
";

fn office(app: &TestApp) -> String {
    app.token("210900.ndrc", &["memoranda:admin"])
}

async fn register(app: &TestApp, input: Value) -> Value {
    let r = app
        .gql(
            REGISTER_PARTNER,
            json!({ "input": input }),
            Some(&office(app)),
        )
        .await;
    assert_no_errors(&r);
    r["data"]["registerPartner"].clone()
}

/// A partner's own token, as its app would make it: `kid`, `iss` and `sub` its client id.
fn partner_token(client_id: &str, alg: Algorithm, key: &EncodingKey, lifetime: i64) -> String {
    let now = chrono::Utc::now().timestamp();
    let mut header = Header::new(alg);
    header.kid = Some(client_id.to_owned());
    let claims = json!({ "iss": client_id, "sub": client_id, "aud": "xinyong-api", "iat": now, "exp": now + lifetime });
    encode(&header, &claims, key).unwrap()
}

fn code_of(r: &Value) -> String {
    r["errors"][0]["extensions"]["code"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

#[tokio::test]
async fn a_partner_with_a_secret_looks_up_is_logged_counted_and_suspended_at_once() {
    let app = TestApp::spawn().await;
    let reg = register(
        &app,
        json!({ "name": "阜新信用通", "scopes": ["partner:lookup"], "ratePerSecond": 100, "burst": 100 }),
    )
    .await;
    let client_id = reg["partner"]["clientId"].as_str().unwrap().to_owned();
    assert_eq!(reg["partner"]["signsWith"], "SECRET");
    assert_eq!(reg["partner"]["status"], "ACTIVE");
    let secret = reg["secret"].as_str().unwrap();
    let key = EncodingKey::from_secret(secret.as_bytes());
    let token = partner_token(&client_id, Algorithm::HS256, &key, 600);
    let code = app.company("210902").await;

    let r = app
        .gql("{ me { kind scopes } }", json!({}), Some(&token))
        .await;
    assert_no_errors(&r);
    assert_eq!(r["data"]["me"]["kind"], "PARTNER");
    assert_eq!(r["data"]["me"]["scopes"], json!(["partner:lookup"]));
    for _ in 0..3 {
        let r = app.gql(LOOK, json!({ "c": code }), Some(&token)).await;
        assert_no_errors(&r);
        assert_eq!(r["data"]["subject"]["code"], code.as_str());
    }
    // A partner reads; it does not write.
    let r = app
        .list(&token, &code, "court-dishonest-debtor", json!({}))
        .await;
    assert_eq!(code_of(&r), "FORBIDDEN");

    // The subject sees the partner in its query log, by name.
    let log = app
        .gql(LOG, json!({}), Some(&app.subject_token(&code)))
        .await;
    assert_no_errors(&log);
    let edges = log["data"]["me"]["queryLog"]["edges"].as_array().unwrap();
    assert_eq!(edges.len(), 3);
    let node = &edges[0]["node"];
    assert_eq!(node["partnerName"], "阜新信用通");
    assert!(node["department"].is_null());
    assert_eq!(node["purpose"], "贷前审查");

    // Five requests so far, counted for today.
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let r = app.gql(PARTNERS, json!({}), Some(&office(&app))).await;
        assert_no_errors(&r);
        let usage = r["data"]["partners"]["edges"][0]["node"]["usage"].clone();
        if usage[0]["requests"] == 5 {
            assert_eq!(usage.as_array().unwrap().len(), 1);
            break;
        }
        assert!(Instant::now() < deadline, "usage never reached 5: {usage}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    // Suspended: the very next request with the same token is refused, with the reason.
    let r = app
        .gql(
            SUSPEND,
            json!({ "id": client_id, "r": "违规缓存个人信息" }),
            Some(&office(&app)),
        )
        .await;
    assert_no_errors(&r);
    assert_eq!(
        r["data"]["suspendPartner"]["partner"]["status"],
        "SUSPENDED"
    );
    let resp = app
        .raw_post(
            json!({ "query": LOOK, "variables": { "c": code } }),
            Some(&token),
        )
        .await;
    assert_eq!(resp.status(), 403);
    let body: Value = resp.json().await.unwrap();
    assert_eq!(code_of(&body), "FORBIDDEN");
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("违规缓存个人信息")
    );
    let r = app
        .gql(
            SUSPEND,
            json!({ "id": client_id, "r": "再次" }),
            Some(&office(&app)),
        )
        .await;
    assert_eq!(code_of(&r), "CONFLICT");
    let r = app
        .gql(REINSTATE, json!({ "id": client_id }), Some(&office(&app)))
        .await;
    assert_eq!(r["data"]["reinstatePartner"]["partner"]["status"], "ACTIVE");
    let r = app.gql(LOOK, json!({ "c": code }), Some(&token)).await;
    assert_no_errors(&r);

    // Tokens it did not sign properly, or that live too long, are refused.
    let forged = partner_token(
        &client_id,
        Algorithm::HS256,
        &EncodingKey::from_secret(b"guess"),
        600,
    );
    let r = app.gql(LOOK, json!({ "c": code }), Some(&forged)).await;
    assert_eq!(code_of(&r), "UNAUTHENTICATED");
    let long = partner_token(&client_id, Algorithm::HS256, &key, 7_200);
    let r = app.gql(LOOK, json!({ "c": code }), Some(&long)).await;
    assert_eq!(code_of(&r), "UNAUTHENTICATED");
    // The hour holds whatever `iat` says: one set ten years ahead does not buy ten years.
    let ahead = chrono::Utc::now().timestamp() + 10 * 365 * 86_400;
    let mut header = Header::new(Algorithm::HS256);
    header.kid = Some(client_id.clone());
    let claims = json!({ "iss": client_id, "sub": client_id, "aud": "xinyong-api", "iat": ahead, "exp": ahead + 600 });
    let r = app
        .gql(
            LOOK,
            json!({ "c": code }),
            Some(&encode(&header, &claims, &key).unwrap()),
        )
        .await;
    assert_eq!(code_of(&r), "UNAUTHENTICATED");
    let unknown = partner_token("pt_0000000000000000", Algorithm::HS256, &key, 600);
    let r = app.gql(LOOK, json!({ "c": code }), Some(&unknown)).await;
    assert_eq!(code_of(&r), "UNAUTHENTICATED");
}

#[tokio::test]
async fn a_partner_with_a_key_pair_signs_with_its_private_key_and_its_plan_limits_it() {
    let app = TestApp::spawn().await;
    let reg = register(
        &app,
        json!({ "name": "阜新普惠金融", "scopes": ["partner:lookup"], "ratePerSecond": 1, "burst": 2, "publicKeyPem": PUBLIC_PEM }),
    )
    .await;
    assert!(reg["secret"].is_null());
    assert_eq!(reg["partner"]["signsWith"], "KEY_PAIR");
    let client_id = reg["partner"]["clientId"].as_str().unwrap();
    let key = EncodingKey::from_ed_pem(PRIVATE_PEM.as_bytes()).unwrap();
    let token = partner_token(client_id, Algorithm::EdDSA, &key, 600);
    let code = app.company("210902").await;
    // Its plan: two at once, then one a second.
    for _ in 0..2 {
        let r = app.gql(LOOK, json!({ "c": code }), Some(&token)).await;
        assert_no_errors(&r);
    }
    let resp = app
        .raw_post(
            json!({ "query": LOOK, "variables": { "c": code } }),
            Some(&token),
        )
        .await;
    assert_eq!(resp.status(), 429);
    let body: Value = resp.json().await.unwrap();
    assert_eq!(code_of(&body), "RATE_LIMITED");
    // An HS256 token naming this partner is refused: it signs with its key pair only.
    let hs = partner_token(
        client_id,
        Algorithm::HS256,
        &EncodingKey::from_secret(PUBLIC_PEM.as_bytes()),
        600,
    );
    let r = app.gql(LOOK, json!({ "c": code }), Some(&hs)).await;
    assert_eq!(code_of(&r), "UNAUTHENTICATED");
}

#[tokio::test]
async fn only_the_credit_office_registers_partners_and_bad_input_changes_nothing() {
    let app = TestApp::spawn().await;
    let good =
        json!({ "name": "某应用", "scopes": ["partner:lookup"], "ratePerSecond": 5, "burst": 10 });
    let r = app
        .gql(
            REGISTER_PARTNER,
            json!({ "input": good }),
            Some(&app.token("210900.court", &["memoranda:admin"])),
        )
        .await;
    assert_eq!(code_of(&r), "FORBIDDEN");
    let r = app
        .gql(
            REGISTER_PARTNER,
            json!({ "input": good }),
            Some(&app.token("210900.ndrc", &["lists:write"])),
        )
        .await;
    assert_eq!(code_of(&r), "FORBIDDEN");
    for (input, field) in [
        (
            json!({ "name": "某应用", "scopes": ["lists:write"], "ratePerSecond": 5, "burst": 10 }),
            "input.scopes",
        ),
        (
            json!({ "name": " ", "scopes": ["partner:lookup"], "ratePerSecond": 5, "burst": 10 }),
            "input.name",
        ),
        (
            json!({ "name": "某应用", "scopes": ["partner:lookup"], "ratePerSecond": 5, "burst": 0 }),
            "input.burst",
        ),
        (
            json!({ "name": "某应用", "scopes": ["partner:lookup"], "ratePerSecond": 5, "burst": 10, "publicKeyPem": "not a key" }),
            "input.publicKeyPem",
        ),
    ] {
        let r = app
            .gql(
                REGISTER_PARTNER,
                json!({ "input": input }),
                Some(&office(&app)),
            )
            .await;
        assert_eq!(
            error_of(&r),
            ("BAD_USER_INPUT".into(), Some(field.into())),
            "{r}"
        );
    }
    let r = app.gql(PARTNERS, json!({}), Some(&office(&app))).await;
    assert_eq!(
        r["data"]["partners"]["edges"],
        json!([]),
        "nothing was registered"
    );
    let r = app
        .gql(
            SUSPEND,
            json!({ "id": "pt_0000000000000000", "r": "x" }),
            Some(&office(&app)),
        )
        .await;
    assert_eq!(code_of(&r), "NOT_FOUND");
}
