//! Webhooks through GraphQL, delivered to receivers on this machine: retried until delivered once,
//! signed, replayable, dead after the allowed attempts, and never in the way of a listing.

use crate::helpers::*;
use crate::joint::{DISPATCHES, nodes};
use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};
use hmac::{Hmac, Mac};
use serde_json::{Value, json};
use std::collections::BTreeSet;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

const REGISTER_HOOK: &str = "mutation($input: RegisterWebhookInput!) { registerWebhook(input: $input) { secret endpoint { id url events } } }";
const MY_HOOK: &str = "query($status: DeliveryStatus) { me { webhook { url deliveries(status: $status, first: 50) { edges { node {
    id event status attemptCount payload deliveredAt nextAttemptAt attempts { statusCode error durationMs } } } } } } }";
const REPLAY: &str = "mutation($id: String!) { replayWebhookDelivery(input: { id: $id }) { delivery { id status attemptCount attempts { statusCode } } } }";
const REVOKE: &str = "mutation($input: RevokeListEntryInput!) { revokeListEntry(input: $input) { entry { id status } } }";
const TAX: &str = "210900.tax";

/// One request as the receiver saw it.
#[derive(Clone, Debug)]
pub(crate) struct Got {
    pub(crate) event: String,
    pub(crate) delivery: String,
    pub(crate) timestamp: String,
    pub(crate) signature: String,
    pub(crate) body: String,
    /// The status it answered with; 0 while it holds the request unanswered.
    pub(crate) answered: u16,
}

/// How the receiver answers the n-th request (from 0): a status, or never.
#[derive(Clone, Copy)]
pub(crate) enum Behaviour {
    FailFirst(usize),
    NeverAnswer,
}

struct State {
    behaviour: Behaviour,
    seen: AtomicUsize,
    got: Mutex<Vec<Got>>,
}

pub(crate) struct Receiver {
    pub(crate) url: String,
    state: web::Data<State>,
    server: actix_web::dev::ServerHandle,
}

impl Receiver {
    pub(crate) async fn start(behaviour: Behaviour) -> Receiver {
        let state = web::Data::new(State {
            behaviour,
            seen: AtomicUsize::new(0),
            got: Mutex::new(Vec::new()),
        });
        let data = state.clone();
        let server = HttpServer::new(move || {
            App::new()
                .app_data(data.clone())
                .route("/hook", web::post().to(receive))
        })
        .workers(1)
        .bind("127.0.0.1:0")
        .unwrap();
        let port = server.addrs()[0].port();
        let server = server.run();
        let handle = server.handle();
        tokio::spawn(server);
        Receiver {
            url: format!("http://127.0.0.1:{port}/hook"),
            state,
            server: handle,
        }
    }

    pub(crate) fn got(&self) -> Vec<Got> {
        self.state.got.lock().unwrap().clone()
    }

    fn seen(&self) -> usize {
        self.state.seen.load(Ordering::SeqCst)
    }
}

impl Drop for Receiver {
    fn drop(&mut self) {
        drop(self.server.stop(false));
    }
}

async fn receive(req: HttpRequest, body: String, state: web::Data<State>) -> HttpResponse {
    let n = state.seen.fetch_add(1, Ordering::SeqCst);
    let answered = match state.behaviour {
        Behaviour::FailFirst(k) if n < k => 500,
        Behaviour::FailFirst(_) => 200,
        // Recorded on arrival as not answered (0): the test can see it came and was held.
        Behaviour::NeverAnswer => 0,
    };
    let header = |name: &str| {
        req.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    };
    state.got.lock().unwrap().push(Got {
        event: header("x-xinyong-event"),
        delivery: header("x-xinyong-delivery"),
        timestamp: header("x-xinyong-timestamp"),
        signature: header("x-xinyong-signature"),
        body,
        answered,
    });
    if answered == 0 {
        tokio::time::sleep(Duration::from_secs(3600)).await;
    }
    HttpResponse::build(actix_web::http::StatusCode::from_u16(answered.max(200)).unwrap()).finish()
}

/// What the documentation tells a receiver to compute, done here without the platform's code.
pub(crate) fn expected_signature(secret: &str, timestamp: &str, body: &str) -> String {
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(format!("{timestamp}.{body}").as_bytes());
    let hex: String = mac
        .finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    format!("v1={hex}")
}

pub(crate) async fn register(app: &TestApp, token: &str, url: &str, events: Value) -> String {
    let r = app
        .gql(
            REGISTER_HOOK,
            json!({ "input": { "url": url, "events": events } }),
            Some(token),
        )
        .await;
    assert_no_errors(&r);
    let secret = r["data"]["registerWebhook"]["secret"].as_str().unwrap();
    assert!(
        secret.starts_with("whsec_") && secret.len() > 60,
        "{secret}"
    );
    secret.to_owned()
}

async fn deliveries(app: &TestApp, token: &str, status: Option<&str>) -> Vec<Value> {
    let r = app
        .gql(MY_HOOK, json!({ "status": status }), Some(token))
        .await;
    assert_no_errors(&r);
    r["data"]["me"]["webhook"]["deliveries"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"].clone())
        .collect()
}

/// Waits (up to 20 s) until `done` holds of the deliveries.
async fn wait_for(app: &TestApp, token: &str, done: impl Fn(&[Value]) -> bool) -> Vec<Value> {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let d = deliveries(app, token, None).await;
        if done(&d) {
            return d;
        }
        assert!(
            Instant::now() < deadline,
            "deliveries never got there: {d:#?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

fn dispatch_ids(payload: &Value) -> BTreeSet<String> {
    payload["dispatches"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["dispatchId"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn a_receiver_failing_twice_gets_the_delivery_once_signed_and_can_have_it_replayed() {
    let app = TestApp::spawn().await;
    let receiver = Receiver::start(Behaviour::FailFirst(2)).await;
    let tax = app.token(TAX, &["dispatch:handle"]);
    let secret = register(&app, &tax, &receiver.url, json!(["DISPATCH_CREATED"])).await;
    let court = app.publisher("210900.court");
    let code = app.company("210902").await;
    let r = app
        .list(&court, &code, "court-dishonest-debtor", json!({}))
        .await;
    assert_no_errors(&r);
    let entry = r["data"]["addListEntry"]["entry"]["id"]
        .as_str()
        .unwrap()
        .to_owned();

    let done = wait_for(&app, &tax, |d| {
        d.len() == 1 && d[0]["status"] == "DELIVERED"
    })
    .await;
    let delivery = &done[0];
    assert_eq!(delivery["event"], "DISPATCH_CREATED");
    assert_eq!(delivery["attemptCount"], 3);
    let codes: Vec<&Value> = delivery["attempts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| &a["statusCode"])
        .collect();
    assert_eq!(codes, [&json!(500), &json!(500), &json!(200)]);
    assert!(
        delivery["attempts"][0]["error"]
            .as_str()
            .unwrap()
            .contains("500")
    );
    assert!(delivery["attempts"][2]["error"].is_null());

    // Three requests, one delivery: the same id each time, accepted once; nothing more comes.
    tokio::time::sleep(Duration::from_millis(800)).await;
    let got = receiver.got();
    assert_eq!(got.len(), 3, "{got:#?}");
    let id = delivery["id"].as_str().unwrap();
    assert!(
        got.iter()
            .all(|g| g.delivery == id && g.event == "dispatch.created")
    );
    assert_eq!(got.iter().filter(|g| g.answered == 200).count(), 1);
    for g in &got {
        assert_eq!(
            g.signature,
            expected_signature(&secret, &g.timestamp, &g.body)
        );
        let at: i64 = g.timestamp.parse().unwrap();
        assert!((chrono::Utc::now().timestamp() - at).abs() < 60);
    }
    let last = got.last().unwrap();
    assert_ne!(
        last.signature,
        expected_signature("whsec_other", &last.timestamp, &last.body)
    );
    assert_eq!(
        last.body,
        delivery["payload"].as_str().unwrap(),
        "the body sent is the one kept"
    );

    // The body names exactly the tax bureau's dispatches of that entry.
    let body: Value = serde_json::from_str(&last.body).unwrap();
    assert_eq!(body["deliveryId"], id);
    assert!(
        body["dispatches"]
            .as_array()
            .unwrap()
            .iter()
            .all(|d| d["subjectCode"] == code
                && d["listType"] == "court-dishonest-debtor"
                && d["department"] == TAX
                && d["entryId"] == entry.as_str())
    );
    let own = nodes(
        &app.gql(DISPATCHES, json!({ "entry": entry }), Some(&tax))
            .await,
    );
    let own: BTreeSet<String> = own
        .iter()
        .map(|d| d["id"].as_str().unwrap().to_owned())
        .collect();
    assert!(!own.is_empty());
    assert_eq!(dispatch_ids(&body), own);

    // Replayed: sent again under the same id, and its attempts kept.
    let r = app.gql(REPLAY, json!({ "id": id }), Some(&tax)).await;
    assert_no_errors(&r);
    assert_eq!(
        r["data"]["replayWebhookDelivery"]["delivery"]["status"],
        "PENDING"
    );
    assert_eq!(
        r["data"]["replayWebhookDelivery"]["delivery"]["attemptCount"],
        0
    );
    let done = wait_for(&app, &tax, |d| {
        d[0]["status"] == "DELIVERED" && d[0]["attempts"].as_array().unwrap().len() == 4
    })
    .await;
    assert_eq!(done[0]["attemptCount"], 1);
    assert_eq!(receiver.got().len(), 4);
    assert_eq!(receiver.got()[3].delivery, id);

    // Another department cannot see or replay it.
    let other = app.token("210900.housing", &["dispatch:handle"]);
    let r = app.gql(REPLAY, json!({ "id": id }), Some(&other)).await;
    assert_eq!(error_of(&r).0, "NOT_FOUND");
}

#[tokio::test]
async fn a_receiver_that_never_answers_does_not_delay_listings() {
    // An attempt may hang for 30 s; listings go on meanwhile.
    let app = TestApp::spawn_with(|s| s.webhook_timeout_ms = 30_000).await;
    let receiver = Receiver::start(Behaviour::NeverAnswer).await;
    let tax = app.token(TAX, &["dispatch:handle"]);
    register(&app, &tax, &receiver.url, json!([])).await;
    let court = app.publisher("210900.court");
    let first = app.company("210902").await;
    let r = app
        .list(&court, &first, "court-dishonest-debtor", json!({}))
        .await;
    assert_no_errors(&r);
    let deadline = Instant::now() + Duration::from_secs(10);
    while receiver.seen() == 0 {
        assert!(
            Instant::now() < deadline,
            "the delivery was never attempted"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // The receiver holds the first delivery; each listing still returns at once.
    let mut slowest = Duration::ZERO;
    for _ in 0..5 {
        let code = app.company("210902").await;
        let started = Instant::now();
        let r = app
            .list(&court, &code, "court-dishonest-debtor", json!({}))
            .await;
        slowest = slowest.max(started.elapsed());
        assert_no_errors(&r);
    }
    assert!(
        slowest < Duration::from_secs(10),
        "a listing took {slowest:?}"
    );
    let got = receiver.got();
    assert!(
        !got.is_empty() && got.iter().all(|g| g.answered == 0),
        "the receiver holds what came and has answered nothing yet: {got:#?}"
    );
    // Owed while in flight: pending, and not replayable.
    let owed = deliveries(&app, &tax, Some("PENDING")).await;
    assert_eq!(owed.len(), 6, "one delivery per listing");
    let r = app
        .gql(REPLAY, json!({ "id": owed[5]["id"] }), Some(&tax))
        .await;
    assert_eq!(error_of(&r).0, "CONFLICT");
}

#[tokio::test]
async fn an_endpoint_that_refuses_is_dead_after_the_allowed_attempts_and_lifted_measures_are_told()
{
    let app = TestApp::spawn_with(|s| s.webhook_max_attempts = 3).await;
    // A port where nothing listens: every attempt is refused.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!(
        "http://127.0.0.1:{}/hook",
        closed.local_addr().unwrap().port()
    );
    drop(closed);
    let tax = app.token(TAX, &["dispatch:handle"]);
    register(&app, &tax, &url, json!(["DISPATCH_CANCELLED"])).await;
    let court = app.publisher("210900.court");
    let code = app.company("210902").await;
    let r = app
        .list(&court, &code, "court-dishonest-debtor", json!({}))
        .await;
    let entry = r["data"]["addListEntry"]["entry"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let r = app
        .gql(
            REVOKE,
            json!({ "input": { "id": entry, "reason": "被执行人已履行完毕" } }),
            Some(&court),
        )
        .await;
    assert_no_errors(&r);
    // Only the event subscribed to: the lifting, not the listing.
    let dead = wait_for(&app, &tax, |d| d.len() == 1 && d[0]["status"] == "DEAD").await;
    let d = &dead[0];
    assert_eq!(d["event"], "DISPATCH_CANCELLED");
    assert_eq!(d["attemptCount"], 3);
    assert!(d["nextAttemptAt"].is_null());
    for a in d["attempts"].as_array().unwrap() {
        assert!(a["statusCode"].is_null());
        assert!(a["error"].as_str().unwrap().contains("无法连接"), "{a}");
    }
    let body: Value = serde_json::from_str(d["payload"].as_str().unwrap()).unwrap();
    assert_eq!(body["event"], "dispatch.cancelled");
    let cancelled = body["dispatches"].as_array().unwrap();
    assert!(!cancelled.is_empty());
    assert!(cancelled.iter().all(|x| x["status"] == "cancelled"
        && x["entryId"] == entry.as_str()
        && x["cancelReason"].as_str().is_some_and(|r| !r.is_empty())));

    // Replayed, it gets three attempts more.
    let r = app.gql(REPLAY, json!({ "id": d["id"] }), Some(&tax)).await;
    assert_no_errors(&r);
    let again = wait_for(&app, &tax, |d| {
        d[0]["status"] == "DEAD" && d[0]["attempts"].as_array().unwrap().len() == 6
    })
    .await;
    assert_eq!(again[0]["attemptCount"], 3);
}

#[tokio::test]
async fn bad_registrations_are_refused_and_change_nothing() {
    let app = TestApp::spawn().await;
    let tax = app.token(TAX, &["dispatch:handle"]);
    let r = app
        .gql(
            REGISTER_HOOK,
            json!({ "input": { "url": "http://tax.example.cn/hook" } }),
            Some(&tax),
        )
        .await;
    assert_eq!(
        error_of(&r),
        ("BAD_USER_INPUT".into(), Some("input.url".into()))
    );
    let r = app
        .gql(
            REGISTER_HOOK,
            json!({ "input": { "url": "https://tax.example.cn/hook" } }),
            Some(&app.publisher(TAX)),
        )
        .await;
    assert_eq!(error_of(&r).0, "FORBIDDEN");
    let r = app
        .gql(
            REGISTER_HOOK,
            json!({ "input": { "url": "https://tax.example.cn/hook" } }),
            None,
        )
        .await;
    assert_eq!(error_of(&r).0, "UNAUTHENTICATED");
    let r = app.gql(MY_HOOK, json!({}), Some(&tax)).await;
    assert_no_errors(&r);
    assert!(
        r["data"]["me"]["webhook"].is_null(),
        "nothing was registered"
    );

    // Registered, then replaced: one endpoint, a new secret, the new address.
    let first = register(&app, &tax, "https://tax.example.cn/a", json!([])).await;
    let second = register(
        &app,
        &tax,
        "https://tax.example.cn/b",
        json!(["DISPATCH_CREATED"]),
    )
    .await;
    assert_ne!(first, second);
    let r = app.gql(MY_HOOK, json!({}), Some(&tax)).await;
    assert_eq!(
        r["data"]["me"]["webhook"]["url"],
        "https://tax.example.cn/b"
    );
    let endpoint = app
        .gql("{ me { webhook { id } } }", json!({}), Some(&tax))
        .await["data"]["me"]["webhook"]["id"]
        .clone();
    let remove = "mutation { removeWebhook { removedEndpointId } }";
    let r = app.gql(remove, json!({}), Some(&tax)).await;
    assert_eq!(r["data"]["removeWebhook"]["removedEndpointId"], endpoint);
    let r = app.gql(remove, json!({}), Some(&tax)).await;
    assert!(
        r["data"]["removeWebhook"]["removedEndpointId"].is_null(),
        "{r:#}"
    );
}
