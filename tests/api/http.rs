use crate::helpers::*;
use serde_json::json;

#[tokio::test]
async fn health_and_readiness() {
    let app = TestApp::spawn().await;
    let r = app
        .client
        .get(format!("{}/healthz", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    // Ready once the cache hears invalidations: with Redis, its subscription may still be on its
    // way just after start (then "degraded"); it must arrive within seconds.
    let mut body = serde_json::Value::Null;
    for _ in 0..50 {
        let r = app
            .client
            .get(format!("{}/readyz", app.address))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        body = r.json().await.unwrap();
        if body["status"] == "ready" {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(body["status"], "ready", "{body}");
    // The run against PostgreSQL and Redis must really use them: fail, never skip, if not.
    let want_db = if std::env::var("XINYONG_TEST_DATABASE_URL").is_ok_and(|s| !s.is_empty()) {
        "postgres"
    } else {
        "sqlite"
    };
    let want_cache = if std::env::var("XINYONG_TEST_REDIS_URL").is_ok_and(|s| !s.is_empty()) {
        "redis"
    } else {
        "in-process"
    };
    assert_eq!(body["database"]["backend"], want_db);
    assert_eq!(body["cache"]["kind"], want_cache);
}

#[tokio::test]
async fn get_queries_graphiql_and_request_ids() {
    let app = TestApp::spawn().await;
    let r = app
        .client
        .get(format!("{}/graphql", app.address))
        .query(&[("query", "{ jurisdictions { code } }")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(r.headers().contains_key("x-request-id"));
    assert_eq!(r.headers()["content-type"], "application/json");
    let body: serde_json::Value = r.json().await.unwrap();
    assert!(body["data"]["jurisdictions"].as_array().unwrap().len() >= 8);
    let r = app
        .client
        .get(format!("{}/graphql", app.address))
        .header("accept", "text/html")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(r.text().await.unwrap().contains("graphiql"));
    let r = app
        .client
        .post(format!("{}/graphql", app.address))
        .header("x-request-id", "abc-123")
        .json(&json!({ "query": "{ me { kind } }" }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["x-request-id"], "abc-123");
}

#[tokio::test]
async fn request_errors_carry_a_code() {
    let app = TestApp::spawn().await;
    let r = app
        .gql("{ subject(code: ) { name } }", json!({}), None)
        .await;
    assert_eq!(error_of(&r).0, "BAD_USER_INPUT");
    let r = app.gql("{ noSuchField }", json!({}), None).await;
    assert_eq!(error_of(&r).0, "BAD_USER_INPUT");
    // With the GraphQL-over-HTTP media type, a request that never ran is a 400.
    let resp = app
        .client
        .post(format!("{}/graphql", app.address))
        .header("accept", "application/graphql-response+json")
        .json(&json!({ "query": "{ noSuchField }" }))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 400);
    assert_eq!(
        resp.headers()["content-type"],
        "application/graphql-response+json"
    );
}
