//! `/metrics` read by a Prometheus text parser, and the access log: one JSON line per request,
//! never a token or a whole citizen id.

use crate::helpers::*;
use crate::keys::{serve_demo_logging, temp_sqlite};
use prometheus_parse::{Sample, Scrape, Value};
use serde_json::json;

async fn scrape(app: &TestApp) -> Scrape {
    let text = app.metrics_text().await;
    Scrape::parse(text.lines().map(|l| Ok(l.to_owned()))).unwrap()
}

fn samples<'a>(scrape: &'a Scrape, name: &str) -> Vec<&'a Sample> {
    let found: Vec<_> = scrape.samples.iter().filter(|s| s.metric == name).collect();
    assert!(!found.is_empty(), "{name} in /metrics");
    found
}

fn value(sample: &Sample) -> f64 {
    match &sample.value {
        Value::Counter(v) | Value::Gauge(v) | Value::Untyped(v) => *v,
        Value::Histogram(h) => h.iter().map(|b| b.count).fold(0.0, f64::max),
        Value::Summary(_) => f64::NAN,
    }
}

#[tokio::test]
async fn metrics_count_requests_by_operation_kind_and_code_and_read_the_database_and_process() {
    let app = TestApp::spawn().await;
    for _ in 0..2 {
        let r = app
            .gql(
                "query LookUpJurisdictions { jurisdictions { code } }",
                json!({}),
                None,
            )
            .await;
        assert_no_errors(&r);
    }
    let r = app
        .gql("query Broken { noSuchField }", json!({}), None)
        .await;
    assert_eq!(error_of(&r).0, "GRAPHQL_VALIDATION_FAILED");
    let token = app.publisher("210900.market");
    let r = app
        .gql(
            "mutation Nothing { removeWebhook { removedEndpointId } }",
            json!({}),
            Some(&token),
        )
        .await;
    let mutation_code = r["errors"][0]["extensions"]["code"]
        .as_str()
        .unwrap_or("OK")
        .to_owned();

    let s = scrape(&app).await;
    let requests = samples(&s, "xinyong_graphql_requests_total");
    let count = |op: &str, kind: &str, code: &str| {
        requests
            .iter()
            .filter(|x| {
                x.labels.get("operation") == Some(op)
                    && x.labels.get("kind") == Some(kind)
                    && x.labels.get("code") == Some(code)
            })
            .map(|x| value(x))
            .sum::<f64>()
    };
    assert_eq!(count("LookUpJurisdictions", "query", "OK"), 2.0);
    assert_eq!(count("Broken", "query", "GRAPHQL_VALIDATION_FAILED"), 1.0);
    assert_eq!(count("Nothing", "mutation", &mutation_code), 1.0);
    let errors = samples(&s, "xinyong_graphql_errors_total");
    assert!(
        errors
            .iter()
            .any(|e| e.labels.get("code") == Some("GRAPHQL_VALIDATION_FAILED"))
    );
    let latency = samples(&s, "xinyong_graphql_request_duration_seconds");
    assert!(
        latency
            .iter()
            .any(|h| h.labels.get("kind") == Some("query") && value(h) >= 3.0)
    );
    assert!(value(samples(&s, "xinyong_database_statement_duration_seconds")[0]) > 0.0);
    let pool = samples(&s, "xinyong_database_pool_connections");
    assert!(pool.iter().any(|p| p.labels.get("state") == Some("idle")));
    samples(&s, "xinyong_database_pool_waiting");
    samples(&s, "xinyong_answer_cache_hits_by_layer");
    samples(&s, "xinyong_subscriptions_open");
    samples(&s, "xinyong_calendar_days_left");
    let outbox = samples(&s, "xinyong_webhook_deliveries");
    assert!(
        outbox
            .iter()
            .any(|o| o.labels.get("status") == Some("dead"))
    );
    assert!(value(samples(&s, "process_resident_memory_bytes")[0]) > 1e6);
    samples(&s, "process_open_fds");
    samples(&s, "process_cpu_seconds_total");
    if std::env::var("XINYONG_TEST_REDIS_URL").is_ok() {
        assert_eq!(value(samples(&s, "xinyong_redis_up")[0]), 1.0);
    }
}

#[tokio::test]
async fn an_operation_name_a_client_makes_up_cannot_grow_the_metrics() {
    let app = TestApp::spawn().await;
    let r = app
        .gql("query Ünïcode { jurisdictions { code } }", json!({}), None)
        .await;
    assert!(r["errors"].is_array() || r["data"].is_object());
    for i in 0..210 {
        app.raw_post(
            json!({ "query": format!("query Q{i} {{ me {{ kind }} }}"), "operationName": format!("Q{i}") }),
            None,
        )
        .await;
    }
    let s = scrape(&app).await;
    let names: std::collections::BTreeSet<_> = samples(&s, "xinyong_graphql_requests_total")
        .iter()
        .filter_map(|x| x.labels.get("operation").map(str::to_owned))
        .collect();
    assert!(names.len() <= 202, "{}", names.len());
    assert!(names.contains("other"));
}

#[tokio::test]
async fn each_request_has_one_json_access_line_without_tokens_or_citizen_ids() {
    let (database, file) = temp_sqlite();
    let (demo, banner) = serve_demo_logging(&database, "json");
    let token = banner
        .iter()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .find(|l| l["banner"] == "demo_token" && l["department"] == "210900.court")
        .and_then(|l| l["token"].as_str().map(str::to_owned))
        .unwrap();
    let person = new_citizen_id("210902");
    let client = reqwest::Client::new();
    let mut sent = Vec::new();
    for (query, variables, bearer) in [
        ("query Who { me { kind } }", json!({}), Some(token.as_str())),
        (
            "query One($c: String!) { subject(code: $c) { name } }",
            json!({ "c": person }),
            None,
        ),
    ] {
        let mut req = client
            .post(format!("{}/graphql", demo.address))
            .header(
                "traceparent",
                "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
            )
            .json(&json!({ "query": query, "variables": variables }));
        if let Some(t) = bearer {
            req = req.bearer_auth(t);
        }
        let resp = req.send().await.unwrap();
        sent.push(resp.headers()["x-request-id"].to_str().unwrap().to_owned());
    }
    let mut access = Vec::new();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while access.len() < sent.len() && std::time::Instant::now() < deadline {
        let Ok(line) = demo
            .later_lines
            .recv_timeout(std::time::Duration::from_millis(200))
        else {
            continue;
        };
        assert!(!line.contains(&token), "a token in the log: {line}");
        assert!(
            !line.contains(&person),
            "a whole citizen id in the log: {line}"
        );
        let parsed: serde_json::Value =
            serde_json::from_str(&line).unwrap_or_else(|e| panic!("not JSON ({e}): {line}"));
        if parsed["target"] == "xinyong::access" {
            access.push(parsed["fields"].clone());
        }
    }
    assert_eq!(access.len(), 2, "{access:?}");
    for (line, id) in access.iter().zip(&sent) {
        assert_eq!(line["request_id"], id.as_str());
        assert_eq!(line["trace_id"], "4bf92f3577b34da6a3ce929d0e0e4736");
        assert_eq!(line["status"], 200);
        assert!(line["duration_ms"].as_f64().is_some());
    }
    assert_eq!(access[0]["operation"], "Who");
    assert_eq!(access[0]["kind"], "query");
    assert_eq!(access[0]["code"], "OK");
    assert_eq!(access[0]["caller"], "department:210900.court");
    assert_eq!(access[1]["caller"], "public");
    drop(demo);
    let _ = std::fs::remove_file(file);
}
