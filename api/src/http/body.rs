//! Reading a request body within its size and time limits.

use super::answer::{media_type, refusal};
use crate::error::{ApiError, ErrorCode};
use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header;
use actix_web::middleware::Next;
use actix_web::{HttpResponse, web};

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
    let media_type = media_type(req.headers());
    if declared.is_some_and(|n| n > MAX_BODY_BYTES) {
        return Ok(req
            .into_response(too_large(media_type))
            .map_into_right_body());
    }
    let timeout = req
        .app_data::<web::Data<BodyTimeout>>()
        .map(|t| t.0)
        .unwrap_or(std::time::Duration::from_secs(10));
    if matches!(
        *req.method(),
        actix_web::http::Method::POST | actix_web::http::Method::PUT
    ) {
        match read_body(req.parts_mut().1, timeout, media_type).await {
            Ok(body) => req.set_payload(actix_web::dev::Payload::from(body)),
            Err(refusal) => return Ok(req.into_response(refusal).map_into_right_body()),
        }
    }
    Ok(next.call(req).await?.map_into_left_body())
}

fn too_large(media_type: &'static str) -> HttpResponse {
    let message = format!(
        "请求体不能超过 {} MiB (the request body is too large)",
        MAX_BODY_BYTES / 1024 / 1024
    );
    closing(media_type, HttpResponse::PayloadTooLarge(), message)
}

/// A refusal that closes the connection: the rest of the body would be read as the next request.
fn closing(
    media_type: &'static str,
    mut builder: actix_web::HttpResponseBuilder,
    message: String,
) -> HttpResponse {
    builder.force_close();
    refusal(
        media_type,
        builder,
        ApiError::new(ErrorCode::BadUserInput, message),
    )
}

/// The whole body, or the answer for a client too slow or sending too much; either closes the
/// connection, since the rest of the body would otherwise be read as the next request.
async fn read_body(
    payload: &mut actix_web::dev::Payload,
    timeout: std::time::Duration,
    media_type: &'static str,
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
                return Err(closing(media_type, HttpResponse::RequestTimeout(), message));
            }
            Ok(None) => return Ok(body),
            Ok(Some(Ok(chunk))) => {
                if (body.len() + chunk.len()) as u64 > MAX_BODY_BYTES {
                    return Err(too_large(media_type));
                }
                body.extend_from_slice(&chunk);
            }
            Ok(Some(Err(e))) => {
                let message = format!("请求体无法读取 (the request body could not be read): {e}");
                return Err(closing(media_type, HttpResponse::BadRequest(), message));
            }
        }
    }
}
