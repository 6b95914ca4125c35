//! A stored patient with everything about it ↔ the NAACCR items of one `<Patient>`.
//!
//! Export precedence per item: typed field, then what is derived from treatments and contacts, then
//! the item map (items without a typed field), then patient-held tumor items (address at
//! diagnosis). Import is the inverse: typed fields take what they can hold, the rest goes to the
//! item maps, so nothing is lost.

use std::borrow::Cow;

use serde::{Deserialize, Serialize};

use super::mapping::{
    self, Conv, Field, ItemMap, PATIENT_FIELDS, PATIENT_TUMOR_FIELDS, TREATMENT_ITEMS, TUMOR_FIELDS,
};
use super::naaccr_xml::IndexedItems;
use crate::domain::naaccr::{Dictionary, Level, RecordType};
use crate::model::{PatientData, TreatmentData, TumorData};

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

/// A NAACCR item id: its position in the newest built-in dictionary (two bytes in a stored form,
/// and no lookup by name when exporting) or, for an id that dictionary lacks, the id itself.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ItemId<'a> {
    Known(u16),
    Named(#[serde(borrow)] Cow<'a, str>),
}

impl<'a> ItemId<'a> {
    pub fn of(naaccr_id: &'a str) -> Self {
        let known = Dictionary::newest().ok().and_then(|d| d.index_of(naaccr_id));
        match known.and_then(|i| u16::try_from(i).ok()) {
            Some(i) => Self::Known(i),
            None => Self::Named(Cow::Borrowed(naaccr_id)),
        }
    }

    /// The id as written in files.
    pub fn name(&self) -> &str {
        match self {
            Self::Known(i) => Dictionary::newest()
                .ok()
                .and_then(|d| d.items.get(usize::from(*i)))
                .map_or("", |d| d.naaccr_id.as_str()),
            Self::Named(id) => id,
        }
    }
}

/// One item before a dictionary is chosen: its NAACCR id, its precedence (lower wins) and its
/// value as written. An empty value claims the item without writing it (a tumor that lacks a
/// patient-held item).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Item<'a> {
    #[serde(borrow)]
    pub id: ItemId<'a>,
    pub priority: u8,
    #[serde(borrow)]
    pub value: Cow<'a, str>,
}

/// The items of one patient and of each of its tumors, before a dictionary is chosen.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Items<'a> {
    pub patient: Vec<Item<'a>>,
    pub tumors: Vec<Vec<Item<'a>>>,
}

/// Collects candidate items; the best one per dictionary item is chosen by [`resolve`].
struct Collect<'a> {
    out: Vec<Item<'a>>,
}

impl<'a> Collect<'a> {
    fn new() -> Self {
        Self { out: Vec::with_capacity(64) }
    }

    fn add(&mut self, priority: u8, id: &'a str, value: Cow<'a, str>) {
        self.out.push(Item { id: ItemId::of(id), priority, value });
    }

    fn fields<T>(&mut self, priority: u8, fields: &'static [Field<T>], rec: &'a T) {
        for f in fields {
            if let Some(v) = (f.get)(rec) {
                self.add(priority, f.naaccr_id, convert(f.conv, v));
            }
        }
    }
}

/// A JSON value as an item value, borrowed unless it is a date to reformat.
fn convert(conv: Conv, value: &str) -> Cow<'_, str> {
    match conv {
        Conv::Date if value.contains('-') => Cow::Owned(mapping::to_item(conv, value)),
        _ => Cow::Borrowed(value),
    }
}

const TYPED: u8 = 0;
const DERIVED: u8 = 1;
const MAPPED: u8 = 2;
const PATIENT_HELD: u8 = 3;

/// Every item one patient's record offers, in any dictionary.
pub fn collect(rec: &PatientRecord) -> Items<'_> {
    let mut p = Collect::new();
    p.fields(TYPED, PATIENT_FIELDS, &rec.patient);
    if let Some(fu) = &rec.follow_up {
        p.add(DERIVED, "dateOfLastContact", convert(Conv::Date, &fu.date_of_last_contact));
        p.add(DERIVED, "vitalStatus", Cow::Borrowed(&fu.vital_status));
        if let Some(c) = &fu.cause_of_death {
            p.add(DERIVED, "causeOfDeath", Cow::Borrowed(c));
        }
    }
    for (k, v) in &rec.items {
        p.add(MAPPED, k, Cow::Borrowed(v));
    }
    let tumors = rec
        .tumors
        .iter()
        .map(|t| {
            let mut c = Collect::new();
            c.fields(TYPED, TUMOR_FIELDS, &t.tumor);
            for (modality, codes, start, end) in TREATMENT_ITEMS {
                let Some(tr) =
                    t.treatments.iter().find(|x| x.modality.as_deref() == Some(modality))
                else {
                    continue;
                };
                if let Some(code) = &tr.code {
                    c.add(DERIVED, mapping::treatment_code_item(codes, code), Cow::Borrowed(code));
                }
                if let Some(d) = &tr.start_date {
                    c.add(DERIVED, start, convert(Conv::Date, d));
                }
                if let (Some(end), Some(d)) = (end, &tr.end_date) {
                    c.add(DERIVED, end, convert(Conv::Date, d));
                }
            }
            if let Some(s) = &t.cancer_status {
                c.add(DERIVED, "cancerStatus", Cow::Borrowed(s));
            }
            for (k, v) in &t.items {
                c.add(MAPPED, k, Cow::Borrowed(v));
            }
            c.fields(PATIENT_HELD, PATIENT_TUMOR_FIELDS, &rec.patient);
            let npis = [
                ("npiPhysicianManaging", &rec.patient.physician_managing),
                ("npiPhysicianFollowUp", &rec.patient.physician_follow_up),
            ];
            for (id, phys) in npis {
                if let Some(npi) = phys.as_ref().and_then(|p| p.npi.as_deref()) {
                    c.add(PATIENT_HELD, id, Cow::Borrowed(npi));
                }
            }
            c.out
        })
        .collect();
    Items { patient: p.out, tumors }
}

/// Where items go in one dictionary, looked up once per export instead of once per value.
pub struct Targets<'d> {
    dict: &'d Dictionary,
    /// newest-dictionary index → index in `dict`
    known: Vec<Option<usize>>,
    /// v25 writes `sexAssignedAtBirth` as `sex`, where an original `sex` in the item map wins.
    sex_is_alias: bool,
    sex: ItemId<'static>,
    sex_assigned_at_birth: ItemId<'static>,
}

impl<'d> Targets<'d> {
    pub fn new(dict: &'d Dictionary) -> Self {
        let known = Dictionary::newest()
            .map(|n| n.items.iter().map(|d| mapping::target_index(dict, &d.naaccr_id)).collect())
            .unwrap_or_default();
        Self {
            dict,
            known,
            sex_is_alias: dict.index_of("sexAssignedAtBirth").is_none(),
            sex: ItemId::of("sex"),
            sex_assigned_at_birth: ItemId::of("sexAssignedAtBirth"),
        }
    }

    fn index(&self, id: &ItemId) -> Option<usize> {
        match id {
            ItemId::Known(i) => self.known.get(usize::from(*i)).copied().flatten(),
            ItemId::Named(name) => mapping::target_index(self.dict, name),
        }
    }
}

/// The items the targets' dictionary knows, one per item (the best by precedence), in dictionary
/// order, empty values dropped (record-type filtering is the writer's job). `unknown` is told the
/// id of each value the version has no item for (a retired item, say), so it is reported.
pub fn resolve<'b>(
    items: &'b [Item<'_>],
    targets: &Targets,
    mut unknown: impl FnMut(&'b str),
) -> IndexedItems<'b> {
    let keep_sex =
        targets.sex_is_alias && items.iter().any(|i| i.priority == MAPPED && i.id == targets.sex);
    let mut out: Vec<(usize, u8, &str)> = items
        .iter()
        .filter(|i| !(keep_sex && i.priority == TYPED && i.id == targets.sex_assigned_at_birth))
        .filter_map(|i| match targets.index(&i.id) {
            Some(index) => Some((index, i.priority, i.value.as_ref())),
            None => {
                if !i.value.is_empty() {
                    unknown(i.id.name());
                }
                None
            }
        })
        .collect();
    out.sort_unstable_by_key(|(i, p, _)| (*i, *p));
    out.dedup_by_key(|(i, _, _)| *i);
    out.into_iter()
        .filter(|(_, _, v)| !v.is_empty())
        .map(|(i, _, v)| (i, Cow::Borrowed(v)))
        .collect()
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
    patient_items: Vec<(String, String)>,
    tumors: Vec<Vec<(String, String)>>,
    dict: &Dictionary,
) -> Incoming {
    let mut inc = Incoming::default();
    for (id, value) in patient_items {
        let id = mapping::stored_id(dict, id);
        if let Some(f) = mapping::patient_field(&id) {
            match mapping::from_item(f.conv, &value) {
                Some(v) => *(f.get_mut)(&mut inc.patient) = Some(v),
                None => {
                    inc.items.insert(id, value);
                }
            }
            continue;
        }
        match id.as_str() {
            "sex" => match mapping::sex_assigned_at_birth_from_sex(&value) {
                Some((code, exact)) => {
                    if inc.patient.sex_assigned_at_birth.is_none() {
                        inc.patient.sex_assigned_at_birth = Some(code.to_owned());
                    }
                    if !exact {
                        inc.items.insert(id, value);
                    }
                }
                None => {
                    inc.items.insert(id, value);
                }
            },
            "dateOfLastContact" => inc.date_of_last_contact = Some(value),
            "vitalStatus" => inc.vital_status = Some(value),
            "causeOfDeath" => inc.cause_of_death = Some(value),
            _ => {
                inc.items.insert(id, value);
            }
        }
    }
    for (n, pairs) in tumors.into_iter().enumerate() {
        let mut t = IncomingTumor::default();
        let mut rest: ItemMap = ItemMap::new();
        // Patient-held items this tumor carries, by position in PATIENT_TUMOR_FIELDS.
        let mut held = vec![false; PATIENT_TUMOR_FIELDS.len()];
        for (id, value) in pairs {
            let id = mapping::stored_id(dict, id);
            if let Some(f) = mapping::tumor_field(&id) {
                match mapping::from_item(f.conv, &value) {
                    Some(v) => *(f.get_mut)(&mut t.tumor) = Some(v),
                    None => {
                        t.items.insert(id, value);
                    }
                }
                continue;
            }
            if let Some((i, f)) = mapping::patient_tumor_field(&id) {
                held[i] = true;
                let slot = (f.get_mut)(&mut inc.patient);
                if n == 0 {
                    *slot = Some(value);
                } else if slot.as_deref() != Some(value.as_str()) {
                    t.items.insert(id, value);
                }
                continue;
            }
            if id == "cancerStatus" {
                t.cancer_status = Some(value);
                continue;
            }
            rest.insert(id, value);
        }
        // A later tumor without a patient-held item the first one had keeps that absence.
        if n > 0 {
            for (f, held) in PATIENT_TUMOR_FIELDS.iter().zip(held) {
                if (f.get)(&inc.patient).is_some() && !held {
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
    match mapping::target_index(dict, id).and_then(|i| dict.items.get(i)) {
        Some(d) => d.level == level && d.record_types.contains(rt),
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::formats::naaccr_xml::PatientItems;

    fn s(v: &str) -> Option<String> {
        Some(v.to_owned())
    }

    fn record() -> PatientRecord {
        let items = |pairs: &[(&str, &str)]| -> ItemMap {
            pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
        };
        PatientRecord {
            patient: PatientData {
                patient_id_number: s("00000001"),
                date_of_birth: s("1950-03-04"),
                sex_assigned_at_birth: s("2"),
                addr_at_dx_city: s("Seattle"),
                ..PatientData::default()
            },
            items: items(&[("dateOfBirth", "19000101"), ("nameAlias", "Roe"), ("sex", "6")]),
            follow_up: Some(FollowUp {
                date_of_last_contact: "2024-01-10".into(),
                vital_status: "1".into(),
                cause_of_death: None,
            }),
            tumors: vec![TumorRecord {
                tumor: TumorData { primary_site: s("C509"), ..TumorData::default() },
                items: items(&[("primarySite", "C000"), ("cs1", "")]),
                treatments: vec![TreatmentData {
                    modality: s("chemotherapy"),
                    code: s("03"),
                    start_date: s("2021-04-20"),
                    ..TreatmentData::default()
                }],
                cancer_status: s("1"),
            }],
        }
    }

    /// The items `dict` writes, as `(naaccrId, value)` pairs.
    fn pairs(rec: &PatientRecord, dict: &Dictionary) -> PatientItems {
        let collected = collect(rec);
        let pairs = |items: &[Item]| -> Vec<(String, String)> {
            let indexed = resolve(items, &Targets::new(dict), |_| {});
            assert!(indexed.windows(2).all(|w| w[0].0 < w[1].0), "dictionary order, one per item");
            indexed.iter().map(|(i, v)| (dict.items[*i].naaccr_id.clone(), v.to_string())).collect()
        };
        PatientItems {
            items: pairs(&collected.patient),
            tumors: collected.tumors.iter().map(|t| pairs(t)).collect(),
        }
    }

    fn value<'a>(pairs: &'a [(String, String)], id: &str) -> Option<&'a str> {
        pairs.iter().find(|(k, _)| k == id).map(|(_, v)| v.as_str())
    }

    #[test]
    fn typed_fields_win_derived_items_are_added_and_dates_lose_their_dashes() {
        let dict = Dictionary::for_version("260").expect("v26");
        let got = pairs(&record(), dict);
        assert_eq!(value(&got.items, "dateOfBirth"), Some("19500304"));
        assert_eq!(value(&got.items, "nameAlias"), Some("Roe"));
        assert_eq!(value(&got.items, "sexAssignedAtBirth"), Some("2"));
        assert_eq!(value(&got.items, "dateOfLastContact"), Some("20240110"));
        let tumor = &got.tumors[0];
        assert_eq!(value(tumor, "primarySite"), Some("C509"));
        assert_eq!(value(tumor, "rxSummChemo"), Some("03"));
        assert_eq!(value(tumor, "rxDateChemo"), Some("20210420"));
        assert_eq!(value(tumor, "cancerStatus"), Some("1"));
        assert_eq!(value(tumor, "addrAtDxCity"), Some("Seattle"));
        assert_eq!(value(tumor, "cs1"), None, "empty values are not written");
    }

    #[test]
    fn an_original_v25_sex_wins_over_the_alias() {
        let v25 = Dictionary::for_version("250").expect("v25");
        let got = pairs(&record(), v25);
        assert_eq!(value(&got.items, "sex"), Some("6"));
        assert_eq!(value(&got.items, "sexAssignedAtBirth"), None);
        let mut plain = record();
        plain.items.remove("sex");
        let got = pairs(&plain, v25);
        assert_eq!(value(&got.items, "sex"), Some("2"));
    }
}
