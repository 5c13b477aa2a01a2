//! Objections through GraphQL over HTTP: filing without an account, following with the query code,
//! the owning department's handling, deadlines in working days, and the cascade of an upheld one.

use crate::helpers::*;
use serde_json::{Value, json};

const FILE: &str = "mutation($input: FileObjectionInput!) { fileObjection(input: $input) { queryCode objection { id receipt status acceptBy owner } } }";
const STATUS: &str = "query($r: String!, $q: String!) { objectionStatus(receipt: $r, queryCode: $q) { status acceptBy decideBy steps { status actor note } } }";
const ACCEPT: &str = "mutation($id: ID!) { acceptObjection(input: { id: $id, note: \"材料齐全，予以受理\" }) { objection { status decideBy } } }";
const REFUSE: &str = "mutation($id: ID!) { refuseObjection(input: { id: $id, reason: \"非利害关系人，不予受理\" }) { objection { status } } }";
const DECIDE: &str = "mutation($input: DecideObjectionInput!) { decideObjection(input: $input) { objection { status steps { status actor note } } } }";
const LIST: &str = "query($o: Boolean) { objections(overdue: $o, first: 100) { edges { node { id receipt status overdue } } } }";

fn handler(app: &TestApp, dept: &str) -> String {
    app.token(dept, &["objections:handle", "lists:write", "records:write"])
}

/// Lists a new company on the court's black list; returns (company code, entry id).
async fn listed(app: &TestApp) -> (String, String) {
    let code = app.company("210902").await;
    let entry = app
        .listed_by("210900.court", &code, "court-dishonest-debtor", json!({}))
        .await;
    (code, entry)
}

async fn file(app: &TestApp, subject: &str, kind: &str, target: &str) -> (String, String, String) {
    let r = app.gql(FILE, json!({ "input": { "subject": subject, "targetKind": kind, "targetId": target,
        "reason": "该判决已履行完毕，名单信息有误", "contact": "13800000000", "evidence": ["执行完毕证明.pdf"] } }), None).await;
    assert_no_errors(&r);
    let f = &r["data"]["fileObjection"];
    (
        f["objection"]["id"].as_str().unwrap().to_owned(),
        f["objection"]["receipt"].as_str().unwrap().to_owned(),
        f["queryCode"].as_str().unwrap().to_owned(),
    )
}

fn public_entries(r: &Value) -> Vec<Value> {
    r["data"]["subject"]["listEntries"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"].clone())
        .collect()
}

const PUBLIC_VIEW: &str = "query($c: String!) { subject(code: $c) { name listEntries { edges { node { id status underObjection } } } } }";

#[tokio::test]
async fn an_upheld_objection_revokes_the_entry_cancels_dispatches_and_publishes_a_correction() {
    let app = TestApp::spawn().await;
    let (code, entry) = listed(&app).await;
    // Cache the public view before anything happens.
    let r = app.gql(PUBLIC_VIEW, json!({ "c": code }), None).await;
    assert_eq!(public_entries(&r).len(), 1);
    assert_eq!(public_entries(&r)[0]["underObjection"], false);

    let (id, receipt, query_code) = file(&app, &code, "ENTRY", &entry).await;
    let r = app.gql(PUBLIC_VIEW, json!({ "c": code }), None).await;
    assert_eq!(
        public_entries(&r)[0]["underObjection"],
        true,
        "the public view says 异议处理中"
    );

    let court = handler(&app, "210900.court");
    let r = app.gql(ACCEPT, json!({ "id": id }), Some(&court)).await;
    assert_no_errors(&r);
    assert_eq!(
        r["data"]["acceptObjection"]["objection"]["status"],
        "ACCEPTED"
    );
    assert!(r["data"]["acceptObjection"]["objection"]["decideBy"].is_string());
    let r = app.gql(DECIDE, json!({ "input": { "id": id, "upheld": true, "reason": "经核查，被执行人已于列入前履行完毕" } }), Some(&court)).await;
    assert_no_errors(&r);
    let steps = r["data"]["decideObjection"]["objection"]["steps"]
        .as_array()
        .unwrap();
    assert_eq!(
        steps
            .iter()
            .map(|s| s["status"].as_str().unwrap())
            .collect::<Vec<_>>(),
        ["SUBMITTED", "ACCEPTED", "UPHELD"]
    );
    assert_eq!(steps[2]["actor"], "210900.court");

    // The entry is revoked and gone from the public view.
    let r = app.gql(PUBLIC_VIEW, json!({ "c": code }), None).await;
    assert!(public_entries(&r).is_empty(), "{r}");
    let r = app.gql("query($c: String!) { subject(code: $c) { listEntries(status: REVOKED) { edges { node { status revocationReason } } } } }", json!({ "c": code }), Some(&court)).await;
    assert!(
        r["data"]["subject"]["listEntries"]["edges"][0]["node"]["revocationReason"]
            .as_str()
            .unwrap()
            .contains("异议成立")
    );
    // Every open dispatch is cancelled, and its department sees why.
    let ndrc = app.token("210900.ndrc", &["memoranda:admin"]);
    let d = app.gql("query($e: ID) { dispatches(entry: $e, first: 100) { edges { node { status cancelReason } } } }", json!({ "e": entry }), Some(&ndrc)).await;
    let all = d["data"]["dispatches"]["edges"].as_array().unwrap();
    assert!(!all.is_empty());
    assert!(all.iter().all(|e| {
        e["node"]["status"] == "CANCELLED"
            && e["node"]["cancelReason"]
                .as_str()
                .unwrap()
                .contains("异议成立")
    }));
    // A public correction notice.
    let r = app.gql("query($c: String) { corrections(subject: $c) { edges { node { title body targetKind subject { code } } } } }", json!({ "c": code }), None).await;
    let notices = r["data"]["corrections"]["edges"].as_array().unwrap();
    assert_eq!(notices.len(), 1);
    assert!(
        notices[0]["node"]["title"]
            .as_str()
            .unwrap()
            .contains("更正公告")
    );
    assert!(
        notices[0]["node"]["body"]
            .as_str()
            .unwrap()
            .contains("失信被执行人")
    );
    // The filer follows it.
    let r = app
        .gql(STATUS, json!({ "r": receipt, "q": query_code }), None)
        .await;
    assert_eq!(r["data"]["objectionStatus"]["status"], "UPHELD");
}

#[tokio::test]
async fn rejected_not_accepted_and_a_wrong_query_code() {
    let app = TestApp::spawn().await;
    let (code, entry) = listed(&app).await;
    let court = handler(&app, "210900.court");
    let (id, receipt, query_code) = file(&app, &code, "ENTRY", &entry).await;
    let r = app
        .gql(
            STATUS,
            json!({ "r": receipt, "q": "WRONGCODE1234567" }),
            None,
        )
        .await;
    assert_eq!(error_of(&r).0, "FORBIDDEN");
    let r = app
        .gql(
            STATUS,
            json!({ "r": "YY20260101NOSUCH", "q": query_code }),
            None,
        )
        .await;
    assert_eq!(error_of(&r).0, "NOT_FOUND");
    app.gql(ACCEPT, json!({ "id": id }), Some(&court)).await;
    let r = app
        .gql(
            DECIDE,
            json!({ "input": { "id": id, "upheld": false, "reason": " " } }),
            Some(&court),
        )
        .await;
    assert_eq!(
        error_of(&r),
        ("BAD_USER_INPUT".into(), Some("input.reason".into()))
    );
    let r = app
        .gql(
            DECIDE,
            json!({ "input": { "id": id, "upheld": false, "reason": "执行案件尚未结案" } }),
            Some(&court),
        )
        .await;
    assert_no_errors(&r);
    let r = app
        .gql(STATUS, json!({ "r": receipt, "q": query_code }), None)
        .await;
    assert_eq!(r["data"]["objectionStatus"]["status"], "REJECTED");
    assert_eq!(
        r["data"]["objectionStatus"]["steps"][2]["note"],
        "执行案件尚未结案"
    );
    let r = app.gql(PUBLIC_VIEW, json!({ "c": code }), None).await;
    assert_eq!(
        public_entries(&r)[0]["status"],
        "ACTIVE",
        "a rejected objection changes nothing"
    );
    assert_eq!(public_entries(&r)[0]["underObjection"], false);

    let (id2, receipt2, code2) = file(&app, &code, "ENTRY", &entry).await;
    let r = app.gql(REFUSE, json!({ "id": id2 }), Some(&court)).await;
    assert_eq!(
        r["data"]["refuseObjection"]["objection"]["status"],
        "NOT_ACCEPTED"
    );
    let r = app
        .gql(STATUS, json!({ "r": receipt2, "q": code2 }), None)
        .await;
    assert_eq!(
        r["data"]["objectionStatus"]["steps"][1]["note"],
        "非利害关系人，不予受理"
    );
}

#[tokio::test]
async fn illegal_transitions_are_conflicts_and_change_nothing() {
    let app = TestApp::spawn().await;
    let (code, entry) = listed(&app).await;
    let court = handler(&app, "210900.court");
    let (id, receipt, query_code) = file(&app, &code, "ENTRY", &entry).await;
    let r = app
        .gql(
            DECIDE,
            json!({ "input": { "id": id, "upheld": true, "reason": "x" } }),
            Some(&court),
        )
        .await;
    assert_eq!(error_of(&r).0, "CONFLICT", "decide before accepting");
    // Only the owning department handles it.
    let tax = handler(&app, "210900.tax");
    let r = app.gql(ACCEPT, json!({ "id": id }), Some(&tax)).await;
    assert_eq!(error_of(&r).0, "FORBIDDEN");
    let r = app
        .gql(
            ACCEPT,
            json!({ "id": id }),
            Some(&app.publisher("210900.court")),
        )
        .await;
    assert_eq!(error_of(&r).0, "FORBIDDEN", "objections:handle is needed");
    app.gql(ACCEPT, json!({ "id": id }), Some(&court)).await;
    for (q, vars) in [(ACCEPT, json!({ "id": id })), (REFUSE, json!({ "id": id }))] {
        let r = app.gql(q, vars, Some(&court)).await;
        assert_eq!(error_of(&r).0, "CONFLICT");
    }
    app.gql(
        DECIDE,
        json!({ "input": { "id": id, "upheld": false, "reason": "不成立" } }),
        Some(&court),
    )
    .await;
    let r = app
        .gql(
            DECIDE,
            json!({ "input": { "id": id, "upheld": true, "reason": "改判" } }),
            Some(&court),
        )
        .await;
    assert_eq!(error_of(&r).0, "CONFLICT");
    let r = app
        .gql(STATUS, json!({ "r": receipt, "q": query_code }), None)
        .await;
    assert_eq!(r["data"]["objectionStatus"]["status"], "REJECTED");
    assert_eq!(
        r["data"]["objectionStatus"]["steps"]
            .as_array()
            .unwrap()
            .len(),
        3,
        "no step added by a refusal"
    );
    // A target that is not the subject's is bad input.
    let other = app.company("210902").await;
    let r = app.gql(FILE, json!({ "input": { "subject": other, "targetKind": "ENTRY", "targetId": entry, "reason": "r", "contact": "c" } }), None).await;
    assert_eq!(
        error_of(&r),
        ("BAD_USER_INPUT".into(), Some("input.targetId".into()))
    );
}

#[tokio::test]
async fn deadlines_count_working_days_across_holidays() {
    let app = TestApp::spawn().await;
    let (code, entry) = listed(&app).await;
    let today = domain::time::china_date(chrono::Utc::now());
    let to = |date: &str| (date.parse::<chrono::NaiveDate>().unwrap() - today).num_days();
    // Filed on 2026-09-30: the National Day holiday is skipped.
    app.clock.advance_days(to("2026-09-30"));
    let r = app.gql(FILE, json!({ "input": { "subject": code, "targetKind": "ENTRY", "targetId": entry, "reason": "r", "contact": "c" } }), None).await;
    assert_eq!(
        r["data"]["fileObjection"]["objection"]["acceptBy"],
        "2026-10-09"
    );
    // Filed on 2026-10-08: the working Saturday 10-10 counts.
    app.clock.advance_days(to("2026-10-08") - to("2026-09-30"));
    let r = app.gql(FILE, json!({ "input": { "subject": code, "targetKind": "ENTRY", "targetId": entry, "reason": "r", "contact": "c" } }), None).await;
    assert_eq!(
        r["data"]["fileObjection"]["objection"]["acceptBy"],
        "2026-10-10"
    );
    // On 2026-10-10 the first is overdue, the second is not; the credit office sees it.
    app.clock.advance_days(2);
    let ndrc = app.token("210900.ndrc", &["objections:handle"]);
    let r = app.gql(LIST, json!({ "o": true }), Some(&ndrc)).await;
    let overdue = r["data"]["objections"]["edges"].as_array().unwrap();
    assert_eq!(overdue.len(), 1);
    assert_eq!(overdue[0]["node"]["overdue"], true);
    let court = handler(&app, "210900.court");
    let r = app.gql(LIST, json!({}), Some(&court)).await;
    assert_eq!(
        r["data"]["objections"]["edges"].as_array().unwrap().len(),
        2
    );
    let r = app.gql(LIST, json!({ "o": false }), Some(&court)).await;
    let timely = r["data"]["objections"]["edges"].as_array().unwrap();
    assert_eq!(timely.len(), 1);
    assert_eq!(timely[0]["node"]["overdue"], false);
    let tax = handler(&app, "210900.tax");
    let r = app.gql(LIST, json!({}), Some(&tax)).await;
    assert_eq!(
        r["data"]["objections"]["edges"].as_array().unwrap().len(),
        0,
        "another department's objections are not shown"
    );
    // Deadlines can be set per list type by the credit office.
    let set = "mutation($input: SetObjectionDeadlinesInput!) { setObjectionDeadlines(input: $input) { acceptWorkingDays decideWorkingDays } }";
    let admin = app.token("210900.ndrc", &["memoranda:admin"]);
    let r = app.gql(set, json!({ "input": { "listType": "court-dishonest-debtor", "acceptWorkingDays": 5, "decideWorkingDays": 15 } }), Some(&admin)).await;
    assert_no_errors(&r);
    assert_eq!(
        r["data"]["setObjectionDeadlines"],
        json!({ "acceptWorkingDays": 5, "decideWorkingDays": 15 })
    );
    let r = app.gql(set, json!({ "input": { "listType": "court-dishonest-debtor", "acceptWorkingDays": 5, "decideWorkingDays": 15 } }), Some(&court)).await;
    assert_eq!(error_of(&r).0, "FORBIDDEN");
    app.clock.advance_days(to("2026-09-30") - to("2026-10-10"));
    let r = app.gql(FILE, json!({ "input": { "subject": code, "targetKind": "ENTRY", "targetId": entry, "reason": "r", "contact": "c" } }), None).await;
    assert_eq!(
        r["data"]["fileObjection"]["objection"]["acceptBy"], "2026-10-13",
        "5 working days: 10-08, 10-09, Saturday 10-10, 10-12, 10-13"
    );
}

#[tokio::test]
async fn an_upheld_objection_corrects_or_withdraws_a_record() {
    let app = TestApp::spawn().await;
    let code = app.company("210902").await;
    let market = handler(&app, "210900.market");
    let add = "mutation($input: AddCreditRecordInput!) { addCreditRecord(input: $input) { record { id } } }";
    let mut ids = Vec::new();
    for n in 1..=2 {
        let r = app.gql(add, json!({ "input": { "subject": code, "kind": "PENALTY", "title": "罚款", "decisionNumber": format!("阜市监罚〔2026〕{n}号"),
            "decisionDate": "2026-09-30", "legalBasis": "《产品质量法》", "content": "罚款十万元", "dishonestyClass": "GENERAL" } }), Some(&market)).await;
        assert_no_errors(&r);
        ids.push(
            r["data"]["addCreditRecord"]["record"]["id"]
                .as_str()
                .unwrap()
                .to_owned(),
        );
    }
    let records = "query($c: String) { creditRecords(subject: $c) { edges { node { id content version underObjection } } } }";
    let (first, _, _) = file(&app, &code, "RECORD", &ids[0]).await;
    let r = app.gql(records, json!({ "c": code }), None).await;
    let pending: Vec<bool> = r["data"]["creditRecords"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["underObjection"].as_bool().unwrap())
        .collect();
    assert_eq!(pending, [true, false]);
    app.gql(ACCEPT, json!({ "id": first }), Some(&market)).await;
    let r = app.gql(DECIDE, json!({ "input": { "id": first, "upheld": true, "reason": "罚款金额录入错误", "recordRemedy": "CORRECT", "correctedContent": "罚款一万元" } }), Some(&market)).await;
    assert_no_errors(&r);
    let (second, _, _) = file(&app, &code, "RECORD", &ids[1]).await;
    app.gql(ACCEPT, json!({ "id": second }), Some(&market))
        .await;
    let r = app
        .gql(
            DECIDE,
            json!({ "input": { "id": second, "upheld": true, "reason": "重复录入" } }),
            Some(&market),
        )
        .await;
    assert_no_errors(&r);
    let r = app.gql(records, json!({ "c": code }), None).await;
    let shown = r["data"]["creditRecords"]["edges"].as_array().unwrap();
    assert_eq!(shown.len(), 1, "the withdrawn record is no longer public");
    assert_eq!(shown[0]["node"]["content"], "罚款一万元");
    assert_eq!(shown[0]["node"]["version"], 2);
    let r = app
        .gql(
            "query($c: String) { corrections(subject: $c) { edges { node { body } } } }",
            json!({ "c": code }),
            None,
        )
        .await;
    assert_eq!(
        r["data"]["corrections"]["edges"].as_array().unwrap().len(),
        2
    );
}

#[tokio::test]
async fn a_subject_files_and_follows_with_its_own_token_and_implementers_are_told() {
    let app = TestApp::spawn().await;
    let (code, entry) = listed(&app).await;
    let subject = app.subject_token(&code);
    let r = app.gql(FILE, json!({ "input": { "subject": code, "targetKind": "ENTRY", "targetId": entry, "reason": "已履行", "contact": "13900000000" } }), Some(&subject)).await;
    assert_no_errors(&r);
    let receipt = r["data"]["fileObjection"]["objection"]["receipt"]
        .as_str()
        .unwrap()
        .to_owned();
    let id = r["data"]["fileObjection"]["objection"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let follow = "query($r: String!) { objectionStatus(receipt: $r) { status steps { actor } } }";
    let r = app
        .gql(follow, json!({ "r": receipt }), Some(&subject))
        .await;
    assert_no_errors(&r);
    assert!(
        r["data"]["objectionStatus"]["steps"][0]["actor"]
            .as_str()
            .unwrap()
            .starts_with("91")
    );
    let r = app.gql(follow, json!({ "r": receipt }), None).await;
    assert_eq!(
        error_of(&r).0,
        "FORBIDDEN",
        "without the code, only the subject itself"
    );
    let stranger = app.subject_token(&app.company("210902").await);
    let r = app
        .gql(follow, json!({ "r": receipt }), Some(&stranger))
        .await;
    assert_eq!(error_of(&r).0, "FORBIDDEN");
    let r = app.gql(FILE, json!({ "input": { "subject": code, "targetKind": "ENTRY", "targetId": entry, "reason": "r", "contact": "c" } }), Some(&stranger)).await;
    assert_eq!(
        error_of(&r).0,
        "FORBIDDEN",
        "a subject objects only about itself"
    );

    // The finance bureau, subscribed, is told the measure is lifted.
    let finance = app.token("210900.finance", &["dispatch:handle"]);
    let mut ws = crate::joint::subscribe(
        &app,
        &finance,
        "subscription { dispatchCancelled { id status cancelReason } }",
    )
    .await;
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    let court = handler(&app, "210900.court");
    app.gql(ACCEPT, json!({ "id": id }), Some(&court)).await;
    let r = app
        .gql(
            DECIDE,
            json!({ "input": { "id": id, "upheld": true, "reason": "属实" } }),
            Some(&court),
        )
        .await;
    assert_no_errors(&r);
    let msg = crate::joint::next_json(&mut ws).await;
    assert_eq!(msg["type"], "next", "{msg}");
    let d = &msg["payload"]["data"]["dispatchCancelled"];
    assert_eq!(d["status"], "CANCELLED");
    assert!(d["cancelReason"].as_str().unwrap().contains("异议成立"));
}

/// Two instances decide one objection at the same moment: one wins, the other is told the
/// objection moved on (CONFLICT), never INTERNAL, and the objection holds one decision.
#[tokio::test]
async fn two_instances_deciding_one_objection_at_once_give_the_loser_a_conflict() {
    let app = TestApp::spawn().await;
    let beside = app.spawn_beside().await;
    let court = handler(&app, "210900.court");
    let mut codes = Vec::new();
    for _ in 0..6 {
        let (code, entry) = listed(&app).await;
        let (id, receipt, query_code) = file(&app, &code, "ENTRY", &entry).await;
        let r = app.gql(ACCEPT, json!({ "id": id }), Some(&court)).await;
        assert_no_errors(&r);
        let again = beside.gql(ACCEPT, json!({ "id": id }), Some(&court)).await;
        assert_eq!(error_of(&again).0, "CONFLICT");
        codes.push(again);
        let upheld = json!({ "input": { "id": id, "upheld": true, "reason": "经核查名单有误" } });
        let rejected =
            json!({ "input": { "id": id, "upheld": false, "reason": "经核查名单无误" } });
        let (a, b) = tokio::join!(
            app.gql(DECIDE, upheld, Some(&court)),
            beside.gql(DECIDE, rejected, Some(&court))
        );
        let won = [&a, &b]
            .iter()
            .filter(|r| r.get("errors").is_none())
            .count();
        assert_eq!(won, 1, "exactly one decision: {a} {b}");
        let lost = if a.get("errors").is_some() { &a } else { &b };
        assert_eq!(error_of(lost).0, "CONFLICT", "{lost}");
        let r = app
            .gql(STATUS, json!({ "r": receipt, "q": query_code }), None)
            .await;
        let steps = r["data"]["objectionStatus"]["steps"].as_array().unwrap();
        assert_eq!(steps.len(), 3, "filed, accepted, decided once: {r}");
        codes.push(a);
        codes.push(b);
    }
    for r in &codes {
        assert!(!r.to_string().contains("INTERNAL"), "{r}");
    }
}
