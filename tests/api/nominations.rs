//! Nominations by industry associations: accepted, the member is on the red list with its reward
//! measures dispatched and the association named; declined, with a reason.

use crate::helpers::*;
use crate::joint::{DISPATCHES, nodes};
use serde_json::{Value, json};

const NOMINATE: &str = "mutation($input: NominateInput!) { nominate(input: $input) { nomination { id status association { code name } listType { code } subject { code } } } }";
const DECIDE: &str = "mutation($input: DecideNominationInput!) { decideNomination(input: $input) { nomination { id status decisionNote entry { id status listType { code colour } nominatedBy { code name } } } } }";
const LIST: &str = "query($side: NominationSide!, $st: NominationStatus) { nominations(side: $side, status: $st) { edges { node { id status subject { code } } } } }";
const PUBLIC: &str = "query($c: String!) { subject(code: $c) { listEntries { edges { node { id listType { code } nominatedBy { name } } } } } }";
const ASSOCIATION: &str = "210900.assoc-food";

fn nominate(subject: &str, list_type: &str) -> Value {
    json!({ "input": { "subject": subject, "listType": list_type, "reason": "连续五年无食品安全违法记录，积极履行社会责任" } })
}

#[tokio::test]
async fn an_accepted_nomination_lists_the_member_with_its_measures_naming_the_association() {
    let app = TestApp::spawn().await;
    let code = app.company("210902").await;
    let association = app.token(ASSOCIATION, &["lists:write"]);
    let r = app
        .gql(
            NOMINATE,
            nominate(&code, "industry-honest"),
            Some(&association),
        )
        .await;
    assert_no_errors(&r);
    let n = &r["data"]["nominate"]["nomination"];
    assert_eq!(n["status"], "PENDING");
    assert_eq!(n["association"]["name"], "阜新市食品行业协会");
    let id = n["id"].as_str().unwrap().to_owned();

    // The list's owner sees it; another department may not decide it.
    let market = app.token("210900.market", &["lists:write"]);
    let received = nodes_of(
        &app.gql(
            LIST,
            json!({ "side": "RECEIVED", "st": "PENDING" }),
            Some(&market),
        )
        .await,
        "nominations",
    );
    assert_eq!(received.len(), 1);
    assert_eq!(received[0]["subject"]["code"], code.as_str());
    let made = nodes_of(
        &app.gql(LIST, json!({ "side": "MADE" }), Some(&association))
            .await,
        "nominations",
    );
    assert_eq!(made.len(), 1);
    let tax = app.token("210900.tax", &["lists:write"]);
    let r = app
        .gql(
            DECIDE,
            json!({ "input": { "id": id, "accept": true } }),
            Some(&tax),
        )
        .await;
    assert_eq!(error_of(&r).0, "FORBIDDEN");

    let r = app
        .gql(
            DECIDE,
            json!({ "input": { "id": id, "accept": true } }),
            Some(&market),
        )
        .await;
    assert_no_errors(&r);
    let d = &r["data"]["decideNomination"]["nomination"];
    assert_eq!(d["status"], "ACCEPTED");
    let entry = &d["entry"];
    assert_eq!(entry["status"], "ACTIVE");
    assert_eq!(entry["listType"]["code"], "industry-honest");
    assert_eq!(entry["listType"]["colour"], "RED");
    assert_eq!(entry["nominatedBy"]["code"], ASSOCIATION);
    let entry_id = entry["id"].as_str().unwrap().to_owned();

    // Public, naming the association; and the red list's reward measures reached the tax bureau.
    let r = app.gql(PUBLIC, json!({ "c": code }), None).await;
    assert_no_errors(&r);
    let listed = &r["data"]["subject"]["listEntries"]["edges"][0]["node"];
    assert_eq!(listed["id"], entry_id.as_str());
    assert_eq!(listed["nominatedBy"]["name"], "阜新市食品行业协会");
    let handler = app.token("210900.tax", &["dispatch:handle"]);
    let dispatched = nodes(
        &app.gql(DISPATCHES, json!({ "entry": entry_id }), Some(&handler))
            .await,
    );
    let measures: Vec<&str> = dispatched
        .iter()
        .map(|d| d["measure"]["code"].as_str().unwrap())
        .collect();
    assert!(
        measures.contains(&"FX-R1") && measures.contains(&"FX-R4"),
        "{measures:?}"
    );

    // Decided once.
    let r = app
        .gql(
            DECIDE,
            json!({ "input": { "id": id, "accept": false, "note": "x" } }),
            Some(&market),
        )
        .await;
    assert_eq!(error_of(&r).0, "CONFLICT");
}

#[tokio::test]
async fn only_associations_nominate_only_for_red_lists_and_a_decline_says_why() {
    let app = TestApp::spawn().await;
    let code = app.company("210902").await;
    let association = app.token(ASSOCIATION, &["lists:write"]);
    let r = app
        .gql(
            NOMINATE,
            nominate(&code, "industry-honest"),
            Some(&app.token("210900.court", &["lists:write"])),
        )
        .await;
    assert_eq!(error_of(&r).0, "FORBIDDEN");
    let r = app
        .gql(
            NOMINATE,
            nominate(&code, "court-dishonest-debtor"),
            Some(&association),
        )
        .await;
    assert_eq!(
        error_of(&r),
        ("BAD_USER_INPUT".into(), Some("input.listType".into()))
    );
    let r = app
        .gql(
            NOMINATE,
            nominate(&new_uscc("210902"), "industry-honest"),
            Some(&association),
        )
        .await;
    assert_eq!(error_of(&r).0, "NOT_FOUND");
    assert!(
        nodes_of(
            &app.gql(LIST, json!({ "side": "MADE" }), Some(&association))
                .await,
            "nominations"
        )
        .is_empty()
    );

    let r = app
        .gql(
            NOMINATE,
            nominate(&code, "industry-honest"),
            Some(&association),
        )
        .await;
    let id = r["data"]["nominate"]["nomination"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let market = app.token("210900.market", &["lists:write"]);
    let r = app
        .gql(
            DECIDE,
            json!({ "input": { "id": id, "accept": false } }),
            Some(&market),
        )
        .await;
    assert_eq!(
        error_of(&r),
        ("BAD_USER_INPUT".into(), Some("input.note".into()))
    );
    let r = app
        .gql(
            DECIDE,
            json!({ "input": { "id": id, "accept": false, "note": "近一年有投诉未办结" } }),
            Some(&market),
        )
        .await;
    assert_no_errors(&r);
    assert_eq!(
        r["data"]["decideNomination"]["nomination"]["status"],
        "DECLINED"
    );
    assert!(r["data"]["decideNomination"]["nomination"]["entry"].is_null());
    let r = app.gql(PUBLIC, json!({ "c": code }), None).await;
    assert_eq!(r["data"]["subject"]["listEntries"]["edges"], json!([]));
}
