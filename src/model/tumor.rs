use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use chrono::{DateTime, Utc};

use super::{date, opt, opt_text, s};
use crate::domain::codes::*;
use crate::domain::edits::Overrides;
use crate::domain::identifiers as ids;
use crate::domain::records::Tumor;
use crate::domain::validation::{Violation, Violations};

/// A primary tumor as written by a client and stored.
#[derive(Clone, Debug, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TumorData {
    /// The edit findings stored with the tumor, refreshed on every write of the patient's records
    /// (read-only). A write is never refused for them: they say what is still wrong or missing.
    #[schema(read_only)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub findings: Option<Vec<super::EditFindingData>>,
    /// `clean`, `warnings` (open reviews or warnings) or `errors` (read-only); a tumor with errors
    /// stays out of submission batches until they are fixed.
    #[schema(read_only, pattern = "^(clean|warnings|errors)$")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub edit_status: Option<String>,
    /// Record id (read-only).
    #[schema(read_only, value_type = String)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Incremented on every update; send it back in `If-Match` (read-only).
    #[schema(read_only, value_type = i32)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<i32>,
    #[schema(read_only, value_type = String, format = DateTime)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created_at: Option<DateTime<Utc>>,
    #[schema(read_only, value_type = String, format = DateTime)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<DateTime<Utc>>,
    /// The patient this tumor belongs to (read-only).
    #[schema(read_only, value_type = String)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub patient_id: Option<String>,
    /// NAACCR #1770 from the latest contact that reported on this tumor (read-only).
    #[schema(read_only, value_type = String)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cancer_status: Option<String>,
    /// What the multiple-primary rules say about this tumor among its patient's tumors
    /// (read-only; in the answer to a create, an update or a read of the one tumor).
    #[schema(read_only)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub multiple_primaries: Option<super::MpPlacementData>,
    /// NAACCR #400, ICD-O-3 topography; `C50.9` or `C509`, stored as `C509`.
    #[schema(example = "C509")]
    #[schema(pattern = "^[Cc][0-9]{2}[.]?[0-9]$")]
    pub primary_site: Option<String>,
    /// NAACCR #522, ICD-O-3 histologic type, 4 digits.
    #[schema(example = "8500")]
    #[schema(pattern = "^[89][0-9]{3}$")]
    pub histologic_type_icd_o3: Option<String>,
    /// NAACCR #523, ICD-O-3 behavior 0–3.
    #[schema(example = "3")]
    #[schema(pattern = "^[0-3]$")]
    pub behavior_code_icd_o3: Option<String>,
    /// NAACCR #440, diagnoses before 2018.
    #[schema(pattern = "^[1-9]$")]
    pub grade: Option<String>,
    /// NAACCR #3843, diagnoses 2018+.
    #[schema(pattern = "^[1-5A-EHLMS89]$")]
    pub grade_clinical: Option<String>,
    /// NAACCR #3844, diagnoses 2018+.
    #[schema(pattern = "^[1-5A-EHLMS89]$")]
    pub grade_pathological: Option<String>,
    /// NAACCR #1068 (yc).
    #[schema(pattern = "^[1-5A-EHLMS89]$")]
    pub grade_post_therapy_clin: Option<String>,
    /// NAACCR #3845 (yp).
    #[schema(pattern = "^[1-5A-EHLMS89]$")]
    pub grade_post_therapy: Option<String>,
    /// NAACCR #410.
    #[schema(example = "2")]
    #[schema(pattern = "^[0-59]$")]
    pub laterality: Option<String>,
    /// NAACCR #390, ISO 8601 at the precision known.
    #[schema(example = "2021-03-15")]
    #[schema(pattern = "^(18|19|20)[0-9]{2}(-(0[1-9]|1[0-2])(-(0[1-9]|[12][0-9]|3[01]))?)?$")]
    pub date_of_diagnosis: Option<String>,
    /// NAACCR #490.
    #[schema(pattern = "^[1-9]$")]
    pub diagnostic_confirmation: Option<String>,
    /// NAACCR #500.
    #[schema(pattern = "^[1-8]$")]
    pub type_of_reporting_source: Option<String>,
    /// NAACCR #560, two digits.
    #[schema(example = "00")]
    #[schema(pattern = "^([0-7][0-9]|8[0-8]|9[89])$")]
    pub sequence_number_hospital: Option<String>,
    /// NAACCR #610, two digits; 00–22 analytic.
    #[schema(example = "14")]
    #[schema(pattern = "^(00|1[0-4]|2[0-2]|3[0-8]|4[0-3]|49|99)$")]
    pub class_of_case: Option<String>,
    /// NAACCR #540, facility identification number (up to 10 characters).
    #[schema(max_length = 10)]
    pub reporting_facility: Option<String>,
    /// NAACCR #550, up to 9 digits.
    #[schema(pattern = "^[0-9]{1,9}$")]
    pub accession_number_hosp: Option<String>,
    /// NAACCR #764, diagnoses 2018+.
    #[schema(pattern = "^[0-47-9]$")]
    pub summary_stage2018: Option<String>,
    /// NAACCR #580.
    #[schema(pattern = "^(18|19|20)[0-9]{2}(-(0[1-9]|1[0-2])(-(0[1-9]|[12][0-9]|3[01]))?)?$")]
    pub date_of1st_contact: Option<String>,
    /// Every other NAACCR item the newest dictionary places on a tumor, by NAACCR XML id: tumor
    /// size, nodes examined and positive, AJCC TNM, site-specific data items, EOD, treatment
    /// details, text. Checked against the dictionary (length, data type) and the item's code list
    /// where one exists. On PUT the map replaces the stored one (left out: kept as stored); values
    /// kept from a file as read go back unchanged. Items with a field of their own are set there.
    #[schema(example = json!({"tumorSizeSummary": "015", "tnmClinT": "c2"}))]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub items: Option<BTreeMap<String, String>>,
    /// NAACCR #1985: 1 = reviewed and accepted.
    #[schema(pattern = "^1$")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub over_ride_acsn_class_seq: Option<String>,
    /// NAACCR #1986: 1 = reviewed and accepted.
    #[schema(pattern = "^1$")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub over_ride_hospseq_dxconf: Option<String>,
    /// NAACCR #1987: 1 = reviewed and accepted.
    #[schema(pattern = "^1$")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub over_ride_coc_site_type: Option<String>,
    /// NAACCR #1988: 1 = reviewed and accepted.
    #[schema(pattern = "^1$")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub over_ride_hospseq_site: Option<String>,
    /// NAACCR #1989: 1 = reviewed and accepted.
    #[schema(pattern = "^1$")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub over_ride_site_tnm_stggrp: Option<String>,
    /// NAACCR #1990: 1 = reviewed and accepted.
    #[schema(pattern = "^1$")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub over_ride_age_site_morph: Option<String>,
    /// NAACCR #1992: 1 = reviewed and accepted.
    #[schema(pattern = "^1$")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub over_ride_tnm_stage: Option<String>,
    /// NAACCR #1993: 1 = reviewed and accepted.
    #[schema(pattern = "^1$")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub over_ride_tnm_tis: Option<String>,
    /// NAACCR #1994: 1 = reviewed and accepted.
    #[schema(pattern = "^1$")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub over_ride_tnm3: Option<String>,
    /// NAACCR #2000: 1 = reviewed and accepted.
    #[schema(pattern = "^1$")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub over_ride_seqno_dxconf: Option<String>,
    /// NAACCR #2010: 1 = reviewed and accepted.
    #[schema(pattern = "^1$")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub over_ride_site_lat_seqno: Option<String>,
    /// NAACCR #2020: 1 = reviewed and accepted.
    #[schema(pattern = "^1$")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub over_ride_surg_dxconf: Option<String>,
    /// NAACCR #2030: 1 = reviewed and accepted.
    #[schema(pattern = "^1$")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub over_ride_site_type: Option<String>,
    /// NAACCR #2040: 1 = reviewed and accepted.
    #[schema(pattern = "^1$")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub over_ride_histology: Option<String>,
    /// NAACCR #2050: 1 = reviewed and accepted.
    #[schema(pattern = "^1$")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub over_ride_report_source: Option<String>,
    /// NAACCR #2060: 1 = reviewed and accepted.
    #[schema(pattern = "^1$")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub over_ride_ill_define_site: Option<String>,
    /// NAACCR #2070: 1 = reviewed and accepted.
    #[schema(pattern = "^1$")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub over_ride_leuk_lymphoma: Option<String>,
    /// NAACCR #2071: 1 = reviewed and accepted.
    #[schema(pattern = "^1$")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub over_ride_site_behavior: Option<String>,
    /// NAACCR #2072: 1 = reviewed and accepted.
    #[schema(pattern = "^1$")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub over_ride_site_eod_dx_dt: Option<String>,
    /// NAACCR #2073: 1 = reviewed and accepted.
    #[schema(pattern = "^1$")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub over_ride_site_lat_eod: Option<String>,
    /// NAACCR #2074: 1 = reviewed and accepted.
    #[schema(pattern = "^1$")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub over_ride_site_lat_morph: Option<String>,
}

impl TumorData {
    /// The override flags with their values, by NAACCR id.
    fn override_fields(&self) -> [(&'static str, &Option<String>); 21] {
        [
            ("overRideAcsnClassSeq", &self.over_ride_acsn_class_seq),
            ("overRideHospseqDxconf", &self.over_ride_hospseq_dxconf),
            ("overRideCocSiteType", &self.over_ride_coc_site_type),
            ("overRideHospseqSite", &self.over_ride_hospseq_site),
            ("overRideSiteTnmStggrp", &self.over_ride_site_tnm_stggrp),
            ("overRideAgeSiteMorph", &self.over_ride_age_site_morph),
            ("overRideTnmStage", &self.over_ride_tnm_stage),
            ("overRideTnmTis", &self.over_ride_tnm_tis),
            ("overRideTnm3", &self.over_ride_tnm3),
            ("overRideSeqnoDxconf", &self.over_ride_seqno_dxconf),
            ("overRideSiteLatSeqno", &self.over_ride_site_lat_seqno),
            ("overRideSurgDxconf", &self.over_ride_surg_dxconf),
            ("overRideSiteType", &self.over_ride_site_type),
            ("overRideHistology", &self.over_ride_histology),
            ("overRideReportSource", &self.over_ride_report_source),
            ("overRideIllDefineSite", &self.over_ride_ill_define_site),
            ("overRideLeukLymphoma", &self.over_ride_leuk_lymphoma),
            ("overRideSiteBehavior", &self.over_ride_site_behavior),
            ("overRideSiteEodDxDt", &self.over_ride_site_eod_dx_dt),
            ("overRideSiteLatEod", &self.over_ride_site_lat_eod),
            ("overRideSiteLatMorph", &self.over_ride_site_lat_morph),
        ]
    }

    fn overrides(&self, v: &mut Violations) -> Overrides {
        let mut set = Vec::new();
        for (id, value) in self.override_fields() {
            match value.as_deref().map(str::trim) {
                None => {}
                Some("1") => set.push(id),
                Some(_) => {
                    v.push(id, "code.unknown", "an override flag is 1 (reviewed) or left out")
                }
            }
        }
        Overrides::parse(set).unwrap_or_default()
    }

    /// Parses every field given. Only a value that cannot be a value of its item is an error; a
    /// missing item is not (the edits say what a complete abstract still needs).
    pub fn to_domain(&self) -> Result<Tumor, Vec<Violation>> {
        let mut v = Violations::new();
        let primary_site = opt(&mut v, "primarySite", &self.primary_site, Topography::parse);
        let histology =
            opt(&mut v, "histologicTypeIcdO3", &self.histologic_type_icd_o3, Histology::parse);
        let behavior =
            opt(&mut v, "behaviorCodeIcdO3", &self.behavior_code_icd_o3, Behavior::parse);
        let grade = opt(&mut v, "grade", &self.grade, Grade::parse);
        let gc = opt(&mut v, "gradeClinical", &self.grade_clinical, Grade2018::parse);
        let gp = opt(&mut v, "gradePathological", &self.grade_pathological, Grade2018::parse);
        let gyc =
            opt(&mut v, "gradePostTherapyClin", &self.grade_post_therapy_clin, Grade2018::parse);
        let gyp = opt(&mut v, "gradePostTherapy", &self.grade_post_therapy, Grade2018::parse);
        let laterality = opt(&mut v, "laterality", &self.laterality, Laterality::parse);
        let date_of_diagnosis = opt(&mut v, "dateOfDiagnosis", &self.date_of_diagnosis, date);
        let conf = opt(
            &mut v,
            "diagnosticConfirmation",
            &self.diagnostic_confirmation,
            DiagnosticConfirmation::parse,
        );
        let source = opt(
            &mut v,
            "typeOfReportingSource",
            &self.type_of_reporting_source,
            TypeOfReportingSource::parse,
        );
        let sequence_number_hospital = opt(
            &mut v,
            "sequenceNumberHospital",
            &self.sequence_number_hospital,
            SequenceNumber::parse,
        );
        let class_of_case = opt(&mut v, "classOfCase", &self.class_of_case, ClassOfCase::parse);
        let facility = opt_text(&mut v, "reportingFacility", &self.reporting_facility, 10);
        let accession = opt(&mut v, "accessionNumberHosp", &self.accession_number_hosp, |r| {
            ids::digits(r, 1, 9)
        });
        let stage =
            opt(&mut v, "summaryStage2018", &self.summary_stage2018, SummaryStage2018::parse);
        let first = opt(&mut v, "dateOf1stContact", &self.date_of1st_contact, date);
        let overrides = self.overrides(&mut v);
        v.finish(|| Tumor {
            primary_site,
            histology,
            behavior,
            grade,
            grade_clinical: gc,
            grade_pathological: gp,
            grade_post_therapy_clin: gyc,
            grade_post_therapy: gyp,
            laterality,
            date_of_diagnosis,
            diagnostic_confirmation: conf,
            type_of_reporting_source: source,
            sequence_number_hospital,
            class_of_case,
            reporting_facility: facility,
            accession_number_hosp: accession,
            summary_stage_2018: stage,
            date_of_1st_contact: first,
            overrides,
        })
    }

    pub fn from_domain(t: &Tumor) -> Self {
        let flag = |id: &str| t.overrides.is_set(id).then(|| "1".to_string());
        Self {
            primary_site: s(&t.primary_site),
            histologic_type_icd_o3: s(&t.histology),
            behavior_code_icd_o3: s(&t.behavior),
            grade: s(&t.grade),
            grade_clinical: s(&t.grade_clinical),
            grade_pathological: s(&t.grade_pathological),
            grade_post_therapy_clin: s(&t.grade_post_therapy_clin),
            grade_post_therapy: s(&t.grade_post_therapy),
            laterality: s(&t.laterality),
            date_of_diagnosis: s(&t.date_of_diagnosis),
            diagnostic_confirmation: s(&t.diagnostic_confirmation),
            type_of_reporting_source: s(&t.type_of_reporting_source),
            sequence_number_hospital: s(&t.sequence_number_hospital),
            class_of_case: s(&t.class_of_case),
            reporting_facility: t.reporting_facility.clone(),
            accession_number_hosp: t.accession_number_hosp.clone(),
            summary_stage2018: s(&t.summary_stage_2018),
            date_of1st_contact: s(&t.date_of_1st_contact),
            over_ride_acsn_class_seq: flag("overRideAcsnClassSeq"),
            over_ride_hospseq_dxconf: flag("overRideHospseqDxconf"),
            over_ride_coc_site_type: flag("overRideCocSiteType"),
            over_ride_hospseq_site: flag("overRideHospseqSite"),
            over_ride_site_tnm_stggrp: flag("overRideSiteTnmStggrp"),
            over_ride_age_site_morph: flag("overRideAgeSiteMorph"),
            over_ride_tnm_stage: flag("overRideTnmStage"),
            over_ride_tnm_tis: flag("overRideTnmTis"),
            over_ride_tnm3: flag("overRideTnm3"),
            over_ride_seqno_dxconf: flag("overRideSeqnoDxconf"),
            over_ride_site_lat_seqno: flag("overRideSiteLatSeqno"),
            over_ride_surg_dxconf: flag("overRideSurgDxconf"),
            over_ride_site_type: flag("overRideSiteType"),
            over_ride_histology: flag("overRideHistology"),
            over_ride_report_source: flag("overRideReportSource"),
            over_ride_ill_define_site: flag("overRideIllDefineSite"),
            over_ride_leuk_lymphoma: flag("overRideLeukLymphoma"),
            over_ride_site_behavior: flag("overRideSiteBehavior"),
            over_ride_site_eod_dx_dt: flag("overRideSiteEodDxDt"),
            over_ride_site_lat_eod: flag("overRideSiteLatEod"),
            over_ride_site_lat_morph: flag("overRideSiteLatMorph"),
            ..Self::default()
        }
    }
}
