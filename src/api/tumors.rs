//! /api/v1/tumors and /api/v1/patients/{id}/tumors

use actix_web::{HttpResponse, get, post, put, web};

use super::docs::{CreateErrors, ReadErrors, UpdateErrors};
use super::extract::{Auth, IfMatch, JsonBody};
use super::params::ListParams;
use super::patients::{created, ok_versioned};
use super::problem::ApiError;
use super::state::AppState;
use crate::model::{Page, Stamped, TumorData};
use crate::service::tumors;

type Reply = Result<HttpResponse, ApiError>;

/// List tumors across the registry, filtered by site range, histology, year, class, facility and patient.
#[utoipa::path(
    tag = "tumors", operation_id = "list_tumors",
    params(ListParams),
    responses((status = 200, body = Page<TumorData>), ReadErrors),
    security(("bearer" = []))
)]
#[get("/tumors")]
pub async fn list_tumors(
    state: web::Data<AppState>,
    Auth(actor): Auth,
    q: web::Query<ListParams>,
) -> Reply {
    let (filter, page) = q.parse()?;
    let out = state.db(move |c| tumors::list(c, &actor, None, &filter, &page)).await?;
    Ok(HttpResponse::Ok().json(out))
}

/// List one patient's tumors.
#[utoipa::path(
    tag = "tumors", operation_id = "list_patient_tumors",
    params(("id" = String, Path, description = "Patient id"), ListParams),
    responses((status = 200, body = Page<TumorData>), ReadErrors),
    security(("bearer" = []))
)]
#[get("/patients/{id}/tumors")]
pub async fn list_patient_tumors(
    state: web::Data<AppState>,
    Auth(actor): Auth,
    id: web::Path<String>,
    q: web::Query<ListParams>,
) -> Reply {
    let (filter, page) = q.parse()?;
    let out = state.db(move |c| tumors::list(c, &actor, Some(&id), &filter, &page)).await?;
    Ok(HttpResponse::Ok().json(out))
}

/// Abstract a new primary tumor for a patient.
#[utoipa::path(
    tag = "tumors", operation_id = "create_tumor",
    params(("id" = String, Path, description = "Patient id")),
    request_body = TumorData,
    responses((status = 201, body = TumorData, headers(("ETag" = String), ("Location" = String))), CreateErrors),
    security(("bearer" = []))
)]
#[post("/patients/{id}/tumors")]
pub async fn create_tumor(
    state: web::Data<AppState>,
    Auth(actor): Auth,
    id: web::Path<String>,
    body: JsonBody<TumorData>,
) -> Reply {
    let ctx = state.ctx();
    let out = state.db(move |c| tumors::create(c, &actor, &id, &body.0, ctx)).await?;
    Ok(created(format!("/api/v1/tumors/{}", out.record_id()), out.record_version(), &out))
}

/// Read a tumor.
#[utoipa::path(
    tag = "tumors", operation_id = "get_tumor",
    params(("id" = String, Path, description = "Tumor id")),
    responses((status = 200, body = TumorData, headers(("ETag" = String))), ReadErrors),
    security(("bearer" = []))
)]
#[get("/tumors/{id}")]
pub async fn get_tumor(
    state: web::Data<AppState>,
    Auth(actor): Auth,
    id: web::Path<String>,
) -> Reply {
    let rule_set = state.ctx().rule_set;
    let out = state.db(move |c| tumors::get(c, &actor, &id, rule_set)).await?;
    Ok(ok_versioned(out.record_version(), &out))
}

/// Replace a tumor's data; send the ETag of the version read in `If-Match`.
#[utoipa::path(
    tag = "tumors", operation_id = "update_tumor",
    params(
        ("id" = String, Path, description = "Tumor id"),
        ("If-Match" = String, Header, pattern = r#"^(W/)?"[1-9][0-9]{0,8}"$"#, description = "ETag of the version being replaced"),
    ),
    request_body = TumorData,
    responses((status = 200, body = TumorData, headers(("ETag" = String))), UpdateErrors),
    security(("bearer" = []))
)]
#[put("/tumors/{id}")]
pub async fn update_tumor(
    state: web::Data<AppState>,
    Auth(actor): Auth,
    id: web::Path<String>,
    IfMatch(version): IfMatch,
    body: JsonBody<TumorData>,
) -> Reply {
    let ctx = state.ctx();
    let out = state.db(move |c| tumors::update(c, &actor, &id, version, &body.0, ctx)).await?;
    Ok(ok_versioned(out.record_version(), &out))
}
