//! Request extractors: the bearer token, a JSON body with clear errors, and the If-Match version.

use std::future::Future;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::error::PayloadError;
use actix_web::http::header;
use actix_web::{FromRequest, HttpMessage, HttpRequest, web};
use serde::de::DeserializeOwned;

use super::problem::{ApiError, FieldError, MERGE_PATCH};
use super::state::AppState;
use crate::service::Actor;

fn state(req: &HttpRequest) -> Result<web::Data<AppState>, ApiError> {
    req.app_data::<web::Data<AppState>>()
        .cloned()
        .ok_or_else(|| ApiError::Internal("application state missing".into()))
}

/// The audit event a request is building: who acts (once authenticated) and what the services
/// noted. Put in the request's extensions by the audit middleware.
#[derive(Clone, Default)]
pub struct RequestAudit {
    pub sink: crate::service::audit::AuditSink,
    actor: std::sync::Arc<std::sync::Mutex<Option<Actor>>>,
}

impl RequestAudit {
    pub fn set_actor(&self, actor: &Actor) {
        if let Ok(mut a) = self.actor.lock() {
            *a = Some(Actor { audit: None, ..actor.clone() });
        }
    }

    /// The authenticated actor, if the request got that far.
    pub fn actor(&self) -> Option<Actor> {
        self.actor.lock().ok().and_then(|a| a.clone())
    }
}

/// The authenticated caller. Every endpoint with patient data takes one.
pub struct Auth(pub Actor);

impl FromRequest for Auth {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let secret = req
            .headers()
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer ").or_else(|| v.strip_prefix("bearer ")))
            .map(|s| s.trim().to_string());
        let state = state(req);
        let sink = req.extensions().get::<RequestAudit>().cloned();
        Box::pin(async move {
            let secret = secret.filter(|s| !s.is_empty()).ok_or(ApiError::Unauthorized)?;
            let state = state?;
            let mut actor = state.authenticate(secret).await?.ok_or(ApiError::Unauthorized)?;
            if let Some(request) = sink {
                actor.audit = Some(request.sink.clone());
                request.set_actor(&actor);
            }
            Ok(Auth(actor))
        })
    }
}

/// A JSON body: 415 for another content type, 413 over the limit, 400 naming the field for malformed
/// JSON or a wrong type.
pub struct JsonBody<T>(pub T);

/// serde's messages can quote the offending value; a value may be patient data, so only the shape is kept.
pub(super) fn scrub(message: &str) -> String {
    let head = message.split(" at line ").next().unwrap_or(message);
    if head.starts_with("invalid type")
        || head.starts_with("invalid value")
        || head.starts_with("invalid length")
    {
        match head.split_once(", expected ") {
            Some((kind, expected)) => {
                let kind = kind.split(':').next().unwrap_or("invalid value");
                format!("{kind}: expected {expected}")
            }
            None => "invalid value".to_string(),
        }
    } else {
        head.to_string()
    }
}

/// The media type of a request, lower case, without parameters.
fn media_type(req: &HttpRequest) -> String {
    req.headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(|m| m.trim().to_ascii_lowercase())
        .unwrap_or_default()
}

/// Reads a JSON body of an accepted media type into `T`: 415 naming the accepted types, 413 over
/// the limit, 400 naming the field for malformed JSON or a wrong type.
fn read_json<T: DeserializeOwned + 'static>(
    req: &HttpRequest,
    payload: &mut Payload,
    accepted: bool,
    types: &'static [&'static str],
) -> Pin<Box<dyn Future<Output = Result<T, ApiError>>>> {
    let limit = state(req).map(|s| s.settings.http.body_limit).unwrap_or(1 << 20);
    let bytes = web::Bytes::from_request(req, payload);
    Box::pin(async move {
        if !accepted {
            return Err(ApiError::UnsupportedMediaType(types));
        }
        let body = bytes.await.map_err(|e| match e.as_error::<PayloadError>() {
            Some(PayloadError::Overflow) => ApiError::PayloadTooLarge(limit),
            _ => ApiError::bad_request(
                "body",
                "body.unreadable",
                "the request body could not be read",
            ),
        })?;
        if body.windows(6).any(|w| w.eq_ignore_ascii_case(b"\\u0000")) {
            return Err(ApiError::Invalid(vec![FieldError::new(
                "body",
                "text.control",
                "a NUL character is not allowed",
            )]));
        }
        // serde would read a struct from an array, field by field: a body is an object.
        if body.iter().find(|b| !b.is_ascii_whitespace()).is_some_and(|b| *b == b'[') {
            return Err(ApiError::bad_request(
                "body",
                "json.type",
                "the body must be a JSON object",
            ));
        }
        let de = &mut serde_json::Deserializer::from_slice(&body);
        serde_path_to_error::deserialize(de).map_err(|e| {
            let path = e.path().to_string();
            let inner = e.into_inner();
            let rule = if inner.is_data() { "json.type" } else { "json.syntax" };
            let field = if path == "." || inner.is_syntax() || inner.is_eof() {
                "body".to_string()
            } else {
                path
            };
            let location = format!(" (line {}, column {})", inner.line(), inner.column());
            ApiError::BadRequest(vec![FieldError {
                field,
                rule: rule.to_string(),
                message: format!("{}{location}", scrub(&inner.to_string())),
                ..FieldError::default()
            }])
        })
    })
}

impl<T: DeserializeOwned + 'static> FromRequest for JsonBody<T> {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let m = media_type(req);
        let is_json =
            m == "application/json" || (m.starts_with("application/") && m.ends_with("+json"));
        let read = read_json::<T>(req, payload, is_json, &["application/json"]);
        Box::pin(async move { read.await.map(JsonBody) })
    }
}

/// An RFC 7396 merge patch (`application/merge-patch+json`): a JSON object of the fields to
/// change, `null` to remove one.
pub struct MergePatch(pub serde_json::Value);

impl FromRequest for MergePatch {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let accepted = media_type(req) == MERGE_PATCH;
        let read = read_json::<serde_json::Map<String, serde_json::Value>>(
            req,
            payload,
            accepted,
            &[MERGE_PATCH],
        );
        Box::pin(async move { read.await.map(|m| MergePatch(serde_json::Value::Object(m))) })
    }
}

/// The record version a client read, from `If-Match: "<version>"`.
pub struct IfMatch(pub i32);

impl FromRequest for IfMatch {
    type Error = ApiError;
    type Future = std::future::Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let Some(raw) = req.headers().get(header::IF_MATCH) else {
            return std::future::ready(Err(ApiError::PreconditionRequired));
        };
        let parsed = raw
            .to_str()
            .ok()
            .map(|s| s.trim())
            .map(|s| s.strip_prefix("W/").unwrap_or(s))
            // An ETag is quoted (RFC 9110); the bare number is refused as the spec's pattern says.
            .and_then(|s| s.strip_prefix('"').and_then(|s| s.strip_suffix('"')))
            .filter(|s| !s.starts_with('+') && !s.starts_with('0'))
            .and_then(|s| s.parse::<i32>().ok())
            .filter(|v| *v > 0);
        std::future::ready(parsed.map(IfMatch).ok_or_else(|| {
            ApiError::bad_request(
                "If-Match",
                "header.format",
                "If-Match must be the ETag the record was read with, e.g. \"3\"",
            )
        }))
    }
}

/// The ETag of a record version.
pub fn etag(version: i32) -> String {
    format!("\"{version}\"")
}

#[cfg(test)]
mod tests {
    use super::scrub;

    #[test]
    fn serde_messages_lose_the_value() {
        let m = scrub("invalid type: string \"Jane Doe\", expected a boolean at line 1 column 20");
        assert_eq!(m, "invalid type: expected a boolean");
        assert!(
            scrub("unknown field `foo`, expected one of `a`, `b`")
                .starts_with("unknown field `foo`")
        );
    }
}
