//! The GraphiQL page for browsers.

use actix_web::http::header;
use actix_web::{HttpResponse, guard};
use async_graphql::http::GraphiQLSource;

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

pub(super) async fn graphiql() -> HttpResponse {
    let page = GraphiQLSource::build()
        .endpoint("/graphql")
        .title("信用 Xinyong GraphiQL")
        .finish();
    HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .body(page)
}

