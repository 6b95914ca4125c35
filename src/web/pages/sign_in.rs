//! Sign-in and sign-out. The sign-in form is protected from cross-site posts by a double-submit
//! token: a random value in a SameSite=Strict cookie that the form must repeat.

use actix_web::cookie::Cookie;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use rand::RngCore;
use serde::Deserialize;

use crate::api::state::AppState;
use crate::service::accounts::{self, Refusal, SignIn};
use crate::web::session::{self, Submitted};
use crate::web::{WebError, db, render};

const FORM_COOKIE: &str = "oncoreg_sign_in";

#[derive(Template)]
#[template(path = "sign_in.html", config = "src/web/askama.toml")]
struct SignInPage {
    name: String,
    csrf: String,
    problem: Option<String>,
    signed_out: bool,
}

fn form_cookie(req: &HttpRequest, value: &str) -> Cookie<'static> {
    session::strict_cookie(req, FORM_COOKIE, value, "/sign-in")
}

fn show(
    req: &HttpRequest,
    status: StatusCode,
    name: String,
    problem: Option<String>,
    signed_out: bool,
) -> HttpResponse {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    let csrf = hex::encode(bytes);
    let mut res = render(status, &SignInPage { name, csrf: csrf.clone(), problem, signed_out });
    let _ = res.add_cookie(&form_cookie(req, &csrf));
    res
}

#[derive(Deserialize)]
pub struct Query {
    #[serde(default)]
    out: Option<String>,
}

pub async fn form(req: HttpRequest, q: web::Query<Query>) -> HttpResponse {
    show(&req, StatusCode::OK, String::new(), None, q.out.is_some())
}

#[derive(Deserialize)]
pub struct SignInForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    csrf: String,
}

pub async fn submit(
    req: HttpRequest,
    state: web::Data<AppState>,
    form: web::Form<SignInForm>,
) -> Result<HttpResponse, WebError> {
    let form = form.into_inner();
    let expected = req.cookie(FORM_COOKIE).map(|c| c.value().to_string()).unwrap_or_default();
    if expected.is_empty() || expected != form.csrf {
        return Err(WebError::Csrf);
    }
    let (name, password) = (form.name.clone(), form.password);
    let outcome =
        db(&state, move |c| match accounts::sign_in(c, &name, &password, session::now())? {
            SignIn::Signed { user_id, .. } => {
                let (secret, _) = accounts::start_session(c, &user_id, session::now())?;
                Ok(Ok(secret))
            }
            SignIn::Refused(r) => Ok(Err(r)),
        })
        .await?;
    match outcome {
        Ok(secret) => {
            let mut res = HttpResponse::SeeOther().insert_header(("Location", "/")).finish();
            let _ = res.add_cookie(&session::cookie(&req, &secret));
            let mut used = form_cookie(&req, "");
            used.make_removal();
            let _ = res.add_cookie(&used);
            Ok(res)
        }
        Err(Refusal::WrongNameOrPassword) => Ok(show(
            &req,
            StatusCode::UNAUTHORIZED,
            form.name,
            Some("The user name or the password is wrong. Check both and try again.".into()),
            false,
        )),
        Err(Refusal::Locked { until }) => Ok(show(
            &req,
            StatusCode::LOCKED,
            form.name,
            Some(format!(
                "Too many failed sign-ins: this account is locked until {} UTC. Wait, or ask an \
                 administrator.",
                until.format("%H:%M")
            )),
            false,
        )),
    }
}

#[derive(Deserialize)]
pub struct SignOutForm {}

pub async fn sign_out(
    req: HttpRequest,
    _form: Submitted<SignOutForm>,
) -> Result<HttpResponse, WebError> {
    session::end(&req).await?;
    let mut res = HttpResponse::SeeOther().insert_header(("Location", "/sign-in?out=1")).finish();
    let _ = res.add_cookie(&session::removal(&req));
    Ok(res)
}
