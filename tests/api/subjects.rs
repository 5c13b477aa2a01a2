use crate::helpers::*;
use serde_json::json;

const SUBJECT: &str = "query($code: String!) { subject(code: $code) { code codeKind kind name checkException jurisdiction { code name level } legalRepresentative { name idNumber } registeredBy { code } } }";

#[tokio::test]
async fn registered_company_is_found_by_code_anonymously() {
    let app = TestApp::spawn().await;
    let code = app.company("210902").await;
    let r = app
        .gql(SUBJECT, json!({ "code": code.to_lowercase() }), None)
        .await;
    assert_no_errors(&r);
    let s = &r["data"]["subject"];
    assert_eq!(s["code"], code);
    assert_eq!(s["codeKind"], "USCC");
    assert_eq!(s["kind"], "LEGAL_PERSON");
    assert_eq!(s["jurisdiction"]["name"], "海州区");
    assert_eq!(s["jurisdiction"]["level"], "COUNTY");
    assert_eq!(s["registeredBy"]["code"], "210900.market");
    // The representative's identity number is masked for the public.
    let id = s["legalRepresentative"]["idNumber"].as_str().unwrap();
    assert!(id.starts_with("2109") && id.contains("**********"), "{id}");
}

#[tokio::test]
async fn unknown_valid_code_is_null_and_invalid_code_is_bad_input() {
    let app = TestApp::spawn().await;
    let r = app
        .gql(SUBJECT, json!({ "code": new_uscc("210902") }), None)
        .await;
    assert_no_errors(&r);
    assert!(r["data"]["subject"].is_null());
    let r = app
        .gql(SUBJECT, json!({ "code": "91350100M000100Y44" }), None)
        .await;
    assert_eq!(error_of(&r), ("BAD_USER_INPUT".into(), Some("code".into())));
}

#[tokio::test]
async fn invalid_codes_are_refused_with_the_field_and_nothing_is_stored() {
    let app = TestApp::spawn().await;
    let token = app.publisher("210900.market");
    let bad_check = {
        let mut c = new_uscc("210902");
        let last = c.pop().unwrap();
        c.push(if last == '0' { '1' } else { '0' });
        c
    };
    let cases = [
        (
            json!({ "code": bad_check, "kind": "LEGAL_PERSON", "name": "甲公司", "jurisdiction": "210902", "representativeName": "王伟" }),
            "input.code",
        ),
        (
            json!({ "code": "91210902MA0T", "kind": "LEGAL_PERSON", "name": "乙公司", "jurisdiction": "210902", "representativeName": "王伟" }),
            "input.code",
        ),
        (
            json!({ "code": new_uscc("210902"), "kind": "LEGAL_PERSON", "name": "丙公司", "jurisdiction": "210902", "representativeName": "王伟", "representativeIdNumber": "210905196408130342" }),
            "input.representativeIdNumber",
        ),
        (
            json!({ "code": new_uscc("210902"), "kind": "LEGAL_PERSON", "name": "丁公司", "jurisdiction": "2109", "representativeName": "王伟" }),
            "input.jurisdiction",
        ),
        (
            json!({ "code": new_uscc("210902"), "kind": "LEGAL_PERSON", "name": "  ", "jurisdiction": "210902", "representativeName": "王伟" }),
            "input.name",
        ),
    ];
    for (input, field) in cases {
        let r = app
            .gql(REGISTER, json!({ "input": input.clone() }), Some(&token))
            .await;
        assert_eq!(
            error_of(&r),
            ("BAD_USER_INPUT".into(), Some(field.into())),
            "{input}"
        );
        let msg = r["errors"][0]["message"].as_str().unwrap();
        assert!(
            msg.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
            "message for the public in Chinese: {msg}"
        );
    }
    let r = app
        .gql("{ subjects { edges { node { id } } } }", json!({}), None)
        .await;
    assert_eq!(
        r["data"]["subjects"]["edges"].as_array().unwrap().len(),
        0,
        "nothing stored"
    );
}

#[tokio::test]
async fn pilot_code_is_registered_only_by_market_regulation_with_the_flag() {
    let app = TestApp::spawn().await;
    let pilot = "91350100M0001TGQXM";
    let input = json!({ "code": pilot, "kind": "OTHER_ORGANISATION", "name": "试点单位", "jurisdiction": "210902" });
    let market = app.publisher("210900.market");
    let r = app
        .gql(REGISTER, json!({ "input": input.clone() }), Some(&market))
        .await;
    assert_eq!(
        error_of(&r),
        ("BAD_USER_INPUT".into(), Some("input.code".into()))
    );
    let mut flagged = input.clone();
    flagged["allowCheckException"] = json!(true);
    let tax = app.publisher("210900.tax");
    let r = app
        .gql(REGISTER, json!({ "input": flagged.clone() }), Some(&tax))
        .await;
    assert_eq!(error_of(&r).0, "FORBIDDEN");
    // Before registration, the code is simply invalid; after, look-ups find it.
    let r = app.gql(SUBJECT, json!({ "code": pilot }), None).await;
    assert_eq!(error_of(&r), ("BAD_USER_INPUT".into(), Some("code".into())));
    let r = app
        .gql(REGISTER, json!({ "input": flagged }), Some(&market))
        .await;
    assert_no_errors(&r);
    assert_eq!(
        r["data"]["registerSubject"]["subject"]["checkException"],
        true
    );
    let r = app.gql(SUBJECT, json!({ "code": pilot }), None).await;
    assert_no_errors(&r);
    assert_eq!(r["data"]["subject"]["name"], "试点单位");
    assert_eq!(r["data"]["subject"]["checkException"], true);
}

#[tokio::test]
async fn the_same_code_cannot_be_registered_twice() {
    let app = TestApp::spawn().await;
    let code = app.company("210903").await;
    let token = app.publisher("210900.market");
    let r = app.gql(REGISTER, json!({ "input": { "code": code, "kind": "LEGAL_PERSON", "name": "重复", "jurisdiction": "210903", "representativeName": "王伟" } }), Some(&token)).await;
    assert_eq!(error_of(&r).0, "CONFLICT");
}

#[tokio::test]
async fn county_department_registers_only_in_its_county() {
    let app = TestApp::spawn().await;
    let county = app.publisher("210922.market");
    let input = |jur: &str| json!({ "input": { "code": new_uscc(jur), "kind": "LEGAL_PERSON", "name": "县域公司", "jurisdiction": jur, "representativeName": "王伟" } });
    let r = app.gql(REGISTER, input("210921"), Some(&county)).await;
    assert_eq!(error_of(&r).0, "FORBIDDEN");
    let r = app.gql(REGISTER, input("210922"), Some(&county)).await;
    assert_no_errors(&r);
}

#[tokio::test]
async fn search_by_name_kind_and_jurisdiction() {
    let app = TestApp::spawn().await;
    let a = app.company("210922").await;
    let b = app.company("210902").await;
    let _person = app.person("210922").await;
    let q = "query($s: String, $k: SubjectKind, $j: String) { subjects(search: $s, kind: $k, jurisdiction: $j) { edges { node { code kind } } } }";
    let codes = |r: &serde_json::Value| -> Vec<String> {
        r["data"]["subjects"]["edges"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["node"]["code"].as_str().unwrap().to_owned())
            .collect()
    };
    let r = app.gql(q, json!({ "s": &a[10..14] }), None).await;
    assert!(codes(&r).contains(&a));
    let r = app
        .gql(q, json!({ "j": "210922", "k": "LEGAL_PERSON" }), None)
        .await;
    assert_eq!(codes(&r), vec![a.clone()]);
    let r = app.gql(q, json!({ "j": "210900" }), None).await;
    assert_eq!(
        codes(&r).len(),
        2,
        "a city includes its counties (the person, with nothing public, is not listed for the public)"
    );
    let market = app.token("210900.market", &[]);
    let r = app.gql(q, json!({ "j": "210900" }), Some(&market)).await;
    assert_eq!(codes(&r).len(), 3, "a department lists the person too");
    let r = app.gql(q, json!({ "s": b }), None).await;
    assert_eq!(codes(&r), vec![b]);
    let r = app.gql(q, json!({ "s": "100%_" }), None).await;
    assert!(codes(&r).is_empty(), "LIKE wildcards are matched literally");
    let r = app.gql(q, json!({ "j": "21x900" }), None).await;
    assert_eq!(
        error_of(&r),
        ("BAD_USER_INPUT".into(), Some("jurisdiction".into()))
    );
}

#[tokio::test]
async fn catalogue_queries() {
    let app = TestApp::spawn().await;
    let r = app.gql("{ jurisdictions { code name level parentCode } departments { code name role jurisdiction { code } } listTypes { code name colour owner { code name } ownerRole ownerDescription defaultPeriodMonths maxPeriodMonths legalBasis repairByApplication noRepairBasis removalWorkingDays removalGrounds { code name } } }", json!({}), None).await;
    assert_no_errors(&r);
    let j = r["data"]["jurisdictions"].as_array().unwrap();
    assert!(
        j.iter()
            .any(|x| x["code"] == "210922" && x["name"] == "彰武县" && x["parentCode"] == "210900")
    );
    let d = r["data"]["departments"].as_array().unwrap();
    assert!(
        d.iter()
            .any(|x| x["code"] == "210900.ndrc" && x["role"] == "CREDIT_OFFICE")
    );
    assert!(
        d.iter()
            .any(|x| x["code"] == "210922.market" && x["jurisdiction"]["code"] == "210922")
    );
    let t = r["data"]["listTypes"].as_array().unwrap();
    let court = t
        .iter()
        .find(|x| x["code"] == "court-dishonest-debtor")
        .unwrap();
    assert_eq!(court["name"], "失信被执行人");
    assert_eq!(court["colour"], "BLACK");
    // Every court lists the debtors of its own jurisdiction (法释〔2017〕7号), for two years by
    // default and five at most; the court removes an entry, it is not repaired by application.
    assert_eq!(court["owner"], serde_json::Value::Null);
    assert_eq!(court["ownerRole"], "COURT");
    assert!(
        court["ownerDescription"]
            .as_str()
            .unwrap()
            .contains("人民法院")
    );
    assert_eq!(court["defaultPeriodMonths"], 24);
    assert_eq!(court["maxPeriodMonths"], 60);
    assert_eq!(court["repairByApplication"], false);
    assert!(
        court["noRepairBasis"]
            .as_str()
            .unwrap()
            .contains("法释〔2017〕7号")
    );
    assert_eq!(court["removalWorkingDays"], 3);
    assert_eq!(court["removalGrounds"].as_array().unwrap().len(), 7);
    let tax = t.iter().find(|x| x["code"] == "tax-a-level").unwrap();
    assert_eq!(tax["owner"]["code"], "210900.tax");
    assert_eq!(tax["ownerRole"], serde_json::Value::Null);
    assert_eq!(tax["repairByApplication"], true);
    assert!(
        d.iter()
            .any(|x| x["code"] == "210921.court" && x["role"] == "COURT"),
        "the county courts of the reference data"
    );
    assert!(
        d.iter()
            .any(|x| x["code"] == "210900.icbc" && x["role"] == "BANK")
    );
    assert!(
        t.iter()
            .any(|x| x["code"] == "tax-a-level" && x["colour"] == "RED")
    );
}

#[tokio::test]
async fn name_search_ranks_exact_then_prefix_then_substring_across_pages() {
    // A window of 2: substring matches come from the scan of the first two subjects and then
    // from the index, so both ways are checked.
    let app = TestApp::spawn_with(|s| s.search_window = 2).await;
    let token = app.publisher("210900.market");
    let mut by_name = std::collections::HashMap::new();
    for name in [
        "阜新市海州区矿业有限公司",
        "阜新矿业",
        "矿业公司",
        "矿业",
        "阜新宏达机械有限公司",
    ] {
        let code = new_uscc("210902");
        let r = app.gql(REGISTER, json!({ "input": { "code": code, "kind": "LEGAL_PERSON", "name": name, "jurisdiction": "210902", "representativeName": "王伟" } }), Some(&token)).await;
        assert_no_errors(&r);
        by_name.insert(name, code);
    }
    let q = "query($s: String, $after: String) { subjects(search: $s, first: 1, after: $after) { edges { cursor node { name } } pageInfo { hasNextPage endCursor } } }";
    let mut seen = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let r = app
            .gql(q, json!({ "s": "矿业", "after": after }), None)
            .await;
        assert_no_errors(&r);
        let conn = &r["data"]["subjects"];
        for e in conn["edges"].as_array().unwrap() {
            seen.push(e["node"]["name"].as_str().unwrap().to_owned());
        }
        if conn["pageInfo"]["hasNextPage"] != true {
            break;
        }
        after = conn["pageInfo"]["endCursor"].as_str().map(str::to_owned);
        assert!(seen.len() < 10, "runaway pagination");
    }
    assert_eq!(
        seen,
        ["矿业", "矿业公司", "阜新市海州区矿业有限公司", "阜新矿业"],
        "exact, prefix, then substrings in registration order"
    );
    // Substrings of any length from 2, through the indexes (bigram GIN on PostgreSQL, FTS5 trigram
    // on SQLite from 3 characters), checked in order: 矿有 is no substring of any name.
    let names = |r: &serde_json::Value| -> Vec<String> {
        r["data"]["subjects"]["edges"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["node"]["name"].as_str().unwrap().to_owned())
            .collect()
    };
    let all = "query($s: String) { subjects(search: $s, first: 10) { edges { node { name } } } }";
    for (text, expected) in [
        ("海州区矿业", vec!["阜新市海州区矿业有限公司"]),
        (
            "有限公司",
            vec!["阜新市海州区矿业有限公司", "阜新宏达机械有限公司"],
        ),
        (
            "阜新",
            vec![
                "阜新矿业",
                "阜新市海州区矿业有限公司",
                "阜新宏达机械有限公司",
            ],
        ),
        ("业有限", vec!["阜新市海州区矿业有限公司"]),
        ("矿有", vec![]),
    ] {
        let r = app.gql(all, json!({ "s": text }), None).await;
        assert_no_errors(&r);
        let mut found = names(&r);
        let mut expected: Vec<String> = expected.into_iter().map(str::to_owned).collect();
        found.sort();
        expected.sort();
        assert_eq!(found, expected, "search {text}");
    }
    let r = app.gql(all, json!({ "s": "矿" }), None).await;
    assert_eq!(
        error_of(&r),
        ("BAD_USER_INPUT".into(), Some("search".into()))
    );

    // A whole code is an exact match.
    let r = app
        .gql(
            q,
            json!({ "s": by_name["阜新宏达机械有限公司"], "after": null }),
            None,
        )
        .await;
    assert_eq!(
        r["data"]["subjects"]["edges"][0]["node"]["name"],
        "阜新宏达机械有限公司"
    );
}
