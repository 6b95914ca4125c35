//! Imports: upload a NAACCR file (XML or flat, plain or gzip), see how far each import got and
//! read its stored report. The upload form carries its CSRF token as the first field.

use actix_multipart::Multipart;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use futures_util::StreamExt;

use crate::api::state::AppState;
use crate::model::{ImportData, ImportReport};
use crate::service::imports::{self, Upload, kept};
use crate::service::{PageRequest, ServiceError};
use crate::web::session::{SignedIn, check_csrf};
use crate::web::{Nav, WebError, db, render, see_other};

#[derive(Template)]
#[template(path = "imports.html", config = "src/web/askama.toml")]
struct ImportsPage {
    nav: Nav,
    imports: Vec<ImportData>,
    problem: Option<String>,
}

#[derive(Template)]
#[template(path = "import.html", config = "src/web/askama.toml")]
struct ImportPage {
    nav: Nav,
    i: ImportData,
    report: ImportReport,
}

async fn list(
    state: &AppState,
    signed: &SignedIn,
    problem: Option<String>,
) -> Result<HttpResponse, WebError> {
    let actor = signed.actor.clone();
    let page = PageRequest { cursor: None, limit: Some(50) };
    let imports = db(state, move |c| kept::list(c, &actor, &page)).await?.items;
    let status = if problem.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    Ok(render(status, &ImportsPage { nav: Nav::new(signed, "imports"), imports, problem }))
}

pub async fn page(state: web::Data<AppState>, signed: SignedIn) -> Result<HttpResponse, WebError> {
    list(&state, &signed, None).await
}

pub async fn upload(
    state: web::Data<AppState>,
    req: HttpRequest,
    signed: SignedIn,
    payload: web::Payload,
) -> Result<HttpResponse, WebError> {
    let limit = state.settings.http.import_limit;
    let mut form = Multipart::new(req.headers(), payload);
    let mut csrf_ok = false;
    let mut file: Option<(Vec<u8>, Option<String>)> = None;
    while let Some(field) = form.next().await {
        let mut field = field.map_err(|_| WebError::BadForm(limit))?;
        let disposition = field.content_disposition().cloned();
        let name = disposition.as_ref().and_then(|d| d.get_name()).unwrap_or("").to_string();
        let file_name = disposition.as_ref().and_then(|d| d.get_filename()).map(str::to_owned);
        let mut bytes = Vec::new();
        while let Some(chunk) = field.next().await {
            let chunk = chunk.map_err(|_| WebError::BadForm(limit))?;
            if bytes.len() + chunk.len() > limit {
                return Err(WebError::BadForm(limit));
            }
            bytes.extend_from_slice(&chunk);
        }
        match name.as_str() {
            "csrf" => {
                check_csrf(&signed, &String::from_utf8_lossy(&bytes))?;
                csrf_ok = true;
            }
            // The file is only read once the token before it matched.
            "file" if csrf_ok => file = Some((bytes, file_name)),
            _ => {}
        }
    }
    if !csrf_ok {
        return Err(WebError::Csrf);
    }
    let Some((body, file_name)) = file.filter(|(b, _)| !b.is_empty()) else {
        return list(&state, &signed, Some("Choose a NAACCR file to import.".into())).await;
    };
    let (actor, ctx) = (signed.actor.clone(), state.ctx());
    let expanded = state.settings.imports.import_expanded_limit;
    let upload = Upload { file_name, bytes: body.len() as u64 };
    let done = db(&state, move |c| {
        imports::import(c, &actor, Box::new(std::io::Cursor::new(body)), expanded, ctx, &upload)
    })
    .await;
    match done {
        Ok(report) => see_other(&format!("/imports/{}", report.id.unwrap_or_default())),
        Err(ServiceError::Refused(reason)) => {
            list(&state, &signed, Some(format!("The file was refused as a whole: {reason}"))).await
        }
        Err(ServiceError::Conflict { message, .. }) => list(&state, &signed, Some(message)).await,
        Err(e) => Err(e.into()),
    }
}

pub async fn one(
    state: web::Data<AppState>,
    signed: SignedIn,
    path: web::Path<String>,
) -> Result<HttpResponse, WebError> {
    let (actor, id) = (signed.actor.clone(), path.into_inner());
    let (i, report) =
        db(&state, move |c| Ok((kept::get(c, &actor, &id)?, kept::report(c, &actor, &id)?)))
            .await?;
    crate::web::page(&ImportPage { nav: Nav::new(&signed, "imports"), i, report })
}
