//! Reminder letters: planning and rendering the letters due (into the outbox), delivering e-mail from
//! the outbox, printing, and recording replies.
//!
//! Exactly-once in effect: a letter is rendered once and stored with its idempotency key
//! (`<cycle key>/letter/<step>`, unique) before anything is sent, so re-running the job never makes a
//! second letter for the same step. Delivery reads the stored letter, sends it, then marks it sent;
//! a crash before the mark leaves it queued and the next run sends it. The one window left is a crash
//! between the SMTP server's acceptance and that mark; the Message-ID is derived from the key, so the
//! receiving side sees the same message twice, not two letters.

use std::collections::HashMap;
use std::time::Duration;

use chrono::{Datelike, NaiveDate};
use sha2::{Digest, Sha256};

use super::audit::{self, Action};
use super::contacts;
use super::followup::{FollowUpConfig, Record, domain_task, load_records, parallel_map};
use super::{Actor, PageRequest, Result, Role, ServiceError, utc};
pub use crate::db::followup::LetterFilter;
use crate::db::followup::{self as q};
use crate::db::rows::{LetterRow, TaskRow};
use crate::db::{DbConn, new_id, now};
use crate::domain::PartialDate;
use crate::domain::followup::{
    Addressee, Channel, FollowUpPolicy, LetterContext, Letterhead, PlannedLetter, SentLetter,
    letter_plan, letters_due, mentions_cancer_for, salutation_for_patient,
    salutation_for_physician,
};
use crate::domain::records::{Address, Physician};
use crate::mail::pdf::{self, PrintLetter};
use crate::mail::templates::{LetterVars, PAGE_BREAK, TEMPLATES};
use crate::mail::{MailError, Mailer, Outgoing};
use crate::model::{ContactData, LetterData, Page, RecipientCorrection};

pub const STATES: [&str; 7] =
    ["queued", "held", "cancelled", "sent", "failed", "printed", "replied"];

/// States of a letter not yet printed or sent: the ones a registrar may still change or cancel.
pub const UNSENT: [&str; 2] = ["queued", "held"];

pub(crate) fn letter_out(row: &LetterRow) -> LetterData {
    LetterData {
        id: row.id.clone(),
        task_id: row.task_id.clone(),
        patient_id: row.patient_id.clone(),
        idempotency_key: row.idempotency_key.clone(),
        recipient: row.recipient.clone(),
        recipient_email: row.recipient_email.clone(),
        channel: row.channel.clone(),
        template: row.template.clone(),
        subject: row.subject.clone(),
        content_hash: row.content_hash.clone(),
        state: row.state.clone(),
        send_on: row.send_on,
        attempts: row.attempts,
        last_error: row.last_error.clone(),
        sent_at: row.sent_at.map(utc),
        printed_at: row.printed_at.map(utc),
        replied_at: row.replied_at.map(utc),
        reply_contact_id: row.reply_contact_id.clone(),
        created_at: utc(row.created_at),
        updated_at: utc(row.updated_at),
        round: row.round,
        cancel_reason: row.cancel_reason.clone(),
        recipient_name: row.recipient_name.clone(),
        recipient_address: serde_json::from_str(&row.recipient_address).unwrap_or_default(),
        worklist: None,
    }
}

fn addressee_str(a: Addressee) -> &'static str {
    match a {
        Addressee::ManagingPhysician => "managing_physician",
        Addressee::FollowUpPhysician => "follow_up_physician",
        Addressee::Patient => "patient",
    }
}

fn addressee_parse(s: &str) -> Addressee {
    match s {
        "managing_physician" => Addressee::ManagingPhysician,
        "follow_up_physician" => Addressee::FollowUpPhysician,
        _ => Addressee::Patient,
    }
}

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

fn month_name(m: u32) -> &'static str {
    MONTHS.get(m.saturating_sub(1) as usize).copied().unwrap_or("")
}

/// `10 May 2025`, `May 2025` or `2025`.
pub fn human_date(d: &PartialDate) -> String {
    match (d.month(), d.day()) {
        (Some(m), Some(day)) => format!("{day} {} {}", month_name(u32::from(m)), d.year()),
        (Some(m), None) => format!("{} {}", month_name(u32::from(m)), d.year()),
        _ => d.year().to_string(),
    }
}

fn human_day(d: NaiveDate) -> String {
    format!("{} {} {}", d.day(), month_name(d.month()), d.year())
}

fn address_lines(a: &Address) -> Vec<String> {
    let mut lines = Vec::new();
    if let Some(s) = &a.street {
        lines.push(s.clone());
    }
    let city =
        [a.city.clone(), a.state.clone()].into_iter().flatten().collect::<Vec<_>>().join(", ");
    let line = [Some(city).filter(|c| !c.is_empty()), a.postal_code.clone()]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" ");
    if !line.is_empty() {
        lines.push(line);
    }
    if let Some(c) = a.country.as_ref().filter(|c| c.as_str() != "USA") {
        lines.push(c.clone());
    }
    lines
}

/// The reference printed on a letter: from its idempotency key, so the same letter always has it.
fn reference(key: &str) -> String {
    hex::encode(Sha256::digest(key.as_bytes()))[..10].to_ascii_uppercase()
}

fn content_hash(subject: &str, body: &str) -> String {
    hex::encode(Sha256::digest(format!("{subject}\n\n{body}").as_bytes()))
}

struct Addressed {
    name: Option<String>,
    address: Vec<String>,
    email: Option<String>,
}

fn addressed(record: &Record, who: Addressee) -> Addressed {
    let physician = |p: Option<&Physician>| Addressed {
        name: p.and_then(|p| p.name.clone()),
        address: p.map(|p| address_lines(&p.address)).unwrap_or_default(),
        email: p.and_then(|p| p.email.clone()),
    };
    let p = &record.patient;
    match who {
        Addressee::ManagingPhysician => physician(p.physician_managing.as_ref()),
        Addressee::FollowUpPhysician => physician(p.physician_follow_up.as_ref()),
        Addressee::Patient => Addressed {
            name: Some(patient_name(record)),
            address: address_lines(&p.current_address),
            email: p.email.clone(),
        },
    }
}

fn patient_name(record: &Record) -> String {
    let p = &record.patient;
    [p.name_first.as_deref(), p.name_last.as_deref()]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" ")
}

fn render_failed(e: impl std::error::Error + Send + Sync + 'static) -> ServiceError {
    ServiceError::Db(crate::db::DbError::Query(diesel::result::Error::SerializationError(
        Box::new(e),
    )))
}

/// Everything one letter is rendered from besides the patient's record.
struct LetterInput<'a> {
    letterhead: &'a Letterhead,
    task_id: &'a str,
    last_contact: &'a PartialDate,
    planned: &'a PlannedLetter,
    who: Addressed,
}

/// Renders one planned letter into an outbox row, dated `planned.send_on` (the day it is made).
fn render_letter(cfg: &FollowUpConfig, record: &Record, input: LetterInput) -> Result<LetterRow> {
    let LetterInput { letterhead, task_id, last_contact, planned, who } = input;
    let channel = match planned.channel {
        Channel::Email => "email",
        Channel::Print => "print",
    };
    let salutation = match planned.addressee {
        Addressee::Patient => salutation_for_patient(&record.patient),
        _ => salutation_for_physician(Some(&Physician {
            name: who.name.clone(),
            npi: None,
            address: Address::default(),
            email: None,
        })),
    };
    let may_name_diagnosis =
        planned.addressee != Addressee::Patient || cfg.policy.patient_letters_name_diagnosis;
    let vars = LetterVars {
        registry: letterhead.clone(),
        channel: channel.into(),
        reference: reference(&planned.idempotency_key),
        date: human_day(planned.send_on),
        recipient_name: who.name.clone(),
        salutation,
        reply_address: letterhead.reply_address().to_vec(),
        page_break: PAGE_BREAK,
        recipient_address: who.address.clone(),
        patient_name: patient_name(record),
        patient_date_of_birth: record.patient.date_of_birth.as_ref().map(human_date),
        patient_id_number: record.patient.patient_id_number.to_string(),
        last_contact: human_date(last_contact),
        mentions_cancer: may_name_diagnosis && mentions_cancer_for(&record.history(), &cfg.policy),
    };
    let rendered = cfg.templates.render(planned.template, &vars).map_err(render_failed)?;
    let at = now();
    Ok(LetterRow {
        id: new_id(),
        task_id: task_id.to_string(),
        patient_id: record.row.id.clone(),
        idempotency_key: planned.idempotency_key.clone(),
        step_index: i32::try_from(planned.step_index).unwrap_or(i32::MAX),
        recipient: addressee_str(planned.addressee).into(),
        recipient_email: if channel == "email" { who.email } else { None },
        channel: channel.into(),
        template: planned.template.into(),
        content_hash: content_hash(&rendered.subject, &rendered.body),
        subject: rendered.subject,
        body: rendered.body,
        state: "queued".into(),
        send_on: planned.send_on,
        attempts: 0,
        next_attempt_at: at,
        last_error: None,
        sent_at: None,
        printed_at: None,
        replied_at: None,
        reply_contact_id: None,
        created_at: at,
        updated_at: at,
        round: i32::try_from(planned.round).unwrap_or(i32::MAX),
        cancel_reason: None,
        recipient_name: who.name,
        recipient_address: serde_json::to_string(&who.address).map_err(render_failed)?,
        letterhead: serde_json::to_string(letterhead).map_err(render_failed)?,
    })
}

/// The letters of a task as the plan counts them: every letter made (a letter a registrar cancelled
/// counts as its step done; an active task has no letters cancelled by its completion).
fn made(existing: &[LetterRow]) -> Vec<SentLetter> {
    existing
        .iter()
        .map(|l| SentLetter {
            step_index: usize::try_from(l.step_index).unwrap_or(usize::MAX),
            addressee: addressee_parse(&l.recipient),
            sent_on: l.send_on,
            round: u32::try_from(l.round).unwrap_or(0),
        })
        .collect()
}

/// What a planning run did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct QueueReport {
    pub tasks: u64,
    pub queued_email: u64,
    pub queued_print: u64,
    /// Paper letters due but left for the following days by the daily cap.
    pub waiting_print: u64,
}

/// Renders and stores every letter due on `as_of` (at most one per task and run, as the domain
/// plans), in batches of tasks, oldest due first. Idempotent: a letter's key is unique and the day's
/// paper letters count against the cap, so a second run for the same day adds nothing. Lost tasks
/// are chased like the others; a task whose letter a registrar holds waits.
pub fn queue_due(conn: &mut DbConn, cfg: &FollowUpConfig, as_of: NaiveDate) -> Result<QueueReport> {
    let mut report = QueueReport::default();
    let letterhead = crate::db::transaction(conn, |c| {
        super::settings::letterhead(c, &cfg.registry).map(|(l, _)| l)
    })?;
    let made_today = q::print_letters_made_on(conn, as_of)?;
    let mut print_left = cfg.policy.daily_print_cap.map(|cap| i64::from(cap) - made_today);
    let mut after: Option<(NaiveDate, String)> = None;
    loop {
        let step = crate::db::transaction(conn, |c| {
            let tasks = q::tasks_for_letters(c, as_of, after.as_ref(), super::followup::BATCH)?;
            let task_ids: Vec<String> = tasks.iter().map(|t| t.id.clone()).collect();
            let mut letters: HashMap<String, Vec<LetterRow>> = HashMap::new();
            for l in q::letters_of_tasks(c, &task_ids)? {
                letters.entry(l.task_id.clone()).or_default().push(l);
            }
            let mut ids: Vec<String> = tasks.iter().map(|t| t.patient_id.clone()).collect();
            ids.sort();
            ids.dedup();
            let records = load_records(c, &ids)?;
            let by_id: HashMap<&str, &Record> =
                records.iter().map(|r| (r.row.id.as_str(), r)).collect();
            let mut done = QueueReport { tasks: tasks.len() as u64, ..QueueReport::default() };
            // Plan in due order (the cap serves the longest waiting first), render in parallel,
            // write the batch with a few statements.
            let mut due: Vec<(&TaskRow, &Record, PartialDate, PlannedLetter)> = Vec::new();
            let mut next_on: HashMap<Option<NaiveDate>, Vec<String>> = HashMap::new();
            for row in &tasks {
                let Some(record) = by_id.get(row.patient_id.as_str()) else { continue };
                let task = domain_task(row)?;
                let existing = letters.get(&row.id).map(Vec::as_slice).unwrap_or(&[]);
                let sent = made(existing);
                let replied = existing.iter().any(|l| l.state == "replied");
                let held = existing.iter().any(|l| l.state == "held");
                let mut ctx = LetterContext::new(&task, &record.patient, &sent, replied);
                ctx.held = held;
                let mut sent_now = sent.clone();
                let mut waiting = false;
                for planned in letters_due(&ctx, &cfg.policy, as_of) {
                    if planned.channel == Channel::Print {
                        if print_left.is_some_and(|n| n <= 0) {
                            done.waiting_print += 1;
                            waiting = true;
                            continue;
                        }
                        print_left = print_left.map(|n| n - 1);
                    }
                    sent_now.push(SentLetter {
                        step_index: planned.step_index,
                        addressee: planned.addressee,
                        sent_on: planned.send_on,
                        round: planned.round,
                    });
                    due.push((row, record, task.last_contact, planned));
                }
                // Until this day nothing can be due (the steps' spacing holds whoever the recipient
                // is), so the next runs pass the task by; with nothing planned it is planned again.
                let mut after_ctx = LetterContext::new(&task, &record.patient, &sent_now, replied);
                after_ctx.held = held;
                let next = if waiting {
                    None
                } else {
                    letter_plan(&after_ctx, &cfg.policy).first().map(|l| l.send_on)
                };
                if next != row.next_letter_on {
                    next_on.entry(next).or_default().push(row.id.clone());
                }
            }
            let rendered = parallel_map(due, |(row, record, last_contact, planned)| {
                let input = LetterInput {
                    letterhead: &letterhead,
                    task_id: &row.id,
                    last_contact: &last_contact,
                    planned: &planned,
                    who: addressed(record, planned.addressee),
                };
                render_letter(cfg, record, input).map(|l| (l, planned.step_index))
            });
            let mut made_rows = Vec::with_capacity(rendered.len());
            let mut steps: HashMap<i32, Vec<String>> = HashMap::new();
            for r in rendered {
                let (letter, step) = r?;
                let next = i32::try_from(step + 1).unwrap_or(i32::MAX);
                steps.entry(next).or_default().push(letter.task_id.clone());
                made_rows.push(letter);
            }
            for letter in q::insert_letters(c, &made_rows)? {
                if letter.channel == "print" {
                    done.queued_print += 1;
                } else {
                    done.queued_email += 1;
                }
            }
            for (step, ids) in &steps {
                q::advance_tasks(c, ids, *step, now())?;
            }
            for (day, ids) in &next_on {
                q::set_next_letter_on(c, ids, *day)?;
            }
            let last = tasks.last().map(|t| (t.due_on, t.id.clone()));
            Ok::<_, ServiceError>((done, last))
        })?;
        let (done, last) = step;
        report.tasks += done.tasks;
        report.queued_email += done.queued_email;
        report.queued_print += done.queued_print;
        report.waiting_print += done.waiting_print;
        match last {
            Some(l) => after = Some(l),
            None => break,
        }
    }
    Ok(report)
}

/// Cancels the task's letters not yet printed or sent, with the reason; they leave the print batch
/// and the outbox. Returns how many.
pub(crate) fn cancel_unsent(conn: &mut DbConn, task_id: &str, reason: &str) -> Result<usize> {
    Ok(q::cancel_letters_of_task(conn, task_id, reason, now())?)
}

/// The e-mail text of a letter: the reply form's page break becomes a cut line.
fn email_body(body: &str) -> String {
    body.replace(PAGE_BREAK, "- - - - - - - - - - - - - - reply form - - - - - - - - - - - - - -")
}

/// What a delivery run did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DeliverReport {
    pub sent: u64,
    /// Failed for now; retried after the backoff.
    pub retrying: u64,
    /// Refused for good (`failed`, with the reason).
    pub failed: u64,
}

/// The wait before attempt `attempts + 1`: `base`, doubling per attempt, at most six hours.
pub fn backoff(base: Duration, attempts: i32) -> Duration {
    use backon::BackoffBuilder;
    let max = Duration::from_secs(6 * 3600);
    let mut delays = backon::ExponentialBuilder::new()
        .with_min_delay(base)
        .with_factor(2.0)
        .with_max_delay(max)
        .without_max_times()
        .build();
    let attempts = usize::try_from(attempts.max(0)).unwrap_or(0);
    delays.nth(attempts).unwrap_or(max).min(max)
}

/// The e-mail of a letter under the `notice` policy: no patient data, only where the request
/// can be answered.
fn notice_body(letter: &LetterRow) -> String {
    let head: Option<Letterhead> = serde_json::from_str(&letter.letterhead).ok();
    let (name, phone, address) = match &head {
        Some(h) => (h.name.as_str(), h.phone.as_str(), h.address.as_slice()),
        None => ("The cancer registry", "the registry", &[][..]),
    };
    let mut out = format!(
        "{name} has a follow-up request for you (see the subject for its reference).\n\n\
         To protect the patient's privacy it is not sent by e-mail. Please call {phone} and \
         quote the reference, or return the reply form the registry sends by post.\n\n{name}\n",
    );
    for line in address {
        out.push_str(line);
        out.push('\n');
    }
    out
}

/// Sends the e-mail letters whose next attempt has come. Each letter is marked sent right after the
/// server accepts it; a transient failure (server down) puts it back with a backoff and ends the run,
/// so a dead server is not hammered. With `notice_only` each e-mail says only that a request waits
/// and how to answer it (the registry's policy on patient data in e-mail).
pub fn deliver(
    conn: &mut DbConn,
    mailer: &Mailer,
    retry_base: Duration,
    notice_only: bool,
) -> Result<DeliverReport> {
    let mut report = DeliverReport::default();
    loop {
        let batch = q::outbox(conn, now(), 100)?;
        if batch.is_empty() {
            return Ok(report);
        }
        for letter in batch {
            let Some(to) = letter.recipient_email.as_deref() else {
                let at = now();
                crate::db::transaction(conn, |c| {
                    q::mark_attempt_failed(c, &letter.id, "failed", "no e-mail address", at, at)
                })?;
                report.failed += 1;
                continue;
            };
            let body = if notice_only { notice_body(&letter) } else { email_body(&letter.body) };
            let mail = Outgoing {
                to,
                subject: &letter.subject,
                body: &body,
                message_id: format!("<{}@oncoreg>", &letter.content_hash[..32]),
            };
            let outcome = mailer.send(&mail);
            let at = now();
            match outcome {
                Ok(()) => {
                    crate::db::transaction(conn, |c| {
                        q::mark_sent(c, &letter.id, at)?;
                        disclosed(
                            c,
                            &Actor::system("send-letters"),
                            "send-letters: e-mail",
                            &[&letter],
                        )
                    })?;
                    report.sent += 1;
                }
                Err(MailError::Transient(e)) => {
                    let wait = backoff(retry_base, letter.attempts);
                    let next = at + chrono::Duration::from_std(wait).unwrap_or_default();
                    crate::db::transaction(conn, |c| {
                        q::mark_attempt_failed(c, &letter.id, "queued", &e, next, at)
                    })?;
                    tracing::warn!(letter = %letter.id, error = %e, "SMTP delivery failed; will retry");
                    report.retrying += 1;
                    return Ok(report);
                }
                Err(e) => {
                    let reason = e.to_string();
                    crate::db::transaction(conn, |c| {
                        q::mark_attempt_failed(c, &letter.id, "failed", &reason, at, at)
                    })?;
                    tracing::warn!(letter = %letter.id, "SMTP refused the letter for good");
                    report.failed += 1;
                }
            }
        }
    }
}

// --- the letters API -------------------------------------------------------------------------------

pub fn list(
    conn: &mut DbConn,
    actor: &Actor,
    filter: &LetterFilter,
    page: &PageRequest,
) -> Result<Page<LetterData>> {
    actor.require(Role::Viewer)?;
    let after = page.after()?;
    super::read(conn, actor, |c| {
        let rows = q::list_letters(c, filter, after.as_deref(), page.limit() + 1)?;
        let (rows, next_cursor) = page.page(rows, |r| &r.id);
        let ids: Vec<&str> = rows.iter().map(|r| r.id.as_str()).collect();
        audit::record(c, actor, Action::Read, "letter", &ids)?;
        let patients: Vec<&str> = rows.iter().map(|r| r.patient_id.as_str()).collect();
        audit::record(c, actor, Action::Read, "patient", &patients)?;
        Ok(Page { items: letters_in_words(c, &rows)?, next_cursor })
    })
}

pub fn get(conn: &mut DbConn, actor: &Actor, id: &str) -> Result<LetterData> {
    actor.require(Role::Viewer)?;
    super::read(conn, actor, |c| {
        let row = q::get_letter(c, id)?.ok_or(ServiceError::NotFound("letter"))?;
        audit::record(c, actor, Action::Read, "letter", &[id])?;
        audit::record(c, actor, Action::Read, "patient", &[row.patient_id.as_str()])?;
        let mut out = letters_in_words(c, std::slice::from_ref(&row))?;
        out.pop().ok_or(ServiceError::NotFound("letter"))
    })
}

/// Audits letters going out (e-mailed, or in a PDF to print): per letter, its recipient and its
/// patient. Within a request the request's event names them; otherwise an event of `operation`.
fn disclosed(c: &mut DbConn, actor: &Actor, operation: &str, rows: &[&LetterRow]) -> Result<()> {
    let sink = actor.audit.clone().unwrap_or_default();
    for r in rows {
        let to = Some(r.recipient.as_str());
        sink.note(Action::Disclose, "letter", &[r.id.as_str()], to);
        sink.note(Action::Disclose, "patient", &[r.patient_id.as_str()], to);
    }
    if actor.audit.is_none() {
        audit::write(c, actor, operation, &sink)?;
    }
    Ok(())
}

/// Letters as the worklist and the print batch show them: with the patient and tumors in words.
fn letters_in_words(conn: &mut DbConn, rows: &[LetterRow]) -> Result<Vec<LetterData>> {
    let ids: Vec<String> = rows.iter().map(|r| r.patient_id.clone()).collect();
    let words = super::worklist::patients_in_words(conn, &ids)?;
    Ok(rows
        .iter()
        .map(|r| LetterData { worklist: words.get(&r.patient_id).cloned(), ..letter_out(r) })
        .collect())
}

/// The PDF of `rows`, each under the letterhead stored with it; `current` (the stored letterhead)
/// heads a letter made before letters kept theirs, and the page of an empty batch.
fn render_pdf(current: &Letterhead, rows: &[LetterRow]) -> Result<Vec<u8>> {
    let heads: Vec<Letterhead> = rows
        .iter()
        .map(|r| serde_json::from_str(&r.letterhead).unwrap_or_else(|_| current.clone()))
        .collect();
    let letters: Vec<PrintLetter> = rows
        .iter()
        .zip(&heads)
        .map(|(r, letterhead)| PrintLetter { body: &r.body, letterhead })
        .collect();
    pdf::render(current, &letters).map_err(render_failed)
}

/// One letter as a PDF (any channel: an e-mailed letter can be printed too).
pub fn pdf(conn: &mut DbConn, actor: &Actor, cfg: &FollowUpConfig, id: &str) -> Result<Vec<u8>> {
    actor.require(Role::Viewer)?;
    let (row, current) = super::read(conn, actor, |c| {
        let row = q::get_letter(c, id)?.ok_or(ServiceError::NotFound("letter"))?;
        disclosed(c, actor, "letter pdf", &[&row])?;
        let (current, _) = super::settings::letterhead(c, &cfg.registry)?;
        Ok::<_, ServiceError>((row, current))
    })?;
    render_pdf(&current, std::slice::from_ref(&row))
}

/// Most letters one print batch holds.
pub const PRINT_BATCH_MAX: i64 = 1000;

/// One PDF of the paper letters still to print that are due on or before `on`; returns the PDF and
/// the ids of the letters in it, in page order.
pub fn print_batch(
    conn: &mut DbConn,
    actor: &Actor,
    cfg: &FollowUpConfig,
    on: NaiveDate,
) -> Result<(Vec<u8>, Vec<String>)> {
    actor.require(Role::Viewer)?;
    let (rows, current) = super::read(conn, actor, |c| {
        let rows = q::print_queue(c, on, PRINT_BATCH_MAX)?;
        disclosed(c, actor, "print batch", &rows.iter().collect::<Vec<_>>())?;
        let (current, _) = super::settings::letterhead(c, &cfg.registry)?;
        Ok::<_, ServiceError>((rows, current))
    })?;
    let ids = rows.iter().map(|r| r.id.clone()).collect();
    Ok((render_pdf(&current, &rows)?, ids))
}

pub fn mark_printed(conn: &mut DbConn, actor: &Actor, id: &str) -> Result<LetterData> {
    actor.require(Role::Registrar)?;
    crate::db::transaction(conn, |c| {
        let row = q::get_letter(c, id)?.ok_or(ServiceError::NotFound("letter"))?;
        if !q::mark_printed(c, id, now())? {
            let message = if row.channel != "print" {
                "only a paper letter can be marked printed"
            } else {
                "the letter is no longer waiting to be printed"
            };
            return Err(ServiceError::Conflict {
                rule: "state",
                field: "state",
                message: message.into(),
            });
        }
        audit::record(c, actor, Action::Update, "letter", &[id])?;
        let row = q::get_letter(c, id)?.ok_or(ServiceError::NotFound("letter"))?;
        Ok(letter_out(&row))
    })
}

/// Records the reply to a letter as a contact of the patient. The contact date is the date the
/// respondent gives (last seen alive, or death), never the day the letter went out; a newer date
/// completes the follow-up task and no further letters go out for the cycle.
pub fn record_reply(
    conn: &mut DbConn,
    actor: &Actor,
    id: &str,
    data: &ContactData,
    ctx: super::Ctx,
    policy: &FollowUpPolicy,
) -> Result<LetterData> {
    actor.require(Role::Registrar)?;
    let contact = data.to_domain().map_err(ServiceError::Invalid)?;
    crate::db::transaction(conn, |c| {
        let row = q::get_letter(c, id)?.ok_or(ServiceError::NotFound("letter"))?;
        if row.state == "replied" {
            return Err(ServiceError::Conflict {
                rule: "state",
                field: "state",
                message: "a reply to this letter is already recorded".into(),
            });
        }
        if !matches!(row.state.as_str(), "sent" | "printed" | "queued") {
            return Err(ServiceError::Conflict {
                rule: "state",
                field: "state",
                message: format!(
                    "a {} letter cannot be answered; record a contact instead",
                    row.state
                ),
            });
        }
        // Answered first, so the contact's completion of the task does not cancel this letter.
        q::mark_replied(c, id, "", now())?;
        let saved = contacts::create_in(c, actor, &row.patient_id, contact, ctx, policy)?;
        q::set_reply_contact(c, id, saved.id.as_deref().unwrap_or_default())?;
        cancel_unsent(c, &row.task_id, "a reply to an earlier letter was recorded")?;
        audit::record(c, actor, Action::Update, "letter", &[id])?;
        let row = q::get_letter(c, id)?.ok_or(ServiceError::NotFound("letter"))?;
        Ok(letter_out(&row))
    })
}

/// What a registrar does to a single letter before it goes out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LetterAction {
    /// Never send it (queued or held → cancelled, with the reason).
    Cancel,
    /// Keep it out of the print batch and the outbox for now (queued → held).
    Hold,
    /// Let a held letter go again (held → queued).
    Release,
}

/// Cancels, holds or releases one letter. A letter already printed or sent never changes: 409.
pub fn act(
    conn: &mut DbConn,
    actor: &Actor,
    id: &str,
    action: LetterAction,
    reason: Option<&str>,
) -> Result<LetterData> {
    actor.require(Role::Registrar)?;
    let too_long = reason.is_some_and(|r| r.chars().count() > 500);
    let reason = reason.map(str::trim).filter(|r| !r.is_empty());
    if too_long || reason.is_some_and(|r| r.chars().any(char::is_control)) {
        return Err(ServiceError::Invalid(vec![crate::domain::Violation {
            field: "reason".into(),
            rule: "text.format",
            message: "a reason is one line of at most 500 characters".into(),
        }]));
    }
    let (from, to): (&[&str], &str) = match action {
        LetterAction::Cancel => (&UNSENT, "cancelled"),
        LetterAction::Hold => (&["queued"], "held"),
        LetterAction::Release => (&["held"], "queued"),
    };
    let reason = match action {
        LetterAction::Cancel => Some(reason.unwrap_or("cancelled by a registrar").to_string()),
        _ => None,
    };
    crate::db::transaction(conn, |c| {
        let row = q::get_letter(c, id)?.ok_or(ServiceError::NotFound("letter"))?;
        if !q::move_letter(c, id, from, to, reason.as_deref(), now())? {
            let message = match row.state.as_str() {
                "sent" | "printed" | "replied" | "failed" => format!(
                    "the letter is already {}; a letter that went out is never changed",
                    row.state
                ),
                s => format!("a {s} letter cannot be moved to {to}"),
            };
            return Err(ServiceError::Conflict { rule: "state", field: "state", message });
        }
        audit::record(c, actor, Action::Update, "letter", &[id])?;
        let row = q::get_letter(c, id)?.ok_or(ServiceError::NotFound("letter"))?;
        Ok(letter_out(&row))
    })
}

/// Corrects the recipient of a letter not yet printed or sent, and renders it again (same
/// reference, same date, same letterhead).
pub fn correct_recipient(
    conn: &mut DbConn,
    actor: &Actor,
    cfg: &FollowUpConfig,
    id: &str,
    data: &RecipientCorrection,
) -> Result<LetterData> {
    actor.require(Role::Registrar)?;
    let fix = data.parse().map_err(ServiceError::Invalid)?;
    crate::db::transaction(conn, |c| {
        let row = q::get_letter(c, id)?.ok_or(ServiceError::NotFound("letter"))?;
        if !UNSENT.contains(&row.state.as_str()) {
            return Err(ServiceError::Conflict {
                rule: "state",
                field: "state",
                message: format!(
                    "the letter is already {}; a letter that went out is never changed",
                    row.state
                ),
            });
        }
        if row.channel == "email" && fix.email.is_none() {
            return Err(ServiceError::Invalid(vec![crate::domain::Violation {
                field: "email".into(),
                rule: "required",
                message: "an e-mailed letter needs the corrected e-mail address".into(),
            }]));
        }
        let task = q::get_task(c, &row.task_id)?.ok_or(ServiceError::NotFound("follow-up task"))?;
        let records = load_records(c, std::slice::from_ref(&row.patient_id))?;
        let record = records.first().ok_or(ServiceError::NotFound("patient"))?;
        let template = TEMPLATES
            .iter()
            .map(|(name, _)| *name)
            .find(|n| *n == row.template)
            .ok_or(ServiceError::NotFound("letter template"))?;
        let planned = PlannedLetter {
            step_index: usize::try_from(row.step_index).unwrap_or(0),
            round: u32::try_from(row.round).unwrap_or(0),
            addressee: addressee_parse(&row.recipient),
            template,
            channel: if row.channel == "email" { Channel::Email } else { Channel::Print },
            send_on: row.send_on,
            idempotency_key: row.idempotency_key.clone(),
        };
        let letterhead: Letterhead =
            serde_json::from_str(&row.letterhead).unwrap_or_else(|_| cfg.registry.clone());
        let last_contact = domain_task(&task)?.last_contact;
        let input = LetterInput {
            letterhead: &letterhead,
            task_id: &row.task_id,
            last_contact: &last_contact,
            planned: &planned,
            who: Addressed { name: Some(fix.name), address: fix.address, email: fix.email },
        };
        let new = render_letter(cfg, record, input)?;
        q::rewrite_letter(c, id, &new, now())?;
        audit::record(c, actor, Action::Update, "letter", &[id])?;
        let row = q::get_letter(c, id)?.ok_or(ServiceError::NotFound("letter"))?;
        Ok(letter_out(&row))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_and_caps() {
        let base = Duration::from_secs(60);
        assert_eq!(backoff(base, 0), Duration::from_secs(60));
        assert_eq!(backoff(base, 3), Duration::from_secs(480));
        assert_eq!(backoff(base, 40), Duration::from_secs(6 * 3600));
        assert_eq!(backoff(Duration::ZERO, 5), Duration::ZERO);
    }

    #[test]
    fn human_dates() {
        let d = |s| PartialDate::parse_iso(s).expect("date");
        assert_eq!(human_date(&d("2025-05-10")), "10 May 2025");
        assert_eq!(human_date(&d("2025-05")), "May 2025");
        assert_eq!(human_date(&d("2025")), "2025");
    }
}
