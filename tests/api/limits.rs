//! Limits: over-deep and over-complex queries refused before they run, documents whose fragments
//! multiply refused before validation, a time budget for queries, oversized and slow bodies,
//! errors said once, introspection (and suggestions) that production can switch off, and requests a
//! page on another site could make a browser send.

use crate::helpers::*;
use serde_json::json;

/// `depth` levels of subject → listEntries → edges → node → subject ….
fn nested(depth: usize) -> String {
    let mut inner = "name".to_owned();
    for _ in 0..depth {
        inner = format!("listEntries {{ edges {{ node {{ subject {{ {inner} }} }} }} }}");
    }
    inner
}

#[tokio::test]
async fn over_deep_and_over_complex_queries_are_refused_before_they_run() {
    let app = TestApp::spawn().await;
    let token = app.publisher("210900.market");
    let code = new_uscc("210902");
    let deep = format!(
        "mutation {{ registerSubject(input: {{ code: \"{code}\", kind: LEGAL_PERSON, name: \"深\", jurisdiction: \"210902\", representativeName: \"王伟\" }}) {{ subject {{ {} }} }} }}",
        nested(5)
    );
    let r = app.gql(&deep, json!({}), Some(&token)).await;
    assert_eq!(error_of(&r).0, "BAD_USER_INPUT");
    assert!(
        r["errors"][0]["message"]
            .as_str()
            .unwrap()
            .to_lowercase()
            .contains("nested"),
        "{r}"
    );
    assert_eq!(r["errors"][0]["extensions"]["limit"], "depth");
    assert!(r.get("data").is_none(), "{r}");
    let r = app
        .gql(
            "query($c: String!) { subject(code: $c) { name } }",
            json!({ "c": code }),
            None,
        )
        .await;
    assert!(
        r["data"]["subject"].is_null(),
        "the over-deep mutation never ran"
    );

    let wide: String = (0..150)
        .map(|i| {
            format!(
                "a{i}: subjects(first: 1) {{ edges {{ node {{ code name kind jurisdiction }} }} }} "
            )
        })
        .collect();
    let r = app.gql(&format!("{{ {wide} }}"), json!({}), None).await;
    assert_eq!(error_of(&r).0, "BAD_USER_INPUT");
    assert!(
        r["errors"][0]["message"]
            .as_str()
            .unwrap()
            .to_lowercase()
            .contains("complex"),
        "{r}"
    );

    // A reasonable nesting still works.
    let ok = format!(
        "{{ subjects(first: 1) {{ edges {{ node {{ {} }} }} }} }}",
        nested(2)
    );
    assert_no_errors(&app.gql(&ok, json!({}), None).await);
}

const INTROSPECTION: &str = "query IntrospectionQuery { __schema { queryType { name } mutationType { name } subscriptionType { name }
  types { ...FullType } directives { name description locations args { ...InputValue } } } }
fragment FullType on __Type { kind name description fields(includeDeprecated: true) { name description args { ...InputValue } type { ...TypeRef } isDeprecated deprecationReason }
  inputFields { ...InputValue } interfaces { ...TypeRef } enumValues(includeDeprecated: true) { name description isDeprecated deprecationReason } possibleTypes { ...TypeRef } }
fragment InputValue on __InputValue { name description type { ...TypeRef } defaultValue }
fragment TypeRef on __Type { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name } } } } } } } }";

#[tokio::test]
async fn graphiql_s_introspection_fits_the_limits_and_can_be_switched_off() {
    let app = TestApp::spawn().await;
    let r = app.gql(INTROSPECTION, json!({}), None).await;
    assert_no_errors(&r);
    assert_eq!(r["data"]["__schema"]["queryType"]["name"], "Query");
    let closed = TestApp::spawn_with(|s| s.introspection = false).await;
    let r = closed.gql(INTROSPECTION, json!({}), None).await;
    assert!(
        r["data"]["__schema"].is_null(),
        "introspection answers nothing: {r}"
    );
    let r = closed
        .gql("{ jurisdictions { code } }", json!({}), None)
        .await;
    assert_no_errors(&r);
}

#[tokio::test]
async fn an_oversized_body_is_refused() {
    let app = TestApp::spawn().await;
    let padding = "x".repeat(9 * 1024 * 1024);
    let resp = app
        .client
        .post(format!("{}/graphql", app.address))
        .header("content-type", "application/json")
        .body(format!(
            "{{\"query\":\"{{ me {{ kind }} }}\",\"extensions\":{{\"pad\":\"{padding}\"}}}}"
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 413);
    let body: serde_json::Value = resp.json().await.unwrap();
    assert_eq!(error_of(&body).0, "BAD_USER_INPUT");
}

#[tokio::test]
async fn a_client_over_its_rate_is_told_when_to_come_back() {
    let app = TestApp::spawn_with(|s| {
        s.rate_limit_burst = 3;
        s.rate_limit_per_second = 0.2;
    })
    .await;
    for _ in 0..3 {
        let resp = app
            .raw_post(json!({ "query": "{ me { kind } }" }), None)
            .await;
        assert_eq!(resp.status(), 200);
    }
    let resp = app
        .raw_post(json!({ "query": "{ me { kind } }" }), None)
        .await;
    assert_eq!(resp.status(), 429);
    let retry: u64 = resp.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=5).contains(&retry), "{retry}");
    // The IETF draft's fields: the plan (3 requests, refilled in 15 s) and none left for now.
    assert_eq!(resp.headers()["ratelimit-policy"], "\"burst\";q=3;w=15");
    assert_eq!(
        resp.headers()["ratelimit"].to_str().unwrap(),
        format!("\"burst\";r=0;t={retry}")
    );
    let body: serde_json::Value = resp.json().await.unwrap();
    assert_eq!(error_of(&body).0, "RATE_LIMITED");
    // Another client has its own allowance.
    let token = app.token("210900.court", &[]);
    let resp = app
        .raw_post(json!({ "query": "{ me { kind } }" }), Some(&token))
        .await;
    assert_eq!(resp.status(), 200);
}

/// Fragments F0 … F`levels`, each spreading the one before twice: about 1 KB for 30 levels, and
/// 2³⁰ fields once expanded.
fn fragment_bomb(levels: usize) -> String {
    let mut text = format!(
        "query Bomb {{ ...F{levels} }}\nfragment F0 on Query {{ jurisdictions {{ code }} }}\n"
    );
    for i in 1..=levels {
        text.push_str(&format!(
            "fragment F{i} on Query {{ ...F{p} ...F{p} }}\n",
            p = i - 1
        ));
    }
    text
}

#[tokio::test]
async fn a_fragment_bomb_is_refused_at_once_while_other_requests_are_answered() {
    let app = TestApp::spawn().await;
    let bomb = fragment_bomb(30);
    assert!(bomb.len() < 2_000, "{}", bomb.len());
    let started = std::time::Instant::now();
    let (a, b, health, normal) = tokio::join!(
        app.gql(&bomb, json!({}), None),
        app.gql(&bomb, json!({}), None),
        app.client.get(format!("{}/healthz", app.address)).send(),
        app.gql("{ jurisdictions { code } }", json!({}), None),
    );
    let elapsed = started.elapsed();
    for r in [&a, &b] {
        assert_eq!(error_of(r).0, "BAD_USER_INPUT", "{r}");
        assert_eq!(r["errors"][0]["extensions"]["limit"], "selections", "{r}");
        assert_eq!(r["errors"].as_array().unwrap().len(), 1, "{r}");
        assert!(r["data"].is_null());
    }
    assert_eq!(health.unwrap().status(), 200);
    assert_no_errors(&normal);
    assert!(
        elapsed < std::time::Duration::from_secs(1),
        "two bombs, a health check and a query took {elapsed:?}"
    );
    // Sent as a persisted query, it is measured all the same, when registered and by its hash.
    let hash = persistence::sha256_hex(&bomb);
    let ext = json!({ "persistedQuery": { "version": 1, "sha256Hash": hash } });
    let started = std::time::Instant::now();
    for body in [
        json!({ "query": bomb, "extensions": ext }),
        json!({ "extensions": ext }),
    ] {
        let r: serde_json::Value = app.raw_post(body, None).await.json().await.unwrap();
        assert_eq!(r["errors"][0]["extensions"]["limit"], "selections", "{r}");
    }
    assert!(started.elapsed() < std::time::Duration::from_secs(1));
    // The limit is on the expanded document, not on fragments as such: a few levels pass.
    assert_no_errors(&app.gql(&fragment_bomb(4), json!({}), None).await);
}

#[tokio::test]
async fn each_limit_is_named_and_a_repeated_mistake_is_one_error() {
    let app = TestApp::spawn().await;
    // Ten thousand duplicate directives were 9,999 errors in 1.25 MB: now one, for the size; sixty
    // are one, for the directives.
    for (copies, limit, max) in [
        (10_000, "documentBytes", 100 * 1024),
        (60, "directives", 50),
    ] {
        let directives = "@skip(if: false) ".repeat(copies);
        let r = app
            .gql(
                &format!("{{ jurisdictions {directives} {{ code }} }}"),
                json!({}),
                None,
            )
            .await;
        assert_eq!(r["errors"].as_array().unwrap().len(), 1, "{r}");
        assert_eq!(r["errors"][0]["extensions"]["limit"], limit);
        assert_eq!(r["errors"][0]["extensions"]["max"], max);
    }
    let variables: String = (0..101).map(|i| format!("$v{i}: Int ")).collect();
    let r = app
        .gql(
            &format!("query({variables}) {{ __typename }}"),
            json!({}),
            None,
        )
        .await;
    assert_eq!(r["errors"][0]["extensions"]["limit"], "variables", "{r}");

    let aliases: String = (0..201).map(|i| format!("a{i}: me {{ kind }} ")).collect();
    let r = app.gql(&format!("{{ {aliases} }}"), json!({}), None).await;
    assert_eq!(r["errors"][0]["extensions"]["limit"], "aliases", "{r}");

    let cycle = "{ ...A } fragment A on Query { ...B } fragment B on Query { ...A }";
    let r = app.gql(cycle, json!({}), None).await;
    assert_eq!(error_of(&r).0, "BAD_USER_INPUT", "{r}");

    // A hundred unknown fields of one name are one error, naming its places.
    let unknown = "nosuchfield ".repeat(100);
    let r = app.gql(&format!("{{ {unknown} }}"), json!({}), None).await;
    let errors = r["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 1, "{r}");
    assert_eq!(errors[0]["locations"].as_array().unwrap().len(), 10);
    // Many different mistakes are cut at twenty and a count of the rest.
    let many: String = (0..100).map(|i| format!("unknown{i} ")).collect();
    let r = app.gql(&format!("{{ {many} }}"), json!({}), None).await;
    let errors = r["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 21, "{r}");
    assert!(
        errors[20]["message"].as_str().unwrap().contains("80"),
        "{r}"
    );
}

#[tokio::test]
async fn a_query_past_its_time_budget_is_stopped_with_its_code_and_a_mutation_is_not() {
    let app = TestApp::spawn_with(|s| s.query_budget_ms = 1).await;
    let token = app.publisher("210900.market");
    // A mutation runs to its end whatever the budget: its answer says it committed.
    let code = app.company("210902").await;
    // Every entry is read through a batching loader that waits for its batch: past 1 ms.
    let r = app
        .gql(
            "query($c: String!) { subject(code: $c) { name listEntries { edges { node { id } } } } }",
            json!({ "c": code }),
            Some(&token),
        )
        .await;
    let (code_of, _) = error_of(&r);
    assert_eq!(code_of, "TIMEOUT", "{r}");
    assert_eq!(r["errors"][0]["extensions"]["limit"], "queryBudgetMs");
    let fast = TestApp::spawn().await;
    let code = fast.company("210902").await;
    let r = fast
        .gql(
            "query($c: String!) { subject(code: $c) { name listEntries { edges { node { id } } } } }",
            json!({ "c": code }),
            None,
        )
        .await;
    assert_no_errors(&r);
}

#[tokio::test]
async fn a_body_sent_slowly_is_answered_408_and_its_connection_closed() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let app = TestApp::spawn_with(|s| s.body_timeout_ms = 1_000).await;
    let address = app.address.trim_start_matches("http://").to_owned();
    let mut stream = tokio::net::TcpStream::connect(&address).await.unwrap();
    let body = r#"{"query":"{ me { kind } }"}"#;
    stream
        .write_all(
            format!(
                "POST /graphql HTTP/1.1\r\nHost: {address}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
                body.len()
            )
            .as_bytes(),
        )
        .await
        .unwrap();
    let started = std::time::Instant::now();
    let writer = async {
        for byte in body.bytes() {
            if stream.write_all(&[byte]).await.is_err() {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(400)).await;
            if started.elapsed() > std::time::Duration::from_secs(5) {
                break;
            }
        }
        stream
    };
    let mut stream = writer.await;
    let mut answer = Vec::new();
    let read = tokio::time::timeout(
        std::time::Duration::from_secs(5),
        stream.read_to_end(&mut answer),
    )
    .await;
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(
        read.is_ok(),
        "the connection was closed, not kept open: {answer}"
    );
}

#[tokio::test]
async fn suggestions_are_off_with_introspection() {
    let open = TestApp::spawn().await;
    let r = open.gql("{ jurisdiction { code } }", json!({}), None).await;
    assert!(
        r["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("Did you mean"),
        "{r}"
    );
    let closed = TestApp::spawn_with(|s| s.introspection = false).await;
    let r = closed
        .gql("{ jurisdiction { code } }", json!({}), None)
        .await;
    assert_eq!(error_of(&r).0, "GRAPHQL_VALIDATION_FAILED");
    assert!(
        !r["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("Did you mean"),
        "{r}"
    );
}

#[tokio::test]
async fn a_mutation_over_get_is_405_and_a_post_that_is_not_json_is_415() {
    let app = TestApp::spawn().await;
    let token = app.publisher("210900.market");
    let code = new_uscc("210902");
    let mutation = format!(
        "mutation {{ registerSubject(input: {{ code: \"{code}\", kind: LEGAL_PERSON, name: \"跨站\", jurisdiction: \"210902\", representativeName: \"王伟\" }}) {{ subject {{ code }} }} }}"
    );
    let resp = app
        .client
        .get(format!("{}/graphql", app.address))
        .query(&[("query", mutation.as_str())])
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 405);
    assert_eq!(resp.headers()["allow"], "POST");
    let body: serde_json::Value = resp.json().await.unwrap();
    assert_eq!(error_of(&body).0, "METHOD_NOT_ALLOWED");
    // Queries over GET still work.
    let resp = app
        .client
        .get(format!("{}/graphql", app.address))
        .query(&[("query", "{ jurisdictions { code } }")])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);

    for content_type in [
        "text/plain",
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=x",
    ] {
        let resp = app
            .client
            .post(format!("{}/graphql", app.address))
            .header("content-type", content_type)
            .bearer_auth(&token)
            .body(serde_json::to_string(&json!({ "query": mutation })).unwrap())
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 415, "{content_type}");
    }
    let resp = app
        .client
        .post(format!("{}/graphql", app.address))
        .header("content-type", "application/graphql-response+json")
        .bearer_auth(&token)
        .body(serde_json::to_string(&json!({ "query": "{ me { kind } }" })).unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let resp = app
        .client
        .put(format!("{}/graphql", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 405);

    let r = app
        .gql(
            "query($c: String!) { subject(code: $c) { name } }",
            json!({ "c": code }),
            None,
        )
        .await;
    assert!(
        r["data"]["subject"].is_null(),
        "nothing was registered: {r}"
    );
}
