//! Rewards only for the trustworthy: a black-listed subject gets no red list, nomination or reward
//! case; a red-listed subject that is black-listed has its rewards suspended — never a reward
//! beside a punishment in `check`, open reward dispatches cancelled, the red entry flagged for
//! review — until the black entry ends.

use crate::helpers::*;
use serde_json::{Value, json};
use std::time::{Duration, Instant};

const CHECK: &str = "query($code: String!) { check(code: $code, business: \"建设工程施工许可\") {
    measures { measure { code kind } listType { code } } } }";
const ENTRY: &str = "query($c: String!) { subject(code: $c) { listEntries { edges { node {
    id status statusLabel rewardsSuspended reviewReason listType { code } } } } } }";
const DISPATCHES: &str =
    "query($entry: ID) { dispatches(entry: $entry, first: 100) { edges { node {
    id status cancelReason department { code } measure { kind } } } } }";
const HOUSING: &str = "210900.housing";

fn entries_of(r: &Value) -> Vec<Value> {
    assert_no_errors(r);
    r["data"]["subject"]["listEntries"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"].clone())
        .collect()
}

fn kinds(r: &Value) -> Vec<String> {
    assert_no_errors(r);
    r["data"]["check"]["measures"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["measure"]["kind"].as_str().unwrap().to_owned())
        .collect()
}

/// A company on the tax bureau's red list (A-level taxpayers); returns (code, entry id).
async fn red_listed(app: &TestApp) -> (String, String) {
    let code = app.company("210902").await;
    let entry = app
        .listed_by(
            "210900.tax",
            &code,
            "tax-a-level",
            json!({ "reason": "纳税信用A级", "basisDocument": "阜税函〔2026〕12号" }),
        )
        .await;
    (code, entry)
}

async fn black_list(app: &TestApp, code: &str, extra: Value) -> String {
    app.listed_by("210900.court", code, "court-dishonest-debtor", extra)
        .await
}

#[tokio::test]
async fn a_black_listed_subject_gets_no_red_list_nomination_or_reward_case() {
    let app = TestApp::spawn().await;
    // A reward applied while the subject was trustworthy.
    let (code, red) = red_listed(&app).await;
    let housing = app.token(HOUSING, &["dispatch:handle"]);
    let office = app.token("210900.ndrc", &["dispatch:handle"]);
    let rewards: Vec<Value> = nodes_of(
        &app.gql(DISPATCHES, json!({ "entry": red }), Some(&office))
            .await,
        "dispatches",
    )
    .into_iter()
    .filter(|d| d["department"]["code"] == HOUSING)
    .collect();
    let reward = rewards[0]["id"].clone();
    let r = app
        .gql(
            "mutation($input: RecordFeedbackInput!) { recordFeedback(input: $input) { dispatch { status } } }",
            json!({ "input": { "dispatch": reward, "outcome": "APPLIED", "business": "施工许可容缺受理" } }),
            Some(&housing),
        )
        .await;
    assert_no_errors(&r);
    let black = black_list(&app, &code, json!({})).await;

    // No red list: the tax bureau's refused, naming the black entry.
    let tax = app.publisher("210900.tax");
    let other = app.company("210902").await;
    black_list(&app, &other, json!({})).await;
    let r = app
        .list(
            &tax,
            &other,
            "tax-a-level",
            json!({ "reason": "纳税信用A级", "basisDocument": "阜税函〔2026〕13号" }),
        )
        .await;
    assert_eq!(error_of(&r).0, "CONFLICT");
    let message = r["errors"][0]["message"].as_str().unwrap();
    assert!(message.contains("失信被执行人"), "{message}");
    let r = app.gql(ENTRY, json!({ "c": other }), Some(&tax)).await;
    let entries = entries_of(&r);
    assert_eq!(entries.len(), 1, "only the black entry: {entries:?}");

    // No nomination by an association.
    let association = app.token("210900.assoc-food", &["lists:write"]);
    let r = app
        .gql(
            "mutation($input: NominateInput!) { nominate(input: $input) { nomination { id } } }",
            json!({ "input": { "subject": other, "listType": "industry-honest", "reason": "守法经营，行业自律表现突出，多次获得协会表彰。" } }),
            Some(&association),
        )
        .await;
    assert_eq!(error_of(&r).0, "CONFLICT");
    assert!(
        r["errors"][0]["message"].as_str().unwrap().contains("失信"),
        "{r}"
    );

    // No reward case while punished, though the reward was applied before.
    let r = app
        .gql(
            "mutation($input: ProposeTypicalCaseInput!) { proposeTypicalCase(input: $input) { typicalCase { id } } }",
            json!({ "input": { "dispatch": reward, "title": "守信激励容缺受理",
                "summary": "该企业为纳税信用A级纳税人，住建部门在施工许可办理中给予容缺受理，压缩办理时间一半以上。" } }),
            Some(&housing),
        )
        .await;
    assert_eq!(error_of(&r).0, "CONFLICT");
    assert!(
        r["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains(black.as_str()),
        "names the black entry: {r}"
    );
}

#[tokio::test]
async fn black_listing_suspends_rewards_until_the_black_entry_ends() {
    let app = TestApp::spawn().await;
    let (code, red) = red_listed(&app).await;
    let housing = app.token(HOUSING, &["dispatch:handle"]);
    let office = app.token("210900.ndrc", &["dispatch:handle"]);
    let before = kinds(
        &app.gql(CHECK, json!({ "code": code }), Some(&housing))
            .await,
    );
    assert!(
        !before.is_empty() && before.iter().all(|k| k == "REWARD"),
        "{before:?}"
    );
    let open_rewards = nodes_of(
        &app.gql(DISPATCHES, json!({ "entry": red }), Some(&office))
            .await,
        "dispatches",
    );
    assert!(open_rewards.iter().all(|d| d["status"] == "PENDING"));

    let end = app.clock.today() + chrono::Duration::days(2);
    black_list(&app, &code, json!({ "endDate": end.to_string() })).await;

    // Never a reward beside a punishment.
    let during = kinds(
        &app.gql(CHECK, json!({ "code": code }), Some(&housing))
            .await,
    );
    assert!(!during.is_empty(), "the punishments apply");
    assert!(during.iter().all(|k| k == "PUNISHMENT"), "{during:?}");
    for dept in ["210900.trading", "210900.pboc"] {
        let only_rewards = kinds(
            &app.gql(
                CHECK,
                json!({ "code": code }),
                Some(&app.token(dept, &["dispatch:handle"])),
            )
            .await,
        );
        assert!(
            !only_rewards.iter().any(|k| k == "REWARD"),
            "{dept}: {only_rewards:?}"
        );
    }
    // The open reward dispatches are cancelled, saying why.
    let suspended = nodes_of(
        &app.gql(DISPATCHES, json!({ "entry": red }), Some(&office))
            .await,
        "dispatches",
    );
    assert_eq!(suspended.len(), open_rewards.len());
    for d in &suspended {
        assert_eq!(d["status"], "CANCELLED", "{d}");
        assert!(d["cancelReason"].as_str().unwrap().contains("暂停"), "{d}");
    }
    // The tax bureau sees its red entry flagged for review.
    let tax = app.publisher("210900.tax");
    let flagged = |r: &Value| -> Value {
        entries_of(r)
            .into_iter()
            .find(|e| e["listType"]["code"] == "tax-a-level")
            .unwrap()
    };
    let r = app.gql(ENTRY, json!({ "c": code }), Some(&tax)).await;
    let entry = flagged(&r);
    assert_eq!(entry["status"], "ACTIVE");
    assert_eq!(entry["statusLabel"], "有效");
    assert_eq!(entry["rewardsSuspended"], true);
    assert!(
        entry["reviewReason"].as_str().unwrap().contains("复核"),
        "{entry}"
    );

    // The black entry ends: the red one still in force, its rewards resume.
    app.clock.advance_days(3);
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let now = nodes_of(
            &app.gql(DISPATCHES, json!({ "entry": red }), Some(&office))
                .await,
            "dispatches",
        );
        if now.iter().all(|d| d["status"] == "PENDING") {
            assert_eq!(now.len(), open_rewards.len());
            assert!(now.iter().all(|d| d["cancelReason"].is_null()));
            break;
        }
        assert!(Instant::now() < deadline, "never resumed: {now:?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let after = kinds(
        &app.gql(CHECK, json!({ "code": code }), Some(&housing))
            .await,
    );
    assert!(
        !after.is_empty() && after.iter().all(|k| k == "REWARD"),
        "{after:?}"
    );
    let r = app.gql(ENTRY, json!({ "c": code }), Some(&tax)).await;
    let entry = flagged(&r);
    assert_eq!(entry["rewardsSuspended"], false);
    assert_eq!(entry["reviewReason"], Value::Null);
}
