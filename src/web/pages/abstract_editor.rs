//! The abstract editor of a tumor, in the sections registrars know: identification, diagnosis,
//! stage and prognostic items, first-course treatment, follow-up. A save writes only the fields on
//! the form (a merge patch: every other value stays as stored), keeps an incomplete abstract, and
//! shows each edit finding beside its fields. A value that cannot be one is refused beside its
//! field with nothing written; a stale version keeps the registrar's input and shows what the
//! other save changed.

use std::collections::BTreeMap;

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;
use serde_json::{Map, Value};

use crate::api::state::AppState;
use crate::domain::Violation;
use crate::domain::codes::{Histology, Morphology, Topography, site_and_histology};
use crate::domain::edits::catalogue;
use crate::model::{TreatmentData, TumorData};
use crate::service::{PageRequest, ServiceError, patients, treatments, tumors};
use crate::web::pages::patient::display_name;
use crate::web::session::{SignedIn, Submitted};
use crate::web::{Nav, WebError, db, render, see_other};

/// How a field is entered.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Text,
    Date,
    SitePicker,
    MorphologyPicker,
}

/// One field of the form: its NAACCR XML id (the name the services and findings use), label and
/// hint, and whether it lives in the tumor's item map.
pub struct FieldDef {
    pub name: &'static str,
    pub label: &'static str,
    pub hint: &'static str,
    pub kind: Kind,
    pub item: bool,
}

const fn f(name: &'static str, label: &'static str, hint: &'static str) -> FieldDef {
    FieldDef { name, label, hint, kind: Kind::Text, item: false }
}

const fn item(name: &'static str, label: &'static str, hint: &'static str) -> FieldDef {
    FieldDef { name, label, hint, kind: Kind::Text, item: true }
}

const fn date(name: &'static str, label: &'static str) -> FieldDef {
    FieldDef { name, label, hint: "YYYY-MM-DD, YYYY-MM or YYYY", kind: Kind::Date, item: false }
}

/// The morphology picker's field: histology and behavior together (`8500/3`).
pub const MORPHOLOGY: &str = "morphology";

pub const SECTIONS: &[(&str, &[FieldDef])] = &[
    (
        "Identification",
        &[
            f("reportingFacility", "Reporting facility", "#540, facility id number"),
            f("accessionNumberHosp", "Accession number", "#550, up to 9 digits"),
            f("sequenceNumberHospital", "Sequence number (hospital)", "#560, 00 for one primary"),
            f("classOfCase", "Class of case", "#610, 00–22 analytic"),
            date("dateOf1stContact", "Date of first contact"),
        ],
    ),
    (
        "Diagnosis",
        &[
            date("dateOfDiagnosis", "Date of diagnosis"),
            FieldDef {
                name: "primarySite",
                label: "Primary site",
                hint: "type a code (C50.4) or words (upper outer breast)",
                kind: Kind::SitePicker,
                item: false,
            },
            f("laterality", "Laterality", "#410: 0 not paired, 1 right, 2 left, 9 unknown"),
            FieldDef {
                name: MORPHOLOGY,
                label: "Histology and behavior",
                hint: "type a code (8500/3) or words (duct carcinoma)",
                kind: Kind::MorphologyPicker,
                item: false,
            },
            f("gradeClinical", "Grade, clinical", "#3843"),
            f("gradePathological", "Grade, pathological", "#3844"),
            f("diagnosticConfirmation", "Diagnostic confirmation", "#490: 1 histology … 9 unknown"),
        ],
    ),
    (
        "Stage and prognostic items",
        &[
            f("summaryStage2018", "Summary stage 2018", "#764: 0 in situ … 7 distant, 9 unknown"),
            item("tumorSizeSummary", "Tumor size, summary", "#756, mm (000–989, 999 unknown)"),
            item("regionalNodesExamined", "Regional nodes examined", "#830"),
            item("regionalNodesPositive", "Regional nodes positive", "#820"),
        ],
    ),
];

/// The form as sent (and as shown again): every field by name.
pub type Values = BTreeMap<String, String>;

/// One edit finding as the form shows it.
pub struct Shown {
    pub message: String,
    pub error: bool,
}

/// A field with its value and what is wrong with it.
pub struct FieldView {
    pub def: &'static FieldDef,
    pub value: String,
    pub words: String,
    pub problems: Vec<Shown>,
    /// A finding or refusal involves this field (its message may sit beside another one).
    pub invalid: bool,
    /// After a stale save: the value the other save left.
    pub theirs: Option<String>,
}

impl FieldView {
    pub fn is_picker(&self) -> bool {
        matches!(self.def.kind, Kind::SitePicker | Kind::MorphologyPicker)
    }

    pub fn picker(&self) -> PickerField {
        PickerField {
            name: self.def.name,
            label: self.def.label,
            hint: self.def.hint,
            value: self.value.clone(),
            words: self.words.clone(),
            kind: if self.def.kind == Kind::SitePicker { "site" } else { "morphology" },
            focus: false,
            invalid: self.invalid,
        }
    }
}

/// A code picker: the input (code or words), the chosen code's term, and the options list htmx
/// fills. Rendered within the editor and alone when an option is picked.
#[derive(Template)]
#[template(path = "picker_field.html", config = "src/web/askama.toml")]
pub struct PickerField {
    pub name: &'static str,
    pub label: &'static str,
    pub hint: &'static str,
    pub value: String,
    pub words: String,
    pub kind: &'static str,
    pub focus: bool,
    pub invalid: bool,
}

#[derive(Template)]
#[template(path = "abstract_editor.html", config = "src/web/askama.toml")]
struct EditorPage {
    nav: Nav,
    patient_id: String,
    patient_name: String,
    /// None for a new tumor.
    tumor_id: Option<String>,
    version: i32,
    title: String,
    notice: Option<String>,
    problem: Option<String>,
    sections: Vec<(&'static str, Vec<FieldView>)>,
    other_findings: Vec<Shown>,
    treatments: Vec<TreatmentData>,
    cancer_status: String,
    reviews: Vec<Review>,
    primaries: Option<PrimariesView>,
}

/// What the multiple-primary rules say about a stored tumor, in words.
pub struct PrimariesView {
    pub summary: String,
    pub rows: Vec<PrimaryRow>,
}

/// The answer for one other tumor of the patient.
pub struct PrimaryRow {
    pub tumor_id: String,
    pub tumor: String,
    pub answer: &'static str,
    pub rule: String,
}

fn primaries_view(mp: &crate::model::MpPlacementData) -> PrimariesView {
    let rules = if mp.rules == "iarc" { "IARC/IACR rules" } else { "SEER rules" };
    let rows: Vec<PrimaryRow> = mp
        .comparisons
        .iter()
        .map(|c| PrimaryRow {
            tumor_id: c.tumor_id.clone(),
            tumor: format!("{}, {}", c.site, c.morphology),
            answer: match c.answer.result.as_str() {
                "single" => "same primary",
                "multiple" => "separate primaries",
                _ => "cannot decide: review",
            },
            rule: if c.answer.step.is_empty() {
                c.answer.reason.clone()
            } else {
                format!("{} {}: {}", c.answer.module, c.answer.step, c.answer.reason)
            },
        })
        .collect();
    let summary = match &mp.same_primary_as {
        Some(other) => format!(
            "By the {rules} this tumor is the same primary as the tumor of {} abstracted before it: \
             keep one abstract for the primary, or accept the review below with the reason. The \
             primary's sequence number is {}.",
            rows.iter().find(|r| &r.tumor_id == other).map_or("another site", |r| r.tumor.as_str()),
            mp.suggested_sequence_number
        ),
        None => format!(
            "By the {rules} this tumor is a new primary; its suggested sequence number is {}.",
            mp.suggested_sequence_number
        ),
    };
    PrimariesView { summary, rows }
}

/// A review finding the registrar may accept for this case: its override flag and its message.
pub struct Review {
    pub flag: &'static str,
    pub message: String,
}

/// The open review findings of a stored tumor that an override flag accepts, one per flag.
fn reviews(t: &TumorData) -> Vec<Review> {
    let mut out: Vec<Review> = Vec::new();
    for f in t.findings.iter().flatten().filter(|f| f.severity == "review" && !f.overridden) {
        let def = catalogue().iter().find(|d| d.id == f.edit_id);
        if let Some(flag) = def.and_then(|d| d.override_flag)
            && !out.iter().any(|r| r.flag == flag)
        {
            out.push(Review { flag, message: f.message.clone() });
        }
    }
    out
}

/// The reviews a form accepts: (flag, reason), for flags of the catalogue only.
fn accepted(form: &Values) -> Vec<(&'static str, String)> {
    catalogue()
        .iter()
        .filter_map(|d| d.override_flag)
        .filter(|flag| form.get(&format!("accept_{flag}")).is_some_and(|v| v == "1"))
        .fold(Vec::new(), |mut out, flag| {
            if !out.iter().any(|(f, _)| *f == flag) {
                let reason = form.get(&format!("reason_{flag}")).map(|r| r.trim().to_string());
                out.push((flag, reason.unwrap_or_default()));
            }
            out
        })
}

fn field_defs() -> impl Iterator<Item = &'static FieldDef> {
    SECTIONS.iter().flat_map(|(_, fields)| fields.iter())
}

/// The form's values of a stored tumor.
fn values_of(t: &TumorData) -> Values {
    let doc = serde_json::to_value(t).unwrap_or(Value::Null);
    let mut out = Values::new();
    for def in field_defs() {
        let v = if def.name == MORPHOLOGY {
            match (&t.histologic_type_icd_o3, &t.behavior_code_icd_o3) {
                (Some(h), Some(b)) => format!("{h}/{b}"),
                (Some(h), None) => h.clone(),
                _ => String::new(),
            }
        } else if def.item {
            t.items.as_ref().and_then(|m| m.get(def.name)).cloned().unwrap_or_default()
        } else {
            doc.get(def.name).and_then(Value::as_str).unwrap_or_default().to_string()
        };
        out.insert(def.name.to_string(), v);
    }
    if let Some(site) = t.primary_site.as_deref().and_then(|s| Topography::parse(s).ok()) {
        out.insert("primarySite".into(), site.dotted());
    }
    out
}

/// The field a finding's or a refusal's NAACCR id is shown beside.
fn form_field(naaccr: &str) -> &str {
    match naaccr {
        "histologicTypeIcdO3" | "behaviorCodeIcdO3" => MORPHOLOGY,
        other => other.strip_prefix("items.").unwrap_or(other),
    }
}

/// The words shown under a picker for its value.
fn words(def: &FieldDef, value: &str) -> String {
    match def.kind {
        Kind::SitePicker => {
            Topography::parse(value).map(|t| t.label().to_string()).unwrap_or_default()
        }
        Kind::MorphologyPicker => morphology_label(value),
        _ => String::new(),
    }
}

pub fn morphology_label(value: &str) -> String {
    let Some((h, b)) = value.trim().split_once('/') else { return String::new() };
    let parsed = Histology::parse(h).ok().zip(crate::domain::codes::Behavior::parse(b).ok());
    parsed.and_then(|(h, b)| Morphology::new(h, b).label()).map(str::to_string).unwrap_or_default()
}

struct Problems {
    by_field: BTreeMap<String, Vec<Shown>>,
    /// Every form field a finding or refusal involves (marked invalid beside its input).
    involved: Vec<String>,
    other: Vec<Shown>,
}

fn place(findings: impl IntoIterator<Item = (Vec<String>, Shown)>) -> Problems {
    let names: Vec<&str> = field_defs().map(|d| d.name).collect();
    let mut by_field: BTreeMap<String, Vec<Shown>> = BTreeMap::new();
    let mut other = Vec::new();
    let mut involved = Vec::new();
    for (fields, shown) in findings {
        involved.extend(
            fields.iter().map(|f| form_field(f)).filter(|f| names.contains(f)).map(String::from),
        );
        let on_form = fields.iter().map(|f| form_field(f)).find(|f| names.contains(f));
        match on_form {
            Some(field) => by_field.entry(field.to_string()).or_default().push(shown),
            None => other.push(shown),
        }
    }
    Problems { by_field, involved, other }
}

fn stored_findings(t: &TumorData) -> Problems {
    let findings = t.findings.iter().flatten().filter(|f| !f.overridden).map(|f| {
        let shown = Shown { message: f.message.clone(), error: f.severity == "error" };
        (f.fields.clone(), shown)
    });
    place(findings)
}

fn refusals(v: &[Violation]) -> Problems {
    place(
        v.iter()
            .map(|v| (vec![v.field.clone()], Shown { message: v.message.clone(), error: true })),
    )
}

fn sections(
    values: &Values,
    mut problems: Problems,
    theirs: Option<&Values>,
) -> (Vec<(&'static str, Vec<FieldView>)>, Vec<Shown>) {
    let out = SECTIONS
        .iter()
        .map(|(title, defs)| {
            let views = defs
                .iter()
                .map(|def| {
                    let value = values.get(def.name).cloned().unwrap_or_default();
                    let theirs = theirs
                        .and_then(|t| t.get(def.name))
                        .filter(|t| **t != value)
                        .map(|t| if t.is_empty() { "(empty)".to_string() } else { t.clone() });
                    FieldView {
                        invalid: problems.involved.iter().any(|f| f == def.name),
                        words: words(def, &value),
                        problems: problems.by_field.remove(def.name).unwrap_or_default(),
                        value,
                        def,
                        theirs,
                    }
                })
                .collect();
            (*title, views)
        })
        .collect();
    (out, problems.other)
}

/// The merge patch of a form: each field on it, an empty one removed; `morphology` split in two.
fn patch_of(values: &Values) -> Value {
    let mut doc = Map::new();
    let mut items = Map::new();
    let text = |v: &str| {
        let v = v.trim();
        if v.is_empty() { Value::Null } else { Value::String(v.to_string()) }
    };
    for def in field_defs() {
        let v = values.get(def.name).map(String::as_str).unwrap_or("");
        if def.name == MORPHOLOGY {
            let (h, b) = v.trim().split_once('/').unwrap_or((v.trim(), ""));
            doc.insert("histologicTypeIcdO3".into(), text(h));
            doc.insert("behaviorCodeIcdO3".into(), text(b));
        } else if def.item {
            items.insert(def.name.into(), text(v));
        } else {
            doc.insert(def.name.into(), text(v));
        }
    }
    doc.insert("items".into(), Value::Object(items));
    Value::Object(doc)
}

/// The body of a new tumor: the patch without its removals.
fn new_tumor(values: &Values) -> Result<TumorData, ServiceError> {
    let mut v = patch_of(values);
    if let Some(obj) = v.as_object_mut() {
        obj.retain(|_, v| !v.is_null());
        if let Some(Value::Object(items)) = obj.get_mut("items") {
            items.retain(|_, v| !v.is_null());
        }
    }
    serde_json::from_value(v).map_err(|e| {
        ServiceError::BadRequest(vec![Violation {
            field: "body".into(),
            rule: "json.type",
            message: e.to_string(),
        }])
    })
}

#[derive(Deserialize)]
pub struct Saved {
    #[serde(default)]
    saved: Option<String>,
}

async fn patient_name(
    state: &AppState,
    signed: &SignedIn,
    patient_id: &str,
) -> Result<String, WebError> {
    let (actor, pid) = (signed.actor.clone(), patient_id.to_string());
    let p = db(state, move |c| patients::get(c, &actor, &pid, false)).await?;
    Ok(display_name(&p))
}

/// A new tumor's empty form.
pub async fn new_form(
    state: web::Data<AppState>,
    signed: SignedIn,
    path: web::Path<String>,
) -> Result<HttpResponse, WebError> {
    let patient_id = path.into_inner();
    let page =
        new_tumor_page(&state, &signed, patient_id, &Values::new(), place(Vec::new())).await?;
    crate::web::page(&page)
}

/// The editor of a tumor not saved yet: the values given, with what is wrong beside its field.
async fn new_tumor_page(
    state: &AppState,
    signed: &SignedIn,
    patient_id: String,
    values: &Values,
    problems: Problems,
) -> Result<EditorPage, WebError> {
    let name = patient_name(state, signed, &patient_id).await?;
    let (sections, other) = sections(values, problems, None);
    Ok(EditorPage {
        nav: Nav::new(signed, "patients"),
        patient_id,
        patient_name: name,
        tumor_id: None,
        version: 0,
        title: "New tumor".into(),
        notice: None,
        problem: None,
        sections,
        other_findings: other,
        treatments: vec![],
        cancer_status: String::new(),
        reviews: vec![],
        primaries: None,
    })
}

pub async fn create(
    state: web::Data<AppState>,
    path: web::Path<String>,
    sent: Submitted<Values>,
) -> Result<HttpResponse, WebError> {
    let Submitted { signed, form } = sent;
    let patient_id = path.into_inner();
    let (actor, ctx, pid) = (signed.actor.clone(), state.ctx(), patient_id.clone());
    let body = new_tumor(&form);
    let saved = match body {
        Ok(body) => db(&state, move |c| tumors::create(c, &actor, &pid, &body, ctx)).await,
        Err(e) => Err(e),
    };
    match saved {
        Ok(t) => see_other(&format!("/tumors/{}?saved=1", t.id.unwrap_or_default())),
        Err(ServiceError::Invalid(v) | ServiceError::BadRequest(v)) => {
            let mut page = new_tumor_page(&state, &signed, patient_id, &form, refusals(&v)).await?;
            page.problem = Some(refused_message(v.len()));
            Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &page))
        }
        Err(e) => Err(e.into()),
    }
}

fn refused_message(n: usize) -> String {
    let what = if n == 1 { "1 value cannot be" } else { "some values cannot be" };
    format!(
        "Nothing was saved: {what} stored as written. Correct the fields marked below and save again."
    )
}

struct Loaded {
    tumor: TumorData,
    patient_name: String,
    treatments: Vec<TreatmentData>,
}

async fn load(state: &AppState, signed: &SignedIn, id: &str) -> Result<Loaded, WebError> {
    let (actor, id, rule_set) = (signed.actor.clone(), id.to_string(), state.ctx().rule_set);
    Ok(db(state, move |c| {
        let tumor = tumors::get(c, &actor, &id, rule_set)?;
        let pid = tumor.patient_id.clone().unwrap_or_default();
        let patient = patients::get(c, &actor, &pid, false)?;
        let all = PageRequest { cursor: None, limit: Some(500) };
        let treatments = treatments::list(c, &actor, &id, &all)?.items;
        Ok(Loaded { tumor, patient_name: display_name(&patient), treatments })
    })
    .await?)
}

fn editor(
    signed: &SignedIn,
    loaded: Loaded,
    values: &Values,
    problems: Problems,
    theirs: Option<&Values>,
) -> EditorPage {
    let t = &loaded.tumor;
    let (sections, other) = sections(values, problems, theirs);
    EditorPage {
        nav: Nav::new(signed, "patients"),
        patient_id: t.patient_id.clone().unwrap_or_default(),
        patient_name: loaded.patient_name,
        tumor_id: t.id.clone(),
        version: t.version.unwrap_or(1),
        title: site_and_histology(
            t.primary_site.as_deref(),
            t.histologic_type_icd_o3.as_deref(),
            t.behavior_code_icd_o3.as_deref(),
        ),
        notice: None,
        problem: None,
        sections,
        other_findings: other,
        cancer_status: t.cancer_status.clone().unwrap_or_default(),
        reviews: reviews(t),
        primaries: t.multiple_primaries.as_ref().map(primaries_view),
        treatments: loaded.treatments,
    }
}

/// A stored tumor in the editor, with its findings beside their fields.
pub async fn edit_form(
    state: web::Data<AppState>,
    signed: SignedIn,
    path: web::Path<String>,
    q: web::Query<Saved>,
) -> Result<HttpResponse, WebError> {
    let loaded = load(&state, &signed, &path.into_inner()).await?;
    let values = values_of(&loaded.tumor);
    let problems = stored_findings(&loaded.tumor);
    let open = problems.by_field.values().map(Vec::len).sum::<usize>() + problems.other.len();
    let mut page = editor(&signed, loaded, &values, problems, None);
    if q.saved.is_some() {
        page.notice = Some(match open {
            0 => "Saved. The abstract passes every edit.".to_string(),
            1 => "Saved. 1 edit finding is left to fix or accept: it is shown beside its field."
                .to_string(),
            n => format!(
                "Saved. {n} edit findings are left to fix or accept: each is shown beside its field."
            ),
        });
    }
    crate::web::page(&page)
}

pub async fn update(
    state: web::Data<AppState>,
    path: web::Path<String>,
    sent: Submitted<Values>,
) -> Result<HttpResponse, WebError> {
    let Submitted { signed, mut form } = sent;
    let id = path.into_inner();
    let version: i32 = form.remove("version").and_then(|v| v.parse().ok()).unwrap_or(0);
    form.remove("csrf");
    let accepts = accepted(&form);
    if accepts.iter().any(|(_, reason)| reason.is_empty()) {
        let loaded = load(&state, &signed, &id).await?;
        let mut page = editor(&signed, loaded, &form, place(Vec::new()), None);
        page.version = version;
        page.problem = Some(
            "Nothing was saved: give the reason for each review you accept; it is kept in the \
             tumor's remarks."
                .into(),
        );
        return Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &page));
    }
    let (actor, ctx, tid, mut patch) =
        (signed.actor.clone(), state.ctx(), id.clone(), patch_of(&form));
    let saved = db(&state, move |c| {
        if !accepts.is_empty() {
            // Each acceptance sets its override flag and leaves its reason, signed and dated, in
            // the remarks (NAACCR #2680), so the history shows who accepted what and why.
            let stored = tumors::get(c, &actor, &tid, ctx.rule_set)?;
            let mut remarks = stored
                .items
                .as_ref()
                .and_then(|i| i.get("textRemarks"))
                .cloned()
                .unwrap_or_default();
            for (flag, reason) in &accepts {
                if !remarks.is_empty() {
                    remarks.push('\n');
                }
                remarks.push_str(&format!(
                    "{flag} accepted by {} on {}: {reason}",
                    actor.name, ctx.today
                ));
                patch[*flag] = Value::String("1".into());
            }
            patch["items"]["textRemarks"] = Value::String(remarks);
        }
        tumors::patch(c, &actor, &tid, version, &patch, ctx)
    })
    .await;
    match saved {
        Ok(_) => see_other(&format!("/tumors/{id}?saved=1")),
        Err(ServiceError::Invalid(v) | ServiceError::BadRequest(v)) => {
            let loaded = load(&state, &signed, &id).await?;
            let mut page = editor(&signed, loaded, &form, refusals(&v), None);
            page.version = version;
            page.problem = Some(refused_message(v.len()));
            Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &page))
        }
        Err(ServiceError::VersionMismatch { .. }) => {
            let loaded = load(&state, &signed, &id).await?;
            let theirs = values_of(&loaded.tumor);
            let page = {
                let mut p = editor(&signed, loaded, &form, place(Vec::new()), Some(&theirs));
                p.problem = Some(
                    "Someone else saved this tumor after you opened it; nothing of yours was saved. \
                     Your input is kept below, and each field they changed shows their value. \
                     Check them, then save again."
                        .into(),
                );
                p
            };
            Ok(render(StatusCode::CONFLICT, &page))
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize)]
pub struct TreatmentForm {
    #[serde(default)]
    modality: String,
    #[serde(default)]
    code: String,
    #[serde(default)]
    start_date: String,
}

/// Adds a first-course treatment from the editor's treatment section.
pub async fn add_treatment(
    state: web::Data<AppState>,
    path: web::Path<String>,
    sent: Submitted<TreatmentForm>,
) -> Result<HttpResponse, WebError> {
    let Submitted { signed, form } = sent;
    let id = path.into_inner();
    let mut body = serde_json::json!({ "modality": form.modality.trim(), "firstCourse": true });
    if !form.code.trim().is_empty() {
        body["code"] = Value::String(form.code.trim().to_string());
    }
    if !form.start_date.trim().is_empty() {
        body["startDate"] = Value::String(form.start_date.trim().to_string());
    }
    let data: TreatmentData = serde_json::from_value(body).map_err(|_| WebError::BadForm(0))?;
    let (actor, ctx, tid) = (signed.actor.clone(), state.ctx(), id.clone());
    match db(&state, move |c| treatments::create(c, &actor, &tid, &data, ctx)).await {
        Ok(_) => see_other(&format!("/tumors/{id}?saved=1#treatment")),
        Err(ServiceError::Invalid(v)) => {
            let loaded = load(&state, &signed, &id).await?;
            let values = values_of(&loaded.tumor);
            let problems = stored_findings(&loaded.tumor);
            let mut page = editor(&signed, loaded, &values, problems, None);
            let messages: Vec<String> = v.into_iter().map(|v| v.message).collect();
            page.problem = Some(format!("The treatment was not added: {}", messages.join("; ")));
            Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &page))
        }
        Err(e) => Err(e.into()),
    }
}
