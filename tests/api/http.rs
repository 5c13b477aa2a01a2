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
    assert_eq!(error_of(&r).0, "GRAPHQL_PARSE_FAILED");
    assert!(
        r["errors"][0]["message"]
            .as_str()
            .unwrap()
            .starts_with("GraphQL 文档无法解析")
    );
    assert!(r.get("data").is_none(), "{r}");
    let r = app.gql("{ noSuchField }", json!({}), None).await;
    assert_eq!(error_of(&r).0, "GRAPHQL_VALIDATION_FAILED");
    let message = r["errors"][0]["message"].as_str().unwrap();
    assert!(
        message.starts_with("GraphQL 文档不符合接口定义") && message.contains("noSuchField"),
        "{message}"
    );
    assert!(r.get("data").is_none(), "{r}");
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
    let body: serde_json::Value = resp.json().await.unwrap();
    assert!(body.get("data").is_none(), "{body}");
}

/// Sends a request built by `build`; returns the status, the content type and the JSON body.
async fn refusal_of(build: reqwest::RequestBuilder) -> (u16, String, serde_json::Value) {
    let resp = build.send().await.unwrap();
    let status = resp.status().as_u16();
    let content_type = resp.headers()["content-type"].to_str().unwrap().to_owned();
    let body = resp
        .json()
        .await
        .unwrap_or_else(|e| panic!("not JSON ({status}): {e}"));
    (status, content_type, body)
}

#[tokio::test]
async fn every_refusal_of_the_request_layer_is_json_with_a_code_and_the_field() {
    let app = TestApp::spawn().await;
    let url = format!("{}/graphql", app.address);
    let post = |body: &'static str| {
        app.client
            .post(&url)
            .header("content-type", "application/json")
            .body(body)
    };
    for (request, status, code, field) in [
        (post("{\"query\": "), 400, "BAD_USER_INPUT", Some("body")),
        (
            post("[{\"query\":\"{ me { kind } }\"}]"),
            400,
            "BAD_USER_INPUT",
            Some("body"),
        ),
        (
            post("{\"qeury\":\"{ me { kind } }\"}"),
            400,
            "BAD_USER_INPUT",
            Some("qeury"),
        ),
        (post("{\"query\": 7}"), 400, "BAD_USER_INPUT", Some("query")),
        (
            post("{\"query\":\"{ me { kind } }\",\"variables\":[]}"),
            400,
            "BAD_USER_INPUT",
            Some("variables"),
        ),
        (
            app.client.get(format!("{url}?variables=%7B")),
            400,
            "BAD_USER_INPUT",
            Some("variables"),
        ),
        (app.client.get(&url), 400, "BAD_USER_INPUT", Some("query")),
        (
            app.client
                .post(&url)
                .header("content-type", "text/plain")
                .body("{}"),
            415,
            "BAD_USER_INPUT",
            None,
        ),
        (app.client.put(&url), 405, "METHOD_NOT_ALLOWED", None),
        (
            app.client.get(format!("{}/no-such-page", app.address)),
            404,
            "NOT_FOUND",
            None,
        ),
        (
            app.client.post(format!("{}/healthz", app.address)),
            405,
            "METHOD_NOT_ALLOWED",
            None,
        ),
    ] {
        let (got, content_type, body) = refusal_of(request).await;
        assert_eq!(got, status, "{body}");
        assert!(
            content_type.starts_with("application/json"),
            "{content_type}"
        );
        let error = &body["errors"][0];
        assert_eq!(error["extensions"]["code"], code, "{body}");
        assert_eq!(error["extensions"]["field"].as_str(), field, "{body}");
        let message = error["message"].as_str().unwrap();
        assert!(
            !message.contains("enum") && !message.contains("serde"),
            "{message}"
        );
        assert!(
            message
                .chars()
                .any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
            "{message}"
        );
    }
}

#[tokio::test]
async fn refusals_below_graphql_come_in_the_media_type_asked_for() {
    let app = TestApp::spawn().await;
    let url = format!("{}/graphql", app.address);
    let modern = "application/graphql-response+json";
    let oversized = vec![b' '; 9 * 1024 * 1024];
    for (request, status) in [
        (
            app.client
                .post(&url)
                .header("content-type", "text/plain")
                .body("{}"),
            415,
        ),
        (app.client.put(&url), 405),
        (app.client.get(format!("{}/no-such-page", app.address)), 404),
        (
            app.client
                .post(&url)
                .header("content-type", "application/json")
                .body(oversized),
            413,
        ),
    ] {
        let (got, content_type, body) = refusal_of(request.header("accept", modern)).await;
        assert_eq!(got, status, "{body}");
        assert!(content_type.starts_with(modern), "{status}: {content_type}");
        assert!(body.get("data").is_none(), "{body}");
        assert!(
            body["errors"][0]["extensions"]["code"].is_string(),
            "{body}"
        );
    }
}

#[tokio::test]
async fn health_and_readiness_answer_head() {
    let app = TestApp::spawn().await;
    for path in ["/healthz", "/readyz"] {
        let r = app
            .client
            .head(format!("{}{path}", app.address))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200, "{path}");
        assert!(r.bytes().await.unwrap().is_empty());
    }
}

#[tokio::test]
async fn a_preflight_is_answered_for_listed_origins_only() {
    // The test settings list https://portal.example.gov.cn.
    let app = TestApp::spawn().await;
    let preflight = |origin: &'static str| {
        app.client
            .request(reqwest::Method::OPTIONS, format!("{}/graphql", app.address))
            .header("origin", origin)
            .header("access-control-request-method", "POST")
            .header(
                "access-control-request-headers",
                "authorization, content-type",
            )
            .send()
    };
    let r = preflight("https://portal.example.gov.cn").await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(
        r.headers()["access-control-allow-origin"],
        "https://portal.example.gov.cn"
    );
    let allowed = r.headers()["access-control-allow-headers"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        allowed.contains("authorization") && allowed.contains("content-type"),
        "{allowed}"
    );
    assert!(
        r.headers()["access-control-allow-methods"]
            .to_str()
            .unwrap()
            .contains("POST")
    );
    let r = preflight("https://elsewhere.example").await.unwrap();
    assert!(r.headers().get("access-control-allow-origin").is_none());
    assert_eq!(r.status(), 400);
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(body["errors"][0]["extensions"]["code"], "FORBIDDEN");
    // The request itself from the listed page may read its answer; from another page it may not.
    for (origin, readable) in [
        ("https://portal.example.gov.cn", true),
        ("https://elsewhere.example", false),
    ] {
        let r = app
            .client
            .post(format!("{}/graphql", app.address))
            .header("origin", origin)
            .json(&json!({ "query": "{ me { kind } }" }))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        assert_eq!(
            r.headers().get("access-control-allow-origin").is_some(),
            readable,
            "{origin}"
        );
    }
}

#[tokio::test]
async fn a_websocket_from_a_page_of_another_origin_is_refused() {
    use tokio_tungstenite::tungstenite::client::IntoClientRequest;
    let app = TestApp::spawn().await;
    let connect = |origin: &'static str| {
        let url = format!("{}/graphql", app.address.replace("http://", "ws://"));
        let mut request = url.into_client_request().unwrap();
        let headers = request.headers_mut();
        headers.insert(
            "sec-websocket-protocol",
            "graphql-transport-ws".parse().unwrap(),
        );
        headers.insert("origin", origin.parse().unwrap());
        tokio_tungstenite::connect_async(request)
    };
    match connect("https://elsewhere.example").await {
        Err(tokio_tungstenite::tungstenite::Error::Http(response)) => {
            assert_eq!(response.status(), 403)
        }
        other => panic!("expected 403, got {:?}", other.map(|r| r.1)),
    }
    assert!(connect("https://portal.example.gov.cn").await.is_ok());
    let own: &'static str = Box::leak(app.address.clone().into_boxed_str());
    assert!(
        connect(own).await.is_ok(),
        "the server's own page (GraphiQL) may subscribe"
    );
}

#[tokio::test]
async fn answers_are_compressed_when_the_client_asks_and_vary_says_by_what() {
    let app = TestApp::spawn().await;
    let query = "{ jurisdictions { code name } listTypes { code name } }";
    let raw = reqwest::Client::builder()
        .no_gzip()
        .no_brotli()
        .build()
        .unwrap();
    let plain = raw
        .post(format!("{}/graphql", app.address))
        .json(&json!({ "query": query }))
        .send()
        .await
        .unwrap();
    assert!(
        plain
            .headers()
            .get("content-encoding")
            .is_none_or(|v| v == "identity")
    );
    let plain = plain.bytes().await.unwrap();
    assert!(plain.len() > 1000, "{}", plain.len());
    for encoding in ["gzip", "br"] {
        let r = raw
            .post(format!("{}/graphql", app.address))
            .header("accept-encoding", encoding)
            .json(&json!({ "query": query }))
            .send()
            .await
            .unwrap();
        assert_eq!(r.headers()["content-encoding"], encoding);
        let vary = r
            .headers()
            .get_all("vary")
            .iter()
            .map(|v| v.to_str().unwrap().to_ascii_lowercase())
            .collect::<Vec<_>>()
            .join(",");
        for by in ["accept", "authorization", "accept-encoding"] {
            assert!(vary.split(',').any(|v| v.trim() == by), "{vary}");
        }
        let sent = r.bytes().await.unwrap();
        assert!(
            sent.len() * 4 < plain.len() * 3,
            "{encoding}: {} of {}",
            sent.len(),
            plain.len()
        );
    }
    // A client that decodes them reads the same answer.
    for (gzip, brotli) in [(true, false), (false, true)] {
        let client = reqwest::Client::builder()
            .gzip(gzip)
            .brotli(brotli)
            .build()
            .unwrap();
        let decoded = client
            .post(format!("{}/graphql", app.address))
            .json(&json!({ "query": query }))
            .send()
            .await
            .unwrap()
            .bytes()
            .await
            .unwrap();
        assert_eq!(decoded, plain);
    }
    // A small answer is not worth compressing.
    let small = raw
        .post(format!("{}/graphql", app.address))
        .header("accept-encoding", "gzip")
        .json(&json!({ "query": "{ me { kind } }" }))
        .send()
        .await
        .unwrap();
    assert!(
        small
            .headers()
            .get("content-encoding")
            .is_none_or(|v| v == "identity")
    );
}

#[tokio::test]
async fn a_cached_get_has_one_tag_per_media_type() {
    let app = TestApp::spawn().await;
    let get = |accept: &'static str| {
        app.client
            .get(format!("{}/graphql", app.address))
            .query(&[("query", "{ jurisdictions { code } }")])
            .header("accept", accept)
            .send()
    };
    let json = get("application/json").await.unwrap();
    let modern = get("application/graphql-response+json").await.unwrap();
    let (a, b) = (
        json.headers()["etag"].clone(),
        modern.headers()["etag"].clone(),
    );
    assert_ne!(a, b);
    let vary = json.headers()["vary"].to_str().unwrap();
    assert!(
        vary.contains("Accept") && vary.contains("Authorization"),
        "{vary}"
    );
}
