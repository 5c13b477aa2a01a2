//! The green channel (绿色通道, 容缺受理), plan §三(三): an honest example (a red entry in force) or
//! three full years with no bad credit record from the subject's establishment; never while a
//! punishment binds it, itself or through an organisation it represents. `check` says which
//! ground qualified or why none did; the years and whether minor penalties count are the credit
//! office's.

use crate::helpers::*;
use serde_json::{Value, json};

const CHECK: &str = "query($code: String!) { check(code: $code, business: \"行政许可\") {
    greenChannel acceptanceWithMissingDocuments greenChannelGround greenChannelExplanation } }";
const SET_RULE: &str = "mutation($input: SetGreenChannelRuleInput!) { setGreenChannelRule(input: $input) { rule { cleanYears countMinorPenalties } } }";

async fn check(app: &TestApp, code: &str) -> Value {
    let r = app
        .gql(
            CHECK,
            json!({ "code": code }),
            Some(&app.token("210900.housing", &["dispatch:handle"])),
        )
        .await;
    assert_no_errors(&r);
    r["data"]["check"].clone()
}

fn years_ago(app: &TestApp, years: i64) -> String {
    (app.clock.today() - chrono::Duration::days(365 * years + 1)).to_string()
}

/// Registers a company; returns its code and its legal representative's citizen id.
async fn company(app: &TestApp, established_on: Option<String>) -> (String, String) {
    let code = new_uscc("210902");
    let person = new_citizen_id("210902");
    let r = app
        .gql(
            "mutation($input: RegisterSubjectInput!) { registerSubject(input: $input) { subject { establishedOn } } }",
            json!({ "input": { "code": code, "kind": "LEGAL_PERSON", "name": "阜新绿色通道测试有限公司",
                "jurisdiction": "210902", "representativeName": "周敏", "representativeIdNumber": person,
                "establishedOn": established_on } }),
            Some(&app.publisher("210900.market")),
        )
        .await;
    assert_no_errors(&r);
    assert_eq!(
        r["data"]["registerSubject"]["subject"]["establishedOn"],
        json!(established_on)
    );
    (code, person)
}

async fn penalty(app: &TestApp, code: &str, number: &str, class: &str) {
    let decided = (app.clock.today() - chrono::Duration::days(200)).to_string();
    let r = app
        .gql(
            "mutation($input: AddCreditRecordInput!) { addCreditRecord(input: $input) { record { id } } }",
            json!({ "input": { "subject": code, "kind": "PENALTY", "title": "罚款", "decisionNumber": number,
                "decisionDate": decided, "publicationDate": decided, "legalBasis": "《中华人民共和国产品质量法》",
                "dishonestyClass": class } }),
            Some(&app.publisher("210900.market")),
        )
        .await;
    assert_no_errors(&r);
}

#[tokio::test]
async fn refused_on_the_day_of_registration_and_granted_after_three_clean_years() {
    let app = TestApp::spawn().await;
    // Established today, or its establishment not known: not three clean years.
    let (new, _) = company(&app, Some(app.clock.today().to_string())).await;
    let c = check(&app, &new).await;
    assert_eq!(c["greenChannel"], false);
    assert_eq!(c["acceptanceWithMissingDocuments"], false);
    assert_eq!(c["greenChannelGround"], Value::Null);
    assert!(
        c["greenChannelExplanation"]
            .as_str()
            .unwrap()
            .contains("成立不满3年"),
        "{c}"
    );
    let (unknown, _) = company(&app, None).await;
    let c = check(&app, &unknown).await;
    assert_eq!(c["greenChannel"], false);
    assert!(
        c["greenChannelExplanation"]
            .as_str()
            .unwrap()
            .contains("成立日期未登记"),
        "{c}"
    );
    // An establishment date in the future is refused at registration.
    let r = app
        .gql(
            "mutation($input: RegisterSubjectInput!) { registerSubject(input: $input) { subject { id } } }",
            json!({ "input": { "code": new_uscc("210902"), "kind": "LEGAL_PERSON", "name": "未来公司",
                "jurisdiction": "210902", "representativeName": "周敏",
                "establishedOn": (app.clock.today() + chrono::Duration::days(1)).to_string() } }),
            Some(&app.publisher("210900.market")),
        )
        .await;
    assert_eq!(
        error_of(&r),
        ("BAD_USER_INPUT".into(), Some("input.establishedOn".into()))
    );

    // Four years old and clean: granted, on that ground.
    let (old, _) = company(&app, Some(years_ago(&app, 4))).await;
    let c = check(&app, &old).await;
    assert_eq!(c["greenChannel"], true);
    assert_eq!(c["acceptanceWithMissingDocuments"], true);
    assert_eq!(c["greenChannelGround"], "CLEAN_RECORD");
    assert!(
        c["greenChannelExplanation"]
            .as_str()
            .unwrap()
            .contains("连续3年无不良信用记录"),
        "{c}"
    );
    // A minor penalty does not spoil it unless the credit office says so; a general one does.
    penalty(&app, &old, "阜市监罚〔2026〕21号", "MINOR").await;
    assert_eq!(check(&app, &old).await["greenChannel"], true);
    let office = app.token("210900.ndrc", &["memoranda:admin"]);
    let r = app
        .gql(
            SET_RULE,
            json!({ "input": { "cleanYears": 3, "countMinorPenalties": true } }),
            Some(&app.token("210900.market", &["memoranda:admin"])),
        )
        .await;
    assert_eq!(error_of(&r).0, "FORBIDDEN");
    let r = app
        .gql(
            SET_RULE,
            json!({ "input": { "cleanYears": 11, "countMinorPenalties": true } }),
            Some(&office),
        )
        .await;
    assert_eq!(
        error_of(&r),
        ("BAD_USER_INPUT".into(), Some("input.cleanYears".into()))
    );
    let r = app
        .gql(
            SET_RULE,
            json!({ "input": { "cleanYears": 3, "countMinorPenalties": true } }),
            Some(&office),
        )
        .await;
    assert_no_errors(&r);
    let r = app
        .gql(
            "{ greenChannelRule { cleanYears countMinorPenalties } }",
            json!({}),
            None,
        )
        .await;
    assert_eq!(
        r["data"]["greenChannelRule"],
        json!({ "cleanYears": 3, "countMinorPenalties": true })
    );
    let c = check(&app, &old).await;
    assert_eq!(c["greenChannel"], false);
    assert!(
        c["greenChannelExplanation"]
            .as_str()
            .unwrap()
            .contains("阜市监罚〔2026〕21号"),
        "{c}"
    );
    // With five years asked, four are not enough.
    let r = app
        .gql(
            SET_RULE,
            json!({ "input": { "cleanYears": 5, "countMinorPenalties": false } }),
            Some(&office),
        )
        .await;
    assert_no_errors(&r);
    let (four, _) = company(&app, Some(years_ago(&app, 4))).await;
    let c = check(&app, &four).await;
    assert_eq!(c["greenChannel"], false);
    assert!(
        c["greenChannelExplanation"]
            .as_str()
            .unwrap()
            .contains("成立不满5年"),
        "{c}"
    );
}

#[tokio::test]
async fn an_honest_example_qualifies_but_never_while_a_punishment_binds_it() {
    let app = TestApp::spawn().await;
    // A company founded this year on the tax bureau's red list: an honest example.
    let (young, person) = company(&app, Some(app.clock.today().to_string())).await;
    let r = app
        .list(
            &app.publisher("210900.tax"),
            &young,
            "tax-a-level",
            json!({ "reason": "纳税信用A级", "basisDocument": "阜税函〔2026〕12号" }),
        )
        .await;
    assert_no_errors(&r);
    let c = check(&app, &young).await;
    assert_eq!(c["greenChannel"], true);
    assert_eq!(c["greenChannelGround"], "HONEST_EXAMPLE");
    assert!(
        c["greenChannelExplanation"]
            .as_str()
            .unwrap()
            .contains("诚信典型"),
        "{c}"
    );

    // Its legal representative, a person born decades ago with a clean record, qualifies ...
    let r = app
        .gql(
            REGISTER,
            json!({ "input": { "code": person, "kind": "NATURAL_PERSON", "name": "周敏", "jurisdiction": "210902" } }),
            Some(&app.publisher("210900.market")),
        )
        .await;
    assert_no_errors(&r);
    let c = check(&app, &person).await;
    assert_eq!(c["greenChannel"], true, "{c}");
    assert_eq!(c["greenChannelGround"], "CLEAN_RECORD");

    // ... until the company is black-listed: then neither does, whatever the red list.
    let r = app
        .list(
            &app.publisher("210900.court"),
            &young,
            "court-dishonest-debtor",
            json!({}),
        )
        .await;
    assert_no_errors(&r);
    let c = check(&app, &young).await;
    assert_eq!(c["greenChannel"], false);
    assert!(
        c["greenChannelExplanation"]
            .as_str()
            .unwrap()
            .contains("失信被执行人"),
        "{c}"
    );
    let c = check(&app, &person).await;
    assert_eq!(c["greenChannel"], false);
    assert_eq!(c["acceptanceWithMissingDocuments"], false);
    let why = c["greenChannelExplanation"].as_str().unwrap();
    assert!(
        why.contains("法定代表人") && why.contains("阜新绿色通道测试有限公司"),
        "{why}"
    );
}
