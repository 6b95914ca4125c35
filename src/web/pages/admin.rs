//! Administration (administrators only): people's accounts, API tokens, the registry's letterhead
//! and the audit log with filters.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use crate::api::state::AppState;
use crate::model::{AuditEntry, RegistrySettingsData, TokenInfo};
use crate::service::accounts::{self, UserInfo};
use crate::service::{PageRequest, Role, ServiceError, admin, settings};
use crate::web::session::{SignedIn, Submitted};
use crate::web::{Nav, WebError, db, given, render, see_other};

#[derive(Template)]
#[template(path = "admin.html", config = "src/web/askama.toml")]
struct AdminPage {
    nav: Nav,
    users: Vec<UserInfo>,
    tokens: Vec<TokenInfo>,
    letterhead: RegistrySettingsData,
    audit: Vec<AuditEntry>,
    filter: AuditFilter,
    notice: Option<String>,
    problems: Vec<(String, String)>,
    /// A token just made: shown once.
    new_token: Option<String>,
}

#[derive(Clone, Default, Deserialize)]
pub struct AuditFilter {
    #[serde(default)]
    entity: String,
    #[serde(default)]
    entity_id: String,
}

struct Shown {
    notice: Option<String>,
    problems: Vec<(String, String)>,
    new_token: Option<String>,
    status: StatusCode,
}

impl Shown {
    fn ok() -> Self {
        Self { notice: None, problems: vec![], new_token: None, status: StatusCode::OK }
    }
}

/// The page again with what was refused, nothing written (422).
async fn refused(
    state: &AppState,
    signed: &SignedIn,
    problems: Vec<(String, String)>,
) -> Result<HttpResponse, WebError> {
    let shown = Shown { problems, status: StatusCode::UNPROCESSABLE_ENTITY, ..Shown::ok() };
    show(state, signed, AuditFilter::default(), shown).await
}

async fn show(
    state: &AppState,
    signed: &SignedIn,
    filter: AuditFilter,
    shown: Shown,
) -> Result<HttpResponse, WebError> {
    if !signed.is_admin() {
        return Err(WebError::Forbidden);
    }
    let (actor, seed) = (signed.actor.clone(), state.followup.registry.clone());
    let f = filter.clone();
    let (users, tokens, letterhead, audit) = db(state, move |c| {
        let page = PageRequest { cursor: None, limit: Some(100) };
        let users = accounts::list_users(c, &actor)?;
        let tokens = admin::list_tokens(c, &actor)?;
        let letterhead = settings::get(c, &actor, &seed)?;
        let (entity, id) = (given(&f.entity), given(&f.entity_id));
        let audit = admin::list_audit(c, &actor, entity.as_deref(), id.as_deref(), &page)?.items;
        Ok((users, tokens, letterhead, audit))
    })
    .await?;
    let page = AdminPage {
        nav: Nav::new(signed, "admin"),
        users,
        tokens,
        letterhead,
        audit,
        filter,
        notice: shown.notice,
        problems: shown.problems,
        new_token: shown.new_token,
    };
    Ok(render(shown.status, &page))
}

#[derive(Deserialize)]
pub struct Done {
    #[serde(default)]
    done: Option<String>,
    #[serde(flatten)]
    filter: AuditFilter,
}

pub async fn page(
    state: web::Data<AppState>,
    signed: SignedIn,
    q: web::Query<Done>,
) -> Result<HttpResponse, WebError> {
    let q = q.into_inner();
    let notice = match q.done.as_deref() {
        Some("user") => {
            Some("The account is made. Give its user its password in person.".to_string())
        }
        Some("revoked") => {
            Some("The token is revoked: it stops working within 10 seconds.".to_string())
        }
        Some("letterhead") => {
            Some("The letterhead is saved; letters made from now on use it.".to_string())
        }
        _ => None,
    };
    show(&state, &signed, q.filter, Shown { notice, ..Shown::ok() }).await
}

fn role(raw: &str) -> Result<Role, Vec<(String, String)>> {
    Role::parse(raw)
        .ok_or_else(|| vec![("Role".into(), "choose admin, registrar or viewer".into())])
}

#[derive(Deserialize)]
pub struct NewUser {
    #[serde(default)]
    name: String,
    #[serde(default)]
    role: String,
    #[serde(default)]
    password: String,
}

pub async fn create_user(
    state: web::Data<AppState>,
    sent: Submitted<NewUser>,
) -> Result<HttpResponse, WebError> {
    let Submitted { signed, form } = sent;
    let role = match role(&form.role) {
        Ok(r) => r,
        Err(problems) => return refused(&state, &signed, problems).await,
    };
    let actor = signed.actor.clone();
    let made = db(&state, move |c| {
        accounts::create_user(
            c,
            &actor,
            &form.name,
            role,
            &form.password,
            crate::web::session::now(),
        )
    })
    .await;
    let problems = match made {
        Ok(_) => return see_other("/admin?done=user"),
        Err(ServiceError::Invalid(v)) => v.into_iter().map(|v| (v.field, v.message)).collect(),
        Err(ServiceError::Conflict { message, .. }) => vec![("name".into(), message)],
        Err(e) => return Err(e.into()),
    };
    refused(&state, &signed, problems).await
}

#[derive(Deserialize)]
pub struct NewToken {
    #[serde(default)]
    name: String,
    #[serde(default)]
    role: String,
}

pub async fn create_token(
    state: web::Data<AppState>,
    sent: Submitted<NewToken>,
) -> Result<HttpResponse, WebError> {
    let Submitted { signed, form } = sent;
    let name = form.name.trim().to_string();
    let problems = match role(&form.role) {
        Err(p) => p,
        Ok(_) if name.is_empty() || name.len() > 100 => {
            vec![("Name".into(), "a token's name has 1 to 100 characters".into())]
        }
        Ok(role) => {
            let actor = signed.actor.clone();
            let made = db(&state, move |c| admin::create_token(c, &actor, &name, role)).await?;
            let shown = Shown { new_token: Some(made.token), ..Shown::ok() };
            return show(&state, &signed, AuditFilter::default(), shown).await;
        }
    };
    refused(&state, &signed, problems).await
}

#[derive(Deserialize)]
pub struct Empty {}

pub async fn revoke_token(
    state: web::Data<AppState>,
    path: web::Path<String>,
    sent: Submitted<Empty>,
) -> Result<HttpResponse, WebError> {
    let (actor, id) = (sent.signed.actor.clone(), path.into_inner());
    db(&state, move |c| admin::revoke_token(c, &actor, &id)).await?;
    state.forget_tokens();
    see_other("/admin?done=revoked")
}

#[derive(Deserialize)]
pub struct LetterheadForm {
    version: i32,
    #[serde(default)]
    name: String,
    #[serde(default)]
    address: String,
    #[serde(default)]
    phone: String,
    #[serde(default)]
    signer_name: String,
    #[serde(default)]
    signer_title: String,
}

pub async fn save_letterhead(
    state: web::Data<AppState>,
    sent: Submitted<LetterheadForm>,
) -> Result<HttpResponse, WebError> {
    let Submitted { signed, form } = sent;
    let (actor, seed) = (signed.actor.clone(), state.followup.registry.clone());
    let version = form.version;
    let saved = db(&state, move |c| {
        let mut data = settings::get(c, &actor, &seed)?;
        data.name = form.name.trim().to_string();
        data.address = form
            .address
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(String::from)
            .collect();
        data.phone = form.phone.trim().to_string();
        data.signer_name = given(&form.signer_name);
        data.signer_title = given(&form.signer_title);
        settings::put(c, &actor, &seed, version, &data)
    })
    .await;
    let problems = match saved {
        Ok(_) => return see_other("/admin?done=letterhead"),
        Err(ServiceError::Invalid(v)) => v.into_iter().map(|v| (v.field, v.message)).collect(),
        Err(ServiceError::VersionMismatch { .. }) => vec![(
            "letterhead".into(),
            "another administrator saved the letterhead first: check it below and save again"
                .into(),
        )],
        Err(e) => return Err(e.into()),
    };
    refused(&state, &signed, problems).await
}
