//! Submissions: create a batch (record type, NAACCR version, only what changed since the last
//! batch), see the tumors it left out and why, download the file.

use std::path::PathBuf;

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use crate::api::state::AppState;
use crate::domain::naaccr::Dictionary;
use crate::model::{SubmissionData, SubmissionRequest};
use crate::service::{PageRequest, ServiceError, submissions};
use crate::web::session::{SignedIn, Submitted};
use crate::web::{Nav, WebError, db, render, see_other};

#[derive(Template)]
#[template(path = "submissions.html", config = "src/web/askama.toml")]
struct SubmissionsPage {
    nav: Nav,
    batches: Vec<SubmissionData>,
    versions: Vec<&'static str>,
    problems: Vec<String>,
}

#[derive(Template)]
#[template(path = "submission.html", config = "src/web/askama.toml")]
struct SubmissionPage {
    nav: Nav,
    s: SubmissionData,
    created: bool,
}

async fn list(
    state: &AppState,
    signed: &SignedIn,
    problems: Vec<String>,
) -> Result<HttpResponse, WebError> {
    let actor = signed.actor.clone();
    let page = PageRequest { cursor: None, limit: Some(50) };
    let batches = db(state, move |c| submissions::list(c, &actor, &page)).await?.items;
    let status =
        if problems.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let page = SubmissionsPage {
        nav: Nav::new(signed, "submissions"),
        batches,
        versions: Dictionary::export_versions(),
        problems,
    };
    Ok(render(status, &page))
}

pub async fn page(state: web::Data<AppState>, signed: SignedIn) -> Result<HttpResponse, WebError> {
    list(&state, &signed, vec![]).await
}

#[derive(Deserialize)]
pub struct NewBatch {
    #[serde(default)]
    record_type: String,
    #[serde(default)]
    naaccr_version: String,
    #[serde(default)]
    since_last: Option<String>,
    #[serde(default)]
    facility: String,
}

pub async fn create(
    state: web::Data<AppState>,
    sent: Submitted<NewBatch>,
) -> Result<HttpResponse, WebError> {
    let Submitted { signed, form } = sent;
    let req = SubmissionRequest {
        record_type: Some(form.record_type),
        naaccr_version: Some(form.naaccr_version),
        reporting_facility: Some(form.facility.trim().to_string()).filter(|s| !s.is_empty()),
        changed_since_last: Some(form.since_last.is_some()),
        ..SubmissionRequest::default()
    };
    let (actor, today) = (signed.actor.clone(), state.clock.today());
    let dir = PathBuf::from(&state.settings.submissions.submissions_dir);
    let store = state.store.clone();
    let made = web::block(move || {
        store.run_with_reader(|c, reader| {
            submissions::create(c, reader, &actor, &req, &dir, today, &[])
        })
    })
    .await
    .map_err(|_| WebError::Internal)?;
    match made {
        Ok(s) => see_other(&format!("/submissions/{}?created=1", s.id)),
        Err(ServiceError::Invalid(v)) => {
            list(&state, &signed, v.into_iter().map(|v| v.message).collect()).await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize)]
pub struct Created {
    #[serde(default)]
    created: Option<String>,
}

pub async fn one(
    state: web::Data<AppState>,
    signed: SignedIn,
    path: web::Path<String>,
    q: web::Query<Created>,
) -> Result<HttpResponse, WebError> {
    let (actor, id) = (signed.actor.clone(), path.into_inner());
    let s = db(&state, move |c| submissions::get(c, &actor, &id)).await?;
    crate::web::page(&SubmissionPage {
        nav: Nav::new(&signed, "submissions"),
        s,
        created: q.created.is_some(),
    })
}

pub async fn file(
    state: web::Data<AppState>,
    signed: SignedIn,
    path: web::Path<String>,
) -> Result<HttpResponse, WebError> {
    let (actor, id) = (signed.actor.clone(), path.into_inner());
    let dir = PathBuf::from(&state.settings.submissions.submissions_dir);
    let (path, name) = db(&state, move |c| submissions::file(c, &actor, &id, &dir)).await?;
    crate::api::submissions::stream_file(&path, &name, false)
        .map_err(|_| WebError::NotFound("submission file"))
}
