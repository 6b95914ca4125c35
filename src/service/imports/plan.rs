//! Planning one imported patient against what the registry holds: match its tumors, keep every
//! value (what a typed field cannot hold goes to the item map, flagged), review the records with the
//! edits, and hand the result to [`super::write`]. No database access: runs on worker threads.

use std::collections::{HashMap, HashSet};

use chrono::NaiveDate;

use super::matching::{Match, match_tumor};
use super::write::Writes;
use super::{Ctx, ImportProblem, PlannedBatch, REPORT_LIMIT, ReadBatch, match_key, problem};
use crate::domain::PartialDate;
use crate::domain::codes::{CancerStatus, VitalStatus};
use crate::domain::edits::{self, PatientRecords, Review, TumorRecord};
use crate::domain::naaccr::{Dictionary, Level, RecordType};
use crate::domain::records::{CauseOfDeath, Contact, Patient, Treatment, Tumor};
use crate::domain::validation::Violation;
use crate::formats::mapping::{
    self, Field, ItemMap, PATIENT_FIELDS, PATIENT_TUMOR_FIELDS, TUMOR_FIELDS,
};
use crate::formats::records::{self, Incoming, IncomingTumor};
use crate::model::{ImportRecord, PatientData, TreatmentData, TumorData};
use crate::service::naaccr_load::{Fetched, Stored, StoredTumor, contact_from};
use crate::service::{Result, edits as service_edits};

/// Validates `doc`; values of fields that fail (or that `future` finds in the future) are moved out,
/// returned as NAACCR items with their violation, and the document is validated again, until it
/// passes. `Err` only when nothing more can be moved: a value the record cannot be stored without
/// is missing or bad.
fn settle<T, D>(
    doc: &mut T,
    fields: &[&[Field<T>]],
    validate: impl Fn(&T) -> std::result::Result<D, Vec<Violation>>,
    future: impl Fn(&D) -> Vec<Violation>,
    moved: &mut Vec<(&'static str, String, Violation)>,
) -> std::result::Result<D, Vec<Violation>> {
    loop {
        let violations = match validate(doc) {
            Ok(d) => {
                let ahead = future(&d);
                if ahead.is_empty() {
                    return Ok(d);
                }
                ahead
            }
            Err(v) => v,
        };
        let before = moved.len();
        for v in &violations {
            let field = fields.iter().flat_map(|f| f.iter()).find(|f| f.naaccr_id == v.field);
            if let Some(f) = field
                && let Some(value) = (f.get_mut)(doc).take()
            {
                moved.push((f.naaccr_id, mapping::to_item(f.conv, &value), v.clone()));
            }
        }
        if moved.len() == before {
            return Err(violations);
        }
    }
}

/// A violation for each of the dates given that lies after `today`.
fn future_dates(dates: &[(&str, Option<PartialDate>)], today: NaiveDate) -> Vec<Violation> {
    let today = PartialDate::from_naive(today);
    dates
        .iter()
        .filter(|(_, d)| d.is_some_and(|d| d.is_after(&today)))
        .map(|(field, _)| Violation {
            field: (*field).to_string(),
            rule: "date.future",
            message: "the date is in the future".into(),
        })
        .collect()
}

fn covers(dict: &Dictionary, rt: RecordType, id: &str, level: Level) -> bool {
    records::file_covers(dict, rt, id, level)
}

/// The stored document with the file's values for every item the file's record type carries.
fn merge<T: Clone>(
    stored: &T,
    incoming: &T,
    fields: &[Field<T>],
    dict: &Dictionary,
    rt: RecordType,
    level: Level,
) -> T {
    let mut out = stored.clone();
    for f in fields {
        if covers(dict, rt, f.naaccr_id, level) {
            *(f.get_mut)(&mut out) = (f.get)(incoming).clone();
        }
    }
    out
}

fn merge_items(
    stored: &ItemMap,
    incoming: ItemMap,
    dict: &Dictionary,
    rt: RecordType,
    level: Level,
) -> ItemMap {
    let mut out: ItemMap = stored
        .iter()
        .filter(|(k, _)| !covers(dict, rt, k, level))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    out.extend(incoming);
    out
}

fn violations_to(
    problems: &mut Vec<ImportProblem>,
    level: &str,
    tumor: Option<usize>,
    outcome: &str,
    vs: Vec<Violation>,
) {
    for v in vs {
        problems.push(problem(level, tumor, Some(&v.field), v.rule, outcome, v.message));
    }
}

/// A tumor as it will be stored.
pub(super) struct Planned<'s> {
    pub id: String,
    pub existing: Option<&'s StoredTumor>,
    pub doc: TumorData,
    pub domain: Tumor,
    pub items: ItemMap,
    /// The first-course treatments the file gives, with the id a new one gets.
    pub treatments: Vec<(TreatmentData, Treatment)>,
    pub treatment_ids: Vec<String>,
    pub cancer_status: Option<String>,
}

fn iso(v: &Option<String>) -> Option<String> {
    v.as_deref().and_then(|d| mapping::from_item(mapping::Conv::Date, d))
}

impl Ctx<'_> {
    /// Plans one batch against what the registry holds.
    pub(super) fn plan(&self, batch: ReadBatch, fetched: Fetched) -> Result<PlannedBatch> {
        let mut stored: HashMap<String, Stored> =
            fetched.parse()?.into_iter().map(|s| (s.row.patient_id_number.clone(), s)).collect();
        let mut out = PlannedBatch::default();
        for (index, mut problems, inc) in batch.patients {
            let number = inc.patient.patient_id_number.clone();
            let existing = match_key(&inc).and_then(|k| stored.remove(&k));
            let mut matched = [0u64; 3];
            let status = self
                .patient(inc, existing.as_ref(), &mut problems, &mut matched, &mut out.writes)?
                .unwrap_or("rejected");
            match status {
                "created" => out.created += 1,
                "updated" => out.updated += 1,
                "unchanged" => out.unchanged += 1,
                _ => out.rejected += 1,
            }
            if status != "rejected" {
                for (total, n) in out.matched.iter_mut().zip(matched) {
                    *total += n;
                }
            }
            if (status == "rejected" || !problems.is_empty()) && out.records.len() < REPORT_LIMIT {
                out.records.push(ImportRecord {
                    index,
                    patient_id_number: number,
                    status: status.into(),
                    problems,
                });
            }
        }
        Ok(out)
    }

    /// Plans one patient and adds its writes. `None` when rejected: only a patient without a
    /// usable patient id number, or whose tumor matches a stored one ambiguously, is.
    fn patient(
        &self,
        mut inc: Incoming,
        existing: Option<&Stored>,
        problems: &mut Vec<ImportProblem>,
        matched: &mut [u64; 3],
        w: &mut Writes,
    ) -> Result<Option<&'static str>> {
        let (dict, rt, today) = (self.dict, self.rt, self.today);
        let mut doc = match existing {
            Some(s) => {
                let d = merge(&s.doc, &inc.patient, PATIENT_FIELDS, dict, rt, Level::Patient);
                merge(&d, &inc.patient, PATIENT_TUMOR_FIELDS, dict, rt, Level::Tumor)
            }
            None => inc.patient.clone(),
        };
        let mut moved = Vec::new();
        let patient = match settle(
            &mut doc,
            &[PATIENT_FIELDS, PATIENT_TUMOR_FIELDS],
            PatientData::to_domain,
            |p: &Patient| future_dates(&[("dateOfBirth", p.date_of_birth)], today),
            &mut moved,
        ) {
            Ok(p) => p,
            Err(vs) => {
                violations_to(problems, "Patient", None, "rejected", vs);
                return Ok(None);
            }
        };
        for (id, value, v) in moved {
            problems.push(problem("Patient", None, Some(id), v.rule, "kept", v.message));
            if PATIENT_TUMOR_FIELDS.iter().any(|f| f.naaccr_id == id) {
                // Tumors that had the patient's value keep it as their own item.
                for t in &mut inc.tumors {
                    t.items.entry(id.into()).or_insert_with(|| value.clone());
                }
            } else {
                inc.items.insert(id.into(), value);
            }
        }
        // Items an export writes on each tumor from the patient's physicians: a tumor that gives
        // the same value does not store it a second time.
        let npi = |p: &Option<crate::model::PhysicianData>| p.as_ref().and_then(|p| p.npi.clone());
        let held = [
            ("npiPhysicianManaging", npi(&doc.physician_managing)),
            ("npiPhysicianFollowUp", npi(&doc.physician_follow_up)),
        ];
        let stored_tumors: &[StoredTumor] = existing.map_or(&[], |s| &s.tumors);
        let mut used: HashSet<&str> = HashSet::new();
        let mut planned: Vec<Planned> = Vec::new();
        let mut rejected = false;
        for (n, t) in std::mem::take(&mut inc.tumors).into_iter().enumerate() {
            let m = match match_tumor(stored_tumors, &used, &t) {
                Match::New => None,
                Match::Stored(s, key) => {
                    used.insert(s.row.id.as_str());
                    matched[key] += 1;
                    Some(s)
                }
                Match::AccessionMismatch => {
                    // The same tumor of the patient under another registration: a second tumor
                    // with that sequence number would be wrong, an update a guess. The registrar
                    // decides.
                    problems.push(problem(
                        "Tumor",
                        Some(n),
                        Some("accessionNumberHosp"),
                        "tumor.accessionMismatch",
                        "rejected",
                        "the registry holds this patient's tumor with this sequence number under \
                         another accession number; the patient was not imported"
                            .into(),
                    ));
                    rejected = true;
                    continue;
                }
            };
            match self.tumor(n, t, m, &held, problems) {
                Some(p) => planned.push(p),
                None => rejected = true,
            }
        }
        if rejected {
            return Ok(None);
        }
        // Follow-up: a contact from the date of last contact and vital status.
        let mut p_items = inc.items;
        let dlc = iso(&inc.date_of_last_contact);
        let mut contact: Option<Contact> = None;
        if let (Some(d), Some(v)) = (&dlc, &inc.vital_status) {
            let dead = VitalStatus::parse(v).is_ok_and(|s| s.is_dead());
            let cause =
                inc.cause_of_death.as_deref().filter(|c| dead && CauseOfDeath::parse(c).is_ok());
            if cause.is_none()
                && let Some(cd) = &inc.cause_of_death
            {
                p_items.insert("causeOfDeath".into(), cd.clone());
            }
            let statuses = planned
                .iter()
                .filter_map(|p| p.cancer_status.clone().map(|s| (p.id.clone(), s)))
                .collect();
            let source =
                planned.first().and_then(|p| p.items.get("followUpSource")).map(String::as_str);
            let built = contact_from(d, v, source, cause, statuses).and_then(|ct| {
                match future_dates(&[("dateOfLastContact", Some(ct.contact_date))], today).pop() {
                    Some(v) => Err(v.message),
                    None => Ok(ct),
                }
            });
            match built {
                Ok(ct) => contact = Some(ct),
                Err(msg) => {
                    problems.push(problem(
                        "Patient",
                        None,
                        Some("dateOfLastContact"),
                        "followUp.invalid",
                        "kept",
                        msg,
                    ));
                }
            }
        }
        if contact.is_none() {
            for (id, v) in [
                ("dateOfLastContact", &inc.date_of_last_contact),
                ("vitalStatus", &inc.vital_status),
                ("causeOfDeath", &inc.cause_of_death),
            ] {
                if let Some(v) = v {
                    p_items.insert(id.into(), v.clone());
                }
            }
            for p in &mut planned {
                if let Some(cs) = p.cancer_status.take() {
                    p.items.insert("cancerStatus".into(), cs);
                }
            }
        }
        let p_items = merge_items(
            existing.map_or(&ItemMap::new(), |s| &s.items),
            p_items,
            dict,
            rt,
            Level::Patient,
        );
        let existing_contact = contact.as_ref().and_then(|ct| {
            existing.and_then(|s| {
                s.contacts.iter().find(|(r, _)| r.contact_date == ct.contact_date.to_string())
            })
        });
        let contact = contact.filter(|_| existing_contact.is_none());
        let plan = PatientPlan {
            existing,
            patient,
            items: p_items,
            planned,
            others: stored_tumors
                .iter()
                .filter(|s| !used.contains(s.row.id.as_str()))
                .filter_map(|s| s.doc.to_domain().ok().map(|t| (s, t)))
                .collect(),
            contact,
        };
        let review = plan.review(self);
        // Error findings are reported, but a value reported where it was kept once only.
        let already: HashSet<String> =
            problems.iter().filter_map(|p| p.naaccr_id.clone()).collect();
        // So are the multiple-primary findings: a file's tumor that the rules call the same
        // primary as another is stored, never merged, and the report says so.
        let multiple_primary = |f: &edits::Finding| {
            [edits::SAME_PRIMARY.id, edits::SEQ_PRIMARIES.id].contains(&f.edit_id)
        };
        let reported = |f: &&edits::Finding| {
            (f.severity == edits::Severity::Error || (multiple_primary(f) && !f.overridden))
                && !(f.edit_id == edits::VALUE_KEPT.id
                    && f.fields.first().is_some_and(|id| already.contains(id)))
        };
        for (n, findings) in review.tumors.iter().take(plan.planned.len()).enumerate() {
            for f in findings.iter().filter(reported) {
                problems.push(problem(
                    "Tumor",
                    Some(n),
                    f.fields.first().map(String::as_str),
                    &format!("edit.{}", f.edit_id),
                    "reported",
                    f.message.clone(),
                ));
            }
        }
        for f in review.patient.iter().filter(reported) {
            problems.push(problem(
                "Patient",
                None,
                f.fields.first().map(String::as_str),
                &format!("edit.{}", f.edit_id),
                "reported",
                f.message.clone(),
            ));
        }
        self.write(w, plan, review).map(Some)
    }

    /// Plans one tumor: the stored document with the file's values, what a typed field cannot hold
    /// moved to the item map. `None` only when the tumor cannot be stored at all.
    fn tumor<'s>(
        &self,
        n: usize,
        mut t: IncomingTumor,
        matched: Option<&'s StoredTumor>,
        held: &[(&str, Option<String>)],
        problems: &mut Vec<ImportProblem>,
    ) -> Option<Planned<'s>> {
        let (dict, rt, today) = (self.dict, self.rt, self.today);
        let mut tdoc = match matched {
            Some(s) => merge(&s.doc, &t.tumor, TUMOR_FIELDS, dict, rt, Level::Tumor),
            None => t.tumor.clone(),
        };
        let mut moved = Vec::new();
        let domain = match settle(
            &mut tdoc,
            &[TUMOR_FIELDS],
            TumorData::to_domain,
            |t: &Tumor| {
                future_dates(
                    &[
                        ("dateOfDiagnosis", t.date_of_diagnosis),
                        ("dateOf1stContact", t.date_of_1st_contact),
                    ],
                    today,
                )
            },
            &mut moved,
        ) {
            Ok(d) => d,
            Err(vs) => {
                violations_to(problems, "Tumor", Some(n), "rejected", vs);
                return None;
            }
        };
        for (id, value, v) in moved {
            problems.push(problem("Tumor", Some(n), Some(id), v.rule, "kept", v.message));
            t.items.insert(id.into(), value);
        }
        let mut treatments = Vec::new();
        for it in &t.treatments {
            let td = TreatmentData {
                modality: Some(it.modality.into()),
                code: Some(it.code.clone()),
                first_course: Some(true),
                start_date: iso(&it.start),
                end_date: iso(&it.end),
                ..TreatmentData::default()
            };
            let parsed = td.to_domain().map_err(|vs| vs.into_iter().next()).and_then(|tr| {
                let dates = [("startDate", tr.start_date), ("endDate", tr.end_date)];
                match future_dates(&dates, today).pop() {
                    Some(v) => Err(Some(v)),
                    None => Ok(tr),
                }
            });
            match parsed {
                Ok(tr) => treatments.push((TreatmentData::from_domain(&tr), tr)),
                Err(v) => {
                    let (rule, msg) =
                        v.map_or(("code.unknown", String::new()), |v| (v.rule, v.message));
                    problems.push(problem("Tumor", Some(n), Some(it.code_item), rule, "kept", msg));
                    t.items.insert(it.code_item.into(), it.code.clone());
                    if let Some(s) = &it.start {
                        t.items.insert(it.start_item.into(), s.clone());
                    }
                    if let (Some(e), Some(v)) = (it.end_item, &it.end) {
                        t.items.insert(e.into(), v.clone());
                    }
                }
            }
        }
        let mut cancer_status = None;
        if let Some(cs) = t.cancer_status.take() {
            if CancerStatus::parse(&cs).is_ok() {
                cancer_status = Some(cs);
            } else {
                problems.push(problem(
                    "Tumor",
                    Some(n),
                    Some("cancerStatus"),
                    "code.unknown",
                    "kept",
                    "not a cancer status code".into(),
                ));
                t.items.insert("cancerStatus".into(), cs);
            }
        }
        let mut items = merge_items(
            matched.map_or(&ItemMap::new(), |m| &m.items),
            t.items,
            dict,
            rt,
            Level::Tumor,
        );
        for (id, value) in held {
            if value.is_some() && items.get(*id) == value.as_ref() {
                items.remove(*id);
            }
        }
        Some(Planned {
            id: matched.map_or_else(crate::db::new_id, |m| m.row.id.clone()),
            existing: matched,
            doc: TumorData::from_domain(&domain),
            domain,
            items,
            treatment_ids: treatments.iter().map(|_| crate::db::new_id()).collect(),
            treatments,
            cancer_status,
        })
    }
}

/// One patient as it will be after the import.
pub(super) struct PatientPlan<'s> {
    pub existing: Option<&'s Stored>,
    pub patient: Patient,
    pub items: ItemMap,
    /// The file's tumors, matched or new.
    pub planned: Vec<Planned<'s>>,
    /// The patient's stored tumors the file does not carry (those whose document still parses).
    pub others: Vec<(&'s StoredTumor, Tumor)>,
    /// The contact to add, when the file gives one the registry does not hold.
    pub contact: Option<Contact>,
}

impl PatientPlan<'_> {
    /// The first-course treatments the file replaces: (tumor id, modality).
    fn replaced(&self) -> HashSet<(&str, &str)> {
        self.planned
            .iter()
            .flat_map(|p| {
                p.treatments
                    .iter()
                    .map(move |(d, _)| (p.id.as_str(), d.modality.as_deref().unwrap_or("")))
            })
            .collect()
    }

    /// The edits over the whole patient as it will be: findings for the patient, then for each
    /// planned tumor followed by each other stored tumor (in [`Self::others`] order).
    pub fn review(&self, ctx: &Ctx) -> Review {
        let replaced = self.replaced();
        let stored_tumors: Vec<&StoredTumor> =
            self.existing.map(|s| s.tumors.iter().collect()).unwrap_or_default();
        let old_treatments: Vec<(String, String, Treatment)> = stored_tumors
            .iter()
            .flat_map(|s| s.treatments.iter().map(move |(r, d)| (r, d, s.row.id.as_str())))
            .filter(|(_, d, tid)| {
                !(d.first_course != Some(false)
                    && replaced.contains(&(*tid, d.modality.as_deref().unwrap_or(""))))
            })
            .filter_map(|(r, d, tid)| d.to_domain().ok().map(|t| (r.id.clone(), tid.to_owned(), t)))
            .collect();
        let old_contacts: Vec<(String, Contact)> = self
            .existing
            .map(|s| {
                s.contacts
                    .iter()
                    .filter_map(|(r, d)| d.to_domain().ok().map(|c| (r.id.clone(), c)))
                    .collect()
            })
            .unwrap_or_default();
        let mut treatments: Vec<(&str, &str, &Treatment)> =
            old_treatments.iter().map(|(i, t, x)| (i.as_str(), t.as_str(), x)).collect();
        for p in &self.planned {
            for ((_, tr), id) in p.treatments.iter().zip(&p.treatment_ids) {
                treatments.push((id.as_str(), p.id.as_str(), tr));
            }
        }
        let mut contacts: Vec<(&str, &Contact)> =
            old_contacts.iter().map(|(i, c)| (i.as_str(), c)).collect();
        if let Some(ct) = &self.contact {
            contacts.push(("new", ct));
        }
        let records = PatientRecords {
            patient: &self.patient,
            items: &self.items,
            tumors: self
                .planned
                .iter()
                .map(|p| TumorRecord { id: &p.id, tumor: &p.domain, items: &p.items })
                .chain(self.others.iter().map(|(s, tumor)| TumorRecord {
                    id: &s.row.id,
                    tumor,
                    items: &s.items,
                }))
                .collect(),
            treatments,
            contacts,
        };
        edits::review(&records, ctx.rule_set, ctx.today, &service_edits::kept)
    }
}
