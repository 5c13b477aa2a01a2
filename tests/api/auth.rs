use crate::helpers::*;
use base64::Engine;
use serde_json::json;

const ME: &str = "{ me { kind scopes department { code jurisdiction { code } } } }";

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

#[tokio::test]
async fn me_reflects_the_token() {
    let app = TestApp::spawn().await;
    let r = app.gql(ME, json!({}), None).await;
    assert_eq!(r["data"]["me"]["kind"], "ANONYMOUS");
    let token = app.token("210922.market", &["lists:write"]);
    let r = app.gql(ME, json!({}), Some(&token)).await;
    assert_eq!(r["data"]["me"]["kind"], "DEPARTMENT");
    assert_eq!(r["data"]["me"]["scopes"], json!(["lists:write"]));
    assert_eq!(
        r["data"]["me"]["department"]["jurisdiction"]["code"],
        "210922"
    );
}

#[tokio::test]
async fn bad_tokens_are_unauthenticated() {
    let app = TestApp::spawn().await;
    let good = app.publisher("210900.court");
    let expired = app.token_with("210900.court", &["lists:write"], |c| {
        c.exp = chrono::Utc::now().timestamp() - 3600;
        c.iat = c.exp - 3600;
    });
    let wrong_audience = app.token_with("210900.court", &["lists:write"], |c| {
        c.aud = "another-platform".into()
    });
    let wrong_issuer = app.token_with("210900.court", &["lists:write"], |c| {
        c.iss = "someone-else".into()
    });
    let tampered = {
        let parts: Vec<&str> = good.split('.').collect();
        let mut claims: serde_json::Value = serde_json::from_slice(
            &base64::engine::general_purpose::URL_SAFE_NO_PAD
                .decode(parts[1])
                .unwrap(),
        )
        .unwrap();
        claims["dept"] = json!("210900.ndrc");
        format!(
            "{}.{}.{}",
            parts[0],
            b64(claims.to_string().as_bytes()),
            parts[2]
        )
    };
    let alg_none = {
        let parts: Vec<&str> = good.split('.').collect();
        format!("{}.{}.", b64(br#"{"alg":"none","typ":"JWT"}"#), parts[1])
    };
    let other_secret = {
        let now = chrono::Utc::now().timestamp();
        let claims = api::auth::Claims {
            sub: "x".into(),
            role: None,
            dept: Some("210900.court".into()),
            jur: None,
            scopes: vec![],
            exp: now + 600,
            iat: now,
            nbf: None,
            iss: "xinyong".into(),
            aud: "xinyong-api".into(),
        };
        api::auth::mint_hs256(
            &secrecy::SecretString::from("not-the-server-secret-not-the-server"),
            &claims,
        )
        .unwrap()
    };
    for (what, token) in [
        ("expired", expired),
        ("wrong audience", wrong_audience),
        ("wrong issuer", wrong_issuer),
        ("tampered", tampered),
        ("alg none", alg_none),
        ("other secret", other_secret),
        ("garbage", "abc".into()),
    ] {
        let resp = app.raw_post(json!({ "query": ME }), Some(&token)).await;
        assert_eq!(resp.status(), 401, "{what}");
        let body: serde_json::Value = resp.json().await.unwrap();
        assert_eq!(error_of(&body).0, "UNAUTHENTICATED", "{what}");
        assert!(
            body.get("data").is_none() || body["data"].is_null(),
            "{what}: nothing ran"
        );
    }
}

#[tokio::test]
async fn mutations_without_a_token_are_unauthenticated_and_store_nothing() {
    let app = TestApp::spawn().await;
    let r = app.gql(REGISTER, json!({ "input": { "code": new_uscc("210902"), "kind": "LEGAL_PERSON", "name": "无令牌", "jurisdiction": "210902", "representativeName": "王伟" } }), None).await;
    assert_eq!(error_of(&r).0, "UNAUTHENTICATED");
    let r = app
        .gql("{ subjects { edges { node { id } } } }", json!({}), None)
        .await;
    assert_eq!(r["data"]["subjects"]["edges"].as_array().unwrap().len(), 0);
}

#[tokio::test]
async fn a_token_for_an_unregistered_department_or_the_wrong_jurisdiction_is_forbidden() {
    let app = TestApp::spawn().await;
    let ghost = app.publisher("210900.ghost");
    let r = app.gql(REGISTER, json!({ "input": { "code": new_uscc("210902"), "kind": "LEGAL_PERSON", "name": "幽灵", "jurisdiction": "210902", "representativeName": "王伟" } }), Some(&ghost)).await;
    assert_eq!(error_of(&r).0, "FORBIDDEN");
    // A county department claiming the city's jurisdiction does not get the city's reach.
    let claims_city = app.token_with("210922.market", &["subjects:write"], |c| {
        c.jur = Some("210900".into())
    });
    let r = app.gql(REGISTER, json!({ "input": { "code": new_uscc("210921"), "kind": "LEGAL_PERSON", "name": "越权", "jurisdiction": "210921", "representativeName": "王伟" } }), Some(&claims_city)).await;
    assert_eq!(error_of(&r).0, "FORBIDDEN");
}

fn fixture(name: &str) -> String {
    format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"))
}

#[tokio::test]
async fn production_keys_verify_and_algorithm_confusion_is_refused() {
    use jsonwebtoken::{Algorithm, EncodingKey, Header, encode};
    let cases = [
        (
            "EdDSA",
            Algorithm::EdDSA,
            "ed25519-public.pem",
            "ed25519-private.pem",
        ),
        (
            "RS256",
            Algorithm::RS256,
            "rsa-public.pem",
            "rsa-private.pem",
        ),
    ];
    for (name, alg, public, private) in cases {
        let app = TestApp::spawn_with(|s| {
            s.jwt_algorithm = name.into();
            s.jwt_public_key_file = Some(fixture(public));
        })
        .await;
        let claims = TestApp::claims("210900.court", &["lists:write"]);
        let private_pem = std::fs::read(fixture(private)).unwrap();
        let key = match alg {
            Algorithm::EdDSA => EncodingKey::from_ed_pem(&private_pem).unwrap(),
            _ => EncodingKey::from_rsa_pem(&private_pem).unwrap(),
        };
        let good = encode(&Header::new(alg), &claims, &key).unwrap();
        let r = app.gql(ME, json!({}), Some(&good)).await;
        assert_eq!(r["data"]["me"]["kind"], "DEPARTMENT", "{name}: {r}");
        // The classic confusion: HS256 "signed" with the server's public key as the secret.
        let public_pem = std::fs::read(fixture(public)).unwrap();
        let confused = encode(
            &Header::new(Algorithm::HS256),
            &claims,
            &EncodingKey::from_secret(&public_pem),
        )
        .unwrap();
        // And a token made with the development secret, which this server must not trust.
        let dev = app.token("210900.court", &["lists:write"]);
        for (what, token) in [("confusion", confused), ("dev secret", dev)] {
            let resp = app.raw_post(json!({ "query": ME }), Some(&token)).await;
            assert_eq!(resp.status(), 401, "{name}: {what}");
        }
    }
}

/// An HS256 token made by hand, as an outside client would (base64url and HMAC-SHA256), not by the
/// library the server verifies with.
fn hand_made(header: serde_json::Value, claims: serde_json::Value, secret: &[u8]) -> String {
    use hmac::Mac;
    let input = format!(
        "{}.{}",
        b64(header.to_string().as_bytes()),
        b64(claims.to_string().as_bytes())
    );
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(secret).unwrap();
    mac.update(input.as_bytes());
    format!("{input}.{}", b64(&mac.finalize().into_bytes()))
}

fn department_claims(iat: i64, exp: i64) -> serde_json::Value {
    json!({ "sub": "210900.court", "role": "department", "dept": "210900.court", "jur": "210900",
        "scopes": ["lists:write"], "iss": "xinyong", "aud": "xinyong-api", "iat": iat, "exp": exp })
}

#[tokio::test]
async fn tokens_not_yet_valid_issued_in_the_future_or_living_too_long_are_refused() {
    let app = TestApp::spawn().await;
    let now = chrono::Utc::now().timestamp();
    let header = json!({ "alg": "HS256", "typ": "JWT" });
    let me = |token: String| {
        let app = &app;
        async move { app.gql(ME, json!({}), Some(&token)).await }
    };
    // The hand-made token is accepted when nothing is wrong with it: the refusals below are real.
    let fine = hand_made(
        header.clone(),
        department_claims(now, now + 3600),
        SECRET.as_bytes(),
    );
    assert_eq!(me(fine).await["data"]["me"]["kind"], "DEPARTMENT");
    let mut later = department_claims(now, now + 7200);
    later["nbf"] = json!(now + 3600);
    let refusals = [
        ("nbf in the future", later),
        (
            "iat in the future",
            department_claims(now + 10 * 365 * 86_400, now + 10 * 365 * 86_400 + 3600),
        ),
        (
            "a department token of 80 years",
            department_claims(now, now + 80 * 365 * 86_400),
        ),
        ("31 days", department_claims(now, now + 31 * 86_400)),
    ];
    for (what, claims) in refusals {
        let r = me(hand_made(header.clone(), claims, SECRET.as_bytes())).await;
        assert_eq!(error_of(&r).0, "UNAUTHENTICATED", "{what}: {r}");
    }
    // A subject's own token lives a day at most.
    let subject = json!({ "sub": new_uscc("210902"), "role": "subject", "iss": "xinyong",
        "aud": "xinyong-api", "iat": now, "exp": now + 2 * 86_400 });
    let r = me(hand_made(header.clone(), subject, SECRET.as_bytes())).await;
    assert_eq!(error_of(&r).0, "UNAUTHENTICATED", "{r}");
    // A little clock difference is forgiven.
    let skewed = hand_made(
        header,
        department_claims(now + 10, now + 3600),
        SECRET.as_bytes(),
    );
    assert_eq!(me(skewed).await["data"]["me"]["kind"], "DEPARTMENT");
}

#[tokio::test]
async fn a_subscription_needs_the_scope_of_what_it_streams_and_a_refused_init_closes_with_4403() {
    use futures_util::{SinkExt, StreamExt};
    use tokio_tungstenite::tungstenite::Message;
    use tokio_tungstenite::tungstenite::client::IntoClientRequest;
    let app = TestApp::spawn().await;
    let connect = || async {
        let url = format!("{}/graphql", app.address.replace("http://", "ws://"));
        let mut request = url.into_client_request().unwrap();
        request.headers_mut().insert(
            "sec-websocket-protocol",
            "graphql-transport-ws".parse().unwrap(),
        );
        tokio_tungstenite::connect_async(request).await.unwrap().0
    };
    // A bad token: closed with 4403.
    let mut ws = connect().await;
    let init =
        json!({ "type": "connection_init", "payload": { "Authorization": "Bearer not-a-token" } });
    ws.send(Message::Text(init.to_string().into()))
        .await
        .unwrap();
    match tokio::time::timeout(std::time::Duration::from_secs(10), ws.next())
        .await
        .unwrap()
    {
        Some(Ok(Message::Close(Some(frame)))) => {
            assert_eq!(u16::from(frame.code), 4403, "{frame:?}")
        }
        other => panic!("expected a close with 4403, got {other:?}"),
    }
    // A bank's token opens the connection but cannot stream dispatches.
    let bank = app.token("210900.icbc", &["bank:query"]);
    let mut ws =
        crate::joint::subscribe(&app, &bank, "subscription { dispatchCreated { id } }").await;
    let answer = crate::joint::next_json(&mut ws).await;
    assert!(answer["payload"]["data"].is_null(), "{answer}");
    assert_eq!(
        answer["payload"]["errors"][0]["extensions"]["code"], "FORBIDDEN",
        "{answer}"
    );
}
