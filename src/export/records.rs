//! A stored patient with everything about it ↔ the NAACCR items of one `<Patient>`.
//!
//! Export precedence per item: typed field, then what is derived from treatments and contacts, then
//! the item map (items without a typed field), then patient-held tumor items (address at
//! diagnosis). Import is the inverse: typed fields take what they can hold, the rest goes to the
//! item maps, so nothing is lost.

use super::mapping::{
    self, Conv, ItemMap, PATIENT_FIELDS, PATIENT_TUMOR_FIELDS, TREATMENT_ITEMS, TUMOR_FIELDS,
};
use super::naaccr_xml::PatientItems;
use crate::domain::naaccr::{Dictionary, Level, RecordType};
use crate::dto::{PatientData, TreatmentData, TumorData};

/// Follow-up state of a patient with at least one contact.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FollowUp {
    /// ISO date of last contact (#1750).
    pub date_of_last_contact: String,
    /// #1760.
    pub vital_status: String,
    /// #1910, from the contact that records the death.
    pub cause_of_death: Option<String>,
}

/// One tumor with its item map, first-course treatments and latest cancer status.
#[derive(Clone, Debug, Default)]
pub struct TumorRecord {
    pub tumor: TumorData,
    pub items: ItemMap,
    /// First-course treatments (one per modality is written).
    pub treatments: Vec<TreatmentData>,
    /// #1770 from the latest contact that reported on the tumor.
    pub cancer_status: Option<String>,
}

/// One patient as stored, ready to be written.
#[derive(Clone, Debug, Default)]
pub struct PatientRecord {
    pub patient: PatientData,
    pub items: ItemMap,
    pub follow_up: Option<FollowUp>,
    pub tumors: Vec<TumorRecord>,
}

/// Collects `(dictionary index, priority, id, value)` and keeps the best value per item.
struct Collect<'d> {
    dict: &'d Dictionary,
    out: Vec<(usize, u8, String)>,
}

impl<'d> Collect<'d> {
    fn new(dict: &'d Dictionary) -> Self {
        Self { dict, out: Vec::with_capacity(64) }
    }

    /// An empty value claims the item without writing it (a tumor that lacks a patient-held item).
    fn add(&mut self, priority: u8, id: &str, value: &str) {
        if let Some(index) = mapping::target_id(self.dict, id).and_then(|t| self.dict.index_of(t)) {
            self.out.push((index, priority, value.to_owned()));
        }
    }

    fn finish(mut self) -> Vec<(String, String)> {
        self.out.sort_by_key(|(i, p, _)| (*i, *p));
        self.out.dedup_by_key(|(i, _, _)| *i);
        let dict = self.dict;
        self.out
            .into_iter()
            .filter(|(_, _, v)| !v.is_empty())
            .filter_map(|(i, _, v)| dict.items.get(i).map(|d| (d.naaccr_id.clone(), v)))
            .collect()
    }
}

const TYPED: u8 = 0;
const DERIVED: u8 = 1;
const MAPPED: u8 = 2;
const PATIENT_HELD: u8 = 3;

/// The items of one patient for `dict` (record-type filtering is the writer's job).
pub fn to_items(rec: &PatientRecord, dict: &Dictionary) -> PatientItems {
    let mut p = Collect::new(dict);
    for f in PATIENT_FIELDS {
        if let Some(v) = (f.get)(&rec.patient) {
            // An original v25 `sex` kept in the item map wins over the alias.
            if f.naaccr_id == "sexAssignedAtBirth"
                && rec.items.contains_key("sex")
                && dict.get("sexAssignedAtBirth").is_none()
            {
                continue;
            }
            p.add(TYPED, f.naaccr_id, &mapping::to_item(f.conv, v));
        }
    }
    if let Some(fu) = &rec.follow_up {
        p.add(
            DERIVED,
            "dateOfLastContact",
            &mapping::to_item(Conv::Date, &fu.date_of_last_contact),
        );
        p.add(DERIVED, "vitalStatus", &fu.vital_status);
        if let Some(c) = &fu.cause_of_death {
            p.add(DERIVED, "causeOfDeath", c);
        }
    }
    for (k, v) in &rec.items {
        p.add(MAPPED, k, v);
    }
    let items = p.finish();
    let tumors = rec
        .tumors
        .iter()
        .map(|t| {
            let mut c = Collect::new(dict);
            for f in TUMOR_FIELDS {
                if let Some(v) = (f.get)(&t.tumor) {
                    c.add(TYPED, f.naaccr_id, &mapping::to_item(f.conv, v));
                }
            }
            for (modality, codes, start, end) in TREATMENT_ITEMS {
                let Some(tr) =
                    t.treatments.iter().find(|x| x.modality.as_deref() == Some(modality))
                else {
                    continue;
                };
                if let Some(code) = &tr.code {
                    c.add(DERIVED, mapping::treatment_code_item(codes, code), code);
                }
                if let Some(d) = &tr.start_date {
                    c.add(DERIVED, start, &mapping::to_item(Conv::Date, d));
                }
                if let (Some(end), Some(d)) = (end, &tr.end_date) {
                    c.add(DERIVED, end, &mapping::to_item(Conv::Date, d));
                }
            }
            if let Some(s) = &t.cancer_status {
                c.add(DERIVED, "cancerStatus", s);
            }
            for (k, v) in &t.items {
                c.add(MAPPED, k, v);
            }
            for f in PATIENT_TUMOR_FIELDS {
                if let Some(v) = (f.get)(&rec.patient) {
                    c.add(PATIENT_HELD, f.naaccr_id, &mapping::to_item(f.conv, v));
                }
            }
            let npis = [
                ("npiPhysicianManaging", &rec.patient.physician_managing),
                ("npiPhysicianFollowUp", &rec.patient.physician_follow_up),
            ];
            for (id, phys) in npis {
                if let Some(npi) = phys.as_ref().and_then(|p| p.npi.as_deref()) {
                    c.add(PATIENT_HELD, id, npi);
                }
            }
            c.finish()
        })
        .collect();
    PatientItems { items, tumors }
}

/// What an imported `<Patient>` holds, split into typed documents and item maps. Values are not
/// validated here; [`crate::service::imports`] does that and moves what a typed field cannot hold
/// to the item map.
#[derive(Clone, Debug, Default)]
pub struct Incoming {
    pub patient: PatientData,
    pub items: ItemMap,
    /// Date of last contact (NAACCR form), vital status and cause of death as given.
    pub date_of_last_contact: Option<String>,
    pub vital_status: Option<String>,
    pub cause_of_death: Option<String>,
    pub tumors: Vec<IncomingTumor>,
}

/// One imported tumor.
#[derive(Clone, Debug, Default)]
pub struct IncomingTumor {
    pub tumor: TumorData,
    pub items: ItemMap,
    pub treatments: Vec<IncomingTreatment>,
    pub cancer_status: Option<String>,
}

/// One first-course treatment read from RX Summ items.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct IncomingTreatment {
    pub modality: &'static str,
    pub code_item: &'static str,
    pub code: String,
    pub start_item: &'static str,
    pub start: Option<String>,
    pub end_item: Option<&'static str>,
    pub end: Option<String>,
}

/// Splits the items of one `<Patient>` (read with `dict`) into typed fields and item maps.
pub fn from_items(
    patient_items: &[(String, String)],
    tumors: &[Vec<(String, String)>],
    dict: &Dictionary,
) -> Incoming {
    let mut inc = Incoming::default();
    for (id, value) in patient_items {
        if let Some(f) = PATIENT_FIELDS.iter().find(|f| f.naaccr_id == id) {
            match mapping::from_item(f.conv, value) {
                Some(v) => *(f.get_mut)(&mut inc.patient) = Some(v),
                None => {
                    inc.items.insert(id.clone(), value.clone());
                }
            }
            continue;
        }
        match id.as_str() {
            "sex" => match mapping::sex_assigned_at_birth_from_sex(value) {
                Some((code, exact)) => {
                    if inc.patient.sex_assigned_at_birth.is_none() {
                        inc.patient.sex_assigned_at_birth = Some(code.to_owned());
                    }
                    if !exact {
                        inc.items.insert(id.clone(), value.clone());
                    }
                }
                None => {
                    inc.items.insert(id.clone(), value.clone());
                }
            },
            "dateOfLastContact" => inc.date_of_last_contact = Some(value.clone()),
            "vitalStatus" => inc.vital_status = Some(value.clone()),
            "causeOfDeath" => inc.cause_of_death = Some(value.clone()),
            _ => {
                inc.items.insert(id.clone(), value.clone());
            }
        }
    }
    for (n, pairs) in tumors.iter().enumerate() {
        let mut t = IncomingTumor::default();
        let mut rest: ItemMap = ItemMap::new();
        for (id, value) in pairs {
            if let Some(f) = TUMOR_FIELDS.iter().find(|f| f.naaccr_id == id) {
                match mapping::from_item(f.conv, value) {
                    Some(v) => *(f.get_mut)(&mut t.tumor) = Some(v),
                    None => {
                        t.items.insert(id.clone(), value.clone());
                    }
                }
                continue;
            }
            if let Some(f) = PATIENT_TUMOR_FIELDS.iter().find(|f| f.naaccr_id == id) {
                let slot = (f.get_mut)(&mut inc.patient);
                if n == 0 {
                    *slot = Some(value.clone());
                } else if slot.as_deref() != Some(value.as_str()) {
                    t.items.insert(id.clone(), value.clone());
                }
                continue;
            }
            if id == "cancerStatus" {
                t.cancer_status = Some(value.clone());
                continue;
            }
            rest.insert(id.clone(), value.clone());
        }
        // A later tumor without a patient-held item the first one had keeps that absence.
        if n > 0 {
            for f in PATIENT_TUMOR_FIELDS {
                if (f.get)(&inc.patient).is_some() && !pairs.iter().any(|(k, _)| k == f.naaccr_id) {
                    t.items.insert(f.naaccr_id.to_owned(), String::new());
                }
            }
        }
        for (modality, codes, start, end) in TREATMENT_ITEMS {
            let Some((code_item, code)) =
                codes.iter().find_map(|c| rest.get(*c).map(|v| (*c, v.clone())))
            else {
                continue;
            };
            if dict.get(code_item).is_none() {
                continue;
            }
            rest.remove(code_item);
            let take_date = |rest: &mut ItemMap, id: &str| {
                let v = rest.get(id)?;
                mapping::from_item(Conv::Date, v)?;
                rest.remove(id)
            };
            let start_v = take_date(&mut rest, start);
            let end_v = end.and_then(|e| take_date(&mut rest, e));
            t.treatments.push(IncomingTreatment {
                modality,
                code_item,
                code,
                start_item: start,
                start: start_v,
                end_item: *end,
                end: end_v,
            });
        }
        t.items.extend(rest);
        inc.tumors.push(t);
    }
    inc
}

/// Whether the items of `level` in a `rt` file include `id` (only those replace stored values).
pub fn file_covers(dict: &Dictionary, rt: RecordType, id: &str, level: Level) -> bool {
    match mapping::target_id(dict, id).and_then(|t| dict.get(t)) {
        Some(d) => d.level == level && d.record_types.contains(rt),
        None => false,
    }
}
