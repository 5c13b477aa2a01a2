//! Automatic persisted queries (Apollo's protocol) and caching headers on public GET answers.

use crate::helpers::*;

#[tokio::test]
async fn a_public_get_by_hash_is_short_cacheable_and_revalidates() {
    let app = TestApp::spawn().await;
    let query = "{ jurisdictions { code name } }";
    let hash = persistence::sha256_hex(query);
    let ext = format!("{{\"persistedQuery\":{{\"version\":1,\"sha256Hash\":\"{hash}\"}}}}");
    let get = |params: Vec<(&'static str, String)>, token: Option<String>| {
        let mut req = app
            .client
            .get(format!("{}/graphql", app.address))
            .query(&params);
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        req.send()
    };
    // Unknown hash: the client is told to send the query once.
    let resp = get(vec![("extensions", ext.clone())], None).await.unwrap();
    let body: serde_json::Value = resp.json().await.unwrap();
    assert_eq!(
        body["errors"][0]["extensions"]["code"],
        "PERSISTED_QUERY_NOT_FOUND"
    );
    // Sent with its hash once, then by hash alone.
    let resp = get(
        vec![("query", query.to_owned()), ("extensions", ext.clone())],
        None,
    )
    .await
    .unwrap();
    assert_eq!(resp.status(), 200);
    let resp = get(vec![("extensions", ext.clone())], None).await.unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.headers()["cache-control"], "public, max-age=30");
    let etag = resp.headers()["etag"].to_str().unwrap().to_owned();
    let body: serde_json::Value = resp.json().await.unwrap();
    assert!(body["data"]["jurisdictions"].as_array().unwrap().len() >= 8);
    // Revalidation: nothing changed, nothing sent.
    let resp = app
        .client
        .get(format!("{}/graphql", app.address))
        .query(&[("extensions", ext.clone())])
        .header("if-none-match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 304);
    // A hash that does not match its query is refused.
    let bad = ext.replace(&hash[..8], "00000000");
    let resp = get(vec![("query", query.to_owned()), ("extensions", bad)], None)
        .await
        .unwrap();
    let body: serde_json::Value = resp.json().await.unwrap();
    assert!(body["errors"].is_array());
    // An answer for a token holder is never cached.
    let resp = get(
        vec![("extensions", ext)],
        Some(app.token("210900.court", &[])),
    )
    .await
    .unwrap();
    assert_eq!(resp.headers()["cache-control"], "private, no-store");
    assert!(resp.headers().get("etag").is_none());
}
