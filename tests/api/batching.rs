//! A page of subjects costs a fixed number of queries, however many subjects it holds: every
//! relation under a list of subjects is loaded in one batch (counted by the server's `/metrics`).

use crate::helpers::*;
use serde_json::{Value, json};

const ADD_RECORD: &str =
    "mutation($input: AddCreditRecordInput!) { addCreditRecord(input: $input) { record { id } } }";
const PAGE: &str = "query($j: String) { subjects(jurisdiction: $j, first: 50) { edges { node {
    code jurisdiction { name } registeredBy { name jurisdiction { name } } legalRepresentative { name }
    listEntries { edges { node { status underObjection listType { name owner { name } } createdBy { name } subject { code } } } }
    creditRecords { edges { node { title underObjection sourceDepartment { name } subject { code } } } }
} } } }";

async fn queries_sent(app: &TestApp) -> u64 {
    app.metric("xinyong_database_queries_total").await
}

/// Waits until the server sends no statement between two readings 200 ms apart, so that a count
/// between two readings is one request's whole cost: back to back, the first page was once seen to
/// cost 6 statements more than the second (42 against 36), from work that landed in its window.
async fn settle(app: &TestApp) {
    let mut last = queries_sent(app).await;
    for _ in 0..50 {
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        let now = queries_sent(app).await;
        if now == last {
            return;
        }
        last = now;
    }
    panic!("the server never stopped sending statements");
}

/// Registers `n` companies in `county`, each listed once and with one penalty.
async fn populate(app: &TestApp, county: &str, n: usize) {
    let court = app.publisher("210900.court");
    let market = app.publisher("210900.market");
    for i in 0..n {
        let code = app.company(county).await;
        assert_no_errors(
            &app.list(&court, &code, "court-dishonest-debtor", json!({}))
                .await,
        );
        let r = app.gql(ADD_RECORD, json!({ "input": {
            "subject": code, "kind": "PENALTY", "title": "罚款", "decisionNumber": format!("阜市监罚〔2026〕{county}{i}号"),
            "decisionDate": "2026-11-02", "publicationDate": "2026-11-03", "legalBasis": "《中华人民共和国产品质量法》第四十九条",
            "content": "生产不合格产品，罚款五千元", "dishonestyClass": "GENERAL" } }), Some(&market)).await;
        assert_no_errors(&r);
    }
}

fn nodes(r: &Value) -> Vec<Value> {
    assert_no_errors(r);
    r["data"]["subjects"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"].clone())
        .collect()
}

#[tokio::test]
async fn a_page_of_thirty_subjects_costs_the_queries_of_a_page_of_three() {
    // No sweep, no look at the webhook outbox and no calendar refresh during the count: they
    // query the database.
    let app = TestApp::spawn_with(|s| {
        s.sweep_interval_seconds = 3600;
        s.webhook_poll_ms = 3_600_000;
        s.calendar_refresh_ms = 3_600_000;
    })
    .await;
    populate(&app, "210903", 3).await;
    populate(&app, "210904", 30).await;
    // A department's view: never from the answer cache, and nothing hidden.
    let token = app.token("210900.ndrc", &["memoranda:admin"]);

    // Once unmeasured: what the server loads once and keeps (the catalogue) is not per subject.
    nodes(&app.gql(PAGE, json!({ "j": "210903" }), Some(&token)).await);
    settle(&app).await;
    let before = queries_sent(&app).await;
    let small = nodes(&app.gql(PAGE, json!({ "j": "210903" }), Some(&token)).await);
    settle(&app).await;
    let between = queries_sent(&app).await;
    let large = nodes(&app.gql(PAGE, json!({ "j": "210904" }), Some(&token)).await);
    settle(&app).await;
    let after = queries_sent(&app).await;

    assert_eq!((small.len(), large.len()), (3, 30));
    for node in small.iter().chain(&large) {
        assert_eq!(node["listEntries"]["edges"].as_array().unwrap().len(), 1);
        assert_eq!(node["creditRecords"]["edges"].as_array().unwrap().len(), 1);
        assert_eq!(
            node["listEntries"]["edges"][0]["node"]["subject"]["code"],
            node["code"]
        );
    }
    let (three, thirty) = (between - before, after - between);
    assert!(three > 0, "the counter counts");
    // A loader's keys may arrive in one batch or two, depending on timing: one read more or less
    // (three statements on SQLite, where a read is BEGIN … COMMIT). One read per subject would add
    // 27 reads at least.
    assert!(
        thirty.abs_diff(three) <= 3,
        "no query per subject: 3 subjects took {three}, 30 took {thirty}"
    );
}
