//! Broken commitments feed a black list's criterion: the credit office sets it; a subject that
//! breaks enough commitments becomes a candidate for the list's owning department, which lists it
//! (entry and dispatches) or dismisses it.

use crate::helpers::*;
use chrono::Days;
use serde_json::{Value, json};

pub(crate) const SET: &str = "mutation($input: SetCommitmentCriterionInput!) { setCommitmentCriterion(input: $input) { listType criterion { listType { code } brokenCommitments withinMonths } } }";
const CRITERIA: &str =
    "{ commitmentCriteria { listType { code } brokenCommitments withinMonths } }";
const CANDIDATES: &str = "query($st: CandidateStatus) { listingCandidates(status: $st) { edges { node { id reason status commitmentIds subject { code } listType { code } decidedBy { code } decisionNote entry { id status basisDocument reason } } } } }";
const DECIDE: &str = "mutation($input: DecideListingCandidateInput!) { decideListingCandidate(input: $input) { candidate { id status decisionNote entry { id status } } } }";
const ACTIVE: &str = "query($c: String!) { subject(code: $c) { listEntries(status: ACTIVE) { edges { node { id listType { code } reason } } } } }";
const PUBLISH: &str = "mutation($input: PublishCommitmentInput!) { publishCommitment(input: $input) { commitment { id } } }";
const ASSESS: &str = "mutation($input: AssessCommitmentInput!) { assessCommitment(input: $input) { commitment { status recordId } } }";

/// A subject promises something to the market bureau, and breaks it.
pub(crate) async fn break_a_promise(app: &TestApp, code: &str) -> String {
    let me = app.subject_token(code);
    let until = domain::time::china_date(chrono::Utc::now()) + Days::new(30);
    let r = app
        .gql(
            PUBLISH,
            json!({ "input": {
                "kind": "APPROVAL_REPLACEMENT",
                "text": "本企业承诺所报材料真实有效，如有虚假，自愿接受撤销许可等处理。",
                "scope": "食品经营许可（告知承诺制）",
                "department": "210900.market",
                "validUntil": until.to_string(),
            } }),
            Some(&me),
        )
        .await;
    assert_no_errors(&r);
    let id = r["data"]["publishCommitment"]["commitment"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let market = app.token("210900.market", &["records:write"]);
    let r = app
        .gql(
            ASSESS,
            json!({ "input": { "id": id, "kept": false, "note": "核查发现承诺的材料不实" } }),
            Some(&market),
        )
        .await;
    assert_no_errors(&r);
    assert_eq!(
        r["data"]["assessCommitment"]["commitment"]["status"],
        "BROKEN"
    );
    id
}

fn entries_of(r: &Value) -> Vec<Value> {
    r["data"]["subject"]["listEntries"]["edges"]
        .as_array()
        .unwrap_or_else(|| panic!("{r:#}"))
        .iter()
        .map(|e| e["node"].clone())
        .collect()
}

fn candidates(r: &Value) -> Vec<Value> {
    nodes_of(r, "listingCandidates")
}

#[tokio::test]
async fn broken_commitments_meeting_a_criterion_make_a_candidate_the_owner_lists() {
    let app = TestApp::spawn().await;
    let ndrc = app.token("210900.ndrc", &["memoranda:admin"]);
    let r = app
        .gql(
            SET,
            json!({ "input": { "listType": "market-serious-illegal", "brokenCommitments": 2, "withinMonths": 12 } }),
            Some(&ndrc),
        )
        .await;
    assert_no_errors(&r);
    let r = app.gql(CRITERIA, json!({}), None).await;
    assert_no_errors(&r);
    assert_eq!(
        r["data"]["commitmentCriteria"],
        json!([{ "listType": { "code": "market-serious-illegal" }, "brokenCommitments": 2, "withinMonths": 12 }]),
        "public, as the list types are"
    );

    let code = app.company("210902").await;
    let market = app.token("210900.market", &["lists:write"]);
    let first = break_a_promise(&app, &code).await;
    assert!(
        candidates(&app.gql(CANDIDATES, json!({}), Some(&market)).await).is_empty(),
        "one broken commitment does not meet the criterion"
    );
    let second = break_a_promise(&app, &code).await;
    let found = candidates(
        &app.gql(CANDIDATES, json!({ "st": "PENDING" }), Some(&market))
            .await,
    );
    assert_eq!(found.len(), 1);
    let c = &found[0];
    assert_eq!(c["subject"]["code"], code.as_str());
    assert_eq!(c["listType"]["code"], "market-serious-illegal");
    assert!(
        c["reason"]
            .as_str()
            .unwrap()
            .contains("12个月内违背信用承诺2次")
    );
    let mut counted: Vec<&str> = c["commitmentIds"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    counted.sort_unstable();
    let mut both = [first.as_str(), second.as_str()];
    both.sort_unstable();
    assert_eq!(counted, both);
    let id = c["id"].as_str().unwrap().to_owned();
    // Not listed by itself: the subject is not on the list yet.
    let r = app.gql(ACTIVE, json!({ "c": code }), None).await;
    assert_no_errors(&r);
    assert!(entries_of(&r).is_empty());

    // Another list's owner neither sees nor decides it.
    let tax = app.token("210900.tax", &["lists:write"]);
    assert!(candidates(&app.gql(CANDIDATES, json!({}), Some(&tax)).await).is_empty());
    let r = app
        .gql(
            DECIDE,
            json!({ "input": { "id": id, "list": true, "basisDocument": "阜税〔2026〕9号" } }),
            Some(&tax),
        )
        .await;
    assert_eq!(error_of(&r).0, "FORBIDDEN");
    // Listing needs the department's own decision document.
    let r = app
        .gql(
            DECIDE,
            json!({ "input": { "id": id, "list": true } }),
            Some(&market),
        )
        .await;
    assert_eq!(
        error_of(&r),
        (
            "BAD_USER_INPUT".to_owned(),
            Some("input.basisDocument".to_owned())
        )
    );

    let r = app
        .gql(
            DECIDE,
            json!({ "input": { "id": id, "list": true, "basisDocument": "阜市监信〔2026〕12号" } }),
            Some(&market),
        )
        .await;
    assert_no_errors(&r);
    assert_eq!(
        r["data"]["decideListingCandidate"]["candidate"]["status"],
        "LISTED"
    );
    assert_eq!(
        r["data"]["decideListingCandidate"]["candidate"]["entry"]["status"],
        "ACTIVE"
    );
    let r = app.gql(ACTIVE, json!({ "c": code }), None).await;
    assert_no_errors(&r);
    let entries = entries_of(&r);
    assert_eq!(entries.len(), 1, "listed, and shown publicly at once");
    assert_eq!(entries[0]["listType"]["code"], "market-serious-illegal");
    assert!(
        entries[0]["reason"]
            .as_str()
            .unwrap()
            .contains("违背信用承诺")
    );
    let listed = candidates(
        &app.gql(CANDIDATES, json!({ "st": "LISTED" }), Some(&market))
            .await,
    );
    assert_eq!(listed[0]["decidedBy"]["code"], "210900.market");
    assert_eq!(listed[0]["entry"]["basisDocument"], "阜市监信〔2026〕12号");
    // The listing's measures went out, as for any black-list entry.
    let entry_id = listed[0]["entry"]["id"].as_str().unwrap();
    let ndrc_dispatch = app.token("210900.ndrc", &["dispatch:handle"]);
    let r = app
        .gql(
            "query($e: ID) { dispatches(entry: $e) { edges { node { id } } } }",
            json!({ "e": entry_id }),
            Some(&ndrc_dispatch),
        )
        .await;
    assert_no_errors(&r);
    assert!(!nodes_of(&r, "dispatches").is_empty(), "{r}");

    // Decided once; and a third breach does not propose it again while it is on the list.
    let r = app
        .gql(
            DECIDE,
            json!({ "input": { "id": id, "list": false, "note": "再议" } }),
            Some(&market),
        )
        .await;
    assert_eq!(error_of(&r).0, "CONFLICT");
    break_a_promise(&app, &code).await;
    assert!(
        candidates(
            &app.gql(CANDIDATES, json!({ "st": "PENDING" }), Some(&market))
                .await
        )
        .is_empty()
    );
}

#[tokio::test]
async fn a_candidate_may_be_dismissed_with_reasons_and_criteria_are_the_credit_office_s() {
    let app = TestApp::spawn().await;
    let ndrc = app.token("210900.ndrc", &["memoranda:admin"]);
    let set = |list: &str, broken: Value, months: Value| json!({ "input": { "listType": list, "brokenCommitments": broken, "withinMonths": months } });
    let market_admin = app.token("210900.market", &["memoranda:admin"]);
    let r = app
        .gql(
            SET,
            set("market-serious-illegal", json!(1), json!(12)),
            Some(&market_admin),
        )
        .await;
    assert_eq!(error_of(&r).0, "FORBIDDEN");
    for (vars, field) in [
        (
            set("industry-honest", json!(1), json!(12)),
            "input.listType",
        ),
        (set("no-such-list", json!(1), json!(12)), "input.listType"),
        (
            set("market-serious-illegal", json!(0), json!(12)),
            "input.brokenCommitments",
        ),
        (
            set("market-serious-illegal", json!(1), json!(0)),
            "input.withinMonths",
        ),
        (
            set("market-serious-illegal", json!(1), Value::Null),
            "input.withinMonths",
        ),
    ] {
        let r = app.gql(SET, vars.clone(), Some(&ndrc)).await;
        assert_eq!(
            error_of(&r),
            ("BAD_USER_INPUT".to_owned(), Some(field.to_owned())),
            "{vars}"
        );
    }
    let r = app.gql(CRITERIA, json!({}), None).await;
    assert_eq!(
        r["data"]["commitmentCriteria"],
        json!([]),
        "nothing was set"
    );

    let r = app
        .gql(
            SET,
            set("market-serious-illegal", json!(1), json!(24)),
            Some(&ndrc),
        )
        .await;
    assert_no_errors(&r);
    let code = app.company("210902").await;
    break_a_promise(&app, &code).await;
    let market = app.token("210900.market", &["lists:write"]);
    let found = candidates(&app.gql(CANDIDATES, json!({}), Some(&market)).await);
    assert_eq!(found.len(), 1);
    let id = found[0]["id"].as_str().unwrap();
    let r = app
        .gql(
            DECIDE,
            json!({ "input": { "id": id, "list": false } }),
            Some(&market),
        )
        .await;
    assert_eq!(
        error_of(&r),
        ("BAD_USER_INPUT".to_owned(), Some("input.note".to_owned()))
    );
    let r = app
        .gql(
            DECIDE,
            json!({ "input": { "id": id, "list": false, "note": "承诺事项已补正，情节轻微" } }),
            Some(&market),
        )
        .await;
    assert_no_errors(&r);
    let d = &r["data"]["decideListingCandidate"]["candidate"];
    assert_eq!(d["status"], "DISMISSED");
    assert_eq!(d["decisionNote"], "承诺事项已补正，情节轻微");
    assert!(d["entry"].is_null());

    // Removed, the criterion proposes no more.
    let r = app
        .gql(
            SET,
            set("market-serious-illegal", Value::Null, Value::Null),
            Some(&ndrc),
        )
        .await;
    assert_no_errors(&r);
    let set = &r["data"]["setCommitmentCriterion"];
    assert_eq!(set["listType"], "market-serious-illegal");
    assert!(set["criterion"].is_null(), "{r:#}");
    let other = app.company("210902").await;
    break_a_promise(&app, &other).await;
    assert!(
        candidates(
            &app.gql(CANDIDATES, json!({ "st": "PENDING" }), Some(&market))
                .await
        )
        .is_empty()
    );
}
