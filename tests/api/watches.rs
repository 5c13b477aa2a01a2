//! Banks' watchlists: a listing of a watched subject reaches the bank's feed and webhook, an
//! unwatched one does not, and `subject(code:, asOf:)` evidences what the platform showed then.

use crate::helpers::*;
use crate::webhooks::{Behaviour, Receiver, expected_signature, register};
use chrono::Days;
use serde_json::{Value, json};
use std::time::{Duration, Instant};

const GRANT: &str = "mutation($input: GrantAuthorisationInput!) { grantAuthorisation(input: $input) { authorisation { id } } }";
const REVOKE_AUTH: &str =
    "mutation($id: ID!) { revokeAuthorisation(input: { id: $id }) { authorisation { id } } }";
const WATCH: &str = "mutation($codes: [String!]!) { watchSubjects(input: { codes: $codes }) { watched { subject { code } since authorisedUntil } } }";
const UNWATCH: &str =
    "mutation($codes: [String!]!) { unwatchSubjects(input: { codes: $codes }) { unwatchedCount } }";
const WATCHLIST: &str =
    "{ me { watchlist(first: 50) { edges { node { subject { code } authorisedUntil } } } } }";
const FEED: &str = "query($after: String) { watchFeed(first: 2, after: $after) { edges { cursor node { seq action target targetId subjectCode } } pageInfo { hasNextPage endCursor } } }";
const REVOKE_ENTRY: &str = "mutation($input: RevokeListEntryInput!) { revokeListEntry(input: $input) { entry { id status } } }";
const THEN: &str = "query($c: String!, $d: Date) { subject(code: $c, asOf: $d) { code listEntries { edges { node { id status } } } } }";
const BANK: &str = "210900.icbc";

fn today() -> chrono::NaiveDate {
    domain::time::china_date(chrono::Utc::now())
}

/// The subject authorises the bank for lending; returns the authorisation's id.
async fn authorise(app: &TestApp, code: &str, purpose: &str) -> String {
    let r = app
        .gql(
            GRANT,
            json!({ "input": { "bank": BANK, "purpose": purpose, "validUntil": (today() + Days::new(90)).to_string() } }),
            Some(&app.subject_token(code)),
        )
        .await;
    assert_no_errors(&r);
    r["data"]["grantAuthorisation"]["authorisation"]["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// Reads the whole feed two at a time from `after`, as a consumer would; returns what it read
/// and the cursor to resume from.
async fn read_feed(
    app: &TestApp,
    token: &str,
    mut after: Option<String>,
) -> (Vec<Value>, Option<String>) {
    let mut all = Vec::new();
    loop {
        let r = app.gql(FEED, json!({ "after": after }), Some(token)).await;
        assert_no_errors(&r);
        let feed = &r["data"]["watchFeed"];
        for e in feed["edges"].as_array().unwrap() {
            all.push(e["node"].clone());
        }
        if let Some(end) = feed["pageInfo"]["endCursor"].as_str() {
            after = Some(end.to_owned());
        }
        if feed["pageInfo"]["hasNextPage"] != true {
            return (all, after);
        }
    }
}

fn entry_ids(r: &Value) -> Vec<String> {
    assert_no_errors(r);
    r["data"]["subject"]["listEntries"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["id"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn a_watched_subject_s_listing_reaches_the_bank_s_feed_and_webhook_and_an_unwatched_one_does_not()
 {
    let app = TestApp::spawn().await;
    let bank = app.token(BANK, &["bank:query"]);
    let receiver = Receiver::start(Behaviour::FailFirst(0)).await;
    let secret = register(&app, &bank, &receiver.url, json!([])).await;
    let watched = app.company("210902").await;
    let unwatched = app.company("210902").await;
    let bidding_only = app.company("210902").await;
    let grant = authorise(&app, &watched, "LENDING").await;
    authorise(&app, &unwatched, "LENDING").await;
    authorise(&app, &bidding_only, "BIDDING").await;

    // All or none: a subject without a lending authorisation refuses the whole request.
    let r = app
        .gql(
            WATCH,
            json!({ "codes": [watched, bidding_only] }),
            Some(&bank),
        )
        .await;
    assert_eq!(error_of(&r).0, "FORBIDDEN");
    let r = app.gql(WATCHLIST, json!({}), Some(&bank)).await;
    assert_eq!(
        r["data"]["me"]["watchlist"]["edges"],
        json!([]),
        "nothing was watched"
    );
    let r = app
        .gql(
            WATCH,
            json!({ "codes": [watched, watched.to_lowercase()] }),
            Some(&bank),
        )
        .await;
    assert_no_errors(&r);
    assert_eq!(
        r["data"]["watchSubjects"]["watched"][0]["subject"]["code"],
        watched.as_str()
    );
    assert_eq!(
        r["data"]["watchSubjects"]["watched"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    // Only banks keep watchlists.
    let r = app
        .gql(
            WATCH,
            json!({ "codes": [watched] }),
            Some(&app.publisher("210900.court")),
        )
        .await;
    assert_eq!(error_of(&r).0, "FORBIDDEN");
    let r = app.gql(WATCH, json!({ "codes": [] }), Some(&bank)).await;
    assert_eq!(
        error_of(&r),
        ("BAD_USER_INPUT".into(), Some("input.codes".into()))
    );

    // As if registered ten days ago (noon, China time), so that a day before the listing exists.
    let ten_days_ago = format!("{} 04:00:00", today() - Days::new(10));
    exec_sql(
        &app.settings.database_url,
        &format!("UPDATE subjects SET created_at = '{ten_days_ago}' WHERE code = '{watched}'"),
    );
    let court = app.publisher("210900.court");
    let before = app
        .gql(
            THEN,
            json!({ "c": watched, "d": (today() - Days::new(1)).to_string() }),
            Some(&bank),
        )
        .await;
    let listed = app
        .list(&court, &watched, "court-dishonest-debtor", json!({}))
        .await;
    assert_no_errors(&listed);
    let entry = listed["data"]["addListEntry"]["entry"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let other = app
        .list(&court, &unwatched, "court-dishonest-debtor", json!({}))
        .await;
    assert_no_errors(&other);

    // The feed has the watched subject's listing only.
    let (seen, cursor) = read_feed(&app, &bank, None).await;
    assert_eq!(seen.len(), 1, "{seen:#?}");
    assert_eq!(seen[0]["action"], "CREATED");
    assert_eq!(seen[0]["target"], "LIST_ENTRY");
    assert_eq!(seen[0]["targetId"], entry.as_str());
    assert_eq!(seen[0]["subjectCode"], watched.as_str());

    // And so does the webhook, signed.
    let deadline = Instant::now() + Duration::from_secs(20);
    while receiver.got().is_empty() {
        assert!(Instant::now() < deadline, "nothing was delivered");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let got = receiver.got();
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].event, "watch.changed");
    assert_eq!(
        got[0].signature,
        expected_signature(&secret, &got[0].timestamp, &got[0].body)
    );
    let body: Value = serde_json::from_str(&got[0].body).unwrap();
    let told = body["changes"].as_array().unwrap();
    assert_eq!(told.len(), 1);
    assert_eq!(told[0]["subjectCode"], watched.as_str());
    assert_eq!(told[0]["entryId"], entry.as_str());
    assert_eq!(told[0]["action"], "created");
    assert_eq!(told[0]["seq"], seen[0]["seq"]);

    // As of the day before the listing the subject was clean; as of today it is listed.
    assert!(entry_ids(&before).is_empty());
    let yesterday = app
        .gql(
            THEN,
            json!({ "c": watched, "d": (today() - Days::new(1)).to_string() }),
            Some(&bank),
        )
        .await;
    assert!(
        entry_ids(&yesterday).is_empty(),
        "asked later, the past is unchanged"
    );
    let now = app
        .gql(
            THEN,
            json!({ "c": watched, "d": today().to_string() }),
            Some(&bank),
        )
        .await;
    assert_eq!(entry_ids(&now), vec![entry.clone()]);

    // The revocation follows, from the cursor: nothing missed, nothing again.
    let r = app
        .gql(
            REVOKE_ENTRY,
            json!({ "input": { "id": entry, "reason": "录入错误" } }),
            Some(&court),
        )
        .await;
    assert_no_errors(&r);
    let (more, cursor) = read_feed(&app, &bank, cursor).await;
    assert_eq!(more.len(), 1);
    assert_eq!(more[0]["action"], "REVOKED");

    // Once the subject revokes its authorisation, the bank is told nothing more of it.
    let r = app
        .gql(
            REVOKE_AUTH,
            json!({ "id": grant }),
            Some(&app.subject_token(&watched)),
        )
        .await;
    assert_no_errors(&r);
    let r = app.gql(WATCHLIST, json!({}), Some(&bank)).await;
    assert!(r["data"]["me"]["watchlist"]["edges"][0]["node"]["authorisedUntil"].is_null());
    assert_no_errors(
        &app.list(&court, &watched, "court-dishonest-debtor", json!({}))
            .await,
    );
    let (after_revocation, cursor) = read_feed(&app, &bank, cursor).await;
    assert!(after_revocation.is_empty(), "{after_revocation:#?}");

    // Unwatched, it leaves the list.
    let r = app
        .gql(UNWATCH, json!({ "codes": [watched] }), Some(&bank))
        .await;
    assert_eq!(r["data"]["unwatchSubjects"]["unwatchedCount"], 1);
    let r = app.gql(WATCHLIST, json!({}), Some(&bank)).await;
    assert_eq!(r["data"]["me"]["watchlist"]["edges"], json!([]));
    let (nothing, _) = read_feed(&app, &bank, cursor).await;
    assert!(nothing.is_empty());
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(
        receiver.got().len(),
        2,
        "the listing and the revocation, nothing else"
    );
}
