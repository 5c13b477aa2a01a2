//! One access-log line per request (target `xinyong::access`, JSON with the JSON log format): the
//! request id, the W3C trace id when the caller sent a `traceparent`, method, path, status and
//! duration, and for GraphQL the operation, its kind, the outcome code and who called — a
//! department's code or a partner's id, never a token or a whole citizen id.

use super::RequestId;
use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::HeaderName;
use actix_web::middleware::Next;
use actix_web::{HttpMessage, HttpResponse};
use std::time::Instant;

const TRACEPARENT: HeaderName = HeaderName::from_static("traceparent");

/// What the GraphQL handler adds to its answer for the access log.
#[derive(Debug, Clone)]
pub struct AccessNote {
    pub operation: String,
    pub kind: &'static str,
    pub code: String,
    /// `department:<code>`, `partner:<id>`, `subject`, or `public`.
    pub caller: String,
}

impl AccessNote {
    pub(super) fn attach(self, response: &mut HttpResponse) {
        response.extensions_mut().insert(self);
    }
}

/// The trace a caller's `traceparent` names (W3C Trace Context): its 32-hex-digit trace id, if the
/// header is well formed and not all zeros.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TraceId(pub String);

impl TraceId {
    pub fn from_traceparent(value: &str) -> Option<TraceId> {
        let mut parts = value.trim().split('-');
        let (version, trace, parent, flags) =
            (parts.next()?, parts.next()?, parts.next()?, parts.next()?);
        let hex = |s: &str, n: usize| {
            s.len() == n
                && s.bytes()
                    .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        };
        let zero = |s: &str| s.bytes().all(|b| b == b'0');
        let well_formed = hex(version, 2)
            && version != "ff"
            && hex(trace, 32)
            && !zero(trace)
            && hex(parent, 16)
            && !zero(parent)
            && hex(flags, 2)
            && (version != "00" || parts.next().is_none());
        well_formed.then(|| TraceId(trace.to_owned()))
    }
}

/// Middleware: times the request and logs its line when the answer is ready.
pub async fn access_log(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let started = Instant::now();
    let trace = req
        .headers()
        .get(&TRACEPARENT)
        .and_then(|v| v.to_str().ok())
        .and_then(TraceId::from_traceparent);
    if let Some(t) = &trace {
        req.extensions_mut().insert(t.clone());
    }
    let request_id = req
        .extensions()
        .get::<RequestId>()
        .map(|r| r.0.clone())
        .unwrap_or_default();
    let method = req.method().to_string();
    let path = req.path().to_owned();
    let res = next.call(req).await?;
    let note = res.response().extensions().get::<AccessNote>().cloned();
    let duration_ms = started.elapsed().as_secs_f64() * 1000.0;
    let status = res.status().as_u16();
    let trace_id = trace.map(|t| t.0);
    // A GraphQL request's fields; other routes leave them out.
    tracing::info!(
        target: "xinyong::access",
        request_id,
        trace_id,
        method,
        path,
        status,
        duration_ms,
        operation = note.as_ref().map(|n| n.operation.as_str()),
        kind = note.as_ref().map(|n| n.kind),
        code = note.as_ref().map(|n| n.code.as_str()),
        caller = note.as_ref().map(|n| n.caller.as_str()),
        "request"
    );
    Ok(res)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_well_formed_traceparent_names_a_trace() {
        let good = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
        assert_eq!(
            TraceId::from_traceparent(good),
            Some(TraceId("4bf92f3577b34da6a3ce929d0e0e4736".into()))
        );
        for bad in [
            "00-00000000000000000000000000000000-00f067aa0ba902b7-01",
            "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",
            "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",
            "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra",
            "garbage",
        ] {
            assert_eq!(TraceId::from_traceparent(bad), None, "{bad}");
        }
    }
}
