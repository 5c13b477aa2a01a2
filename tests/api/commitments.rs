//! Credit commitments: published by the subject, public, assessed by the department they were
//! made to; a broken one becomes a credit record.

use crate::helpers::*;
use chrono::Days;
use serde_json::{Value, json};

const PUBLISH: &str = "mutation($input: PublishCommitmentInput!) { publishCommitment(input: $input) { commitment { id kind status validFrom validUntil department { code } subject { code } } } }";
const PUBLIC: &str = "query($s: String!) { commitments(subject: $s) { edges { node { id kind text scope status statusLabel note recordId } } } }";
const ASSESS: &str = "mutation($input: AssessCommitmentInput!) { assessCommitment(input: $input) { commitment { id status note recordId } } }";
const MADE_TO_US: &str = "query($st: CommitmentStatus) { me { commitmentsMadeToUs(status: $st) { edges { node { id status subject { code } } } } } }";
const RECORDS: &str = "query($s: String) { creditRecords(subject: $s, kind: COMMITMENT) { edges { node { id title kind content dishonestyClass publicityEnd } } } }";

fn today() -> chrono::NaiveDate {
    domain::time::china_date(chrono::Utc::now())
}

fn promise(department: &str) -> Value {
    json!({ "input": {
        "kind": "MISSING_DOCUMENTS",
        "text": "本企业承诺在30日内补齐消防验收合格证明，逾期未补齐的，自愿接受撤销许可等处理。",
        "scope": "食品经营许可申请（容缺受理）",
        "department": department,
        "validUntil": (today() + Days::new(30)).to_string(),
    } })
}

#[tokio::test]
async fn a_commitment_is_published_shown_publicly_and_broken_becomes_a_record() {
    let app = TestApp::spawn().await;
    let code = app.company("210902").await;
    let me = app.subject_token(&code);
    let r = app.gql(PUBLISH, promise("210900.market"), Some(&me)).await;
    assert_no_errors(&r);
    let c = &r["data"]["publishCommitment"]["commitment"];
    assert_eq!(c["status"], "OPEN");
    assert_eq!(c["kind"], "MISSING_DOCUMENTS");
    assert_eq!(c["validFrom"], today().to_string());
    assert_eq!(c["subject"]["code"], code.as_str());
    let id = c["id"].as_str().unwrap().to_owned();

    // Public: anyone reads it.
    let public = nodes_of(
        &app.gql(PUBLIC, json!({ "s": code }), None).await,
        "commitments",
    );
    assert_eq!(public.len(), 1);
    assert_eq!(public[0]["status"], "OPEN");
    assert!(public[0]["text"].as_str().unwrap().contains("消防验收"));

    // The market bureau sees it among the commitments made to it; another department does not
    // and may not assess it.
    let market = app.token("210900.market", &["records:write"]);
    let tax = app.token("210900.tax", &["records:write"]);
    let mine = nodes_of(
        &app.gql(MADE_TO_US, json!({ "st": "OPEN" }), Some(&market))
            .await,
        "me.commitmentsMadeToUs",
    );
    assert_eq!(mine.len(), 1);
    assert!(
        nodes_of(
            &app.gql(MADE_TO_US, json!({}), Some(&tax)).await,
            "me.commitmentsMadeToUs"
        )
        .is_empty()
    );
    let r = app
        .gql(
            ASSESS,
            json!({ "input": { "id": id, "kept": false, "note": "逾期未补齐" } }),
            Some(&tax),
        )
        .await;
    assert_eq!(error_of(&r).0, "FORBIDDEN");
    // A breach needs its facts.
    let r = app
        .gql(
            ASSESS,
            json!({ "input": { "id": id, "kept": false } }),
            Some(&market),
        )
        .await;
    assert_eq!(
        error_of(&r),
        ("BAD_USER_INPUT".into(), Some("input.note".into()))
    );
    assert!(
        nodes_of(
            &app.gql(RECORDS, json!({ "s": code }), None).await,
            "creditRecords"
        )
        .is_empty()
    );

    let r = app
        .gql(ASSESS, json!({ "input": { "id": id, "kept": false, "note": "承诺期满仍未提交消防验收合格证明" } }), Some(&market))
        .await;
    assert_no_errors(&r);
    let assessed = &r["data"]["assessCommitment"]["commitment"];
    assert_eq!(assessed["status"], "BROKEN");
    let record = assessed["recordId"].as_str().unwrap().to_owned();

    // The broken commitment is now a public credit record of the subject, and shown as broken.
    let records = nodes_of(
        &app.gql(RECORDS, json!({ "s": code }), None).await,
        "creditRecords",
    );
    assert_eq!(records.len(), 1);
    assert_eq!(records[0]["id"], record.as_str());
    assert_eq!(records[0]["kind"], "COMMITMENT");
    assert_eq!(records[0]["title"], "未履行容缺受理型信用承诺");
    assert_eq!(records[0]["content"], "承诺期满仍未提交消防验收合格证明");
    // Of the default class, general, and public for the year that class allows — not for ever.
    assert_eq!(records[0]["dishonestyClass"], "GENERAL");
    assert_eq!(
        records[0]["publicityEnd"],
        today()
            .checked_add_months(chrono::Months::new(12))
            .unwrap()
            .to_string()
    );
    let public = nodes_of(
        &app.gql(PUBLIC, json!({ "s": code }), None).await,
        "commitments",
    );
    assert_eq!(public[0]["status"], "BROKEN");
    assert_eq!(public[0]["statusLabel"], "已违诺");
    assert_eq!(public[0]["recordId"], record.as_str());

    // Assessed once only.
    let r = app
        .gql(
            ASSESS,
            json!({ "input": { "id": id, "kept": true } }),
            Some(&market),
        )
        .await;
    assert_eq!(error_of(&r).0, "CONFLICT");
}

#[tokio::test]
async fn only_a_subject_publishes_its_own_and_bad_commitments_change_nothing() {
    let app = TestApp::spawn().await;
    let code = app.company("210902").await;
    let me = app.subject_token(&code);
    // Not a subject's token: refused.
    let r = app.gql(PUBLISH, promise("210900.market"), None).await;
    assert_eq!(error_of(&r).0, "UNAUTHENTICATED");
    let r = app
        .gql(
            PUBLISH,
            promise("210900.market"),
            Some(&app.publisher("210900.market")),
        )
        .await;
    assert_eq!(error_of(&r).0, "FORBIDDEN");
    // Bad input names its field.
    let mut bad = promise("210900.nosuch");
    let r = app.gql(PUBLISH, bad.clone(), Some(&me)).await;
    assert_eq!(
        error_of(&r),
        ("BAD_USER_INPUT".into(), Some("input.department".into()))
    );
    bad["input"]["department"] = json!("210900.market");
    bad["input"]["validUntil"] = json!((today() + Days::new(365 * 6)).to_string());
    let r = app.gql(PUBLISH, bad, Some(&me)).await;
    assert_eq!(
        error_of(&r),
        ("BAD_USER_INPUT".into(), Some("input.validUntil".into()))
    );
    assert!(
        nodes_of(
            &app.gql(PUBLIC, json!({ "s": code }), None).await,
            "commitments"
        )
        .is_empty()
    );
    // Kept: no record.
    let r = app.gql(PUBLISH, promise("210900.market"), Some(&me)).await;
    let id = r["data"]["publishCommitment"]["commitment"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let market = app.token("210900.market", &["records:write"]);
    let r = app
        .gql(
            ASSESS,
            json!({ "input": { "id": id, "kept": true } }),
            Some(&market),
        )
        .await;
    assert_no_errors(&r);
    assert_eq!(
        r["data"]["assessCommitment"]["commitment"]["status"],
        "KEPT"
    );
    assert!(r["data"]["assessCommitment"]["commitment"]["recordId"].is_null());
    assert!(
        nodes_of(
            &app.gql(RECORDS, json!({ "s": code }), None).await,
            "creditRecords"
        )
        .is_empty()
    );
}
