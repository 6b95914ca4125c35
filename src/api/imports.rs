//! /api/v1/imports: NAACCR files in, each kept with its report.

use actix_multipart::Multipart;
use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use futures_util::StreamExt;

use super::docs::{ImportErrors, ReadErrors, StateErrors};
use super::extract::Auth;
use super::params::PageParams;
use super::problem::ApiError;
use super::state::AppState;
use crate::model::{ImportData, ImportReport, Page};
use crate::service::imports::{self, Upload, kept};

type Reply = Result<HttpResponse, ApiError>;

/// What a file may be sent as: raw, or as a form upload (its first file field).
const ACCEPTED: &[&str] = &[
    "application/xml",
    "text/xml",
    "application/gzip",
    "application/x-gzip",
    "text/plain",
    "multipart/form-data",
];

fn too_large(limit: usize) -> ApiError {
    ApiError::PayloadTooLarge(limit)
}

fn unreadable() -> ApiError {
    ApiError::bad_request("body", "body.unreadable", "the request body could not be read")
}

/// The file of a form upload: the first part with a file name (or named `file`), up to `limit`.
async fn form_file(
    req: &HttpRequest,
    payload: web::Payload,
    limit: usize,
) -> Result<(Vec<u8>, Option<String>), ApiError> {
    let mut form = Multipart::new(req.headers(), payload);
    while let Some(field) = form.next().await {
        let mut field = field.map_err(|_| unreadable())?;
        let disposition = field.content_disposition().cloned();
        let name = disposition.as_ref().and_then(|d| d.get_filename()).map(str::to_owned);
        let is_file =
            name.is_some() || disposition.as_ref().and_then(|d| d.get_name()) == Some("file");
        let mut bytes = Vec::new();
        while let Some(chunk) = field.next().await {
            let chunk = chunk.map_err(|_| unreadable())?;
            if bytes.len() + chunk.len() > limit {
                return Err(too_large(limit));
            }
            if is_file {
                bytes.extend_from_slice(&chunk);
            }
        }
        if is_file {
            return Ok((bytes, name));
        }
    }
    Err(ApiError::bad_request(
        "file",
        "required",
        "the form has no file: send it in a field named file",
    ))
}

/// A form upload of a NAACCR file (`multipart/form-data`): one field, `file`.
#[derive(serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[expect(dead_code, reason = "the shape of the form for the OpenAPI document; form_file reads it")]
pub struct ImportForm {
    /// The file, as any of the raw bodies takes it.
    #[schema(value_type = String, format = Binary)]
    file: Vec<u8>,
}

/// Import a NAACCR file: XML of any version from v14 to v26 (plain or gzip) or a fixed-width flat
/// file of v14 to v18 (A, M, C, I), sent as the raw body or as a form upload
/// (`multipart/form-data`, field `file`). Every value is kept: a value its field cannot hold stays
/// as read and is flagged; only a patient without a usable patient id number is rejected. The
/// import is kept with its report (`GET /api/v1/imports/{id}`); a file refused as a whole is a 422
/// and is kept too. The file is written in batches of whole patients, each its own transaction:
/// the API keeps answering meanwhile, and `GET /api/v1/imports` shows how far it got. One import
/// runs at a time (409, rule `import.running`); a fatal error part-way or a cancellation keeps the
/// patients stored before it (`status` says so) and sending the same file again completes it.
#[utoipa::path(
    tag = "imports", operation_id = "create_import",
    request_body(content(
        (String = "application/xml"),
        (String = "application/gzip"),
        (String = "text/plain"),
        (ImportForm = "multipart/form-data"),
    ), description = "The NAACCR file"),
    responses((status = 200, body = ImportReport), ImportErrors),
    security(("bearer" = []))
)]
#[post("/imports")]
pub async fn create_import(
    state: web::Data<AppState>,
    req: HttpRequest,
    Auth(actor): Auth,
    payload: web::Payload,
) -> Reply {
    let ctype = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(|v| v.trim().to_ascii_lowercase())
        .unwrap_or_default();
    if !ACCEPTED.contains(&ctype.as_str()) {
        return Err(ApiError::UnsupportedMediaType(ACCEPTED));
    }
    actor.require(crate::service::Role::Registrar)?;
    let limit = state.settings.http.import_limit;
    let (body, file_name) = if ctype == "multipart/form-data" {
        form_file(&req, payload, limit).await?
    } else {
        let body = payload.to_bytes_limited(limit).await.map_err(|_| too_large(limit))?;
        (body.map_err(|_| unreadable())?.to_vec(), None)
    };
    let ctx = state.ctx();
    let expanded = state.settings.imports.import_expanded_limit;
    let upload = Upload { file_name, bytes: body.len() as u64 };
    let out = state
        .db(move |c| {
            let input = Box::new(std::io::Cursor::new(body));
            imports::import(c, &actor, input, expanded, ctx, &upload)
        })
        .await?;
    Ok(HttpResponse::Ok().json(out))
}

/// The imports, newest first: who imported which file when, and what came of it.
#[utoipa::path(
    tag = "imports", operation_id = "list_imports",
    params(PageParams),
    responses((status = 200, body = Page<ImportData>), ReadErrors),
    security(("bearer" = []))
)]
#[get("/imports")]
pub async fn list_imports(
    state: web::Data<AppState>,
    Auth(actor): Auth,
    q: web::Query<PageParams>,
) -> Reply {
    let page = q.page()?;
    let out = state.db(move |c| kept::list(c, &actor, &page)).await?;
    Ok(HttpResponse::Ok().json(out))
}

/// One import: file, counts, and the reason when the file was refused.
#[utoipa::path(
    tag = "imports", operation_id = "get_import",
    params(("id" = String, Path, description = "Import id")),
    responses((status = 200, body = ImportData), ReadErrors),
    security(("bearer" = []))
)]
#[get("/imports/{id}")]
pub async fn get_import(
    state: web::Data<AppState>,
    Auth(actor): Auth,
    id: web::Path<String>,
) -> Reply {
    let out = state.db(move |c| kept::get(c, &actor, &id)).await?;
    Ok(HttpResponse::Ok().json(out))
}

/// The whole report of an import: per patient with problems, each item, rule and outcome.
#[utoipa::path(
    tag = "imports", operation_id = "get_import_report",
    params(("id" = String, Path, description = "Import id")),
    responses((status = 200, body = ImportReport), ReadErrors),
    security(("bearer" = []))
)]
#[get("/imports/{id}/report")]
pub async fn get_import_report(
    state: web::Data<AppState>,
    Auth(actor): Auth,
    id: web::Path<String>,
) -> Reply {
    let out = state.db(move |c| kept::report(c, &actor, &id)).await?;
    Ok(HttpResponse::Ok().json(out))
}

/// Cancel a running import: it stops after the batch it is writing. What it stored stays; sending
/// the same file again completes it. 409 when the import is not running.
#[utoipa::path(
    tag = "imports", operation_id = "cancel_import",
    params(("id" = String, Path, description = "Import id")),
    responses((status = 200, body = ImportData), StateErrors),
    security(("bearer" = []))
)]
#[post("/imports/{id}/cancel")]
pub async fn cancel_import(
    state: web::Data<AppState>,
    Auth(actor): Auth,
    id: web::Path<String>,
) -> Reply {
    let out = state.db(move |c| kept::cancel(c, &actor, &id)).await?;
    Ok(HttpResponse::Ok().json(out))
}
