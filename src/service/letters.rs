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
use super::followup::{FollowUpConfig, Record, domain_task, load_records};
use super::{Actor, PageRequest, Result, Role, ServiceError, utc};
use crate::db::followup::{self as q, IdRange, LetterFilter};
use crate::db::rows::LetterRow;
use crate::db::{DbConn, new_id, now};
use crate::domain::PartialDate;
use crate::domain::followup::{
    Addressee, Channel, FollowUpPolicy, LetterContext, PlannedLetter, SentLetter, TaskState,
    letters_due, mentions_cancer_for,
};
use crate::domain::records::{Address, Physician};
use crate::dto::{ContactData, LetterData, Page};
use crate::mail::pdf::{self, PrintLetter};
use crate::mail::templates::LetterVars;
use crate::mail::{MailError, Mailer, Outgoing};

pub const STATES: [&str; 5] = ["queued", "sent", "failed", "printed", "replied"];

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

/// Renders one planned letter into an outbox row.
fn render_letter(
    cfg: &FollowUpConfig,
    record: &Record,
    task_id: &str,
    last_contact: &PartialDate,
    planned: &PlannedLetter,
    as_of: NaiveDate,
) -> Result<LetterRow> {
    let who = addressed(record, planned.addressee);
    let channel = match planned.channel {
        Channel::Email => "email",
        Channel::Print => "print",
    };
    let vars = LetterVars {
        registry: cfg.registry.clone(),
        channel: channel.into(),
        reference: reference(&planned.idempotency_key),
        date: human_day(as_of),
        recipient_name: who.name,
        recipient_address: who.address,
        patient_name: patient_name(record),
        patient_date_of_birth: record.patient.date_of_birth.as_ref().map(human_date),
        patient_id_number: record.patient.patient_id_number.to_string(),
        last_contact: human_date(last_contact),
        mentions_cancer: mentions_cancer_for(&record.history(), &cfg.policy),
    };
    let rendered = cfg.templates.render(planned.template, &vars).map_err(|e| {
        ServiceError::Db(crate::db::DbError::Query(diesel::result::Error::SerializationError(
            Box::new(e),
        )))
    })?;
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
    })
}

/// What a planning run did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct QueueReport {
    pub tasks: u64,
    pub queued_email: u64,
    pub queued_print: u64,
}

/// Renders and stores every letter due on `as_of` (at most one per task and run, as the domain
/// plans), in batches of tasks. Idempotent: a letter's key is unique, so a second run adds nothing.
pub fn queue_due(conn: &mut DbConn, cfg: &FollowUpConfig, as_of: NaiveDate) -> Result<QueueReport> {
    let mut report = QueueReport::default();
    let mut after: Option<String> = None;
    loop {
        let step = crate::db::transaction(conn, |c| {
            let upto = q::task_slice_end(c, after.as_deref(), super::followup::BATCH)?;
            let range = IdRange { after: after.clone(), upto: upto.clone() };
            let tasks = q::tasks_for_letters(c, as_of, &range)?;
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
            let (mut email, mut print) = (0, 0);
            for row in &tasks {
                let Some(record) = by_id.get(row.patient_id.as_str()) else { continue };
                let task = domain_task(row)?;
                let existing = letters.get(&row.id).map(Vec::as_slice).unwrap_or(&[]);
                let sent: Vec<SentLetter> = existing
                    .iter()
                    .map(|l| SentLetter {
                        step_index: usize::try_from(l.step_index).unwrap_or(usize::MAX),
                        addressee: addressee_parse(&l.recipient),
                        sent_on: l.sent_at.map(|t| t.date()).unwrap_or(l.send_on),
                    })
                    .collect();
                let replied = existing.iter().any(|l| l.state == "replied");
                let ctx = LetterContext::new(&task, &record.patient, &sent, replied);
                for planned in letters_due(&ctx, &cfg.policy, as_of) {
                    let letter =
                        render_letter(cfg, record, &row.id, &task.last_contact, &planned, as_of)?;
                    let is_email = letter.channel == "email";
                    if q::insert_letter(c, &letter)? {
                        if is_email {
                            email += 1
                        } else {
                            print += 1
                        }
                        if task.state == TaskState::Open {
                            q::set_task_state(
                                c,
                                &row.id,
                                "open",
                                TaskState::InProgress.as_str(),
                                None,
                                now(),
                            )?;
                        }
                    }
                }
            }
            Ok::<_, ServiceError>((tasks.len() as u64, email, print, upto))
        })?;
        let (tasks, email, print, upto) = step;
        report.tasks += tasks;
        report.queued_email += email;
        report.queued_print += print;
        match upto {
            Some(end) => after = Some(end),
            None => break,
        }
    }
    Ok(report)
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
    let factor = 2u32.saturating_pow(u32::try_from(attempts.max(0)).unwrap_or(0).min(16));
    base.saturating_mul(factor).min(Duration::from_secs(6 * 3600))
}

/// Sends the e-mail letters whose next attempt has come. Each letter is marked sent right after the
/// server accepts it; a transient failure (server down) puts it back with a backoff and ends the run,
/// so a dead server is not hammered.
pub fn deliver(conn: &mut DbConn, mailer: &Mailer, retry_base: Duration) -> Result<DeliverReport> {
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
            let mail = Outgoing {
                to,
                subject: &letter.subject,
                body: &letter.body,
                message_id: format!("<{}@oncoreg>", &letter.content_hash[..32]),
            };
            let outcome = mailer.send(&mail);
            let at = now();
            match outcome {
                Ok(()) => {
                    crate::db::transaction(conn, |c| q::mark_sent(c, &letter.id, at))?;
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
    crate::db::transaction(conn, |c| {
        let rows = q::list_letters(c, filter, after.as_deref(), page.limit() + 1)?;
        let (rows, next_cursor) = page.page(rows, |r| &r.id);
        let ids: Vec<&str> = rows.iter().map(|r| r.id.as_str()).collect();
        audit::record(c, actor, Action::Read, "letter", &ids)?;
        Ok(Page { items: rows.iter().map(letter_out).collect(), next_cursor })
    })
}

pub fn get(conn: &mut DbConn, actor: &Actor, id: &str) -> Result<LetterData> {
    actor.require(Role::Viewer)?;
    crate::db::transaction(conn, |c| {
        let row = q::get_letter(c, id)?.ok_or(ServiceError::NotFound("letter"))?;
        audit::record(c, actor, Action::Read, "letter", &[id])?;
        Ok(letter_out(&row))
    })
}

fn render_pdf(cfg: &FollowUpConfig, rows: &[LetterRow]) -> Result<Vec<u8>> {
    let letters: Vec<PrintLetter> = rows.iter().map(|r| PrintLetter { body: &r.body }).collect();
    pdf::render(&cfg.registry, &letters).map_err(|e| {
        ServiceError::Db(crate::db::DbError::Query(diesel::result::Error::SerializationError(
            Box::new(e),
        )))
    })
}

/// One letter as a PDF (any channel: an e-mailed letter can be printed too).
pub fn pdf(conn: &mut DbConn, actor: &Actor, cfg: &FollowUpConfig, id: &str) -> Result<Vec<u8>> {
    actor.require(Role::Viewer)?;
    let row = crate::db::transaction(conn, |c| {
        let row = q::get_letter(c, id)?.ok_or(ServiceError::NotFound("letter"))?;
        audit::record(c, actor, Action::Read, "letter", &[id])?;
        Ok::<_, ServiceError>(row)
    })?;
    render_pdf(cfg, std::slice::from_ref(&row))
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
    let rows = crate::db::transaction(conn, |c| {
        let rows = q::print_queue(c, on, PRINT_BATCH_MAX)?;
        let ids: Vec<&str> = rows.iter().map(|r| r.id.as_str()).collect();
        audit::record(c, actor, Action::Read, "letter", &ids)?;
        Ok::<_, ServiceError>(rows)
    })?;
    let ids = rows.iter().map(|r| r.id.clone()).collect();
    Ok((render_pdf(cfg, &rows)?, ids))
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
        let saved = contacts::create_in(c, actor, &row.patient_id, contact, ctx, policy)?;
        let contact_id = saved.id.clone().unwrap_or_default();
        q::mark_replied(c, id, &contact_id, now())?;
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
