use crate::helpers::*;
use serde_json::json;

const ENTRIES: &str = "query($t: String, $s: EntryStatus, $j: String) { listEntries(listType: $t, status: $s, jurisdiction: $j, first: 100) { edges { node { id status subject { code } listType { code } } } } }";
const REVOKE: &str = "mutation($input: RevokeListEntryInput!) { revokeListEntry(input: $input) { entry { id status revocationReason endedAt } } }";

fn count(r: &serde_json::Value) -> usize {
    r["data"]["listEntries"]["edges"]
        .as_array()
        .map_or(usize::MAX, Vec::len)
}

#[tokio::test]
async fn owner_lists_a_company_and_the_public_sees_it() {
    let app = TestApp::spawn().await;
    let code = app.company("210902").await;
    let court = app.publisher("210900.court");
    let r = app
        .list(
            &court,
            &code,
            "court-dishonest-debtor",
            json!({ "startDate": "2026-03-02" }),
        )
        .await;
    assert_no_errors(&r);
    let e = &r["data"]["addListEntry"]["entry"];
    assert_eq!(e["status"], "ACTIVE");
    assert_eq!(
        e["endDate"], "2028-03-02",
        "the list type's default period of 24 months"
    );
    let r = app
        .gql(ENTRIES, json!({ "t": "court-dishonest-debtor" }), None)
        .await;
    assert_eq!(count(&r), 1);
    assert_eq!(
        r["data"]["listEntries"]["edges"][0]["node"]["subject"]["code"],
        code
    );
    let r = app.gql("query($c: String!) { subject(code: $c) { listEntries { edges { node { status listType { name } } } } } }", json!({ "c": code }), None).await;
    assert_eq!(
        r["data"]["subject"]["listEntries"]["edges"][0]["node"]["listType"]["name"],
        "失信被执行人"
    );
}

#[tokio::test]
async fn writing_to_a_list_type_one_does_not_own_is_forbidden_and_stores_nothing() {
    let app = TestApp::spawn().await;
    let code = app.company("210902").await;
    let tax = app.publisher("210900.tax");
    let r = app
        .list(&tax, &code, "court-dishonest-debtor", json!({}))
        .await;
    assert_eq!(error_of(&r).0, "FORBIDDEN");
    let court = app.publisher("210900.court");
    let r = app.gql(ENTRIES, json!({}), Some(&court)).await;
    assert_eq!(count(&r), 0, "nothing stored");
}

#[tokio::test]
async fn county_department_lists_only_in_its_county() {
    let app = TestApp::spawn().await;
    let inside = app.company("210922").await;
    let outside = app.company("210921").await;
    let county = app.publisher("210922.market");
    let r = app
        .list(
            &county,
            &outside,
            "zhangwu-market-serious-illegal",
            json!({}),
        )
        .await;
    assert_eq!(error_of(&r).0, "FORBIDDEN");
    let r = app
        .list(
            &county,
            &inside,
            "zhangwu-market-serious-illegal",
            json!({}),
        )
        .await;
    assert_no_errors(&r);
    let r = app.gql(ENTRIES, json!({ "j": "210921" }), None).await;
    assert_eq!(count(&r), 0);
    let r = app.gql(ENTRIES, json!({ "j": "210922" }), None).await;
    assert_eq!(count(&r), 1);
}

#[tokio::test]
async fn an_entry_past_its_end_reads_expired() {
    let app = TestApp::spawn().await;
    let code = app.company("210902").await;
    let court = app.publisher("210900.court");
    let r = app
        .list(
            &court,
            &code,
            "court-dishonest-debtor",
            json!({ "startDate": "2024-01-02", "endDate": "2025-01-02" }),
        )
        .await;
    assert_no_errors(&r);
    assert_eq!(r["data"]["addListEntry"]["entry"]["status"], "EXPIRED");
    let r = app
        .gql(ENTRIES, json!({ "s": "EXPIRED" }), Some(&court))
        .await;
    assert_eq!(count(&r), 1);
    let r = app
        .gql(ENTRIES, json!({ "s": "ACTIVE" }), Some(&court))
        .await;
    assert_eq!(count(&r), 0);
    // The public sees only entries in force.
    let r = app.gql(ENTRIES, json!({}), None).await;
    assert_eq!(count(&r), 0);
    let r = app.gql(ENTRIES, json!({ "s": "EXPIRED" }), None).await;
    assert_eq!(count(&r), 0);
    // An expired entry cannot be revoked: an illegal transition is an error.
    let id = {
        let r = app
            .gql(ENTRIES, json!({ "s": "EXPIRED" }), Some(&court))
            .await;
        r["data"]["listEntries"]["edges"][0]["node"]["id"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    let r = app
        .gql(
            REVOKE,
            json!({ "input": { "id": id, "reason": "错误" } }),
            Some(&court),
        )
        .await;
    assert_eq!(error_of(&r).0, "CONFLICT");
}

#[tokio::test]
async fn owner_revokes_with_a_reason_and_others_cannot() {
    let app = TestApp::spawn().await;
    let code = app.company("210902").await;
    let court = app.publisher("210900.court");
    let r = app
        .list(&court, &code, "court-dishonest-debtor", json!({}))
        .await;
    let id = r["data"]["addListEntry"]["entry"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let tax = app.publisher("210900.tax");
    let r = app
        .gql(
            REVOKE,
            json!({ "input": { "id": id, "reason": "错误" } }),
            Some(&tax),
        )
        .await;
    assert_eq!(error_of(&r).0, "FORBIDDEN");
    let r = app
        .gql(
            REVOKE,
            json!({ "input": { "id": id, "reason": " " } }),
            Some(&court),
        )
        .await;
    assert_eq!(
        error_of(&r),
        ("BAD_USER_INPUT".into(), Some("input.reason".into()))
    );
    let r = app
        .gql(
            REVOKE,
            json!({ "input": { "id": id, "reason": "被执行人已履行完毕，系录入错误" } }),
            Some(&court),
        )
        .await;
    assert_no_errors(&r);
    assert_eq!(r["data"]["revokeListEntry"]["entry"]["status"], "REVOKED");
    assert!(r["data"]["revokeListEntry"]["entry"]["endedAt"].is_string());
    let r = app
        .gql(
            REVOKE,
            json!({ "input": { "id": id, "reason": "再次" } }),
            Some(&court),
        )
        .await;
    assert_eq!(error_of(&r).0, "CONFLICT");
    let r = app
        .gql(
            REVOKE,
            json!({ "input": { "id": missing_id(domain::node::NodeKind::ListEntry), "reason": "x" } }),
            Some(&court),
        )
        .await;
    assert_eq!(error_of(&r).0, "NOT_FOUND");
    // It names the id the caller sent, not the row behind it.
    let message = r["errors"][0]["message"].as_str().unwrap_or_default();
    assert!(
        message.contains(&missing_id(domain::node::NodeKind::ListEntry)),
        "{message}"
    );
    let r = app.gql(ENTRIES, json!({}), None).await;
    assert_eq!(count(&r), 0, "the public no longer sees it");
    let r = app
        .gql(ENTRIES, json!({ "s": "REVOKED" }), Some(&court))
        .await;
    assert_eq!(count(&r), 1);
}

#[tokio::test]
async fn idempotency_key_and_duplicate_listing() {
    let app = TestApp::spawn().await;
    let code = app.company("210902").await;
    let court = app.publisher("210900.court");
    let a = app
        .list(
            &court,
            &code,
            "court-dishonest-debtor",
            json!({ "idempotencyKey": "case-2026-001" }),
        )
        .await;
    let b = app
        .list(
            &court,
            &code,
            "court-dishonest-debtor",
            json!({ "idempotencyKey": "case-2026-001" }),
        )
        .await;
    assert_no_errors(&b);
    assert_eq!(
        a["data"]["addListEntry"]["entry"]["id"],
        b["data"]["addListEntry"]["entry"]["id"]
    );
    let c = app
        .list(&court, &code, "court-dishonest-debtor", json!({}))
        .await;
    assert_eq!(
        error_of(&c).0,
        "CONFLICT",
        "already on the list and in force"
    );
    let r = app.gql(ENTRIES, json!({}), Some(&court)).await;
    assert_eq!(count(&r), 1);
}

#[tokio::test]
async fn bad_entries_are_refused_with_their_field() {
    let app = TestApp::spawn().await;
    let code = app.company("210902").await;
    let court = app.publisher("210900.court");
    let r = app.list(&court, &code, "no-such-list", json!({})).await;
    assert_eq!(
        error_of(&r),
        ("BAD_USER_INPUT".into(), Some("input.listType".into()))
    );
    let r = app
        .list(
            &court,
            "9121090200000000XX",
            "court-dishonest-debtor",
            json!({}),
        )
        .await;
    assert_eq!(
        error_of(&r),
        ("BAD_USER_INPUT".into(), Some("input.subject".into()))
    );
    let r = app
        .list(
            &court,
            &code,
            "court-dishonest-debtor",
            json!({ "startDate": "2026-03-02", "endDate": "2026-03-01" }),
        )
        .await;
    assert_eq!(
        error_of(&r),
        ("BAD_USER_INPUT".into(), Some("input.endDate".into()))
    );
    let r = app.gql(ENTRIES, json!({ "t": "no-such-list" }), None).await;
    assert_eq!(
        error_of(&r),
        ("BAD_USER_INPUT".into(), Some("listType".into()))
    );
    let r = app.gql(ENTRIES, json!({}), Some(&court)).await;
    assert_eq!(count(&r), 0);
}

#[tokio::test]
async fn credit_office_creates_list_types_and_nobody_else() {
    let app = TestApp::spawn().await;
    let q = "mutation($input: CreateListTypeInput!) { createListType(input: $input) { listType { code name colour owner { code } defaultPeriodMonths } } }";
    let input = json!({ "input": { "code": "ecology-serious-dishonest", "name": "环境保护严重失信企业", "colour": "BLACK",
        "owner": "210900.ecology", "defaultPeriodMonths": 24, "legalBasis": "《企业环境信用评价办法》" } });
    let court = app.token("210900.court", &["memoranda:admin"]);
    let r = app.gql(q, input.clone(), Some(&court)).await;
    assert_eq!(
        error_of(&r).0,
        "FORBIDDEN",
        "scope alone is not enough: the credit office only"
    );
    let ndrc_without_scope = app.token("210900.ndrc", &["stats:read"]);
    let r = app.gql(q, input.clone(), Some(&ndrc_without_scope)).await;
    assert_eq!(error_of(&r).0, "FORBIDDEN");
    let ndrc = app.token("210900.ndrc", &["memoranda:admin"]);
    let r = app.gql(q, input.clone(), Some(&ndrc)).await;
    assert_no_errors(&r);
    assert_eq!(
        r["data"]["createListType"]["listType"]["owner"]["code"],
        "210900.ecology"
    );
    let r = app.gql(q, input.clone(), Some(&ndrc)).await;
    assert_eq!(error_of(&r).0, "CONFLICT");
    let mut bad = input;
    bad["input"]["code"] = json!("ecology-2");
    bad["input"]["owner"] = json!("210900.nobody");
    let r = app.gql(q, bad, Some(&ndrc)).await;
    assert_eq!(
        error_of(&r),
        ("BAD_USER_INPUT".into(), Some("input.owner".into()))
    );
    // The new list works for its owner.
    let code = app.company("210902").await;
    let ecology = app.publisher("210900.ecology");
    let r = app
        .list(&ecology, &code, "ecology-serious-dishonest", json!({}))
        .await;
    assert_no_errors(&r);
}

#[tokio::test]
async fn a_batch_is_all_or_nothing_and_names_the_item_at_fault() {
    let app = TestApp::spawn().await;
    let court = app.publisher("210900.court");
    let mut codes = Vec::new();
    for _ in 0..3 {
        codes.push(app.company("210902").await);
    }
    let batch = "mutation($input: AddListEntriesInput!) { addListEntries(input: $input) { entries { id status subject { code } } } }";
    let item = |code: &str| json!({ "subject": code, "listType": "court-dishonest-debtor", "reason": "拒不履行", "basisDocument": "(2026)辽09执2号" });
    let bad = json!({ "input": { "entries": [item(&codes[0]), item("91210902XXXXXXXXX0"), item(&codes[2])] } });
    let r = app.gql(batch, bad, Some(&court)).await;
    assert_eq!(
        error_of(&r),
        (
            "BAD_USER_INPUT".into(),
            Some("input.entries[1].subject".into())
        )
    );
    let r = app.gql(ENTRIES, json!({}), Some(&court)).await;
    assert_eq!(count(&r), 0, "nothing stored");
    let twice = json!({ "input": { "entries": [item(&codes[0]), item(&codes[0])] } });
    let r = app.gql(batch, twice, Some(&court)).await;
    assert_eq!(error_of(&r).0, "CONFLICT");
    let r = app.gql(ENTRIES, json!({}), Some(&court)).await;
    assert_eq!(count(&r), 0, "nothing stored");
    let good = json!({ "input": { "entries": codes.iter().map(|c| item(c)).collect::<Vec<_>>() } });
    let r = app.gql(batch, good, Some(&court)).await;
    assert_no_errors(&r);
    assert_eq!(
        r["data"]["addListEntries"]["entries"]
            .as_array()
            .unwrap()
            .len(),
        3
    );
    let r = app
        .gql(ENTRIES, json!({ "t": "court-dishonest-debtor" }), None)
        .await;
    assert_eq!(count(&r), 3);
    let ndrc = app.token("210900.ndrc", &["memoranda:admin"]);
    let d = app
        .gql(
            "{ dispatches(first: 100) { edges { node { id } } pageInfo { hasNextPage } } }",
            json!({}),
            Some(&ndrc),
        )
        .await;
    assert!(
        d["data"]["dispatches"]["pageInfo"]["hasNextPage"] == true,
        "each listing made its dispatches"
    );
}
