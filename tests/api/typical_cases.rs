//! Typical cases: an applied measure put forward by its department, published by the credit
//! office, then public and in the change feed.

use crate::helpers::*;
use crate::joint::{DISPATCHES, nodes};
use serde_json::{Value, json};

const ACK: &str =
    "mutation($id: ID!) { acknowledgeDispatch(input: { id: $id }) { dispatch { id status } } }";
pub(crate) const FEEDBACK: &str = "mutation($input: RecordFeedbackInput!) { recordFeedback(input: $input) { dispatch { id status } } }";
pub(crate) const PROPOSE: &str = "mutation($input: ProposeTypicalCaseInput!) { proposeTypicalCase(input: $input) { typicalCase { id status kind subject { code } department { code } } } }";
const DECIDE: &str = "mutation($input: DecideTypicalCaseInput!) { decideTypicalCase(input: $input) { typicalCase { id status decisionNote } } }";
const CASES: &str = "query($st: CaseStatus) { typicalCases(status: $st) { edges { node { id title kind status } } } }";
const FEED: &str =
    "{ changes(first: 100) { edges { node { target action targetId subjectCode } } } }";

pub(crate) fn summary() -> &'static str {
    "该企业因拒不履行生效判决被列入失信被执行人名单，税务部门据此在发票领用环节从严审核，促使其主动履行全部义务。"
}

/// A listing whose punishment the tax bureau applied; returns (subject code, dispatch id).
pub(crate) async fn applied_measure(app: &TestApp, tax: &str) -> (String, String) {
    let code = app.company("210902").await;
    let r = app
        .list(
            &app.publisher("210900.court"),
            &code,
            "court-dishonest-debtor",
            json!({}),
        )
        .await;
    let entry = r["data"]["addListEntry"]["entry"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let mine = nodes(
        &app.gql(DISPATCHES, json!({ "entry": entry }), Some(tax))
            .await,
    );
    let id = mine[0]["id"].as_str().unwrap().to_owned();
    assert_no_errors(&app.gql(ACK, json!({ "id": id }), Some(tax)).await);
    (code, id)
}

#[tokio::test]
async fn an_applied_measure_put_forward_and_published_is_public_and_in_the_feed() {
    let app = TestApp::spawn().await;
    let tax = app.token("210900.tax", &["dispatch:handle"]);
    let office = app.token("210900.ndrc", &["memoranda:admin", "changes:read"]);
    let (code, dispatch) = applied_measure(&app, &tax).await;
    let propose = json!({ "input": { "dispatch": dispatch, "title": "失信被执行人主动履行", "summary": summary() } });
    // Not applied yet: refused.
    let r = app.gql(PROPOSE, propose.clone(), Some(&tax)).await;
    assert_eq!(error_of(&r).0, "CONFLICT");
    let r = app
        .gql(FEEDBACK, json!({ "input": { "dispatch": dispatch, "outcome": "APPLIED", "business": "发票领用", "note": "从严审核" } }), Some(&tax))
        .await;
    assert_no_errors(&r);
    // Only the department that applied it.
    let r = app
        .gql(
            PROPOSE,
            propose.clone(),
            Some(&app.token("210900.market", &["dispatch:handle"])),
        )
        .await;
    assert_eq!(error_of(&r).0, "FORBIDDEN");
    let r = app.gql(PROPOSE, propose.clone(), Some(&tax)).await;
    assert_no_errors(&r);
    let case = &r["data"]["proposeTypicalCase"]["typicalCase"];
    assert_eq!(case["status"], "PROPOSED");
    assert_eq!(case["kind"], "PUNISHMENT");
    assert_eq!(case["subject"]["code"], code.as_str());
    let id = case["id"].as_str().unwrap().to_owned();
    let r = app.gql(PROPOSE, propose, Some(&tax)).await;
    assert_eq!(error_of(&r).0, "CONFLICT", "once per measure");

    // Not public until published; the public may not look at the proposed ones.
    assert!(nodes_of(&app.gql(CASES, json!({}), None).await, "typicalCases").is_empty());
    let r = app.gql(CASES, json!({ "st": "PROPOSED" }), None).await;
    assert_eq!(error_of(&r).0, "FORBIDDEN");
    assert_eq!(
        nodes_of(
            &app.gql(CASES, json!({ "st": "PROPOSED" }), Some(&office))
                .await,
            "typicalCases"
        )
        .len(),
        1
    );
    let r = app
        .gql(
            DECIDE,
            json!({ "input": { "id": id, "approve": true } }),
            Some(&app.token("210900.court", &["memoranda:admin"])),
        )
        .await;
    assert_eq!(error_of(&r).0, "FORBIDDEN");

    let r = app
        .gql(
            DECIDE,
            json!({ "input": { "id": id, "approve": true } }),
            Some(&office),
        )
        .await;
    assert_no_errors(&r);
    assert_eq!(
        r["data"]["decideTypicalCase"]["typicalCase"]["status"],
        "APPROVED"
    );
    let public = nodes_of(&app.gql(CASES, json!({}), None).await, "typicalCases");
    assert_eq!(public.len(), 1);
    assert_eq!(public[0]["title"], "失信被执行人主动履行");
    let r = app.gql(FEED, json!({}), Some(&office)).await;
    assert_no_errors(&r);
    let published: Vec<&Value> = r["data"]["changes"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| &e["node"])
        .filter(|n| n["target"] == "TYPICAL_CASE")
        .collect();
    assert_eq!(published.len(), 1);
    assert_eq!(published[0]["action"], "CREATED");
    assert_eq!(published[0]["targetId"], id.as_str());
    assert_eq!(published[0]["subjectCode"], code.as_str());
    let r = app
        .gql(
            DECIDE,
            json!({ "input": { "id": id, "approve": false, "note": "x" } }),
            Some(&office),
        )
        .await;
    assert_eq!(error_of(&r).0, "CONFLICT");
}

#[tokio::test]
async fn a_rejected_case_says_why_and_stays_out_of_the_feed() {
    let app = TestApp::spawn().await;
    let tax = app.token("210900.tax", &["dispatch:handle"]);
    let office = app.token("210900.ndrc", &["memoranda:admin", "changes:read"]);
    let (_, dispatch) = applied_measure(&app, &tax).await;
    assert_no_errors(
        &app.gql(FEEDBACK, json!({ "input": { "dispatch": dispatch, "outcome": "APPLIED", "business": "发票领用", "note": "从严审核" } }), Some(&tax))
            .await,
    );
    let r = app
        .gql(
            PROPOSE,
            json!({ "input": { "dispatch": dispatch, "title": " ", "summary": summary() } }),
            Some(&tax),
        )
        .await;
    assert_eq!(
        error_of(&r),
        ("BAD_USER_INPUT".into(), Some("input.title".into()))
    );
    let r = app
        .gql(
            PROPOSE,
            json!({ "input": { "dispatch": dispatch, "title": "案例", "summary": summary() } }),
            Some(&tax),
        )
        .await;
    let id = r["data"]["proposeTypicalCase"]["typicalCase"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let r = app
        .gql(
            DECIDE,
            json!({ "input": { "id": id, "approve": false } }),
            Some(&office),
        )
        .await;
    assert_eq!(
        error_of(&r),
        ("BAD_USER_INPUT".into(), Some("input.note".into()))
    );
    let r = app
        .gql(DECIDE, json!({ "input": { "id": id, "approve": false, "note": "事实描述不完整，请补充履行金额" } }), Some(&office))
        .await;
    assert_eq!(
        r["data"]["decideTypicalCase"]["typicalCase"]["status"],
        "REJECTED"
    );
    assert!(nodes_of(&app.gql(CASES, json!({}), None).await, "typicalCases").is_empty());
    let r = app.gql(FEED, json!({}), Some(&office)).await;
    assert!(!r.to_string().contains("TYPICAL_CASE"));
}
