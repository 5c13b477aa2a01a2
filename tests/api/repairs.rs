//! Credit repair through GraphQL over HTTP.

use crate::helpers::*;
use serde_json::json;

const APPLY: &str = "mutation($input: ApplyRepairInput!) { applyRepair(input: $input) { repair { id status owner } } }";
const DECIDE: &str = "mutation($input: DecideRepairInput!) { decideRepair(input: $input) { repair { id status decidedBy decisionReason } } }";
const OPTIONS: &str = "query($c: String!) { repairOptions(code: $c) { targetKind targetId description allowed earliestApplicationDate endsOn } }";

fn apply_input(kind: &str, target: &str) -> serde_json::Value {
    json!({ "input": { "targetKind": kind, "targetId": target, "rectification": "已全部履行判决确定的义务",
        "commitment": "本单位承诺今后依法诚信经营，如有违反愿承担相应责任。", "attachments": ["履行完毕证明.pdf"] } })
}

#[tokio::test]
async fn too_early_is_refused_with_the_rule_and_an_approved_repair_ends_the_entry() {
    let app = TestApp::spawn().await;
    let code = app.company("210902").await;
    let owner = app.publisher("210900.market");
    let today = domain::time::china_date(chrono::Utc::now());
    let recent = (today - chrono::Days::new(60)).to_string();
    let r = app
        .list(
            &owner,
            &code,
            "market-serious-illegal",
            json!({ "startDate": recent }),
        )
        .await;
    let entry = r["data"]["addListEntry"]["entry"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let subject = app.subject_token(&code);

    // The subject sees when it may apply.
    let r = app.gql(OPTIONS, json!({ "c": code }), Some(&subject)).await;
    assert_no_errors(&r);
    let option = &r["data"]["repairOptions"][0];
    assert_eq!(option["allowed"], true);
    let earliest = option["earliestApplicationDate"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(option["endsOn"].is_string());
    let r = app.gql(OPTIONS, json!({ "c": code }), None).await;
    assert_eq!(error_of(&r).0, "UNAUTHENTICATED");

    // Too early: refused at once, the rule and the date named, nothing stored.
    let r = app
        .gql(APPLY, apply_input("ENTRY", &entry), Some(&subject))
        .await;
    assert_eq!(error_of(&r).0, "BAD_USER_INPUT");
    let message = r["errors"][0]["message"].as_str().unwrap();
    assert!(
        message.contains("规则") && message.contains(&earliest),
        "{message}"
    );
    let handler = app.token("210900.market", &["objections:handle"]);
    let r = app
        .gql(
            "{ repairs { edges { node { id } } } }",
            json!({}),
            Some(&handler),
        )
        .await;
    assert_eq!(r["data"]["repairs"]["edges"].as_array().unwrap().len(), 0);

    // Allowed once the year since the listing has passed (it began 60 days ago).
    app.clock.advance_days(306);
    let r = app
        .gql(APPLY, apply_input("ENTRY", &entry), Some(&subject))
        .await;
    assert_no_errors(&r);
    assert_eq!(r["data"]["applyRepair"]["repair"]["owner"], "210900.market");
    let id = r["data"]["applyRepair"]["repair"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let r = app
        .gql(APPLY, apply_input("ENTRY", &entry), Some(&subject))
        .await;
    assert_eq!(error_of(&r).0, "CONFLICT", "one application at a time");
    // Only the department that listed decides.
    let tax = app.token("210900.tax", &["objections:handle"]);
    let r = app
        .gql(
            DECIDE,
            json!({ "input": { "id": id, "approve": true, "reason": "x" } }),
            Some(&tax),
        )
        .await;
    assert_eq!(error_of(&r).0, "FORBIDDEN");
    let r = app
        .gql(
            DECIDE,
            json!({ "input": { "id": id, "approve": true, "reason": "已履行完毕，作出信用承诺" } }),
            Some(&handler),
        )
        .await;
    assert_no_errors(&r);
    assert_eq!(r["data"]["decideRepair"]["repair"]["status"], "APPROVED");
    let r = app
        .gql(
            DECIDE,
            json!({ "input": { "id": id, "approve": false, "reason": "改变主意" } }),
            Some(&handler),
        )
        .await;
    assert_eq!(error_of(&r).0, "CONFLICT");

    // The same cascade as an upheld objection: the entry ends, its dispatches are cancelled.
    let r = app
        .gql(
            "query($c: String!) { subject(code: $c) { listEntries { edges { node { id } } } } }",
            json!({ "c": code }),
            None,
        )
        .await;
    assert!(
        r["data"]["subject"]["listEntries"]["edges"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    let r = app.gql("query($c: String!) { subject(code: $c) { listEntries(status: REPAIRED) { edges { node { status } } } } }", json!({ "c": code }), Some(&owner)).await;
    assert_eq!(
        r["data"]["subject"]["listEntries"]["edges"][0]["node"]["status"],
        "REPAIRED"
    );
    let ndrc = app.token("210900.ndrc", &["memoranda:admin"]);
    let d = app.gql("query($e: ID) { dispatches(entry: $e, first: 100) { edges { node { status cancelReason } } } }", json!({ "e": entry }), Some(&ndrc)).await;
    let all = d["data"]["dispatches"]["edges"].as_array().unwrap();
    assert!(
        !all.is_empty()
            && all.iter().all(|e| e["node"]["status"] == "CANCELLED"
                && e["node"]["cancelReason"]
                    .as_str()
                    .unwrap()
                    .contains("信用修复"))
    );

    // Listed again soon after: flagged.
    let r = app
        .list(&owner, &code, "market-serious-illegal", json!({}))
        .await;
    assert_no_errors(&r);
    let again = r["data"]["addListEntry"]["entry"]["id"].as_str().unwrap();
    let r = app.gql("query { listEntries(listType: \"market-serious-illegal\", first: 100) { edges { node { id relistedAfterRepair } } } }", json!({}), None).await;
    let node = r["data"]["listEntries"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["node"]["id"] == again)
        .unwrap();
    assert_eq!(node["node"]["relistedAfterRepair"], true);
}

#[tokio::test]
async fn a_penalty_s_publicity_ends_on_repair_and_rules_are_enforced() {
    let app = TestApp::spawn().await;
    let code = app.company("210902").await;
    let market = app.publisher("210900.market");
    let add = "mutation($input: AddCreditRecordInput!) { addCreditRecord(input: $input) { record { id } } }";
    let r = app.gql(add, json!({ "input": { "subject": code, "kind": "PENALTY", "title": "罚款", "decisionNumber": "阜市监罚〔2026〕9号",
        "decisionDate": "2026-03-02", "legalBasis": "《产品质量法》", "dishonestyClass": "GENERAL" } }), Some(&market)).await;
    let record = r["data"]["addCreditRecord"]["record"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let subject = app.subject_token(&code);
    // Not through a department token, and not for another subject.
    let r = app
        .gql(APPLY, apply_input("RECORD", &record), Some(&market))
        .await;
    assert_eq!(error_of(&r).0, "FORBIDDEN");
    let other = app.company("210902").await;
    let r = app
        .gql(
            APPLY,
            apply_input("RECORD", &record),
            Some(&app.subject_token(&other)),
        )
        .await;
    assert_eq!(
        error_of(&r),
        ("BAD_USER_INPUT".into(), Some("input.targetId".into()))
    );
    // A rule requiring an attachment the application lacks.
    let admin = app.token("210900.ndrc", &["memoranda:admin"]);
    let rule = "mutation($input: SetRepairRuleInput!) { setRepairRule(input: $input) { allowed minMonths } }";
    let r = app.gql(rule, json!({ "input": { "recordKind": "PENALTY", "allowed": true, "minMonths": 3, "requiredAttachments": ["罚款缴纳凭证"] } }), Some(&admin)).await;
    assert_no_errors(&r);
    let r = app
        .gql(APPLY, apply_input("RECORD", &record), Some(&subject))
        .await;
    assert_eq!(
        error_of(&r),
        ("BAD_USER_INPUT".into(), Some("input.attachments".into()))
    );
    let mut input = apply_input("RECORD", &record);
    input["input"]["attachments"] = json!(["罚款缴纳凭证.jpg"]);
    let r = app.gql(APPLY, input, Some(&subject)).await;
    assert_no_errors(&r);
    let id = r["data"]["applyRepair"]["repair"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let handler = app.token("210900.market", &["objections:handle"]);
    let r = app
        .gql(
            DECIDE,
            json!({ "input": { "id": id, "approve": true, "reason": "已缴清罚款并作出承诺" } }),
            Some(&handler),
        )
        .await;
    assert_no_errors(&r);
    let r = app
        .gql(
            "query($c: String) { creditRecords(subject: $c) { edges { node { id } } } }",
            json!({ "c": code }),
            None,
        )
        .await;
    assert!(
        r["data"]["creditRecords"]["edges"]
            .as_array()
            .unwrap()
            .is_empty(),
        "publicity ended"
    );
    let r = app.gql("query($c: String) { creditRecords(subject: $c) { edges { node { publicityEnd version } } } }", json!({ "c": code }), Some(&market)).await;
    assert_eq!(r["data"]["creditRecords"]["edges"][0]["node"]["version"], 2);
}

#[tokio::test]
async fn an_application_shows_its_term_and_is_overdue_past_it() {
    let app = TestApp::spawn().await;
    let code = app.company("210902").await;
    let market = app.publisher("210900.market");
    let add = "mutation($input: AddCreditRecordInput!) { addCreditRecord(input: $input) { record { id } } }";
    let r = app.gql(add, json!({ "input": { "subject": code, "kind": "PENALTY", "title": "罚款", "decisionNumber": "阜市监罚〔2026〕31号",
        "decisionDate": "2026-06-01", "legalBasis": "《产品质量法》", "dishonestyClass": "GENERAL" } }), Some(&market)).await;
    assert_no_errors(&r);
    let record = r["data"]["addCreditRecord"]["record"]["id"]
        .as_str()
        .unwrap();
    let r = app
        .gql(
            APPLY,
            apply_input("RECORD", record),
            Some(&app.subject_token(&code)),
        )
        .await;
    assert_no_errors(&r);
    let handler = app.token("210900.market", &["objections:handle"]);
    let list = "{ repairs { edges { node { appliedOn decideBy overdue } } } }";
    let r = app.gql(list, json!({}), Some(&handler)).await;
    let node = &nodes_of(&r, "repairs")[0];
    let calendar = test_calendar();
    let applied: chrono::NaiveDate = node["appliedOn"].as_str().unwrap().parse().unwrap();
    let due = domain::repair::decide_by(&calendar, applied);
    assert_eq!(node["decideBy"], json!(due.map(|d| d.to_string())));
    assert_eq!(node["overdue"], false);
    match due {
        Some(by) => {
            app.clock.advance_days((by - applied).num_days() + 1);
            let r = app.gql(list, json!({}), Some(&handler)).await;
            assert_eq!(nodes_of(&r, "repairs")[0]["overdue"], true);
        }
        None => {
            // Beyond the calendar the term is unknown: never overdue by a guess.
            app.clock.advance_days(60);
            let r = app.gql(list, json!({}), Some(&handler)).await;
            assert_eq!(nodes_of(&r, "repairs")[0]["overdue"], false);
        }
    }
}
