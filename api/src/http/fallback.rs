//! Every error answer in the GraphQL response shape with `extensions.code`, also those made below
//! the routes (no route, a refused preflight, a method a path does not take), which actix and its
//! middleware answer with plain text or nothing at all.

use super::answer::{media_type, refusal};
use crate::error::{ApiError, ErrorCode};
use actix_web::HttpResponse;
use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::{StatusCode, header};
use actix_web::middleware::Next;

/// Middleware: an error answer that is not JSON is replaced by one that is, with the same status.
pub async fn json_errors(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    // Only what the replacement needs is kept: copying the whole header map cost every request.
    let media_type = media_type(req.headers());
    let preflight = req
        .headers()
        .contains_key(header::ACCESS_CONTROL_REQUEST_METHOD);
    // Handlers' and these middlewares' errors arrive as answers; an `Err` here is actix's own
    // and goes on as it is.
    let response = next.call(req).await?.map_into_boxed_body();
    let status = response.status();
    let is_json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("json"));
    if !(status.is_client_error() || status.is_server_error()) || is_json {
        return Ok(response);
    }
    // The status and the headers others set (the request id, CORS, `Allow`, `Retry-After`) stay;
    // the body and what describes it are replaced.
    Ok(response.map_body(|head, _| {
        let replacement = answer(media_type, status, preflight);
        for name in [header::CONTENT_LENGTH, header::CONTENT_ENCODING] {
            head.headers.remove(name);
        }
        for (name, value) in replacement.headers() {
            head.headers.insert(name.clone(), value.clone());
        }
        replacement.into_body()
    }))
}

/// The error for a status the request layer gave, with a message a person can act on.
fn answer(media_type: &'static str, status: StatusCode, preflight: bool) -> HttpResponse {
    let (code, message) = match status {
        StatusCode::BAD_REQUEST if preflight => (
            ErrorCode::Forbidden,
            "该网页来源未获允许调用本接口 (this origin is not allowed: ask the platform to list it)",
        ),
        StatusCode::NOT_FOUND => (
            ErrorCode::NotFound,
            "没有这个地址：接口在 /graphql (no such path; the API is at /graphql)",
        ),
        StatusCode::METHOD_NOT_ALLOWED => (
            ErrorCode::MethodNotAllowed,
            "此地址不接受该请求方法 (method not allowed here)",
        ),
        StatusCode::UNAUTHORIZED => (ErrorCode::Unauthenticated, "需要登录 (unauthenticated)"),
        StatusCode::FORBIDDEN => (ErrorCode::Forbidden, "无权访问 (forbidden)"),
        s if s.is_client_error() => (
            ErrorCode::BadUserInput,
            "请求无法处理，请检查请求格式 (the request could not be read)",
        ),
        StatusCode::SERVICE_UNAVAILABLE => (
            ErrorCode::ServiceUnavailable,
            "服务暂不可用，请稍后重试 (service unavailable, retry later)",
        ),
        _ => {
            return refusal(
                media_type,
                HttpResponse::build(status),
                ApiError::internal(),
            );
        }
    };
    refusal(
        media_type,
        HttpResponse::build(status),
        ApiError::new(code, message),
    )
}
