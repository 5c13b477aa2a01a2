//! Settings, loaded once: defaults → `xinyong.toml` (or `--config FILE`) → `XINYONG_…` environment.
//! The defaults need nothing installed: a SQLite file and an in-process cache.

use anyhow::{Context, bail};
use api::auth::{JwtSettings, VerifyingKey};
use secrecy::SecretString;
use serde::Deserialize;
use std::path::Path;
use std::time::Duration;

/// The development secret, the default of `jwt_secret`: public, so it proves nothing. Only
/// `serve --demo` starts without a secret of its own, and then it makes a random one.
pub const DEV_SECRET: &str = "xinyong-development-secret-not-for-production";

/// The shortest HS256 secret accepted: as long as the hash's output (RFC 7518, 3.2).
pub const MIN_HS256_SECRET_BYTES: usize = 32;

/// What a command needs of the keys: `serve` refuses to start on a built-in or derived key,
/// `serve --demo` makes random ones for its database, any other command uses what is configured
/// or, failing that, the keys the database's demonstration made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyUse {
    Serve,
    Demo,
    Command,
}

/// A report key beside the current one (`report_signing_key`): a new key that takes over at
/// `valid_from`, or a retired one (its `public` half is enough) kept so that the reports it
/// signed still verify. Times are RFC 3339.
#[derive(Debug, Clone, Deserialize)]
pub struct ReportKeySetting {
    /// The Ed25519 seed (32 bytes, base64url), to sign with while the key is in use.
    pub seed: Option<SecretString>,
    /// The public key (base64url), for a retired key whose seed is gone.
    pub public: Option<String>,
    pub valid_from: Option<String>,
    pub valid_until: Option<String>,
}

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
    /// Origins of the web pages that may call the API from a browser and open its WebSocket
    /// (`https://portal.example.gov.cn`; in the environment, comma-separated). None by default;
    /// `serve --demo` allows any.
    #[serde(default)]
    pub cors_origins: Vec<String>,
    /// Set by `serve --demo` (never from configuration): any origin may call.
    #[serde(skip)]
    pub any_origin: bool,
    /// Working days a department has to acknowledge a dispatch before it is overdue.
    pub acknowledge_working_days: u32,
    /// Subjects a name search scans in id order before it turns to its index.
    pub search_window: i64,
    /// How often the expiry sweep runs, in seconds.
    pub sweep_interval_seconds: u64,
    pub jwt_issuer: String,
    pub jwt_audience: String,
    /// The longest a department's token may live (from `iat` to `exp`), in hours.
    pub token_max_hours_department: u32,
    /// The longest a subject's own token may live, in hours. (A partner's: one hour, always.)
    pub token_max_hours_subject: u32,
    /// `HS256` (development), `RS256` or `EdDSA`.
    pub jwt_algorithm: String,
    pub jwt_secret: SecretString,
    /// The PEM public key for RS256 or EdDSA.
    pub jwt_public_key_file: Option<String>,
    /// The Ed25519 seed (32 bytes, base64url) that signs credit reports. Every instance needs the
    /// same. `serve` refuses to start without it (or a seed in `report_keys`).
    pub report_signing_key: Option<SecretString>,
    /// More report keys, with the periods they sign in: rotation without invalidating old reports.
    #[serde(default)]
    pub report_keys: Vec<ReportKeySetting>,
    /// Set when `report_signing_key` is a demonstration's own (never from configuration): its
    /// reports say they are demonstration reports.
    #[serde(skip)]
    pub demo_report_key: bool,
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
            .set_default("token_max_hours_department", 720)?
            .set_default("token_max_hours_subject", 24)?
            .set_default("jwt_audience", "xinyong-api")?
            .set_default("jwt_algorithm", "HS256")?
            .set_default("jwt_secret", DEV_SECRET)?;
        builder = match file {
            Some(f) => builder.add_source(config::File::from(f).required(true)),
            None => builder.add_source(config::File::with_name("xinyong").required(false)),
        };
        let settings: Settings = builder
            .add_source(
                config::Environment::with_prefix("XINYONG")
                    .try_parsing(true)
                    .list_separator(",")
                    .with_list_parse_key("cors_origins"),
            )
            .build()?
            .try_deserialize()
            .context("reading settings")?;
        Ok(settings)
    }

    /// The origins browsers may call from.
    pub fn allowed_origins(&self) -> api::http::AllowedOrigins {
        if self.any_origin && self.cors_origins.is_empty() {
            api::http::AllowedOrigins::Any
        } else {
            api::http::AllowedOrigins::Listed(self.cors_origins.clone())
        }
    }

    pub fn uses_dev_secret(&self) -> bool {
        use secrecy::ExposeSecret;
        self.jwt_algorithm.eq_ignore_ascii_case("HS256")
            && self.jwt_secret.expose_secret() == DEV_SECRET
    }

    pub fn has_report_seed(&self) -> bool {
        self.report_signing_key.is_some() || self.report_keys.iter().any(|k| k.seed.is_some())
    }

    /// Puts the keys `using` may run on in place of built-in or missing ones, or says which
    /// setting is missing. Reads the database only when a key is not configured.
    pub fn settle_keys(&mut self, store: &persistence::Store, using: KeyUse) -> anyhow::Result<()> {
        use secrecy::ExposeSecret;
        let hs256 = self.jwt_algorithm.eq_ignore_ascii_case("HS256");
        if self.uses_dev_secret() {
            let demo = demo_key(
                store,
                using,
                "jwt_hs256",
                format!(
                    "refusing to start: tokens would be verified with the built-in development secret, which anyone can read. Set XINYONG_JWT_SECRET (jwt_secret, at least {MIN_HS256_SECRET_BYTES} bytes), or jwt_algorithm RS256/EdDSA with jwt_public_key_file; or run `serve --demo` for a demonstration"
                ),
            )?;
            let secret = demo.with_context(|| {
                "no token secret configured: set XINYONG_JWT_SECRET (jwt_secret), or start `serve --demo` on this database first"
            })?;
            self.jwt_secret = SecretString::from(secret);
        } else if hs256 && self.jwt_secret.expose_secret().len() < MIN_HS256_SECRET_BYTES {
            bail!(
                "jwt_secret (XINYONG_JWT_SECRET) must have at least {MIN_HS256_SECRET_BYTES} bytes"
            );
        }
        if !self.has_report_seed() {
            let demo = demo_key(
                store,
                using,
                "report_ed25519",
                "refusing to start: no key to sign credit reports with. Set XINYONG_REPORT_SIGNING_KEY (report_signing_key: an Ed25519 seed, 32 bytes, base64url; `xinyong keys new` prints one), or give report_keys; or run `serve --demo` for a demonstration".to_owned(),
            )?;
            if let Some(seed) = demo {
                self.report_signing_key = Some(SecretString::from(seed));
                self.demo_report_key = true;
            }
        }
        Ok(())
    }

    /// The credit reports' keys: `report_signing_key` in use for ever, and `report_keys` with
    /// their periods. There is no default: a report signed with a known key proves nothing.
    pub fn report_signer(&self) -> anyhow::Result<api::report_signing::ReportSigner> {
        use api::report_signing::{KeyMaterial, KeySpec, ReportSigner, public_key};
        use secrecy::ExposeSecret;
        let mut specs = Vec::new();
        if let Some(k) = &self.report_signing_key {
            specs.push(KeySpec {
                material: KeyMaterial::Seed(
                    seed_of(k.expose_secret()).context("report_signing_key")?,
                ),
                valid_from: None,
                valid_until: None,
                demo: self.demo_report_key,
            });
        }
        for (i, k) in self.report_keys.iter().enumerate() {
            let at = |t: &Option<String>| -> anyhow::Result<_> {
                t.as_deref()
                    .map(|t| {
                        chrono::DateTime::parse_from_rfc3339(t)
                            .map(|d| d.with_timezone(&chrono::Utc))
                            .with_context(|| {
                                format!("report_keys[{i}]: {t} is not an RFC 3339 time")
                            })
                    })
                    .transpose()
            };
            let material = match (&k.seed, &k.public) {
                (Some(seed), _) => KeyMaterial::Seed(
                    seed_of(seed.expose_secret())
                        .with_context(|| format!("report_keys[{i}].seed"))?,
                ),
                (None, Some(x)) => KeyMaterial::Public(
                    public_key(x).map_err(|e| anyhow::anyhow!("report_keys[{i}].public: {e}"))?,
                ),
                (None, None) => bail!("report_keys[{i}] needs a seed or a public key"),
            };
            specs.push(KeySpec {
                material,
                valid_from: at(&k.valid_from)?,
                valid_until: at(&k.valid_until)?,
                demo: false,
            });
        }
        if specs.is_empty() {
            bail!(
                "no report key: set XINYONG_REPORT_SIGNING_KEY (report_signing_key), or start `serve --demo` on this database first"
            );
        }
        ReportSigner::from_keys(specs, chrono::Utc::now()).map_err(anyhow::Error::msg)
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
            lifetimes: api::auth::Lifetimes {
                department: i64::from(self.token_max_hours_department) * 3600,
                subject: i64::from(self.token_max_hours_subject) * 3600,
            },
        })
    }
}

/// The demonstration key `name` a command may use in place of a missing one: `serve` may use none
/// (it stops with `refusal`), `serve --demo` makes one the first time, any other command reads the
/// one a demonstration made, if any.
fn demo_key(
    store: &persistence::Store,
    using: KeyUse,
    name: &str,
    refusal: String,
) -> anyhow::Result<Option<String>> {
    Ok(match using {
        KeyUse::Serve => bail!(refusal),
        KeyUse::Demo => {
            let fresh = random_key()?;
            Some(store.demo_key_or_make(name, || fresh)?)
        }
        KeyUse::Command => store.demo_key(name)?,
    })
}

/// A new random key: 32 bytes from the operating system, base64url.
pub fn random_key() -> anyhow::Result<String> {
    use base64::Engine;
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes)
        .map_err(|e| anyhow::anyhow!("the operating system gave no random bytes: {e}"))?;
    Ok(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes))
}

/// A 32-byte seed from base64url.
fn seed_of(text: &str) -> anyhow::Result<[u8; 32]> {
    use base64::Engine;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(text.trim())
        .context("must be base64url (no padding)")?;
    bytes
        .try_into()
        .map_err(|_| anyhow::anyhow!("must be 32 bytes"))
}
