//! Joint reward and punishment through GraphQL over HTTP (and WebSocket for subscriptions).

use crate::helpers::*;
use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use std::collections::BTreeSet;
use tokio_tungstenite::tungstenite::{Message, client::IntoClientRequest};

pub(crate) const DISPATCHES: &str = "query($entry: ID, $status: DispatchStatus, $overdue: Boolean) { dispatches(entry: $entry, status: $status, overdue: $overdue, first: 100) {
    edges { node { id status overdue acknowledgeBy feedbackDue cancelReason department { code } measure { code legalBasis } memorandum { key version }
    feedback { outcome business note recordedBy { code } } } } pageInfo { hasNextPage } } }";
const CHECK: &str = "query($code: String!, $business: String!) { check(code: $code, business: $business) { id business greenChannel acceptanceWithMissingDocuments
    subject { name } entries { listType { code } }
    measures { via measure { code legalBasis kind } memorandum { documentNumber } listedSubject { code } listType { code } } } }";
const FEEDBACK: &str = "mutation($input: RecordFeedbackInput!) { recordFeedback(input: $input) { dispatch { id status feedback { outcome business } } } }";
const ACK: &str =
    "mutation($id: ID!) { acknowledgeDispatch(input: { id: $id }) { dispatch { id status } } }";

pub(crate) fn nodes(r: &Value) -> Vec<Value> {
    assert!(r.get("errors").is_none(), "unexpected errors: {r:#}");
    r["data"]["dispatches"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"].clone())
        .collect()
}

pub(crate) fn pairs(nodes: &[Value]) -> BTreeSet<String> {
    nodes
        .iter()
        .map(|n| {
            format!(
                "{}@{}",
                n["measure"]["code"].as_str().unwrap(),
                n["department"]["code"].as_str().unwrap()
            )
        })
        .collect()
}

/// What the shipped memoranda call for when `list_type` (black) lists a subject of `county`:
/// city-scope punishments, implemented by the city's departments and the county's own.
fn expected_pairs(list_type: &str, county: &str, departments: &[String]) -> BTreeSet<String> {
    let file: Value = serde_json::from_str(xinyong::seed::MEMORANDA).unwrap();
    let mut out = BTreeSet::new();
    for m in file["memoranda"].as_array().unwrap() {
        let covers = m["list_types"]
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t == list_type || t == "all-black");
        if !covers {
            continue;
        }
        for x in m["measures"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|x| x["scope"] == "city" && x["kind"] == "punishment")
        {
            for k in x["implementers"].as_array().unwrap() {
                for place in ["210900", county] {
                    let code = format!("{place}.{}", k.as_str().unwrap());
                    if departments.contains(&code) {
                        out.insert(format!("{}@{code}", x["code"].as_str().unwrap()));
                    }
                }
            }
        }
    }
    out
}

async fn department_codes(app: &TestApp) -> Vec<String> {
    let r = app.gql("{ departments { code } }", json!({}), None).await;
    r["data"]["departments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["code"].as_str().unwrap().to_owned())
        .collect()
}

/// A WebSocket client speaking graphql-transport-ws, subscribed with `token`.
pub(crate) async fn subscribe(
    app: &TestApp,
    token: &str,
    query: &str,
) -> tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>> {
    let url = format!("{}/graphql", app.address.replace("http://", "ws://"));
    let mut request = url.into_client_request().unwrap();
    request.headers_mut().insert(
        "sec-websocket-protocol",
        "graphql-transport-ws".parse().unwrap(),
    );
    let (mut ws, _) = tokio_tungstenite::connect_async(request).await.unwrap();
    let init = json!({ "type": "connection_init", "payload": { "Authorization": format!("Bearer {token}") } });
    ws.send(Message::Text(init.to_string().into()))
        .await
        .unwrap();
    let ack = next_json(&mut ws).await;
    assert_eq!(ack["type"], "connection_ack", "{ack}");
    let sub = json!({ "id": "1", "type": "subscribe", "payload": { "query": query } });
    ws.send(Message::Text(sub.to_string().into()))
        .await
        .unwrap();
    ws
}

pub(crate) async fn next_json<S>(ws: &mut S) -> Value
where
    S: futures_util::Stream<Item = Result<Message, tokio_tungstenite::tungstenite::Error>> + Unpin,
{
    loop {
        let msg = tokio::time::timeout(std::time::Duration::from_secs(10), ws.next())
            .await
            .expect("a message within 10 s")
            .unwrap()
            .unwrap();
        if let Message::Text(t) = msg {
            return serde_json::from_str(&t).unwrap();
        }
    }
}

#[tokio::test]
async fn the_whole_loop_from_listing_to_feedback_and_expiry() {
    let app = TestApp::spawn().await;
    let person = new_citizen_id("210922");
    let company = new_uscc("210922");
    let market = app.publisher("210900.market");
    let r = app.gql(REGISTER, json!({ "input": { "code": company, "kind": "LEGAL_PERSON", "name": "彰武测试矿业有限公司",
        "jurisdiction": "210922", "representativeName": "赵强", "representativeIdNumber": person } }), Some(&market)).await;
    assert_no_errors(&r);

    // The finance bureau listens for its dispatches over WebSocket before the listing.
    let finance = app.token("210900.finance", &["dispatch:handle"]);
    let mut ws = subscribe(
        &app,
        &finance,
        "subscription { dispatchCreated { id department { code } measure { code } } }",
    )
    .await;
    // Give the subscription a moment to be registered before the event is published.
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;

    let court = app.publisher("210900.court");
    let r = app
        .list(
            &court,
            &company,
            "court-dishonest-debtor",
            json!({ "idempotencyKey": "loop-1" }),
        )
        .await;
    assert_no_errors(&r);
    let entry = r["data"]["addListEntry"]["entry"]["id"]
        .as_str()
        .unwrap()
        .to_owned();

    // The departments the memoranda name, and only they, have dispatches.
    let ndrc = app.token("210900.ndrc", &["memoranda:admin", "stats:read"]);
    let all = nodes(
        &app.gql(DISPATCHES, json!({ "entry": entry }), Some(&ndrc))
            .await,
    );
    let expected = expected_pairs(
        "court-dishonest-debtor",
        "210922",
        &department_codes(&app).await,
    );
    assert!(
        expected.len() > 20,
        "the seed memoranda call for many dispatches: {expected:?}"
    );
    assert_eq!(pairs(&all), expected);
    assert!(
        all.iter()
            .all(|n| n["status"] == "PENDING" && n["acknowledgeBy"].is_string())
    );
    assert!(
        !pairs(&all)
            .iter()
            .any(|p| p.starts_with("SPC-") || p.starts_with("141-15@") || p.starts_with("141-25@")),
        "national measures are not dispatched"
    );
    assert!(
        pairs(&all).contains("FX-B1@210922.market"),
        "the subject's own county is reached"
    );
    for outsider in ["210900.customs", "210921.market"] {
        let t = app.token(outsider, &["dispatch:handle"]);
        assert!(
            nodes(&app.gql(DISPATCHES, json!({}), Some(&t)).await).is_empty(),
            "{outsider} sees nothing"
        );
    }

    // The subscriber got each of its dispatches, and only its own.
    let inbox = nodes(&app.gql(DISPATCHES, json!({}), Some(&finance)).await);
    assert!(!inbox.is_empty());
    let mut pushed = BTreeSet::new();
    while pushed.len() < inbox.len() {
        let msg = next_json(&mut ws).await;
        assert_eq!(msg["type"], "next", "{msg}");
        let d = &msg["payload"]["data"]["dispatchCreated"];
        assert_eq!(d["department"]["code"], "210900.finance");
        pushed.insert(d["id"].as_str().unwrap().to_owned());
    }
    let inbox_ids: BTreeSet<String> = inbox
        .iter()
        .map(|n| n["id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(pushed, inbox_ids);

    // The check on the company and on its legal representative, with each measure's basis.
    let check_token = app.token("210900.finance", &["dispatch:handle"]);
    let r = app
        .gql(
            CHECK,
            json!({ "code": company, "business": "财政补贴资金申请" }),
            Some(&check_token),
        )
        .await;
    assert_no_errors(&r);
    let c = &r["data"]["check"];
    assert_eq!(
        c["entries"][0]["listType"]["code"],
        "court-dishonest-debtor"
    );
    assert_eq!(c["greenChannel"], false);
    let codes: BTreeSet<&str> = c["measures"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["measure"]["code"].as_str().unwrap())
        .collect();
    let finance_pairs: BTreeSet<&str> = expected
        .iter()
        .filter(|p| p.ends_with("@210900.finance"))
        .map(|p| p.split('@').next().unwrap())
        .collect();
    assert_eq!(codes, finance_pairs);
    assert!(c["measures"].as_array().unwrap().iter().all(|m| {
        m["measure"]["legalBasis"]
            .as_str()
            .is_some_and(|b| !b.is_empty())
            && m["via"] == "SUBJECT"
    }));
    let r = app
        .gql(
            CHECK,
            json!({ "code": person, "business": "融资担保公司高管任职审查" }),
            Some(&check_token),
        )
        .await;
    assert_no_errors(&r);
    let p = &r["data"]["check"];
    assert!(
        p["subject"].is_null(),
        "the person is not a registered subject"
    );
    let on_person: Vec<&Value> = p["measures"].as_array().unwrap().iter().collect();
    assert!(
        on_person.iter().any(|m| m["measure"]["code"] == "141-3"
            && m["via"] == "LEGAL_REPRESENTATIVE"
            && m["listedSubject"]["code"] == company),
        "{p:#}"
    );
    assert!(on_person.iter().all(|m| m["via"] == "LEGAL_REPRESENTATIVE"));

    // Feedback: the case is recorded, and the court and the credit office see it.
    let target = inbox
        .iter()
        .find(|n| n["measure"]["code"] == "FX-B6")
        .expect("FX-B6 for finance");
    let id = target["id"].as_str().unwrap();
    let r = app.gql(ACK, json!({ "id": id }), Some(&finance)).await;
    assert_eq!(
        r["data"]["acknowledgeDispatch"]["dispatch"]["status"],
        "ACKNOWLEDGED"
    );
    let r = app.gql(FEEDBACK, json!({ "input": { "dispatch": id, "outcome": "APPLIED", "business": "财政补贴资金申请", "note": "不予安排补贴资金" } }), Some(&finance)).await;
    assert_no_errors(&r);
    assert_eq!(r["data"]["recordFeedback"]["dispatch"]["status"], "APPLIED");
    for viewer in [&court, &ndrc] {
        let seen = nodes(
            &app.gql(
                DISPATCHES,
                json!({ "entry": entry, "status": "APPLIED" }),
                Some(viewer),
            )
            .await,
        );
        assert_eq!(seen.len(), 1);
        assert_eq!(seen[0]["feedback"]["business"], "财政补贴资金申请");
        assert_eq!(seen[0]["feedback"]["recordedBy"]["code"], "210900.finance");
    }

    // The statistics count it.
    let r = app.gql("query($f: Date!, $t: Date!) { stats(from: $f, to: $t) { checks overdue dispatchesByStatus { status count }
        departments { department dispatched answered feedbackRate medianResponseWorkingDays } listings { listType { code } department added active } } }",
        json!({ "f": "2026-01-01", "t": "2026-12-31" }), Some(&ndrc)).await;
    assert_no_errors(&r);
    let s = &r["data"]["stats"];
    assert_eq!(s["checks"], 2);
    let applied = s["dispatchesByStatus"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["status"] == "APPLIED")
        .unwrap();
    assert_eq!(applied["count"], 1);
    let fin = s["departments"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["department"] == "210900.finance")
        .unwrap();
    assert_eq!(fin["answered"], 1);
    assert_eq!(fin["medianResponseWorkingDays"], 0.0);
    let listing = s["listings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["listType"]["code"] == "court-dishonest-debtor")
        .unwrap();
    assert_eq!(
        (listing["added"].as_i64(), listing["active"].as_i64()),
        (Some(1), Some(1))
    );

    // Re-sending the same listing creates nothing twice.
    let r = app
        .list(
            &court,
            &company,
            "court-dishonest-debtor",
            json!({ "idempotencyKey": "loop-1" }),
        )
        .await;
    assert_eq!(r["data"]["addListEntry"]["entry"]["id"], entry.as_str());
    assert_eq!(
        nodes(
            &app.gql(DISPATCHES, json!({ "entry": entry }), Some(&ndrc))
                .await
        )
        .len(),
        all.len()
    );

    // When the entry expires, its open dispatches are cancelled; the answered one stands.
    let r = app
        .gql(
            "mutation($id: ID!) { revokeListEntry(input: { id: $id, reason: \"x\" }) { entry { id } } }",
            json!({ "id": missing_id(domain::node::NodeKind::ListEntry) }),
            Some(&court),
        )
        .await;
    assert_eq!(error_of(&r).0, "NOT_FOUND");
    let days_left = {
        let r = app.gql("query($c: String!) { subject(code: $c) { listEntries { edges { node { endDate } } } } }", json!({ "c": company }), None).await;
        let end: chrono::NaiveDate =
            r["data"]["subject"]["listEntries"]["edges"][0]["node"]["endDate"]
                .as_str()
                .unwrap()
                .parse()
                .unwrap();
        (end - domain::time::china_date(chrono::Utc::now())).num_days()
    };
    app.clock.advance_days(days_left + 1);
    let mut cancelled = Vec::new();
    for _ in 0..50 {
        cancelled = nodes(
            &app.gql(
                DISPATCHES,
                json!({ "entry": entry, "status": "CANCELLED" }),
                Some(&ndrc),
            )
            .await,
        );
        if cancelled.len() == all.len() - 1 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    assert_eq!(
        cancelled.len(),
        all.len() - 1,
        "every open dispatch cancelled by the sweep"
    );
    assert!(
        cancelled
            .iter()
            .all(|n| n["cancelReason"].as_str().unwrap().contains("到期"))
    );
    // The one applied is now to be lifted: the entry ended, so its department stops applying it.
    let r = app
        .gql(
            "query($entry: ID) { dispatches(entry: $entry, status: LIFT_REQUESTED) { edges { node { id lift { ground } } } } }",
            json!({ "entry": entry }),
            Some(&ndrc),
        )
        .await;
    let lifting = nodes(&r);
    assert_eq!(lifting.len(), 1);
    assert_eq!(lifting[0]["lift"]["ground"], "ENDED");
    // And the check no longer finds the measures.
    let r = app
        .gql(
            CHECK,
            json!({ "code": company, "business": "财政补贴资金申请" }),
            Some(&check_token),
        )
        .await;
    assert_eq!(r["data"]["check"]["measures"].as_array().unwrap().len(), 0);
}

#[tokio::test]
async fn refusals_change_nothing() {
    let app = TestApp::spawn().await;
    let company = app.company("210902").await;
    let court = app.publisher("210900.court");
    let r = app
        .list(&court, &company, "court-dishonest-debtor", json!({}))
        .await;
    let entry = r["data"]["addListEntry"]["entry"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let ndrc = app.token("210900.ndrc", &["memoranda:admin"]);
    let all = nodes(
        &app.gql(DISPATCHES, json!({ "entry": entry }), Some(&ndrc))
            .await,
    );
    let for_finance = all
        .iter()
        .find(|n| n["department"]["code"] == "210900.finance")
        .unwrap();
    let id = for_finance["id"].as_str().unwrap();
    let input = |business: &str| json!({ "input": { "dispatch": id, "outcome": "APPLIED", "business": business } });

    // Feedback by a department the dispatch is not for.
    let tax = app.token("210900.tax", &["dispatch:handle"]);
    let r = app.gql(FEEDBACK, input("纳税服务"), Some(&tax)).await;
    assert_eq!(error_of(&r).0, "FORBIDDEN");
    let r = app.gql(ACK, json!({ "id": id }), Some(&tax)).await;
    assert_eq!(error_of(&r).0, "FORBIDDEN");
    // Without the scope.
    let finance_no_scope = app.token("210900.finance", &["records:write"]);
    let r = app
        .gql(FEEDBACK, input("财政补贴"), Some(&finance_no_scope))
        .await;
    assert_eq!(error_of(&r).0, "FORBIDDEN");
    let after = nodes(
        &app.gql(DISPATCHES, json!({ "entry": entry }), Some(&ndrc))
            .await,
    );
    assert!(
        after
            .iter()
            .all(|n| n["status"] == "PENDING" && n["feedback"].is_null()),
        "nothing changed"
    );

    // Not applicable needs a reason; then a second answer is a conflict.
    let finance = app.token("210900.finance", &["dispatch:handle"]);
    let r = app.gql(FEEDBACK, json!({ "input": { "dispatch": id, "outcome": "NOT_APPLICABLE", "business": "财政补贴" } }), Some(&finance)).await;
    assert_eq!(
        error_of(&r),
        ("BAD_USER_INPUT".into(), Some("input.note".into()))
    );
    let r = app.gql(FEEDBACK, input("财政补贴"), Some(&finance)).await;
    assert_no_errors(&r);
    let r = app.gql(FEEDBACK, input("再次反馈"), Some(&finance)).await;
    assert_eq!(error_of(&r).0, "CONFLICT");
    let r = app.gql(ACK, json!({ "id": id }), Some(&finance)).await;
    assert_eq!(
        error_of(&r).0,
        "CONFLICT",
        "an answered dispatch cannot be acknowledged again"
    );

    // Revoking the entry cancels the open dispatches; feedback on a cancelled one is a conflict.
    let r = app.gql("mutation($id: ID!) { revokeListEntry(input: { id: $id, reason: \"录入错误\" }) { entry { status } } }", json!({ "id": entry }), Some(&court)).await;
    assert_no_errors(&r);
    let open_one = all
        .iter()
        .find(|n| n["department"]["code"] == "210900.pboc")
        .unwrap();
    let pboc = app.token("210900.pboc", &["dispatch:handle"]);
    let r = app.gql(FEEDBACK, json!({ "input": { "dispatch": open_one["id"], "outcome": "APPLIED", "business": "贷款" } }), Some(&pboc)).await;
    assert_eq!(error_of(&r).0, "CONFLICT");
    let cancelled = nodes(
        &app.gql(
            DISPATCHES,
            json!({ "entry": entry, "status": "CANCELLED" }),
            Some(&ndrc),
        )
        .await,
    );
    assert_eq!(cancelled.len(), all.len() - 1);
    assert!(
        cancelled
            .iter()
            .all(|n| n["cancelReason"].as_str().unwrap().contains("撤销"))
    );

    // A memorandum change by anyone but the credit office.
    let court_admin = app.token("210900.court", &["memoranda:admin"]);
    let memoranda = app
        .gql("{ memoranda { id key version } }", json!({}), None)
        .await;
    let first = memoranda["data"]["memoranda"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let r = app
        .gql(
            "mutation($id: ID!) { retireMemorandum(input: { id: $id }) { memorandum { retired } } }",
            json!({ "id": first }),
            Some(&court_admin),
        )
        .await;
    assert_eq!(error_of(&r).0, "FORBIDDEN");
    let r = app
        .gql(
            "mutation($id: ID!) { retireMemorandum(input: { id: $id }) { memorandum { retired } } }",
            json!({ "id": first }),
            None,
        )
        .await;
    assert_eq!(error_of(&r).0, "UNAUTHENTICATED");
    let again = app
        .gql("{ memoranda { id key version retired } }", json!({}), None)
        .await;
    assert_eq!(
        again["data"]["memoranda"].as_array().unwrap().len(),
        4,
        "nothing retired"
    );

    // Dispatches are for departments only.
    let r = app.gql(DISPATCHES, json!({}), None).await;
    assert_eq!(error_of(&r).0, "UNAUTHENTICATED");
    let r = app
        .gql(
            CHECK,
            json!({ "code": company, "business": "x" }),
            Some(&court),
        )
        .await;
    assert_eq!(
        error_of(&r).0,
        "FORBIDDEN",
        "the check needs dispatch:handle"
    );
}

#[tokio::test]
async fn overdue_dispatches() {
    let app = TestApp::spawn().await;
    let company = app.company("210902").await;
    let finance = app.token("210900.finance", &["dispatch:handle"]);
    let r = app
        .list(
            &app.publisher("210900.court"),
            &company,
            "court-dishonest-debtor",
            json!({}),
        )
        .await;
    assert_no_errors(&r);

    // Unacknowledged past the deadline in working days, a dispatch is overdue.
    let r = app
        .gql(DISPATCHES, json!({ "overdue": true }), Some(&finance))
        .await;
    assert!(nodes(&r).is_empty());
    let pending = nodes(
        &app.gql(DISPATCHES, json!({ "status": "PENDING" }), Some(&finance))
            .await,
    );
    assert!(!pending.is_empty());
    let one = pending[0]["id"].as_str().unwrap().to_owned();
    app.gql(ACK, json!({ "id": one }), Some(&finance)).await;
    app.clock.advance_days(20);
    let overdue = nodes(
        &app.gql(DISPATCHES, json!({ "overdue": true }), Some(&finance))
            .await,
    );
    assert_eq!(
        overdue.len(),
        pending.len() - 1,
        "the acknowledged one is not overdue"
    );
    assert!(
        overdue
            .iter()
            .all(|n| n["overdue"] == true && n["status"] == "PENDING")
    );
    let not_overdue = nodes(
        &app.gql(DISPATCHES, json!({ "overdue": false }), Some(&finance))
            .await,
    );
    assert_eq!(not_overdue.len(), 1);
}

/// National measures (the consumption limits of 法释〔2015〕17号) are not dispatched here, but the
/// check shows them, as carried out nationally, beside the department's own.
#[tokio::test]
async fn the_check_shows_national_measures_as_carried_out_elsewhere() {
    let app = TestApp::spawn().await;
    let company = app.company("210902").await;
    let r = app
        .list(
            &app.publisher("210900.court"),
            &company,
            "court-dishonest-debtor",
            json!({}),
        )
        .await;
    assert_no_errors(&r);
    let r = app
        .gql(
            "query($code: String!) { check(code: $code, business: \"政府采购\") {
                measures { measure { code } appliesNationally carriedOut }
                nationalMeasures { measure { code scope } appliesNationally carriedOut listType { code } } } }",
            json!({ "code": company }),
            Some(&app.token("210900.finance", &["dispatch:handle"])),
        )
        .await;
    assert_no_errors(&r);
    let check = &r["data"]["check"];
    let own = check["measures"].as_array().unwrap();
    assert!(!own.is_empty());
    assert!(own.iter().all(|m| m["appliesNationally"] == false));
    let national = check["nationalMeasures"].as_array().unwrap();
    assert!(
        national
            .iter()
            .any(|m| m["measure"]["code"].as_str().unwrap().starts_with("SPC-")),
        "{national:?}"
    );
    for m in national {
        assert_eq!(m["measure"]["scope"], "NATIONAL");
        assert_eq!(m["appliesNationally"], true);
        assert!(m["carriedOut"].as_str().unwrap().contains("全国"));
        assert_eq!(m["listType"]["code"], "court-dishonest-debtor");
    }
}
