//! /api/v1/jobs/runs and /api/v1/reports/followup-rate.

use actix_web::{HttpResponse, get, web};
use serde::Deserialize;
use utoipa::IntoParams;

use super::docs::{DatedReadErrors, ReadErrors};
use super::extract::Auth;
use super::params::{PageParams, parse_date};
use super::problem::ApiError;
use super::state::AppState;
use crate::dto::{FollowUpRateReport, JobRunData, Page};
use crate::service::{jobs, reports};

type Reply = Result<HttpResponse, ApiError>;

/// Job run filters and paging (newest first).
#[derive(Clone, Debug, Default, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct RunParams {
    /// `generate-tasks`, `send-letters` or `mark-lost`.
    #[param(pattern = "^(generate-tasks|send-letters|mark-lost)$")]
    pub job: Option<String>,
    /// `nextCursor` of the previous page.
    #[param(pattern = "^[0-9a-fA-F-]{1,64}$")]
    pub cursor: Option<String>,
    /// Page size, 1–500 (default 50).
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<u32>,
}

/// The recorded runs of the scheduled jobs, newest first (admin).
#[utoipa::path(
    tag = "jobs", operation_id = "list_job_runs",
    params(RunParams),
    responses((status = 200, body = Page<JobRunData>), ReadErrors),
    security(("bearer" = []))
)]
#[get("/jobs/runs")]
pub async fn list_job_runs(
    state: web::Data<AppState>,
    Auth(actor): Auth,
    q: web::Query<RunParams>,
) -> Reply {
    let job = q.job.as_deref().map(|s| s.trim().to_string());
    if job.as_deref().is_some_and(|j| crate::jobs::find(j).is_none()) {
        return Err(ApiError::bad_request(
            "job",
            "enum",
            "job must be generate-tasks, send-letters or mark-lost",
        ));
    }
    let page = PageParams { cursor: q.cursor.clone(), limit: q.limit }.page()?;
    let out = state.db(move |c| jobs::list_runs(c, &actor, job.as_deref(), &page)).await?;
    Ok(HttpResponse::Ok().json(out))
}

/// The report day and an optional facility.
#[derive(Clone, Debug, Default, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct RateParams {
    /// The report day, YYYY-MM-DD.
    #[param(required = true, pattern = r"^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$")]
    pub as_of: Option<String>,
    /// Only patients with a tumor reported by this facility.
    #[param(pattern = r"^[^\u0000-\u001F]*$")]
    pub facility: Option<String>,
}

/// The CoC follow-up rate worksheet (A eligible, B dead, C living, D current, E lost) for all cases
/// since the reference date and for the last five years, with the lost patients behind E.
#[utoipa::path(
    tag = "reports", operation_id = "get_followup_rate",
    params(RateParams),
    responses((status = 200, body = FollowUpRateReport), DatedReadErrors),
    security(("bearer" = []))
)]
#[get("/reports/followup-rate")]
pub async fn get_followup_rate(
    state: web::Data<AppState>,
    Auth(actor): Auth,
    q: web::Query<RateParams>,
) -> Reply {
    let raw = q.as_of.as_deref().map(str::trim).filter(|s| !s.is_empty()).ok_or_else(|| {
        ApiError::bad_request("asOf", "required", "asOf (YYYY-MM-DD) is required")
    })?;
    let as_of = parse_date("asOf", raw)?;
    let facility = q.facility.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(String::from);
    let cfg = state.followup.clone();
    let out = state
        .db(move |c| reports::followup_rate(c, &actor, &cfg, as_of, facility.as_deref()))
        .await?;
    Ok(HttpResponse::Ok().json(out))
}
