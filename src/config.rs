//! Settings, loaded once: defaults → `xinyong.toml` (or `--config FILE`) → `XINYONG_…` environment.
//! The defaults need nothing installed: a SQLite file and an in-process cache.

use anyhow::{Context, bail};
use api::auth::{JwtSettings, VerifyingKey};
use secrecy::SecretString;
use serde::Deserialize;
use std::path::Path;
use std::time::Duration;

/// The development secret. Tokens signed with it prove nothing: `serve` warns while it is in use.
pub const DEV_SECRET: &str = "xinyong-development-secret-not-for-production";

#[derive(Debug, Clone, Deserialize)]
pub struct Settings {
    /// `sqlite://PATH` or `postgres://…`.
    pub database_url: String,
    /// Redis for the cache; none means an in-process cache.
    pub redis_url: Option<String>,
    /// Address to listen on.
    pub bind: String,
    pub pool_size: u32,
    /// HTTP worker threads; none means one per core.
    pub workers: Option<usize>,
    /// `text` or `json`.
    pub log_format: String,
    /// Prefix of every cache key, so that deployments can share a Redis.
    pub cache_namespace: String,
    /// A working-day calendar file whose years are stored at start where the database lacks them
    /// (a year already stored is kept: replace one with `xinyong calendar load`).
    pub calendar_file: Option<String>,
    /// How often each instance checks whether a calendar year was loaded elsewhere, in milliseconds.
    pub calendar_refresh_ms: u64,
    /// Requests a client may make at once (its token's subject, or its IP when anonymous).
    pub rate_limit_burst: u32,
    /// How fast a client's allowance refills, per second.
    pub rate_limit_per_second: f64,
    /// Whether the schema answers introspection (GraphiQL needs it); switch off in production if
    /// wanted. Off, errors no longer suggest field names either ("Did you mean …").
    pub introspection: bool,
    /// How long a query may run before it is stopped with `TIMEOUT`, in milliseconds (mutations,
    /// being transactions whose answers must say whether they committed, are not cut).
    pub query_budget_ms: u64,
    /// How long a client has to send a request's whole body, in milliseconds; a slower one is
    /// answered 408 and its connection closed.
    pub body_timeout_ms: u64,
    /// Working days a department has to acknowledge a dispatch before it is overdue.
    pub acknowledge_working_days: u32,
    /// Subjects a name search scans in id order before it turns to its index.
    pub search_window: i64,
    /// How often the expiry sweep runs, in seconds.
    pub sweep_interval_seconds: u64,
    pub jwt_issuer: String,
    pub jwt_audience: String,
    /// `HS256` (development), `RS256` or `EdDSA`.
    pub jwt_algorithm: String,
    pub jwt_secret: SecretString,
    /// The PEM public key for RS256 or EdDSA.
    pub jwt_public_key_file: Option<String>,
    /// The Ed25519 seed (32 bytes, base64url) that signs credit reports. Every instance needs the
    /// same; without it one is derived from `jwt_secret` (fine for development only).
    pub report_signing_key: Option<SecretString>,
    /// Attempts at a webhook delivery before it is dead (replayable).
    pub webhook_max_attempts: u32,
    /// The wait after a delivery's first failure, in milliseconds; it doubles after each further one.
    pub webhook_first_retry_ms: u64,
    /// The longest wait between two attempts, in seconds.
    pub webhook_longest_retry_seconds: u64,
    /// How long an endpoint has to answer, in milliseconds.
    pub webhook_timeout_ms: u64,
    /// How often the webhook outbox is read when nothing is due, in milliseconds.
    pub webhook_poll_ms: u64,
    /// Webhook deliveries in flight at once, per instance.
    pub webhook_concurrency: usize,
    /// How often partners' counted requests are added to the database, in milliseconds.
    pub partner_usage_flush_ms: u64,
}

impl Settings {
    /// Loads settings; `file` must exist when given, `xinyong.toml` is read if present.
    pub fn load(file: Option<&Path>) -> anyhow::Result<Settings> {
        let mut builder = config::Config::builder()
            .set_default("database_url", "sqlite://xinyong.db")?
            .set_default("bind", "127.0.0.1:8080")?
            .set_default("pool_size", 8)?
            .set_default("log_format", "text")?
            .set_default("cache_namespace", "xinyong")?
            .set_default("acknowledge_working_days", 5)?
            .set_default("search_window", persistence::DEFAULT_SEARCH_WINDOW)?
            .set_default("introspection", true)?
            .set_default("query_budget_ms", 10_000)?
            .set_default("body_timeout_ms", 10_000)?
            .set_default("rate_limit_burst", 200)?
            .set_default("rate_limit_per_second", 100.0)?
            .set_default("sweep_interval_seconds", 60)?
            .set_default("calendar_refresh_ms", 1_000)?
            .set_default("webhook_max_attempts", 8)?
            .set_default("webhook_first_retry_ms", 30_000)?
            .set_default("webhook_longest_retry_seconds", 3_600)?
            .set_default("webhook_timeout_ms", 10_000)?
            .set_default("webhook_poll_ms", 1_000)?
            .set_default("webhook_concurrency", 16)?
            .set_default("partner_usage_flush_ms", 5_000)?
            .set_default("jwt_issuer", "xinyong")?
            .set_default("jwt_audience", "xinyong-api")?
            .set_default("jwt_algorithm", "HS256")?
            .set_default("jwt_secret", DEV_SECRET)?;
        builder = match file {
            Some(f) => builder.add_source(config::File::from(f).required(true)),
            None => builder.add_source(config::File::with_name("xinyong").required(false)),
        };
        let settings: Settings = builder
            .add_source(config::Environment::with_prefix("XINYONG").try_parsing(true))
            .build()?
            .try_deserialize()
            .context("reading settings")?;
        Ok(settings)
    }

    pub fn uses_dev_secret(&self) -> bool {
        use secrecy::ExposeSecret;
        self.jwt_algorithm.eq_ignore_ascii_case("HS256")
            && self.jwt_secret.expose_secret() == DEV_SECRET
    }

    /// The credit reports' signing key.
    pub fn report_signer(&self) -> anyhow::Result<api::report_signing::ReportSigner> {
        use base64::Engine;
        use secrecy::ExposeSecret;
        let seed: Vec<u8> = match &self.report_signing_key {
            Some(k) => base64::engine::general_purpose::URL_SAFE_NO_PAD
                .decode(k.expose_secret().trim())
                .context("report_signing_key must be base64url (no padding)")?,
            None => {
                let hex = persistence::sha256_hex(&format!(
                    "xinyong report signing key\n{}",
                    self.jwt_secret.expose_secret()
                ));
                (0..32)
                    .map(|i| u8::from_str_radix(&hex[2 * i..2 * i + 2], 16))
                    .collect::<Result<_, _>>()
                    .context("deriving the report key")?
            }
        };
        let seed: [u8; 32] = seed
            .try_into()
            .map_err(|_| anyhow::anyhow!("report_signing_key must be 32 bytes"))?;
        Ok(api::report_signing::ReportSigner::from_seed(seed))
    }

    /// How webhook deliveries are sent and retried.
    pub fn webhook_sender(&self) -> anyhow::Result<api::webhook_sender::SenderSettings> {
        if self.webhook_max_attempts == 0 {
            bail!("webhook_max_attempts must be at least 1");
        }
        Ok(api::webhook_sender::SenderSettings {
            retry: domain::webhook::RetryPolicy {
                max_attempts: self.webhook_max_attempts,
                first_wait: Duration::from_millis(self.webhook_first_retry_ms),
                longest_wait: Duration::from_secs(self.webhook_longest_retry_seconds),
            },
            timeout: Duration::from_millis(self.webhook_timeout_ms.max(1)),
            poll: Duration::from_millis(self.webhook_poll_ms.max(10)),
            concurrency: self.webhook_concurrency.max(1),
        })
    }

    pub fn jwt(&self) -> anyhow::Result<JwtSettings> {
        let read_key = || -> anyhow::Result<String> {
            let path = self
                .jwt_public_key_file
                .as_deref()
                .context("jwt_public_key_file is required for RS256 and EdDSA")?;
            std::fs::read_to_string(path).with_context(|| format!("reading {path}"))
        };
        let key = match self.jwt_algorithm.to_ascii_uppercase().as_str() {
            "HS256" => VerifyingKey::Hs256(self.jwt_secret.clone()),
            "RS256" => VerifyingKey::Rs256Pem(read_key()?),
            "EDDSA" => VerifyingKey::EdDsaPem(read_key()?),
            other => bail!("jwt_algorithm must be HS256, RS256 or EdDSA, not {other}"),
        };
        Ok(JwtSettings {
            issuer: self.jwt_issuer.clone(),
            audience: self.jwt_audience.clone(),
            key,
        })
    }
}
