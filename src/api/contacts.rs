//! /api/v1/patients/{id}/contacts and /api/v1/contacts/{id}

use actix_web::{HttpResponse, get, post, put, web};

use super::docs::{CreateErrors, ReadErrors, UpdateErrors};
use super::extract::{Auth, IfMatch, JsonBody};
use super::params::PageParams;
use super::patients::{created, ok_versioned};
use super::problem::ApiError;
use super::state::AppState;
use crate::model::{ContactData, Page, Stamped};
use crate::service::contacts;

type Reply = Result<HttpResponse, ApiError>;

/// List the contacts of a patient.
#[utoipa::path(
    tag = "contacts", operation_id = "list_contacts",
    params(("id" = String, Path, description = "Patient id"), PageParams),
    responses((status = 200, body = Page<ContactData>), ReadErrors),
    security(("bearer" = []))
)]
#[get("/patients/{id}/contacts")]
pub async fn list_contacts(
    state: web::Data<AppState>,
    Auth(actor): Auth,
    id: web::Path<String>,
    q: web::Query<PageParams>,
) -> Reply {
    let page = q.page()?;
    let out = state.db(move |c| contacts::list(c, &actor, &id, &page)).await?;
    Ok(HttpResponse::Ok().json(out))
}

/// Record a follow-up contact; the patient's date of last contact and vital status follow from it.
#[utoipa::path(
    tag = "contacts", operation_id = "create_contact",
    params(("id" = String, Path, description = "Patient id")),
    request_body = ContactData,
    responses((status = 201, body = ContactData, headers(("ETag" = String), ("Location" = String))), CreateErrors),
    security(("bearer" = []))
)]
#[post("/patients/{id}/contacts")]
pub async fn create_contact(
    state: web::Data<AppState>,
    Auth(actor): Auth,
    id: web::Path<String>,
    body: JsonBody<ContactData>,
) -> Reply {
    let ctx = state.ctx();
    let cfg = state.followup.clone();
    let out =
        state.db(move |c| contacts::create(c, &actor, &id, &body.0, ctx, &cfg.policy)).await?;
    Ok(created(format!("/api/v1/contacts/{}", out.record_id()), out.record_version(), &out))
}

/// Read a contact.
#[utoipa::path(
    tag = "contacts", operation_id = "get_contact",
    params(("id" = String, Path, description = "Contact id")),
    responses((status = 200, body = ContactData, headers(("ETag" = String))), ReadErrors),
    security(("bearer" = []))
)]
#[get("/contacts/{id}")]
pub async fn get_contact(
    state: web::Data<AppState>,
    Auth(actor): Auth,
    id: web::Path<String>,
) -> Reply {
    let out = state.db(move |c| contacts::get(c, &actor, &id)).await?;
    Ok(ok_versioned(out.record_version(), &out))
}

/// Replace a contact; send the ETag of the version read in `If-Match`.
#[utoipa::path(
    tag = "contacts", operation_id = "update_contact",
    params(
        ("id" = String, Path, description = "Contact id"),
        ("If-Match" = String, Header, pattern = r#"^(W/)?"[1-9][0-9]{0,8}"$"#, description = "ETag of the version being replaced"),
    ),
    request_body = ContactData,
    responses((status = 200, body = ContactData, headers(("ETag" = String))), UpdateErrors),
    security(("bearer" = []))
)]
#[put("/contacts/{id}")]
pub async fn update_contact(
    state: web::Data<AppState>,
    Auth(actor): Auth,
    id: web::Path<String>,
    IfMatch(version): IfMatch,
    body: JsonBody<ContactData>,
) -> Reply {
    let ctx = state.ctx();
    let cfg = state.followup.clone();
    let out = state
        .db(move |c| contacts::update(c, &actor, &id, version, &body.0, ctx, &cfg.policy))
        .await?;
    Ok(ok_versioned(out.record_version(), &out))
}
