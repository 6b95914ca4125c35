//! /api/v1/letters: the reminder letters, their PDFs, the day's print batch, printing and replies.

use actix_web::http::header;
use actix_web::{HttpResponse, get, post, put, web};
use serde::Deserialize;
use utoipa::IntoParams;

use super::docs::{CreateErrors, DatedReadErrors, ReadErrors};
use super::extract::{Auth, JsonBody};
use super::params::{PageParams, parse_date};
use super::problem::ApiError;
use super::state::AppState;
use crate::model::{ContactData, LetterActionBody, LetterData, Page, RecipientCorrection};
use crate::service::letters::LetterFilter;
use crate::service::letters::{self, LetterAction, STATES};

type Reply = Result<HttpResponse, ApiError>;

/// Letter filters and paging.
#[derive(Clone, Debug, Default, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct LetterParams {
    /// `queued`, `held`, `cancelled`, `sent`, `failed`, `printed` or `replied`.
    #[param(pattern = "^(queued|held|cancelled|sent|failed|printed|replied)$")]
    pub state: Option<String>,
    /// `email` or `print`.
    #[param(pattern = "^(email|print)$")]
    pub channel: Option<String>,
    #[param(pattern = r"^[^\u0000-\u001F]*$")]
    pub task_id: Option<String>,
    #[param(pattern = r"^[^\u0000-\u001F]*$")]
    pub patient_id: Option<String>,
    /// The print batch of this day: paper letters still to print, made on or before it.
    #[param(pattern = r"^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$")]
    pub print_batch: Option<String>,
    /// `nextCursor` of the previous page.
    #[param(pattern = "^[0-9a-fA-F-]{1,64}$")]
    pub cursor: Option<String>,
    /// Page size, 1–500 (default 50).
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<u32>,
}

/// The day of a print batch.
#[derive(Clone, Debug, Default, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct PrintParams {
    /// Letters due on or before this day (default today).
    #[param(pattern = r"^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$")]
    pub date: Option<String>,
}

fn given(v: &Option<String>) -> Option<String> {
    v.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(str::to_string)
}

fn pdf(bytes: Vec<u8>, filename: &str) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/pdf")
        .insert_header((header::CONTENT_DISPOSITION, format!("inline; filename=\"{filename}\"")))
        .body(bytes)
}

/// List letters, by state, channel, task or patient.
#[utoipa::path(
    tag = "letters", operation_id = "list_letters",
    params(LetterParams),
    responses((status = 200, body = Page<LetterData>), DatedReadErrors),
    security(("bearer" = []))
)]
#[get("/letters")]
pub async fn list_letters(
    state: web::Data<AppState>,
    Auth(actor): Auth,
    q: web::Query<LetterParams>,
) -> Reply {
    let filter = LetterFilter {
        state: q.state.as_deref().map(|s| s.trim().to_string()),
        channel: q.channel.as_deref().map(|s| s.trim().to_string()),
        task_id: given(&q.task_id),
        patient_id: given(&q.patient_id),
        print_batch: match &q.print_batch {
            Some(raw) => Some(parse_date("printBatch", raw)?),
            None => None,
        },
    };
    if filter.state.as_deref().is_some_and(|s| !STATES.contains(&s)) {
        return Err(ApiError::bad_request(
            "state",
            "enum",
            "state must be queued, held, cancelled, sent, failed, printed or replied",
        ));
    }
    if filter.channel.as_deref().is_some_and(|c| c != "email" && c != "print") {
        return Err(ApiError::bad_request("channel", "enum", "channel must be email or print"));
    }
    let page = PageParams { cursor: q.cursor.clone(), limit: q.limit }.page()?;
    let out = state.db(move |c| letters::list(c, &actor, &filter, &page)).await?;
    Ok(HttpResponse::Ok().json(out))
}

/// One PDF of every paper letter still to print that is due on or before the day, one letter per
/// page or more; `X-Letter-Ids` lists them in page order.
#[utoipa::path(
    tag = "letters", operation_id = "get_print_batch",
    params(PrintParams),
    responses(
        (status = 200, description = "The letters to print, as one PDF", content_type = "application/pdf",
         headers(("X-Letter-Ids" = String, description = "Comma-separated letter ids in page order"))),
        DatedReadErrors
    ),
    security(("bearer" = []))
)]
#[get("/letters/print-batch")]
pub async fn get_print_batch(
    state: web::Data<AppState>,
    Auth(actor): Auth,
    q: web::Query<PrintParams>,
) -> Reply {
    let on = match &q.date {
        Some(raw) => parse_date("date", raw)?,
        None => state.clock.today(),
    };
    let cfg = state.followup.clone();
    let (bytes, ids) = state.db(move |c| letters::print_batch(c, &actor, &cfg, on)).await?;
    let mut res = pdf(bytes, &format!("letters-{on}.pdf"));
    if let Ok(v) = header::HeaderValue::from_str(&ids.join(",")) {
        res.headers_mut().insert(header::HeaderName::from_static("x-letter-ids"), v);
    }
    Ok(res)
}

/// Read a letter's record (the text is in its PDF).
#[utoipa::path(
    tag = "letters", operation_id = "get_letter",
    params(("id" = String, Path, description = "Letter id")),
    responses((status = 200, body = LetterData), ReadErrors),
    security(("bearer" = []))
)]
#[get("/letters/{id}")]
pub async fn get_letter(
    state: web::Data<AppState>,
    Auth(actor): Auth,
    id: web::Path<String>,
) -> Reply {
    let out = state.db(move |c| letters::get(c, &actor, &id)).await?;
    Ok(HttpResponse::Ok().json(out))
}

/// One letter as a PDF, to print and post.
#[utoipa::path(
    tag = "letters", operation_id = "get_letter_pdf",
    params(("id" = String, Path, description = "Letter id")),
    responses(
        (status = 200, description = "The letter under the registry's letterhead", content_type = "application/pdf"),
        ReadErrors
    ),
    security(("bearer" = []))
)]
#[get("/letters/{id}/pdf")]
pub async fn get_letter_pdf(
    state: web::Data<AppState>,
    Auth(actor): Auth,
    id: web::Path<String>,
) -> Reply {
    let cfg = state.followup.clone();
    let name = format!("letter-{id}.pdf");
    let bytes = state.db(move |c| letters::pdf(c, &actor, &cfg, &id)).await?;
    Ok(pdf(bytes, &name))
}

/// Mark a paper letter printed (posted).
#[utoipa::path(
    tag = "letters", operation_id = "mark_letter_printed",
    params(("id" = String, Path, description = "Letter id")),
    responses((status = 200, body = LetterData), CreateErrors),
    security(("bearer" = []))
)]
#[post("/letters/{id}/printed")]
pub async fn mark_letter_printed(
    state: web::Data<AppState>,
    Auth(actor): Auth,
    id: web::Path<String>,
) -> Reply {
    let out = state.db(move |c| letters::mark_printed(c, &actor, &id)).await?;
    Ok(HttpResponse::Ok().json(out))
}

/// Record the reply to a letter. The body is the contact the reply reports: `contactDate` is the
/// date the respondent gives (last seen alive, or death), never the day the letter was mailed.
#[utoipa::path(
    tag = "letters", operation_id = "record_letter_reply",
    params(("id" = String, Path, description = "Letter id")),
    request_body = ContactData,
    responses((status = 200, body = LetterData), CreateErrors),
    security(("bearer" = []))
)]
#[post("/letters/{id}/reply")]
pub async fn record_letter_reply(
    state: web::Data<AppState>,
    Auth(actor): Auth,
    id: web::Path<String>,
    body: JsonBody<ContactData>,
) -> Reply {
    let ctx = state.ctx();
    let cfg = state.followup.clone();
    let out =
        state.db(move |c| letters::record_reply(c, &actor, &id, &body.0, ctx, &cfg.policy)).await?;
    Ok(HttpResponse::Ok().json(out))
}

async fn act(
    state: web::Data<AppState>,
    actor: crate::service::Actor,
    id: String,
    action: LetterAction,
    body: Option<LetterActionBody>,
) -> Reply {
    let reason = body.and_then(|b| b.reason);
    let out = state.db(move |c| letters::act(c, &actor, &id, action, reason.as_deref())).await?;
    Ok(HttpResponse::Ok().json(out))
}

/// Cancel a letter not yet printed or sent; it leaves the print batch and the outbox. The reason is
/// kept with it. A letter that went out is never changed (409).
#[utoipa::path(
    tag = "letters", operation_id = "cancel_letter",
    params(("id" = String, Path, description = "Letter id")),
    request_body(content = LetterActionBody, description = "Optional reason"),
    responses((status = 200, body = LetterData), CreateErrors),
    security(("bearer" = []))
)]
#[post("/letters/{id}/cancel")]
pub async fn cancel_letter(
    state: web::Data<AppState>,
    Auth(actor): Auth,
    id: web::Path<String>,
    body: JsonBody<LetterActionBody>,
) -> Reply {
    act(state, actor, id.into_inner(), LetterAction::Cancel, Some(body.0)).await
}

/// Hold a queued letter: it stays out of the print batch and the outbox, and the task's next
/// letter waits, until it is released or cancelled.
#[utoipa::path(
    tag = "letters", operation_id = "hold_letter",
    params(("id" = String, Path, description = "Letter id")),
    responses((status = 200, body = LetterData), CreateErrors),
    security(("bearer" = []))
)]
#[post("/letters/{id}/hold")]
pub async fn hold_letter(
    state: web::Data<AppState>,
    Auth(actor): Auth,
    id: web::Path<String>,
) -> Reply {
    act(state, actor, id.into_inner(), LetterAction::Hold, None).await
}

/// Release a held letter back to the print batch or the outbox.
#[utoipa::path(
    tag = "letters", operation_id = "release_letter",
    params(("id" = String, Path, description = "Letter id")),
    responses((status = 200, body = LetterData), CreateErrors),
    security(("bearer" = []))
)]
#[post("/letters/{id}/release")]
pub async fn release_letter(
    state: web::Data<AppState>,
    Auth(actor): Auth,
    id: web::Path<String>,
) -> Reply {
    act(state, actor, id.into_inner(), LetterAction::Release, None).await
}

/// Correct the recipient of a letter not yet printed or sent; the letter is rendered again with the
/// same reference, date and letterhead.
#[utoipa::path(
    tag = "letters", operation_id = "correct_letter_recipient",
    params(("id" = String, Path, description = "Letter id")),
    request_body = RecipientCorrection,
    responses((status = 200, body = LetterData), CreateErrors),
    security(("bearer" = []))
)]
#[put("/letters/{id}/recipient")]
pub async fn correct_letter_recipient(
    state: web::Data<AppState>,
    Auth(actor): Auth,
    id: web::Path<String>,
    body: JsonBody<RecipientCorrection>,
) -> Reply {
    let cfg = state.followup.clone();
    let out = state.db(move |c| letters::correct_recipient(c, &actor, &cfg, &id, &body.0)).await?;
    Ok(HttpResponse::Ok().json(out))
}
