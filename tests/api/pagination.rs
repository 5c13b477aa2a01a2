use crate::helpers::*;
use serde_json::json;
use std::collections::HashSet;

const PAGE: &str = "query($first: Int, $after: String) { subjects(first: $first, after: $after) { edges { cursor node { code } } pageInfo { hasNextPage hasPreviousPage endCursor startCursor } } }";

#[tokio::test]
async fn pages_cover_everything_once() {
    let app = TestApp::spawn().await;
    let mut made = HashSet::new();
    for i in 0..23 {
        made.insert(
            app.company(if i % 2 == 0 { "210902" } else { "210922" })
                .await,
        );
    }
    let mut seen = Vec::new();
    let mut after: Option<String> = None;
    let mut pages = 0;
    loop {
        let r = app
            .gql(PAGE, json!({ "first": 5, "after": after }), None)
            .await;
        assert_no_errors(&r);
        let conn = &r["data"]["subjects"];
        let edges = conn["edges"].as_array().unwrap();
        seen.extend(
            edges
                .iter()
                .map(|e| e["node"]["code"].as_str().unwrap().to_owned()),
        );
        pages += 1;
        assert_eq!(conn["pageInfo"]["hasPreviousPage"], json!(after.is_some()));
        if conn["pageInfo"]["hasNextPage"] == json!(false) {
            assert_eq!(edges.len(), 3);
            break;
        }
        assert_eq!(edges.len(), 5);
        assert_eq!(conn["pageInfo"]["endCursor"], edges[4]["cursor"]);
        after = conn["pageInfo"]["endCursor"].as_str().map(str::to_owned);
        assert!(pages < 10, "runaway pagination");
    }
    assert_eq!(pages, 5);
    let unique: HashSet<String> = seen.iter().cloned().collect();
    assert_eq!(unique.len(), seen.len(), "no duplicates");
    assert_eq!(unique, made, "no gaps");
}

#[tokio::test]
async fn page_arguments_are_checked() {
    let app = TestApp::spawn().await;
    let r = app.gql(PAGE, json!({ "first": 0 }), None).await;
    assert_eq!(
        error_of(&r),
        ("BAD_USER_INPUT".into(), Some("first".into()))
    );
    let r = app.gql(PAGE, json!({ "first": 101 }), None).await;
    assert_eq!(
        error_of(&r),
        ("BAD_USER_INPUT".into(), Some("first".into()))
    );
    let r = app
        .gql(PAGE, json!({ "after": "'; drop table subjects; --" }), None)
        .await;
    assert_eq!(
        error_of(&r),
        ("BAD_USER_INPUT".into(), Some("after".into()))
    );
}
