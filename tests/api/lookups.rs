//! The query log: token holders' look-ups are logged, and the subject alone reads its own log.

use crate::helpers::*;
use serde_json::{Value, json};

const LOOK: &str = "query($c: String!, $p: String) { subject(code: $c, purpose: $p) { code } }";
const SCREEN: &str =
    "query($c: [String!]!, $p: String) { screen(codes: $c, purpose: $p) { found } }";
const LOG: &str = "query($n: Int, $a: String) { me { queryLog(first: $n, after: $a) {
    edges { cursor node { at via purpose department { code name } } } pageInfo { hasNextPage endCursor } } } }";

fn log_of(r: &Value) -> Vec<Value> {
    assert_no_errors(r);
    r["data"]["me"]["queryLog"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"].clone())
        .collect()
}

#[tokio::test]
async fn a_subject_reads_who_looked_it_up_and_why_and_nobody_else_does() {
    let app = TestApp::spawn().await;
    let me = app.company("210902").await;
    let other = app.company("210902").await;
    let market = app.token("210900.market", &[]);
    let court = app.publisher("210900.court");

    assert_no_errors(
        &app.gql(LOOK, json!({ "c": me, "p": " 贷前审查 " }), Some(&market))
            .await,
    );
    let bad = new_uscc("210902");
    let r = app
        .gql(
            SCREEN,
            json!({ "c": [me, other, bad], "p": "招标资格审查" }),
            Some(&court),
        )
        .await;
    assert_no_errors(&r);
    // The public's look-ups and the subject's own are not logged.
    assert_no_errors(&app.gql(LOOK, json!({ "c": me }), None).await);
    assert_no_errors(
        &app.gql(LOOK, json!({ "c": me }), Some(&app.subject_token(&me)))
            .await,
    );

    let mine = log_of(
        &app.gql(LOG, json!({ "n": 10 }), Some(&app.subject_token(&me)))
            .await,
    );
    let seen: Vec<(&str, &str, &str)> = mine
        .iter()
        .map(|l| {
            (
                l["department"]["code"].as_str().unwrap(),
                l["via"].as_str().unwrap(),
                l["purpose"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        seen,
        [
            ("210900.court", "SCREEN", "招标资格审查"),
            ("210900.market", "SUBJECT", "贷前审查")
        ],
        "newest first"
    );
    assert!(mine.iter().all(|l| {
        l["department"]["name"]
            .as_str()
            .is_some_and(|n| !n.is_empty())
    }));

    // Paging: one at a time, through the cursor.
    let r = app
        .gql(LOG, json!({ "n": 1 }), Some(&app.subject_token(&me)))
        .await;
    let cursor = r["data"]["me"]["queryLog"]["pageInfo"]["endCursor"].clone();
    assert_eq!(r["data"]["me"]["queryLog"]["pageInfo"]["hasNextPage"], true);
    let next = log_of(
        &app.gql(
            LOG,
            json!({ "n": 1, "a": cursor }),
            Some(&app.subject_token(&me)),
        )
        .await,
    );
    assert_eq!(next[0]["via"], "SUBJECT");

    // The other subject sees only its own (the screening), and no department reads a log.
    let theirs = log_of(
        &app.gql(LOG, json!({}), Some(&app.subject_token(&other)))
            .await,
    );
    assert_eq!(theirs.len(), 1);
    assert_eq!(
        error_of(&app.gql(LOG, json!({}), Some(&market)).await).0,
        "FORBIDDEN"
    );
    assert_eq!(
        error_of(&app.gql(LOG, json!({}), None).await).0,
        "UNAUTHENTICATED"
    );
}

#[tokio::test]
async fn a_refused_purpose_logs_nothing() {
    let app = TestApp::spawn().await;
    let me = app.company("210902").await;
    let market = app.token("210900.market", &[]);
    let r = app
        .gql(
            LOOK,
            json!({ "c": me, "p": "审".repeat(201) }),
            Some(&market),
        )
        .await;
    assert_eq!(
        error_of(&r),
        ("BAD_USER_INPUT".to_owned(), Some("purpose".to_owned()))
    );
    let r = app
        .gql(
            SCREEN,
            json!({ "c": [me], "p": "审".repeat(201) }),
            Some(&market),
        )
        .await;
    assert_eq!(error_of(&r).0, "BAD_USER_INPUT");
    assert!(log_of(&app.gql(LOG, json!({}), Some(&app.subject_token(&me))).await).is_empty());
}
