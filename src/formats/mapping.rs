//! Stored records ↔ NAACCR items, driven by the dictionaries.
//!
//! Each typed field of a stored document names the NAACCR item it holds (the JSON field names are
//! NAACCR ids already); values are converted only where the JSON form differs (ISO dates ↔
//! `YYYYMMDD`). Everything else — length, padding, data type, level, allowed record types — comes
//! from the dictionary of the target version when the writer formats the value, so a new yearly
//! dictionary is a data change. Items without a typed field travel in per-patient and per-tumor
//! item maps. Renamed items are listed once in [`ALIASES`].

use std::sync::LazyLock;

use rustc_hash::{FxHashMap, FxHashSet};

use crate::domain::naaccr::{Dictionary, Level, RecordType};
use crate::model::{PatientData, TumorData};

/// How a JSON value becomes an item value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Conv {
    /// The same text.
    Plain,
    /// ISO 8601 (`2021-03-15`, `2021-03`, `2021`) ↔ NAACCR (`20210315`, `202103`, `2021`).
    Date,
}

/// One typed field and the item it holds.
pub struct Field<T: 'static> {
    pub naaccr_id: &'static str,
    pub conv: Conv,
    pub get: fn(&T) -> &Option<String>,
    pub get_mut: fn(&mut T) -> &mut Option<String>,
}

macro_rules! field {
    ($t:ty, $id:literal, $f:ident, $conv:ident) => {{
        fn get(t: &$t) -> &Option<String> {
            &t.$f
        }
        fn get_mut(t: &mut $t) -> &mut Option<String> {
            &mut t.$f
        }
        Field { naaccr_id: $id, conv: Conv::$conv, get, get_mut }
    }};
}

/// Patient fields stored on the patient that are Patient-level items.
pub static PATIENT_FIELDS: &[Field<PatientData>] = &[
    field!(PatientData, "patientIdNumber", patient_id_number, Plain),
    field!(PatientData, "nameLast", name_last, Plain),
    field!(PatientData, "nameFirst", name_first, Plain),
    field!(PatientData, "nameMiddle", name_middle, Plain),
    field!(PatientData, "dateOfBirth", date_of_birth, Date),
    field!(PatientData, "sexAssignedAtBirth", sex_assigned_at_birth, Plain),
    field!(PatientData, "race1", race1, Plain),
    field!(PatientData, "race2", race2, Plain),
    field!(PatientData, "race3", race3, Plain),
    field!(PatientData, "race4", race4, Plain),
    field!(PatientData, "race5", race5, Plain),
    field!(PatientData, "spanishHispanicOrigin", spanish_hispanic_origin, Plain),
    field!(PatientData, "socialSecurityNumber", social_security_number, Plain),
    field!(PatientData, "addrCurrentNoStreet", addr_current_no_street, Plain),
    field!(PatientData, "addrCurrentCity", addr_current_city, Plain),
    field!(PatientData, "addrCurrentState", addr_current_state, Plain),
    field!(PatientData, "addrCurrentPostalCode", addr_current_postal_code, Plain),
    field!(PatientData, "addrCurrentCountry", addr_current_country, Plain),
    field!(PatientData, "telephone", telephone, Plain),
    field!(PatientData, "noPatientContactFlag", no_patient_contact_flag, Plain),
];

/// Patient fields that are Tumor-level items (the address at diagnosis): written on every tumor,
/// read from the first tumor; a tumor whose value differs keeps it in its own item map.
pub static PATIENT_TUMOR_FIELDS: &[Field<PatientData>] = &[
    field!(PatientData, "addrAtDxCity", addr_at_dx_city, Plain),
    field!(PatientData, "addrAtDxState", addr_at_dx_state, Plain),
    field!(PatientData, "addrAtDxPostalCode", addr_at_dx_postal_code, Plain),
    field!(PatientData, "countyAtDx", county_at_dx, Plain),
];

/// Tumor fields, all Tumor-level items.
pub static TUMOR_FIELDS: &[Field<TumorData>] = &[
    field!(TumorData, "primarySite", primary_site, Plain),
    field!(TumorData, "histologicTypeIcdO3", histologic_type_icd_o3, Plain),
    field!(TumorData, "behaviorCodeIcdO3", behavior_code_icd_o3, Plain),
    field!(TumorData, "grade", grade, Plain),
    field!(TumorData, "gradeClinical", grade_clinical, Plain),
    field!(TumorData, "gradePathological", grade_pathological, Plain),
    field!(TumorData, "gradePostTherapyClin", grade_post_therapy_clin, Plain),
    field!(TumorData, "gradePostTherapy", grade_post_therapy, Plain),
    field!(TumorData, "laterality", laterality, Plain),
    field!(TumorData, "dateOfDiagnosis", date_of_diagnosis, Date),
    field!(TumorData, "diagnosticConfirmation", diagnostic_confirmation, Plain),
    field!(TumorData, "typeOfReportingSource", type_of_reporting_source, Plain),
    field!(TumorData, "sequenceNumberHospital", sequence_number_hospital, Plain),
    field!(TumorData, "classOfCase", class_of_case, Plain),
    field!(TumorData, "reportingFacility", reporting_facility, Plain),
    field!(TumorData, "accessionNumberHosp", accession_number_hosp, Plain),
    field!(TumorData, "summaryStage2018", summary_stage2018, Plain),
    field!(TumorData, "dateOf1stContact", date_of1st_contact, Date),
    // The override flags a reviewer set: a file's accepted reviews stay accepted.
    field!(TumorData, "overRideAcsnClassSeq", over_ride_acsn_class_seq, Plain),
    field!(TumorData, "overRideHospseqDxconf", over_ride_hospseq_dxconf, Plain),
    field!(TumorData, "overRideCocSiteType", over_ride_coc_site_type, Plain),
    field!(TumorData, "overRideHospseqSite", over_ride_hospseq_site, Plain),
    field!(TumorData, "overRideSiteTnmStggrp", over_ride_site_tnm_stggrp, Plain),
    field!(TumorData, "overRideAgeSiteMorph", over_ride_age_site_morph, Plain),
    field!(TumorData, "overRideTnmStage", over_ride_tnm_stage, Plain),
    field!(TumorData, "overRideTnmTis", over_ride_tnm_tis, Plain),
    field!(TumorData, "overRideTnm3", over_ride_tnm3, Plain),
    field!(TumorData, "overRideSeqnoDxconf", over_ride_seqno_dxconf, Plain),
    field!(TumorData, "overRideSiteLatSeqno", over_ride_site_lat_seqno, Plain),
    field!(TumorData, "overRideSurgDxconf", over_ride_surg_dxconf, Plain),
    field!(TumorData, "overRideSiteType", over_ride_site_type, Plain),
    field!(TumorData, "overRideHistology", over_ride_histology, Plain),
    field!(TumorData, "overRideReportSource", over_ride_report_source, Plain),
    field!(TumorData, "overRideIllDefineSite", over_ride_ill_define_site, Plain),
    field!(TumorData, "overRideLeukLymphoma", over_ride_leuk_lymphoma, Plain),
    field!(TumorData, "overRideSiteBehavior", over_ride_site_behavior, Plain),
    field!(TumorData, "overRideSiteEodDxDt", over_ride_site_eod_dx_dt, Plain),
    field!(TumorData, "overRideSiteLatEod", over_ride_site_lat_eod, Plain),
    field!(TumorData, "overRideSiteLatMorph", over_ride_site_lat_morph, Plain),
];

/// Position of each field by its item id: a reader looks up every item of a file.
fn positions<T>(fields: &'static [Field<T>]) -> FxHashMap<&'static str, usize> {
    fields.iter().enumerate().map(|(i, f)| (f.naaccr_id, i)).collect()
}

static PATIENT_POSITIONS: LazyLock<FxHashMap<&str, usize>> =
    LazyLock::new(|| positions(PATIENT_FIELDS));
static PATIENT_TUMOR_POSITIONS: LazyLock<FxHashMap<&str, usize>> =
    LazyLock::new(|| positions(PATIENT_TUMOR_FIELDS));
static TUMOR_POSITIONS: LazyLock<FxHashMap<&str, usize>> =
    LazyLock::new(|| positions(TUMOR_FIELDS));

/// The field of [`PATIENT_FIELDS`] holding item `id`.
pub fn patient_field(id: &str) -> Option<&'static Field<PatientData>> {
    PATIENT_POSITIONS.get(id).map(|&i| &PATIENT_FIELDS[i])
}

/// The field of [`PATIENT_TUMOR_FIELDS`] holding item `id`, with its position there.
pub fn patient_tumor_field(id: &str) -> Option<(usize, &'static Field<PatientData>)> {
    PATIENT_TUMOR_POSITIONS.get(id).map(|&i| (i, &PATIENT_TUMOR_FIELDS[i]))
}

/// The field of [`TUMOR_FIELDS`] holding item `id`.
pub fn tumor_field(id: &str) -> Option<&'static Field<TumorData>> {
    TUMOR_POSITIONS.get(id).map(|&i| &TUMOR_FIELDS[i])
}

/// Whether item `id` of `level` is held by a typed field or derived from other records (follow-up
/// items from contacts, first-course items from treatments). In an item map such an id holds a
/// value kept as read because the field could not hold it. The address at diagnosis is not
/// included: a tumor keeps its own when it differs from the patient's.
pub fn holds_field(level: Level, id: &str) -> bool {
    match level {
        Level::Patient => HELD_PATIENT.contains(id),
        Level::Tumor => HELD_TUMOR.contains(id),
        Level::NaaccrData => false,
    }
}

// Looked up for every item of every record an edit reviews: a set, not a scan of the tables.
static HELD_PATIENT: LazyLock<FxHashSet<&'static str>> = LazyLock::new(|| {
    PATIENT_FIELDS
        .iter()
        .map(|f| f.naaccr_id)
        .chain(["dateOfLastContact", "vitalStatus", "causeOfDeath"])
        .collect()
});
static HELD_TUMOR: LazyLock<FxHashSet<&'static str>> = LazyLock::new(|| {
    let treatments = TREATMENT_ITEMS
        .iter()
        .flat_map(|(_, codes, start, end)| codes.iter().copied().chain([*start]).chain(*end));
    TUMOR_FIELDS.iter().map(|f| f.naaccr_id).chain(["cancerStatus"]).chain(treatments).collect()
});

/// Items that mean the same thing under another id and number in older versions: (stored id,
/// older id, whether values carry over unchanged). The stored id is written where the target
/// dictionary has it, else the older one; a file of a version without the stored id is read into
/// it. v26 replaced `sex` (#220) by `sexAssignedAtBirth` (#225), whose codes 1, 2 and 9 carry over
/// (the others are mapped by [`sex_assigned_at_birth_from_sex`]); v21 added `nameBirthSurname`
/// (#2232) for what `nameMaiden` (#2390, retired after v23) held. Renames that keep the item
/// number need no line here.
pub static ALIASES: &[(&str, &str, bool)] =
    &[("sexAssignedAtBirth", "sex", false), ("nameBirthSurname", "nameMaiden", true)];

/// v25 `sex` codes read into `sexAssignedAtBirth`, and whether the code says exactly that (an inexact
/// code is also kept as the original item, so a v25 export gives it back).
pub fn sex_assigned_at_birth_from_sex(code: &str) -> Option<(&'static str, bool)> {
    match code {
        "1" => Some(("1", true)),
        "2" => Some(("2", true)),
        "9" => Some(("9", true)),
        "5" => Some(("1", false)), // natal male
        "6" => Some(("2", false)), // natal female
        "3" | "4" => Some(("9", false)),
        _ => None,
    }
}

/// The id to write for a stored item id in `dict` (following [`ALIASES`]); `None` if neither exists.
pub fn target_id<'d>(dict: &'d Dictionary, id: &str) -> Option<&'d str> {
    target_index(dict, id).and_then(|i| dict.items.get(i)).map(|d| d.naaccr_id.as_str())
}

/// The index in `dict.items` of [`target_id`]: the id itself, its alias, or the item with the same
/// number under the name `dict` gives it (v22+ `nameBirthSurname` is v18 `nameMaiden`).
pub fn target_index(dict: &Dictionary, id: &str) -> Option<usize> {
    dict.index_of(id)
        .or_else(|| {
            ALIASES.iter().find(|(new, ..)| *new == id).and_then(|(_, old, _)| dict.index_of(old))
        })
        .or_else(|| {
            let number = Dictionary::newest().ok()?.get(id)?.number;
            dict.by_number.get(&number).copied()
        })
}

/// The id an item read with `dict` is stored under: the newest dictionary's id for the same item
/// number when the item was renamed since (v18 `nameMaiden` is v22+ `nameBirthSurname`), else the
/// id as read. Exports write it back under the name the target version gives it.
pub fn stored_id(dict: &Dictionary, id: String) -> String {
    let Ok(newest) = Dictionary::newest() else { return id };
    // A file of the newest version (most files) needs no look-up at all.
    if dict.version == newest.version || newest.index_of(&id).is_some() {
        return id;
    }
    let alias =
        ALIASES.iter().find(|(new, old, same)| *same && *old == id && dict.index_of(new).is_none());
    if let Some((new, ..)) = alias {
        return (*new).to_string();
    }
    match dict.get(&id).and_then(|d| newest.by_number(d.number)) {
        Some(renamed) => renamed.naaccr_id.clone(),
        None => id,
    }
}

/// JSON value → item value.
pub fn to_item(conv: Conv, value: &str) -> String {
    match conv {
        Conv::Plain => value.to_owned(),
        Conv::Date => value.replace('-', ""),
    }
}

/// Item value → JSON value; `None` when a date is not `YYYY[MM[DD]]`.
pub fn from_item(conv: Conv, value: &str) -> Option<String> {
    match conv {
        Conv::Plain => Some(value.to_owned()),
        Conv::Date => {
            let v = value.trim();
            if !v.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            match v.len() {
                4 => Some(v.to_owned()),
                6 => Some(format!("{}-{}", &v[..4], &v[4..])),
                8 => Some(format!("{}-{}-{}", &v[..4], &v[4..6], &v[6..])),
                _ => None,
            }
        }
    }
}

/// Whether the dictionary of the file allows `id` in its record type.
pub fn allowed(dict: &Dictionary, rt: RecordType, id: &str) -> bool {
    dict.get(id).is_some_and(|d| d.record_types.contains(rt))
}

/// An item map as stored (`naaccrId → value`), ordered for stable JSON.
pub use crate::domain::records::ItemMap;

/// First-course treatment items per modality: (modality, code item(s), start date item, end date item).
pub static TREATMENT_ITEMS: &[(&str, &[&str], &str, Option<&str>)] = &[
    ("surgery", &["rxSummSurgPrimSite", "rxSummSurgPrimSite2023"], "rxDateSurgery", None),
    ("radiation", &["rxSummRadiation"], "rxDateRadiation", Some("rxDateRadiationEnded")),
    ("chemotherapy", &["rxSummChemo"], "rxDateChemo", None),
    ("hormone", &["rxSummHormone"], "rxDateHormone", None),
    ("immunotherapy", &["rxSummBrm"], "rxDateBrm", None),
    ("transplantEndocrine", &["rxSummTransplntEndocr"], "rxDateSystemic", None),
    ("other", &["rxSummOther"], "rxDateOther", None),
];

/// The code item of a treatment code: surgery codes of four characters are #1291 (2023+).
pub fn treatment_code_item(items: &[&'static str], code: &str) -> &'static str {
    if code.len() == 4 && items.len() > 1 { items[1] } else { items.first().copied().unwrap_or("") }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_convert_both_ways() {
        for (iso, naaccr) in [("2021-03-15", "20210315"), ("2021-03", "202103"), ("2021", "2021")] {
            assert_eq!(to_item(Conv::Date, iso), naaccr);
            assert_eq!(from_item(Conv::Date, naaccr).as_deref(), Some(iso));
        }
        assert_eq!(from_item(Conv::Date, "2021  15"), None);
        assert_eq!(from_item(Conv::Date, "20211"), None);
    }

    #[test]
    fn sex_is_written_by_the_name_the_version_knows() {
        let v25 = Dictionary::for_version("250").expect("v25");
        let v26 = Dictionary::for_version("260").expect("v26");
        assert_eq!(target_id(v25, "sexAssignedAtBirth"), Some("sex"));
        assert_eq!(target_id(v26, "sexAssignedAtBirth"), Some("sexAssignedAtBirth"));
        assert_eq!(target_id(v26, "sex"), None);
        assert_eq!(sex_assigned_at_birth_from_sex("5"), Some(("1", false)));
        assert_eq!(sex_assigned_at_birth_from_sex("2"), Some(("2", true)));
    }

    #[test]
    fn renamed_items_are_stored_under_the_newest_name_and_written_under_the_old_one() {
        let v18 = Dictionary::for_version("180").expect("v18");
        let v26 = Dictionary::for_version("260").expect("v26");
        let v21 = Dictionary::for_version("210").expect("v21");
        assert_eq!(stored_id(v18, "nameMaiden".into()), "nameBirthSurname");
        assert_eq!(stored_id(v21, "nameMaiden".into()), "nameMaiden", "v21 has both items");
        assert_eq!(stored_id(v18, "sex".into()), "sex", "a removed item keeps its id");
        assert_eq!(stored_id(v26, "primarySite".into()), "primarySite");
        assert_eq!(target_id(v18, "nameBirthSurname"), Some("nameMaiden"));
        assert_eq!(target_id(v26, "nameBirthSurname"), Some("nameBirthSurname"));
    }

    #[test]
    fn every_mapped_item_is_in_the_current_dictionaries() {
        for v in ["250", "260"] {
            let dict = Dictionary::for_version(v).expect("dictionary");
            let ids = PATIENT_FIELDS
                .iter()
                .map(|f| f.naaccr_id)
                .chain(PATIENT_TUMOR_FIELDS.iter().map(|f| f.naaccr_id))
                .chain(TUMOR_FIELDS.iter().map(|f| f.naaccr_id))
                .chain(TREATMENT_ITEMS.iter().flat_map(|(_, c, d, e)| {
                    c.iter().copied().chain([*d]).chain(e.iter().copied())
                }));
            for id in ids {
                assert!(target_id(dict, id).is_some(), "v{v} lacks {id}");
            }
        }
    }
}
