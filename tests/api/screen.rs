//! Batch screening of 1,000 codes.

use crate::helpers::*;
use serde_json::json;

const SCREEN: &str =
    "query($codes: [String!]!) { screen(codes: $codes) { input valid error found underObjection
    subject { name } redEntries { listType { code } } blackEntries { listType { code } } } }";

#[tokio::test]
async fn a_thousand_codes_with_invalid_ones_reported_per_item() {
    let app = TestApp::spawn().await;
    let black = app.company("210902").await;
    let red = app.company("210922").await;
    let objected = app.company("210903").await;
    let court = app.publisher("210900.court");
    app.list(&court, &black, "court-dishonest-debtor", json!({}))
        .await;
    let r = app
        .list(&court, &objected, "court-dishonest-debtor", json!({}))
        .await;
    let entry = r["data"]["addListEntry"]["entry"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    app.gql("mutation($i: FileObjectionInput!) { fileObjection(input: $i) { queryCode } }",
        json!({ "i": { "subject": objected, "targetKind": "ENTRY", "targetId": entry, "reason": "有误", "contact": "c" } }), None).await;
    app.list(&app.publisher("210900.tax"), &red, "tax-a-level", json!({}))
        .await;

    let mut codes = vec![black.clone(), red.clone(), objected.clone()];
    codes.extend((0..10).map(|i| format!("BAD-{i}")));
    while codes.len() < 1000 {
        codes.push(new_uscc("210902"));
    }
    let r = app.gql(SCREEN, json!({ "codes": codes }), None).await;
    assert_no_errors(&r);
    let items = r["data"]["screen"].as_array().unwrap();
    assert_eq!(items.len(), 1000);
    assert_eq!(items[0]["found"], true);
    assert_eq!(
        items[0]["blackEntries"][0]["listType"]["code"],
        "court-dishonest-debtor"
    );
    assert_eq!(items[0]["underObjection"], false);
    assert_eq!(items[1]["redEntries"][0]["listType"]["code"], "tax-a-level");
    assert!(items[1]["blackEntries"].as_array().unwrap().is_empty());
    assert_eq!(items[2]["underObjection"], true);
    for item in &items[3..13] {
        assert_eq!(item["valid"], false);
        assert!(item["error"].as_str().unwrap().contains("无效"));
    }
    assert!(
        items[13..]
            .iter()
            .all(|i| i["valid"] == true && i["found"] == false)
    );
    // The order of the answer is the order of the question.
    assert!(
        items
            .iter()
            .zip(&codes)
            .all(|(i, c)| i["input"] == c.as_str())
    );

    codes.push(new_uscc("210902"));
    let r = app.gql(SCREEN, json!({ "codes": codes }), None).await;
    assert_eq!(
        error_of(&r),
        ("BAD_USER_INPUT".into(), Some("codes".into()))
    );
}
