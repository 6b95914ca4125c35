//! /api/v1/patients

use actix_web::http::header;
use actix_web::{HttpResponse, get, post, put, web};

use super::docs::{CreateErrors, ReadErrors, UpdateErrors};
use super::extract::{Auth, IfMatch, JsonBody, etag};
use super::params::ListParams;
use super::problem::ApiError;
use super::state::AppState;
use crate::model::{Page, PatientData, PatientMatch, PatientSearchRequest, Stamped};
use crate::service::patients;

type Reply = Result<HttpResponse, ApiError>;

pub(super) fn created<T: serde::Serialize>(
    location: String,
    version: i32,
    body: &T,
) -> HttpResponse {
    HttpResponse::Created()
        .insert_header((header::LOCATION, location))
        .insert_header((header::ETAG, etag(version)))
        .json(body)
}

pub(super) fn ok_versioned<T: serde::Serialize>(version: i32, body: &T) -> HttpResponse {
    HttpResponse::Ok().insert_header((header::ETAG, etag(version))).json(body)
}

/// List patients, filtered by tumor and patient criteria.
#[utoipa::path(
    tag = "patients", operation_id = "list_patients",
    params(ListParams),
    responses((status = 200, body = Page<PatientData>), ReadErrors),
    security(("bearer" = []))
)]
#[get("/patients")]
pub async fn list_patients(
    state: web::Data<AppState>,
    Auth(actor): Auth,
    q: web::Query<ListParams>,
) -> Reply {
    let (filter, page) = q.parse()?;
    let out = state.db(move |c| patients::list(c, &actor, &filter, &page)).await?;
    Ok(HttpResponse::Ok().json(out))
}

/// Register a patient.
#[utoipa::path(
    tag = "patients", operation_id = "create_patient",
    request_body = PatientData,
    responses((status = 201, body = PatientData, headers(("ETag" = String), ("Location" = String))), CreateErrors),
    security(("bearer" = []))
)]
#[post("/patients")]
pub async fn create_patient(
    state: web::Data<AppState>,
    Auth(actor): Auth,
    body: JsonBody<PatientData>,
) -> Reply {
    let ctx = state.ctx();
    let out = state.db(move |c| patients::create(c, &actor, &body.0, ctx)).await?;
    Ok(created(format!("/api/v1/patients/{}", out.record_id()), out.record_version(), &out))
}

/// What a patient read may show in full.
#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct RevealParams {
    /// `socialSecurityNumber`: the SSN in full instead of masked (registrars and admins; audited).
    #[param(pattern = "^socialSecurityNumber$")]
    pub reveal: Option<String>,
}

/// Read a patient. The SSN is masked (`***-**-6789`) unless `reveal=socialSecurityNumber` asks
/// for it in full, which a registrar or admin may do; that read is audited as a reveal.
#[utoipa::path(
    tag = "patients", operation_id = "get_patient",
    params(("id" = String, Path, description = "Patient id"), RevealParams),
    responses((status = 200, body = PatientData, headers(("ETag" = String))), ReadErrors),
    security(("bearer" = []))
)]
#[get("/patients/{id}")]
pub async fn get_patient(
    state: web::Data<AppState>,
    Auth(actor): Auth,
    id: web::Path<String>,
    q: web::Query<RevealParams>,
) -> Reply {
    let reveal = match q.into_inner().reveal.as_deref() {
        None => false,
        Some("socialSecurityNumber") => true,
        Some(_) => {
            return Err(ApiError::bad_request(
                "reveal",
                "code.unknown",
                "reveal takes socialSecurityNumber",
            ));
        }
    };
    let out = state.db(move |c| patients::get(c, &actor, &id, reveal)).await?;
    Ok(ok_versioned(out.record_version(), &out))
}

/// Replace a patient's data; send the ETag of the version read in `If-Match`.
#[utoipa::path(
    tag = "patients", operation_id = "update_patient",
    params(
        ("id" = String, Path, description = "Patient id"),
        ("If-Match" = String, Header, pattern = r#"^(W/)?"[1-9][0-9]{0,8}"$"#, description = "ETag of the version being replaced, e.g. \"3\""),
    ),
    request_body = PatientData,
    responses((status = 200, body = PatientData, headers(("ETag" = String))), UpdateErrors),
    security(("bearer" = []))
)]
#[put("/patients/{id}")]
pub async fn update_patient(
    state: web::Data<AppState>,
    Auth(actor): Auth,
    id: web::Path<String>,
    IfMatch(version): IfMatch,
    body: JsonBody<PatientData>,
) -> Reply {
    let ctx = state.ctx();
    let out = state.db(move |c| patients::update(c, &actor, &id, version, &body.0, ctx)).await?;
    Ok(ok_versioned(out.record_version(), &out))
}

/// Find patients by name (`Last` or `Last, First`, a prefix), birth date (or its year or month),
/// patient id number or the last four digits of the SSN; every criterion given must match. A POST
/// so that what is searched for stays out of URLs and logs. Results come in name order with their
/// tumors in words, never with the SSN; each search is audited.
#[utoipa::path(
    tag = "patients", operation_id = "search_patients",
    request_body = PatientSearchRequest,
    responses((status = 200, body = Page<PatientMatch>), CreateErrors),
    security(("bearer" = []))
)]
#[post("/patients/search")]
pub async fn search_patients(
    state: web::Data<AppState>,
    Auth(actor): Auth,
    body: JsonBody<PatientSearchRequest>,
) -> Result<HttpResponse, ApiError> {
    let out = state.db(move |c| patients::search(c, &actor, &body.0)).await?;
    Ok(HttpResponse::Ok().json(out))
}
