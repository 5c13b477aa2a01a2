//! HTTP: `/graphql` (POST and GET, GraphQL over HTTP), GraphiQL for browsers, `/healthz`, `/readyz`,
//! and the request id every response carries.

use crate::auth::{AuthError, Verifier};
use crate::context::{RequestContext, Services};
use crate::error::{ApiError, ErrorCode};
use crate::graphql::answers::AnswerScope;
use crate::graphql::{AppSchema, loaders::loaders};
use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderName, HeaderValue};
use actix_web::middleware::Next;
use actix_web::{HttpMessage, HttpRequest, HttpResponse, guard, web};
use async_graphql::http::GraphiQLSource;
use async_graphql_actix_web::GraphQLRequest;
use serde_json::json;
use tracing::Instrument;

const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");
const X_CACHE: HeaderName = HeaderName::from_static("x-cache");
const GRAPHQL_RESPONSE: &str = "application/graphql-response+json";
/// Seconds a public GET answer may be reused by browsers and proxies: short, since listings change.
const PUBLIC_MAX_AGE: u32 = 30;

/// Everything the routes need; built once at start.
pub struct AppState {
    pub schema: AppSchema,
    pub verifier: Verifier,
    pub services: Services,
}

/// The id of one request: the caller's `x-request-id` if it is sane, else a new one.
#[derive(Debug, Clone)]
pub struct RequestId(pub String);

/// Middleware: gives every request an id and echoes it in the response.
pub async fn request_id(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let id = req
        .headers()
        .get(&REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .filter(|v| {
            !v.is_empty()
                && v.len() <= 64
                && v.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        })
        .map(str::to_owned)
        .unwrap_or_else(|| uuid::Uuid::now_v7().to_string());
    req.extensions_mut().insert(RequestId(id.clone()));
    let mut res = next.call(req).await?;
    if let Ok(v) = HeaderValue::from_str(&id) {
        res.headers_mut().insert(REQUEST_ID, v);
    }
    Ok(res)
}

/// The largest request body accepted: enough for a batch of 10,000 listings.
pub const MAX_BODY_BYTES: u64 = 8 * 1024 * 1024;

/// How long a client has to send a request's whole body.
#[derive(Debug, Clone, Copy)]
pub struct BodyTimeout(pub std::time::Duration);

/// Middleware: refuses a body declared larger than [`MAX_BODY_BYTES`] before reading it, and reads
/// the body within the configured [`BodyTimeout`]: actix times out slow headers, not a body sent a
/// byte at a time, which would hold its connection for ever.
pub async fn limit_body(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<actix_web::body::EitherBody<impl MessageBody>>, actix_web::Error> {
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > MAX_BODY_BYTES) {
        return Ok(req.into_response(too_large()).map_into_right_body());
    }
    let timeout = req
        .app_data::<web::Data<BodyTimeout>>()
        .map(|t| t.0)
        .unwrap_or(std::time::Duration::from_secs(10));
    if matches!(
        *req.method(),
        actix_web::http::Method::POST | actix_web::http::Method::PUT
    ) {
        match read_body(req.parts_mut().1, timeout).await {
            Ok(body) => req.set_payload(actix_web::dev::Payload::from(body)),
            Err(refusal) => return Ok(req.into_response(refusal).map_into_right_body()),
        }
    }
    Ok(next.call(req).await?.map_into_left_body())
}

fn too_large() -> HttpResponse {
    let message = format!("请求体不能超过 {} MiB", MAX_BODY_BYTES / 1024 / 1024);
    HttpResponse::PayloadTooLarge()
        .force_close()
        .json(ApiError::new(ErrorCode::BadUserInput, message).into_body())
}

/// The whole body, or the answer for a client too slow or sending too much; either closes the
/// connection, since the rest of the body would otherwise be read as the next request.
async fn read_body(
    payload: &mut actix_web::dev::Payload,
    timeout: std::time::Duration,
) -> Result<Vec<u8>, HttpResponse> {
    use futures_util::StreamExt;
    let deadline = tokio::time::Instant::now() + timeout;
    let mut body = Vec::new();
    loop {
        match tokio::time::timeout_at(deadline, payload.next()).await {
            Err(_) => {
                let seconds = timeout.as_secs_f64();
                let message = format!(
                    "请求体未在 {seconds} 秒内发送完毕 (the request body was not sent in time)"
                );
                return Err(HttpResponse::RequestTimeout()
                    .force_close()
                    .json(ApiError::new(ErrorCode::BadUserInput, message).into_body()));
            }
            Ok(None) => return Ok(body),
            Ok(Some(Ok(chunk))) => {
                if (body.len() + chunk.len()) as u64 > MAX_BODY_BYTES {
                    return Err(too_large());
                }
                body.extend_from_slice(&chunk);
            }
            Ok(Some(Err(e))) => {
                let message = format!("请求体无法读取 (the request body could not be read): {e}");
                return Err(HttpResponse::BadRequest()
                    .force_close()
                    .json(ApiError::new(ErrorCode::BadUserInput, message).into_body()));
            }
        }
    }
}

/// Registers the routes.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/graphql")
            .route(
                web::get()
                    .guard(guard::Header("upgrade", "websocket"))
                    .to(graphql_ws),
            )
            .route(
                web::get()
                    .guard(guard::fn_guard(wants_graphiql))
                    .to(graphiql),
            )
            .route(web::get().to(graphql))
            .route(web::post().guard(guard::fn_guard(is_json)).to(graphql))
            .route(web::post().to(unsupported_media_type))
            .default_service(web::to(method_not_allowed)),
    )
    .route("/", web::get().to(graphiql))
    .route("/healthz", web::get().to(healthz))
    .route("/readyz", web::get().to(readyz))
    .route("/metrics", web::get().to(metrics))
    .route(REPORT_KEYS_PATH, web::get().to(report_keys));
}

/// A POST the GraphQL-over-HTTP way. Anything else (`text/plain`, forms) is what a page on another
/// site can make a browser send without asking, so it is refused before it is read.
fn is_json(ctx: &guard::GuardContext<'_>) -> bool {
    ctx.head()
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(|v| v.trim().to_ascii_lowercase())
        .is_some_and(|v| v == "application/json" || v == GRAPHQL_RESPONSE)
}

async fn unsupported_media_type() -> HttpResponse {
    HttpResponse::UnsupportedMediaType()
        .insert_header((header::ACCEPT, "application/json"))
        .json(
            ApiError::new(
                ErrorCode::BadUserInput,
                "请求须以 Content-Type: application/json 发送 (send the request as application/json)",
            )
            .into_body(),
        )
}

/// 405 with the methods `/graphql` takes; a mutation over GET gets the same (see [`graphql`]).
async fn method_not_allowed() -> HttpResponse {
    HttpResponse::MethodNotAllowed()
        .insert_header((header::ALLOW, "GET, POST"))
        .json(
            ApiError::new(
                ErrorCode::MethodNotAllowed,
                "只接受 GET（查询）和 POST 请求 (only GET and POST)",
            )
            .into_body(),
        )
}

/// A browser asking for the page, not a query.
fn wants_graphiql(ctx: &guard::GuardContext<'_>) -> bool {
    let html = ctx
        .head()
        .headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|a| a.contains("text/html"));
    let has_query = ctx
        .head()
        .uri
        .query()
        .is_some_and(|q| q.split('&').any(|p| p.starts_with("query=")));
    html && !has_query
}

async fn graphiql() -> HttpResponse {
    let page = GraphiQLSource::build()
        .endpoint("/graphql")
        .title("信用 Xinyong GraphiQL")
        .finish();
    HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .body(page)
}

/// Where the public key that signs credit reports is served (a JSON Web Key Set).
pub const REPORT_KEYS_PATH: &str = "/.well-known/xinyong-report-keys.json";

async fn report_keys(state: web::Data<AppState>) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "public, max-age=3600"))
        .json(state.services.reports.verifier().jwks())
}

async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(json!({ "status": "ok" }))
}

/// Counters in Prometheus's text format.
async fn metrics(state: web::Data<AppState>) -> HttpResponse {
    let queries = state.services.store.queries_sent();
    let (hits, misses, invalidations) = state.services.cache.counts();
    let mut out = String::new();
    for (name, help, value) in [
        (
            "xinyong_database_queries_total",
            "SQL statements sent to the database.",
            queries,
        ),
        (
            "xinyong_answer_cache_hits_total",
            "Public answers served from the cache.",
            hits,
        ),
        (
            "xinyong_answer_cache_misses_total",
            "Public answers computed.",
            misses,
        ),
        (
            "xinyong_answer_cache_invalidations_total",
            "Changes that dropped cached answers.",
            invalidations,
        ),
        (
            "xinyong_answer_cache_shared_reads_skipped_total",
            "In-process misses that went to the database without asking Redis (Redis was not paying).",
            state.services.cache.shared_reads_skipped(),
        ),
    ] {
        out.push_str(&format!(
            "# HELP {name} {help}\n# TYPE {name} counter\n{name} {value}\n"
        ));
    }
    let days_left = state.services.calendar().days_left(state.services.today());
    out.push_str(&format!(
        "# HELP xinyong_calendar_days_left Days from today to the last day of the working-day calendar (load the next year before it reaches 0).\n# TYPE xinyong_calendar_days_left gauge\nxinyong_calendar_days_left {days_left}\n"
    ));
    HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4; charset=utf-8")
        .body(out)
}

async fn readyz(state: web::Data<AppState>) -> HttpResponse {
    let store = state.services.store.clone();
    let backend = store.backend().as_str();
    let database = match web::block(move || store.ping()).await {
        Ok(Ok(())) => Ok(()),
        Ok(Err(e)) => Err(e.to_string()),
        Err(e) => Err(e.to_string()),
    };
    let cache = state.services.cache.ping().await;
    if let Err(e) = &database {
        tracing::error!(error = %e, "readiness: database unreachable");
    }
    if let Err(e) = &cache {
        tracing::error!(error = %e, "readiness: cache unavailable; answering from the database");
    }
    let today = state.services.today();
    let calendar = state.services.calendar();
    let days_left = calendar.days_left(today);
    let calendar_ok = !calendar.running_out(today);
    // Without its cache the server still answers rightly, only slower; with its calendar running
    // out, deadlines soon come back empty: degraded, not unready.
    let status = match (&database, &cache) {
        (Err(_), _) => "unavailable",
        (Ok(()), Err(_)) => "degraded",
        (Ok(()), Ok(())) if !calendar_ok => "degraded",
        (Ok(()), Ok(())) => "ready",
    };
    let body = json!({
        "status": status,
        "database": { "backend": backend, "ok": database.is_ok() },
        "cache": { "kind": state.services.cache.kind(), "ok": cache.is_ok(), "error": cache.err() },
        "calendar": {
            "ok": calendar_ok,
            "lastDay": calendar.covered_until(today).map(|d| d.to_string()),
            "daysLeft": days_left,
            "nextMissingYear": calendar.first_missing_year(today),
        },
    });
    if database.is_ok() {
        HttpResponse::Ok().json(body)
    } else {
        HttpResponse::ServiceUnavailable().json(body)
    }
}

async fn graphql(
    state: web::Data<AppState>,
    http: HttpRequest,
    request: GraphQLRequest,
) -> HttpResponse {
    let request_id = http
        .extensions()
        .get::<RequestId>()
        .map(|r| r.0.clone())
        .unwrap_or_default();
    let span = tracing::info_span!("graphql", request_id = %request_id, department = tracing::field::Empty);
    let authorization = http
        .headers()
        .get(header::AUTHORIZATION)
        .map(|v| v.to_str().unwrap_or(""));
    let (principal, plan) = match authenticate(&state, authorization).await {
        Ok(p) => p,
        Err(e) => {
            span.in_scope(|| tracing::info!(reason = %e, "token refused"));
            let request = request.into_inner();
            let actions =
                crate::audit::mutation_fields(&request.query, request.operation_name.as_deref());
            if !actions.is_empty() {
                let variables = serde_json::to_string(&request.variables).unwrap_or_default();
                crate::audit::record_refused(
                    &state.services,
                    &request_id,
                    actions,
                    variables,
                    "UNAUTHENTICATED",
                )
                .await;
            }
            return refused(&e);
        }
    };
    if let Some(d) = principal.department_code() {
        span.record("department", d.as_str());
    }
    let client = match &principal {
        domain::Principal::Department(d) => format!("dept:{}", d.department),
        domain::Principal::Subject { code } => format!("subject:{}", code.as_str()),
        domain::Principal::Partner(p) => format!("partner:{}", p.client_id),
        domain::Principal::Anonymous => format!(
            "ip:{}",
            http.peer_addr()
                .map(|a| a.ip().to_string())
                .unwrap_or_default()
        ),
    };
    let allowed = match plan {
        Some(plan) => state.services.limiter.take_with(&client, plan).await,
        None => state.services.limiter.take(&client).await,
    };
    if let Err(wait) = allowed {
        let seconds = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
        return HttpResponse::TooManyRequests()
            .insert_header((header::RETRY_AFTER, seconds.to_string()))
            .json(
                ApiError::new(
                    ErrorCode::RateLimited,
                    format!("请求过于频繁，请 {seconds} 秒后重试"),
                )
                .into_body(),
            );
    }
    if let domain::Principal::Partner(p) = &principal {
        span.record("department", format!("partner:{}", p.client_id));
        state
            .services
            .usage
            .count(&p.client_id, state.services.today());
    }
    let public = matches!(principal, domain::Principal::Anonymous);
    let request = request.into_inner();
    let cache = &state.services.cache;
    let variables = serde_json::to_string(&request.variables).unwrap_or_default();
    // Only the public's answers are shared; a token holder's view is its own.
    let cached = match public.then(|| answer_key(&request, &variables, state.services.today())) {
        Some(key) => match cache.lookup(&key).await {
            Ok(body) => return with_cache_status(write(&http, body.to_vec(), false, true), "HIT"),
            Err(ticket) => Some((key, ticket)),
        },
        None => None,
    };
    let scope = AnswerScope::default();
    let request = request
        .data(RequestContext {
            principal,
            request_id,
            variables,
        })
        .data(scope.clone())
        .data(crate::graphql::lookups::ShownWhole::default())
        .data(loaders(state.services.clone()));
    let request = if http.method() == actix_web::http::Method::GET {
        request.data(crate::graphql::limits::OverGet)
    } else {
        request
    };
    let response = state.schema.execute(request).instrument(span).await;
    if response.errors.iter().any(|e| {
        e.extensions
            .as_ref()
            .and_then(|x| x.get("code"))
            .is_some_and(|c| *c == async_graphql::Value::from(ErrorCode::MethodNotAllowed.as_str()))
    }) {
        // A link or an image on another site is a GET: it may read, never write.
        let body = serde_json::to_vec(&response).unwrap_or_default();
        return HttpResponse::MethodNotAllowed()
            .insert_header((header::ALLOW, "POST"))
            .insert_header((header::CACHE_CONTROL, "private, no-store"))
            .content_type("application/json")
            .body(body);
    }
    let Some((body, request_failed, clean)) = finish(response) else {
        return HttpResponse::InternalServerError().finish();
    };
    if clean
        && let Some((key, ticket)) = cached
        && let Some(tags) = scope.cacheable()
    {
        cache.store(ticket, &key, &tags, &body);
    }
    let response = write(&http, body, request_failed, public && clean);
    if public {
        with_cache_status(response, "MISS")
    } else {
        response
    }
}

/// Tells operators (and tests) whether a public answer came from the cache.
fn with_cache_status(mut response: HttpResponse, status: &'static str) -> HttpResponse {
    response
        .headers_mut()
        .insert(X_CACHE, HeaderValue::from_static(status));
    response
}

/// What identifies a public answer: the operation as sent (a persisted query's hash stands for its
/// text) and the day, since statuses and publicity are read on it.
fn answer_key(
    request: &async_graphql::Request,
    variables: &str,
    today: chrono::NaiveDate,
) -> String {
    let extensions = serde_json::to_string(&request.extensions).unwrap_or_default();
    persistence::sha256_hex(&format!(
        "{today}\n{}\n{}\n{variables}\n{extensions}",
        request.operation_name.as_deref().unwrap_or(""),
        request.query,
    ))
}

/// How long a WebSocket client has to send `connection_init` (graphql-transport-ws closes with 4408).
const WS_INIT_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

/// Subscriptions over WebSocket (graphql-transport-ws, or the older graphql-ws). The token comes in
/// `connection_init`: `{"Authorization": "Bearer …"}` (or `{"token": "…"}`). A refused one closes
/// the connection with 4403, as graphql-transport-ws asks (async-graphql's own handler says 1002,
/// which a client reads as its own protocol error), and so does a connection that never says
/// `connection_init` in time, with 4408.
async fn graphql_ws(
    state: web::Data<AppState>,
    http: HttpRequest,
    payload: web::Payload,
) -> actix_web::Result<HttpResponse> {
    use async_graphql::http::{WebSocket, WebSocketProtocols as Protocols, WsMessage};
    use futures_util::StreamExt;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, Ordering};

    let protocol = http
        .headers()
        .get(header::SEC_WEBSOCKET_PROTOCOL)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            v.split(',')
                .find_map(|p| p.trim().parse::<Protocols>().ok())
        })
        .unwrap_or(Protocols::GraphQLWS);
    let (mut response, session, messages) = actix_ws::handle(&http, payload)?;
    response.headers_mut().insert(
        header::SEC_WEBSOCKET_PROTOCOL,
        HeaderValue::from_static(protocol.sec_websocket_protocol()),
    );
    let verifier = state.verifier.clone();
    let services = state.services.clone();
    let request_id = http
        .extensions()
        .get::<RequestId>()
        .map(|r| r.0.clone())
        .unwrap_or_default();
    let refused = Arc::new(AtomicBool::new(false));
    let initialised = Arc::new(AtomicBool::new(false));
    let on_init = {
        let (refused, initialised) = (refused.clone(), initialised.clone());
        move |init: serde_json::Value| async move {
            initialised.store(true, Ordering::SeqCst);
            let header = ["Authorization", "authorization"]
                .iter()
                .find_map(|k| init.get(k).and_then(|v| v.as_str()).map(str::to_owned))
                .or_else(|| {
                    init.get("token")
                        .and_then(|v| v.as_str())
                        .map(|t| format!("Bearer {t}"))
                });
            let principal = verifier.principal(header.as_deref()).map_err(|e| {
                refused.store(true, Ordering::SeqCst);
                async_graphql::Error::new(e.to_string())
            })?;
            let mut data = async_graphql::Data::default();
            data.insert(RequestContext {
                principal,
                request_id,
                variables: String::new(),
            });
            data.insert(loaders(services));
            Ok(data)
        }
    };
    let pongs = session.clone();
    let inbound = messages
        .take_while(|m| {
            std::future::ready(matches!(
                m,
                Ok(actix_ws::Message::Text(_)
                    | actix_ws::Message::Binary(_)
                    | actix_ws::Message::Ping(_)
                    | actix_ws::Message::Pong(_)
                    | actix_ws::Message::Continuation(_)
                    | actix_ws::Message::Nop)
            ))
        })
        .filter_map(move |m| {
            let mut pongs = pongs.clone();
            async move {
                match m {
                    Ok(actix_ws::Message::Text(t)) => Some(t.into_bytes()),
                    Ok(actix_ws::Message::Binary(b)) => Some(b),
                    Ok(actix_ws::Message::Ping(p)) => {
                        let _ = pongs.pong(&p).await;
                        None
                    }
                    _ => None,
                }
            }
        });
    let schema = state.schema.clone();
    actix_web::rt::spawn(async move {
        let mut session = session;
        let ws = WebSocket::new(schema, inbound, protocol).on_connection_init(on_init);
        futures_util::pin_mut!(ws);
        let init_deadline = tokio::time::Instant::now() + WS_INIT_TIMEOUT;
        loop {
            let next = if initialised.load(Ordering::SeqCst) {
                ws.next().await
            } else {
                match tokio::time::timeout_at(init_deadline, ws.next()).await {
                    Ok(next) => next,
                    Err(_) => Some(WsMessage::Close(
                        4408,
                        "Connection initialisation timeout".into(),
                    )),
                }
            };
            match next {
                Some(WsMessage::Text(text)) => {
                    if session.text(text).await.is_err() {
                        return;
                    }
                }
                Some(WsMessage::Close(code, message)) => {
                    let code = if refused.load(Ordering::SeqCst) {
                        4403
                    } else {
                        code
                    };
                    let reason = actix_ws::CloseReason {
                        code: code.into(),
                        description: Some(message),
                    };
                    let _ = session.close(Some(reason)).await;
                    return;
                }
                None => {
                    let _ = session.close(None).await;
                    return;
                }
            }
        }
    });
    Ok(response)
}

/// Who is calling: a partner's own token (its `kid` names it) checked against its registered key
/// and status, read now so that a suspension holds at once; any other token by the platform's key.
/// A partner comes with its rate plan.
async fn authenticate(
    state: &AppState,
    header: Option<&str>,
) -> Result<(domain::Principal, Option<crate::rate_limit::RatePlan>), AuthError> {
    let partner = header
        .map(crate::auth::bearer)
        .transpose()?
        .and_then(|token| crate::auth::partner_client_id(token).map(|id| (token, id)));
    let Some((token, client_id)) = partner else {
        return Ok((state.verifier.principal(header)?, None));
    };
    let store = state.services.store.clone();
    let found = tokio::task::spawn_blocking(move || store.partner_credentials(&client_id))
        .await
        .map_err(|_| AuthError::Unavailable)?
        .map_err(|e| {
            tracing::warn!(error = %e, "partner credentials unreadable");
            AuthError::Unavailable
        })?;
    let (partner, key) = found.ok_or_else(|| AuthError::Invalid("未登记的合作方".into()))?;
    let principal = crate::auth::verify_partner(token, &partner, &key, state.verifier.audience())?;
    let plan = crate::rate_limit::RatePlan {
        burst: partner.plan.burst,
        per_second: f64::from(partner.plan.per_second),
    };
    Ok((domain::Principal::Partner(principal), Some(plan)))
}

/// A token refused: 401 when the caller is not identified, 403 when it is but may not come in
/// (a suspended partner), 503 when it cannot be checked now.
fn refused(e: &AuthError) -> HttpResponse {
    if e.is_refusal() {
        return HttpResponse::Forbidden()
            .json(ApiError::new(ErrorCode::Forbidden, e.to_string()).into_body());
    }
    if matches!(e, AuthError::Unavailable) {
        return HttpResponse::ServiceUnavailable()
            .json(ApiError::new(ErrorCode::Internal, e.to_string()).into_body());
    }
    unauthenticated(e)
}

fn unauthenticated(e: &AuthError) -> HttpResponse {
    HttpResponse::Unauthorized()
        .insert_header((header::WWW_AUTHENTICATE, r#"Bearer error="invalid_token""#))
        .json(ApiError::new(ErrorCode::Unauthenticated, e.to_string()).into_body())
}

/// Arguments are coerced when their field resolves, so a value that does not parse (a date that is
/// not a date) fails with a path, though it is the caller's input at fault.
fn is_coercion_error(message: &str) -> bool {
    ["Failed to parse", "Expected input type", "Invalid value"]
        .iter()
        .any(|p| message.starts_with(p))
}

/// Gives every error a code and serialises the response: the body, whether the request never ran,
/// and whether it ran without any error. A request error (parse, validation, coercion) is bad
/// input; anything else without a code is internal.
fn finish(mut response: async_graphql::Response) -> Option<(Vec<u8>, bool, bool)> {
    let mut request_failed = !response.errors.is_empty();
    for error in &mut response.errors {
        let has_code = error
            .extensions
            .as_ref()
            .is_some_and(|e| e.get("code").is_some());
        request_failed &= error.path.is_empty();
        if !has_code && error.message == "PersistedQueryNotFound" {
            // Apollo's clients resend the whole query on this code.
            error
                .extensions
                .get_or_insert_with(Default::default)
                .set("code", "PERSISTED_QUERY_NOT_FOUND");
        } else if !has_code {
            let code = if error.path.is_empty() || is_coercion_error(&error.message) {
                "BAD_USER_INPUT"
            } else {
                "INTERNAL"
            };
            if code == "INTERNAL" {
                tracing::error!(message = %error.message, "unexpected resolver error");
                error.message = "服务器内部错误".into();
            }
            error
                .extensions
                .get_or_insert_with(Default::default)
                .set("code", code);
        }
    }
    let request_failed = request_failed && matches!(response.data, async_graphql::Value::Null);
    let clean = response.errors.is_empty();
    response.errors = one_per_problem(std::mem::take(&mut response.errors));
    match serde_json::to_vec(&response) {
        Ok(body) => Some((body, request_failed, clean)),
        Err(e) => {
            tracing::error!(error = %e, "response not serialisable");
            None
        }
    }
}

/// Errors a response lists at most: each distinct one once, so that a document repeating one
/// mistake ten thousand times is not answered with ten thousand errors.
const MAX_ERRORS: usize = 20;
/// Places one error names at most.
const MAX_LOCATIONS: usize = 10;

/// The same error (message, code and path) said once with its places; at most [`MAX_ERRORS`].
fn one_per_problem(errors: Vec<async_graphql::ServerError>) -> Vec<async_graphql::ServerError> {
    let mut kept: Vec<async_graphql::ServerError> = Vec::new();
    let mut left_out = 0usize;
    for error in errors {
        if let Some(same) = kept.iter_mut().find(|k| {
            k.message == error.message && k.path == error.path && k.extensions == error.extensions
        }) {
            let room = MAX_LOCATIONS.saturating_sub(same.locations.len());
            same.locations
                .extend(error.locations.into_iter().take(room));
        } else if kept.len() < MAX_ERRORS {
            kept.push(error);
        } else {
            left_out += 1;
        }
    }
    if left_out > 0 {
        kept.push(
            ApiError::new(
                ErrorCode::BadUserInput,
                format!("另有 {left_out} 个错误未列出 ({left_out} more errors not listed)"),
            )
            .into_server_error(),
        );
    }
    kept
}

/// Writes a body as the client asked: `application/graphql-response+json` (400 when the request
/// never ran) or `application/json` (always 200).
///
/// A public answer to a GET (persisted queries make those short) may be cached by browsers and
/// proxies for a short while and carries an ETag; an answer for a token holder never is.
fn write(
    http: &HttpRequest,
    body: Vec<u8>,
    request_failed: bool,
    public_clean: bool,
) -> HttpResponse {
    let accept = http
        .headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let modern = accept.contains(GRAPHQL_RESPONSE);
    let mut builder = if modern && request_failed {
        HttpResponse::BadRequest()
    } else {
        HttpResponse::Ok()
    };
    if public_clean && http.method() == actix_web::http::Method::GET {
        let etag = format!(
            "\"{}\"",
            &persistence::sha256_hex(&String::from_utf8_lossy(&body))[..32]
        );
        let matches = http
            .headers()
            .get(header::IF_NONE_MATCH)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.split(',').any(|t| t.trim() == etag));
        if matches {
            return HttpResponse::NotModified()
                .insert_header((header::ETAG, etag))
                .finish();
        }
        builder.insert_header((
            header::CACHE_CONTROL,
            format!("public, max-age={PUBLIC_MAX_AGE}"),
        ));
        builder.insert_header((header::ETAG, etag));
    } else {
        builder.insert_header((header::CACHE_CONTROL, "private, no-store"));
    }
    builder
        .content_type(if modern {
            GRAPHQL_RESPONSE
        } else {
            "application/json"
        })
        .body(body)
}
