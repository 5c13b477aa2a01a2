//! The court list (失信被执行人) as 法释〔2017〕7号 has it: every court lists the debtors of its own
//! jurisdiction, for two years by default and five at most; the court removes an entry when a
//! ground of Art. 10 arises, within three working days, with the same cascade as a repair; it is
//! not repaired by application; late removals are shown to the credit office.

use crate::helpers::*;
use serde_json::{Value, json};

const REMOVE: &str = "mutation($input: RemoveListEntryInput!) { removeListEntry(input: $input) { entry {
    id status statusLabel removal { ground groundName basisDocument groundArisenOn removeBy removedOn late } } } }";
const DISPATCHES: &str =
    "query($entry: ID) { dispatches(entry: $entry, first: 100) { edges { node {
    id status cancelReason department { code } lift { ground } } } } }";
const REMOVALS: &str =
    "query($late: Boolean) { removals(late: $late) { edges { node { id removal { late } } } } }";

fn court(app: &TestApp, code: &str) -> String {
    app.token(code, &["lists:write", "objections:handle"])
}

async fn list(app: &TestApp, token: &str, subject: &str, extra: Value) -> Value {
    app.list(token, subject, "court-dishonest-debtor", extra)
        .await
}

#[tokio::test]
async fn a_county_court_lists_the_debtors_of_its_county_and_not_of_another() {
    let app = TestApp::spawn().await;
    let zhangwu = app.company("210922").await;
    let fumeng = app.company("210921").await;
    let county = court(&app, "210922.court");
    let r = list(&app, &county, &zhangwu, json!({})).await;
    assert_no_errors(&r);
    let entry = &r["data"]["addListEntry"]["entry"];
    let start: chrono::NaiveDate = entry["startDate"].as_str().unwrap().parse().unwrap();
    assert_eq!(
        entry["endDate"],
        start
            .checked_add_months(chrono::Months::new(24))
            .unwrap()
            .to_string(),
        "two years by default"
    );
    let r = list(&app, &county, &fumeng, json!({})).await;
    assert_eq!(error_of(&r).0, "FORBIDDEN", "not its county");
    let r = list(&app, &court(&app, "210921.court"), &fumeng, json!({})).await;
    assert_no_errors(&r);
    // The intermediate court's jurisdiction is the whole city.
    let other = app.company("210922").await;
    let r = list(&app, &court(&app, "210900.court"), &other, json!({})).await;
    assert_no_errors(&r);
    // Not a court: refused, whatever its jurisdiction.
    let r = list(
        &app,
        &app.publisher("210922.market"),
        &app.company("210922").await,
        json!({}),
    )
    .await;
    assert_eq!(error_of(&r).0, "FORBIDDEN");
    // Three years more at most where the court says so.
    let today = app.clock.today();
    let five = today.checked_add_months(chrono::Months::new(60)).unwrap();
    let r = list(
        &app,
        &county,
        &app.company("210922").await,
        json!({ "endDate": five.to_string() }),
    )
    .await;
    assert_no_errors(&r);
    let r = list(
        &app,
        &county,
        &app.company("210922").await,
        json!({ "endDate": (five + chrono::Duration::days(1)).to_string() }),
    )
    .await;
    assert_eq!(
        error_of(&r),
        ("BAD_USER_INPUT".into(), Some("input.endDate".into()))
    );
}

#[tokio::test]
async fn the_court_removes_an_entry_on_performance_and_late_removals_show() {
    let app = TestApp::spawn().await;
    let code = app.company("210922").await;
    let county = court(&app, "210922.court");
    let r = list(
        &app,
        &county,
        &code,
        json!({ "startDate": (app.clock.today() - chrono::Duration::days(30)).to_string() }),
    )
    .await;
    assert_no_errors(&r);
    let entry = r["data"]["addListEntry"]["entry"]["id"]
        .as_str()
        .unwrap()
        .to_owned();

    // Not repaired by application: the subject is told so, and why.
    let subject = app.subject_token(&code);
    let r = app
        .gql(
            "query($c: String!) { repairOptions(code: $c) { targetId allowed notByApplication } }",
            json!({ "c": code }),
            Some(&subject),
        )
        .await;
    assert_no_errors(&r);
    let option = &r["data"]["repairOptions"][0];
    assert_eq!(option["allowed"], false);
    assert!(
        option["notByApplication"]
            .as_str()
            .unwrap()
            .contains("法释〔2017〕7号"),
        "{option}"
    );
    let r = app
        .gql(
            "mutation($input: ApplyRepairInput!) { applyRepair(input: $input) { repair { id } } }",
            json!({ "input": { "targetKind": "ENTRY", "targetId": entry, "rectification": "已履行完毕",
                "commitment": "本单位承诺今后依法诚信经营。", "attachments": ["履行完毕证明.pdf"] } }),
            Some(&subject),
        )
        .await;
    assert_eq!(error_of(&r).0, "BAD_USER_INPUT");
    assert!(
        r["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("第十条")
    );

    // The tax bureau applied one of its measures.
    let office = app.token("210900.ndrc", &["dispatch:handle", "stats:read"]);
    let before = nodes_of(
        &app.gql(DISPATCHES, json!({ "entry": entry }), Some(&office))
            .await,
        "dispatches",
    );
    let taxes: Vec<&Value> = before
        .iter()
        .filter(|d| d["department"]["code"] == "210900.tax")
        .collect();
    let applied = taxes[0]["id"].as_str().unwrap().to_owned();
    let tax = app.token("210900.tax", &["dispatch:handle"]);
    let r = app
        .gql(
            "mutation($input: RecordFeedbackInput!) { recordFeedback(input: $input) { dispatch { status } } }",
            json!({ "input": { "dispatch": applied, "outcome": "APPLIED", "business": "发票领用" } }),
            Some(&tax),
        )
        .await;
    assert_no_errors(&r);

    // Refused: a ground the list lacks, another county's court, a ground after today.
    let ten_days_ago = (app.clock.today() - chrono::Duration::days(10)).to_string();
    let removal = |ground: &str, arisen: &str| {
        json!({ "input": { "id": entry, "ground": ground, "basisDocument": "(2026)辽0922执恢12号结案通知书",
            "groundArisenOn": arisen } })
    };
    let r = app
        .gql(
            REMOVE,
            removal("paid_off_the_judge", &ten_days_ago),
            Some(&county),
        )
        .await;
    assert_eq!(
        error_of(&r),
        ("BAD_USER_INPUT".into(), Some("input.ground".into()))
    );
    let r = app
        .gql(
            REMOVE,
            removal("performed", &ten_days_ago),
            Some(&court(&app, "210921.court")),
        )
        .await;
    assert_eq!(error_of(&r).0, "FORBIDDEN");
    let tomorrow = (app.clock.today() + chrono::Duration::days(1)).to_string();
    let r = app
        .gql(REMOVE, removal("performed", &tomorrow), Some(&county))
        .await;
    assert_eq!(
        error_of(&r),
        ("BAD_USER_INPUT".into(), Some("input.groundArisenOn".into()))
    );

    // Removed on performance ten days after it: late.
    let r = app
        .gql(REMOVE, removal("performed", &ten_days_ago), Some(&county))
        .await;
    assert_no_errors(&r);
    let removed = &r["data"]["removeListEntry"]["entry"];
    assert_eq!(removed["status"], "REMOVED");
    assert_eq!(removed["statusLabel"], "已移出");
    let how = &removed["removal"];
    assert_eq!(how["ground"], "performed");
    assert!(how["groundName"].as_str().unwrap().contains("履行"));
    assert_eq!(how["groundArisenOn"], ten_days_ago);
    assert_eq!(
        how["removeBy"],
        test_calendar()
            .add_working_days(ten_days_ago.parse().unwrap(), 3)
            .unwrap()
            .to_string()
    );
    assert_eq!(how["removedOn"], app.clock.today().to_string());
    assert_eq!(how["late"], true);
    let r = app
        .gql(REMOVE, removal("performed", &ten_days_ago), Some(&county))
        .await;
    assert_eq!(error_of(&r).0, "CONFLICT", "removed once");

    // The same cascade as a repair: open dispatches cancelled, the applied one to be lifted.
    let after = nodes_of(
        &app.gql(DISPATCHES, json!({ "entry": entry }), Some(&office))
            .await,
        "dispatches",
    );
    for d in &after {
        if d["id"] == applied.as_str() {
            assert_eq!(d["status"], "LIFT_REQUESTED");
            assert_eq!(d["lift"]["ground"], "ENDED");
        } else {
            assert_eq!(d["status"], "CANCELLED");
            assert!(d["cancelReason"].as_str().unwrap().contains("移出"), "{d}");
        }
    }
    // The public no longer sees it; the feed says it was removed.
    let r = app
        .gql(
            "query($c: String!) { subject(code: $c) { listEntries { edges { node { id } } } } }",
            json!({ "c": code }),
            None,
        )
        .await;
    assert_eq!(
        r["data"]["subject"]["listEntries"]["edges"]
            .as_array()
            .unwrap()
            .len(),
        0
    );
    let r = app
        .gql(
            "{ changes(first: 100) { edges { node { action targetId } } } }",
            json!({}),
            Some(&app.token("210900.ndrc", &["changes:read"])),
        )
        .await;
    assert!(
        r["data"]["changes"]["edges"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["node"]["action"] == "REMOVED" && e["node"]["targetId"] == entry.as_str()),
        "{r}"
    );

    // Another, removed the day its ground arose: in time.
    let other = app.company("210922").await;
    let r = list(&app, &county, &other, json!({})).await;
    let in_time = r["data"]["addListEntry"]["entry"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let r = app
        .gql(
            REMOVE,
            json!({ "input": { "id": in_time, "ground": "creditor_request", "basisDocument": "申请执行人撤回申请书" } }),
            Some(&county),
        )
        .await;
    assert_no_errors(&r);
    assert_eq!(
        r["data"]["removeListEntry"]["entry"]["removal"]["late"],
        false
    );

    // The credit office sees the late one among the late.
    let late = nodes_of(
        &app.gql(REMOVALS, json!({ "late": true }), Some(&office))
            .await,
        "removals",
    );
    assert_eq!(late.len(), 1);
    assert_eq!(late[0]["id"], entry.as_str());
    let all = nodes_of(
        &app.gql(REMOVALS, json!({}), Some(&office)).await,
        "removals",
    );
    assert_eq!(all.len(), 2);
    let r = app.gql(REMOVALS, json!({}), Some(&county)).await;
    assert_eq!(error_of(&r).0, "FORBIDDEN");
}

#[tokio::test]
async fn a_list_type_can_declare_its_own_removal_grounds() {
    let app = TestApp::spawn().await;
    let office = app.token("210900.ndrc", &["memoranda:admin"]);
    let create = "mutation($input: CreateListTypeInput!) { createListType(input: $input) { listType {
        code owner { code } ownerRole maxPeriodMonths removalWorkingDays removalGrounds { code name } repairByApplication } } }";
    let r = app
        .gql(
            create,
            json!({ "input": { "code": "env-serious-polluter", "name": "环境严重失信", "colour": "BLACK",
                "owner": "210900.ecology", "defaultPeriodMonths": 24, "maxPeriodMonths": 36,
                "removalGrounds": [{ "code": "rectified", "name": "已完成整改并通过验收" }], "removalWorkingDays": 5,
                "legalBasis": "《企业环境信用评价办法》" } }),
            Some(&office),
        )
        .await;
    assert_no_errors(&r);
    assert_eq!(
        r["data"]["createListType"]["listType"],
        json!({ "code": "env-serious-polluter", "owner": { "code": "210900.ecology" }, "ownerRole": null,
            "maxPeriodMonths": 36, "removalWorkingDays": 5,
            "removalGrounds": [{ "code": "rectified", "name": "已完成整改并通过验收" }], "repairByApplication": true })
    );
    for bad in [
        json!({ "owner": "210900.ecology", "ownerRole": "COURT" }),
        json!({ "removalGrounds": [{ "code": "Bad Code", "name": "x" }] }),
        json!({ "maxPeriodMonths": 12 }),
    ] {
        let mut input = json!({ "code": "env-bad", "name": "坏", "colour": "BLACK", "owner": "210900.ecology",
            "defaultPeriodMonths": 24, "legalBasis": "x" });
        input
            .as_object_mut()
            .unwrap()
            .extend(bad.as_object().unwrap().clone());
        let r = app
            .gql(create, json!({ "input": input }), Some(&office))
            .await;
        assert_eq!(error_of(&r).0, "BAD_USER_INPUT", "{bad}");
    }
    // Removed by the ecology bureau on its own ground.
    let code = app.company("210902").await;
    let ecology = app.token("210900.ecology", &["lists:write"]);
    let r = app
        .list(
            &ecology,
            &code,
            "env-serious-polluter",
            json!({ "reason": "超标排放", "basisDocument": "阜环罚〔2026〕2号" }),
        )
        .await;
    assert_no_errors(&r);
    let entry = r["data"]["addListEntry"]["entry"]["id"].clone();
    let r = app
        .gql(
            REMOVE,
            json!({ "input": { "id": entry, "ground": "rectified", "basisDocument": "阜环验〔2026〕7号" } }),
            Some(&ecology),
        )
        .await;
    assert_no_errors(&r);
    assert_eq!(r["data"]["removeListEntry"]["entry"]["status"], "REMOVED");
    // A list without removal grounds is not removed so.
    let tax_code = app.company("210902").await;
    let r = app
        .list(
            &app.publisher("210900.tax"),
            &tax_code,
            "tax-major-violation",
            json!({}),
        )
        .await;
    let tax_entry = r["data"]["addListEntry"]["entry"]["id"].clone();
    let r = app
        .gql(
            REMOVE,
            json!({ "input": { "id": tax_entry, "ground": "rectified", "basisDocument": "x" } }),
            Some(&app.publisher("210900.tax")),
        )
        .await;
    assert_eq!(error_of(&r).0, "CONFLICT");
}
