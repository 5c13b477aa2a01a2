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
