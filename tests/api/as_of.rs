//! `subject(code:, asOf:)`: what the platform showed at the end of a past day.

use crate::helpers::*;
use chrono::{Days, NaiveDate};
use serde_json::{Value, json};

const THEN: &str = "query($c: String!, $d: Date) { subject(code: $c, asOf: $d) { code
    listEntries { edges { node { id status } } }
    creditRecords { edges { node { id content version } } } } }";

fn today() -> NaiveDate {
    domain::time::china_date(chrono::Utc::now())
}

fn ago(n: u64) -> NaiveDate {
    today() - Days::new(n)
}

/// Noon, China time, `n` days ago, as the database stores it (UTC).
fn noon_ago(n: u64) -> String {
    format!("{} 04:00:00", ago(n))
}

fn edges<'a>(r: &'a Value, field: &str) -> Vec<&'a Value> {
    assert_no_errors(r);
    r["data"]["subject"][field]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| &e["node"])
        .collect()
}

#[tokio::test]
async fn a_past_day_shows_the_entries_in_force_and_the_records_as_they_read_then() {
    let app = TestApp::spawn().await;
    let db = &app.settings.database_url;
    let court = app.publisher("210900.court");
    let market = app.token("210900.market", &["records:write", "objections:handle"]);
    let code = app.company("210902").await;
    let r = app
        .list(
            &court,
            &code,
            "court-dishonest-debtor",
            json!({ "startDate": ago(5).to_string() }),
        )
        .await;
    assert_no_errors(&r);
    let entry = r["data"]["addListEntry"]["entry"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let r = app.gql("mutation($input: AddCreditRecordInput!) { addCreditRecord(input: $input) { record { id } } }",
        json!({ "input": { "subject": code, "kind": "PENALTY", "title": "罚款", "decisionNumber": "阜市监罚〔2026〕77号",
            "decisionDate": ago(8).to_string(), "publicationDate": ago(6).to_string(), "legalBasis": "《产品质量法》",
            "content": "罚款十万元", "dishonestyClass": "GENERAL" } }), Some(&market)).await;
    assert_no_errors(&r);
    let record = r["data"]["addCreditRecord"]["record"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    // As if registered ten days ago, the record made six days ago and the listing five.
    exec_sql(
        db,
        &format!(
            "UPDATE subjects SET created_at = '{}' WHERE code = '{code}'",
            noon_ago(10)
        ),
    );
    exec_sql(
        db,
        &format!(
            "UPDATE credit_records SET created_at = '{}' WHERE id = '{}'",
            noon_ago(6),
            row_id(&record)
        ),
    );
    exec_sql(
        db,
        &format!(
            "UPDATE list_entries SET created_at = '{}' WHERE id = '{}'",
            noon_ago(5),
            row_id(&entry)
        ),
    );

    // Today: the record is corrected after an objection, and the entry revoked.
    app.uphold_record_objection(&code, &record, &market, "CORRECT")
        .await;
    assert_no_errors(&app.gql("mutation($id: ID!) { revokeListEntry(input: { id: $id, reason: \"生效判决已被撤销\" }) { entry { status } } }",
        json!({ "id": entry }), Some(&court)).await);

    let then = |d: NaiveDate, token: Option<String>| {
        let app = &app;
        let code = code.clone();
        async move {
            app.gql(
                THEN,
                json!({ "c": code, "d": d.to_string() }),
                token.as_deref(),
            )
            .await
        }
    };
    // Before the listing and the record's publication: the subject alone.
    let r = then(ago(7), None).await;
    assert!(edges(&r, "listEntries").is_empty());
    assert!(edges(&r, "creditRecords").is_empty(), "not yet published");
    // After it, yesterday: the entry in force, the record as it read before its correction.
    let r = then(ago(1), None).await;
    let entries = edges(&r, "listEntries");
    assert_eq!(
        (entries.len(), &entries[0]["status"]),
        (1, &json!("ACTIVE"))
    );
    let records = edges(&r, "creditRecords");
    assert_eq!(
        (&records[0]["content"], &records[0]["version"]),
        (&json!("罚款十万元"), &json!(1))
    );
    // Today: the entry is revoked (the public no longer sees it; a department sees it revoked),
    // the record reads as corrected.
    let r = then(today(), None).await;
    assert!(edges(&r, "listEntries").is_empty());
    assert_eq!(edges(&r, "creditRecords")[0]["content"], "罚款一万元");
    let r = then(today(), Some(court.clone())).await;
    assert_eq!(edges(&r, "listEntries")[0]["status"], "REVOKED");
    // Before it was registered, the platform showed nothing of it.
    let r = then(ago(11), None).await;
    assert_no_errors(&r);
    assert_eq!(r["data"]["subject"], Value::Null);
    // Without asOf, now; a day to come is refused.
    let r = then(today() + Days::new(1), None).await;
    assert_eq!(
        error_of(&r),
        ("BAD_USER_INPUT".to_owned(), Some("asOf".to_owned()))
    );
}
