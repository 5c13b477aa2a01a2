//! The working-day calendar at run time: loaded by the credit office through GraphQL or the CLI,
//! used at once by every instance, deadlines that waited for it filled in; past it, deadlines are
//! empty with their reason and nothing answers INTERNAL.

use crate::helpers::*;
use serde_json::{Value, json};
use std::process::Command;
use std::time::{Duration, Instant};

const CALENDAR: &str = "{ workingCalendar { years lastDay daysLeft runningOut nextMissingYear } }";
const LOAD: &str = "mutation($input: LoadWorkingCalendarInput!) { loadWorkingCalendar(input: $input) { yearsLoaded deadlinesFilled calendar { years lastDay } } }";
const DISPATCHES: &str = "query($entry: ID) { dispatches(entry: $entry, first: 100) { edges { node { id acknowledgeBy acknowledgeByPending overdue } } } }";

fn notice_2027() -> String {
    stand_in_notice([2027])
}

async fn calendar_of(app: &TestApp) -> Value {
    let r = app.gql(CALENDAR, json!({}), None).await;
    assert_no_errors(&r);
    r["data"]["workingCalendar"].clone()
}

async fn readyz(app: &TestApp) -> Value {
    app.client
        .get(format!("{}/readyz", app.address))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

/// Lists a company of Zhangwu county on the court's list; returns the entry's id and the code.
async fn listed(app: &TestApp) -> (String, String) {
    let code = app.company("210922").await;
    let id = app
        .listed_by("210900.court", &code, "court-dishonest-debtor", json!({}))
        .await;
    (id, code)
}

async fn listed_entry(app: &TestApp) -> String {
    listed(app).await.0
}

async fn dispatches_of(app: &TestApp, entry: &str) -> Vec<Value> {
    let office = app.token("210900.ndrc", &["dispatch:handle"]);
    let r = app
        .gql(DISPATCHES, json!({ "entry": entry }), Some(&office))
        .await;
    let found = nodes_of(&r, "dispatches");
    assert!(!found.is_empty(), "the court's list dispatches measures");
    found
}

/// Waits until `app` reports `last_day` as the calendar's last day (an instance re-reads the
/// stored calendar every 100 ms in tests).
async fn wait_for_last_day(app: &TestApp, last_day: &str) {
    let start = Instant::now();
    loop {
        if calendar_of(app).await["lastDay"] == last_day {
            return;
        }
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "the instance never read the loaded calendar"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn a_year_loaded_through_graphql_fills_deadlines_on_this_and_a_second_instance() {
    let app = TestApp::spawn_bundled_calendar_only().await;
    let beside = app.spawn_beside().await;
    for a in [&app, &beside] {
        a.set_today("2026-12-28");
    }
    let before = calendar_of(&app).await;
    assert_eq!(before["years"], json!([2025, 2026]));
    assert_eq!(before["lastDay"], "2026-12-31");
    assert_eq!(before["daysLeft"], 3);
    assert_eq!(before["runningOut"], true);
    assert_eq!(before["nextMissingYear"], 2027);
    let ready = readyz(&app).await;
    assert_eq!(ready["status"], "degraded", "{ready}");
    assert_eq!(ready["calendar"]["daysLeft"], 3);
    assert_eq!(app.metric("xinyong_calendar_days_left").await, 3);

    // A dispatch made on 28 December needs five working days of 2027 to acknowledge.
    let entry = listed_entry(&app).await;
    for d in dispatches_of(&app, &entry).await {
        assert_eq!(d["acknowledgeBy"], Value::Null, "never guessed");
        assert_eq!(d["acknowledgeByPending"], "2027年工作日历尚未载入");
    }

    // Only the credit office loads, and only a whole year; a refused load changes nothing.
    let office = app.token("210900.ndrc", &["memoranda:admin"]);
    let court = app.token("210900.court", &["memoranda:admin"]);
    let input = json!({ "input": { "json": notice_2027() } });
    let r = app.gql(LOAD, input.clone(), Some(&court)).await;
    assert_eq!(error_of(&r).0, "FORBIDDEN");
    let partial = notice_2027().replace(r#","2027-10-01""#, "");
    let r = app
        .gql(LOAD, json!({ "input": { "json": partial } }), Some(&office))
        .await;
    assert_eq!(
        error_of(&r),
        ("BAD_USER_INPUT".into(), Some("input.json".into()))
    );
    assert!(
        r["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("2027-10-01"),
        "{r}"
    );
    let both = r#"{"years":{"2027":{"off":["2027-01-01","2027-05-01"],"work":["2027-05-01"]}}}"#;
    let r = app
        .gql(LOAD, json!({ "input": { "json": both } }), Some(&office))
        .await;
    assert_eq!(error_of(&r).0, "BAD_USER_INPUT");
    assert_eq!(calendar_of(&app).await["years"], json!([2025, 2026]));

    let r = app.gql(LOAD, input, Some(&office)).await;
    assert_no_errors(&r);
    let loaded = &r["data"]["loadWorkingCalendar"];
    assert_eq!(loaded["yearsLoaded"], json!([2027]));
    assert!(loaded["deadlinesFilled"].as_u64().unwrap() >= 1, "{loaded}");
    assert_eq!(loaded["calendar"]["lastDay"], "2027-12-31");

    // 29, 30, 31 December, then 1 January is off: the fifth working day is 5 January 2027.
    for d in dispatches_of(&app, &entry).await {
        assert_eq!(d["acknowledgeBy"], "2027-01-05");
        assert_eq!(d["acknowledgeByPending"], Value::Null);
    }
    assert_eq!(readyz(&app).await["calendar"]["daysLeft"], 368);

    // The second instance reads the stored calendar and computes with it.
    wait_for_last_day(&beside, "2027-12-31").await;
    for d in dispatches_of(&beside, &entry).await {
        assert_eq!(d["acknowledgeBy"], "2027-01-05");
    }
    let made_there = listed_entry(&beside).await;
    for d in dispatches_of(&beside, &made_there).await {
        assert_eq!(d["acknowledgeBy"], "2027-01-05");
    }
    for a in [&app, &beside] {
        a.set_today("2027-01-06");
    }
    let overdue = app
        .gql(
            "{ dispatches(overdue: true, first: 100) { edges { node { id } } } }",
            json!({}),
            Some(&app.token("210900.ndrc", &["dispatch:handle"])),
        )
        .await;
    assert!(
        !nodes_of(&overdue, "dispatches").is_empty(),
        "overdue counts follow the filled deadlines"
    );

    // Audited.
    let r = app
        .gql(
            "{ auditLog(action: \"loadWorkingCalendar\") { edges { node { action outcome department } } } }",
            json!({}),
            Some(&app.token("210900.ndrc", &["stats:read"])),
        )
        .await;
    let trail = nodes_of(&r, "auditLog");
    assert_eq!(trail.len(), 4, "the refused loads too: {trail:?}");
    assert_eq!(
        trail.iter().filter(|n| n["outcome"] == "ok").count(),
        1,
        "{trail:?}"
    );
}

#[tokio::test]
async fn a_year_loaded_through_the_cli_reaches_a_running_server() {
    let app = TestApp::spawn_bundled_calendar_only().await;
    app.set_today("2026-12-30");
    let entry = listed_entry(&app).await;
    assert_eq!(
        dispatches_of(&app, &entry).await[0]["acknowledgeBy"],
        Value::Null
    );
    let file = std::env::temp_dir().join(format!("calendar-{}.json", uuid::Uuid::now_v7()));
    std::fs::write(&file, notice_2027()).unwrap();
    let cli = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_xinyong"))
            .args(args)
            .env("XINYONG_DATABASE_URL", &app.settings.database_url)
            .env("XINYONG_CACHE_NAMESPACE", &app.settings.cache_namespace)
            .envs(
                app.settings
                    .redis_url
                    .iter()
                    .map(|u| ("XINYONG_REDIS_URL", u)),
            )
            .output()
            .unwrap()
    };
    let bad = std::env::temp_dir().join(format!("calendar-{}.json", uuid::Uuid::now_v7()));
    std::fs::write(&bad, r#"{"years":{"2027":{"off":[],"work":[]}}}"#).unwrap();
    let out = cli(&["calendar", "load", bad.to_str().unwrap()]);
    assert!(!out.status.success(), "a partial year is refused");
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("2027-01-01"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = cli(&["calendar", "load", file.to_str().unwrap()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(said.contains("loaded 2027"), "{said}");
    assert!(said.contains("last day: 2027-12-31"), "{said}");
    let _ = std::fs::remove_file(&file);
    let _ = std::fs::remove_file(&bad);

    wait_for_last_day(&app, "2027-12-31").await;
    // 31 December, then 4–7 January: 7 January 2027.
    let start = Instant::now();
    loop {
        let d = &dispatches_of(&app, &entry).await[0];
        if d["acknowledgeBy"] == "2027-01-07" {
            break;
        }
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "never filled: {d}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let r = app
        .gql(
            "{ auditLog(action: \"loadWorkingCalendar\") { edges { node { actor outcome } } } }",
            json!({}),
            Some(&app.token("210900.ndrc", &["stats:read"])),
        )
        .await;
    let trail = nodes_of(&r, "auditLog");
    assert_eq!(trail.len(), 1, "{trail:?}");
    assert_eq!(trail[0]["actor"], "cli:210900.ndrc");
}

/// Every answer of a run past the calendar, checked for INTERNAL.
struct Answers(Vec<Value>);

impl Answers {
    async fn send(
        &mut self,
        app: &TestApp,
        query: &str,
        vars: Value,
        token: Option<&str>,
    ) -> Value {
        let r = app.gql(query, vars, token).await;
        self.0.push(r.clone());
        r
    }
}

#[tokio::test]
async fn past_the_calendar_deadlines_wait_with_their_reason_and_nothing_answers_internal() {
    let app = TestApp::spawn_bundled_calendar_only().await;
    app.set_today("2027-01-11");
    let mut all = Answers(Vec::new());
    let market = app.publisher("210900.market");
    let code = app.company("210902").await;
    let add = "mutation($input: AddCreditRecordInput!) { addCreditRecord(input: $input) { record { id publishedOnTime publishedOnTimePending } } }";
    let record = |number: &str, decided: &str| {
        json!({ "input": { "subject": code, "kind": "PENALTY", "title": "罚款", "decisionNumber": number,
            "decisionDate": decided, "publicationDate": "2027-01-11", "legalBasis": "《中华人民共和国产品质量法》第四十九条",
            "content": "罚款人民币一万元", "dishonestyClass": "GENERAL" } })
    };
    // Within 7 calendar days it is on time whatever the calendar knows.
    let r = all
        .send(
            &app,
            add,
            record("阜市监罚〔2027〕1号", "2027-01-04"),
            Some(&market),
        )
        .await;
    assert_no_errors(&r);
    assert_eq!(
        r["data"]["addCreditRecord"]["record"]["publishedOnTime"],
        true
    );
    assert_eq!(
        r["data"]["addCreditRecord"]["record"]["publishedOnTimePending"],
        Value::Null
    );
    // Longer needs 2027's working days: not guessed, not an error, and the record is stored.
    let late = record("阜市监罚〔2027〕2号", "2026-12-24");
    let r = all.send(&app, add, late.clone(), Some(&market)).await;
    assert_no_errors(&r);
    let stored = &r["data"]["addCreditRecord"]["record"];
    assert_eq!(stored["publishedOnTime"], Value::Null);
    assert_eq!(stored["publishedOnTimePending"], "2027年工作日历尚未载入");
    // Sent again (the answer was lost, say): the same record, nothing new.
    let r = all.send(&app, add, late.clone(), Some(&market)).await;
    assert_no_errors(&r);
    assert_eq!(r["data"]["addCreditRecord"]["record"]["id"], stored["id"]);
    let mut changed = late;
    changed["input"]["content"] = json!("罚款人民币两万元");
    let r = all.send(&app, add, changed, Some(&market)).await;
    assert_eq!(error_of(&r).0, "CONFLICT");
    let id = stored["id"].as_str().unwrap();
    assert!(
        r["errors"][0]["message"].as_str().unwrap().contains(id),
        "names the record: {r}"
    );
    let r = all
        .send(
            &app,
            "query($s: String) { creditRecords(subject: $s) { edges { node { id } } } }",
            json!({ "s": code }),
            Some(&market),
        )
        .await;
    assert_eq!(nodes_of(&r, "creditRecords").len(), 2);

    // A listing: its dispatches' deadlines wait for 2027.
    let (entry, listed_code) = listed(&app).await;
    for d in dispatches_of(&app, &entry).await {
        assert_eq!(d["acknowledgeBy"], Value::Null);
        assert_eq!(d["acknowledgeByPending"], "2027年工作日历尚未载入");
        assert_eq!(d["overdue"], false, "never overdue by a guess");
    }
    let r = all
        .send(
            &app,
            "query($e: ID) { dispatches(entry: $e, first: 1) { edges { node { id department { code } } } } }",
            json!({ "e": entry }),
            Some(&app.token("210900.ndrc", &["dispatch:handle"])),
        )
        .await;
    let first = &nodes_of(&r, "dispatches")[0];
    let implementer = app.token(
        first["department"]["code"].as_str().unwrap(),
        &["dispatch:handle"],
    );
    let r = all
        .send(
            &app,
            "mutation($id: ID!) { acknowledgeDispatch(input: { id: $id }) { dispatch { status } } }",
            json!({ "id": first["id"] }),
            Some(&implementer),
        )
        .await;
    assert_no_errors(&r);

    // An objection to it: filed, accepted and upheld with no deadline known.
    let r = all
        .send(
            &app,
            "mutation($input: FileObjectionInput!) { fileObjection(input: $input) { objection { id acceptBy acceptByPending decideBy decideByPending } } }",
            json!({ "input": { "subject": listed_code, "targetKind": "ENTRY", "targetId": entry,
                "reason": "已履行判决义务", "contact": "13800000000" } }),
            None,
        )
        .await;
    assert_no_errors(&r);
    let o = &r["data"]["fileObjection"]["objection"];
    assert_eq!(o["acceptBy"], Value::Null);
    assert_eq!(o["acceptByPending"], "2027年工作日历尚未载入");
    assert_eq!(o["decideByPending"], Value::Null, "not accepted yet");
    let oid = o["id"].clone();
    let court = app.token("210900.court", &["objections:handle"]);
    let r = all
        .send(
            &app,
            "mutation($id: ID!) { acceptObjection(input: { id: $id }) { objection { status decideBy decideByPending } } }",
            json!({ "id": oid }),
            Some(&court),
        )
        .await;
    assert_no_errors(&r);
    assert_eq!(
        r["data"]["acceptObjection"]["objection"]["decideBy"],
        Value::Null
    );
    assert_eq!(
        r["data"]["acceptObjection"]["objection"]["decideByPending"],
        "2027年工作日历尚未载入"
    );
    let r = all
        .send(
            &app,
            "mutation($input: DecideObjectionInput!) { decideObjection(input: $input) { objection { status } } }",
            json!({ "input": { "id": oid, "upheld": true, "reason": "核实已履行" } }),
            Some(&court),
        )
        .await;
    assert_no_errors(&r);

    // A complaint, routed: both deadlines wait.
    let r = all
        .send(
            &app,
            "mutation($input: FileComplaintInput!) { fileComplaint(input: $input) { complaint { id routeBy routeByPending } } }",
            json!({ "input": { "category": "OBJECTION_HANDLING", "about": "210900.market",
                "description": "异议超过期限仍未受理，也无人联系我。", "contact": "13800000000" } }),
            None,
        )
        .await;
    assert_no_errors(&r);
    let c = &r["data"]["fileComplaint"]["complaint"];
    assert_eq!(c["routeBy"], Value::Null);
    assert_eq!(c["routeByPending"], "2027年工作日历尚未载入");
    let office = app.token("210900.ndrc", &["memoranda:admin", "stats:read"]);
    let r = all
        .send(
            &app,
            "mutation($input: RouteComplaintInput!) { routeComplaint(input: $input) { complaint { answerBy answerByPending } } }",
            json!({ "input": { "id": c["id"], "department": "210900.market" } }),
            Some(&office),
        )
        .await;
    assert_no_errors(&r);
    assert_eq!(
        r["data"]["routeComplaint"]["complaint"]["answerBy"],
        Value::Null
    );
    assert_eq!(
        r["data"]["routeComplaint"]["complaint"]["answerByPending"],
        "2027年工作日历尚未载入"
    );

    // The credit office's figures and the check still answer.
    for (q, v) in [
        (
            "query($f: Date!, $t: Date!) { stats(from: $f, to: $t) { overdue doublePublicityTotal doublePublicityOnTime doublePublicityUnknown } }",
            json!({ "f": "2026-12-01", "t": "2027-01-31" }),
        ),
        (
            "query($f: Date!, $t: Date!) { progressReport(from: $f, to: $t) { total { dispatched } } }",
            json!({ "f": "2026-12-01", "t": "2027-01-31" }),
        ),
    ] {
        let r = all.send(&app, q, v, Some(&office)).await;
        assert_no_errors(&r);
    }
    let r = all
        .send(
            &app,
            "query($c: String!) { check(code: $c, business: \"行政许可\") { id greenChannel } }",
            json!({ "c": code }),
            Some(&app.token("210900.housing", &["dispatch:handle"])),
        )
        .await;
    assert_no_errors(&r);

    let ready = readyz(&app).await;
    assert_eq!(ready["status"], "degraded");
    assert_eq!(ready["calendar"]["daysLeft"], 0);
    assert_eq!(ready["calendar"]["lastDay"], Value::Null);
    assert_eq!(app.metric("xinyong_calendar_days_left").await, 0);
    for r in &all.0 {
        assert!(!r.to_string().contains("INTERNAL"), "{r}");
    }
}
