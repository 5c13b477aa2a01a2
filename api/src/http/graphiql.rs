//! GraphiQL for browsers, served whole from the binary: the page, its scripts and styles (pinned
//! releases vendored under `api/assets/graphiql`, see its README) and the few lines that start it.
//! Nothing is loaded from elsewhere, so it works on an intranet with no way out; subscriptions run
//! over the same origin's WebSocket; in a demonstration the demo tokens are one click away.

use actix_web::http::header;
use actix_web::{HttpResponse, guard, web};
use serde::Serialize;

/// A token a demonstration offers in the page, with what it is for.
#[derive(Debug, Clone, Serialize)]
pub struct DemoToken {
    pub label: String,
    pub scopes: String,
    pub token: String,
}

/// Where the assets are served; the version is in the path, so they can be cached for good.
pub(super) const ASSETS: &str = "/graphiql/3.8.2";

/// The vendored files: name, media type, content.
const FILES: [(&str, &str, &[u8]); 6] = [
    (
        "graphiql.min.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../../assets/graphiql/graphiql.min.js"),
    ),
    (
        "graphiql.min.css",
        "text/css; charset=utf-8",
        include_bytes!("../../assets/graphiql/graphiql.min.css"),
    ),
    (
        "react.production.min.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../../assets/graphiql/react.production.min.js"),
    ),
    (
        "react-dom.production.min.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../../assets/graphiql/react-dom.production.min.js"),
    ),
    (
        "graphql-ws.min.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../../assets/graphiql/graphql-ws.min.js"),
    ),
    (
        "xinyong.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../../assets/graphiql/xinyong.js"),
    ),
];

/// Scripts and styles from this origin only; the page's own WebSocket; GraphiQL's fonts are data
/// URLs and its editor sets inline styles.
const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; font-src data:; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/// A browser asking for the page, not a query.
pub(super) fn wants_graphiql(ctx: &guard::GuardContext<'_>) -> bool {
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

pub(super) async fn graphiql(state: web::Data<super::AppState>) -> HttpResponse {
    // JSON inside a <script> element: `<` escaped, so no text can close the element early.
    let tokens = serde_json::to_string(&state.demo_tokens)
        .unwrap_or_else(|_| "[]".to_owned())
        .replace('<', "\\u003c");
    let page = format!(
        r#"<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>信用 Xinyong GraphiQL</title>
<link rel="stylesheet" href="{ASSETS}/graphiql.min.css">
<style>
body {{ margin: 0; height: 100vh; display: flex; flex-direction: column; font-family: system-ui, sans-serif; }}
#tokens {{ padding: 4px 8px; font-size: 13px; border-bottom: 1px solid #ddd; }}
#tokens:empty {{ display: none; }}
#tokens button {{ margin: 2px; }}
#tokens button[aria-pressed="true"] {{ font-weight: bold; }}
#graphiql {{ flex: 1; min-height: 0; }}
</style>
</head>
<body>
<div id="tokens"></div>
<div id="graphiql">载入中… (loading)</div>
<script id="demo-tokens" type="application/json">{tokens}</script>
<script src="{ASSETS}/react.production.min.js"></script>
<script src="{ASSETS}/react-dom.production.min.js"></script>
<script src="{ASSETS}/graphql-ws.min.js"></script>
<script src="{ASSETS}/graphiql.min.js"></script>
<script src="{ASSETS}/xinyong.js"></script>
</body>
</html>
"#
    );
    HttpResponse::Ok()
        .insert_header((header::CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .content_type("text/html; charset=utf-8")
        .body(page)
}

/// One file. A vendored one is cached for a year, since its path names its version; the page's
/// own script is checked each time, since it changes with the server.
pub(super) async fn asset(name: web::Path<String>) -> HttpResponse {
    let cache = if name.as_str() == "xinyong.js" {
        "no-cache"
    } else {
        "public, max-age=31536000, immutable"
    };
    match FILES.iter().find(|(n, _, _)| *n == name.as_str()) {
        Some((_, media_type, content)) => HttpResponse::Ok()
            .insert_header((header::CACHE_CONTROL, cache))
            .content_type(*media_type)
            .body(*content),
        None => HttpResponse::NotFound().finish(),
    }
}
