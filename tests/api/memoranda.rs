//! Memoranda: versions that apply to new listings only, retirement, and the seeded catalogue.

use crate::helpers::*;
use crate::joint::{DISPATCHES, nodes, pairs};
use serde_json::{Value, json};
use std::collections::BTreeSet;

fn memorandum_input(key: &str, list_type: &str, implementers: &[&str]) -> Value {
    json!({ "key": key, "title": "测试备忘录", "documentNumber": "阜发改〔2026〕1号", "issuedBy": ["阜新市发展和改革委员会"],
        "effectiveDate": "2026-01-01", "listTypes": [list_type],
        "measures": [{ "code": "T-1", "name": "限制申请财政性资金", "kind": "PUNISHMENT", "category": "ADMINISTRATIVE", "implementers": implementers }] })
}

#[tokio::test]
async fn memoranda_versions_apply_to_new_listings_only() {
    let app = TestApp::spawn().await;
    let ndrc = app.token("210900.ndrc", &["memoranda:admin"]);
    let create = "mutation($input: MemorandumInput!) { createMemorandum(input: $input) { memorandum { id key version measures { code implementers legalBasis scope reaches } } } }";
    let r = app
        .gql(
            create,
            json!({ "input": memorandum_input("test-hrss", "hrss-wage-arrears", &["ecology"]) }),
            Some(&ndrc),
        )
        .await;
    assert_no_errors(&r);
    let id = r["data"]["createMemorandum"]["memorandum"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        r["data"]["createMemorandum"]["memorandum"]["measures"][0]["legalBasis"],
        "阜发改〔2026〕1号"
    );
    let r = app
        .gql(
            create,
            json!({ "input": memorandum_input("test-hrss", "hrss-wage-arrears", &["ecology"]) }),
            Some(&ndrc),
        )
        .await;
    assert_eq!(error_of(&r).0, "CONFLICT");
    let r = app
        .gql(
            create,
            json!({ "input": memorandum_input("test-bad", "hrss-wage-arrears", &["nobody"]) }),
            Some(&ndrc),
        )
        .await;
    assert_eq!(
        error_of(&r),
        (
            "BAD_USER_INPUT".into(),
            Some("input.measures[0].implementers".into())
        )
    );
    let r = app
        .gql(
            create,
            json!({ "input": memorandum_input("test-bad2", "no-such-list", &["ecology"]) }),
            Some(&ndrc),
        )
        .await;
    assert_eq!(
        error_of(&r),
        ("BAD_USER_INPUT".into(), Some("input.listTypes".into()))
    );

    let hrss = app.publisher("210900.hrss");
    let before = app.company("210902").await;
    let r = app
        .list(&hrss, &before, "hrss-wage-arrears", json!({}))
        .await;
    let entry_before = r["data"]["addListEntry"]["entry"]["id"]
        .as_str()
        .unwrap()
        .to_owned();

    let amend = "mutation($input: AmendMemorandumInput!) { amendMemorandum(input: $input) { memorandum { id version } } }";
    let r = app.gql(amend, json!({ "input": { "id": id, "memorandum": memorandum_input("ignored", "hrss-wage-arrears", &["transport"]) } }), Some(&ndrc)).await;
    assert_no_errors(&r);
    assert_eq!(r["data"]["amendMemorandum"]["memorandum"]["version"], 2);

    let after = app.company("210902").await;
    let r = app
        .list(&hrss, &after, "hrss-wage-arrears", json!({}))
        .await;
    let entry_after = r["data"]["addListEntry"]["entry"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let of = |entry: String| {
        let app = &app;
        let ndrc = ndrc.clone();
        async move {
            nodes(
                &app.gql(DISPATCHES, json!({ "entry": entry }), Some(&ndrc))
                    .await,
            )
            .into_iter()
            .filter(|n| n["memorandum"]["key"] == "test-hrss")
            .collect::<Vec<_>>()
        }
    };
    let old = of(entry_before).await;
    assert_eq!(
        pairs(&old),
        BTreeSet::from(["T-1@210900.ecology".to_owned()])
    );
    assert_eq!(
        old[0]["memorandum"]["version"], 1,
        "a dispatch keeps the version it was made under"
    );
    let new = of(entry_after).await;
    assert_eq!(
        pairs(&new),
        BTreeSet::from(["T-1@210900.transport".to_owned()])
    );
    assert_eq!(new[0]["memorandum"]["version"], 2);

    let r = app
        .gql(
            "mutation($id: ID!) { retireMemorandum(input: { id: $id }) { memorandum { retired version } } }",
            json!({ "id": id }),
            Some(&ndrc),
        )
        .await;
    assert_eq!(r["data"]["retireMemorandum"]["memorandum"]["retired"], true);
    let later = app.company("210902").await;
    let r = app
        .list(&hrss, &later, "hrss-wage-arrears", json!({}))
        .await;
    let entry_later = r["data"]["addListEntry"]["entry"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(
        of(entry_later).await.is_empty(),
        "a retired memorandum dispatches nothing"
    );
    let r = app
        .gql(
            "{ memoranda { key } all: memoranda(includeRetired: true) { key retired } }",
            json!({}),
            None,
        )
        .await;
    assert!(
        !r["data"]["memoranda"]
            .as_array()
            .unwrap()
            .iter()
            .any(|m| m["key"] == "test-hrss")
    );
    assert!(
        r["data"]["all"]
            .as_array()
            .unwrap()
            .iter()
            .any(|m| m["key"] == "test-hrss" && m["retired"] == true)
    );
}

#[tokio::test]
async fn seeded_memoranda_are_shown_with_national_measures() {
    let app = TestApp::spawn().await;
    let r = app.gql("{ memoranda { key documentNumber issuedBy listTypes measures { code scope reaches implementers } } }", json!({}), None).await;
    assert_no_errors(&r);
    let all = r["data"]["memoranda"].as_array().unwrap();
    let keys: BTreeSet<&str> = all.iter().map(|m| m["key"].as_str().unwrap()).collect();
    assert_eq!(
        keys,
        BTreeSet::from([
            "fuxin-2019-69",
            "ndrc-2016-141",
            "spc-2015-17",
            "ndrc-2016-1467"
        ])
    );
    let spc = all.iter().find(|m| m["key"] == "spc-2015-17").unwrap();
    assert!(
        spc["measures"]
            .as_array()
            .unwrap()
            .iter()
            .all(|m| m["scope"] == "NATIONAL")
    );
    assert!(
        spc["measures"][0]["reaches"]
            .as_array()
            .unwrap()
            .contains(&json!("ACTUAL_CONTROLLER"))
    );
}
