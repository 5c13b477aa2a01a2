//! 归集: files of records, entries and subjects through `importFile` and `xinyong import` — the
//! report names each bad row's line, column and reason; all or nothing, or the good rows only; the
//! same file twice changes nothing.

use crate::helpers::*;
use serde_json::{Value, json};
use std::process::Command;

const IMPORT: &str = "mutation($input: ImportFileInput!) { importFile(input: $input) { report { kind rows created unchanged rejected committed problems { line field reason } } } }";
const RECORDS_OF: &str = "query($s: String) { creditRecords(subject: $s, first: 50) { edges { node { title kind decisionNumber legalBasis content dishonestyClass publicityEnd } } } }";

async fn import(
    app: &TestApp,
    token: &str,
    kind: &str,
    format: &str,
    content: &str,
    good_rows_only: bool,
) -> Value {
    let r = app
        .gql(
            IMPORT,
            json!({ "input": { "kind": kind, "format": format, "content": content, "goodRowsOnly": good_rows_only } }),
            Some(token),
        )
        .await;
    assert_no_errors(&r);
    r["data"]["importFile"]["report"].clone()
}

async fn records_of(app: &TestApp, code: &str) -> Vec<Value> {
    let r = app.gql(RECORDS_OF, json!({ "s": code }), None).await;
    assert_no_errors(&r);
    r["data"]["creditRecords"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"].clone())
        .collect()
}

fn problems(report: &Value) -> Vec<(u64, String)> {
    report["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["line"].as_u64().unwrap(),
                p["field"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

/// A penalty file in the 2019 double-publicity columns: rows 2 and 4 good, 3 and 5 bad.
fn penalty_file(a: &str, b: &str, tag: &str) -> String {
    format!(
        "CF_XDR_MC,CF_XDR_SHXYM,CF_WSH,CF_WFXW,CF_SY,CF_YJ,CF_CFLB,CF_NR,CF_JDRQ,CF_GSJZQ,CF_CFJG,dishonestyClass\n\
         甲公司,{a},阜市监罚〔2026〕{tag}1号,虚假宣传,夸大产品功效,《广告法》第五十五条,罚款,罚款5万元,2026/03/02,2027/03/01,阜新市市场监督管理局,一般\n\
         乙公司,{b},阜市监罚〔2026〕{tag}2号,无照经营,未取得营业执照,《无证无照经营查处办法》,罚款,罚款1万元,2026-02-30,,阜新市市场监督管理局,一般\n\
         乙公司,{b},阜市监罚〔2026〕{tag}3号,产品质量,以次充好,《产品质量法》第五十条,罚款,罚款2万元,20260310,,阜新市市场监督管理局,严重\n\
         丙公司,91210900MA0NOBODY1,阜市监罚〔2026〕{tag}4号,产品质量,以次充好,《产品质量法》第五十条,罚款,罚款2万元,20260310,,阜新市市场监督管理局,一般\n"
    )
}

#[tokio::test]
async fn a_file_with_bad_rows_stores_nothing_or_only_the_good_rows_and_twice_changes_nothing() {
    let app = TestApp::spawn().await;
    let (a, b) = (app.company("210902").await, app.company("210902").await);
    let token = app.publisher("210900.market");
    let tag = &a[10..14];
    let file = penalty_file(&a, &b, tag);

    let report = import(&app, &token, "RECORDS", "CSV", &file, false).await;
    assert_eq!(report["rows"], 4);
    assert_eq!(report["committed"], false);
    assert_eq!(report["created"], 0);
    assert_eq!(report["rejected"], 2);
    assert_eq!(
        problems(&report),
        [(3, "CF_JDRQ".to_owned()), (5, "CF_XDR_SHXYM".to_owned())],
        "{report:#}"
    );
    assert!(records_of(&app, &a).await.is_empty(), "all or nothing");
    assert!(records_of(&app, &b).await.is_empty());

    let report = import(&app, &token, "RECORDS", "CSV", &file, true).await;
    assert_eq!(report["committed"], true);
    assert_eq!(
        (report["created"].as_u64(), report["rejected"].as_u64()),
        (Some(2), Some(2))
    );
    let stored = records_of(&app, &a).await;
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0]["kind"], "PENALTY");
    assert_eq!(stored[0]["title"], "虚假宣传");
    assert_eq!(
        stored[0]["decisionNumber"],
        format!("阜市监罚〔2026〕{tag}1号")
    );
    assert_eq!(stored[0]["legalBasis"], "《广告法》第五十五条");
    assert_eq!(
        stored[0]["content"],
        "违法事实：夸大产品功效\n处罚内容：罚款5万元"
    );
    assert_eq!(stored[0]["dishonestyClass"], "GENERAL");
    assert_eq!(stored[0]["publicityEnd"], "2027-03-01");
    assert_eq!(records_of(&app, &b).await.len(), 1);

    // The same file again: the good rows are already there, nothing changes.
    let report = import(&app, &token, "RECORDS", "CSV", &file, true).await;
    assert_eq!(
        (report["created"].as_u64(), report["unchanged"].as_u64()),
        (Some(0), Some(2))
    );
    assert_eq!(records_of(&app, &a).await.len(), 1);
    assert_eq!(records_of(&app, &b).await.len(), 1);
}

#[tokio::test]
async fn a_good_file_sent_twice_is_stored_once_and_a_changed_row_is_refused() {
    let app = TestApp::spawn().await;
    let a = app.company("210902").await;
    let token = app.publisher("210900.market");
    let tag = &a[10..14];
    // A licence in the 2016 names, as JSON Lines, with a column of the standard we do not keep.
    let line = |title: &str| {
        json!({ "XK_XMMC": title, "XK_WSH": format!("阜市监许〔2026〕{tag}号"), "XK_XDR": "甲公司",
                "XK_XDR_SHXYM": a, "XK_JDRQ": "2026-03-02", "XK_JZQ": "2031-03-01", "DFBM": "210900" })
        .to_string()
    };
    let file = format!("{}\n", line("食品经营许可"));
    for (created, unchanged) in [(1, 0), (0, 1)] {
        let report = import(&app, &token, "RECORDS", "JSON_LINES", &file, false).await;
        assert_eq!(report["committed"], true, "{report:#}");
        assert_eq!(report["created"], created);
        assert_eq!(report["unchanged"], unchanged);
    }
    let stored = records_of(&app, &a).await;
    assert_eq!(stored.len(), 1);
    assert_eq!(
        (stored[0]["kind"].as_str(), stored[0]["title"].as_str()),
        (Some("LICENCE"), Some("食品经营许可"))
    );

    let report = import(
        &app,
        &token,
        "RECORDS",
        "JSON_LINES",
        &format!("{}\n", line("药品经营许可")),
        false,
    )
    .await;
    assert_eq!(report["committed"], false);
    assert_eq!(problems(&report), [(1, "XK_WSH".to_owned())]);
    assert_eq!(records_of(&app, &a).await[0]["title"], "食品经营许可");

    // A column no one knows is the file's problem: nothing is stored, whatever the mode.
    let report = import(
        &app,
        &token,
        "RECORDS",
        "CSV",
        "subject,kind,titel\nx,licence,y\n",
        true,
    )
    .await;
    assert_eq!(report["committed"], false);
    assert_eq!(problems(&report), [(1, "titel".to_owned())]);
}

#[tokio::test]
async fn importing_entries_lists_and_dispatches_once_by_source_key() {
    let app = TestApp::spawn().await;
    let (a, b) = (app.company("210902").await, app.company("210903").await);
    let court = app.publisher("210900.court");
    let tag = &a[10..14];
    let file = format!(
        "subject,listType,reason,basisDocument,sourceKey\n\
         {a},court-dishonest-debtor,拒不履行生效判决,(2026)辽09执{tag}1号,zx-{tag}-1\n\
         {b},court-dishonest-debtor,拒不履行生效判决,(2026)辽09执{tag}2号,zx-{tag}-2\n"
    );
    let report = import(&app, &court, "ENTRIES", "CSV", &file, false).await;
    assert_eq!(
        (report["created"].as_u64(), report["committed"].as_bool()),
        (Some(2), Some(true)),
        "{report:#}"
    );
    let report = import(&app, &court, "ENTRIES", "CSV", &file, false).await;
    assert_eq!(
        (report["created"].as_u64(), report["unchanged"].as_u64()),
        (Some(0), Some(2))
    );

    let r = app
        .gql(
            "query($c: String!) { subject(code: $c) { listEntries(first: 10) { edges { node { id status } } } } }",
            json!({ "c": a }),
            None,
        )
        .await;
    let entries = r["data"]["subject"]["listEntries"]["edges"]
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(entries.len(), 1, "{r:#}");
    // The entry's measures reached their departments, once.
    let r = app
        .gql(
            "query($e: ID) { dispatches(entry: $e, first: 100) { edges { node { id } } } }",
            json!({ "e": entries[0]["node"]["id"] }),
            Some(&app.token("210900.ndrc", &["stats:read"])),
        )
        .await;
    assert_no_errors(&r);
    let dispatches = r["data"]["dispatches"]["edges"].as_array().unwrap().len();
    assert!(dispatches > 0, "{r:#}");

    // Another department may not list on the court's list: every row says so, nothing is stored.
    let tax = app.publisher("210900.tax");
    let other = format!(
        "subject,listType,reason,basisDocument,sourceKey\n{a},court-dishonest-debtor,x,y,t-{tag}\n"
    );
    let report = import(&app, &tax, "ENTRIES", "CSV", &other, false).await;
    assert_eq!(report["committed"], false);
    assert_eq!(problems(&report)[0].0, 2);

    // The scope follows the kind.
    let records_only = app.token("210900.court", &["records:write"]);
    let r = app
        .gql(
            IMPORT,
            json!({ "input": { "kind": "ENTRIES", "format": "CSV", "content": file } }),
            Some(&records_only),
        )
        .await;
    assert_eq!(error_of(&r).0, "FORBIDDEN");
}

#[tokio::test]
async fn the_cli_imports_subjects_and_reports_bad_rows() {
    let app = TestApp::spawn().await;
    let dir = std::env::temp_dir().join(format!("xinyong-import-{}", new_uscc("210902")));
    std::fs::create_dir_all(&dir).unwrap();
    let (good, bad) = (new_uscc("210902"), new_uscc("210903"));
    let file = dir.join("subjects.jsonl");
    let text = format!(
        "{}\n{}\n",
        json!({ "code": good, "kind": "法人", "name": "阜新归集测试有限公司", "jurisdiction": "210902", "representativeName": "王伟", "成立日期": "2015/06/01" }),
        json!({ "code": bad, "kind": "LEGAL_PERSON", "name": "阜新归集测试二公司", "jurisdiction": "219999", "representativeName": "王伟" }),
    );
    std::fs::write(&file, text).unwrap();
    // The CLI runs off the test's runtime, which also runs the server's cache listener: blocking
    // it would hold back the server's confirmation of the CLI's invalidation.
    let run = |extra: &[&str]| {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_xinyong"));
        cmd.args([
            "import",
            "--kind",
            "subjects",
            "--department",
            "210900.market",
        ])
        .args(extra)
        .arg(&file)
        .env("XINYONG_DATABASE_URL", &app.settings.database_url);
        if let Some(redis) = &app.settings.redis_url {
            cmd.env("XINYONG_REDIS_URL", redis)
                .env("XINYONG_CACHE_NAMESPACE", &app.settings.cache_namespace);
        }
        async move {
            tokio::task::spawn_blocking(move || cmd.output().unwrap())
                .await
                .unwrap()
        }
    };
    // With Redis the import drops the servers' cached answers, so the public look-up shows it at
    // once; a server with only its in-process cache cannot hear the CLI, so look up as a
    // department there (not cached).
    let viewer = app
        .settings
        .redis_url
        .is_none()
        .then(|| app.token("210900.market", &[]));
    let out = run(&[]).await;
    assert!(!out.status.success());
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("nothing stored"), "{stdout}");
    assert!(stdout.contains("line 2\tjurisdiction\t"), "{stdout}");
    let found = |code: &str| {
        let code = code.to_owned();
        let (app, viewer) = (&app, &viewer);
        async move {
            let r = app
                .gql(
                    "query($c: String!) { subject(code: $c) { name } }",
                    json!({ "c": code }),
                    viewer.as_deref(),
                )
                .await;
            !r["data"]["subject"].is_null()
        }
    };
    assert!(!found(&good).await);

    let out = run(&["--good-rows-only", "--json"]).await;
    assert!(!out.status.success(), "bad rows still fail the command");
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        (report["created"].as_u64(), report["committed"].as_bool()),
        (Some(1), Some(true))
    );
    assert!(found(&good).await);
    assert!(!found(&bad).await);
    let r = app
        .gql(
            "query($c: String!) { subject(code: $c) { establishedOn } }",
            json!({ "c": good }),
            Some(&app.token("210900.market", &[])),
        )
        .await;
    assert_eq!(r["data"]["subject"]["establishedOn"], "2015-06-01");

    std::fs::write(&file, format!("{}\n", json!({ "code": good, "kind": "法人", "name": "阜新归集测试有限公司", "jurisdiction": "210902", "representativeName": "王伟" }))).unwrap();
    let out = run(&["--json"]).await;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        (report["created"].as_u64(), report["unchanged"].as_u64()),
        (Some(0), Some(1))
    );
    std::fs::remove_dir_all(&dir).unwrap();
}
