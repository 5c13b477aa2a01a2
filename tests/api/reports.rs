//! Authorised bank queries and signed credit reports that anyone can verify without the database.

use crate::helpers::*;
use chrono::Days;
use serde_json::{Value, json};
use std::process::Command;

const GRANT: &str = "mutation($input: GrantAuthorisationInput!) { grantAuthorisation(input: $input) { authorisation { id inForce validUntil bank { code name } } } }";
const REVOKE: &str = "mutation($id: ID!) { revokeAuthorisation(input: { id: $id }) { authorisation { id inForce revokedAt } } }";
const REPORT: &str = "query($c: String!, $p: ReportPurpose!) { creditReport(code: $c, purpose: $p) { number subjectCode purpose document } }";
const VERIFY: &str =
    "query($d: String!) { verifyReport(document: $d) { valid reason number subjectCode } }";

fn today() -> chrono::NaiveDate {
    domain::time::china_date(chrono::Utc::now())
}

fn grant(bank: &str, purpose: &str, until: chrono::NaiveDate) -> Value {
    json!({ "input": { "bank": bank, "purpose": purpose, "validUntil": until.to_string() } })
}

/// `xinyong report verify FILE` with no reachable database: (verified, what it said).
fn verify_cli(file: &std::path::Path, public_key: Option<&str>) -> (bool, String) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_xinyong"));
    cmd.args(["report", "verify", file.to_str().unwrap()]);
    if let Some(x) = public_key {
        cmd.args(["--public-key", x]);
    }
    let out = cmd
        .env("XINYONG_DATABASE_URL", "postgres://nobody@127.0.0.1:1/none")
        .env("XINYONG_JWT_SECRET", SECRET)
        .env("XINYONG_REPORT_SIGNING_KEY", REPORT_KEY)
        .output()
        .unwrap();
    let said =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    (out.status.success(), said)
}

#[tokio::test]
async fn an_authorised_bank_gets_a_report_anyone_can_verify_and_the_subject_sees_who_looked() {
    let app = TestApp::spawn().await;
    let code = app.company("210902").await;
    let me = app.subject_token(&code);
    let icbc = app.token("210900.icbc", &["bank:query"]);
    assert_no_errors(
        &app.list(
            &app.publisher("210900.court"),
            &code,
            "court-dishonest-debtor",
            json!({}),
        )
        .await,
    );

    // No authorisation yet: refused.
    let r = app
        .gql(REPORT, json!({ "c": code, "p": "LENDING" }), Some(&icbc))
        .await;
    assert_eq!(error_of(&r).0, "FORBIDDEN");

    let r = app
        .gql(
            GRANT,
            grant("210900.icbc", "LENDING", today() + Days::new(30)),
            Some(&me),
        )
        .await;
    assert_no_errors(&r);
    assert_eq!(
        r["data"]["grantAuthorisation"]["authorisation"]["inForce"],
        true
    );
    assert_eq!(
        r["data"]["grantAuthorisation"]["authorisation"]["bank"]["name"],
        "中国工商银行阜新分行"
    );
    let granted = r["data"]["grantAuthorisation"]["authorisation"]["id"].clone();

    let r = app
        .gql(REPORT, json!({ "c": code, "p": "LENDING" }), Some(&icbc))
        .await;
    assert_no_errors(&r);
    let report = &r["data"]["creditReport"];
    let document = report["document"].as_str().unwrap().to_owned();
    let payload: Value = serde_json::from_str::<Value>(&document).unwrap()["payload"].clone();
    assert_eq!(payload["subject"]["code"], code.as_str());
    assert_eq!(payload["number"], report["number"]);
    assert_eq!(payload["purpose"], "lending");
    assert_eq!(payload["summary"]["blackListsInForce"], 1);
    let listed = &payload["activeEntries"][0];
    assert_eq!(listed["listType"], "court-dishonest-debtor");
    assert!(
        !listed["measures"].as_array().unwrap().is_empty(),
        "with the measures it set off"
    );

    // Another purpose, another bank: refused.
    let r = app
        .gql(REPORT, json!({ "c": code, "p": "BIDDING" }), Some(&icbc))
        .await;
    assert_eq!(error_of(&r).0, "FORBIDDEN");
    let r = app
        .gql(
            REPORT,
            json!({ "c": code, "p": "LENDING" }),
            Some(&app.token("210900.fxbank", &["bank:query"])),
        )
        .await;
    assert_eq!(error_of(&r).0, "FORBIDDEN");

    // Verified on a copy, by a process that cannot reach any database; a changed character fails.
    let dir = std::env::temp_dir().join(format!("xinyong-report-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    let copy = dir.join("report.json");
    std::fs::write(&copy, &document).unwrap();
    let (ok, said) = verify_cli(&copy, None);
    assert!(ok && said.contains("genuine and unaltered"), "{said}");
    let keys: Value = app
        .client
        .get(format!(
            "{}/.well-known/xinyong-report-keys.json",
            app.address
        ))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let x = keys["keys"][0]["x"].as_str().unwrap();
    assert!(verify_cli(&copy, Some(x)).0, "with the published key");
    let name = payload["subject"]["name"].as_str().unwrap();
    let first: String = name.chars().take(1).collect();
    let altered = document.replacen(
        &format!("\"name\": \"{name}\""),
        &format!(
            "\"name\": \"{}{}\"",
            if first == "张" { "李" } else { "张" },
            name.chars().skip(1).collect::<String>()
        ),
        1,
    );
    assert_ne!(altered, document);
    std::fs::write(&copy, &altered).unwrap();
    let (ok, said) = verify_cli(&copy, None);
    assert!(!ok && said.contains("签名不符"), "{said}");
    std::fs::remove_dir_all(&dir).unwrap();

    // The same through the public query.
    let r = app.gql(VERIFY, json!({ "d": document }), None).await;
    assert_no_errors(&r);
    assert_eq!(
        (
            r["data"]["verifyReport"]["valid"].clone(),
            r["data"]["verifyReport"]["subjectCode"].clone()
        ),
        (json!(true), json!(code))
    );
    let r = app.gql(VERIFY, json!({ "d": altered }), None).await;
    assert_eq!(r["data"]["verifyReport"]["valid"], false);
    assert!(
        r["data"]["verifyReport"]["reason"]
            .as_str()
            .unwrap()
            .contains("签名不符")
    );

    // The subject sees the bank's look-up; revoking stops the bank at once.
    let r = app
        .gql(
            "{ me { queryLog { edges { node { via purpose department { code } } } } } }",
            json!({}),
            Some(&me),
        )
        .await;
    assert_no_errors(&r);
    let seen = &r["data"]["me"]["queryLog"]["edges"][0]["node"];
    assert_eq!(
        (seen["via"].as_str(), seen["department"]["code"].as_str()),
        (Some("REPORT"), Some("210900.icbc"))
    );
    let r = app.gql(REVOKE, json!({ "id": granted }), Some(&me)).await;
    assert_no_errors(&r);
    assert_eq!(
        r["data"]["revokeAuthorisation"]["authorisation"]["inForce"],
        false
    );
    let r = app
        .gql(REPORT, json!({ "c": code, "p": "LENDING" }), Some(&icbc))
        .await;
    assert_eq!(error_of(&r).0, "FORBIDDEN");
    let r = app.gql(REVOKE, json!({ "id": granted }), Some(&me)).await;
    assert_eq!(error_of(&r).0, "CONFLICT");
}

#[tokio::test]
async fn an_authorisation_expires_and_only_the_subject_grants_within_a_year() {
    let app = TestApp::spawn().await;
    let code = app.company("210902").await;
    let me = app.subject_token(&code);
    let icbc = app.token("210900.icbc", &["bank:query"]);
    assert_no_errors(
        &app.gql(GRANT, grant("210900.icbc", "BIDDING", today()), Some(&me))
            .await,
    );
    let r = app
        .gql(REPORT, json!({ "c": code, "p": "BIDDING" }), Some(&icbc))
        .await;
    assert_no_errors(&r);
    app.clock.advance_days(1);
    let r = app
        .gql(REPORT, json!({ "c": code, "p": "BIDDING" }), Some(&icbc))
        .await;
    assert_eq!(error_of(&r).0, "FORBIDDEN", "its last day has passed");
    let r = app
        .gql(
            "{ me { authorisations { edges { node { inForce purpose } } } } }",
            json!({}),
            Some(&me),
        )
        .await;
    assert_no_errors(&r);
    assert_eq!(
        r["data"]["me"]["authorisations"]["edges"][0]["node"]["inForce"],
        false
    );

    let later = today() + Days::new(400);
    let r = app
        .gql(GRANT, grant("210900.icbc", "LENDING", later), Some(&me))
        .await;
    assert_eq!(
        error_of(&r),
        (
            "BAD_USER_INPUT".to_owned(),
            Some("input.validUntil".to_owned())
        )
    );
    let r = app
        .gql(
            GRANT,
            grant("210900.nobank", "LENDING", today() + Days::new(9)),
            Some(&me),
        )
        .await;
    assert_eq!(error_of(&r).0, "NOT_FOUND");
    let r = app
        .gql(
            GRANT,
            grant("210900.icbc", "LENDING", today() + Days::new(9)),
            Some(&icbc),
        )
        .await;
    assert_eq!(error_of(&r).0, "FORBIDDEN");
    let r = app
        .gql(
            GRANT,
            grant("210900.icbc", "LENDING", today() + Days::new(9)),
            None,
        )
        .await;
    assert_eq!(error_of(&r).0, "UNAUTHENTICATED");
}

/// Authorisations and `bank:query` are for banks only (departments of role `bank`).
#[tokio::test]
async fn only_a_bank_may_be_authorised_or_act_under_bank_query() {
    let app = TestApp::spawn().await;
    let code = app.company("210902").await;
    let me = app.subject_token(&code);
    for not_a_bank in ["210900.pboc", "210900.tax"] {
        let r = app
            .gql(
                GRANT,
                grant(not_a_bank, "LENDING", today() + Days::new(30)),
                Some(&me),
            )
            .await;
        assert_eq!(
            error_of(&r),
            ("BAD_USER_INPUT".into(), Some("input.bank".into())),
            "{not_a_bank}"
        );
    }
    let r = app
        .gql(
            "{ me { authorisations { edges { node { id } } } } }",
            json!({}),
            Some(&me),
        )
        .await;
    assert!(
        nodes_of(&r, "me.authorisations").is_empty(),
        "nothing stored"
    );
    // A token with bank:query for a department that is not a bank gets nothing.
    let central_bank = app.token("210900.pboc", &["bank:query"]);
    let r = app
        .gql(
            REPORT,
            json!({ "c": code, "p": "LENDING" }),
            Some(&central_bank),
        )
        .await;
    assert_eq!(error_of(&r).0, "FORBIDDEN");
    let r = app
        .gql(
            "{ me { watchlist { edges { node { since } } } } }",
            json!({}),
            Some(&central_bank),
        )
        .await;
    assert_eq!(error_of(&r).0, "FORBIDDEN");
    // Nor does the CLI sign one.
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_xinyong"))
        .args([
            "token",
            "--department",
            "210900.tax",
            "--scope",
            "bank:query",
        ])
        .env("XINYONG_DATABASE_URL", &app.settings.database_url)
        .env("XINYONG_JWT_SECRET", SECRET)
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("不是银行"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
