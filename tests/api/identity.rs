//! Whole identity numbers only for those entitled (个人信息保护法: minimum necessary), each whole
//! showing in the person's query log, and the public unable to confirm whose number it is.

use crate::helpers::*;
use serde_json::{Value, json};

const SUBJECT: &str =
    "query($c: String!) { subject(code: $c) { code legalRepresentative { idNumber } } }";
const PERSONS: &str = "query($j: String) { subjects(kind: NATURAL_PERSON, jurisdiction: $j, first: 50) { edges { node { code } } } }";
const LOG: &str = "{ me { queryLog(first: 50) { edges { node { via department { code } } } } } }";

fn codes(r: &Value) -> Vec<String> {
    assert_no_errors(r);
    r["data"]["subjects"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["code"].as_str().unwrap().to_owned())
        .collect()
}

fn masked(code: &str) -> String {
    format!("{}**********{}", &code[..4], &code[14..])
}

/// (via, department) of each entry in the person's own query log.
async fn log_of(app: &TestApp, code: &str) -> Vec<(String, String)> {
    let r = app
        .gql(LOG, json!({}), Some(&app.subject_token(code)))
        .await;
    assert_no_errors(&r);
    r["data"]["me"]["queryLog"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["node"]["via"].as_str().unwrap().to_owned(),
                e["node"]["department"]["code"]
                    .as_str()
                    .unwrap_or("")
                    .to_owned(),
            )
        })
        .collect()
}

#[tokio::test]
async fn a_citizen_id_is_whole_only_for_those_entitled_and_every_whole_showing_is_logged() {
    let app = TestApp::spawn().await;
    let listed = app.person("210922").await;
    let quiet = app.person("210922").await;
    let court = app.publisher("210900.court");
    assert_no_errors(
        &app.list(&court, &listed, "court-dishonest-debtor", json!({}))
            .await,
    );

    // The court listed the person: whole. The tax bureau has nothing on it: masked, also in bulk.
    let r = app.gql(SUBJECT, json!({ "c": listed }), Some(&court)).await;
    assert_eq!(r["data"]["subject"]["code"], listed.as_str(), "{r}");
    let tax = app.token("210900.tax", &["records:write"]);
    let r = app.gql(SUBJECT, json!({ "c": listed }), Some(&tax)).await;
    assert_eq!(r["data"]["subject"]["code"], masked(&listed), "{r}");
    let page = codes(&app.gql(PERSONS, json!({ "j": "210922" }), Some(&tax)).await);
    assert_eq!(page.len(), 2);
    assert!(page.iter().all(|c| c.contains("**********")), "{page:?}");
    // A bank: masked until the person authorises it.
    let icbc = app.token("210900.icbc", &["bank:query"]);
    let r = app.gql(SUBJECT, json!({ "c": quiet }), Some(&icbc)).await;
    assert_eq!(r["data"]["subject"]["code"], masked(&quiet), "{r}");
    let until = domain::time::china_date(chrono::Utc::now()) + chrono::Days::new(30);
    let r = app
        .gql(
            "mutation($input: GrantAuthorisationInput!) { grantAuthorisation(input: $input) { authorisation { id } } }",
            json!({ "input": { "bank": "210900.icbc", "purpose": "LENDING", "validUntil": until.to_string() } }),
            Some(&app.subject_token(&quiet)),
        )
        .await;
    assert_no_errors(&r);
    let r = app.gql(SUBJECT, json!({ "c": quiet }), Some(&icbc)).await;
    assert_eq!(r["data"]["subject"]["code"], quiet.as_str(), "{r}");

    // A department that administers persons sees a page of them whole, and each is logged once.
    let hrss = app.token("210900.hrss", &["persons:read"]);
    let page = codes(
        &app.gql(PERSONS, json!({ "j": "210922" }), Some(&hrss))
            .await,
    );
    let mut expected = vec![listed.clone(), quiet.clone()];
    expected.sort();
    let mut got = page.clone();
    got.sort();
    assert_eq!(got, expected);
    for person in [&listed, &quiet] {
        let log = log_of(&app, person).await;
        let by_hrss: Vec<_> = log.iter().filter(|(_, d)| d == "210900.hrss").collect();
        assert_eq!(by_hrss.len(), 1, "{log:?}");
        assert_eq!(by_hrss[0].0, "LIST");
    }
    // The tax bureau's masked page wrote no LIST entry; the court's look-up is there by code.
    let log = log_of(&app, &listed).await;
    assert!(
        !log.contains(&("LIST".to_owned(), "210900.tax".to_owned())),
        "{log:?}"
    );
    assert!(
        log.contains(&("SUBJECT".to_owned(), "210900.court".to_owned())),
        "{log:?}"
    );
}

#[tokio::test]
async fn a_representative_s_number_follows_the_organisation_s_ties() {
    let app = TestApp::spawn().await;
    let company = app.company("210902").await;
    let tax = app.token("210900.tax", &["records:write"]);
    let r = app.gql(SUBJECT, json!({ "c": company }), Some(&tax)).await;
    let id = r["data"]["subject"]["legalRepresentative"]["idNumber"]
        .as_str()
        .unwrap();
    assert!(id.contains("**********"), "{r}");
    let court = app.publisher("210900.court");
    assert_no_errors(
        &app.list(&court, &company, "court-dishonest-debtor", json!({}))
            .await,
    );
    let r = app
        .gql(SUBJECT, json!({ "c": company }), Some(&court))
        .await;
    let id = r["data"]["subject"]["legalRepresentative"]["idNumber"]
        .as_str()
        .unwrap();
    assert!(!id.contains('*') && id.len() == 18, "{r}");
}

#[tokio::test]
async fn the_public_cannot_confirm_whose_number_a_citizen_id_is() {
    let app = TestApp::spawn().await;
    let quiet = app.person("210922").await;
    let listed = app.person("210922").await;
    let court = app.publisher("210900.court");
    assert_no_errors(
        &app.list(&court, &listed, "court-dishonest-debtor", json!({}))
            .await,
    );
    // A registered person with nothing public answers as an unknown code does.
    let r = app.gql(SUBJECT, json!({ "c": quiet }), None).await;
    assert_no_errors(&r);
    assert!(r["data"]["subject"].is_null(), "{r}");
    let unknown = app
        .gql(SUBJECT, json!({ "c": new_citizen_id("210922") }), None)
        .await;
    assert_eq!(r, unknown);
    // A listed one is found, masked; and only it is in the public's list of persons.
    let r = app.gql(SUBJECT, json!({ "c": listed }), None).await;
    assert_eq!(r["data"]["subject"]["code"], masked(&listed), "{r}");
    let page = codes(&app.gql(PERSONS, json!({ "j": "210922" }), None).await);
    assert_eq!(page, vec![masked(&listed)]);
    // Once the quiet person is listed too, the public finds it at once (no stale answer).
    assert_no_errors(
        &app.list(&court, &quiet, "court-dishonest-debtor", json!({}))
            .await,
    );
    let r = app.gql(SUBJECT, json!({ "c": quiet }), None).await;
    assert_eq!(r["data"]["subject"]["code"], masked(&quiet), "{r}");
}
