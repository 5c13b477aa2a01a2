//! Lifting measures (措施解除): when an entry ends, every dispatch answered APPLIED becomes a lift
//! request to its department — through its inbox, its subscription and its webhook — which it
//! confirms; the originating department and the credit office follow it. A typical case built on
//! a wrongful listing is withdrawn.

use crate::helpers::*;
use crate::joint::{next_json, subscribe};
use crate::webhooks::{Behaviour, Receiver, register};
use serde_json::{Value, json};
use std::time::{Duration, Instant};

const ENTRY_DISPATCHES: &str = "query($entry: ID, $status: DispatchStatus) { dispatches(entry: $entry, status: $status, first: 100) {
    edges { node { id status statusLabel overdue department { code } measure { code } cancelReason
    lift { ground whatToDo liftBy liftByPending overdue confirmedAt business note }
    lifts { ground confirmedAt } } } } }";
const FEEDBACK: &str = "mutation($input: RecordFeedbackInput!) { recordFeedback(input: $input) { dispatch { id status } } }";
const CONFIRM: &str = "mutation($input: ConfirmLiftInput!) { confirmLift(input: $input) {
    dispatch { id status statusLabel } lift { ground confirmedAt business note } } }";
const FILE: &str =
    "mutation($input: FileObjectionInput!) { fileObjection(input: $input) { objection { id } } }";
const ACCEPT: &str =
    "mutation($id: ID!) { acceptObjection(input: { id: $id }) { objection { status } } }";
const DECIDE: &str = "mutation($input: DecideObjectionInput!) { decideObjection(input: $input) { objection { status } } }";
const TAX: &str = "210900.tax";

fn dispatches_of(r: &Value) -> Vec<Value> {
    nodes_of(r, "dispatches")
}

/// A company on the court's list; returns (code, entry id).
async fn listed(app: &TestApp, extra: Value) -> (String, String) {
    let code = app.company("210902").await;
    let entry = app
        .listed_by("210900.court", &code, "court-dishonest-debtor", extra)
        .await;
    (code, entry)
}

/// The tax bureau applies its first measure on `entry`; returns that dispatch's id.
async fn tax_applies(app: &TestApp, entry: &str) -> String {
    let tax = app.token(TAX, &["dispatch:handle"]);
    let mine = dispatches_of(
        &app.gql(ENTRY_DISPATCHES, json!({ "entry": entry }), Some(&tax))
            .await,
    );
    let id = mine[0]["id"].as_str().unwrap().to_owned();
    let r = app
        .gql(
            FEEDBACK,
            json!({ "input": { "dispatch": id, "outcome": "APPLIED", "business": "发票领用", "note": "从严审核发票领用" } }),
            Some(&tax),
        )
        .await;
    assert_no_errors(&r);
    id
}

async fn uphold_objection(app: &TestApp, code: &str, entry: &str) {
    let court = app.token("210900.court", &["objections:handle"]);
    let r = app
        .gql(
            FILE,
            json!({ "input": { "subject": code, "targetKind": "ENTRY", "targetId": entry,
                "reason": "列入前已履行完毕", "contact": "13800000000" } }),
            None,
        )
        .await;
    assert_no_errors(&r);
    let id = r["data"]["fileObjection"]["objection"]["id"].clone();
    assert_no_errors(&app.gql(ACCEPT, json!({ "id": id }), Some(&court)).await);
    let r = app
        .gql(
            DECIDE,
            json!({ "input": { "id": id, "upheld": true, "reason": "经核查，被执行人在列入前已履行完毕" } }),
            Some(&court),
        )
        .await;
    assert_no_errors(&r);
}

/// The tax bureau's lifts requested, confirmed and overdue in `stats` for the days `from..=to`,
/// and its dispatches answered (an applied one lifted since counts still).
async fn tax_lifts(
    app: &TestApp,
    office: &str,
    from: chrono::NaiveDate,
    to: chrono::NaiveDate,
) -> (i64, i64, i64, i64) {
    let r = app
        .gql(
            "query($f: Date!, $t: Date!) { stats(from: $f, to: $t) { byDepartment { department figures { liftsRequested liftsConfirmed liftsOverdue answered } } } }",
            json!({ "f": from.to_string(), "t": to.to_string() }),
            Some(office),
        )
        .await;
    assert_no_errors(&r);
    let row = r["data"]["stats"]["byDepartment"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["department"] == TAX)
        .unwrap()["figures"]
        .clone();
    let n = |k: &str| row[k].as_i64().unwrap();
    (
        n("liftsRequested"),
        n("liftsConfirmed"),
        n("liftsOverdue"),
        n("answered"),
    )
}

fn working_days_after(n: u32) -> String {
    test_calendar()
        .add_working_days(domain::time::china_date(chrono::Utc::now()), n)
        .unwrap()
        .to_string()
}

#[tokio::test]
async fn an_upheld_objection_asks_each_department_that_applied_a_measure_to_undo_it() {
    let app = TestApp::spawn().await;
    let (code, entry) = listed(&app, json!({})).await;
    let applied = tax_applies(&app, &entry).await;
    let tax = app.token(TAX, &["dispatch:handle"]);
    let office = app.token(
        "210900.ndrc",
        &["memoranda:admin", "stats:read", "changes:read"],
    );

    // A typical case on the measure, published.
    let summary = "该企业因拒不履行生效判决被列入失信被执行人名单，税务部门据此在发票领用环节从严审核，促使其主动履行全部义务。";
    let r = app
        .gql(
            "mutation($input: ProposeTypicalCaseInput!) { proposeTypicalCase(input: $input) { typicalCase { id } } }",
            json!({ "input": { "dispatch": applied, "title": "失信被执行人主动履行", "summary": summary } }),
            Some(&tax),
        )
        .await;
    assert_no_errors(&r);
    let case = r["data"]["proposeTypicalCase"]["typicalCase"]["id"].clone();
    let r = app
        .gql(
            "mutation($input: DecideTypicalCaseInput!) { decideTypicalCase(input: $input) { typicalCase { status } } }",
            json!({ "input": { "id": case, "approve": true } }),
            Some(&office),
        )
        .await;
    assert_no_errors(&r);
    let public_cases = "{ typicalCases { edges { node { id } } } }";
    assert_eq!(
        nodes_of(
            &app.gql(public_cases, json!({}), None).await,
            "typicalCases"
        )
        .len(),
        1
    );

    // The tax bureau listens: its webhook, and a subscription.
    let receiver = Receiver::start(Behaviour::FailFirst(0)).await;
    register(
        &app,
        &tax,
        &receiver.url,
        json!(["DISPATCH_LIFT_REQUESTED"]),
    )
    .await;
    let mut ws = subscribe(
        &app,
        &tax,
        "subscription { liftRequested { id status lift { ground liftBy } } }",
    )
    .await;
    tokio::time::sleep(Duration::from_millis(200)).await;

    let before = dispatches_of(
        &app.gql(ENTRY_DISPATCHES, json!({ "entry": entry }), Some(&office))
            .await,
    );
    assert!(before.len() > 1);
    assert_eq!(
        before.iter().filter(|d| d["status"] == "APPLIED").count(),
        1
    );
    uphold_objection(&app, &code, &entry).await;

    // The applied measure is to be undone; the others were never applied: cancelled.
    let after = dispatches_of(
        &app.gql(ENTRY_DISPATCHES, json!({ "entry": entry }), Some(&office))
            .await,
    );
    for d in &after {
        if d["id"] == applied.as_str() {
            assert_eq!(d["status"], "LIFT_REQUESTED", "{d}");
            assert_eq!(d["statusLabel"], "待解除");
            assert_eq!(d["lift"]["ground"], "WRONGFUL");
            assert!(
                d["lift"]["whatToDo"].as_str().unwrap().contains("恢复"),
                "{d}"
            );
            assert_eq!(d["lift"]["liftBy"], working_days_after(5));
            assert_eq!(d["lift"]["overdue"], false);
            assert_eq!(d["overdue"], false);
        } else {
            assert_eq!(d["status"], "CANCELLED", "{d}");
            assert_eq!(d["lift"], Value::Null);
        }
    }
    // In the tax bureau's inbox of lifts.
    let inbox = dispatches_of(
        &app.gql(
            ENTRY_DISPATCHES,
            json!({ "status": "LIFT_REQUESTED" }),
            Some(&tax),
        )
        .await,
    );
    assert_eq!(inbox.len(), 1);
    assert_eq!(inbox[0]["id"], applied.as_str());
    // On its subscription.
    let pushed = next_json(&mut ws).await;
    assert_eq!(pushed["type"], "next", "{pushed}");
    let node = &pushed["payload"]["data"]["liftRequested"];
    assert_eq!(node["id"], applied.as_str());
    assert_eq!(node["status"], "LIFT_REQUESTED");
    assert_eq!(node["lift"]["ground"], "WRONGFUL");
    // On its webhook, signed like every delivery.
    let deadline = Instant::now() + Duration::from_secs(20);
    let got = loop {
        let got = receiver.got();
        if !got.is_empty() {
            break got;
        }
        assert!(Instant::now() < deadline, "no webhook delivery");
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert_eq!(got[0].event, "dispatch.lift_requested");
    let body: Value = serde_json::from_str(&got[0].body).unwrap();
    assert_eq!(body["event"], "dispatch.lift_requested");
    let told = &body["dispatches"][0];
    assert_eq!(told["dispatchId"], applied.as_str());
    assert_eq!(told["status"], "lift_requested");
    assert_eq!(told["lift"]["ground"], "wrongful");
    assert_eq!(told["lift"]["liftBy"], working_days_after(5));

    // The typical case on it came down, and the feed says so.
    assert!(
        nodes_of(
            &app.gql(public_cases, json!({}), None).await,
            "typicalCases"
        )
        .is_empty()
    );
    let r = app
        .gql(
            "{ typicalCases(status: WITHDRAWN) { edges { node { id withdrawnAt } } } }",
            json!({}),
            Some(&office),
        )
        .await;
    let withdrawn = nodes_of(&r, "typicalCases");
    assert_eq!(withdrawn.len(), 1);
    assert!(withdrawn[0]["withdrawnAt"].is_string());
    let r = app
        .gql(
            "{ changes(first: 100) { edges { node { target action targetId } } } }",
            json!({}),
            Some(&office),
        )
        .await;
    assert_no_errors(&r);
    assert!(
        r["data"]["changes"]["edges"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["node"]["target"] == "TYPICAL_CASE"
                && e["node"]["action"] == "REVOKED"
                && e["node"]["targetId"] == case),
        "{r}"
    );
    // A case can no longer be put forward on this listing.
    let r = app
        .gql(
            "mutation($input: ProposeTypicalCaseInput!) { proposeTypicalCase(input: $input) { typicalCase { id } } }",
            json!({ "input": { "dispatch": applied, "title": "再报", "summary": summary } }),
            Some(&app.token("210900.tax", &["dispatch:handle"])),
        )
        .await;
    assert_eq!(error_of(&r).0, "CONFLICT");

    // Confirming: only its department, naming how the standing was restored, once.
    let confirm = |note: Option<&str>| json!({ "input": { "dispatch": applied, "business": "发票领用", "note": note } });
    let r = app
        .gql(
            CONFIRM,
            confirm(Some("已恢复")),
            Some(&app.token("210900.finance", &["dispatch:handle"])),
        )
        .await;
    assert_eq!(error_of(&r).0, "FORBIDDEN");
    let r = app.gql(CONFIRM, confirm(None), Some(&tax)).await;
    assert_eq!(
        error_of(&r),
        ("BAD_USER_INPUT".into(), Some("input.note".into()))
    );
    let r = app
        .gql(
            CONFIRM,
            confirm(Some("已撤销从严审核决定，恢复正常发票领用")),
            Some(&tax),
        )
        .await;
    assert_no_errors(&r);
    assert_eq!(r["data"]["confirmLift"]["dispatch"]["status"], "LIFTED");
    assert_eq!(
        r["data"]["confirmLift"]["dispatch"]["statusLabel"],
        "已解除"
    );
    let r = app.gql(CONFIRM, confirm(Some("再确认")), Some(&tax)).await;
    assert_eq!(error_of(&r).0, "CONFLICT");

    // The court, which listed, and the credit office see it confirmed.
    let court = app.token("210900.court", &["lists:write"]);
    let seen = dispatches_of(
        &app.gql(
            ENTRY_DISPATCHES,
            json!({ "entry": entry, "status": "LIFTED" }),
            Some(&court),
        )
        .await,
    );
    assert_eq!(seen.len(), 1);
    assert!(seen[0]["lift"]["confirmedAt"].is_string());
    assert_eq!(seen[0]["lift"]["business"], "发票领用");
    assert_eq!(
        seen[0]["lift"]["note"],
        "已撤销从严审核决定，恢复正常发票领用"
    );
    let today = app.clock.today();
    assert_eq!(
        tax_lifts(&app, &office, today, today).await,
        (1, 1, 0, 1),
        "requested, confirmed, overdue; and answered"
    );
}

#[tokio::test]
async fn an_expired_entry_asks_its_measures_to_stop_and_a_wrongful_finding_later_asks_to_undo_them()
{
    let app = TestApp::spawn().await;
    let today = domain::time::china_date(chrono::Utc::now());
    let end = today + chrono::Duration::days(2);
    let (code, entry) = listed(&app, json!({ "endDate": end.to_string() })).await;
    let tax = app.token(TAX, &["dispatch:handle"]);
    let office = app.token("210900.ndrc", &["memoranda:admin", "stats:read"]);
    let mine = dispatches_of(
        &app.gql(ENTRY_DISPATCHES, json!({ "entry": entry }), Some(&tax))
            .await,
    );
    assert!(mine.len() >= 2, "the tax bureau has two measures: {mine:?}");
    let mut applied = Vec::new();
    for d in mine.iter().take(2) {
        let id = d["id"].as_str().unwrap().to_owned();
        let r = app
            .gql(
                FEEDBACK,
                json!({ "input": { "dispatch": id, "outcome": "APPLIED", "business": "纳税信用评价" } }),
                Some(&tax),
            )
            .await;
        assert_no_errors(&r);
        applied.push(id);
    }

    // Past its end the sweep expires it: stop applying, within five working days.
    app.clock.advance_days(3);
    let deadline = Instant::now() + Duration::from_secs(10);
    let lifting = loop {
        let r = app
            .gql(
                ENTRY_DISPATCHES,
                json!({ "entry": entry, "status": "LIFT_REQUESTED" }),
                Some(&tax),
            )
            .await;
        let found = dispatches_of(&r);
        if found.len() == 2 {
            break found;
        }
        assert!(Instant::now() < deadline, "the sweep never asked: {r}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    for d in &lifting {
        assert_eq!(d["lift"]["ground"], "ENDED");
        assert!(d["lift"]["whatToDo"].as_str().unwrap().contains("停止"));
    }
    let lift_by: chrono::NaiveDate = lifting[0]["lift"]["liftBy"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(
        lift_by,
        test_calendar()
            .add_working_days(app.clock.today(), 5)
            .unwrap()
    );
    // One is confirmed (ended: no note needed); the other waits past its deadline.
    let r = app
        .gql(
            CONFIRM,
            json!({ "input": { "dispatch": applied[0], "business": "纳税信用评价" } }),
            Some(&tax),
        )
        .await;
    assert_no_errors(&r);
    app.clock
        .advance_days((lift_by - app.clock.today()).num_days() + 1);
    let overdue = dispatches_of(
        &app.gql(
            "{ dispatches(overdue: true, first: 100) { edges { node { id } } } }",
            json!({}),
            Some(&tax),
        )
        .await,
    );
    assert_eq!(overdue.len(), 1);
    assert_eq!(overdue[0]["id"], applied[1].as_str());
    let not_overdue = dispatches_of(
        &app.gql(
            "{ dispatches(overdue: false, first: 100) { edges { node { id } } } }",
            json!({}),
            Some(&tax),
        )
        .await,
    );
    assert!(!not_overdue.iter().any(|d| d["id"] == applied[1].as_str()));
    assert!(not_overdue.iter().any(|d| d["id"] == applied[0].as_str()));
    assert_eq!(
        tax_lifts(&app, &office, today, app.clock.today()).await,
        (2, 1, 1, 2)
    );

    // Then the listing is found wrongful: both are to be undone, the open one at once made so.
    uphold_objection(&app, &code, &entry).await;
    let after = dispatches_of(
        &app.gql(ENTRY_DISPATCHES, json!({ "entry": entry }), Some(&tax))
            .await,
    );
    let of = |id: &str| after.iter().find(|d| d["id"] == id).unwrap().clone();
    let (was_lifted, was_open) = (of(&applied[0]), of(&applied[1]));
    assert_eq!(was_lifted["status"], "LIFT_REQUESTED");
    assert_eq!(
        was_lifted["lifts"],
        json!([
            { "ground": "ENDED", "confirmedAt": was_lifted["lifts"][0]["confirmedAt"] },
            { "ground": "WRONGFUL", "confirmedAt": null }
        ])
    );
    assert!(was_lifted["lifts"][0]["confirmedAt"].is_string());
    assert_eq!(was_open["status"], "LIFT_REQUESTED");
    assert_eq!(
        was_open["lifts"],
        json!([{ "ground": "WRONGFUL", "confirmedAt": null }])
    );
    assert_eq!(was_open["overdue"], false, "a new deadline from today");
}

#[tokio::test]
async fn a_memorandum_gives_its_own_term_to_confirm_lifts() {
    let app = TestApp::spawn().await;
    let office = app.token("210900.ndrc", &["memoranda:admin"]);
    let r = app
        .gql(
            "mutation($input: MemorandumInput!) { createMemorandum(input: $input) { memorandum { key liftWorkingDays } } }",
            json!({ "input": {
                "key": "fx-lift-term", "title": "阜新市联合惩戒测试备忘录", "documentNumber": "阜信发〔2026〕9号",
                "issuedBy": ["阜新市信用办"], "effectiveDate": "2026-01-01", "listTypes": ["tax-major-violation"],
                "liftWorkingDays": 10,
                "measures": [{ "code": "FX-T1", "name": "限制参与政府采购", "kind": "PUNISHMENT",
                    "category": "ADMINISTRATIVE", "implementers": ["finance"] }] } }),
            Some(&office),
        )
        .await;
    assert_no_errors(&r);
    assert_eq!(
        r["data"]["createMemorandum"]["memorandum"]["liftWorkingDays"],
        10
    );
    let r = app
        .gql(
            "mutation($input: MemorandumInput!) { createMemorandum(input: $input) { memorandum { key } } }",
            json!({ "input": {
                "key": "fx-lift-bad", "title": "t", "documentNumber": "n", "issuedBy": ["x"],
                "effectiveDate": "2026-01-01", "listTypes": ["tax-major-violation"], "liftWorkingDays": 0,
                "measures": [{ "code": "FX-T2", "name": "m", "kind": "PUNISHMENT",
                    "category": "ADMINISTRATIVE", "implementers": ["finance"] }] } }),
            Some(&office),
        )
        .await;
    assert_eq!(
        error_of(&r),
        (
            "BAD_USER_INPUT".into(),
            Some("input.liftWorkingDays".into())
        )
    );

    let code = app.company("210902").await;
    let r = app
        .list(
            &app.publisher("210900.tax"),
            &code,
            "tax-major-violation",
            json!({ "reason": "虚开增值税专用发票", "basisDocument": "阜税稽罚〔2026〕3号" }),
        )
        .await;
    assert_no_errors(&r);
    let entry = r["data"]["addListEntry"]["entry"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let finance = app.token("210900.finance", &["dispatch:handle"]);
    let mine = dispatches_of(
        &app.gql(ENTRY_DISPATCHES, json!({ "entry": entry }), Some(&finance))
            .await,
    );
    let ours = mine
        .iter()
        .find(|d| d["measure"]["code"] == "FX-T1")
        .unwrap();
    let id = ours["id"].as_str().unwrap().to_owned();
    let r = app
        .gql(
            FEEDBACK,
            json!({ "input": { "dispatch": id, "outcome": "APPLIED", "business": "政府采购" } }),
            Some(&finance),
        )
        .await;
    assert_no_errors(&r);
    let r = app
        .gql(
            "mutation($input: RevokeListEntryInput!) { revokeListEntry(input: $input) { entry { status } } }",
            json!({ "input": { "id": entry, "reason": "录入错误：主体名称相近，认定对象有误" } }),
            Some(&app.publisher("210900.tax")),
        )
        .await;
    assert_no_errors(&r);
    let lifted = dispatches_of(
        &app.gql(
            ENTRY_DISPATCHES,
            json!({ "entry": entry, "status": "LIFT_REQUESTED" }),
            Some(&finance),
        )
        .await,
    );
    let by_term: Vec<(String, String)> = lifted
        .iter()
        .map(|d| {
            (
                d["lift"]["ground"].as_str().unwrap().to_owned(),
                d["lift"]["liftBy"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        by_term,
        [("WRONGFUL".to_owned(), working_days_after(10))],
        "revoked by its owner as an error, due in the memorandum's ten working days"
    );
}
