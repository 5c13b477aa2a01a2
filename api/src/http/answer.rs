//! Writing an answer as the client asked: media type, status, caching and ETags.

use actix_web::http::header::{self, HeaderName, HeaderValue};
use actix_web::{HttpRequest, HttpResponse};

pub(super) const X_CACHE: HeaderName = HeaderName::from_static("x-cache");
pub(super) const GRAPHQL_RESPONSE: &str = "application/graphql-response+json";
/// Seconds a public GET answer may be reused by browsers and proxies: short, since listings change.
const PUBLIC_MAX_AGE: u32 = 30;

/// Tells operators (and tests) whether a public answer came from the cache.
pub(super) fn with_cache_status(mut response: HttpResponse, status: &'static str) -> HttpResponse {
    response
        .headers_mut()
        .insert(X_CACHE, HeaderValue::from_static(status));
    response
}

/// Writes a body as the client asked: `application/graphql-response+json` (400 when the request
/// never ran) or `application/json` (always 200).
///
/// A public answer to a GET (persisted queries make those short) may be cached by browsers and
/// proxies for a short while and carries an ETag; an answer for a token holder never is.
pub(super) fn write(
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
