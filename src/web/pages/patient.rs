//! The patient page: demographics, tumors (site and histology in words) with their treatments, the
//! contact timeline, follow-up tasks, letters and the history of changes. Each part is read through
//! its service, so each read is audited as the API's would be.

use actix_web::{HttpResponse, web};
use askama::Template;

use crate::api::state::AppState;
use crate::domain::codes::site_and_histology;
use crate::model::{ChangeData, ContactData, LetterData, PatientData, TaskData, TreatmentData};
use crate::service::followup::{self, TaskSort, View, WorklistQuery};
use crate::service::letters::{self, LetterFilter};
use crate::service::{PageRequest, RecordFilter, Result, contacts, patients, treatments, tumors};
use crate::web::session::SignedIn;
use crate::web::{Nav, WebError, db};

/// A tumor as the page lists it.
pub struct TumorLine {
    pub id: String,
    pub words: String,
    pub diagnosed: String,
    pub sequence: String,
    pub edit_status: String,
    pub treatments: Vec<TreatmentData>,
}

#[derive(Template)]
#[template(path = "patient.html", config = "src/web/askama.toml")]
struct PatientPage {
    nav: Nav,
    id: String,
    name: String,
    patient: PatientData,
    tumors: Vec<TumorLine>,
    contacts: Vec<ContactData>,
    tasks: Vec<TaskData>,
    letters: Vec<LetterData>,
    history: Vec<ChangeData>,
}

struct Loaded {
    patient: PatientData,
    tumors: Vec<TumorLine>,
    contacts: Vec<ContactData>,
    tasks: Vec<TaskData>,
    letters: Vec<LetterData>,
    history: Vec<ChangeData>,
}

/// A follow-up source code in words (#1790).
pub fn source_words(code: &str) -> &'static str {
    crate::domain::codes::FollowUpSource::parse(code).map(|s| s.label()).unwrap_or("unknown source")
}

fn opt(v: &Option<String>) -> String {
    v.clone().unwrap_or_default()
}

/// "Last, First Middle", or what there is.
pub fn display_name(p: &PatientData) -> String {
    let first = [&p.name_first, &p.name_middle]
        .iter()
        .filter_map(|v| v.as_deref().map(str::trim).filter(|s| !s.is_empty()))
        .collect::<Vec<_>>()
        .join(" ");
    match (p.name_last.as_deref().map(str::trim).filter(|s| !s.is_empty()), first.is_empty()) {
        (Some(l), false) => format!("{l}, {first}"),
        (Some(l), true) => l.to_string(),
        (None, false) => first,
        (None, true) => "(no name recorded)".into(),
    }
}

pub async fn page(
    state: web::Data<AppState>,
    signed: SignedIn,
    path: web::Path<String>,
) -> std::result::Result<HttpResponse, WebError> {
    let id = path.into_inner();
    let (actor, cfg) = (signed.actor.clone(), state.followup.clone());
    let today = state.clock.today();
    let pid = id.clone();
    let loaded = db(&state, move |c| -> Result<Loaded> {
        let patient = patients::get(c, &actor, &pid, false)?;
        let all = PageRequest { cursor: None, limit: Some(500) };
        let mut lines = Vec::new();
        for t in tumors::list(c, &actor, Some(&pid), &RecordFilter::default(), &all)?.items {
            let tid = t.id.clone().unwrap_or_default();
            lines.push(TumorLine {
                words: site_and_histology(
                    t.primary_site.as_deref(),
                    t.histologic_type_icd_o3.as_deref(),
                    t.behavior_code_icd_o3.as_deref(),
                ),
                diagnosed: opt(&t.date_of_diagnosis),
                sequence: opt(&t.sequence_number_hospital),
                edit_status: opt(&t.edit_status),
                treatments: treatments::list(c, &actor, &tid, &all)?.items,
                id: tid,
            });
        }
        let mut contacts = contacts::list(c, &actor, &pid, &all)?.items;
        // The timeline reads newest first (ISO dates sort as text).
        contacts.sort_by(|a, b| b.contact_date.cmp(&a.contact_date));
        let query = WorklistQuery {
            view: View::All,
            as_of: today,
            assignee: None,
            unassigned: false,
            facility: None,
            patient_id: Some(pid.clone()),
            due_month: None,
            letter_step: None,
            sort: TaskSort::Due,
        };
        let tasks = followup::list_tasks(c, &actor, &cfg.policy, &query, &all)?.items;
        let filter = LetterFilter { patient_id: Some(pid.clone()), ..LetterFilter::default() };
        let letters = letters::list(c, &actor, &filter, &all)?.items;
        let history = crate::service::changes::history(c, &actor, "patient", &pid, &all)?.items;
        Ok(Loaded { patient, tumors: lines, contacts, tasks, letters, history })
    })
    .await?;
    let page = PatientPage {
        nav: Nav::new(&signed, "patients"),
        name: display_name(&loaded.patient),
        id,
        patient: loaded.patient,
        tumors: loaded.tumors,
        contacts: loaded.contacts,
        tasks: loaded.tasks,
        letters: loaded.letters,
        history: loaded.history,
    };
    crate::web::page(&page)
}
