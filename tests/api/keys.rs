//! Keys: `serve` refuses to start on a built-in or missing key, `serve --demo` makes random keys
//! once for its database (and `xinyong token` uses them), demonstration reports say so, a report
//! signed with the old development-derived key is refused, and a rotated key still verifies the
//! reports it signed.

use crate::helpers::*;
use serde_json::{Value, json};
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const VERIFY: &str =
    "query($d: String!) { verifyReport(document: $d) { valid reason number demonstration } }";

fn xinyong() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_xinyong"));
    // Only what the test gives: no key from the environment the tests run in.
    for (k, _) in std::env::vars() {
        if k.starts_with("XINYONG_") {
            cmd.env_remove(k);
        }
    }
    cmd.env("XINYONG_BIND", "127.0.0.1:0");
    cmd
}

pub fn temp_sqlite() -> (String, std::path::PathBuf) {
    let file =
        std::env::temp_dir().join(format!("xinyong-keys-{}.db", uuid::Uuid::now_v7().simple()));
    (format!("sqlite://{}", file.display()), file)
}

/// `serve` with `args` on `database`: its stderr once it exits, which it must within 30 s.
fn serve_refused(database: &str, env: &[(&str, &str)], args: &[&str]) -> String {
    let mut cmd = xinyong();
    cmd.arg("serve")
        .args(args)
        .env("XINYONG_DATABASE_URL", database);
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child = cmd
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let started = Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            assert!(!status.success(), "serve started");
            let mut err = String::new();
            std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut err).unwrap();
            return err;
        }
        if started.elapsed() > Duration::from_secs(30) {
            child.kill().unwrap();
            panic!("serve did not refuse to start");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// A running `serve --demo`, the address it printed, and what it writes to standard error after.
pub struct Demo {
    child: Child,
    pub address: String,
    pub later_lines: std::sync::mpsc::Receiver<String>,
}

impl Drop for Demo {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn serve_demo(database: &str) -> Demo {
    serve_demo_logging(database, "text").0
}

/// `serve --demo` with logs in `format`; with the lines it wrote to standard error up to the one
/// saying where it serves.
pub fn serve_demo_logging(database: &str, format: &str) -> (Demo, Vec<String>) {
    let mut child = xinyong()
        .args(["serve", "--demo"])
        .env("XINYONG_DATABASE_URL", database)
        .env("XINYONG_LOG_FORMAT", format)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // The banner is on standard error, beside the logs.
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let mut seen = Vec::new();
    for line in lines.by_ref() {
        let line = line.unwrap();
        if let Some(rest) = line.split("serving GraphQL at ").nth(1) {
            let address = rest.split("/graphql").next().unwrap().to_owned();
            seen.push(line);
            // Keep reading, so that the server never writes into a closed pipe.
            let (send, later_lines) = std::sync::mpsc::channel();
            std::thread::spawn(move || {
                for line in lines.map_while(Result::ok) {
                    let _ = send.send(line);
                }
            });
            let demo = Demo {
                child,
                address,
                later_lines,
            };
            return (demo, seen);
        }
        seen.push(line);
    }
    let _ = child.kill();
    let _ = child.wait();
    panic!("serve --demo ended without serving: {seen:?}");
}

#[test]
fn text_logs_to_a_pipe_carry_no_terminal_colours() {
    let (database, file) = temp_sqlite();
    let (demo, lines) = serve_demo_logging(&database, "text");
    drop(demo);
    let _ = std::fs::remove_file(file);
    assert!(
        lines.iter().any(|l| l.contains("INFO")),
        "some log lines before serving: {lines:?}"
    );
    assert!(
        lines.iter().all(|l| !l.contains('\u{1b}')),
        "escape codes in a log that is not a terminal: {lines:?}"
    );
}

#[test]
fn a_demonstration_with_json_logs_writes_nothing_but_json_lines() {
    let (database, file) = temp_sqlite();
    let (demo, lines) = serve_demo_logging(&database, "json");
    drop(demo);
    let _ = std::fs::remove_file(file);
    let parsed: Vec<Value> = lines
        .iter()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect();
    let tokens: Vec<&Value> = parsed
        .iter()
        .filter(|l| l["banner"] == "demo_token")
        .collect();
    assert!(tokens.len() >= 3, "{lines:?}");
    assert!(tokens.iter().all(|t| {
        t["token"]
            .as_str()
            .is_some_and(|t| t.split('.').count() == 3)
    }));
    assert!(
        parsed
            .iter()
            .any(|l| l["banner"] == "serving" && l["url"].as_str().is_some())
    );
}

async fn post(address: &str, query: &str, variables: Value, token: Option<&str>) -> Value {
    let mut req = reqwest::Client::new()
        .post(format!("{address}/graphql"))
        .json(&json!({ "query": query, "variables": variables }));
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    req.send().await.unwrap().json().await.unwrap()
}

/// The department a token names, as the server at `address` reads it (null if it refuses it).
async fn department_of(address: &str, token: &str) -> Value {
    let r = post(
        address,
        "{ me { department { code } } }",
        json!({}),
        Some(token),
    )
    .await;
    r["data"]["me"]["department"]["code"].clone()
}

/// The report keys the server at `address` publishes.
async fn report_keys(address: &str) -> Value {
    reqwest::get(format!("{address}/.well-known/xinyong-report-keys.json"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

fn token_for(database: &str) -> String {
    let out = xinyong()
        .args([
            "token",
            "--department",
            "210900.court",
            "--scope",
            "lists:write",
        ])
        .env("XINYONG_DATABASE_URL", database)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap().trim().to_owned()
}

/// The report key the platform derived from the development secret before there was no default.
fn development_derived_signer() -> api::report_signing::ReportSigner {
    let hex = persistence::sha256_hex(&format!(
        "xinyong report signing key\n{}",
        xinyong::config::DEV_SECRET
    ));
    let seed: Vec<u8> = (0..32)
        .map(|i| u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).unwrap())
        .collect();
    api::report_signing::ReportSigner::from_seed(seed.try_into().unwrap())
}

fn forged_report() -> String {
    development_derived_signer().sign(json!({
        "number": "XY-FORGED", "issuedAt": "2026-12-01T08:00:00+00:00",
        "subject": { "code": "91210900MA0000000X", "name": "伪造" }
    }))
}

#[test]
fn serve_refuses_to_start_on_a_built_in_or_missing_key() {
    let (database, file) = temp_sqlite();
    let said = serve_refused(&database, &[], &[]);
    assert!(said.contains("XINYONG_JWT_SECRET"), "{said}");
    let said = serve_refused(&database, &[("XINYONG_JWT_SECRET", "short")], &[]);
    assert!(said.contains("at least 32 bytes"), "{said}");
    let said = serve_refused(&database, &[("XINYONG_JWT_SECRET", SECRET)], &[]);
    assert!(said.contains("XINYONG_REPORT_SIGNING_KEY"), "{said}");
    let said = serve_refused(
        &database,
        &[
            ("XINYONG_JWT_SECRET", SECRET),
            ("XINYONG_REPORT_SIGNING_KEY", "not-a-key"),
        ],
        &[],
    );
    assert!(said.contains("report_signing_key"), "{said}");
    let _ = std::fs::remove_file(file);
}

#[tokio::test]
async fn a_demonstration_makes_its_own_keys_once_and_the_token_command_uses_them() {
    let (database, file) = temp_sqlite();
    let demo = serve_demo(&database);
    // The README's recipe: a token from the CLI beside `serve --demo`.
    let token = token_for(&database);
    assert_eq!(department_of(&demo.address, &token).await, "210900.court");
    // The built-in secret signs nothing here.
    let mut claims = TestApp::claims("210900.court", &["lists:write"]);
    claims.iat = chrono::Utc::now().timestamp();
    claims.exp = claims.iat + 600;
    let forged = api::auth::mint_hs256(
        &secrecy::SecretString::from(xinyong::config::DEV_SECRET),
        &claims,
    )
    .unwrap();
    let r = post(&demo.address, "{ me { kind } }", json!({}), Some(&forged)).await;
    assert_eq!(error_of(&r).0, "UNAUTHENTICATED", "{r}");
    let keys = report_keys(&demo.address).await;
    assert_eq!(keys["keys"][0]["demo"], true, "{keys}");
    let r = post(&demo.address, VERIFY, json!({ "d": forged_report() }), None).await;
    assert_eq!(r["data"]["verifyReport"]["valid"], false, "{r}");
    drop(demo);

    // The same database, started again: the same keys, so the token still holds.
    let again = serve_demo(&database);
    assert_eq!(department_of(&again.address, &token).await, "210900.court");
    let kept = report_keys(&again.address).await;
    assert_eq!(kept, keys);
    drop(again);

    // Another database, other keys.
    let (other_db, other_file) = temp_sqlite();
    let other = serve_demo(&other_db);
    let theirs = report_keys(&other.address).await;
    assert_ne!(theirs["keys"][0]["kid"], keys["keys"][0]["kid"]);
    let r = post(&other.address, "{ me { kind } }", json!({}), Some(&token)).await;
    assert_eq!(error_of(&r).0, "UNAUTHENTICATED", "{r}");
    drop(other);
    let _ = std::fs::remove_file(file);
    let _ = std::fs::remove_file(other_file);
}

const GRANT: &str = "mutation($input: GrantAuthorisationInput!) { grantAuthorisation(input: $input) { authorisation { id } } }";
const REPORT: &str = "query($c: String!) { creditReport(code: $c, purpose: LENDING) { document } }";

/// A credit report the app signs: a subject authorises the bank, the bank asks.
async fn issue_report(app: &TestApp) -> String {
    let code = app.company("210902").await;
    let until = domain::time::china_date(chrono::Utc::now()) + chrono::Days::new(30);
    let r = app
        .gql(
            GRANT,
            json!({ "input": { "bank": "210900.icbc", "purpose": "LENDING", "validUntil": until.to_string() } }),
            Some(&app.subject_token(&code)),
        )
        .await;
    assert_no_errors(&r);
    let r = app
        .gql(
            REPORT,
            json!({ "c": code }),
            Some(&app.token("210900.icbc", &["bank:query"])),
        )
        .await;
    assert_no_errors(&r);
    r["data"]["creditReport"]["document"]
        .as_str()
        .unwrap()
        .to_owned()
}

#[tokio::test]
async fn a_demonstration_report_is_marked_and_the_cli_says_so() {
    let app = TestApp::spawn_with(|s| s.demo_report_key = true).await;
    let document = issue_report(&app).await;
    let r = app.gql(VERIFY, json!({ "d": document }), None).await;
    assert_eq!(r["data"]["verifyReport"]["valid"], true, "{r}");
    assert_eq!(r["data"]["verifyReport"]["demonstration"], true, "{r}");
    assert!(
        r["data"]["verifyReport"]["reason"]
            .as_str()
            .unwrap()
            .contains("演示")
    );
    let header = document
        .split("\"jws\": \"")
        .nth(1)
        .unwrap()
        .split("..")
        .next()
        .unwrap();
    use base64::Engine;
    let header: Value = serde_json::from_slice(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(header)
            .unwrap(),
    )
    .unwrap();
    assert_eq!(header["demo"], true, "the signed header says so: {header}");

    let real = TestApp::spawn().await;
    let document = issue_report(&real).await;
    let r = real.gql(VERIFY, json!({ "d": document }), None).await;
    assert_eq!(r["data"]["verifyReport"]["demonstration"], false, "{r}");
}

#[tokio::test]
async fn a_report_signed_with_the_development_derived_key_is_refused() {
    let app = TestApp::spawn().await;
    let r = app.gql(VERIFY, json!({ "d": forged_report() }), None).await;
    assert_eq!(r["data"]["verifyReport"]["valid"], false, "{r}");
    assert!(
        r["data"]["verifyReport"]["reason"]
            .as_str()
            .unwrap()
            .contains("密钥"),
        "{r}"
    );
}

#[tokio::test]
async fn a_rotated_key_still_verifies_the_reports_it_signed() {
    let before = TestApp::spawn().await;
    let old_report = issue_report(&before).await;
    let old_keys: Value = before
        .client
        .get(format!(
            "{}/.well-known/xinyong-report-keys.json",
            before.address
        ))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let old_public = old_keys["keys"][0]["x"].as_str().unwrap().to_owned();
    let rotated_at = (chrono::Utc::now() + chrono::Duration::seconds(5)).to_rfc3339();
    let new_seed = xinyong::config::random_key().unwrap();
    let after = TestApp::spawn_with(|s| {
        s.report_signing_key = None;
        s.report_keys = vec![
            xinyong::config::ReportKeySetting {
                seed: None,
                public: Some(old_public.clone()),
                valid_from: None,
                valid_until: Some(rotated_at.clone()),
            },
            xinyong::config::ReportKeySetting {
                seed: Some(secrecy::SecretString::from(new_seed.clone())),
                public: None,
                valid_from: Some("2026-01-01T00:00:00Z".into()),
                valid_until: None,
            },
        ];
    })
    .await;
    let r = after.gql(VERIFY, json!({ "d": old_report }), None).await;
    assert_eq!(r["data"]["verifyReport"]["valid"], true, "{r}");
    let keys: Value = after
        .client
        .get(format!(
            "{}/.well-known/xinyong-report-keys.json",
            after.address
        ))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let kids: Vec<&str> = keys["keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["kid"].as_str().unwrap())
        .collect();
    assert_eq!(kids.len(), 2, "{keys}");
    assert!(kids.contains(&old_keys["keys"][0]["kid"].as_str().unwrap()));
    assert!(keys["keys"][0]["validUntil"].as_str().is_some(), "{keys}");
    // New reports are signed with the new key, which verifies too.
    let new_report = issue_report(&after).await;
    assert!(!new_report.contains(old_keys["keys"][0]["kid"].as_str().unwrap()));
    let r = after.gql(VERIFY, json!({ "d": new_report }), None).await;
    assert_eq!(r["data"]["verifyReport"]["valid"], true, "{r}");
    // Without the old key listed, its reports no longer verify.
    let forgot = TestApp::spawn_with(|s| {
        s.report_signing_key = Some(secrecy::SecretString::from(new_seed.clone()))
    })
    .await;
    let r = forgot.gql(VERIFY, json!({ "d": old_report }), None).await;
    assert_eq!(r["data"]["verifyReport"]["valid"], false, "{r}");
}
