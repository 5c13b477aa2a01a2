//! Limits: over-deep and over-complex queries refused before they run, oversized bodies, and
//! introspection that production can switch off.

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
        "mutation {{ registerSubject(input: {{ code: \"{code}\", kind: LEGAL_PERSON, name: \"深\", jurisdiction: \"210902\", representativeName: \"王伟\" }}) {{ {} }} }}",
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
    assert!(r["data"].is_null());
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

    let wide: String = (0..600)
        .map(|i| format!("a{i}: jurisdictions {{ code }} "))
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
    let body: serde_json::Value = resp.json().await.unwrap();
    assert_eq!(error_of(&body).0, "RATE_LIMITED");
    // Another client has its own allowance.
    let token = app.token("210900.court", &[]);
    let resp = app
        .raw_post(json!({ "query": "{ me { kind } }" }), Some(&token))
        .await;
    assert_eq!(resp.status(), 200);
}
