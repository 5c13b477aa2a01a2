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
async fn token_command_refuses_unknown_departments_scopes_and_overlong_lifetimes() {
    let app = TestApp::spawn().await;
    for (args, said) in [
        (
            vec!["--department", "210900.nobody", "--scope", "lists:write"],
            "not registered",
        ),
        (
            vec![
                "--department",
                "210900.court",
                "--scope",
                "lists:everything",
            ],
            "unknown scope",
        ),
        (
            vec![
                "--department",
                "210900.court",
                "--scope",
                "lists:write",
                "--ttl",
                "31d",
            ],
            "at most 720 hours",
        ),
    ] {
        let out = Command::new(env!("CARGO_BIN_EXE_xinyong"))
            .arg("token")
            .args(&args)
            .env("XINYONG_DATABASE_URL", &app.settings.database_url)
            .env("XINYONG_JWT_SECRET", SECRET)
            .output()
            .unwrap();
        assert!(!out.status.success(), "{args:?}");
        assert!(out.stdout.is_empty());
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains(said), "{args:?}: {stderr}");
    }
    // Without a secret, and no demonstration on this database, there is nothing to sign with.
    let out = Command::new(env!("CARGO_BIN_EXE_xinyong"))
        .args([
            "token",
            "--department",
            "210900.court",
            "--scope",
            "lists:write",
        ])
        .env("XINYONG_DATABASE_URL", &app.settings.database_url)
        .env_remove("XINYONG_JWT_SECRET")
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("XINYONG_JWT_SECRET"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
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

/// Runs `xinyong export` against the app's database: (stdout, stderr), failing loudly on failure.
fn export(app: &TestApp, args: &[&str]) -> (String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_xinyong"))
        .arg("export")
        .args(args)
        .env("XINYONG_DATABASE_URL", &app.settings.database_url)
        .env("XINYONG_JWT_SECRET", SECRET)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "{stderr}");
    (String::from_utf8(out.stdout).unwrap(), stderr)
}

#[tokio::test]
async fn export_writes_the_feed_with_its_objects_and_resumes_where_it_stopped() {
    let app = TestApp::spawn().await;
    let court = app.publisher("210900.court");
    let a = app.company("210902").await;
    let b = app.company("210903").await;
    let r = app
        .list(&court, &a, "court-dishonest-debtor", json!({}))
        .await;
    assert_no_errors(&r);
    let entry = r["data"]["addListEntry"]["entry"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let r = app.gql("mutation($id: ID!) { revokeListEntry(input: { id: $id, reason: \"生效判决已被撤销\" }) { entry { status } } }",
        json!({ "id": entry }), Some(&court)).await;
    assert_no_errors(&r);

    let dir = std::env::temp_dir().join(format!("xinyong-export-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    let first = dir.join("1.jsonl");
    let (_, said) = export(&app, &["--limit", "2", "--out", first.to_str().unwrap()]);
    assert!(
        said.contains("exported 2 changes; next time: xinyong export --after 2"),
        "{said}"
    );
    let (rest, said) = export(&app, &["--after", "2"]);
    assert!(
        said.contains("exported 2 changes; next time: xinyong export --after 4"),
        "{said}"
    );
    let (none, said) = export(&app, &["--after", "4"]);
    assert!(
        none.is_empty() && said.contains("exported 0 changes; next time: xinyong export --after 4"),
        "{said}"
    );

    let text = std::fs::read_to_string(&first).unwrap() + &rest;
    let lines: Vec<serde_json::Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let seen: Vec<(i64, &str, &str)> = lines
        .iter()
        .map(|l| {
            (
                l["seq"].as_i64().unwrap(),
                l["target"].as_str().unwrap(),
                l["action"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        seen,
        [
            (1, "subject", "created"),
            (2, "subject", "created"),
            (3, "entry", "created"),
            (4, "entry", "revoked")
        ]
    );
    assert_eq!(
        (
            lines[0]["subjectCode"].as_str(),
            lines[1]["object"]["code"].as_str()
        ),
        (Some(a.as_str()), Some(b.as_str()))
    );
    assert!(
        lines[0]["object"]["name"]
            .as_str()
            .is_some_and(|n| !n.is_empty())
    );
    // Objects as they stand now: the entry made at 3 shows revoked.
    assert_eq!(lines[2]["object"]["listType"], "court-dishonest-debtor");
    assert_eq!(lines[2]["object"]["status"], "revoked");
    assert_eq!(lines[3]["department"], "210900.court");
    std::fs::remove_dir_all(&dir).unwrap();

    let out = Command::new(env!("CARGO_BIN_EXE_xinyong"))
        .args(["export", "--after=-1"])
        .env("XINYONG_DATABASE_URL", &app.settings.database_url)
        .env("XINYONG_JWT_SECRET", SECRET)
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("--after"));
}
