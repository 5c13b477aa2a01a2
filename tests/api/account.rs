//! A subject's own account: its whole record with its own token, never another's; its bank
//! authorisations take effect, and end, at once.

use crate::helpers::*;
use chrono::Days;
use serde_json::{Value, json};

const MINE: &str = "{ me { subject { code listEntries { edges { node { id status } } } } } }";
const OTHER: &str = "query($c: String!) { subject(code: $c) { code listEntries(status: REVOKED) { edges { node { id } } } } }";
const REVOKE_ENTRY: &str = "mutation($input: RevokeListEntryInput!) { revokeListEntry(input: $input) { entry { id status } } }";
const GRANT: &str = "mutation($input: GrantAuthorisationInput!) { grantAuthorisation(input: $input) { authorisation { id } } }";
const REVOKE_AUTH: &str =
    "mutation($id: ID!) { revokeAuthorisation(input: { id: $id }) { authorisation { id } } }";
const REPORT: &str = "query($c: String!) { creditReport(code: $c, purpose: LENDING) { number } }";

/// A company listed and then taken off again (revoked): only its own account and departments
/// still see the entry.
async fn listed_then_revoked(app: &TestApp) -> (String, String) {
    let code = app.company("210902").await;
    let court = app.publisher("210900.court");
    let r = app
        .list(&court, &code, "court-dishonest-debtor", json!({}))
        .await;
    let entry = r["data"]["addListEntry"]["entry"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let r = app
        .gql(
            REVOKE_ENTRY,
            json!({ "input": { "id": entry, "reason": "已全部履行" } }),
            Some(&court),
        )
        .await;
    assert_no_errors(&r);
    (code, entry)
}

fn ids(r: &Value, path: &[&str]) -> Vec<String> {
    assert_no_errors(r);
    let mut v = &r["data"];
    for p in path {
        v = &v[*p];
    }
    v["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["id"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn a_subject_sees_its_whole_record_and_never_another_s() {
    let app = TestApp::spawn().await;
    let (mine, my_entry) = listed_then_revoked(&app).await;
    let (theirs, _) = listed_then_revoked(&app).await;
    let me = app.subject_token(&mine);

    let r = app.gql(MINE, json!({}), Some(&me)).await;
    assert_eq!(r["data"]["me"]["subject"]["code"], mine.as_str());
    assert_eq!(
        ids(&r, &["me", "subject", "listEntries"]),
        vec![my_entry.clone()]
    );
    assert_eq!(
        r["data"]["me"]["subject"]["listEntries"]["edges"][0]["node"]["status"],
        "REVOKED"
    );
    // Through subject(code:) too: its own ended entry, but none of another subject's.
    let own = app.gql(OTHER, json!({ "c": mine }), Some(&me)).await;
    assert_eq!(ids(&own, &["subject", "listEntries"]), vec![my_entry]);
    let other = app.gql(OTHER, json!({ "c": theirs }), Some(&me)).await;
    assert!(ids(&other, &["subject", "listEntries"]).is_empty());
    let public = app.gql(OTHER, json!({ "c": mine }), None).await;
    assert!(ids(&public, &["subject", "listEntries"]).is_empty());

    // The account is the subject's alone.
    let r = app.gql(MINE, json!({}), None).await;
    assert_eq!(error_of(&r).0, "UNAUTHENTICATED");
    let r = app
        .gql(MINE, json!({}), Some(&app.publisher("210900.court")))
        .await;
    assert_eq!(error_of(&r).0, "FORBIDDEN");
}

#[tokio::test]
async fn a_bank_s_access_follows_the_subject_s_authorisation_at_once() {
    let app = TestApp::spawn().await;
    let code = app.company("210902").await;
    let me = app.subject_token(&code);
    let bank = app.token("210900.icbc", &["bank:query"]);
    let r = app.gql(REPORT, json!({ "c": code }), Some(&bank)).await;
    assert_eq!(error_of(&r).0, "FORBIDDEN");
    let until = (domain::time::china_date(chrono::Utc::now()) + Days::new(30)).to_string();
    let r = app
        .gql(GRANT, json!({ "input": { "bank": "210900.icbc", "purpose": "LENDING", "validUntil": until } }), Some(&me))
        .await;
    assert_no_errors(&r);
    let grant = r["data"]["grantAuthorisation"]["authorisation"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let r = app.gql(REPORT, json!({ "c": code }), Some(&bank)).await;
    assert_no_errors(&r);
    assert_no_errors(
        &app.gql(REVOKE_AUTH, json!({ "id": grant }), Some(&me))
            .await,
    );
    let r = app.gql(REPORT, json!({ "c": code }), Some(&bank)).await;
    assert_eq!(error_of(&r).0, "FORBIDDEN");
}
