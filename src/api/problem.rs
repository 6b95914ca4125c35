//! RFC 9457 problem details: every error the API returns, mapped once from the layers below.

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;
use utoipa::ToSchema;

use crate::domain::Violation;
use crate::service::ServiceError;

/// The media type of an RFC 7396 merge patch.
pub const MERGE_PATCH: &str = "application/merge-patch+json";

/// One failed rule on one field.
#[derive(Clone, Debug, Default, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct FieldError {
    /// The JSON field (NAACCR id where one exists), header or query parameter.
    pub field: String,
    /// A stable rule name, e.g. `code.unknown`, `date.beforeBirth`, `json.syntax`, `edit.<id>`.
    pub rule: String,
    pub message: String,
    /// For a failed edit: its id (see `GET /api/v1/edits`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub edit_id: Option<String>,
    /// For a failed edit: error or review.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub severity: Option<String>,
    /// For a failed edit: every item it involves.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fields: Option<Vec<String>>,
    /// For a review finding: the NAACCR override flag that accepts it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub override_flag: Option<String>,
    /// For a failed edit: the tumor it concerns.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tumor_id: Option<String>,
}

impl FieldError {
    pub fn new(
        field: impl Into<String>,
        rule: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        Self { field: field.into(), rule: rule.into(), message: message.into(), ..Self::default() }
    }
}

impl From<Violation> for FieldError {
    fn from(v: Violation) -> Self {
        Self::new(v.field, v.rule, v.message)
    }
}

/// An `application/problem+json` body (RFC 9457).
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Problem {
    #[serde(rename = "type")]
    pub type_: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
    /// Each field and rule that failed; empty when the problem is not about fields.
    pub errors: Vec<FieldError>,
}

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("the request is malformed")]
    BadRequest(Vec<FieldError>),
    #[error("a valid bearer token is required")]
    Unauthorized,
    #[error("this action needs the {0} role")]
    Forbidden(&'static str),
    #[error("{0} not found")]
    NotFound(&'static str),
    #[error("method not allowed")]
    MethodNotAllowed(Vec<&'static str>),
    #[error("{message}")]
    Conflict { field: &'static str, rule: &'static str, message: String },
    #[error("the record was changed since you read it")]
    PreconditionFailed { current: i32 },
    #[error("send the record's version in If-Match")]
    PreconditionRequired,
    #[error("the body is larger than {0} bytes")]
    PayloadTooLarge(usize),
    #[error("the body must be {}", .0.join(" or "))]
    UnsupportedMediaType(&'static [&'static str]),
    #[error("the record is not valid")]
    Invalid(Vec<FieldError>),
    #[error("the service is busy, try again")]
    Unavailable,
    #[error("internal error")]
    Internal(String),
}

impl ApiError {
    pub fn bad_request(field: impl Into<String>, rule: &str, message: impl Into<String>) -> Self {
        Self::BadRequest(vec![FieldError {
            field: field.into(),
            rule: rule.into(),
            message: message.into(),
            ..FieldError::default()
        }])
    }

    fn slug(&self) -> &'static str {
        match self {
            Self::BadRequest(_) => "bad-request",
            Self::Unauthorized => "unauthorized",
            Self::Forbidden(_) => "forbidden",
            Self::NotFound(_) => "not-found",
            Self::MethodNotAllowed(_) => "method-not-allowed",
            Self::Conflict { .. } => "conflict",
            Self::PreconditionFailed { .. } => "stale-version",
            Self::PreconditionRequired => "version-required",
            Self::PayloadTooLarge(_) => "payload-too-large",
            Self::UnsupportedMediaType(_) => "unsupported-media-type",
            Self::Invalid(_) => "invalid-record",
            Self::Unavailable => "unavailable",
            Self::Internal(_) => "internal",
        }
    }

    pub fn problem(&self) -> Problem {
        let status = self.status_code();
        let errors = match self {
            Self::BadRequest(e) | Self::Invalid(e) => e.clone(),
            Self::Conflict { field, rule, message } => {
                vec![FieldError {
                    field: (*field).to_string(),
                    rule: (*rule).into(),
                    message: message.clone(),
                    ..FieldError::default()
                }]
            }
            Self::PreconditionFailed { .. } | Self::PreconditionRequired => {
                vec![FieldError::new("If-Match", "version", self.to_string())]
            }
            Self::UnsupportedMediaType(_) => {
                vec![FieldError::new("Content-Type", "mediaType.unsupported", self.to_string())]
            }
            _ => vec![],
        };
        let detail = match self {
            Self::PreconditionFailed { current } => {
                format!(
                    "the record was changed since you read it; the current version is {current}"
                )
            }
            Self::Internal(_) => "an unexpected error occurred; it has been logged".to_string(),
            other => other.to_string(),
        };
        Problem {
            type_: format!("urn:oncoreg:problem:{}", self.slug()),
            title: status.canonical_reason().unwrap_or("Error").to_string(),
            status: status.as_u16(),
            detail,
            errors,
        }
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        match self {
            Self::BadRequest(_) => StatusCode::BAD_REQUEST,
            Self::Unauthorized => StatusCode::UNAUTHORIZED,
            Self::Forbidden(_) => StatusCode::FORBIDDEN,
            Self::NotFound(_) => StatusCode::NOT_FOUND,
            Self::MethodNotAllowed(_) => StatusCode::METHOD_NOT_ALLOWED,
            Self::Conflict { .. } => StatusCode::CONFLICT,
            Self::PreconditionFailed { .. } => StatusCode::PRECONDITION_FAILED,
            Self::PreconditionRequired => StatusCode::PRECONDITION_REQUIRED,
            Self::PayloadTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            Self::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Self::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
            Self::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        if let Self::Internal(cause) = self {
            // Causes name ids and database errors, never record contents.
            tracing::error!(cause = %cause, "request failed");
        }
        let mut res = HttpResponse::build(self.status_code());
        res.insert_header((
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        ));
        match self {
            Self::Unauthorized => {
                res.insert_header((header::WWW_AUTHENTICATE, "Bearer"));
            }
            Self::MethodNotAllowed(allow) => {
                res.insert_header((header::ALLOW, allow.join(", ")));
            }
            // RFC 5789: a PATCH refused for its media type names the ones it takes.
            Self::UnsupportedMediaType(types) if types.contains(&MERGE_PATCH) => {
                res.insert_header(("Accept-Patch", types.join(", ")));
            }
            Self::Unavailable => {
                res.insert_header((header::RETRY_AFTER, "1"));
            }
            _ => {}
        }
        res.json(self.problem())
    }
}

/// A problem body for an error answer that a part outside the handlers gave without one (the
/// Swagger UI's file service, say).
pub fn bare_status(status: StatusCode) -> HttpResponse {
    if status == StatusCode::NOT_FOUND {
        return ApiError::NotFound("resource").error_response();
    }
    let title = status.canonical_reason().unwrap_or("Error");
    HttpResponse::build(status)
        .insert_header((header::CONTENT_TYPE, HeaderValue::from_static("application/problem+json")))
        .json(Problem {
            type_: format!("urn:oncoreg:problem:http-{}", status.as_u16()),
            title: title.to_string(),
            status: status.as_u16(),
            detail: title.to_lowercase(),
            errors: vec![],
        })
}

impl From<ServiceError> for ApiError {
    fn from(e: ServiceError) -> Self {
        match e {
            ServiceError::Invalid(v) => {
                Self::Invalid(v.into_iter().map(FieldError::from).collect())
            }
            ServiceError::NotFound(what) => Self::NotFound(what),
            ServiceError::Conflict { field, rule, message } => {
                Self::Conflict { field, rule, message }
            }
            ServiceError::BadRequest(v) => {
                Self::BadRequest(v.into_iter().map(FieldError::from).collect())
            }
            ServiceError::VersionMismatch { current } => Self::PreconditionFailed { current },
            ServiceError::Forbidden(role) => Self::Forbidden(role),
            ServiceError::BadCursor => Self::bad_request(
                "cursor",
                "cursor.invalid",
                "the cursor is not one this service issued",
            ),
            ServiceError::Worker => Self::Internal("a worker thread failed".into()),
            e if e.is_unavailable() => Self::Unavailable,
            ServiceError::AuditUnavailable => Self::Unavailable,
            ServiceError::Db(e) => Self::Internal(e.to_string()),
            ServiceError::File(e) => Self::Internal(e),
            ServiceError::Refused(reason) => {
                Self::Invalid(vec![FieldError::new("body", "file.refused", reason)])
            }
        }
    }
}
