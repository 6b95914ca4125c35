//! /api/v1/jobs/runs, /api/v1/reports/followup-rate and the patients behind its figures.

use actix_web::{HttpResponse, get, web};
use serde::Deserialize;
use utoipa::IntoParams;

use super::docs::{DatedReadErrors, ReadErrors};
use super::extract::Auth;
use super::params::{PageParams, parse_date};
use super::problem::ApiError;
use super::state::AppState;
use crate::model::{FollowUpRateReport, JobRunData, Page, PatientMatch};
use crate::service::reports::{FigureQuery, Population};
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

/// Which figure of the worksheet to list.
#[derive(Clone, Debug, Default, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct FigureParams {
    /// The report day, YYYY-MM-DD.
    #[param(required = true, pattern = r"^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$")]
    pub as_of: Option<String>,
    /// `all` (since the reference date) or `recent` (the last five years).
    #[param(required = true, pattern = "^(all|recent)$")]
    pub population: Option<String>,
    /// `A`, `B`, `D`, `E`, or an exclusion reason (`non_analytic`, `excluded_years`,
    /// `benign_or_borderline`, `cervix_in_situ`, `skin_basal_squamous`, `foreign_resident`,
    /// `over_max_age`).
    #[param(required = true, pattern = "^[A-Za-z_]{1,40}$")]
    pub line: Option<String>,
    /// Only patients counted under this year of diagnosis (lines A–E).
    #[param(minimum = 1900, maximum = 2100)]
    pub year: Option<i32>,
    /// Only patients with a tumor reported by this facility.
    #[param(pattern = r"^[^\u0000-\u001F]*$")]
    pub facility: Option<String>,
    /// `nextCursor` of the previous page.
    #[param(pattern = "^[0-9a-fA-F-]{1,64}$")]
    pub cursor: Option<String>,
    /// Page size, 1–500 (default 50).
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<u32>,
}

/// The patients behind one figure of the follow-up rate worksheet (the links in the report).
#[utoipa::path(
    tag = "reports", operation_id = "list_followup_rate_patients",
    params(FigureParams),
    responses((status = 200, body = Page<PatientMatch>), DatedReadErrors),
    security(("bearer" = []))
)]
#[get("/reports/followup-rate/patients")]
pub async fn list_followup_rate_patients(
    state: web::Data<AppState>,
    Auth(actor): Auth,
    q: web::Query<FigureParams>,
) -> Reply {
    let required = |v: &Option<String>, field: &'static str, what: &'static str| {
        v.as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .ok_or_else(|| ApiError::bad_request(field, "required", what))
    };
    let as_of = parse_date("asOf", &required(&q.as_of, "asOf", "asOf (YYYY-MM-DD) is required")?)?;
    let population = Population::parse(&required(
        &q.population,
        "population",
        "population (all or recent) is required",
    )?)
    .ok_or_else(|| ApiError::bad_request("population", "enum", "population is all or recent"))?;
    let line = required(&q.line, "line", "line (A, B, D, E or an exclusion reason) is required")?;
    if q.year.is_some_and(|y| !(1900..=2100).contains(&y)) {
        return Err(ApiError::bad_request("year", "range", "year is 1900 to 2100"));
    }
    let query = FigureQuery {
        as_of,
        facility: q.facility.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(String::from),
        population,
        line,
        year: q.year,
    };
    let page = PageParams { cursor: q.cursor.clone(), limit: q.limit }.page()?;
    let cfg = state.followup.clone();
    let out = state.db(move |c| reports::patients_behind(c, &actor, &cfg, &query, &page)).await?;
    Ok(HttpResponse::Ok().json(out))
}
