//! One log line per request, with fields an operator can filter on: method, route template (never
//! the raw path or query, which may carry names), status, duration, request id and token id. The
//! request id comes from `X-Request-Id` when it looks like one (hex and dashes: a free-text value
//! could carry a name) or is made here, and goes back in the answer.

use std::time::Instant;

use actix_web::HttpMessage;
use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::middleware::Next;

use super::extract::RequestAudit;

const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// The request id a client sent, if it is one (8 to 64 hex digits and dashes).
fn given_id(req: &ServiceRequest) -> Option<String> {
    let v = req.headers().get(&REQUEST_ID)?.to_str().ok()?.trim();
    let ok = (8..=64).contains(&v.len()) && v.bytes().all(|b| b.is_ascii_hexdigit() || b == b'-');
    ok.then(|| v.to_string())
}

pub async fn access_log(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let started = Instant::now();
    let id = given_id(&req).unwrap_or_else(|| uuid::Uuid::now_v7().simple().to_string());
    let method = req.method().to_string();
    // The layers inside answer their refusals as responses, so every request reaches this line.
    let mut res = next.call(req).await?.map_into_boxed_body();
    if let Ok(v) = HeaderValue::from_str(&id) {
        res.headers_mut().insert(REQUEST_ID, v);
    }
    let route = res.request().match_pattern().unwrap_or_else(|| "(no route)".into());
    if route == "/health" {
        return Ok(res);
    }
    let token = res
        .request()
        .extensions()
        .get::<RequestAudit>()
        .and_then(RequestAudit::actor)
        .and_then(|a| a.token_id)
        .unwrap_or_else(|| "-".into());
    tracing::info!(
        target: "oncoreg::access",
        method = %method,
        route = %route,
        status = res.status().as_u16(),
        duration_ms = started.elapsed().as_secs_f64() * 1000.0,
        request_id = %id,
        token = %token,
        "request"
    );
    Ok(res)
}
