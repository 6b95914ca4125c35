//! The follow-up worklist: due, overdue and lost tasks with names, sites and dates of last contact;
//! assign to me; record a contact in place (which completes the task and cancels its queued
//! letters); and the day's print batch: one PDF, mark printed, hold or cancel a letter.

use actix_web::http::{StatusCode, header};
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use crate::api::state::AppState;
use crate::model::{ContactData, LetterData, TaskData};
use crate::service::followup::{self, TaskSort, View, WorklistQuery};
use crate::service::letters::{self, LetterAction, LetterFilter};
use crate::service::{PageRequest, ServiceError};
use crate::web::session::{SignedIn, Submitted};
use crate::web::{Nav, WebError, db, given as text, render, see_other};

#[derive(Template)]
#[template(path = "worklist.html", config = "src/web/askama.toml")]
struct WorklistPage {
    nav: Nav,
    view: &'static str,
    views: Vec<(&'static str, &'static str, bool)>,
    tasks: Vec<TaskData>,
    more: bool,
    letters: Vec<LetterData>,
    batch_ids: String,
    today: String,
    notice: Option<String>,
    problem: Option<String>,
    sources: Vec<(&'static str, &'static str)>,
}

#[derive(Deserialize)]
pub struct ViewQuery {
    #[serde(default)]
    view: Option<String>,
    #[serde(default)]
    done: Option<String>,
}

fn view_of(raw: Option<&str>) -> &'static str {
    match raw {
        Some("overdue") => "overdue",
        Some("lost") => "lost",
        Some("print") => "print",
        _ => "due",
    }
}

/// What a redirect back to the worklist says happened.
fn notice(done: Option<&str>) -> Option<String> {
    Some(
        match done? {
            "contact" => "Contact recorded: the task is completed and its letters not yet sent are cancelled.",
            "assigned" => "The task is assigned to you.",
            "printed" => "Marked printed.",
            "held" => "The letter is held: it stays out of the batch until released.",
            "cancelled" => "The letter is cancelled.",
            _ => return None,
        }
        .to_string(),
    )
}

async fn show(
    state: &AppState,
    signed: &SignedIn,
    view: &'static str,
    notice: Option<String>,
    problem: Option<String>,
) -> Result<HttpResponse, WebError> {
    let (actor, cfg, today) = (signed.actor.clone(), state.followup.clone(), state.clock.today());
    let (tasks, more, letters) = db(state, move |c| {
        let page = PageRequest { cursor: None, limit: Some(100) };
        if view == "print" {
            let filter = LetterFilter { print_batch: Some(today), ..LetterFilter::default() };
            let letters = letters::list(c, &actor, &filter, &page)?;
            return Ok((vec![], letters.next_cursor.is_some(), letters.items));
        }
        let query = WorklistQuery {
            view: match view {
                "overdue" => View::Overdue,
                "lost" => View::Lost,
                _ => View::Due,
            },
            as_of: today,
            assignee: None,
            unassigned: false,
            facility: None,
            patient_id: None,
            due_month: None,
            letter_step: None,
            sort: TaskSort::Name,
        };
        let tasks = followup::list_tasks(c, &actor, &cfg.policy, &query, &page)?;
        Ok((tasks.items, tasks.next_cursor.is_some(), vec![]))
    })
    .await?;
    let views = [
        ("due", "Due this month"),
        ("overdue", "Overdue"),
        ("lost", "Lost"),
        ("print", "Letters to print"),
    ]
    .into_iter()
    .map(|(key, label)| (key, label, key == view))
    .collect();
    let page = WorklistPage {
        nav: Nav::new(signed, "worklist"),
        view,
        views,
        tasks,
        more,
        batch_ids: letters.iter().map(|l| l.id.as_str()).collect::<Vec<_>>().join(","),
        letters,
        today: today.to_string(),
        notice,
        problem: problem.clone(),
        sources: vec![
            ("3", "Patient"),
            ("2", "Physician"),
            ("1", "Readmission"),
            ("0", "Hospitalization"),
            ("8", "Other"),
            ("7", "Death certificate"),
        ],
    };
    let status = if problem.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    Ok(render(status, &page))
}

pub async fn page(
    state: web::Data<AppState>,
    signed: SignedIn,
    q: web::Query<ViewQuery>,
) -> Result<HttpResponse, WebError> {
    show(&state, &signed, view_of(q.view.as_deref()), notice(q.done.as_deref()), None).await
}

#[derive(Deserialize)]
pub struct AssignForm {
    version: i32,
    #[serde(default)]
    view: Option<String>,
}

pub async fn assign(
    state: web::Data<AppState>,
    path: web::Path<String>,
    sent: Submitted<AssignForm>,
) -> Result<HttpResponse, WebError> {
    let Submitted { signed, form } = sent;
    let (actor, cfg, id) = (signed.actor.clone(), state.followup.clone(), path.into_inner());
    let me = signed.actor.name.clone();
    db(&state, move |c| {
        followup::assign_task(c, &actor, &cfg.policy, &id, form.version, Some(&me))
    })
    .await?;
    see_other(&format!("/worklist?view={}&done=assigned", view_of(form.view.as_deref())))
}

#[derive(Deserialize)]
pub struct ContactForm {
    #[serde(default)]
    contact_date: String,
    #[serde(default)]
    vital_status: String,
    #[serde(default)]
    source: String,
    #[serde(default)]
    view: Option<String>,
}

pub async fn record_contact(
    state: web::Data<AppState>,
    path: web::Path<String>,
    sent: Submitted<ContactForm>,
) -> Result<HttpResponse, WebError> {
    let Submitted { signed, form } = sent;
    let view = view_of(form.view.as_deref());
    let data = ContactData {
        contact_date: text(&form.contact_date),
        vital_status: text(&form.vital_status),
        follow_up_source: text(&form.source),
        ..ContactData::default()
    };
    let (actor, cfg, ctx, id) =
        (signed.actor.clone(), state.followup.clone(), state.ctx(), path.into_inner());
    let done =
        db(&state, move |c| followup::record_task_contact(c, &actor, &id, &data, ctx, &cfg.policy))
            .await;
    match done {
        Ok(_) => see_other(&format!("/worklist?view={view}&done=contact")),
        Err(ServiceError::Invalid(v)) => {
            let words: Vec<String> = v.into_iter().map(|v| v.message).collect();
            let problem = format!("The contact was not recorded: {}.", words.join("; "));
            show(&state, &signed, view, None, Some(problem)).await
        }
        Err(e) => Err(e.into()),
    }
}

/// The day's print batch, one PDF.
pub async fn print_batch(
    state: web::Data<AppState>,
    signed: SignedIn,
) -> Result<HttpResponse, WebError> {
    let (actor, cfg, today) = (signed.actor.clone(), state.followup.clone(), state.clock.today());
    let (pdf, _) = db(&state, move |c| letters::print_batch(c, &actor, &cfg, today)).await?;
    Ok(HttpResponse::Ok()
        .content_type("application/pdf")
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"letters-{today}.pdf\""),
        ))
        .body(pdf))
}

#[derive(Deserialize)]
pub struct LetterForm {
    #[serde(default)]
    reason: String,
}

async fn letter_action(
    state: &AppState,
    signed: &SignedIn,
    id: String,
    action: Option<LetterAction>,
    reason: String,
) -> Result<(), WebError> {
    let actor = signed.actor.clone();
    db(state, move |c| match action {
        None => letters::mark_printed(c, &actor, &id).map(|_| ()),
        Some(a) => letters::act(c, &actor, &id, a, Some(&reason)).map(|_| ()),
    })
    .await?;
    Ok(())
}

pub async fn printed(
    state: web::Data<AppState>,
    path: web::Path<String>,
    sent: Submitted<LetterForm>,
) -> Result<HttpResponse, WebError> {
    letter_action(&state, &sent.signed, path.into_inner(), None, String::new()).await?;
    see_other("/worklist?view=print&done=printed")
}

pub async fn hold(
    state: web::Data<AppState>,
    path: web::Path<String>,
    sent: Submitted<LetterForm>,
) -> Result<HttpResponse, WebError> {
    let reason = sent.form.reason.clone();
    letter_action(&state, &sent.signed, path.into_inner(), Some(LetterAction::Hold), reason)
        .await?;
    see_other("/worklist?view=print&done=held")
}

pub async fn cancel(
    state: web::Data<AppState>,
    path: web::Path<String>,
    sent: Submitted<LetterForm>,
) -> Result<HttpResponse, WebError> {
    let reason = sent.form.reason.clone();
    letter_action(&state, &sent.signed, path.into_inner(), Some(LetterAction::Cancel), reason)
        .await?;
    see_other("/worklist?view=print&done=cancelled")
}

#[derive(Deserialize)]
pub struct BatchForm {
    #[serde(default)]
    ids: String,
}

/// Marks every letter of the batch as shown printed (the ids the page listed).
pub async fn batch_printed(
    state: web::Data<AppState>,
    sent: Submitted<BatchForm>,
) -> Result<HttpResponse, WebError> {
    let ids: Vec<String> = sent
        .form
        .ids
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(String::from)
        .collect();
    let actor = sent.signed.actor.clone();
    db(&state, move |c| {
        for id in &ids {
            match letters::mark_printed(c, &actor, id) {
                // One printed or cancelled meanwhile is left as it is.
                Ok(_) | Err(ServiceError::Conflict { .. }) => {}
                Err(e) => return Err(e),
            }
        }
        Ok(())
    })
    .await?;
    see_other("/worklist?view=print&done=printed")
}
