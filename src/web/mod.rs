//! The registrar's workbench: pages rendered by the binary from askama templates (checked against
//! their data at compile time), one file per screen in `pages/`, on the same services as the API
//! (one validation path, one audit trail). People sign in with a session cookie; every form carries
//! the session's CSRF token; every page gets a strict Content-Security-Policy (no inline script).

mod error;
mod pages;
pub mod session;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpResponse, web};
use askama::Template;

pub use error::WebError;
use session::SignedIn;

use crate::api::state::AppState;
use crate::service;

/// Same origin only: scripts and styles from `/static/`, no inline script or style, no framing.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; script-src 'self'; \
     style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; \
     frame-ancestors 'none'; base-uri 'none'";

const HTMX: &[u8] = include_bytes!("static/htmx-2.0.11.min.js");
const STYLESHEET: &[u8] = include_bytes!("static/oncoreg.css");

/// The navigation bar of every signed-in page: who, which section is open, and the token its
/// sign-out form carries.
pub struct Nav {
    pub user: String,
    pub role: &'static str,
    pub section: &'static str,
    pub csrf: String,
    pub can_write: bool,
    pub is_admin: bool,
}

impl Nav {
    pub fn new(signed: &SignedIn, section: &'static str) -> Self {
        Self {
            user: signed.actor.name.clone(),
            role: signed.actor.role.as_str(),
            section,
            csrf: signed.csrf.clone(),
            can_write: signed.can_write(),
            is_admin: signed.is_admin(),
        }
    }

    /// The sections, in the bar's order: (address, label, whether it is the one open).
    pub fn links(&self) -> Vec<(&'static str, &'static str, bool)> {
        let mut links = vec![
            ("/", "Home", "home"),
            ("/patients", "Patients", "patients"),
            ("/worklist", "Follow-up", "worklist"),
            ("/edits-review", "Edits", "edits"),
            ("/primaries", "Primaries", "primaries"),
            ("/submissions", "Submissions", "submissions"),
            ("/imports", "Imports", "imports"),
            ("/reports", "Reports", "reports"),
        ];
        if self.is_admin {
            links.push(("/admin", "Administration", "admin"));
        }
        links.into_iter().map(|(href, label, key)| (href, label, key == self.section)).collect()
    }
}

/// A form field as a value: trimmed, and `None` when empty.
pub(crate) fn given(s: &str) -> Option<String> {
    Some(s.trim().to_string()).filter(|s| !s.is_empty())
}

/// Renders a page with its status.
pub(crate) fn render(status: StatusCode, page: &impl Template) -> HttpResponse {
    match page.render() {
        Ok(html) => HttpResponse::build(status).content_type("text/html; charset=utf-8").body(html),
        Err(e) => {
            tracing::error!(error = %e, "page template failed");
            HttpResponse::InternalServerError().content_type("text/plain").body("page failed")
        }
    }
}

pub(crate) fn page(page: &impl Template) -> Result<HttpResponse, WebError> {
    Ok(render(StatusCode::OK, page))
}

/// After a form that changed something: back to a page (POST, redirect, GET).
pub(crate) fn see_other(location: &str) -> Result<HttpResponse, WebError> {
    Ok(HttpResponse::SeeOther().insert_header((header::LOCATION, location.to_string())).finish())
}

/// Runs service work on the blocking pool with a pooled connection.
pub(crate) async fn db<T, F>(state: &AppState, f: F) -> Result<T, service::ServiceError>
where
    F: FnOnce(&mut service::Conn) -> service::Result<T> + Send + 'static,
    T: Send + 'static,
{
    let store = state.store.clone();
    web::block(move || store.run(f)).await.map_err(|_| service::ServiceError::Worker)?
}

fn asset(body: &'static [u8], content_type: &'static str) -> HttpResponse {
    HttpResponse::Ok()
        .content_type(content_type)
        // The file names carry their version (htmx) or change with a release (the stylesheet).
        .insert_header((header::CACHE_CONTROL, "public, max-age=3600"))
        .body(body)
}

async fn htmx() -> HttpResponse {
    asset(HTMX, "text/javascript; charset=utf-8")
}

async fn stylesheet() -> HttpResponse {
    asset(STYLESHEET, "text/css; charset=utf-8")
}

/// The pages' routes.
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/static/htmx-2.0.11.min.js", web::get().to(htmx))
        .route("/static/oncoreg.css", web::get().to(stylesheet));
    pages::routes(cfg);
}

/// Every answer gets `X-Frame-Options: DENY` and `nosniff`; every page (HTML) the
/// Content-Security-Policy and no referrer. Swagger UI (`/docs`) keeps its own.
pub async fn security_headers(
    req: ServiceRequest,
    next: actix_web::middleware::Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<actix_web::body::BoxBody>, actix_web::Error> {
    let docs = req.path().starts_with("/docs");
    let mut res = next.call(req).await?.map_into_boxed_body();
    let headers = res.headers_mut();
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    let html = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    if html && !docs {
        headers.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(CONTENT_SECURITY_POLICY),
        );
        headers.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    }
    Ok(res)
}
