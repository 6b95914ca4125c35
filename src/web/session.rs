//! Who is signed in to the pages: the session cookie, its CSRF token, and the two extractors every
//! page handler takes: `SignedIn` (a page read) and `Submitted<T>` (a form post, CSRF-checked).
//! Sessions run on the wall clock (the registry's "today" may be fixed; idleness is real time).

use std::future::Future;
use std::pin::Pin;

use actix_web::cookie::{Cookie, SameSite};
use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpMessage, HttpRequest, web};
use serde::de::DeserializeOwned;

use super::error::WebError;
use crate::api::extract::RequestAudit;
use crate::api::state::AppState;
use crate::service::{self, Actor, Role, accounts};

/// The cookie that carries a session's secret (only its SHA-256 is stored).
pub const COOKIE: &str = "oncoreg_session";

pub fn now() -> chrono::NaiveDateTime {
    chrono::Utc::now().naive_utc()
}

/// A person signed in: who acts (with the request's audit sink), and the CSRF token forms carry.
#[derive(Clone)]
pub struct SignedIn {
    pub actor: Actor,
    pub user_id: String,
    pub csrf: String,
}

impl SignedIn {
    pub fn can_write(&self) -> bool {
        self.actor.role >= Role::Registrar
    }

    pub fn is_admin(&self) -> bool {
        self.actor.role >= Role::Admin
    }
}

pub(super) fn state(req: &HttpRequest) -> Result<web::Data<AppState>, WebError> {
    req.app_data::<web::Data<AppState>>().cloned().ok_or(WebError::Internal)
}

/// The session cookie for a secret: HttpOnly, SameSite=Strict, and Secure when the request came
/// over TLS (directly, or through a proxy that says so in X-Forwarded-Proto / Forwarded).
pub fn cookie(req: &HttpRequest, secret: &str) -> Cookie<'static> {
    strict_cookie(req, COOKIE, secret, "/")
}

/// An HttpOnly, SameSite=Strict cookie for `path`, Secure when the request came over TLS.
pub fn strict_cookie(
    req: &HttpRequest,
    name: &'static str,
    value: &str,
    path: &'static str,
) -> Cookie<'static> {
    let secure = req.connection_info().scheme() == "https";
    Cookie::build(name, value.to_string())
        .path(path)
        .http_only(true)
        .same_site(SameSite::Strict)
        .secure(secure)
        .finish()
}

/// A cookie that removes the session cookie.
pub fn removal(req: &HttpRequest) -> Cookie<'static> {
    let mut c = cookie(req, "");
    c.make_removal();
    c
}

async fn open(req: HttpRequest) -> Result<SignedIn, WebError> {
    let secret = req.cookie(COOKIE).map(|c| c.value().to_string()).filter(|s| !s.is_empty());
    let Some(secret) = secret else { return Err(WebError::SignIn) };
    let state = state(&req)?;
    let idle = state.settings.http.session_idle.duration();
    let session = state
        .db(move |c| accounts::session(c, &secret, now(), idle))
        .await
        .map_err(|_| WebError::Unavailable)?
        .ok_or(WebError::SignIn)?;
    let mut actor = session.actor;
    if let Some(audit) = req.extensions().get::<RequestAudit>().cloned() {
        actor.audit = Some(audit.sink.clone());
        audit.set_actor(&actor);
    }
    Ok(SignedIn { actor, user_id: session.user_id, csrf: session.csrf_token })
}

impl FromRequest for SignedIn {
    type Error = WebError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, WebError>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        Box::pin(open(req.clone()))
    }
}

/// A form post from a signed-in person, read as `T` once its `csrf` field matched the session's.
pub struct Submitted<T> {
    pub signed: SignedIn,
    pub form: T,
}

#[derive(serde::Deserialize)]
struct CsrfField {
    #[serde(default)]
    csrf: String,
}

/// Compares in time independent of where the strings differ.
fn same(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Checks a CSRF token sent with a form against the session's.
pub fn check_csrf(signed: &SignedIn, sent: &str) -> Result<(), WebError> {
    if !sent.is_empty() && same(sent, &signed.csrf) { Ok(()) } else { Err(WebError::Csrf) }
}

impl<T: DeserializeOwned + 'static> FromRequest for Submitted<T> {
    type Error = WebError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, WebError>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let limit = state(req).map(|s| s.settings.http.body_limit).unwrap_or(1 << 20);
        let body = web::Bytes::from_request(req, payload);
        let req = req.clone();
        Box::pin(async move {
            let signed = open(req).await?;
            let body = body.await.map_err(|_| WebError::BadForm(limit))?;
            let sent: CsrfField =
                serde_urlencoded::from_bytes(&body).map_err(|_| WebError::Csrf)?;
            check_csrf(&signed, &sent.csrf)?;
            let form = serde_urlencoded::from_bytes(&body).map_err(|_| WebError::BadForm(limit))?;
            Ok(Submitted { signed, form })
        })
    }
}

/// Ends a session by its cookie (sign-out); nothing to do without one.
pub async fn end(req: &HttpRequest) -> Result<(), WebError> {
    let Some(secret) = req.cookie(COOKIE).map(|c| c.value().to_string()) else { return Ok(()) };
    let state = state(req)?;
    state
        .db(move |c| service::accounts::sign_out(c, &secret, now()))
        .await
        .map_err(|_| WebError::Unavailable)
}
