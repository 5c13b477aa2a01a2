use diesel::{Connection, PgConnection, RunQueryDsl};
use secrecy::SecretString;
use serde_json::{Value, json};
use xinyong::config::Settings;
use xinyong::startup::{Application, build_services, open_store};

pub const SECRET: &str = "test-secret-for-black-box-tests-0123456789";
/// The tests' report signing key (an Ed25519 seed, base64url): `serve` has no default.
pub const REPORT_KEY: &str = "KioqKioqKioqKioqKioqKioqKioqKioqKioqKioqKio";

pub struct TestApp {
    pub address: String,
    pub client: reqwest::Client,
    pub settings: Settings,
    /// The server's clock: tests move today forward to see entries expire.
    pub clock: api::Clock,
    server: actix_web::dev::ServerHandle,
    sqlite_file: Option<std::path::PathBuf>,
}

/// A database of its own for one test: a new PostgreSQL database, or a new SQLite file.
fn fresh_database() -> (String, Option<std::path::PathBuf>) {
    match std::env::var("XINYONG_TEST_DATABASE_URL") {
        Ok(server) if !server.is_empty() => {
            let name = format!("xy_{}", uuid::Uuid::now_v7().simple());
            let mut admin = PgConnection::establish(&server).unwrap_or_else(|e| {
                panic!("XINYONG_TEST_DATABASE_URL is set but PostgreSQL cannot be reached: {e}")
            });
            diesel::sql_query(format!("CREATE DATABASE {name}"))
                .execute(&mut admin)
                .unwrap();
            let base = server.rsplit_once('/').map_or(server.as_str(), |(b, _)| b);
            (format!("{base}/{name}"), None)
        }
        _ => {
            let file = std::env::temp_dir()
                .join(format!("xinyong-test-{}.db", uuid::Uuid::now_v7().simple()));
            (format!("sqlite://{}", file.display()), Some(file))
        }
    }
}

pub fn test_settings() -> (Settings, Option<std::path::PathBuf>) {
    let (database_url, sqlite_file) = fresh_database();
    let redis_url = std::env::var("XINYONG_TEST_REDIS_URL")
        .ok()
        .filter(|s| !s.is_empty());
    let settings = Settings {
        database_url,
        redis_url,
        bind: "127.0.0.1:0".into(),
        pool_size: 4,
        workers: Some(2),
        log_format: "text".into(),
        cache_namespace: format!("test-{}", uuid::Uuid::now_v7().simple()),
        calendar_file: None,
        calendar_refresh_ms: 100,
        acknowledge_working_days: 5,
        search_window: persistence::DEFAULT_SEARCH_WINDOW,
        introspection: true,
        query_budget_ms: 10_000,
        cors_origins: vec!["https://portal.example.gov.cn".into()],
        any_origin: false,
        body_timeout_ms: 10_000,
        rate_limit_burst: 10_000,
        rate_limit_per_second: 10_000.0,
        sweep_interval_seconds: 1,
        jwt_issuer: "xinyong".into(),
        jwt_audience: "xinyong-api".into(),
        token_max_hours_department: 720,
        token_max_hours_subject: 24,
        jwt_algorithm: "HS256".into(),
        jwt_secret: SecretString::from(SECRET),
        jwt_public_key_file: None,
        report_signing_key: Some(SecretString::from(REPORT_KEY)),
        report_keys: Vec::new(),
        demo_report_key: false,
        webhook_max_attempts: 5,
        webhook_first_retry_ms: 200,
        webhook_longest_retry_seconds: 2,
        webhook_timeout_ms: 2_000,
        webhook_poll_ms: 100,
        webhook_concurrency: 4,
        partner_usage_flush_ms: 100,
    };
    (settings, sqlite_file)
}

impl TestApp {
    /// Starts a server with the Fuxin reference data (jurisdictions, departments, list types) and
    /// nothing else: each test makes its own subjects.
    pub async fn spawn() -> TestApp {
        Self::spawn_with(|_| {}).await
    }

    /// As [`TestApp::spawn`], with settings changed first.
    pub async fn spawn_with(edit: impl FnOnce(&mut Settings)) -> TestApp {
        Self::spawn_calendar(edit, true).await
    }

    /// As [`TestApp::spawn`], with only the bundled working-day calendar: for tests of what
    /// happens past it.
    pub async fn spawn_bundled_calendar_only() -> TestApp {
        Self::spawn_calendar(|_| {}, false).await
    }

    /// With `stand_in`, the two years after this one that the bundled calendar lacks are filled
    /// with [`stand_in_notice`], so that tests do not depend on the day they run.
    async fn spawn_calendar(edit: impl FnOnce(&mut Settings), stand_in: bool) -> TestApp {
        let (mut settings, sqlite_file) = test_settings();
        edit(&mut settings);
        let store = open_store(&settings).await.expect("database for the test");
        let loader = store.clone();
        tokio::task::spawn_blocking(move || {
            xinyong::seed::load_all(&loader, xinyong::seed::FUXIN_REFERENCE)?;
            if stand_in {
                let year = chrono::Datelike::year(&chrono::Utc::now());
                loader.install_calendar(&stand_in_notice(year..=year + 2), "test stand-in")?;
            }
            Ok::<_, anyhow::Error>(())
        })
        .await
        .unwrap()
        .unwrap();
        Self::start(settings, store, sqlite_file).await
    }

    /// Moves the server's today to `day` (the clock is shifted by whole days).
    pub fn set_today(&self, day: &str) {
        let day: chrono::NaiveDate = day.parse().unwrap();
        let offset = (day - self.clock.today()).num_days();
        self.clock.advance_days(offset);
    }

    /// A second instance on this one's database and cache (its Redis and namespace).
    pub async fn spawn_beside(&self) -> TestApp {
        let settings = self.settings.clone();
        let store = open_store(&settings).await.expect("database for the test");
        Self::start(settings, store, None).await
    }

    async fn start(
        settings: Settings,
        store: persistence::Store,
        sqlite_file: Option<std::path::PathBuf>,
    ) -> TestApp {
        let services = build_services(&settings, store)
            .await
            .expect("cache for the test");
        let clock = services.clock.clone();
        let app = Application::build(&settings, services, Vec::new())
            .await
            .unwrap();
        let address = format!("http://127.0.0.1:{}", app.port());
        let server = app.handle();
        tokio::spawn(app.run_until_stopped());
        TestApp {
            address,
            client: reqwest::Client::new(),
            settings,
            clock,
            server,
            sqlite_file,
        }
    }

    /// Claims for a department token, valid for an hour.
    pub fn claims(department: &str, scopes: &[&str]) -> api::auth::Claims {
        let now = chrono::Utc::now().timestamp();
        api::auth::Claims {
            sub: department.into(),
            role: Some("department".into()),
            dept: Some(department.into()),
            jur: Some(department[..6].into()),
            scopes: scopes.iter().map(|s| s.to_string()).collect(),
            exp: now + 3600,
            iat: now,
            nbf: None,
            iss: "xinyong".into(),
            aud: "xinyong-api".into(),
        }
    }

    pub fn token(&self, department: &str, scopes: &[&str]) -> String {
        self.token_with(department, scopes, |_| {})
    }

    /// A department token whose claims `edit` may change.
    pub fn token_with(
        &self,
        department: &str,
        scopes: &[&str],
        edit: impl FnOnce(&mut api::auth::Claims),
    ) -> String {
        let mut claims = Self::claims(department, scopes);
        edit(&mut claims);
        api::auth::mint_hs256(&SecretString::from(SECRET), &claims).unwrap()
    }

    /// A token with every scope a publishing department uses.
    pub fn publisher(&self, department: &str) -> String {
        self.token(
            department,
            &["subjects:write", "records:write", "lists:write"],
        )
    }

    pub async fn raw_post(&self, body: Value, token: Option<&str>) -> reqwest::Response {
        let mut req = self
            .client
            .post(format!("{}/graphql", self.address))
            .json(&body);
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        req.send().await.unwrap()
    }

    /// Sends a query; returns the whole JSON response.
    pub async fn gql(&self, query: &str, variables: Value, token: Option<&str>) -> Value {
        let resp = self
            .raw_post(json!({ "query": query, "variables": variables }), token)
            .await;
        resp.json().await.unwrap()
    }

    /// Registers a company in `jurisdiction` through the market regulation department; returns its code.
    pub async fn company(&self, jurisdiction: &str) -> String {
        let code = new_uscc(jurisdiction);
        let token = self.publisher("210900.market");
        let r = self.gql(REGISTER, json!({ "input": {
            "code": code, "kind": "LEGAL_PERSON", "name": format!("阜新测试{}有限公司", &code[10..14]),
            "jurisdiction": jurisdiction, "representativeName": "王伟", "representativeIdNumber": new_citizen_id("210902"),
        }}), Some(&token)).await;
        assert_no_errors(&r);
        code
    }

    /// Registers a natural person; returns the citizen id.
    pub async fn person(&self, jurisdiction: &str) -> String {
        let code = new_citizen_id(jurisdiction);
        let token = self.publisher("210900.market");
        let r = self.gql(REGISTER, json!({ "input": {
            "code": code, "kind": "NATURAL_PERSON", "name": "李娜", "jurisdiction": jurisdiction,
        }}), Some(&token)).await;
        assert_no_errors(&r);
        code
    }

    /// Puts a subject on a list; returns the entry JSON.
    pub async fn list(&self, token: &str, subject: &str, list_type: &str, extra: Value) -> Value {
        let mut input = json!({ "subject": subject, "listType": list_type, "reason": "拒不履行生效判决", "basisDocument": "(2026)辽09执1号" });
        if let (Some(i), Some(e)) = (input.as_object_mut(), extra.as_object()) {
            i.extend(e.clone());
        }
        self.gql(ADD_ENTRY, json!({ "input": input }), Some(token))
            .await
    }

    /// Puts a subject on a list as `department` (a publisher), which must succeed; returns the
    /// entry's id.
    pub async fn listed_by(
        &self,
        department: &str,
        subject: &str,
        list_type: &str,
        extra: Value,
    ) -> String {
        let r = self
            .list(&self.publisher(department), subject, list_type, extra)
            .await;
        assert_no_errors(&r);
        r["data"]["addListEntry"]["entry"]["id"]
            .as_str()
            .unwrap()
            .to_owned()
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        // The stop command is sent at once; its completion need not be awaited.
        drop(self.server.stop(false));
        if let Some(f) = &self.sqlite_file {
            for suffix in ["", "-wal", "-shm"] {
                let _ = std::fs::remove_file(format!("{}{suffix}", f.display()));
            }
        }
    }
}

pub const REGISTER: &str = "mutation($input: RegisterSubjectInput!) { registerSubject(input: $input) { subject { id code name kind checkException } } }";
pub const ADD_ENTRY: &str = "mutation($input: AddListEntryInput!) { addListEntry(input: $input) { entry { id status startDate endDate listType { code } subject { code } } } }";

/// The nodes of the connection at `data.<field>` (a dotted path, such as `me.watchlist`), after
/// checking that nothing failed.
pub fn nodes_of(r: &Value, field: &str) -> Vec<Value> {
    assert_no_errors(r);
    let at = field.split('.').fold(&r["data"], |v, f| &v[f]);
    at["edges"]
        .as_array()
        .unwrap_or_else(|| panic!("no connection at data.{field}: {r:#}"))
        .iter()
        .map(|e| e["node"].clone())
        .collect()
}

pub fn assert_no_errors(r: &Value) {
    assert!(r.get("errors").is_none(), "unexpected errors: {r:#}");
}

/// The first error's code and field.
pub fn error_of(r: &Value) -> (String, Option<String>) {
    let e = &r["errors"][0];
    assert!(!e.is_null(), "expected an error, got {r:#}");
    (
        e["extensions"]["code"]
            .as_str()
            .unwrap_or_default()
            .to_owned(),
        e["extensions"]["field"].as_str().map(str::to_owned),
    )
}

const USCC_SET: &[u8] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";

/// A random valid unified social credit code in `division`.
pub fn new_uscc(division: &str) -> String {
    let body: String = (0..8)
        .map(|_| USCC_SET[fastrand::usize(..USCC_SET.len())] as char)
        .collect();
    domain::uscc::complete(&format!("91{division}"), &body).unwrap()
}

/// A random valid citizen id born in `division`.
pub fn new_citizen_id(division: &str) -> String {
    let mut s = format!(
        "{division}{}{:02}{:02}{:03}",
        fastrand::u32(1950..2000),
        fastrand::u32(1..13),
        fastrand::u32(1..29),
        fastrand::u32(0..1000)
    );
    s.push(domain::citizen_id::check_character(s.as_bytes()).unwrap());
    s
}

/// The row id that a global id names, for tests that reach behind the API into the database.
pub fn row_id(global: &str) -> String {
    domain::node::decode(global)
        .unwrap_or_else(|| panic!("not a global id: {global}"))
        .1
}

/// The global id of a row that does not exist, of the type `kind`.
pub fn missing_id(kind: domain::node::NodeKind) -> String {
    kind.global_id("0190c0de-0000-7000-8000-000000000000")
}

/// Runs SQL straight against a test app's database, behind the server's back (tamper tests).
pub fn exec_sql(database_url: &str, sql: &str) -> usize {
    use diesel::{Connection, RunQueryDsl};
    match database_url.strip_prefix("sqlite://") {
        Some(path) => diesel::sql_query(sql)
            .execute(&mut diesel::SqliteConnection::establish(path).unwrap())
            .unwrap(),
        None => diesel::sql_query(sql)
            .execute(&mut PgConnection::establish(database_url).unwrap())
            .unwrap(),
    }
}

impl TestApp {
    /// A subject's own token (role `subject`, `sub` its code).
    pub fn subject_token(&self, code: &str) -> String {
        self.token_with("210900.market", &[], |c| {
            c.role = Some("subject".into());
            c.sub = code.into();
            c.dept = None;
            c.jur = None;
        })
    }
}

impl TestApp {
    /// The server's `/metrics`, as text.
    pub async fn metrics_text(&self) -> String {
        self.client
            .get(format!("{}/metrics", self.address))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap()
    }

    /// A counter from the server's `/metrics`.
    pub async fn metric(&self, name: &str) -> u64 {
        let text = self.metrics_text().await;
        text.lines()
            .find_map(|l| l.strip_prefix(name)?.strip_prefix(' '))
            .unwrap_or_else(|| panic!("{name} in /metrics"))
            .parse()
            .unwrap()
    }
}

impl TestApp {
    /// Files an objection to a record of `subject`, and has `handler` accept and uphold it with
    /// `remedy` (`WITHDRAW`, or `CORRECT` to content `罚款一万元`).
    pub async fn uphold_record_objection(
        &self,
        subject: &str,
        record: &str,
        handler: &str,
        remedy: &str,
    ) {
        let r = self
            .gql(
                "mutation($input: FileObjectionInput!) { fileObjection(input: $input) { objection { id } } }",
                json!({ "input": { "subject": subject, "targetKind": "RECORD", "targetId": record,
                    "reason": "罚款金额有误", "contact": "13800000000" } }),
                None,
            )
            .await;
        assert_no_errors(&r);
        let id = r["data"]["fileObjection"]["objection"]["id"].clone();
        let accept =
            "mutation($id: ID!) { acceptObjection(input: { id: $id }) { objection { status } } }";
        assert_no_errors(&self.gql(accept, json!({ "id": id }), Some(handler)).await);
        let decide = "mutation($input: DecideObjectionInput!) { decideObjection(input: $input) { objection { status } } }";
        let input = json!({ "input": { "id": id, "upheld": true, "reason": "核实有误",
            "recordRemedy": remedy, "correctedContent": "罚款一万元" } });
        assert_no_errors(&self.gql(decide, input, Some(handler)).await);
    }
}

/// A working-day notice for `years` with weekends and the fixed-date statutory holidays
/// ([`domain::calendar::FIXED_HOLIDAYS`]) only: a stand-in for years whose State Council notice
/// this repository does not hold. Not a real calendar: tests only.
pub fn stand_in_notice(years: impl IntoIterator<Item = i32>) -> String {
    use chrono::{Datelike, NaiveDate, Weekday};
    let mut out = serde_json::Map::new();
    for year in years {
        let off: Vec<String> = domain::calendar::FIXED_HOLIDAYS
            .iter()
            .filter_map(|(m, d, _)| NaiveDate::from_ymd_opt(year, *m, *d))
            .filter(|d| !matches!(d.weekday(), Weekday::Sat | Weekday::Sun))
            .map(|d| d.to_string())
            .collect();
        out.insert(year.to_string(), json!({ "off": off, "work": [] }));
    }
    json!({ "about": "test stand-in", "years": out }).to_string()
}

/// The calendar a test server started by [`TestApp::spawn`] holds: the bundled years and the
/// stand-ins after them.
pub fn test_calendar() -> domain::WorkingDayCalendar {
    use domain::calendar::{BUNDLED, parse_notice};
    let year = chrono::Datelike::year(&chrono::Utc::now());
    let stand_in = parse_notice(&stand_in_notice(year..=year + 2)).unwrap();
    let bundled = parse_notice(BUNDLED).unwrap();
    let bundled_years: Vec<i32> = bundled.iter().map(|y| y.year).collect();
    domain::WorkingDayCalendar::from_years(
        stand_in
            .into_iter()
            .filter(|y| !bundled_years.contains(&y.year))
            .chain(bundled),
    )
}
