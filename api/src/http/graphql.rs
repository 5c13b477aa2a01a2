//! `/graphql` over HTTP: who is calling, the rate, the public answer cache, and the response.

use super::access::AccessNote;
use super::answer::{media_type, refusal, refusal_errors, with_cache_status, write};
use super::{AppState, RequestId};
use crate::auth::AuthError;
use crate::context::RequestContext;
use crate::error::{ApiError, ErrorCode};
use crate::graphql::answers::AnswerScope;
use crate::graphql::loaders::loaders;
use crate::graphql::operation::{OperationSeen, first_operation_name};
use crate::metrics::RequestOutcome;
use crate::rate_limit::RatePlan;
use actix_web::http::header;
use actix_web::http::header::{HeaderMap, HeaderName};
use actix_web::{HttpMessage, HttpRequest, HttpResponse, web};
use tracing::Instrument;

const RATE_LIMIT: HeaderName = HeaderName::from_static("ratelimit");
const RATE_LIMIT_POLICY: HeaderName = HeaderName::from_static("ratelimit-policy");

/// What became of a request, filled in as it goes: for its count in `/metrics` and its line in
/// the access log.
struct Outcome {
    /// As the request names it.
    operation: Option<String>,
    /// Set by the request limits once the document is parsed.
    seen: OperationSeen,
    /// Every error's code, in order.
    codes: Vec<String>,
    caller: String,
}

impl Outcome {
    fn refused(&mut self, code: ErrorCode) {
        self.codes.push(code.as_str().to_owned());
    }
}

pub(super) async fn graphql(
    state: web::Data<AppState>,
    http: HttpRequest,
    body: web::Bytes,
) -> HttpResponse {
    let started = std::time::Instant::now();
    let mut outcome = Outcome {
        operation: None,
        seen: OperationSeen::default(),
        codes: Vec::new(),
        caller: "public".into(),
    };
    let mut response = answer(&state, &http, &body, &mut outcome).await;
    let metrics = &state.services.metrics;
    let counted = RequestOutcome {
        operation: metrics.operation_label(outcome.seen.name().or(outcome.operation.as_deref())),
        kind: outcome.seen.kind().unwrap_or("none"),
        code: outcome
            .codes
            .first()
            .cloned()
            .unwrap_or_else(|| "OK".into()),
    };
    metrics.request(
        &counted,
        started.elapsed(),
        outcome.codes.iter().map(String::as_str),
    );
    AccessNote {
        operation: counted.operation,
        kind: counted.kind,
        code: counted.code,
        caller: outcome.caller,
    }
    .attach(&mut response);
    response
}

async fn answer(
    state: &AppState,
    http: &HttpRequest,
    body: &[u8],
    outcome: &mut Outcome,
) -> HttpResponse {
    let read = if http.method() == actix_web::http::Method::GET {
        super::request::from_query_string(http.query_string())
    } else {
        super::request::from_body(body)
    };
    let request = match read {
        Ok(request) => request,
        Err(e) => {
            outcome.refused(e.code);
            return refusal(media_type(http.headers()), HttpResponse::BadRequest(), e);
        }
    };
    outcome.operation.clone_from(&request.operation_name);
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
    let (principal, plan) = match authenticate(state, authorization).await {
        Ok(p) => p,
        Err(e) => {
            span.in_scope(|| tracing::info!(reason = %e, "token refused"));
            let actions =
                crate::audit::mutation_fields(&request.query, request.operation_name.as_deref());
            if !actions.is_empty() {
                let variables = serde_json::to_string(&request.variables).unwrap_or_default();
                crate::audit::record_refused(
                    &state.services,
                    &request_id,
                    actions,
                    variables,
                    refusal_code(&e).as_str(),
                )
                .await;
            }
            outcome.refused(refusal_code(&e));
            return refused(http.headers(), &e);
        }
    };
    if let Some(d) = principal.department_code() {
        span.record("department", d.as_str());
    }
    outcome.caller = caller_label(&principal);
    let client = rate_key(&principal, http);
    let plan = plan.unwrap_or_else(|| state.services.limiter.plan());
    if let Err(wait) = state.services.limiter.take_with(&client, plan).await {
        let seconds = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
        let mut builder = HttpResponse::TooManyRequests();
        builder
            .insert_header((header::RETRY_AFTER, seconds.to_string()))
            .insert_header((RATE_LIMIT_POLICY, plan.policy_header()))
            .insert_header((RATE_LIMIT, RatePlan::exhausted_header(seconds)));
        let error = ApiError::new(
            ErrorCode::RateLimited,
            format!("请求过于频繁，请 {seconds} 秒后重试 (rate limited: retry in {seconds} s)"),
        );
        outcome.refused(error.code);
        return refusal(media_type(http.headers()), builder, error);
    }
    if let domain::Principal::Partner(p) = &principal {
        span.record("department", format!("partner:{}", p.client_id));
        state
            .services
            .usage
            .count(&p.client_id, state.services.today());
    }
    let public = matches!(principal, domain::Principal::Anonymous);
    let cache = &state.services.cache;
    let variables = serde_json::to_string(&request.variables).unwrap_or_default();
    // Only the public's answers are shared; a token holder's view is its own.
    let cached = match public.then(|| answer_key(&request, &variables, state.services.today())) {
        Some(key) => match cache.lookup(&key).await {
            Ok(body) => {
                // Only a query's clean answer is ever stored.
                let name = outcome
                    .operation
                    .clone()
                    .or_else(|| first_operation_name(&request.query).map(str::to_owned));
                outcome.seen.set("query", name);
                return with_cache_status(write(http, body.to_vec(), false, true), "HIT");
            }
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
        .data(outcome.seen.clone())
        .data(loaders(state.services.clone()));
    let request = if http.method() == actix_web::http::Method::GET {
        request.data(crate::graphql::limits::OverGet)
    } else {
        request
    };
    let response = state.schema.execute(request).instrument(span).await;
    outcome.codes.extend(response.errors.iter().map(|e| {
        e.extensions
            .as_ref()
            .and_then(|x| x.get("code"))
            .and_then(|c| match c {
                async_graphql::Value::String(s) => Some(s.clone()),
                _ => None,
            })
            .unwrap_or_else(|| "INTERNAL".into())
    }));
    if response.errors.iter().any(|e| {
        e.extensions
            .as_ref()
            .and_then(|x| x.get("code"))
            .is_some_and(|c| *c == async_graphql::Value::from(ErrorCode::MethodNotAllowed.as_str()))
    }) {
        // A link or an image on another site is a GET: it may read, never write.
        let mut builder = HttpResponse::MethodNotAllowed();
        builder.insert_header((header::ALLOW, "POST"));
        return refusal_errors(media_type(http.headers()), builder, &response.errors);
    }
    let Some((body, request_failed, clean)) = finish(response) else {
        outcome.refused(ErrorCode::Internal);
        return HttpResponse::InternalServerError().finish();
    };
    if clean
        && let Some((key, ticket)) = cached
        && let Some(tags) = scope.cacheable()
    {
        cache.store(ticket, &key, &tags, &body);
    }
    let response = write(http, body, request_failed, public && clean);
    if public {
        with_cache_status(response, "MISS")
    } else {
        response
    }
}

/// Who called, as the access log names them: a person's code is a citizen id, never in a log.
fn caller_label(principal: &domain::Principal) -> String {
    match principal {
        domain::Principal::Department(d) => format!("department:{}", d.department),
        domain::Principal::Partner(p) => format!("partner:{}", p.client_id),
        domain::Principal::Subject { .. } => "subject".into(),
        domain::Principal::Anonymous => "public".into(),
    }
}

/// Whose allowance a request spends: the caller, and for the public each address on its own.
fn rate_key(principal: &domain::Principal, http: &HttpRequest) -> String {
    match principal {
        domain::Principal::Subject { code } => format!("subject:{}", code.as_str()),
        domain::Principal::Anonymous => format!(
            "ip:{}",
            http.peer_addr()
                .map(|a| a.ip().to_string())
                .unwrap_or_default()
        ),
        _ => caller_label(principal),
    }
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
fn refused(headers: &HeaderMap, e: &AuthError) -> HttpResponse {
    let code = refusal_code(e);
    let error = ApiError::new(code, e.to_string());
    let builder = match code {
        ErrorCode::Forbidden => HttpResponse::Forbidden(),
        ErrorCode::ServiceUnavailable => {
            let mut b = HttpResponse::ServiceUnavailable();
            b.insert_header((header::RETRY_AFTER, "1"));
            b
        }
        _ => {
            let mut b = HttpResponse::Unauthorized();
            b.insert_header((header::WWW_AUTHENTICATE, r#"Bearer error="invalid_token""#));
            b
        }
    };
    refusal(media_type(headers), builder, error)
}

fn refusal_code(e: &AuthError) -> ErrorCode {
    if e.is_refusal() {
        ErrorCode::Forbidden
    } else if matches!(e, AuthError::Unavailable) {
        ErrorCode::ServiceUnavailable
    } else {
        ErrorCode::Unauthenticated
    }
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
    // A request that never ran has no `data` entry at all (GraphQL over HTTP, 6.4.2).
    let serialised = if request_failed {
        serde_json::to_vec(&serde_json::json!({ "errors": response.errors }))
    } else {
        serde_json::to_vec(&response)
    };
    match serialised {
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
