//! The audit trail: every mutation recorded, refused ones too, in a hash chain that
//! `xinyong audit verify` checks.

use crate::helpers::*;
use serde_json::json;
use std::process::Command;

fn verify(app: &TestApp) -> (bool, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_xinyong"))
        .args(["audit", "verify"])
        .env("XINYONG_DATABASE_URL", &app.settings.database_url)
        .output()
        .unwrap();
    (
        out.status.success(),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    )
}

#[tokio::test]
async fn every_mutation_is_recorded_and_tampering_is_detected() {
    let app = TestApp::spawn().await;
    let code = app.company("210902").await;
    let tax = app.publisher("210900.tax");
    let r = app
        .list(&tax, &code, "court-dishonest-debtor", json!({}))
        .await;
    assert_eq!(error_of(&r).0, "FORBIDDEN");
    let court = app.publisher("210900.court");
    let r = app
        .list(&court, &code, "court-dishonest-debtor", json!({}))
        .await;
    assert_no_errors(&r);
    let entry = r["data"]["addListEntry"]["entry"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let r = app.gql("mutation { registerSubject(input: { code: \"x\", kind: LEGAL_PERSON, name: \"n\", jurisdiction: \"210902\" }) { subject { id } } }", json!({}), None).await;
    assert_eq!(error_of(&r).0, "UNAUTHENTICATED");
    // Refused before it ran, for a bad token: recorded all the same.
    let resp = app.raw_post(json!({ "query": "mutation { revokeListEntry(input: { id: \"x\", reason: \"y\" }) { entry { id } } }" }), Some("not-a-token")).await;
    assert_eq!(resp.status(), 401);

    let ndrc = app.token("210900.ndrc", &["stats:read"]);
    let log = "query($a: String) { auditLog(action: $a, first: 100) { edges { node { seq actor department action target outcome requestId digest prevHash hash } } } }";
    let r = app.gql(log, json!({}), Some(&ndrc)).await;
    assert_no_errors(&r);
    let records: Vec<serde_json::Value> = r["data"]["auditLog"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"].clone())
        .collect();
    let summary: Vec<(String, String)> = records
        .iter()
        .map(|n| {
            (
                n["action"].as_str().unwrap().to_owned(),
                n["outcome"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            ("registerSubject".to_owned(), "ok".to_owned()),
            ("addListEntry".to_owned(), "FORBIDDEN".to_owned()),
            ("addListEntry".to_owned(), "ok".to_owned()),
            ("registerSubject".to_owned(), "UNAUTHENTICATED".to_owned()),
            ("revokeListEntry".to_owned(), "UNAUTHENTICATED".to_owned()),
        ]
    );
    assert_eq!(records[1]["department"], "210900.tax");
    assert_eq!(records[2]["target"], entry.as_str());
    assert_eq!(records[3]["actor"], "anonymous");
    assert_eq!(records[4]["actor"], "invalid-token");
    assert!(
        records
            .iter()
            .all(|n| n["requestId"].as_str().is_some_and(|s| !s.is_empty())
                && n["digest"].as_str().unwrap().len() == 64)
    );
    assert_eq!(records[1]["prevHash"], records[0]["hash"]);
    let r = app
        .gql(
            log,
            json!({}),
            Some(&app.token("210900.court", &["stats:read"])),
        )
        .await;
    assert_eq!(
        error_of(&r).0,
        "FORBIDDEN",
        "the trail is the credit office's"
    );

    let (ok, out) = verify(&app);
    assert!(ok, "{out}");
    assert!(out.contains("5 records"), "{out}");
    // Reading the trail is a query: it adds nothing. A change behind the server's back is found.
    exec_sql(
        &app.settings.database_url,
        "UPDATE audit_log SET outcome = 'ok' WHERE seq = 2",
    );
    let (ok, out) = verify(&app);
    assert!(!ok);
    assert!(out.contains("record 2"), "{out}");
    exec_sql(
        &app.settings.database_url,
        "UPDATE audit_log SET outcome = 'FORBIDDEN' WHERE seq = 2",
    );
    assert!(verify(&app).0, "restored");
    exec_sql(
        &app.settings.database_url,
        "DELETE FROM audit_log WHERE seq = 3",
    );
    let (ok, out) = verify(&app);
    assert!(!ok);
    assert!(out.contains("record 4"), "{out}");
}
