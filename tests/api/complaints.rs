//! Complaints: filed without an account, routed by the credit office, answered by the department,
//! closed; each step with its working-day deadline; followed by receipt and query code.

use crate::helpers::*;
use serde_json::{Value, json};

const FILE: &str = "mutation($input: FileComplaintInput!) { fileComplaint(input: $input) { queryCode complaint { id receipt status routeBy filedOn about { code } } } }";
const FOLLOW: &str = "query($r: String!, $q: String!) { complaint(receipt: $r, queryCode: $q) { status routedTo { code } answerBy answer conclusion overdue } }";
const ROUTE: &str = "mutation($input: RouteComplaintInput!) { routeComplaint(input: $input) { complaint { status answerBy routedTo { code } } } }";
const ANSWER: &str = "mutation($input: AnswerComplaintInput!) { answerComplaint(input: $input) { complaint { status answer } } }";
const CLOSE: &str = "mutation($input: CloseComplaintInput!) { closeComplaint(input: $input) { complaint { status conclusion } } }";
const ALL: &str = "query($st: ComplaintStatus) { complaints(status: $st) { edges { node { id status overdue } } } }";
const OURS: &str = "{ me { complaintsRoutedToUs { edges { node { id status } } } } }";

fn today() -> chrono::NaiveDate {
    domain::time::china_date(chrono::Utc::now())
}

fn working_days_after(n: u32) -> String {
    test_calendar()
        .add_working_days(today(), n)
        .unwrap()
        .to_string()
}

fn complaint() -> Value {
    json!({ "input": { "category": "OBJECTION_HANDLING", "about": "210900.market",
        "description": "我于本月初对一条行政处罚记录提出异议，至今超过期限仍未受理，也无人联系。", "contact": "13800000000" } })
}

#[tokio::test]
async fn a_complaint_is_routed_answered_and_closed_within_its_deadlines() {
    let app = TestApp::spawn().await;
    let office = app.token("210900.ndrc", &["memoranda:admin"]);
    let market = app.token("210900.market", &["objections:handle"]);
    let r = app.gql(FILE, complaint(), None).await;
    assert_no_errors(&r);
    let filed = &r["data"]["fileComplaint"];
    let code = filed["queryCode"].as_str().unwrap().to_owned();
    let c = &filed["complaint"];
    let (id, receipt) = (
        c["id"].as_str().unwrap().to_owned(),
        c["receipt"].as_str().unwrap().to_owned(),
    );
    assert!(receipt.starts_with("TS"));
    assert_eq!(c["status"], "SUBMITTED");
    assert_eq!(c["routeBy"], working_days_after(2));
    assert_eq!(c["about"]["code"], "210900.market");

    // Followed with the receipt and code; a wrong code reads as no such receipt.
    let r = app
        .gql(FOLLOW, json!({ "r": receipt, "q": code }), None)
        .await;
    assert_no_errors(&r);
    assert_eq!(r["data"]["complaint"]["status"], "SUBMITTED");
    let r = app
        .gql(FOLLOW, json!({ "r": receipt, "q": "WRONGCODE" }), None)
        .await;
    assert_eq!(error_of(&r).0, "NOT_FOUND");

    // Only the credit office routes; it cannot close what is with a department.
    let route = json!({ "input": { "id": id, "department": "210900.market" } });
    let r = app
        .gql(
            ROUTE,
            route.clone(),
            Some(&app.token("210900.court", &["memoranda:admin"])),
        )
        .await;
    assert_eq!(error_of(&r).0, "FORBIDDEN");
    let r = app.gql(ROUTE, route.clone(), Some(&office)).await;
    assert_no_errors(&r);
    assert_eq!(r["data"]["routeComplaint"]["complaint"]["status"], "ROUTED");
    assert_eq!(
        r["data"]["routeComplaint"]["complaint"]["answerBy"],
        working_days_after(10)
    );
    let r = app.gql(ROUTE, route, Some(&office)).await;
    assert_eq!(error_of(&r).0, "CONFLICT");
    let r = app
        .gql(
            CLOSE,
            json!({ "input": { "id": id, "conclusion": "x" } }),
            Some(&office),
        )
        .await;
    assert_eq!(error_of(&r).0, "CONFLICT");

    // The department it was routed to sees and answers it; another cannot.
    let ours = app.gql(OURS, json!({}), Some(&market)).await;
    assert_eq!(
        ours["data"]["me"]["complaintsRoutedToUs"]["edges"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    let answer = json!({ "input": { "id": id, "answer": "经核查，该异议因材料未送达延误，已于今日受理并联系投诉人。" } });
    let r = app
        .gql(
            ANSWER,
            answer.clone(),
            Some(&app.token("210900.tax", &["objections:handle"])),
        )
        .await;
    assert_eq!(error_of(&r).0, "FORBIDDEN");
    let r = app.gql(ANSWER, answer, Some(&market)).await;
    assert_no_errors(&r);
    assert_eq!(
        r["data"]["answerComplaint"]["complaint"]["status"],
        "ANSWERED"
    );
    let r = app
        .gql(
            CLOSE,
            json!({ "input": { "id": id, "conclusion": "承办部门已整改，投诉属实，予以办结。" } }),
            Some(&office),
        )
        .await;
    assert_no_errors(&r);
    assert_eq!(r["data"]["closeComplaint"]["complaint"]["status"], "CLOSED");

    let r = app
        .gql(FOLLOW, json!({ "r": receipt, "q": code }), None)
        .await;
    let seen = &r["data"]["complaint"];
    assert_eq!(seen["status"], "CLOSED");
    assert_eq!(seen["routedTo"]["code"], "210900.market");
    assert!(seen["answer"].as_str().unwrap().contains("已于今日受理"));
    assert!(seen["conclusion"].as_str().unwrap().contains("予以办结"));
    assert_eq!(seen["overdue"], false);
}

#[tokio::test]
async fn an_unrouted_complaint_is_overdue_after_two_working_days_and_bad_input_changes_nothing() {
    let app = TestApp::spawn().await;
    let office = app.token("210900.ndrc", &["memoranda:admin"]);
    let mut bad = complaint();
    bad["input"]["description"] = json!("太短");
    let r = app.gql(FILE, bad, None).await;
    assert_eq!(
        error_of(&r),
        ("BAD_USER_INPUT".into(), Some("input.description".into()))
    );
    let mut bad = complaint();
    bad["input"]["about"] = json!("210900.nosuch");
    let r = app.gql(FILE, bad, None).await;
    assert_eq!(
        error_of(&r),
        ("BAD_USER_INPUT".into(), Some("input.about".into()))
    );
    let r = app.gql(ALL, json!({}), Some(&office)).await;
    assert_eq!(
        r["data"]["complaints"]["edges"],
        json!([]),
        "nothing was filed"
    );

    assert_no_errors(&app.gql(FILE, complaint(), None).await);
    let r = app
        .gql(ALL, json!({ "st": "SUBMITTED" }), Some(&office))
        .await;
    assert_eq!(
        r["data"]["complaints"]["edges"][0]["node"]["overdue"],
        false
    );
    app.clock.advance_days(7);
    let r = app
        .gql(ALL, json!({ "st": "SUBMITTED" }), Some(&office))
        .await;
    assert_eq!(r["data"]["complaints"]["edges"][0]["node"]["overdue"], true);
    // The public list is not public.
    let r = app.gql(ALL, json!({}), None).await;
    assert_eq!(error_of(&r).0, "UNAUTHENTICATED");
}
