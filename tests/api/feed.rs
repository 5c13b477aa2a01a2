//! The change feed: every change in commit order, resumable from a cursor without loss or repeat.

use crate::helpers::*;
use serde_json::{Value, json};
use std::collections::BTreeSet;
use std::time::{Duration, Instant};

const CHANGES: &str = "query($n: Int, $a: String) { changes(first: $n, after: $a) {
    edges { cursor node { seq target action targetId subjectCode department } }
    pageInfo { hasNextPage endCursor } } }";
const ADD_RECORD: &str =
    "mutation($input: AddCreditRecordInput!) { addCreditRecord(input: $input) { record { id } } }";

fn reader(app: &TestApp) -> String {
    app.token("210900.ndrc", &["changes:read"])
}

/// (target, action, the target's id — or the subject's code for a subject).
type Seen = (String, String, String);

fn key(node: &Value) -> Seen {
    let target = node["target"].as_str().unwrap().to_owned();
    let id = if target == "SUBJECT" {
        node["subjectCode"].as_str().unwrap().to_owned()
    } else {
        node["targetId"].as_str().unwrap().to_owned()
    };
    (target, node["action"].as_str().unwrap().to_owned(), id)
}

/// One page after `cursor`: its nodes and the cursor to resume from.
async fn page(
    app: &TestApp,
    token: &str,
    n: i32,
    cursor: Option<&str>,
) -> (Vec<Value>, Option<String>) {
    let r = app
        .gql(CHANGES, json!({ "n": n, "a": cursor }), Some(token))
        .await;
    assert_no_errors(&r);
    let c = &r["data"]["changes"];
    let nodes: Vec<Value> = c["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"].clone())
        .collect();
    let end = c["pageInfo"]["endCursor"].as_str().map(str::to_owned);
    (nodes, end.or_else(|| cursor.map(str::to_owned)))
}

/// Reads to the end of the feed; returns what it read and where to resume.
async fn drain(
    app: &TestApp,
    token: &str,
    mut cursor: Option<String>,
) -> (Vec<Value>, Option<String>) {
    let mut all = Vec::new();
    loop {
        let (nodes, next) = page(app, token, 50, cursor.as_deref()).await;
        cursor = next;
        if nodes.is_empty() {
            return (all, cursor);
        }
        all.extend(nodes);
    }
}

fn entry_id(r: &Value) -> String {
    assert_no_errors(r);
    r["data"]["addListEntry"]["entry"]["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

#[tokio::test]
async fn a_consumer_that_stops_and_resumes_ends_with_exactly_the_changes_made() {
    let app = std::sync::Arc::new(TestApp::spawn().await);
    let token = reader(&app);
    let (_, start) = drain(&app, &token, None).await;

    // Listings happen while the consumer reads, in pages of 7.
    let maker = {
        let app = app.clone();
        tokio::spawn(async move {
            let court = app.publisher("210900.court");
            let mut made = BTreeSet::new();
            for _ in 0..12 {
                let code = app.company("210902").await;
                made.insert(("SUBJECT".to_owned(), "CREATED".to_owned(), code.clone()));
                let entry = entry_id(
                    &app.list(&court, &code, "court-dishonest-debtor", json!({}))
                        .await,
                );
                made.insert(("LIST_ENTRY".to_owned(), "CREATED".to_owned(), entry));
            }
            made
        })
    };
    let mut seen: Vec<Value> = Vec::new();
    let mut cursor = start.clone();
    // The first consumer reads a few pages, then stops; only its cursor survives.
    for _ in 0..3 {
        let (nodes, next) = page(&app, &token, 7, cursor.as_deref()).await;
        seen.extend(nodes);
        cursor = next;
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    // A second one resumes from that cursor until the listings are done and the feed is read.
    while !maker.is_finished() {
        let (nodes, next) = page(&app, &token, 7, cursor.as_deref()).await;
        seen.extend(nodes);
        cursor = next;
    }
    let made = maker.await.unwrap();
    let (rest, _) = drain(&app, &token, cursor).await;
    seen.extend(rest);

    let seqs: Vec<i64> = seen.iter().map(|n| n["seq"].as_i64().unwrap()).collect();
    let first = start.map_or(1, |c| c.parse::<i64>().unwrap() + 1);
    assert_eq!(
        seqs,
        (first..first + seqs.len() as i64).collect::<Vec<_>>(),
        "in order, none twice, none skipped"
    );
    let got: BTreeSet<Seen> = seen.iter().map(key).collect();
    assert_eq!(got, made);
    assert!(
        seen.iter()
            .all(|n| n["department"] == "210900.court" || n["target"] == "SUBJECT")
    );
}

#[tokio::test]
async fn records_corrections_revocations_repairs_and_expiries_reach_the_feed() {
    let app = TestApp::spawn().await;
    let token = reader(&app);
    let court = app.token("210900.court", &["lists:write", "objections:handle"]);
    let market = app.token(
        "210900.market",
        &["records:write", "objections:handle", "subjects:write"],
    );
    let (_, start) = drain(&app, &token, None).await;
    let mut expected = Vec::new();

    // A record, corrected after an upheld objection; another withdrawn.
    let code = app.company("210902").await;
    expected.push(("SUBJECT".into(), "CREATED".into(), code.clone()));
    let mut records = Vec::new();
    for n in 1..=2 {
        let r = app.gql(ADD_RECORD, json!({ "input": { "subject": code, "kind": "PENALTY", "title": "罚款",
            "decisionNumber": format!("阜市监罚〔2026〕9{n}号"), "decisionDate": "2026-09-30",
            "legalBasis": "《产品质量法》", "content": "罚款十万元", "dishonestyClass": "GENERAL" } }), Some(&market)).await;
        assert_no_errors(&r);
        let id = r["data"]["addCreditRecord"]["record"]["id"]
            .as_str()
            .unwrap()
            .to_owned();
        expected.push(("CREDIT_RECORD".into(), "CREATED".into(), id.clone()));
        records.push(id);
    }
    for (record, remedy, action) in [
        (&records[0], "CORRECT", "AMENDED"),
        (&records[1], "WITHDRAW", "REVOKED"),
    ] {
        app.uphold_record_objection(&code, record, &market, remedy)
            .await;
        expected.push(("CREDIT_RECORD".into(), action.into(), record.clone()));
    }

    // An entry revoked; one listed long ago, which the sweep expires.
    let entry = entry_id(
        &app.list(&court, &code, "court-dishonest-debtor", json!({}))
            .await,
    );
    expected.push(("LIST_ENTRY".into(), "CREATED".into(), entry.clone()));
    let r = app.gql("mutation($id: ID!) { revokeListEntry(input: { id: $id, reason: \"生效判决已被撤销\" }) { entry { status } } }",
        json!({ "id": entry }), Some(&court)).await;
    assert_no_errors(&r);
    expected.push(("LIST_ENTRY".into(), "REVOKED".into(), entry));
    // An entry repaired: listed 400 days ago by the market regulator, the subject applies, the
    // regulator approves.
    let listed_at = chrono::Utc::now().date_naive() - chrono::Days::new(400);
    let regulator = app.token("210900.market", &["lists:write", "objections:handle"]);
    let repaired = entry_id(
        &app.list(
            &regulator,
            &code,
            "market-serious-illegal",
            json!({ "startDate": listed_at.to_string() }),
        )
        .await,
    );
    expected.push(("LIST_ENTRY".into(), "CREATED".into(), repaired.clone()));
    let r = app.gql("mutation($input: ApplyRepairInput!) { applyRepair(input: $input) { repair { id } } }",
        json!({ "input": { "targetKind": "ENTRY", "targetId": repaired, "rectification": "已全部履行判决确定的义务",
            "commitment": "本单位承诺今后依法诚信经营。", "attachments": ["履行完毕证明.pdf"] } }),
        Some(&app.subject_token(&code))).await;
    assert_no_errors(&r);
    let r = app.gql("mutation($id: ID!) { decideRepair(input: { id: $id, approve: true, reason: \"已履行完毕\" }) { repair { status } } }",
        json!({ "id": r["data"]["applyRepair"]["repair"]["id"] }), Some(&regulator)).await;
    assert_no_errors(&r);
    expected.push(("LIST_ENTRY".into(), "REPAIRED".into(), repaired));
    let old = chrono::Utc::now().date_naive() - chrono::Days::new(365 * 6);
    let past = entry_id(
        &app.list(
            &court,
            &code,
            "court-dishonest-debtor",
            json!({ "startDate": old.to_string() }),
        )
        .await,
    );
    expected.push(("LIST_ENTRY".into(), "CREATED".into(), past.clone()));
    expected.push(("LIST_ENTRY".into(), "EXPIRED".into(), past));

    // The sweep runs every second in tests: wait for the expiry, then compare in order.
    let deadline = Instant::now() + Duration::from_secs(10);
    let seen = loop {
        let (seen, _) = drain(&app, &token, start.clone()).await;
        if seen.len() >= expected.len() || Instant::now() > deadline {
            break seen;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    let got: Vec<Seen> = seen.iter().map(key).collect();
    assert_eq!(got, expected);
    let expiry = seen.last().unwrap();
    assert_eq!(
        expiry["department"],
        Value::Null,
        "an expiry is nobody's act"
    );
}

#[tokio::test]
async fn the_feed_needs_its_scope_and_a_cursor_it_gave() {
    let app = TestApp::spawn().await;
    let r = app.gql(CHANGES, json!({ "n": 5 }), None).await;
    assert_eq!(error_of(&r).0, "UNAUTHENTICATED");
    let r = app
        .gql(
            CHANGES,
            json!({ "n": 5 }),
            Some(&app.publisher("210900.court")),
        )
        .await;
    assert_eq!(error_of(&r).0, "FORBIDDEN");
    let r = app
        .gql(
            CHANGES,
            json!({ "n": 5, "a": "第三页" }),
            Some(&reader(&app)),
        )
        .await;
    assert_eq!(
        error_of(&r),
        ("BAD_USER_INPUT".to_owned(), Some("after".to_owned()))
    );
}
