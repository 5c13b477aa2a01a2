//! The binary itself: `xinyong token` prints a token the server accepts, and only that.

use crate::helpers::*;
use serde_json::json;
use std::process::Command;

#[tokio::test]
async fn token_command_prints_a_token_the_server_accepts() {
    let app = TestApp::spawn().await;
    let out = Command::new(env!("CARGO_BIN_EXE_xinyong"))
        .args([
            "token",
            "--department",
            "210922.market",
            "--scope",
            "lists:write",
            "records:write",
            "--ttl",
            "10m",
        ])
        .env("XINYONG_DATABASE_URL", &app.settings.database_url)
        .env("XINYONG_JWT_SECRET", SECRET)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8(out.stdout).unwrap();
    let token = stdout.trim();
    assert_eq!(stdout.lines().count(), 1, "only the token on stdout");
    let r = app
        .gql(
            "{ me { kind scopes department { code } } }",
            json!({}),
            Some(token),
        )
        .await;
    assert_no_errors(&r);
    assert_eq!(r["data"]["me"]["department"]["code"], "210922.market");
    let mut scopes: Vec<String> =
        serde_json::from_value(r["data"]["me"]["scopes"].clone()).unwrap();
    scopes.sort();
    assert_eq!(scopes, ["lists:write", "records:write"]);
}

#[tokio::test]
async fn token_command_refuses_unknown_departments_and_scopes() {
    let app = TestApp::spawn().await;
    for args in [
        vec!["--department", "210900.nobody", "--scope", "lists:write"],
        vec![
            "--department",
            "210900.court",
            "--scope",
            "lists:everything",
        ],
    ] {
        let out = Command::new(env!("CARGO_BIN_EXE_xinyong"))
            .arg("token")
            .args(&args)
            .env("XINYONG_DATABASE_URL", &app.settings.database_url)
            .output()
            .unwrap();
        assert!(!out.status.success(), "{args:?}");
        assert!(out.stdout.is_empty());
    }
}

#[tokio::test]
async fn seed_synthetic_makes_subjects_records_and_listings() {
    let app = TestApp::spawn().await;
    let out = Command::new(env!("CARGO_BIN_EXE_xinyong"))
        .args(["seed", "--synthetic", "500"])
        .env("XINYONG_DATABASE_URL", &app.settings.database_url)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("500 subjects"));
    let r = app.gql("{ subjects(search: \"有限公司\", first: 100) { edges { node { code } } pageInfo { hasNextPage } } }", json!({}), None).await;
    assert_no_errors(&r);
    assert_eq!(r["data"]["subjects"]["pageInfo"]["hasNextPage"], true);
    for edge in r["data"]["subjects"]["edges"].as_array().unwrap() {
        assert!(domain::Uscc::parse(edge["node"]["code"].as_str().unwrap()).is_ok());
    }
    let r = app.gql("{ listEntries(listType: \"court-dishonest-debtor\", first: 100) { edges { node { id } } } }", json!({}), None).await;
    assert!(
        !r["data"]["listEntries"]["edges"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    let r = app
        .gql(
            "{ creditRecords(kind: PENALTY, first: 5) { edges { node { id } } } }",
            json!({}),
            Some(&app.token("210900.market", &[])),
        )
        .await;
    assert!(
        !r["data"]["creditRecords"]["edges"]
            .as_array()
            .unwrap()
            .is_empty()
    );
}
