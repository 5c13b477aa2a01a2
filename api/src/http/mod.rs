//! HTTP: `/graphql` (POST and GET, GraphQL over HTTP), GraphiQL for browsers, `/healthz`, `/readyz`,
//! and the request id every response carries.

mod access;
mod answer;
mod body;
mod cors;
mod fallback;
mod graphiql;
mod graphql;
mod health;
mod metrics;
mod request;
mod ws;

pub use access::access_log;
pub use body::{BodyTimeout, MAX_BODY_BYTES, limit_body};
pub use cors::AllowedOrigins;
pub use fallback::json_errors;
pub use graphiql::DemoToken;
pub use health::REPORT_KEYS_PATH;

use crate::auth::Verifier;
use crate::context::Services;
use crate::error::{ApiError, ErrorCode};
use crate::graphql::AppSchema;
use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderName, HeaderValue};
use actix_web::middleware::Next;
use actix_web::{HttpMessage, HttpRequest, HttpResponse, guard, web};
use answer::GRAPHQL_RESPONSE;
use graphiql::{asset, graphiql, wants_graphiql};
use graphql::graphql;
use health::{healthz, readyz, report_keys};
use metrics::metrics;
use ws::graphql_ws;

const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// Everything the routes need; built once at start.
pub struct AppState {
    pub schema: AppSchema,
    pub verifier: Verifier,
    pub services: Services,
    /// Who may open the WebSocket from a browser (CORS itself is a middleware).
    pub origins: AllowedOrigins,
    /// The tokens a demonstration offers in GraphiQL; none outside `--demo`.
    pub demo_tokens: Vec<DemoToken>,
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
    .route(
        &format!("{}/{{name}}", graphiql::ASSETS),
        web::get().to(asset),
    )
    .service(
        web::resource("/healthz")
            .route(web::get().to(healthz))
            .route(web::head().to(healthz)),
    )
    .service(
        web::resource("/readyz")
            .route(web::get().to(readyz))
            .route(web::head().to(readyz)),
    )
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

async fn unsupported_media_type(http: HttpRequest) -> HttpResponse {
    let mut builder = HttpResponse::UnsupportedMediaType();
    builder.insert_header((header::ACCEPT, "application/json"));
    let error = ApiError::new(
        ErrorCode::BadUserInput,
        "请求须以 Content-Type: application/json 发送 (send the request as application/json)",
    );
    answer::refusal(answer::media_type(http.headers()), builder, error)
}

/// 405 with the methods `/graphql` takes; a mutation over GET gets the same (see [`graphql`]).
async fn method_not_allowed(http: HttpRequest) -> HttpResponse {
    let mut builder = HttpResponse::MethodNotAllowed();
    builder.insert_header((header::ALLOW, "GET, POST"));
    let error = ApiError::new(
        ErrorCode::MethodNotAllowed,
        "只接受 GET（查询）和 POST 请求 (only GET and POST)",
    );
    answer::refusal(answer::media_type(http.headers()), builder, error)
}
