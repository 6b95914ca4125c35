//! /api/v1/tumors/{id}/treatments and /api/v1/treatments/{id}

use actix_web::{HttpResponse, get, post, put, web};

use super::docs::{CreateErrors, ReadErrors, UpdateErrors};
use super::extract::{Auth, IfMatch, JsonBody};
use super::params::PageParams;
use super::patients::{created, ok_versioned};
use super::problem::ApiError;
use super::state::AppState;
use crate::model::{Page, Stamped, TreatmentData};
use crate::service::treatments;

type Reply = Result<HttpResponse, ApiError>;

/// List the treatments of a tumor.
#[utoipa::path(
    tag = "treatments", operation_id = "list_treatments",
    params(("id" = String, Path, description = "Tumor id"), PageParams),
    responses((status = 200, body = Page<TreatmentData>), ReadErrors),
    security(("bearer" = []))
)]
#[get("/tumors/{id}/treatments")]
pub async fn list_treatments(
    state: web::Data<AppState>,
    Auth(actor): Auth,
    id: web::Path<String>,
    q: web::Query<PageParams>,
) -> Reply {
    let page = q.page()?;
    let out = state.db(move |c| treatments::list(c, &actor, &id, &page)).await?;
    Ok(HttpResponse::Ok().json(out))
}

/// Record a treatment of a tumor.
#[utoipa::path(
    tag = "treatments", operation_id = "create_treatment",
    params(("id" = String, Path, description = "Tumor id")),
    request_body = TreatmentData,
    responses((status = 201, body = TreatmentData, headers(("ETag" = String), ("Location" = String))), CreateErrors),
    security(("bearer" = []))
)]
#[post("/tumors/{id}/treatments")]
pub async fn create_treatment(
    state: web::Data<AppState>,
    Auth(actor): Auth,
    id: web::Path<String>,
    body: JsonBody<TreatmentData>,
) -> Reply {
    let ctx = state.ctx();
    let out = state.db(move |c| treatments::create(c, &actor, &id, &body.0, ctx)).await?;
    Ok(created(format!("/api/v1/treatments/{}", out.record_id()), out.record_version(), &out))
}

/// Read a treatment.
#[utoipa::path(
    tag = "treatments", operation_id = "get_treatment",
    params(("id" = String, Path, description = "Treatment id")),
    responses((status = 200, body = TreatmentData, headers(("ETag" = String))), ReadErrors),
    security(("bearer" = []))
)]
#[get("/treatments/{id}")]
pub async fn get_treatment(
    state: web::Data<AppState>,
    Auth(actor): Auth,
    id: web::Path<String>,
) -> Reply {
    let out = state.db(move |c| treatments::get(c, &actor, &id)).await?;
    Ok(ok_versioned(out.record_version(), &out))
}

/// Replace a treatment; send the ETag of the version read in `If-Match`.
#[utoipa::path(
    tag = "treatments", operation_id = "update_treatment",
    params(
        ("id" = String, Path, description = "Treatment id"),
        ("If-Match" = String, Header, pattern = r#"^(W/)?"[1-9][0-9]{0,8}"$"#, description = "ETag of the version being replaced"),
    ),
    request_body = TreatmentData,
    responses((status = 200, body = TreatmentData, headers(("ETag" = String))), UpdateErrors),
    security(("bearer" = []))
)]
#[put("/treatments/{id}")]
pub async fn update_treatment(
    state: web::Data<AppState>,
    Auth(actor): Auth,
    id: web::Path<String>,
    IfMatch(version): IfMatch,
    body: JsonBody<TreatmentData>,
) -> Reply {
    let ctx = state.ctx();
    let out = state.db(move |c| treatments::update(c, &actor, &id, version, &body.0, ctx)).await?;
    Ok(ok_versioned(out.record_version(), &out))
}
