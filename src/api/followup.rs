//! /api/v1/followup/tasks: the follow-up worklist, assignment, and contacts recorded against a task.

use actix_web::{HttpResponse, get, post, put, web};
use serde::Deserialize;
use utoipa::IntoParams;

use super::docs::{CreateErrors, DatedReadErrors, ReadErrors, UpdateErrors};
use super::extract::{Auth, IfMatch, JsonBody};
use super::params::{PageParams, parse_date};
use super::patients::{created, ok_versioned};
use super::problem::ApiError;
use super::state::AppState;
use crate::model::{Assignment, ContactData, Page, TaskClosing, TaskContactResult, TaskData};
use crate::service::followup::TaskSort;
use crate::service::followup::{self, View, WorklistQuery};

type Reply = Result<HttpResponse, ApiError>;

/// Worklist filters and paging.
#[derive(Clone, Debug, Default, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct TaskParams {
    /// `due` (open or in progress, due this month), `overdue` (due before this month, not yet lost),
    /// `lost`, `completed` or `all` (default).
    #[param(pattern = "^(due|overdue|lost|completed|all)$")]
    pub view: Option<String>,
    /// The day whose month `due` and `overdue` refer to (default today).
    #[param(pattern = r"^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$")]
    pub as_of: Option<String>,
    /// Only tasks assigned to this registrar.
    #[param(pattern = r"^[^\u0000-\u001F]*$")]
    pub assignee: Option<String>,
    /// Only tasks nobody is assigned to.
    pub unassigned: Option<bool>,
    /// Only tasks of this reporting facility.
    #[param(pattern = r"^[^\u0000-\u001F]*$")]
    pub facility: Option<String>,
    /// Only tasks of this patient.
    #[param(pattern = r"^[^\u0000-\u001F]*$")]
    pub patient_id: Option<String>,
    /// Only tasks due in this month, `YYYY-MM`.
    #[param(pattern = r"^[0-9]{4}-(0[1-9]|1[0-2])$")]
    pub due_month: Option<String>,
    /// Only tasks at this step of their letter sequence (0 = no letter yet this round).
    #[param(minimum = 0, maximum = 100)]
    pub letter_step: Option<i32>,
    /// `due` (due date, default), `name` (patient name) or `lastContact` (date of last contact).
    #[param(pattern = "^(due|name|lastContact)$")]
    pub sort: Option<String>,
    /// `nextCursor` of the previous page.
    #[param(pattern = "^[0-9a-fA-F-]{1,64}$")]
    pub cursor: Option<String>,
    /// Page size, 1–500 (default 50).
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<u32>,
}

fn given(v: &Option<String>) -> Option<String> {
    v.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(str::to_string)
}

/// The follow-up worklist: due this month, overdue, lost, by assignee or facility.
#[utoipa::path(
    tag = "followup", operation_id = "list_followup_tasks",
    params(TaskParams),
    responses((status = 200, body = Page<TaskData>), DatedReadErrors),
    security(("bearer" = []))
)]
#[get("/followup/tasks")]
pub async fn list_followup_tasks(
    state: web::Data<AppState>,
    Auth(actor): Auth,
    q: web::Query<TaskParams>,
) -> Reply {
    let view = match q.view.as_deref().map(str::trim) {
        None => View::All,
        Some(v) => View::parse(v).ok_or_else(|| {
            ApiError::bad_request(
                "view",
                "enum",
                "view must be due, overdue, lost, completed or all",
            )
        })?,
    };
    let as_of = match &q.as_of {
        Some(raw) => parse_date("asOf", raw)?,
        None => state.clock.today(),
    };
    let sort = match q.sort.as_deref().map(str::trim) {
        None | Some("due") => TaskSort::Due,
        Some("name") => TaskSort::Name,
        Some("lastContact") => TaskSort::LastContact,
        Some(_) => {
            return Err(ApiError::bad_request(
                "sort",
                "enum",
                "sort must be due, name or lastContact",
            ));
        }
    };
    let due_month = match q.due_month.as_deref().map(str::trim) {
        None => None,
        Some(m) => Some(parse_date("dueMonth", &format!("{m}-01")).map_err(|_| {
            ApiError::bad_request("dueMonth", "format", "dueMonth is a month, YYYY-MM")
        })?),
    };
    if q.letter_step.is_some_and(|s| !(0..=100).contains(&s)) {
        return Err(ApiError::bad_request("letterStep", "range", "letterStep is 0 to 100"));
    }
    let page = PageParams { cursor: q.cursor.clone(), limit: q.limit }.page()?;
    let query = WorklistQuery {
        view,
        as_of,
        assignee: given(&q.assignee),
        unassigned: q.unassigned.unwrap_or(false),
        facility: given(&q.facility),
        patient_id: given(&q.patient_id),
        due_month,
        letter_step: q.letter_step,
        sort,
    };
    let cfg = state.followup.clone();
    let out =
        state.db(move |c| followup::list_tasks(c, &actor, &cfg.policy, &query, &page)).await?;
    Ok(HttpResponse::Ok().json(out))
}

/// Read a follow-up task.
#[utoipa::path(
    tag = "followup", operation_id = "get_followup_task",
    params(("id" = String, Path, description = "Task id")),
    responses((status = 200, body = TaskData, headers(("ETag" = String))), ReadErrors),
    security(("bearer" = []))
)]
#[get("/followup/tasks/{id}")]
pub async fn get_followup_task(
    state: web::Data<AppState>,
    Auth(actor): Auth,
    id: web::Path<String>,
) -> Reply {
    let cfg = state.followup.clone();
    let out = state.db(move |c| followup::get_task(c, &actor, &cfg.policy, &id)).await?;
    Ok(ok_versioned(out.version, &out))
}

/// Assign a task to a registrar (an open task becomes in progress), or clear it with `null`.
#[utoipa::path(
    tag = "followup", operation_id = "assign_followup_task",
    params(
        ("id" = String, Path, description = "Task id"),
        ("If-Match" = String, Header, pattern = r#"^(W/)?"[1-9][0-9]{0,8}"$"#, description = "ETag of the task version read"),
    ),
    request_body = Assignment,
    responses((status = 200, body = TaskData, headers(("ETag" = String))), UpdateErrors),
    security(("bearer" = []))
)]
#[put("/followup/tasks/{id}/assignee")]
pub async fn assign_followup_task(
    state: web::Data<AppState>,
    Auth(actor): Auth,
    id: web::Path<String>,
    IfMatch(version): IfMatch,
    body: JsonBody<Assignment>,
) -> Reply {
    let cfg = state.followup.clone();
    let out = state
        .db(move |c| {
            followup::assign_task(c, &actor, &cfg.policy, &id, version, body.0.assignee.as_deref())
        })
        .await?;
    Ok(ok_versioned(out.version, &out))
}

/// Close a task without a contact (the patient moved away, nothing left to chase): it completes
/// and its letters not yet printed or sent are cancelled with the reason.
#[utoipa::path(
    tag = "followup", operation_id = "close_followup_task",
    params(
        ("id" = String, Path, description = "Task id"),
        ("If-Match" = String, Header, pattern = r#"^(W/)?"[1-9][0-9]{0,8}"$"#, description = "ETag of the task version read"),
    ),
    request_body = TaskClosing,
    responses((status = 200, body = TaskData, headers(("ETag" = String))), UpdateErrors),
    security(("bearer" = []))
)]
#[post("/followup/tasks/{id}/close")]
pub async fn close_followup_task(
    state: web::Data<AppState>,
    Auth(actor): Auth,
    id: web::Path<String>,
    IfMatch(version): IfMatch,
    body: JsonBody<TaskClosing>,
) -> Reply {
    let cfg = state.followup.clone();
    let out = state
        .db(move |c| followup::close_task(c, &actor, &cfg.policy, &id, version, &body.0.reason))
        .await?;
    Ok(ok_versioned(out.version, &out))
}

/// Record a contact against a task: it must be dated after the task's date of last contact, and it
/// completes the task; the next cycle counts from the new date.
#[utoipa::path(
    tag = "followup", operation_id = "create_followup_task_contact",
    params(("id" = String, Path, description = "Task id")),
    request_body = ContactData,
    responses((status = 201, body = TaskContactResult, headers(("Location" = String))), CreateErrors),
    security(("bearer" = []))
)]
#[post("/followup/tasks/{id}/contacts")]
pub async fn create_followup_task_contact(
    state: web::Data<AppState>,
    Auth(actor): Auth,
    id: web::Path<String>,
    body: JsonBody<ContactData>,
) -> Reply {
    let ctx = state.ctx();
    let cfg = state.followup.clone();
    let out: TaskContactResult = state
        .db(move |c| followup::record_task_contact(c, &actor, &id, &body.0, ctx, &cfg.policy))
        .await?;
    let contact_id = out.contact.id.clone().unwrap_or_default();
    Ok(created(format!("/api/v1/contacts/{contact_id}"), out.contact.version.unwrap_or(1), &out))
}
