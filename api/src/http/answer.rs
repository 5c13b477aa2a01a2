//! Writing an answer as the client asked: media type, status, caching and ETags.

use crate::error::ApiError;
use actix_web::http::header::{self, HeaderMap, HeaderName, HeaderValue};
use actix_web::{HttpRequest, HttpResponse, HttpResponseBuilder};
use async_graphql::ServerError;

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

/// Answers smaller than this go out uncompressed: compressing them costs more than it saves.
const COMPRESS_FROM_BYTES: usize = 512;

/// What every `/graphql` answer varies by: the media type asked for, the caller (a token holder's
/// view is its own), and the compression, so that a shared cache keyed by URL keeps them apart.
const VARY: &str = "Accept, Authorization, Accept-Encoding";

/// The media type the client asked for: `application/graphql-response+json` if it names it, else
/// `application/json` (also when it says nothing or `*/*`).
pub(super) fn media_type(headers: &HeaderMap) -> &'static str {
    let modern = headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|a| a.contains(GRAPHQL_RESPONSE));
    if modern {
        GRAPHQL_RESPONSE
    } else {
        "application/json"
    }
}

/// A request refused before GraphQL ran: the GraphQL response shape with `extensions.code`, in the
/// media type asked for, never cached.
pub(super) fn refusal(
    media_type: &'static str,
    builder: HttpResponseBuilder,
    error: ApiError,
) -> HttpResponse {
    refusal_errors(media_type, builder, &[error.into_server_error()])
}

/// As [`refusal`], for errors GraphQL's own steps made (a mutation over GET).
pub(super) fn refusal_errors(
    media_type: &'static str,
    mut builder: HttpResponseBuilder,
    errors: &[ServerError],
) -> HttpResponse {
    let body = serde_json::json!({ "errors": errors });
    builder
        .insert_header((header::CACHE_CONTROL, "private, no-store"))
        .insert_header((header::VARY, VARY))
        .content_type(media_type)
        .body(body.to_string())
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
    let media_type = media_type(http.headers());
    let mut builder = if media_type == GRAPHQL_RESPONSE && request_failed {
        HttpResponse::BadRequest()
    } else {
        HttpResponse::Ok()
    };
    builder.insert_header((header::VARY, VARY));
    if public_clean && http.method() == actix_web::http::Method::GET {
        // The same body in another media type is another representation, with its own tag.
        let etag = format!(
            "\"{}\"",
            &persistence::sha256_hex(&format!("{media_type}\n{}", String::from_utf8_lossy(&body)))
                [..32]
        );
        let matches = http
            .headers()
            .get(header::IF_NONE_MATCH)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.split(',').any(|t| t.trim() == etag || t.trim() == "*"));
        if matches {
            return HttpResponse::NotModified()
                .insert_header((header::ETAG, etag))
                .insert_header((header::VARY, VARY))
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
    if body.len() < COMPRESS_FROM_BYTES {
        // The compression middleware leaves an answer alone that already says its encoding.
        builder.insert_header((header::CONTENT_ENCODING, "identity"));
    }
    builder.content_type(media_type).body(body)
}
