//! Relay's global object identification: every id a list gives out is refetched by `node(id:)`
//! as the same object; a hidden object is null, not an error; an id of the wrong kind, or a bare
//! local id, is bad input at its field and changes nothing.

use crate::helpers::*;
use crate::records::{ADD as ADD_RECORD, penalty};
use crate::typical_cases::{FEEDBACK, PROPOSE, applied_measure, summary};
use base64::Engine;
use serde_json::{Value, json};

const NODE: &str = "query($id: ID!) { node(id: $id) { __typename id ... on Subject { code } ... on ListEntry { status } } }";
const NODES: &str = "query($ids: [ID!]!) { nodes(ids: $ids) { __typename id } }";
const REVOKE: &str = "mutation($input: RevokeListEntryInput!) { revokeListEntry(input: $input) { entry { id status } } }";

async fn node(app: &TestApp, id: &str, token: Option<&str>) -> Value {
    let r = app.gql(NODE, json!({ "id": id }), token).await;
    assert_no_errors(&r);
    r["data"]["node"].clone()
}

/// (typename, id) of the first node each list gives out.
async fn ids_from_lists(app: &TestApp, office: &str) -> Vec<(&'static str, String)> {
    let tax = app.token("210900.tax", &["dispatch:handle"]);
    let (code, dispatch) = applied_measure(app, &tax).await;
    let r = app
        .gql(FEEDBACK, json!({ "input": { "dispatch": dispatch, "outcome": "APPLIED", "business": "发票领用", "note": "从严审核" } }), Some(&tax))
        .await;
    assert_no_errors(&r);
    let r = app
        .gql(PROPOSE, json!({ "input": { "dispatch": dispatch, "title": "失信被执行人主动履行", "summary": summary() } }), Some(&tax))
        .await;
    assert_no_errors(&r);
    let r = app
        .gql(
            ADD_RECORD,
            penalty(&code, "阜市监罚〔2026〕7号", "2026-09-30", "2026-10-15"),
            Some(&app.publisher("210900.market")),
        )
        .await;
    assert_no_errors(&r);
    let record = id_at(&r["data"]["addCreditRecord"]["record"]["id"]);
    let market = app.token("210900.market", &["objections:handle"]);
    app.uphold_record_objection(&code, &record, &market, "CORRECT")
        .await;
    let objections = app
        .gql(
            "{ objections { edges { node { id } } } }",
            json!({}),
            Some(office),
        )
        .await;
    let corrections = app
        .gql("{ corrections { edges { node { id } } } }", json!({}), None)
        .await;
    let by_code = json!({ "code": code });
    let subject = app
        .gql(
            "query($code: String!) { subject(code: $code) { id listEntries { edges { node { id } } } creditRecords { edges { node { id } } } } }",
            by_code.clone(),
            None,
        )
        .await;
    let searched = app
        .gql(
            "query($code: String!) { subjects(search: $code) { edges { node { id } } } }",
            by_code,
            None,
        )
        .await;
    let list_types = app.gql("{ listTypes { id } }", json!({}), None).await;
    let memoranda = app.gql("{ memoranda { id } }", json!({}), None).await;
    let cases = app
        .gql(
            "{ typicalCases(status: PROPOSED) { edges { node { id } } } }",
            json!({}),
            Some(office),
        )
        .await;
    for r in [
        &subject,
        &searched,
        &list_types,
        &memoranda,
        &cases,
        &objections,
        &corrections,
    ] {
        assert_no_errors(r);
    }
    let s = &subject["data"]["subject"];
    vec![
        ("Subject", id_at(&s["id"])),
        (
            "Subject",
            id_at(&searched["data"]["subjects"]["edges"][0]["node"]["id"]),
        ),
        (
            "ListEntry",
            id_at(&s["listEntries"]["edges"][0]["node"]["id"]),
        ),
        (
            "CreditRecord",
            id_at(&s["creditRecords"]["edges"][0]["node"]["id"]),
        ),
        ("ListType", id_at(&list_types["data"]["listTypes"][0]["id"])),
        (
            "Memorandum",
            id_at(&memoranda["data"]["memoranda"][0]["id"]),
        ),
        (
            "TypicalCase",
            id_at(&cases["data"]["typicalCases"]["edges"][0]["node"]["id"]),
        ),
        ("Dispatch", dispatch),
        (
            "Objection",
            id_at(&objections["data"]["objections"]["edges"][0]["node"]["id"]),
        ),
        (
            "CorrectionNotice",
            id_at(&corrections["data"]["corrections"]["edges"][0]["node"]["id"]),
        ),
    ]
}

fn id_at(v: &Value) -> String {
    v.as_str()
        .unwrap_or_else(|| panic!("not an id: {v}"))
        .to_owned()
}

#[tokio::test]
async fn every_id_a_list_gives_out_is_refetched_as_the_same_object() {
    let app = TestApp::spawn().await;
    let office = app.token("210900.ndrc", &["memoranda:admin", "objections:handle"]);
    let ids = ids_from_lists(&app, &office).await;
    for (typename, id) in &ids {
        let found = node(&app, id, Some(&office)).await;
        assert_eq!(found["__typename"], *typename, "{id}: {found:#}");
        assert_eq!(found["id"], id.as_str(), "{typename}");
    }
    // nodes(ids:) answers in the order asked, a null for one that does not exist.
    let missing = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .encode("ListEntry:0193a1b2-0000-7000-8000-000000000001");
    let mut asked: Vec<&str> = ids.iter().map(|(_, id)| id.as_str()).collect();
    asked.insert(1, &missing);
    let r = app.gql(NODES, json!({ "ids": asked }), Some(&office)).await;
    assert_no_errors(&r);
    let got = r["data"]["nodes"].as_array().unwrap();
    assert_eq!(got.len(), asked.len());
    assert!(got[1].is_null(), "{r:#}");
    for (n, want) in got.iter().zip(&asked).filter(|(n, _)| !n.is_null()) {
        assert_eq!(n["id"], *want);
    }
}

#[tokio::test]
async fn a_hidden_object_is_null_not_an_error() {
    let app = TestApp::spawn().await;
    let office = app.token("210900.ndrc", &["memoranda:admin", "objections:handle"]);
    let code = app.company("210902").await;
    let entry = app
        .listed_by("210900.court", &code, "court-dishonest-debtor", json!({}))
        .await;
    assert_eq!(node(&app, &entry, None).await["status"], "ACTIVE");
    let court = app.publisher("210900.court");
    let r = app
        .gql(
            REVOKE,
            json!({ "input": { "id": entry, "reason": "判决已撤销" } }),
            Some(&court),
        )
        .await;
    assert_no_errors(&r);
    // The public sees entries in force only; the court still sees the revoked one.
    assert!(node(&app, &entry, None).await.is_null());
    assert_eq!(node(&app, &entry, Some(&court)).await["status"], "REVOKED");
    // An unpublished typical case: the credit office only.
    let ids = ids_from_lists(&app, &office).await;
    let of = |kind: &str| ids.iter().find(|(t, _)| *t == kind).unwrap().1.clone();
    // Dispatches and objections are for departments only.
    for kind in ["Dispatch", "Objection"] {
        assert!(node(&app, &of(kind), None).await.is_null(), "{kind}");
    }
    let case = &of("TypicalCase");
    assert!(node(&app, case, None).await.is_null());
    let tax = app.token("210900.tax", &["dispatch:handle"]);
    assert!(node(&app, case, Some(&tax)).await.is_null());
    assert_eq!(
        node(&app, case, Some(&office)).await["__typename"],
        "TypicalCase"
    );
}

#[tokio::test]
async fn an_id_of_another_kind_or_a_bare_local_id_is_bad_input_and_changes_nothing() {
    let app = TestApp::spawn().await;
    let code = app.company("210902").await;
    let entry = app
        .listed_by("210900.court", &code, "court-dishonest-debtor", json!({}))
        .await;
    let court = app.publisher("210900.court");
    let subject = node(&app, &entry, None).await;
    assert_eq!(subject["__typename"], "ListEntry");
    let subject_id = app
        .gql(
            "query($c: String!) { subject(code: $c) { id } }",
            json!({ "c": code }),
            None,
        )
        .await["data"]["subject"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let decoded = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(&entry)
        .expect("a global id is base64url");
    let decoded = String::from_utf8(decoded).unwrap();
    let local = decoded.strip_prefix("ListEntry:").expect("names its type");
    for wrong in [subject_id.as_str(), local, "not an id"] {
        let r = app
            .gql(
                REVOKE,
                json!({ "input": { "id": wrong, "reason": "误列" } }),
                Some(&court),
            )
            .await;
        let (code, field) = error_of(&r);
        assert_eq!(code, "BAD_USER_INPUT", "{wrong}: {r:#}");
        assert_eq!(field.as_deref(), Some("input.id"), "{r:#}");
        assert!(r["data"]["revokeListEntry"]["entry"].is_null());
    }
    let message = app
        .gql(
            REVOKE,
            json!({ "input": { "id": subject_id, "reason": "误列" } }),
            Some(&court),
        )
        .await["errors"][0]["message"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(
        message.contains("名单条目") && message.contains("主体"),
        "{message}"
    );
    // Nothing changed.
    assert_eq!(node(&app, &entry, None).await["status"], "ACTIVE");
    // node(id:) refuses what is not an id, and more than a page of ids.
    let r = app.gql(NODE, json!({ "id": local }), None).await;
    assert_eq!(error_of(&r), ("BAD_USER_INPUT".into(), Some("id".into())));
    let many = vec![entry.clone(); 101];
    let r = app.gql(NODES, json!({ "ids": many }), None).await;
    assert_eq!(error_of(&r), ("BAD_USER_INPUT".into(), Some("ids".into())));
}

/// The first node of the connection at `data.<field>`.
fn first_id(r: &Value, field: &str) -> String {
    let nodes = nodes_of(r, field);
    id_at(
        &nodes
            .first()
            .unwrap_or_else(|| panic!("{field} is empty: {r:#}"))["id"],
    )
}

#[tokio::test]
async fn repairs_complaints_commitments_and_nominations_refetch_as_their_lists_show_them() {
    let app = TestApp::spawn().await;
    let code = app.company("210902").await;
    let office = app.token("210900.ndrc", &["memoranda:admin"]);
    let market = app.token("210900.market", &["objections:handle", "lists:write"]);
    let me = app.subject_token(&code);
    let expect = |kind: &'static str| {
        move |found: Value| {
            assert_eq!(found["__typename"], kind, "{found:#}");
        }
    };

    // A repair application: the deciding department's (the record's source) and the office's.
    let r = app
        .gql(
            "mutation($input: AddCreditRecordInput!) { addCreditRecord(input: $input) { record { id } } }",
            json!({ "input": { "subject": code, "kind": "PENALTY", "title": "罚款", "decisionNumber": "阜市监罚〔2026〕9号",
                "decisionDate": "2026-03-02", "legalBasis": "《产品质量法》", "dishonestyClass": "GENERAL" } }),
            Some(&app.publisher("210900.market")),
        )
        .await;
    let record = id_at(&r["data"]["addCreditRecord"]["record"]["id"]);
    let r = app
        .gql(
            "mutation($input: ApplyRepairInput!) { applyRepair(input: $input) { repair { id } } }",
            json!({ "input": { "targetKind": "RECORD", "targetId": record, "rectification": "已缴纳罚款并整改",
                "commitment": "本单位承诺今后依法诚信经营，如有违反愿承担相应责任。" } }),
            Some(&me),
        )
        .await;
    assert_no_errors(&r);
    let repairs = app
        .gql(
            "{ repairs { edges { node { id } } } }",
            json!({}),
            Some(&market),
        )
        .await;
    let repair = first_id(&repairs, "repairs");
    expect("Repair")(node(&app, &repair, Some(&market)).await);
    assert!(node(&app, &repair, None).await.is_null());

    // A complaint: the credit office sees all; a department only those routed to it.
    let r = app
        .gql(
            "mutation($input: FileComplaintInput!) { fileComplaint(input: $input) { complaint { id } } }",
            json!({ "input": { "category": "OBJECTION_HANDLING", "about": "210900.market",
                "description": "我于本月初对一条行政处罚记录提出异议，至今超过期限仍未受理。", "contact": "13800000000" } }),
            None,
        )
        .await;
    assert_no_errors(&r);
    let all = app
        .gql(
            "{ complaints { edges { node { id } } } }",
            json!({}),
            Some(&office),
        )
        .await;
    let complaint = first_id(&all, "complaints");
    expect("Complaint")(node(&app, &complaint, Some(&office)).await);
    assert!(
        node(&app, &complaint, Some(&market)).await.is_null(),
        "not routed to it"
    );
    assert!(node(&app, &complaint, None).await.is_null());

    // A commitment: public, as the subject's list of them.
    let until = domain::time::china_date(chrono::Utc::now()) + chrono::Days::new(30);
    let r = app
        .gql(
            "mutation($input: PublishCommitmentInput!) { publishCommitment(input: $input) { commitment { id } } }",
            json!({ "input": { "kind": "MISSING_DOCUMENTS", "text": "本企业承诺在30日内补齐消防验收合格证明。",
                "scope": "食品经营许可申请（容缺受理）", "department": "210900.market", "validUntil": until.to_string() } }),
            Some(&me),
        )
        .await;
    assert_no_errors(&r);
    let public = app
        .gql(
            "query($s: String!) { commitments(subject: $s) { edges { node { id } } } }",
            json!({ "s": code }),
            None,
        )
        .await;
    expect("Commitment")(node(&app, &first_id(&public, "commitments"), None).await);

    // A nomination: the association that made it and the list's owner.
    let association = app.token("210900.assoc-food", &["lists:write"]);
    let r = app
        .gql(
            "mutation($input: NominateInput!) { nominate(input: $input) { nomination { id } } }",
            json!({ "input": { "subject": code, "listType": "industry-honest", "reason": "连续五年无食品安全违法记录" } }),
            Some(&association),
        )
        .await;
    assert_no_errors(&r);
    let received = app
        .gql(
            "{ nominations(side: RECEIVED) { edges { node { id } } } }",
            json!({}),
            Some(&market),
        )
        .await;
    let nomination = first_id(&received, "nominations");
    expect("Nomination")(node(&app, &nomination, Some(&market)).await);
    expect("Nomination")(node(&app, &nomination, Some(&association)).await);
    assert!(node(&app, &nomination, None).await.is_null());
    let tax = app.token("210900.tax", &["lists:write"]);
    assert!(node(&app, &nomination, Some(&tax)).await.is_null());
}

#[tokio::test]
async fn a_listing_candidate_refetches_for_the_list_s_owner_only() {
    let app = TestApp::spawn().await;
    let office = app.token("210900.ndrc", &["memoranda:admin"]);
    let r = app
        .gql(
            crate::candidates::SET,
            json!({ "input": { "listType": "market-serious-illegal", "brokenCommitments": 1, "withinMonths": 12 } }),
            Some(&office),
        )
        .await;
    assert_no_errors(&r);
    let code = app.company("210902").await;
    crate::candidates::break_a_promise(&app, &code).await;
    let market = app.token("210900.market", &["lists:write"]);
    let found = app
        .gql(
            "{ listingCandidates { edges { node { id } } } }",
            json!({}),
            Some(&market),
        )
        .await;
    let candidate = first_id(&found, "listingCandidates");
    assert_eq!(
        node(&app, &candidate, Some(&market)).await["__typename"],
        "ListingCandidate"
    );
    assert!(node(&app, &candidate, None).await.is_null());
    let tax = app.token("210900.tax", &["lists:write"]);
    assert!(node(&app, &candidate, Some(&tax)).await.is_null());
}

#[tokio::test]
async fn measures_lifts_authorisations_and_webhooks_refetch_for_whom_their_lists_are() {
    let app = TestApp::spawn().await;
    let typename = |v: &Value| v["__typename"].as_str().unwrap_or("null").to_owned();

    // A measure: public, as the memoranda.
    let r = app
        .gql("{ memoranda { measures { id } } }", json!({}), None)
        .await;
    assert_no_errors(&r);
    let measure = id_at(&r["data"]["memoranda"][0]["measures"][0]["id"]);
    assert_eq!(typename(&node(&app, &measure, None).await), "Measure");

    // A lift: for those who see its dispatch. The tax bureau's endpoint (on a port nobody
    // listens on) is told of the dispatch: a delivery.
    let tax = app.token("210900.tax", &["dispatch:handle"]);
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!(
        "http://127.0.0.1:{}/hook",
        closed.local_addr().unwrap().port()
    );
    drop(closed);
    crate::webhooks::register(&app, &tax, &url, json!(["DISPATCH_CREATED"])).await;
    let (code, dispatch) = applied_measure(&app, &tax).await;
    let r = app
        .gql(FEEDBACK, json!({ "input": { "dispatch": dispatch, "outcome": "APPLIED", "business": "发票领用", "note": "从严审核" } }), Some(&tax))
        .await;
    assert_no_errors(&r);
    let court = app.publisher("210900.court");
    let entries = app
        .gql(
            "query($c: String!) { subject(code: $c) { listEntries { edges { node { id } } } } }",
            json!({ "c": code }),
            Some(&court),
        )
        .await;
    let entry = id_at(&entries["data"]["subject"]["listEntries"]["edges"][0]["node"]["id"]);
    let r = app
        .gql(
            REVOKE,
            json!({ "input": { "id": entry, "reason": "判决已撤销" } }),
            Some(&court),
        )
        .await;
    assert_no_errors(&r);
    let r = app
        .gql(
            "query($id: ID!) { node(id: $id) { ... on Dispatch { lift { id } } } }",
            json!({ "id": dispatch }),
            Some(&tax),
        )
        .await;
    assert_no_errors(&r);
    let lift = id_at(&r["data"]["node"]["lift"]["id"]);
    assert_eq!(typename(&node(&app, &lift, Some(&tax)).await), "Lift");
    assert!(node(&app, &lift, None).await.is_null());

    // An authorisation: the granting subject's own.
    let me = app.subject_token(&code);
    let until = domain::time::china_date(chrono::Utc::now()) + chrono::Days::new(30);
    let r = app
        .gql(
            "mutation($input: GrantAuthorisationInput!) { grantAuthorisation(input: $input) { authorisation { id } } }",
            json!({ "input": { "bank": "210900.icbc", "purpose": "LENDING", "validUntil": until.to_string() } }),
            Some(&me),
        )
        .await;
    assert_no_errors(&r);
    let mine = app
        .gql(
            "{ me { authorisations { edges { node { id } } } } }",
            json!({}),
            Some(&me),
        )
        .await;
    let granted = first_id(&mine, "me.authorisations");
    assert_eq!(
        typename(&node(&app, &granted, Some(&me)).await),
        "Authorisation"
    );
    let other = app.subject_token(&app.company("210902").await);
    assert!(node(&app, &granted, Some(&other)).await.is_null());
    assert!(node(&app, &granted, None).await.is_null());

    // The endpoint and its deliveries: the registering department's own.
    let r = app
        .gql(
            "{ me { webhook { id deliveries { edges { node { id } } } } } }",
            json!({}),
            Some(&tax),
        )
        .await;
    assert_no_errors(&r);
    let endpoint = id_at(&r["data"]["me"]["webhook"]["id"]);
    let delivery = id_at(&r["data"]["me"]["webhook"]["deliveries"]["edges"][0]["node"]["id"]);
    let court_handler = app.token("210900.court", &["dispatch:handle"]);
    for (id, kind) in [
        (&endpoint, "WebhookEndpoint"),
        (&delivery, "WebhookDelivery"),
    ] {
        assert_eq!(typename(&node(&app, id, Some(&tax)).await), kind);
        assert!(
            node(&app, id, Some(&court_handler)).await.is_null(),
            "{kind}"
        );
        assert!(node(&app, id, None).await.is_null(), "{kind}");
    }
}
