//! Which web pages may call the API from a browser (CORS), and may open its WebSocket: the origins
//! configured, none by default. A page served by the API itself (GraphiQL) is of the same origin
//! and needs no permission.

use actix_cors::Cors;
use actix_web::http::header::{self, HeaderMap};

/// Seconds a browser may keep a preflight's answer.
const PREFLIGHT_MAX_AGE: usize = 600;

/// The origins allowed, as configured.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AllowedOrigins {
    /// These exact origins (`https://portal.example.gov.cn`); none by default.
    Listed(Vec<String>),
    /// Any origin: for a demonstration only.
    Any,
}

impl AllowedOrigins {
    /// Whether a page from `origin` may call.
    pub fn allows(&self, origin: &str) -> bool {
        match self {
            AllowedOrigins::Any => true,
            AllowedOrigins::Listed(list) => list.iter().any(|o| o.eq_ignore_ascii_case(origin)),
        }
    }

    /// Whether a WebSocket upgrade with these headers may proceed: no `Origin` (not a browser), the
    /// API's own origin, or an allowed one. A browser lets any page open a WebSocket anywhere, so
    /// the server is the only one that can refuse.
    pub fn allows_upgrade(&self, headers: &HeaderMap) -> bool {
        let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) else {
            return true;
        };
        let host = headers.get(header::HOST).and_then(|v| v.to_str().ok());
        let same_origin = host.is_some_and(|host| {
            origin
                .split_once("://")
                .is_some_and(|(_, rest)| rest.eq_ignore_ascii_case(host))
        });
        same_origin || self.allows(origin)
    }

    /// The middleware answering preflights and adding the CORS headers for allowed origins. A
    /// request from another origin is still served (a browser withholds the answer from the page;
    /// a non-browser client sends no `Origin` it could be judged by).
    pub fn middleware(&self) -> Cors {
        let cors = match self {
            AllowedOrigins::Any => Cors::default().allow_any_origin(),
            AllowedOrigins::Listed(list) => {
                let list = list.clone();
                Cors::default().allowed_origin_fn(move |origin, _| {
                    origin
                        .to_str()
                        .is_ok_and(|o| list.iter().any(|l| l.eq_ignore_ascii_case(o)))
                })
            }
        };
        cors.allowed_methods(["GET", "POST"])
            .allowed_headers([
                header::AUTHORIZATION,
                header::CONTENT_TYPE,
                header::ACCEPT,
                header::HeaderName::from_static("x-request-id"),
            ])
            .expose_headers([
                header::HeaderName::from_static("x-request-id"),
                header::HeaderName::from_static("x-cache"),
                header::HeaderName::from_static("ratelimit"),
                header::HeaderName::from_static("ratelimit-policy"),
                header::RETRY_AFTER,
                header::ETAG,
            ])
            .max_age(PREFLIGHT_MAX_AGE)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::http::header::HeaderValue;

    fn headers(origin: Option<&'static str>) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(header::HOST, HeaderValue::from_static("127.0.0.1:8080"));
        if let Some(o) = origin {
            h.insert(header::ORIGIN, HeaderValue::from_static(o));
        }
        h
    }

    #[test]
    fn an_upgrade_is_refused_only_to_a_page_of_another_origin_not_listed() {
        let listed = AllowedOrigins::Listed(vec!["https://portal.example.cn".into()]);
        assert!(listed.allows_upgrade(&headers(None)));
        assert!(listed.allows_upgrade(&headers(Some("http://127.0.0.1:8080"))));
        assert!(listed.allows_upgrade(&headers(Some("https://portal.example.cn"))));
        assert!(!listed.allows_upgrade(&headers(Some("https://evil.example"))));
        assert!(
            !AllowedOrigins::Listed(vec![])
                .allows_upgrade(&headers(Some("https://portal.example.cn")))
        );
        assert!(AllowedOrigins::Any.allows_upgrade(&headers(Some("https://evil.example"))));
    }
}
