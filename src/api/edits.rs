//! /api/v1/edits: the catalogue, one tumor's findings, and batch runs with their reports.

use actix_web::{HttpResponse, get, post, web};

use super::docs::{CreateErrors, ReadErrors};
use super::extract::{Auth, JsonBody};
use super::params::PageParams;
use super::problem::ApiError;
use super::state::AppState;
use crate::model::{EditDefData, EditRunData, EditRunFailure, EditRunRequest, Page, TumorEdits};
use crate::service::{Role, edit_runs};

type Reply = Result<HttpResponse, ApiError>;

/// The edits catalogue: id, name, severity, fields and override flag of every check.
#[utoipa::path(
    tag = "edits", operation_id = "list_edits",
    responses((status = 200, body = Vec<EditDefData>), ReadErrors),
    security(("bearer" = []))
)]
#[get("/edits")]
pub async fn list_edits(Auth(actor): Auth) -> Reply {
    actor.require(Role::Viewer)?;
    Ok(HttpResponse::Ok().json(edit_runs::catalogue()))
}

/// The current edit findings on one tumor, under the service's rule set.
#[utoipa::path(
    tag = "edits", operation_id = "get_tumor_edits",
    params(("id" = String, Path, description = "Tumor id")),
    responses((status = 200, body = TumorEdits), ReadErrors),
    security(("bearer" = []))
)]
#[get("/tumors/{id}/edits")]
pub async fn get_tumor_edits(
    state: web::Data<AppState>,
    Auth(actor): Auth,
    id: web::Path<String>,
) -> Reply {
    let ctx = state.ctx();
    let out = state.db(move |c| edit_runs::tumor_edits(c, &actor, &id, ctx)).await?;
    Ok(HttpResponse::Ok().json(out))
}

/// Run the edits over the registry, a facility or a range of diagnosis years; returns the counts
/// per edit, and stores the failing tumors for paging.
#[utoipa::path(
    tag = "edits", operation_id = "create_edit_run",
    request_body = EditRunRequest,
    responses((status = 201, body = EditRunData), CreateErrors),
    security(("bearer" = []))
)]
#[post("/edits/run")]
pub async fn create_edit_run(
    state: web::Data<AppState>,
    Auth(actor): Auth,
    body: JsonBody<EditRunRequest>,
) -> Reply {
    let ctx = state.ctx();
    let out = state.db(move |c| edit_runs::run(c, &actor, &body.0, ctx)).await?;
    Ok(HttpResponse::Created()
        .insert_header(("Location", format!("/api/v1/edits/runs/{}", out.id)))
        .json(out))
}

/// A batch edit run and its counts.
#[utoipa::path(
    tag = "edits", operation_id = "get_edit_run",
    params(("id" = String, Path, description = "Edit run id")),
    responses((status = 200, body = EditRunData), ReadErrors),
    security(("bearer" = []))
)]
#[get("/edits/runs/{id}")]
pub async fn get_edit_run(
    state: web::Data<AppState>,
    Auth(actor): Auth,
    id: web::Path<String>,
) -> Reply {
    let out = state.db(move |c| edit_runs::get(c, &actor, &id)).await?;
    Ok(HttpResponse::Ok().json(out))
}

/// The failing tumors of a batch edit run, with their findings.
#[utoipa::path(
    tag = "edits", operation_id = "list_edit_run_failures",
    params(("id" = String, Path, description = "Edit run id"), PageParams),
    responses((status = 200, body = Page<EditRunFailure>), ReadErrors),
    security(("bearer" = []))
)]
#[get("/edits/runs/{id}/failures")]
pub async fn list_edit_run_failures(
    state: web::Data<AppState>,
    Auth(actor): Auth,
    id: web::Path<String>,
    q: web::Query<PageParams>,
) -> Reply {
    let page = q.page()?;
    let out = state.db(move |c| edit_runs::failures(c, &actor, &id, &page)).await?;
    Ok(HttpResponse::Ok().json(out))
}
