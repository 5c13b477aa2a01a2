//! The command line: `serve`, `migrate`, `seed`, `import`, `export`, `token`, `calendar`, `audit`,
//! `report`.

use crate::banner::Banner;
use crate::config::{KeyUse, Settings};
use crate::seed;
use crate::startup::{Application, build_services, open_store};
use crate::telemetry;
use anyhow::{Context, bail};
use api::auth::{Claims, mint_hs256};
use clap::{Parser, Subcommand};
use domain::import::{ImportFormat, ImportKind, ImportMode};
use domain::{DepartmentCode, Scope, SubjectCode};
use persistence::Store;
use serde_json::json;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "xinyong",
    version,
    about = "信用 Xinyong: a city's credit-information platform over GraphQL"
)]
struct Cli {
    /// Settings file (TOML); by default ./xinyong.toml if present.
    #[arg(long, global = true)]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the API (migrations run first).
    Serve {
        /// Load reference and demo data into an empty database and print demo tokens.
        #[arg(long)]
        demo: bool,
    },
    /// Apply pending database migrations.
    Migrate,
    /// Load reference data (jurisdictions, departments, list types), and demo data with --demo.
    Seed {
        #[arg(long)]
        demo: bool,
        /// Reference data file; by default Fuxin's, shipped with the project.
        #[arg(long)]
        reference: Option<PathBuf>,
        /// Also N synthetic subjects with records and listings (for load tests).
        #[arg(long, value_name = "N")]
        synthetic: Option<usize>,
        /// Number the synthetic subjects from here, to add more to an earlier run.
        #[arg(long, default_value_t = 0)]
        synthetic_start: usize,
    },
    /// Write the change feed as JSON Lines (one change and the object it touched per line), for
    /// upstream platforms; prints where the next export starts.
    Export {
        /// Start after this change number (the `--after` printed by the previous export).
        #[arg(long, default_value_t = 0)]
        after: u64,
        /// Write at most this many changes.
        #[arg(long)]
        limit: Option<usize>,
        /// Write to this file instead of standard output.
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Import a department's file of subjects, credit records or list entries (CSV with a header,
    /// or JSON Lines; UTF-8). Records may use the double-publicity standard's column names. Every
    /// row is checked; the report names each bad row's line, column and reason. All or nothing
    /// unless --good-rows-only; a file sent twice changes nothing. Exits 1 if any row was bad.
    Import {
        /// What the file holds.
        #[arg(long, value_parser = ["subjects", "records", "entries"])]
        kind: String,
        /// The department the data comes from, e.g. 210900.scjg.
        #[arg(long)]
        department: String,
        /// csv or jsonl; by default from the file name's extension.
        #[arg(long, value_parser = ["csv", "jsonl"])]
        format: Option<String>,
        /// Store the good rows and report the bad ones, instead of storing nothing.
        #[arg(long)]
        good_rows_only: bool,
        /// Print the report as JSON.
        #[arg(long)]
        json: bool,
        file: PathBuf,
    },
    /// The working-day calendar: load a year's notice when the State Council publishes it.
    Calendar {
        #[command(subcommand)]
        command: CalendarCommand,
    },
    /// The audit trail.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
    /// Credit reports.
    Report {
        #[command(subcommand)]
        command: ReportCommand,
    },
    /// Keys for production: `keys new` prints a new report signing key (and an HS256 secret).
    Keys {
        #[command(subcommand)]
        command: KeysCommand,
    },
    /// Print a token signed with the configured HS256 secret (development and scripts), or with
    /// the secret `serve --demo` made for this database.
    Token {
        /// Department code, e.g. 210900.court.
        #[arg(long, conflicts_with = "subject")]
        department: Option<String>,
        /// A subject's code, for a subject's own token.
        #[arg(long)]
        subject: Option<String>,
        /// Scopes, e.g. lists:write records:write.
        #[arg(long, num_args = 1..)]
        scope: Vec<String>,
        /// Lifetime, e.g. 1h, 30m, 7d.
        #[arg(long, default_value = "1h")]
        ttl: String,
    },
}

#[derive(Subcommand)]
enum KeysCommand {
    /// Print a new Ed25519 report signing key (the seed, to keep secret, and its public half and
    /// kid) and a new HS256 secret, from the operating system's randomness.
    New,
}

#[derive(Subcommand)]
enum ReportCommand {
    /// The departments' progress report to the credit office (定期报送) for the days FROM..=TO:
    /// per department, listings published, dispatches received and answered (feedback rate,
    /// overdue), checks made, objections and repairs handled on time, double publicity on time.
    /// The same figures as the `stats` and `progressReport` queries. The XLSX has an explanation
    /// sheet, one sheet per section and the monthly trend with a chart.
    Progress {
        /// First day, e.g. 2026-11-01.
        #[arg(long)]
        from: chrono::NaiveDate,
        /// Last day, e.g. 2026-11-30.
        #[arg(long)]
        to: chrono::NaiveDate,
        /// Only subjects (and departments) of this jurisdiction, e.g. 210922.
        #[arg(long)]
        jurisdiction: Option<String>,
        #[arg(long, value_parser = ["csv", "xlsx"], default_value = "csv")]
        format: String,
        /// Write to this file. By default CSV goes to standard output, and XLSX too unless that
        /// is a terminal, when it goes to progress-FROM-TO.xlsx.
        #[arg(long)]
        out: Option<PathBuf>,
        /// The credit office to report as; by default the one whose jurisdiction holds the others'.
        #[arg(long)]
        department: Option<String>,
    },
    /// Check that a saved credit report is genuine and unaltered, with no database: by the key
    /// given, or the one this configuration signs with. Exits 1 if not.
    Verify {
        /// The report as saved (the `document` of `creditReport`).
        file: PathBuf,
        /// The platform's public key: the `x` of /.well-known/xinyong-report-keys.json.
        #[arg(long)]
        public_key: Option<String>,
    },
}

#[derive(Subcommand)]
enum CalendarCommand {
    /// Load a notice (the shape of data/cn-working-days.json: whole years, holidays on weekdays,
    /// worked days on weekends) into the database as the credit office; every running instance
    /// uses it within a second, and deadlines that waited for it are filled in. Audited.
    Load {
        file: PathBuf,
        /// The credit office to load as; by default the one whose jurisdiction holds the others'.
        #[arg(long)]
        department: Option<String>,
    },
    /// Print the years loaded and the last day covered.
    Show,
}

#[derive(Subcommand)]
enum AuditCommand {
    /// Check the hash chain; exits 1 and names the first broken record if it was changed or cut.
    Verify,
}

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let settings = match Settings::load(cli.config.as_deref()) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: {e:#}");
            return ExitCode::from(2);
        }
    };
    let _log_writer = telemetry::init(&settings.log_format);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli.command, settings)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run(command: Command, settings: Settings) -> anyhow::Result<()> {
    match command {
        Command::Serve { demo } => serve(settings, demo).await,
        Command::Audit {
            command: AuditCommand::Verify,
        } => {
            let store = open_store(&settings).await?;
            match tokio::task::spawn_blocking(move || store.verify_audit()).await?? {
                Ok(n) => {
                    println!("audit trail intact: {n} records");
                    Ok(())
                }
                Err(domain::audit::Break::Altered { seq }) => {
                    bail!(
                        "audit trail broken at record {seq}: its content does not match its hash (changed)"
                    )
                }
                Err(domain::audit::Break::Unlinked { seq, expected_seq }) => bail!(
                    "audit trail broken at record {seq}: expected record {expected_seq} with the previous record's hash (a record was deleted or replaced before it)"
                ),
            }
        }
        Command::Calendar {
            command: CalendarCommand::Load { file, department },
        } => {
            let store = open_store(&settings).await?;
            let said = tokio::task::spawn_blocking(move || {
                crate::calendar::load(&store, &file, department.as_deref())
            })
            .await??;
            forget_cached_answers(&settings).await;
            println!("{said}");
            Ok(())
        }
        Command::Calendar {
            command: CalendarCommand::Show,
        } => {
            let store = open_store(&settings).await?;
            println!("{}", crate::calendar::show(&store));
            Ok(())
        }
        Command::Export { after, limit, out } => {
            let after = i64::try_from(after).context("--after: no such change number")?;
            let store = open_store(&settings).await?;
            let today = domain::time::china_date(chrono::Utc::now());
            let done = tokio::task::spawn_blocking(move || -> anyhow::Result<_> {
                let mut sink: Box<dyn std::io::Write> = match &out {
                    Some(p) => Box::new(std::io::BufWriter::new(
                        std::fs::File::create(p)
                            .with_context(|| format!("creating {}", p.display()))?,
                    )),
                    None => Box::new(std::io::BufWriter::new(std::io::stdout().lock())),
                };
                let done = crate::export::export(&store, after, limit, today, &mut sink)?;
                sink.flush().context("writing the export")?;
                Ok(done)
            })
            .await??;
            eprintln!(
                "exported {} changes; next time: xinyong export --after {}",
                done.changes, done.last
            );
            Ok(())
        }
        Command::Import {
            kind,
            department,
            format,
            good_rows_only,
            json,
            file,
        } => {
            let kind = ImportKind::parse(&kind).context("--kind")?;
            let format = format.map(|f| match f.as_str() {
                "csv" => ImportFormat::Csv,
                _ => ImportFormat::JsonLines,
            });
            let mode = if good_rows_only {
                ImportMode::GoodRowsOnly
            } else {
                ImportMode::AllOrNothing
            };
            let store = open_store(&settings).await?;
            let report = tokio::task::spawn_blocking(move || {
                crate::import::run(
                    &store,
                    &crate::import::ImportArgs {
                        kind,
                        file: &file,
                        department: &department,
                        format,
                        mode,
                        json,
                    },
                )
            })
            .await??;
            if report.committed {
                forget_cached_answers(&settings).await;
            }
            crate::import::verdict(&report)
        }
        Command::Report {
            command:
                ReportCommand::Progress {
                    from,
                    to,
                    jurisdiction,
                    format,
                    out,
                    department,
                },
        } => {
            let store = open_store(&settings).await?;
            let args = crate::progress::ProgressArgs {
                from,
                to,
                jurisdiction,
                xlsx: format == "xlsx",
                out,
                department,
            };
            let went =
                tokio::task::spawn_blocking(move || crate::progress::run(&store, args)).await??;
            eprintln!("progress report {from} – {to} written to {went}");
            Ok(())
        }
        Command::Report {
            command: ReportCommand::Verify { file, public_key },
        } => {
            let verifier = match public_key {
                Some(x) => api::report_signing::ReportVerifier::from_public(&x)
                    .map_err(|e| anyhow::anyhow!("--public-key: {e}"))?,
                None => {
                    let mut settings = settings;
                    if !settings.has_report_seed() {
                        let store = open_store(&settings).await.context(
                            "no report key configured (XINYONG_REPORT_SIGNING_KEY), and no database to read a demonstration's key from",
                        )?;
                        settings.settle_keys(&store, KeyUse::Command)?;
                    }
                    settings.report_signer()?.verifier().clone()
                }
            };
            let text = std::fs::read_to_string(&file)
                .with_context(|| format!("reading {}", file.display()))?;
            match verifier.verify(&text) {
                Ok(v) => {
                    let p = &v.payload;
                    println!(
                        "genuine and unaltered: report {} on {}, issued {}{}",
                        p["number"].as_str().unwrap_or("?"),
                        p["subject"]["code"].as_str().unwrap_or("?"),
                        p["issuedAt"].as_str().unwrap_or("?"),
                        if v.demonstration {
                            " — a DEMONSTRATION report (演示报告), which proves nothing"
                        } else {
                            ""
                        }
                    );
                    Ok(())
                }
                Err(e) => bail!("not verified: {e}"),
            }
        }
        Command::Migrate => {
            open_store(&settings).await?;
            eprintln!("migrations up to date");
            Ok(())
        }
        Command::Seed {
            demo,
            reference,
            synthetic,
            synthetic_start,
        } => {
            let store = open_store(&settings).await?;
            let text = match reference {
                Some(p) => std::fs::read_to_string(&p)
                    .with_context(|| format!("reading {}", p.display()))?,
                None => seed::FUXIN_REFERENCE.to_owned(),
            };
            let loader = store.clone();
            let added =
                tokio::task::spawn_blocking(move || seed::load_all(&loader, &text)).await??;
            eprintln!("reference data and memoranda: {added} rows added");
            if let Some(n) = synthetic {
                let started = std::time::Instant::now();
                let today = domain::time::china_date(chrono::Utc::now());
                let loader = store.clone();
                let s = tokio::task::spawn_blocking(move || {
                    seed::seed_synthetic(&loader, n, synthetic_start, today)
                })
                .await??;
                eprintln!(
                    "synthetic data: {} subjects, {} records, {} list entries in {:.1} s",
                    s.subjects,
                    s.records,
                    s.entries,
                    started.elapsed().as_secs_f64()
                );
            }
            if demo {
                seed_demo(store, Banner::new(&settings.log_format)).await?;
            }
            Ok(())
        }
        Command::Token {
            department,
            subject,
            scope,
            ttl,
        } => {
            let ttl = humantime::parse_duration(&ttl)
                .with_context(|| format!("--ttl {ttl:?}: use e.g. 1h, 30m, 7d"))?;
            let claims = match (department, subject) {
                (Some(d), None) => department_claims(&settings, &d, &scope).await?,
                (None, Some(s)) => {
                    let code =
                        SubjectCode::parse(&s).map_err(|e| anyhow::anyhow!("--subject: {e}"))?;
                    Claims {
                        sub: code.as_str().to_owned(),
                        role: Some("subject".into()),
                        dept: None,
                        jur: None,
                        scopes: Vec::new(),
                        exp: 0,
                        iat: 0,
                        nbf: None,
                        iss: String::new(),
                        aud: String::new(),
                    }
                }
                _ => bail!("give --department CODE or --subject CODE"),
            };
            let mut settings = settings;
            if settings.uses_dev_secret() {
                let store = open_store(&settings).await?;
                settings.settle_keys(&store, KeyUse::Command)?;
            }
            println!("{}", sign(&settings, claims, ttl)?);
            Ok(())
        }
        Command::Keys {
            command: KeysCommand::New,
        } => {
            let seed = crate::config::random_key()?;
            let mut with_seed = settings.clone();
            with_seed.report_signing_key = Some(secrecy::SecretString::from(seed.clone()));
            with_seed.report_keys.clear();
            let jwks = with_seed.report_signer()?.verifier().jwks();
            println!(
                "# a new report signing key: keep the seed secret, the same on every instance"
            );
            println!("XINYONG_REPORT_SIGNING_KEY={seed}");
            println!(
                "# its public half and kid, as /.well-known/xinyong-report-keys.json will list them"
            );
            println!(
                "# public = {}",
                jwks["keys"][0]["x"].as_str().unwrap_or("?")
            );
            println!("# kid = {}", jwks["keys"][0]["kid"].as_str().unwrap_or("?"));
            println!("# a new HS256 secret, if tokens are signed with HS256");
            println!("XINYONG_JWT_SECRET={}", crate::config::random_key()?);
            Ok(())
        }
    }
}

/// Demo data is Fuxin's: it loads Fuxin's reference data first (a no-op when present).
async fn seed_demo(store: Store, banner: Banner) -> anyhow::Result<()> {
    let today = domain::time::china_date(chrono::Utc::now());
    let (summary, samples) = tokio::task::spawn_blocking(move || -> anyhow::Result<_> {
        seed::load_all(&store, seed::FUXIN_REFERENCE)?;
        let summary = seed::seed_demo(&store, today)?;
        Ok((summary, seed::samples(&store, today)?))
    })
    .await??;
    match summary {
        Some(s) => banner.say(
            "demo_data",
            &format!(
                "demo data, six months of it: {} subjects, {} records, {} list entries; {} answered dispatches, {} lifts requested ({} confirmed), {} checks, {} objections, {} repair applications",
                s.subjects,
                s.records,
                s.entries,
                s.activity.feedback,
                s.activity.lifts_requested,
                s.activity.lifts_confirmed,
                s.activity.checks,
                s.activity.objections,
                s.activity.repairs
            ),
            json!({ "subjects": s.subjects, "records": s.records, "entries": s.entries }),
        ),
        None => banner.say(
            "demo_data",
            "demo data: the database already has subjects; nothing added",
            json!({}),
        ),
    }
    for (list_type, code) in samples {
        banner.say(
            "demo_sample",
            &format!("  try subject(code: \"{code}\")  — on {list_type}"),
            json!({ "code": code, "listType": list_type }),
        );
    }
    Ok(())
}

/// Written behind the servers' backs: their cached public answers must go. Through Redis every
/// instance hears it; a server with only its in-process cache cannot be reached, and its answers
/// may lag by the cache's safety TTL (use the `importFile` mutation there).
async fn forget_cached_answers(settings: &Settings) {
    let Some(url) = &settings.redis_url else {
        eprintln!(
            "note: no Redis configured; a running server's in-process cache may show the old answers for up to {} s",
            api::cache::DEFAULT_TTL.as_secs()
        );
        return;
    };
    let cache = match api::cache::Cache::redis(url, &settings.cache_namespace).await {
        Ok(cache) => cache,
        Err(e) => {
            eprintln!("warning: could not reach Redis to drop cached answers: {e}");
            return;
        }
    };
    // An invalidation is only sent once this cache hears the others (it is one of them).
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(5);
    while let Err(e) = cache.ping().await {
        if tokio::time::Instant::now() > deadline {
            eprintln!("warning: could not drop cached answers through Redis: {e}");
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    cache.invalidate(&api::cache::Change::Everything).await;
}

async fn department_claims(
    settings: &Settings,
    department: &str,
    scopes: &[String],
) -> anyhow::Result<Claims> {
    let code =
        DepartmentCode::parse(department).map_err(|e| anyhow::anyhow!("--department: {e}"))?;
    for s in scopes {
        if Scope::parse(s).is_none() {
            let known: Vec<&str> = Scope::ALL.iter().map(|s| s.as_str()).collect();
            bail!("unknown scope {s:?}; known: {}", known.join(" "));
        }
    }
    let store = open_store(settings).await?;
    let lookup = code.clone();
    let found = tokio::task::spawn_blocking(move || store.department(&lookup)).await??;
    let dept = found.with_context(|| {
        format!("department {code} is not registered (run `xinyong seed` first)")
    })?;
    if scopes.iter().any(|s| s == Scope::BankQuery.as_str())
        && let Err(e) = domain::access::may_act_as_bank(&dept)
    {
        bail!("--scope bank:query: {e}");
    }
    Ok(Claims {
        sub: code.to_string(),
        role: Some("department".into()),
        dept: Some(code.to_string()),
        jur: Some(dept.jurisdiction.to_string()),
        scopes: scopes.to_vec(),
        exp: 0,
        iat: 0,
        nbf: None,
        iss: String::new(),
        aud: String::new(),
    })
}

fn sign(
    settings: &Settings,
    mut claims: Claims,
    ttl: std::time::Duration,
) -> anyhow::Result<String> {
    if !settings.jwt_algorithm.eq_ignore_ascii_case("HS256") {
        bail!(
            "tokens can be minted here only with HS256; with {} they come from the identity provider",
            settings.jwt_algorithm
        );
    }
    let lifetimes = settings.jwt()?.lifetimes;
    let (max, role) = if claims.role.as_deref() == Some("subject") {
        (lifetimes.subject, "a subject's")
    } else {
        (lifetimes.department, "a department's")
    };
    if i64::try_from(ttl.as_secs()).unwrap_or(i64::MAX) > max {
        bail!(
            "--ttl: {role} token may live at most {} hours (token_max_hours_department, token_max_hours_subject)",
            max / 3600
        );
    }
    let now = chrono::Utc::now().timestamp();
    claims.iat = now;
    claims.exp = now + i64::try_from(ttl.as_secs()).unwrap_or(i64::MAX / 2);
    claims.iss = settings.jwt_issuer.clone();
    claims.aud = settings.jwt_audience.clone();
    Ok(mint_hs256(&settings.jwt_secret, &claims)?)
}

/// Demo tokens: a few departments with the scopes their work needs.
const PUBLISHER: &[&str] = &[
    "subjects:write",
    "records:write",
    "lists:write",
    "dispatch:handle",
    "objections:handle",
];
const DEMO_TOKENS: &[(&str, &[&str])] = &[
    ("210900.court", PUBLISHER),
    ("210900.tax", PUBLISHER),
    ("210900.market", PUBLISHER),
    (
        "210900.hrss",
        &[
            "records:write",
            "lists:write",
            "dispatch:handle",
            "objections:handle",
            "persons:read",
        ],
    ),
    ("210900.finance", &["dispatch:handle"]),
    (
        "210900.ndrc",
        &[
            "memoranda:admin",
            "stats:read",
            "dispatch:handle",
            "objections:handle",
            "changes:read",
        ],
    ),
    ("210922.market", PUBLISHER),
    ("210900.icbc", &["bank:query"]),
];

async fn serve(mut settings: Settings, demo: bool) -> anyhow::Result<()> {
    let store = open_store(&settings).await?;
    settings.settle_keys(&store, if demo { KeyUse::Demo } else { KeyUse::Serve })?;
    if demo {
        tracing::warn!(
            "a demonstration: tokens and credit reports use keys made for this database, and reports say they are demonstration reports"
        );
    }
    let banner = Banner::new(&settings.log_format);
    let mut demo_tokens = Vec::new();
    if demo {
        seed_demo(store.clone(), banner).await?;
        settings.any_origin = true;
        for (dept, scopes) in DEMO_TOKENS {
            let claims = department_claims(
                &settings,
                dept,
                &scopes.iter().map(|s| s.to_string()).collect::<Vec<_>>(),
            )
            .await?;
            demo_tokens.push(api::http::DemoToken {
                label: (*dept).to_owned(),
                scopes: scopes.join(" "),
                token: sign(&settings, claims, std::time::Duration::from_secs(12 * 3600))?,
            });
        }
    }
    let services = build_services(&settings, store).await?;
    let app = Application::build(&settings, services, demo_tokens.clone()).await?;
    let url = format!(
        "http://{}:{}",
        settings
            .bind
            .rsplit_once(':')
            .map_or("127.0.0.1", |(h, _)| h),
        app.port()
    );
    if !demo_tokens.is_empty() {
        banner.say(
            "demo_tokens",
            "\n演示令牌 (demo tokens, valid 12h; also one click away in GraphiQL) — send as `Authorization: Bearer <token>`:",
            json!({}),
        );
        for t in &demo_tokens {
            banner.say(
                "demo_token",
                &format!("  {} ({}):\n    {}", t.label, t.scopes, t.token),
                json!({ "department": t.label, "scopes": t.scopes, "token": t.token }),
            );
        }
    }
    banner.say(
        "serving",
        &format!(
            "\nXinyong is serving GraphQL at {url}/graphql — open it in a browser for GraphiQL."
        ),
        json!({ "url": format!("{url}/graphql") }),
    );
    tracing::info!(%url, backend = app_backend(&settings), "serving");
    app.run_until_stopped().await?;
    Ok(())
}

fn app_backend(settings: &Settings) -> &'static str {
    if settings.database_url.starts_with("sqlite") {
        "sqlite"
    } else {
        "postgres"
    }
}
