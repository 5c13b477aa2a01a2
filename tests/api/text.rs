//! Every input checked the same on both backends: control characters anywhere, bidirectional and
//! zero-width characters in names and titles, names stored in NFC; credit codes checked as GB 32100
//! defines them, so that a mistyped citizen id is not an unknown credit code.

use crate::helpers::*;
use serde_json::json;

const REGISTER: &str = "mutation($input: RegisterSubjectInput!) { registerSubject(input: $input) { subject { code name checkException } } }";
const SUBJECT: &str = "query($code: String!) { subject(code: $code) { name checkException } }";

fn company(code: &str, name: &str) -> serde_json::Value {
    json!({ "input": { "code": code, "kind": "LEGAL_PERSON", "name": name, "jurisdiction": "210902", "representativeName": "王伟" } })
}

#[tokio::test]
async fn nul_bidi_and_zero_width_are_refused_with_their_field_and_nothing_is_stored() {
    let app = TestApp::spawn().await;
    let market = app.publisher("210900.market");
    for (name, field) in [
        ("阜新\u{0}矿业有限公司", "input.name"),
        ("阜新\u{7}矿业有限公司", "input.name"),
        ("阜新\u{202E}司公限有业矿", "input.name"),
        ("阜新\u{2067}矿业有限公司", "input.name"),
        ("阜新\u{200B}矿业有限公司", "input.name"),
        ("阜新\u{FEFF}矿业有限公司", "input.name"),
    ] {
        let code = new_uscc("210902");
        let r = app.gql(REGISTER, company(&code, name), Some(&market)).await;
        assert_eq!(
            error_of(&r),
            ("BAD_USER_INPUT".into(), Some(field.into())),
            "{name:?}: {r}"
        );
        assert!(
            r["errors"][0]["message"].as_str().unwrap().contains("U+"),
            "{r}"
        );
        let r = app.gql(SUBJECT, json!({ "code": code }), None).await;
        assert!(r["data"]["subject"].is_null(), "nothing stored: {r}");
    }
    // Written in the document rather than a variable: refused all the same, naming the argument.
    let code = new_uscc("210902");
    let inline = format!(
        "mutation {{ registerSubject(input: {{ code: \"{code}\", kind: LEGAL_PERSON, name: \"阜新\\u0000矿业\", jurisdiction: \"210902\", representativeName: \"王伟\" }}) {{ subject {{ code }} }} }}"
    );
    let r = app.gql(&inline, json!({}), Some(&market)).await;
    assert_eq!(
        error_of(&r),
        ("BAD_USER_INPUT".into(), Some("input.name".into())),
        "{r}"
    );
    // A NUL in any argument, a search or a code, never reaches the database.
    let r = app
        .gql(
            "query($s: String) { subjects(search: $s) { edges { node { code } } } }",
            json!({ "s": "矿\u{0}业" }),
            None,
        )
        .await;
    assert_eq!(
        error_of(&r),
        ("BAD_USER_INPUT".into(), Some("s".into())),
        "{r}"
    );
    let r = app.gql(SUBJECT, json!({ "code": "\u{0}" }), None).await;
    assert_eq!(error_of(&r).0, "BAD_USER_INPUT", "{r}");
    // The same subject with a clean name is registered: the refusals were for the characters.
    let r = app
        .gql(REGISTER, company(&code, "阜新矿业有限公司"), Some(&market))
        .await;
    assert_no_errors(&r);
}

#[tokio::test]
async fn names_are_stored_in_nfc() {
    let app = TestApp::spawn().await;
    let market = app.publisher("210900.market");
    let code = new_uscc("210902");
    // "é" typed as e and a combining accent.
    let r = app
        .gql(
            REGISTER,
            company(&code, "Cafe\u{301} 阜新有限公司"),
            Some(&market),
        )
        .await;
    assert_no_errors(&r);
    assert_eq!(
        r["data"]["registerSubject"]["subject"]["name"],
        "Caf\u{e9} 阜新有限公司"
    );
    let r = app.gql(SUBJECT, json!({ "code": code }), None).await;
    assert_eq!(r["data"]["subject"]["name"], "Caf\u{e9} 阜新有限公司");
}

#[tokio::test]
async fn credit_codes_are_checked_as_gb_32100_defines_them() {
    let app = TestApp::spawn().await;
    let market = app.publisher("210900.market");
    // A citizen id whose check digit is wrong, whose digits pass the credit code's own check: an
    // invalid citizen id, not an unknown credit code.
    let r = app
        .gql(SUBJECT, json!({ "code": "218922198612016496" }), None)
        .await;
    let (code, field) = error_of(&r);
    assert_eq!(
        (code.as_str(), field.as_deref()),
        ("BAD_USER_INPUT", Some("code")),
        "{r}"
    );
    assert!(
        r["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("公民身份号码"),
        "{r}"
    );
    // Right outer check, wrong organisation code check: registrable only as a pilot exception.
    let first17 = "91210902MA0000001";
    let inner_wrong = format!(
        "{first17}{}",
        domain::uscc::check_character(first17.as_bytes()).unwrap()
    );
    let r = app
        .gql(REGISTER, company(&inner_wrong, "内码错误"), Some(&market))
        .await;
    assert_eq!(
        error_of(&r),
        ("BAD_USER_INPUT".into(), Some("input.code".into())),
        "{r}"
    );
    assert!(
        r["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("组织机构代码"),
        "{r}"
    );
    let mut flagged = company(&inner_wrong, "内码错误");
    flagged["input"]["allowCheckException"] = json!(true);
    let r = app.gql(REGISTER, flagged, Some(&market)).await;
    assert_no_errors(&r);
    assert_eq!(
        r["data"]["registerSubject"]["subject"]["checkException"],
        true
    );
    let r = app.gql(SUBJECT, json!({ "code": inner_wrong }), None).await;
    assert_eq!(r["data"]["subject"]["name"], "内码错误", "{r}");
    // An authority that registers no such type.
    let wrong_pair = domain::uscc::complete("95210902", "MA000000").unwrap();
    let r = app.gql(SUBJECT, json!({ "code": wrong_pair }), None).await;
    assert_eq!(error_of(&r).0, "BAD_USER_INPUT", "{r}");
    assert!(
        r["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("登记管理部门"),
        "{r}"
    );
}
