use crate::helpers::*;
use serde_json::json;

pub(crate) const ADD: &str = "mutation($input: AddCreditRecordInput!) { addCreditRecord(input: $input) { record { id kind title decisionNumber decisionDate publicationDate dishonestyClass publicityEnd publishedOnTime sourceDepartment { code } subject { code } } } }";
const RECORDS: &str = "query($s: String, $k: CreditRecordKind) { creditRecords(subject: $s, kind: $k) { edges { node { title kind publishedOnTime } } } }";

pub(crate) fn penalty(
    subject: &str,
    number: &str,
    decided: &str,
    published: &str,
) -> serde_json::Value {
    json!({ "input": {
        "subject": subject, "kind": "PENALTY", "title": "罚款", "decisionNumber": number,
        "decisionDate": decided, "publicationDate": published, "legalBasis": "《中华人民共和国产品质量法》第四十九条",
        "content": "罚款人民币一万元", "dishonestyClass": "GENERAL",
    }})
}

#[tokio::test]
async fn penalty_gets_its_publicity_end_and_timeliness() {
    let app = TestApp::spawn().await;
    let code = app.company("210902").await;
    let token = app.publisher("210900.market");
    // Decided the day before National Day 2026; the 7th working day after it is 2026-10-15.
    let r = app
        .gql(
            ADD,
            penalty(&code, "阜市监罚〔2026〕1号", "2026-09-30", "2026-10-15"),
            Some(&token),
        )
        .await;
    assert_no_errors(&r);
    let rec = &r["data"]["addCreditRecord"]["record"];
    assert_eq!(
        rec["publicityEnd"], "2027-09-30",
        "general: at most one year from the decision"
    );
    assert_eq!(rec["publishedOnTime"], true);
    assert_eq!(rec["sourceDepartment"]["code"], "210900.market");
    let r = app
        .gql(
            ADD,
            penalty(&code, "阜市监罚〔2026〕2号", "2026-09-30", "2026-10-16"),
            Some(&token),
        )
        .await;
    assert_eq!(
        r["data"]["addCreditRecord"]["record"]["publishedOnTime"],
        false
    );
    // Both are public, and the kind filter works.
    let r = app
        .gql(RECORDS, json!({ "s": code, "k": "PENALTY" }), None)
        .await;
    assert_eq!(
        r["data"]["creditRecords"]["edges"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    let r = app
        .gql(RECORDS, json!({ "s": code, "k": "LICENCE" }), None)
        .await;
    assert_eq!(
        r["data"]["creditRecords"]["edges"]
            .as_array()
            .unwrap()
            .len(),
        0
    );
}

#[tokio::test]
async fn records_out_of_publicity_are_hidden_from_the_public_only() {
    let app = TestApp::spawn().await;
    let code = app.company("210902").await;
    let token = app.publisher("210900.market");
    let mut old = penalty(&code, "阜市监罚〔2025〕9号", "2025-01-06", "2025-01-08");
    old["input"]["dishonestyClass"] = json!("MINOR");
    let r = app.gql(ADD, old, Some(&token)).await;
    assert_no_errors(&r);
    assert_eq!(
        r["data"]["addCreditRecord"]["record"]["publicityEnd"],
        "2025-04-06"
    );
    let r = app.gql(RECORDS, json!({ "s": code }), None).await;
    assert_eq!(
        r["data"]["creditRecords"]["edges"]
            .as_array()
            .unwrap()
            .len(),
        0
    );
    let r = app.gql(RECORDS, json!({ "s": code }), Some(&token)).await;
    assert_eq!(
        r["data"]["creditRecords"]["edges"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
}

#[tokio::test]
async fn bad_records_are_refused_and_nothing_is_stored() {
    let app = TestApp::spawn().await;
    let code = app.company("210902").await;
    let token = app.publisher("210900.market");
    let mut no_class = penalty(&code, "n1", "2026-09-30", "2026-10-15");
    no_class["input"]
        .as_object_mut()
        .unwrap()
        .remove("dishonestyClass");
    let mut backwards = penalty(&code, "n2", "2026-09-30", "2026-09-01");
    backwards["input"]["dishonestyClass"] = json!("GENERAL");
    let unknown_subject = penalty(&new_uscc("210902"), "n3", "2026-09-30", "2026-10-15");
    let bad_subject = penalty("12345", "n4", "2026-09-30", "2026-10-15");
    let cases = [
        (no_class, "BAD_USER_INPUT", Some("input.dishonestyClass")),
        (backwards, "BAD_USER_INPUT", Some("input.publicationDate")),
        (unknown_subject, "NOT_FOUND", None),
        (bad_subject, "BAD_USER_INPUT", Some("input.subject")),
    ];
    for (input, code_, field) in cases {
        let r = app.gql(ADD, input, Some(&token)).await;
        assert_eq!(error_of(&r), (code_.to_owned(), field.map(str::to_owned)));
    }
    // A date that is not a date is refused before anything runs.
    let r = app
        .gql(
            ADD,
            penalty(&code, "n5", "2026-02-30", "2026-03-01"),
            Some(&token),
        )
        .await;
    assert_eq!(error_of(&r).0, "BAD_USER_INPUT");
    assert!(
        r["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("2026-02-30")
    );
    let r = app.gql(RECORDS, json!({ "s": code }), Some(&token)).await;
    assert_eq!(
        r["data"]["creditRecords"]["edges"]
            .as_array()
            .unwrap()
            .len(),
        0,
        "nothing stored"
    );
}

#[tokio::test]
async fn a_record_sent_again_is_the_stored_one_and_other_content_a_conflict() {
    let app = TestApp::spawn().await;
    let code = app.company("210902").await;
    let token = app.publisher("210900.market");
    let first = app
        .gql(
            ADD,
            penalty(&code, "阜市监罚〔2026〕7号", "2026-09-30", "2026-10-15"),
            Some(&token),
        )
        .await;
    assert_no_errors(&first);
    let id = first["data"]["addCreditRecord"]["record"]["id"]
        .as_str()
        .unwrap();
    // The same record again (a retry after a lost answer): the record stored the first time.
    let again = app
        .gql(
            ADD,
            penalty(&code, "阜市监罚〔2026〕7号", "2026-09-30", "2026-10-15"),
            Some(&token),
        )
        .await;
    assert_no_errors(&again);
    assert_eq!(again["data"]["addCreditRecord"]["record"]["id"], id);
    // Other content under the same decision number: a conflict naming the stored record.
    let mut other = penalty(&code, "阜市监罚〔2026〕7号", "2026-09-30", "2026-10-15");
    other["input"]["content"] = json!("罚款人民币五万元");
    let r = app.gql(ADD, other, Some(&token)).await;
    assert_eq!(error_of(&r).0, "CONFLICT");
    assert!(r["errors"][0]["message"].as_str().unwrap().contains(id));
    let r = app.gql(RECORDS, json!({ "s": code }), Some(&token)).await;
    assert_eq!(
        r["data"]["creditRecords"]["edges"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
}

#[tokio::test]
async fn records_need_the_scope_and_the_jurisdiction() {
    let app = TestApp::spawn().await;
    let code = app.company("210921").await;
    let no_scope = app.token("210900.market", &["lists:write"]);
    let r = app
        .gql(
            ADD,
            penalty(&code, "x1", "2026-09-30", "2026-10-15"),
            Some(&no_scope),
        )
        .await;
    assert_eq!(error_of(&r).0, "FORBIDDEN");
    let county = app.publisher("210922.market");
    let r = app
        .gql(
            ADD,
            penalty(&code, "x2", "2026-09-30", "2026-10-15"),
            Some(&county),
        )
        .await;
    assert_eq!(error_of(&r).0, "FORBIDDEN");
    let r = app
        .gql(ADD, penalty(&code, "x3", "2026-09-30", "2026-10-15"), None)
        .await;
    assert_eq!(error_of(&r).0, "UNAUTHENTICATED");
}
