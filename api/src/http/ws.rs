//! Subscriptions over WebSocket.

use super::{AppState, RequestId};
use crate::context::RequestContext;
use crate::error::{ApiError, ErrorCode};
use crate::graphql::loaders::loaders;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpMessage, HttpRequest, HttpResponse, web};

/// How long a WebSocket client has to send `connection_init` (graphql-transport-ws closes with 4408).
const WS_INIT_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

/// Subscriptions over WebSocket (graphql-transport-ws, or the older graphql-ws). The token comes in
/// `connection_init`: `{"Authorization": "Bearer …"}` (or `{"token": "…"}`). A refused one closes
/// the connection with 4403, as graphql-transport-ws asks (async-graphql's own handler says 1002,
/// which a client reads as its own protocol error), and so does a connection that never says
/// `connection_init` in time, with 4408.
pub(super) async fn graphql_ws(
    state: web::Data<AppState>,
    http: HttpRequest,
    payload: web::Payload,
) -> actix_web::Result<HttpResponse> {
    use async_graphql::http::{WebSocket, WebSocketProtocols as Protocols, WsMessage};
    use futures_util::StreamExt;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, Ordering};

    if !state.origins.allows_upgrade(http.headers()) {
        let error = ApiError::new(
            ErrorCode::Forbidden,
            "该网页来源未获允许打开订阅连接 (this origin may not open the WebSocket)",
        );
        return Ok(super::answer::refusal(
            super::answer::media_type(http.headers()),
            HttpResponse::Forbidden(),
            error,
        ));
    }
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
    let metrics = state.services.metrics.clone();
    actix_web::rt::spawn(async move {
        let _open = metrics.subscription_opened();
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
