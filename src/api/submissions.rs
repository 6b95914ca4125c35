//! /api/v1/submissions: NAACCR files out.

use std::io::Read;
use std::path::PathBuf;

use actix_web::http::header;
use actix_web::{HttpResponse, get, post, web};
use futures_util::stream;
use serde::Deserialize;
use utoipa::IntoParams;

use super::docs::{CreateErrors, ReadErrors};
use super::extract::{Auth, JsonBody};
use super::params::PageParams;
use super::problem::ApiError;
use super::state::AppState;
use crate::model::{Page, SubmissionData, SubmissionRequest, VoidRequest};
use crate::service::submissions;

type Reply = Result<HttpResponse, ApiError>;

/// Void a batch (admin): its tumors count as not sent, so the next "changed since last" batch
/// carries them again, and the deletions it reported are reported again. The file stays.
#[utoipa::path(
    tag = "submissions", operation_id = "void_submission",
    params(("id" = String, Path, description = "Batch id")),
    request_body = VoidRequest,
    responses((status = 200, body = SubmissionData), CreateErrors),
    security(("bearer" = []))
)]
#[post("/submissions/{id}/void")]
pub async fn void_submission(
    state: web::Data<AppState>,
    Auth(actor): Auth,
    id: web::Path<String>,
    body: JsonBody<VoidRequest>,
) -> Reply {
    let out = state.db(move |c| submissions::void(c, &actor, &id, &body.0)).await?;
    Ok(HttpResponse::Ok().json(out))
}

/// Create a submission batch: a NAACCR XML file of the selected tumors (record type A, C or I;
/// version 250 or 260). Tumors failing an error-level edit are listed and left out unless asked.
#[utoipa::path(
    tag = "submissions", operation_id = "create_submission",
    request_body = SubmissionRequest,
    responses((status = 201, body = SubmissionData, headers(("Location" = String))), CreateErrors),
    security(("bearer" = []))
)]
#[post("/submissions")]
pub async fn create_submission(
    state: web::Data<AppState>,
    Auth(actor): Auth,
    body: JsonBody<SubmissionRequest>,
) -> Reply {
    let today = state.clock.today();
    let dir = PathBuf::from(&state.settings.submissions.submissions_dir);
    let out = state
        .db_with_reader(move |c, reader| {
            submissions::create(c, reader, &actor, &body.0, &dir, today, &[])
        })
        .await?;
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, format!("/api/v1/submissions/{}", out.id)))
        .json(out))
}

/// List submission batches, newest first.
#[utoipa::path(
    tag = "submissions", operation_id = "list_submissions",
    params(PageParams),
    responses((status = 200, body = Page<SubmissionData>), ReadErrors),
    security(("bearer" = []))
)]
#[get("/submissions")]
pub async fn list_submissions(
    state: web::Data<AppState>,
    Auth(actor): Auth,
    q: web::Query<PageParams>,
) -> Reply {
    let page = q.page()?;
    let out = state.db(move |c| submissions::list(c, &actor, &page)).await?;
    Ok(HttpResponse::Ok().json(out))
}

/// Read a submission batch with the tumors it left out and why.
#[utoipa::path(
    tag = "submissions", operation_id = "get_submission",
    params(("id" = String, Path, description = "Submission id")),
    responses((status = 200, body = SubmissionData), ReadErrors),
    security(("bearer" = []))
)]
#[get("/submissions/{id}")]
pub async fn get_submission(
    state: web::Data<AppState>,
    Auth(actor): Auth,
    id: web::Path<String>,
) -> Reply {
    let out = state.db(move |c| submissions::get(c, &actor, &id)).await?;
    Ok(HttpResponse::Ok().json(out))
}

/// Download options.
#[derive(Clone, Debug, Default, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct FileParams {
    /// `true` for a gzip-compressed file (`application/gzip`).
    pub gzip: Option<bool>,
}

const CHUNK: usize = 64 * 1024;

/// Download a batch's NAACCR XML file (streamed; gzip on request).
#[utoipa::path(
    tag = "submissions", operation_id = "get_submission_file",
    params(("id" = String, Path, description = "Submission id"), FileParams),
    responses(
        (status = 200, description = "The NAACCR XML file", content(
            (String = "application/xml"),
            (String = "application/gzip"),
        )),
        ReadErrors
    ),
    security(("bearer" = []))
)]
#[get("/submissions/{id}/file")]
pub async fn get_submission_file(
    state: web::Data<AppState>,
    Auth(actor): Auth,
    id: web::Path<String>,
    q: web::Query<FileParams>,
) -> Reply {
    let dir = PathBuf::from(&state.settings.submissions.submissions_dir);
    let (path, name) = state.db(move |c| submissions::file(c, &actor, &id, &dir)).await?;
    stream_file(&path, &name, q.gzip.unwrap_or(false))
}

/// Streams a batch file (gzip on request) as a download; the web pages' download uses it too.
pub(crate) fn stream_file(
    path: &std::path::Path,
    name: &str,
    gzip: bool,
) -> Result<HttpResponse, ApiError> {
    let file = std::fs::File::open(path).map_err(|e| ApiError::Internal(e.to_string()))?;
    let reader: Box<dyn Read + Send> = if gzip {
        Box::new(flate2::read::GzEncoder::new(file, flate2::Compression::fast()))
    } else {
        Box::new(file)
    };
    let body = stream::unfold(Some(reader), |reader| async move {
        let mut r = reader?;
        let res = web::block(move || {
            let mut buf = vec![0u8; CHUNK];
            let n = r.read(&mut buf)?;
            buf.truncate(n);
            Ok::<_, std::io::Error>((r, buf))
        })
        .await;
        match res {
            Ok(Ok((_, buf))) if buf.is_empty() => None,
            Ok(Ok((r, buf))) => Some((Ok::<_, actix_web::Error>(web::Bytes::from(buf)), Some(r))),
            Ok(Err(e)) => Some((Err(actix_web::error::ErrorInternalServerError(e)), None)),
            Err(e) => Some((Err(actix_web::error::ErrorInternalServerError(e)), None)),
        }
    });
    let (ctype, name) = if gzip {
        ("application/gzip", format!("{name}.gz"))
    } else {
        ("application/xml", name.to_string())
    };
    Ok(HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, ctype))
        .insert_header((header::CONTENT_DISPOSITION, format!("attachment; filename=\"{name}\"")))
        .streaming(body))
}
