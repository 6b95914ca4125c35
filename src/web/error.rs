//! What a page answers when it cannot do what was asked: sign in again, a refusal, or a plain page
//! that says what happened and what to do. Never a record's data, never a stack trace.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};
use askama::Template;

use crate::service::ServiceError;

#[derive(Debug, thiserror::Error)]
pub enum WebError {
    /// No session, an ended one, or one idle too long.
    #[error("sign in to continue")]
    SignIn,
    /// A form without the session's CSRF token (or with another's).
    #[error("the form was not sent from this session")]
    Csrf,
    #[error("your account may not do this")]
    Forbidden,
    #[error("{0} not found")]
    NotFound(&'static str),
    /// A body that is not a form of the expected shape, or one over the limit.
    #[error("the form could not be read")]
    BadForm(usize),
    /// The records' state does not allow it (a step already taken, a duplicate).
    #[error("{0}")]
    Conflict(String),
    #[error("the registry database does not answer")]
    Unavailable,
    #[error("something went wrong on the server")]
    Internal,
}

impl From<ServiceError> for WebError {
    fn from(e: ServiceError) -> Self {
        match e {
            ServiceError::NotFound(what) => Self::NotFound(what),
            ServiceError::Forbidden(_) => Self::Forbidden,
            ServiceError::Conflict { message, .. } => Self::Conflict(message),
            ServiceError::Invalid(v) | ServiceError::BadRequest(v) => {
                Self::Conflict(v.into_iter().map(|v| v.message).collect::<Vec<_>>().join("; "))
            }
            ServiceError::VersionMismatch { .. } => Self::Conflict(
                "someone else saved this record first; open it again to see their changes".into(),
            ),
            e if e.is_unavailable() => Self::Unavailable,
            ServiceError::AuditUnavailable => Self::Unavailable,
            e => {
                tracing::error!(error = %e, "page failed");
                Self::Internal
            }
        }
    }
}

#[derive(Template)]
#[template(path = "error.html", config = "src/web/askama.toml")]
struct ErrorPage<'a> {
    status: u16,
    title: &'a str,
    message: String,
    advice: &'a str,
}

impl ResponseError for WebError {
    fn status_code(&self) -> StatusCode {
        match self {
            Self::SignIn => StatusCode::SEE_OTHER,
            Self::Csrf | Self::Forbidden => StatusCode::FORBIDDEN,
            Self::NotFound(_) => StatusCode::NOT_FOUND,
            Self::BadForm(_) => StatusCode::BAD_REQUEST,
            Self::Conflict(_) => StatusCode::CONFLICT,
            Self::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
            Self::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        if let Self::SignIn = self {
            // htmx follows HX-Redirect; a plain request the Location.
            return HttpResponse::SeeOther()
                .insert_header(("Location", "/sign-in"))
                .insert_header(("HX-Redirect", "/sign-in"))
                .finish();
        }
        let (title, advice) = match self {
            Self::Csrf => {
                ("The form has expired", "Open the page again and send the form from it.")
            }
            Self::Forbidden => (
                "Not allowed for your account",
                "Viewer accounts can read records but not change them. Ask an administrator.",
            ),
            Self::NotFound(_) => ("Not found", "It may have been deleted. Go back to the list."),
            Self::BadForm(_) => ("The form could not be read", "Go back and send the form again."),
            Self::Conflict(_) => ("Not done", "Go back, check the record, and try again."),
            Self::Unavailable => ("The registry is unavailable", "Try again in a minute."),
            _ => {
                ("Something went wrong", "Try again; if it happens again, tell your administrator.")
            }
        };
        let message = match self {
            Self::BadForm(limit) => {
                format!("The form is not what this page sends, or over {limit} bytes.")
            }
            other => other.to_string(),
        };
        let page = ErrorPage { status: self.status_code().as_u16(), title, message, advice };
        super::render(self.status_code(), &page)
    }
}
