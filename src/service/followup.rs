//! Annual follow-up use-cases: the settings they run under, loading patient histories in bulk,
//! generating one task per cycle, marking tasks lost, the worklist, assignment, and closing a task with
//! a contact. The domain (`domain::followup`) decides what is due, lost or completed.

use std::collections::HashMap;
use std::path::Path;

use chrono::{Datelike, Days, Months, NaiveDate};

use super::audit::{self, Action};
use super::contacts;
use super::history::Loaded;
use super::{Actor, PageRequest, Result, Role, ServiceError, parse_doc, utc};
use crate::config::FollowUpSettings;
pub use crate::db::followup::TaskSort;
use crate::db::followup::{self as q, IdRange, TaskFilter};
use crate::db::repo::{self, TumorDoc};
use crate::db::rows::TaskRow;
use crate::db::{DbConn, new_id, now};
use crate::domain::PartialDate;
use crate::domain::chronology::PatientHistory;
use crate::domain::followup::{
    Completion, Eligibility, FollowUpClock, FollowUpPolicy, FollowUpTask, Recipient, TaskState,
    completion, cycle_key, eligibility, next_state, task_due,
};
use crate::domain::records::{Contact, Patient, Tumor};
use crate::domain::{RuleError, Violation};
use crate::mail::templates::{Registry, TemplateError, Templates};
use crate::model::{ContactData, Page, PatientData, TaskContactResult, TaskData, TumorData};

/// Rows per batch of the bulk jobs: one transaction and a handful of queries each.
pub const BATCH: i64 = 5000;

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("follow-up policy {path}: {message}")]
    Policy { path: String, message: String },
    #[error(transparent)]
    Template(#[from] TemplateError),
}

/// What the follow-up use-cases run under, built once from the settings.
#[derive(Debug)]
pub struct FollowUpConfig {
    pub policy: FollowUpPolicy,
    pub templates: Templates,
    /// The letterhead from the settings: stored on first start, after which the stored copy wins
    /// (`service::settings::letterhead`).
    pub registry: Registry,
    pub reference_date: NaiveDate,
    pub settings: FollowUpSettings,
}

impl FollowUpConfig {
    pub fn from_settings(s: &FollowUpSettings) -> std::result::Result<Self, ConfigError> {
        let policy = match &s.followup_policy {
            Some(path) => load_policy(path)?,
            None => FollowUpPolicy::default(),
        };
        let address = s
            .registry_address
            .split('|')
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(String::from);
        Ok(Self {
            policy,
            templates: Templates::load(s.letters_dir.as_deref())?,
            registry: Registry {
                name: s.registry_name.clone(),
                phone: s.registry_phone.clone(),
                address: address.collect(),
                fax: None,
                return_address: Vec::new(),
                signer_name: None,
                signer_title: None,
            },
            reference_date: s.followup_reference_date,
            settings: s.clone(),
        })
    }
}

fn load_policy(path: &Path) -> std::result::Result<FollowUpPolicy, ConfigError> {
    let err = |message: String| ConfigError::Policy { path: path.display().to_string(), message };
    let text = std::fs::read_to_string(path).map_err(|e| err(e.to_string()))?;
    let policy: FollowUpPolicy = toml::from_str(&text).map_err(|e| err(e.to_string()))?;
    policy.validate().map_err(|e| err(e.message))?;
    Ok(policy)
}

// --- histories in bulk ----------------------------------------------------------------------------

/// One patient's records as domain values, loaded with others in a batch.
pub(crate) struct Record {
    pub row: q::PatientDoc,
    pub patient: Patient,
    pub tumors: Vec<(String, Tumor)>,
    pub facilities: HashMap<String, String>,
    pub contacts: Vec<(String, Contact)>,
}

impl Record {
    pub fn history(&self) -> PatientHistory<'_> {
        PatientHistory {
            patient: &self.patient,
            tumors: self.tumors.iter().map(|(id, t)| (id.as_str(), t)).collect(),
            treatments: Vec::new(),
            contacts: self.contacts.iter().map(|(id, c)| (id.as_str(), c)).collect(),
        }
    }

    /// The reporting facility of the first followed tumor (or of any tumor).
    pub fn facility(&self, eligibility: &Eligibility) -> Option<String> {
        let first = match eligibility {
            Eligibility::Followed { tumor_ids } => tumor_ids.first(),
            Eligibility::NotFollowed { .. } => None,
        };
        first
            .and_then(|id| self.facilities.get(id))
            .or_else(|| self.tumors.iter().find_map(|(id, _)| self.facilities.get(id)))
            .cloned()
    }
}

/// Stored documents that no longer parse are left out, as in `history::Loaded`.
fn parsed<T, D: serde::de::DeserializeOwned>(
    data: &str,
    parse: impl Fn(&D) -> std::result::Result<T, Vec<Violation>>,
) -> Result<Option<T>> {
    let doc: D = parse_doc(data)?;
    Ok(parse(&doc).ok())
}

/// Loads the records of `ids` with three queries; patients whose document does not parse are skipped.
/// Parsing and validating the documents is the costly part, so it runs on every core.
pub(crate) fn load_records(conn: &mut DbConn, ids: &[String]) -> Result<Vec<Record>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let patients = q::patients_by_ids(conn, ids)?;
    let mut tumors: HashMap<String, Vec<TumorDoc>> = HashMap::with_capacity(patients.len());
    for t in repo::tumor_docs_of_patients(conn, ids)? {
        tumors.entry(t.patient_id.clone()).or_default().push(t);
    }
    let mut contacts: HashMap<String, Vec<(String, String)>> =
        HashMap::with_capacity(patients.len());
    for (id, patient_id, data) in repo::contact_docs_of_patients(conn, ids)? {
        contacts.entry(patient_id).or_default().push((id, data));
    }
    let groups: Vec<_> = patients
        .into_iter()
        .map(|p| {
            let t = tumors.remove(&p.id).unwrap_or_default();
            let c = contacts.remove(&p.id).unwrap_or_default();
            (p, t, c)
        })
        .collect();
    let mut records = Vec::with_capacity(groups.len());
    for record in parallel_map(groups, build_record) {
        records.extend(record?);
    }
    Ok(records)
}

fn build_record(
    (row, tumor_rows, contact_rows): (q::PatientDoc, Vec<TumorDoc>, Vec<(String, String)>),
) -> Result<Option<Record>> {
    let Some(patient) = parsed(&row.data, PatientData::to_domain)? else { return Ok(None) };
    let mut record = Record {
        row,
        patient,
        tumors: Vec::with_capacity(tumor_rows.len()),
        facilities: HashMap::new(),
        contacts: Vec::with_capacity(contact_rows.len()),
    };
    for t in tumor_rows {
        if let Some(tumor) = parsed(&t.data, TumorData::to_domain)? {
            if let Some(f) = t.reporting_facility {
                record.facilities.insert(t.id.clone(), f);
            }
            record.tumors.push((t.id, tumor));
        }
    }
    for (id, data) in contact_rows {
        if let Some(contact) = parsed(&data, ContactData::to_domain)? {
            record.contacts.push((id, contact));
        }
    }
    Ok(Some(record))
}

/// `items.map(f)` in order, split over the machine's cores (at most four threads).
pub(crate) fn parallel_map<T: Send, U: Send>(items: Vec<T>, f: impl Fn(T) -> U + Sync) -> Vec<U> {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get()).min(4);
    if threads <= 1 || items.len() < 256 {
        return items.into_iter().map(f).collect();
    }
    let size = items.len().div_ceil(threads);
    let mut chunks = Vec::with_capacity(threads);
    let mut rest = items.into_iter();
    loop {
        let chunk: Vec<T> = rest.by_ref().take(size).collect();
        if chunk.is_empty() {
            break;
        }
        chunks.push(chunk);
    }
    let f = &f;
    std::thread::scope(|s| {
        let handles: Vec<_> = chunks
            .into_iter()
            .map(|chunk| s.spawn(move || chunk.into_iter().map(f).collect::<Vec<U>>()))
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
            .collect()
    })
}

// --- tasks ------------------------------------------------------------------------------------------

/// The domain task a stored row stands for.
pub(crate) fn domain_task(row: &TaskRow) -> Result<FollowUpTask> {
    let last_contact = PartialDate::parse_iso(&row.last_contact).map_err(corrupt)?;
    let state = TaskState::parse(&row.state).map_err(corrupt)?;
    Ok(FollowUpTask {
        patient_id: row.patient_id.clone(),
        cycle_key: cycle_key(&row.patient_id, &last_contact),
        last_contact,
        clock: FollowUpClock { anchor: row.anchor_on, due_on: row.due_on, lost_on: row.lost_on },
        state,
    })
}

fn corrupt(e: RuleError) -> ServiceError {
    ServiceError::Db(crate::db::DbError::Query(diesel::result::Error::DeserializationError(
        Box::new(std::io::Error::other(e.message)),
    )))
}

/// Who step `step` of the sequence writes to, as the policy names it; `None` past the last step.
fn next_letter(policy: &FollowUpPolicy, row: &TaskRow) -> Option<String> {
    if row.state == TaskState::Completed.as_str() {
        return None;
    }
    let step = policy.letters.get(usize::try_from(row.letter_step).ok()?)?;
    let name = match step.recipient {
        Recipient::ManagingPhysician => "managing_physician",
        Recipient::FollowUpPhysician => "follow_up_physician",
        Recipient::Patient => "patient",
        Recipient::FollowUpPhysicianOrPatient => "follow_up_physician_or_patient",
    };
    Some(name.to_string())
}

pub(crate) fn task_out(row: &TaskRow, policy: &FollowUpPolicy) -> TaskData {
    TaskData {
        id: row.id.clone(),
        patient_id: row.patient_id.clone(),
        cycle_key: row.cycle_key.clone(),
        date_of_last_contact: row.last_contact.clone(),
        due_on: row.due_on,
        lost_on: row.lost_on,
        state: row.state.clone(),
        assignee: row.assignee.clone(),
        facility: row.facility.clone(),
        version: row.version,
        completed_by_contact_id: row.completed_by_contact_id.clone(),
        created_at: utc(row.created_at),
        updated_at: utc(row.updated_at),
        completed_reason: row.completed_reason.clone(),
        letter_step: row.letter_step,
        next_letter: next_letter(policy, row),
        worklist: None,
    }
}

/// Tasks as the worklist shows them: each with its patient and tumors in words.
fn tasks_in_words(
    conn: &mut DbConn,
    rows: &[TaskRow],
    policy: &FollowUpPolicy,
) -> Result<Vec<TaskData>> {
    let ids: Vec<String> = rows.iter().map(|r| r.patient_id.clone()).collect();
    let words = super::worklist::patients_in_words(conn, &ids)?;
    Ok(rows
        .iter()
        .map(|r| TaskData { worklist: words.get(&r.patient_id).cloned(), ..task_out(r, policy) })
        .collect())
}

/// What a generation run did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct GenerateReport {
    /// Patients looked at (living, coming due, without a task for their date of last contact).
    pub examined: u64,
    /// Tasks created.
    pub created: u64,
    /// Of those, tasks created already lost (an old date of last contact).
    pub created_lost: u64,
}

/// The earliest date of last contact (as ISO text) that cannot be due on `as_of`: a few days of slack
/// over the calendar so no month-end clamping is missed; the domain decides exactly.
fn due_cutoff(policy: &FollowUpPolicy, as_of: NaiveDate) -> String {
    let back = as_of
        .checked_sub_months(Months::new(policy.due_after_months))
        .and_then(|d| d.checked_add_days(Days::new(3)))
        .unwrap_or(as_of);
    back.format("%Y-%m-%d").to_string()
}

/// Creates the task of every patient due on `as_of` who has none for the current cycle, in batches:
/// one candidate query (living, due by date, no task for this date of last contact), three loads and
/// one multi-row insert per batch. Running it again for the same day creates nothing.
pub fn generate_tasks(
    conn: &mut DbConn,
    cfg: &FollowUpConfig,
    as_of: NaiveDate,
) -> Result<GenerateReport> {
    let cutoff = due_cutoff(&cfg.policy, as_of);
    let mut report = GenerateReport::default();
    let mut after: Option<String> = None;
    let mut since_analyze = 0u64;
    loop {
        let step = crate::db::transaction(conn, |c| {
            let upto = q::patient_slice_end(c, after.as_deref(), BATCH)?;
            let range = IdRange { after: after.clone(), upto: upto.clone() };
            let ids = q::due_candidates(c, &cutoff, &range)?;
            let records = load_records(c, &ids)?;
            let at = now();
            let rows: Vec<TaskRow> = parallel_map(records.iter().collect(), |r: &Record| {
                let history = r.history();
                let task = task_due(&r.row.id, &history, &cfg.policy, as_of)?;
                let facility = r.facility(&eligibility(&history, &cfg.policy, as_of));
                Some(TaskRow {
                    id: new_id(),
                    patient_id: r.row.id.clone(),
                    cycle_key: task.cycle_key.as_str().to_string(),
                    last_contact: r
                        .row
                        .date_of_last_contact
                        .clone()
                        .unwrap_or_else(|| task.last_contact.to_string()),
                    anchor_on: task.clock.anchor,
                    due_on: task.clock.due_on,
                    lost_on: task.clock.lost_on,
                    state: task.state.as_str().to_string(),
                    assignee: None,
                    facility,
                    version: 1,
                    completed_by_contact_id: None,
                    created_at: at,
                    updated_at: at,
                    letter_step: 0,
                    completed_reason: None,
                    patient_name: super::patients::name_search(&r.patient),
                    next_letter_on: None,
                })
            })
            .into_iter()
            .flatten()
            .collect();
            let lost = rows.iter().filter(|r| r.state == TaskState::Lost.as_str()).count();
            let created = q::insert_tasks(c, &rows)?;
            Ok::<_, ServiceError>((ids.len(), created, lost.min(created), upto))
        })?;
        let (examined, created, lost, upto) = step;
        report.examined += examined as u64;
        report.created += created as u64;
        report.created_lost += lost as u64;
        // Keep the planner's picture of the growing table current during a bulk load.
        since_analyze += created as u64;
        if since_analyze >= 100_000 {
            q::refresh_task_statistics(conn)?;
            since_analyze = 0;
        }
        match upto {
            Some(end) => after = Some(end),
            None => break,
        }
    }
    if since_analyze >= 1000 {
        q::refresh_task_statistics(conn)?;
    }
    Ok(report)
}

/// What a mark-lost run did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct MarkLostReport {
    pub examined: u64,
    pub lost: u64,
    pub completed: u64,
}

/// Re-checks every open or in-progress task whose lost date has come: lost, unless a newer contact or
/// a death completes it (`domain::followup::next_state`).
pub fn mark_lost(
    conn: &mut DbConn,
    cfg: &FollowUpConfig,
    as_of: NaiveDate,
) -> Result<MarkLostReport> {
    let mut report = MarkLostReport::default();
    let mut after: Option<String> = None;
    loop {
        let step = crate::db::transaction(conn, |c| {
            let upto = q::task_slice_end(c, after.as_deref(), BATCH)?;
            let range = IdRange { after: after.clone(), upto: upto.clone() };
            let tasks = q::tasks_reaching_lost(c, as_of, &range)?;
            let mut ids: Vec<String> = tasks.iter().map(|t| t.patient_id.clone()).collect();
            ids.sort();
            ids.dedup();
            let records = load_records(c, &ids)?;
            let by_id: HashMap<&str, &Record> =
                records.iter().map(|r| (r.row.id.as_str(), r)).collect();
            let (mut lost, mut completed) = (0, 0);
            let at = now();
            for row in &tasks {
                let Some(record) = by_id.get(row.patient_id.as_str()) else { continue };
                let task = domain_task(row)?;
                let history = record.history();
                if let Some(why) = completion(&task, &history, &cfg.policy, as_of) {
                    if complete(c, row, why, None)? {
                        completed += 1;
                    }
                    continue;
                }
                let next = next_state(&task, &history, &cfg.policy, as_of);
                if next == TaskState::Lost
                    && q::set_task_state(c, &row.id, &row.state, next.as_str(), None, None, at)?
                {
                    lost += 1;
                }
            }
            Ok::<_, ServiceError>((tasks.len() as u64, lost, completed, upto))
        })?;
        let (examined, lost, completed, upto) = step;
        report.examined += examined;
        report.lost += lost;
        report.completed += completed;
        match upto {
            Some(end) => after = Some(end),
            None => break,
        }
    }
    Ok(report)
}

/// After a contact is written: moves the patient's active tasks on (a newer contact or a death
/// completes them, naming `contact_id`). Runs inside the contact's transaction.
pub(super) fn after_contact(
    conn: &mut DbConn,
    loaded: &Loaded,
    policy: &FollowUpPolicy,
    today: NaiveDate,
    contact_id: &str,
) -> Result<()> {
    let history = loaded.history();
    for row in q::active_tasks_of_patient(conn, &loaded.row.id)? {
        let task = domain_task(&row)?;
        if let Some(why) = completion(&task, &history, policy, today) {
            complete(conn, &row, why, Some(contact_id))?;
        } else if next_state(&task, &history, policy, today) != task.state {
            let next = next_state(&task, &history, policy, today);
            q::set_task_state(conn, &row.id, &row.state, next.as_str(), None, None, now())?;
        }
    }
    Ok(())
}

/// After an import changed a patient's date of last contact or vital status: the active tasks that
/// count from an older contact complete (a recorded death completes them all), and their letters not
/// yet printed or sent are cancelled, as for a contact entered by hand.
pub(crate) fn after_imported_follow_up(
    conn: &mut DbConn,
    patient_id: &str,
    dlc: Option<&str>,
    vital_status: &str,
) -> Result<()> {
    let dlc = dlc.and_then(|d| PartialDate::parse_iso(d).ok());
    for row in q::active_tasks_of_patient(conn, patient_id)? {
        let why = if vital_status == "0" {
            Completion::Died
        } else if dlc.is_some_and(|d| d.latest() > row.anchor_on) {
            Completion::Contact
        } else {
            continue;
        };
        complete(conn, &row, why, None)?;
    }
    Ok(())
}

/// Completes a task and cancels its letters not yet printed or sent, with the reason in words.
/// False when the task moved on meanwhile.
fn complete(
    conn: &mut DbConn,
    row: &TaskRow,
    why: Completion,
    contact_id: Option<&str>,
) -> Result<bool> {
    let done = q::set_task_state(
        conn,
        &row.id,
        &row.state,
        TaskState::Completed.as_str(),
        contact_id,
        Some(why.as_str()),
        now(),
    )?;
    if done {
        super::letters::cancel_unsent(conn, &row.id, why.letter_reason())?;
    }
    Ok(done)
}

/// A registrar closes a task without a contact (moved away, nothing left to chase): it completes,
/// its unsent letters are cancelled with the reason given.
pub fn close_task(
    conn: &mut DbConn,
    actor: &Actor,
    policy: &FollowUpPolicy,
    id: &str,
    expected_version: i32,
    reason: &str,
) -> Result<TaskData> {
    actor.require(Role::Registrar)?;
    let sent = reason;
    let reason = reason.trim();
    if reason.is_empty() || sent.chars().count() > 500 || reason.chars().any(char::is_control) {
        return Err(ServiceError::Invalid(vec![Violation {
            field: "reason".into(),
            rule: "text.format",
            message: "say in one line (1 to 500 characters) why the task is closed".into(),
        }]));
    }
    crate::db::transaction(conn, |c| {
        let row = q::get_task(c, id)?.ok_or(ServiceError::NotFound("follow-up task"))?;
        super::check_version(row.version, expected_version)?;
        if row.state == TaskState::Completed.as_str() {
            return Err(ServiceError::Conflict {
                rule: "state",
                field: "state",
                message: "the follow-up task is already completed".into(),
            });
        }
        let closed = q::set_task_state(
            c,
            id,
            &row.state,
            TaskState::Completed.as_str(),
            None,
            Some(Completion::Closed.as_str()),
            now(),
        )?;
        if !closed {
            return Err(ServiceError::VersionMismatch { current: expected_version + 1 });
        }
        let why = format!("{}: {reason}", Completion::Closed.letter_reason());
        super::letters::cancel_unsent(c, id, &why)?;
        audit::record(c, actor, Action::Update, "followup_task", &[id])?;
        let row = q::get_task(c, id)?.ok_or(ServiceError::NotFound("follow-up task"))?;
        Ok(task_out(&row, policy))
    })
}

// --- the worklist ----------------------------------------------------------------------------------

/// Which part of the worklist to show.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum View {
    /// Open or in progress, due this month.
    Due,
    /// Open or in progress, due before this month.
    Overdue,
    /// Lost.
    Lost,
    /// Completed.
    Completed,
    /// Every task.
    All,
}

impl View {
    pub fn parse(raw: &str) -> Option<Self> {
        Some(match raw {
            "due" => Self::Due,
            "overdue" => Self::Overdue,
            "lost" => Self::Lost,
            "completed" => Self::Completed,
            "all" => Self::All,
            _ => return None,
        })
    }
}

/// Worklist query: a view on the month of `as_of`, plus assignee, facility, patient, due month and
/// letter step, in one of three orders.
#[derive(Clone, Debug)]
pub struct WorklistQuery {
    pub view: View,
    pub as_of: NaiveDate,
    pub assignee: Option<String>,
    pub unassigned: bool,
    pub facility: Option<String>,
    pub patient_id: Option<String>,
    /// Only tasks due in this month (any day of it).
    pub due_month: Option<NaiveDate>,
    pub letter_step: Option<i32>,
    pub sort: TaskSort,
}

fn month_bounds(d: NaiveDate) -> (NaiveDate, NaiveDate) {
    let first = d.with_day(1).unwrap_or(d);
    let next = first.checked_add_months(Months::new(1)).unwrap_or(NaiveDate::MAX);
    (first, next)
}

pub fn list_tasks(
    conn: &mut DbConn,
    actor: &Actor,
    policy: &FollowUpPolicy,
    query: &WorklistQuery,
    page: &PageRequest,
) -> Result<Page<TaskData>> {
    actor.require(Role::Viewer)?;
    let after = page.after()?;
    let active = vec!["open".to_string(), "in_progress".to_string()];
    let (first, next) = month_bounds(query.as_of);
    let mut filter = TaskFilter {
        assignee: query.assignee.clone(),
        unassigned: query.unassigned,
        facility: query.facility.clone(),
        patient_id: query.patient_id.clone(),
        letter_step: query.letter_step,
        ..TaskFilter::default()
    };
    match query.view {
        View::Due => {
            filter.states = active;
            filter.due_from = Some(first);
            filter.due_before = Some(next);
        }
        View::Overdue => {
            filter.states = active;
            filter.due_before = Some(first);
        }
        View::Lost => filter.states = vec!["lost".into()],
        View::Completed => filter.states = vec!["completed".into()],
        View::All => {}
    }
    if let Some(month) = query.due_month {
        let (from, before) = month_bounds(month);
        filter.due_from = Some(filter.due_from.map_or(from, |d| d.max(from)));
        filter.due_before = Some(filter.due_before.map_or(before, |d| d.min(before)));
    }
    super::read(conn, actor, |c| {
        let cursor = match &after {
            Some(id) => Some(q::task_cursor(c, query.sort, id)?.ok_or_else(super::unknown_cursor)?),
            None => None,
        };
        let rows = q::list_tasks(c, &filter, query.sort, cursor.as_ref(), page.limit() + 1)?;
        let (rows, next_cursor) = page.page(rows, |r| &r.id);
        let ids: Vec<&str> = rows.iter().map(|r| r.id.as_str()).collect();
        audit::record(c, actor, Action::Read, "followup_task", &ids)?;
        let patients: Vec<&str> = rows.iter().map(|r| r.patient_id.as_str()).collect();
        audit::record(c, actor, Action::Read, "patient", &patients)?;
        Ok(Page { items: tasks_in_words(c, &rows, policy)?, next_cursor })
    })
}

pub fn get_task(
    conn: &mut DbConn,
    actor: &Actor,
    policy: &FollowUpPolicy,
    id: &str,
) -> Result<TaskData> {
    actor.require(Role::Viewer)?;
    super::read(conn, actor, |c| {
        let row = q::get_task(c, id)?.ok_or(ServiceError::NotFound("follow-up task"))?;
        audit::record(c, actor, Action::Read, "followup_task", &[id])?;
        audit::record(c, actor, Action::Read, "patient", &[row.patient_id.as_str()])?;
        let mut out = tasks_in_words(c, std::slice::from_ref(&row), policy)?;
        out.pop().ok_or(ServiceError::NotFound("follow-up task"))
    })
}

/// Checks a registrar's user name: 1–100 letters, digits, spaces or `. _ @ -`.
pub fn parse_assignee(raw: Option<&str>) -> Result<Option<String>> {
    let Some(raw) = raw else { return Ok(None) };
    let name = raw.trim();
    let ok = !name.is_empty()
        && name.len() <= 100
        && name.chars().all(|c| c.is_ascii_alphanumeric() || " ._@-".contains(c));
    if ok {
        Ok(Some(name.to_string()))
    } else {
        Err(ServiceError::Invalid(vec![Violation {
            field: "assignee".into(),
            rule: "text.format",
            message: "an assignee is 1 to 100 letters, digits, spaces or . _ @ -, or null".into(),
        }]))
    }
}

/// Assigns the task (open becomes in progress) or clears the assignment.
pub fn assign_task(
    conn: &mut DbConn,
    actor: &Actor,
    policy: &FollowUpPolicy,
    id: &str,
    expected_version: i32,
    assignee: Option<&str>,
) -> Result<TaskData> {
    actor.require(Role::Registrar)?;
    let assignee = parse_assignee(assignee)?;
    crate::db::transaction(conn, |c| {
        let row = q::get_task(c, id)?.ok_or(ServiceError::NotFound("follow-up task"))?;
        super::check_version(row.version, expected_version)?;
        let state = TaskState::parse(&row.state).map_err(corrupt)?;
        let state = if assignee.is_some() { state.started() } else { state };
        if !q::assign_task(c, id, expected_version, assignee.as_deref(), state.as_str(), now())? {
            return Err(ServiceError::VersionMismatch { current: expected_version + 1 });
        }
        audit::record(c, actor, Action::Update, "followup_task", &[id])?;
        let row = q::get_task(c, id)?.ok_or(ServiceError::NotFound("follow-up task"))?;
        Ok(task_out(&row, policy))
    })
}

/// Records a contact against a task: the contact must be dated after the cycle's date of last
/// contact, and completes the task; the next cycle counts from the new date.
pub fn record_task_contact(
    conn: &mut DbConn,
    actor: &Actor,
    task_id: &str,
    data: &ContactData,
    ctx: super::Ctx,
    policy: &FollowUpPolicy,
) -> Result<TaskContactResult> {
    actor.require(Role::Registrar)?;
    let contact = data.to_domain().map_err(ServiceError::Invalid)?;
    crate::db::transaction(conn, |c| {
        let row = q::get_task(c, task_id)?.ok_or(ServiceError::NotFound("follow-up task"))?;
        if row.state == TaskState::Completed.as_str() {
            return Err(ServiceError::Conflict {
                rule: "state",
                field: "state",
                message: "the follow-up task is already completed".into(),
            });
        }
        if contact.contact_date.latest() <= row.anchor_on {
            return Err(ServiceError::Invalid(vec![Violation {
                field: "contactDate".into(),
                rule: "followUp.notAfterCycle",
                message: "a contact that closes a follow-up task must be dated after the date of \
                          last contact the task counts from"
                    .into(),
            }]));
        }
        let saved = contacts::create_in(c, actor, &row.patient_id, contact, ctx, policy)?;
        audit::record(c, actor, Action::Update, "followup_task", &[task_id])?;
        let task = q::get_task(c, task_id)?.ok_or(ServiceError::NotFound("follow-up task"))?;
        Ok(TaskContactResult { task: task_out(&task, policy), contact: saved })
    })
}
