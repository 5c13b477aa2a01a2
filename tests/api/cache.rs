//! Cached public answers: they change the moment a listing, an objection, a repair or an expiry
//! touches their subject — on one instance, across two instances sharing Redis, and with Redis
//! stopped and started again mid-run.

use crate::helpers::*;
use crate::redis_server::RedisServer;
use serde_json::{Value, json};
use std::time::{Duration, Instant};

const VIEW: &str = "query($c: String!) { subject(code: $c) { code listEntries { edges { node { id status underObjection } } } } }";
const SEARCH: &str =
    "query($s: String!) { subjects(search: $s, first: 5) { edges { node { code } } } }";
const FILE: &str =
    "mutation($input: FileObjectionInput!) { fileObjection(input: $input) { objection { id } } }";
const ACCEPT: &str =
    "mutation($id: ID!) { acceptObjection(input: { id: $id }) { objection { status } } }";
const UPHOLD: &str = "mutation($id: ID!) { decideObjection(input: { id: $id, upheld: true, reason: \"经核查，列入依据有误\" }) { objection { status } } }";
const APPLY: &str =
    "mutation($input: ApplyRepairInput!) { applyRepair(input: $input) { repair { id } } }";
const DECIDE: &str = "mutation($id: ID!) { decideRepair(input: { id: $id, approve: true, reason: \"已履行完毕\" }) { repair { status } } }";

/// A public answer and whether the cache gave it.
async fn ask(app: &TestApp, query: &str, variables: Value) -> (Value, String) {
    let resp = app
        .raw_post(json!({ "query": query, "variables": variables }), None)
        .await;
    let status = resp
        .headers()
        .get("x-cache")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    let body: Value = resp.json().await.unwrap();
    assert_no_errors(&body);
    (body, status)
}

/// The public's entries of a subject, and whether the cache gave them.
async fn view(app: &TestApp, code: &str) -> (Vec<Value>, String) {
    let (body, status) = ask(app, VIEW, json!({ "c": code })).await;
    let entries = body["data"]["subject"]["listEntries"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"].clone())
        .collect();
    (entries, status)
}

/// The public's entries, asked until the cache holds them (the first ask may store them).
async fn cached_view(app: &TestApp, code: &str) -> Vec<Value> {
    let (first, _) = view(app, code).await;
    let (again, status) = view(app, code).await;
    assert_eq!(
        status, "HIT",
        "asked twice, the answer comes from the cache"
    );
    assert_eq!(first, again);
    again
}

/// Waits until `/readyz` reports the cache in `state` ("ready" or "degraded").
async fn wait_for_cache(app: &TestApp, state: &str) -> Value {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let r = app
            .client
            .get(format!("{}/readyz", app.address))
            .send()
            .await
            .unwrap();
        assert_eq!(
            r.status(),
            200,
            "without its cache the server is still ready"
        );
        let body: Value = r.json().await.unwrap();
        if body["status"] == state {
            return body;
        }
        assert!(
            Instant::now() < deadline,
            "readyz never said {state}: {body}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

async fn listed(app: &TestApp, code: &str, extra: Value) -> String {
    app.listed_by("210900.court", code, "court-dishonest-debtor", extra)
        .await
}

fn days_ago(n: u64) -> String {
    (domain::time::china_date(chrono::Utc::now()) - chrono::Days::new(n)).to_string()
}

#[tokio::test]
async fn a_cached_answer_changes_the_moment_a_change_touches_its_subject() {
    let app = TestApp::spawn().await;
    wait_for_cache(&app, "ready").await;
    let (a, b) = (app.company("210902").await, app.company("210902").await);
    assert!(cached_view(&app, &a).await.is_empty());
    assert!(cached_view(&app, &b).await.is_empty());
    let name = format!("阜新测试{}有限公司", &a[10..14]);
    ask(&app, SEARCH, json!({ "s": name })).await;
    assert_eq!(ask(&app, SEARCH, json!({ "s": name })).await.1, "HIT");

    // A listing: the subject's answer changes; another subject's stays cached; a search, which
    // enumerates, goes.
    let entry = listed(&app, &a, json!({})).await;
    let (entries, status) = view(&app, &a).await;
    assert_eq!((entries.len(), status.as_str()), (1, "MISS"));
    assert_eq!(view(&app, &b).await.1, "HIT", "invalidation is exact");
    assert_eq!(ask(&app, SEARCH, json!({ "s": name })).await.1, "MISS");

    // An objection: 异议处理中 at once; upheld, the entry leaves the public view at once.
    assert_eq!(cached_view(&app, &a).await[0]["underObjection"], false);
    let r = app
        .gql(
            FILE,
            json!({ "input": { "subject": a, "targetKind": "ENTRY", "targetId": entry,
        "reason": "判决已履行完毕", "contact": "13800000000" } }),
            None,
        )
        .await;
    assert_no_errors(&r);
    let objection = r["data"]["fileObjection"]["objection"]["id"].clone();
    assert_eq!(view(&app, &a).await.0[0]["underObjection"], true);
    let court = app.token("210900.court", &["objections:handle"]);
    assert_no_errors(
        &app.gql(ACCEPT, json!({ "id": objection }), Some(&court))
            .await,
    );
    assert_eq!(cached_view(&app, &a).await.len(), 1);
    assert_no_errors(
        &app.gql(UPHOLD, json!({ "id": objection }), Some(&court))
            .await,
    );
    assert!(view(&app, &a).await.0.is_empty(), "upheld: revoked");

    // A repair: approved, the entry leaves the public view at once. (The court's own list is not
    // repaired by application: the market regulator's is.)
    let market = app.token("210900.market", &["lists:write", "objections:handle"]);
    let r = app
        .list(
            &market,
            &a,
            "market-serious-illegal",
            json!({ "startDate": days_ago(400), "reason": "严重违法失信", "basisDocument": "阜市监列〔2025〕3号" }),
        )
        .await;
    assert_no_errors(&r);
    let entry = r["data"]["addListEntry"]["entry"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(cached_view(&app, &a).await.len(), 1);
    let r = app
        .gql(
            APPLY,
            json!({ "input": { "targetKind": "ENTRY", "targetId": entry,
        "rectification": "已全部履行判决确定的义务", "commitment": "本单位承诺今后依法诚信经营。",
        "attachments": ["履行完毕证明.pdf"] } }),
            Some(&app.subject_token(&a)),
        )
        .await;
    assert_no_errors(&r);
    let repair = r["data"]["applyRepair"]["repair"]["id"].clone();
    assert_eq!(cached_view(&app, &a).await.len(), 1);
    assert_no_errors(
        &app.gql(DECIDE, json!({ "id": repair }), Some(&market))
            .await,
    );
    assert!(view(&app, &a).await.0.is_empty(), "repaired");

    // An expiry: the day after the end, the entry is gone from the public view.
    listed(&app, &b, json!({ "startDate": days_ago(365 * 2 - 3) })).await;
    let end: chrono::NaiveDate = app
        .gql("query($c: String!) { subject(code: $c) { listEntries { edges { node { endDate } } } } }", json!({ "c": b }), None)
        .await["data"]["subject"]["listEntries"]["edges"][0]["node"]["endDate"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(cached_view(&app, &b).await.len(), 1);
    let today = domain::time::china_date(chrono::Utc::now());
    app.clock.advance_days((end - today).num_days() + 1);
    assert!(view(&app, &b).await.0.is_empty(), "expired");

    // A token holder's answers are its own: never from, nor into, the shared cache.
    let resp = app
        .raw_post(
            json!({ "query": VIEW, "variables": { "c": b } }),
            Some(&court),
        )
        .await;
    assert!(resp.headers().get("x-cache").is_none());
}

#[tokio::test]
async fn two_instances_sharing_redis_see_each_other_s_changes_at_once() {
    let redis = RedisServer::start();
    let one = TestApp::spawn_with(|s| s.redis_url = Some(redis.url())).await;
    let two = one.spawn_beside().await;
    wait_for_cache(&one, "ready").await;
    wait_for_cache(&two, "ready").await;
    let code = one.company("210903").await;
    assert!(cached_view(&two, &code).await.is_empty());
    assert!(cached_view(&one, &code).await.is_empty());

    // Listed through the first: the second's in-process copy is gone when the mutation returns.
    let entry = listed(&one, &code, json!({})).await;
    assert_eq!(view(&two, &code).await.0.len(), 1);
    assert_eq!(cached_view(&one, &code).await.len(), 1);
    assert_eq!(cached_view(&two, &code).await.len(), 1);

    // Revoked through the second: the first sees it at once.
    let court = one.publisher("210900.court");
    let r = two.gql("mutation($id: ID!) { revokeListEntry(input: { id: $id, reason: \"生效判决已被撤销\" }) { entry { status } } }", json!({ "id": entry }), Some(&court)).await;
    assert_no_errors(&r);
    assert!(view(&one, &code).await.0.is_empty());
    assert!(view(&two, &code).await.0.is_empty());
}

#[tokio::test]
async fn an_instance_that_redis_does_not_pay_leaves_it_out_and_stays_right() {
    let redis = RedisServer::start();
    let one = TestApp::spawn_with(|s| s.redis_url = Some(redis.url())).await;
    let two = one.spawn_beside().await;
    wait_for_cache(&one, "ready").await;
    wait_for_cache(&two, "ready").await;
    const SKIPPED: &str = "xinyong_answer_cache_shared_reads_skipped_total";

    // A full window of look-ups nobody asked before: Redis never has them.
    for i in 0..256 {
        let (_, status) = ask(&one, &format!("query Q{i} {{ __typename }}"), json!({})).await;
        assert_eq!(status, "MISS");
    }
    assert_eq!(one.metric(SKIPPED).await, 0);

    // Now most answers leave Redis out (one key in 16 still probes it): find such a subject.
    let mut code = String::new();
    for _ in 0..10 {
        code = one.company("210903").await;
        let before = one.metric(SKIPPED).await;
        assert_eq!(view(&one, &code).await.1, "MISS");
        if one.metric(SKIPPED).await == before + 1 {
            break;
        }
    }
    // Its answer is this instance's own: not in Redis for the other, in process for this one.
    assert_eq!(view(&two, &code).await.1, "MISS");
    assert_eq!(view(&one, &code).await.1, "HIT");

    // A change through the other instance reaches it at once all the same.
    listed(&two, &code, json!({})).await;
    assert_eq!(view(&one, &code).await.0.len(), 1);
    assert_eq!(view(&two, &code).await.0.len(), 1);
}

#[tokio::test]
async fn with_redis_stopped_answers_stay_right_and_readyz_says_so() {
    let mut redis = RedisServer::start();
    let app = TestApp::spawn_with(|s| s.redis_url = Some(redis.url())).await;
    wait_for_cache(&app, "ready").await;
    let code = app.company("210902").await;
    assert!(cached_view(&app, &code).await.is_empty());

    redis.stop();
    let ready = wait_for_cache(&app, "degraded").await;
    assert_eq!(ready["database"]["ok"], true);
    assert_eq!(ready["cache"]["ok"], false);
    listed(&app, &code, json!({})).await;
    for _ in 0..2 {
        let (entries, status) = view(&app, &code).await;
        assert_eq!(
            (entries.len(), status.as_str()),
            (1, "MISS"),
            "from the database"
        );
    }

    // Redis back, with the answer cached before the listing still on its disk: never served.
    redis.resume();
    wait_for_cache(&app, "ready").await;
    assert_eq!(view(&app, &code).await.0.len(), 1);
    assert_eq!(cached_view(&app, &code).await.len(), 1);
}
