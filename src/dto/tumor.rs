use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use chrono::{DateTime, Utc};

use super::{date, opt, opt_text, req, s};
use crate::domain::codes::*;
use crate::domain::identifiers as ids;
use crate::domain::records::Tumor;
use crate::domain::validation::{Violation, Violations};

/// A primary tumor as written by a client and stored.
#[derive(Clone, Debug, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TumorData {
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
    /// NAACCR #400, ICD-O-3 topography; `C50.9` or `C509`, stored as `C509`.
    #[schema(example = "C509")]
    #[schema(value_type = String, required = true, pattern = "^[Cc][0-9]{2}[.]?[0-9]$")]
    pub primary_site: Option<String>,
    /// NAACCR #522, ICD-O-3 histologic type, 4 digits.
    #[schema(example = "8500")]
    #[schema(value_type = String, required = true, pattern = "^[89][0-9]{3}$")]
    pub histologic_type_icd_o3: Option<String>,
    /// NAACCR #523, ICD-O-3 behavior 0–3.
    #[schema(example = "3")]
    #[schema(value_type = String, required = true, pattern = "^[0-3]$")]
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
    #[schema(value_type = String, required = true, pattern = "^[0-59]$")]
    pub laterality: Option<String>,
    /// NAACCR #390, ISO 8601 at the precision known.
    #[schema(example = "2021-03-15")]
    #[schema(value_type = String, required = true, pattern = "^(18|19|20)[0-9]{2}(-(0[1-9]|1[0-2])(-(0[1-9]|[12][0-9]|3[01]))?)?$")]
    pub date_of_diagnosis: Option<String>,
    /// NAACCR #490.
    #[schema(pattern = "^[1-9]$")]
    pub diagnostic_confirmation: Option<String>,
    /// NAACCR #500.
    #[schema(pattern = "^[1-8]$")]
    pub type_of_reporting_source: Option<String>,
    /// NAACCR #560, two digits.
    #[schema(example = "00")]
    #[schema(value_type = String, required = true, pattern = "^([0-7][0-9]|8[0-8]|9[89])$")]
    pub sequence_number_hospital: Option<String>,
    /// NAACCR #610, two digits; 00–22 analytic.
    #[schema(example = "14")]
    #[schema(value_type = String, required = true, pattern = "^(00|1[0-4]|2[0-2]|3[0-8]|4[0-3]|49|99)$")]
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
}

impl TumorData {
    pub fn to_domain(&self) -> Result<Tumor, Vec<Violation>> {
        let mut v = Violations::new();
        let site = req(&mut v, "primarySite", &self.primary_site, Topography::parse);
        let hist =
            req(&mut v, "histologicTypeIcdO3", &self.histologic_type_icd_o3, Histology::parse);
        let beh = req(&mut v, "behaviorCodeIcdO3", &self.behavior_code_icd_o3, Behavior::parse);
        let grade = opt(&mut v, "grade", &self.grade, Grade::parse);
        let gc = opt(&mut v, "gradeClinical", &self.grade_clinical, Grade2018::parse);
        let gp = opt(&mut v, "gradePathological", &self.grade_pathological, Grade2018::parse);
        let gyc =
            opt(&mut v, "gradePostTherapyClin", &self.grade_post_therapy_clin, Grade2018::parse);
        let gyp = opt(&mut v, "gradePostTherapy", &self.grade_post_therapy, Grade2018::parse);
        let lat = req(&mut v, "laterality", &self.laterality, Laterality::parse);
        let dx = req(&mut v, "dateOfDiagnosis", &self.date_of_diagnosis, date);
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
        let seq = req(
            &mut v,
            "sequenceNumberHospital",
            &self.sequence_number_hospital,
            SequenceNumber::parse,
        );
        let class = req(&mut v, "classOfCase", &self.class_of_case, ClassOfCase::parse);
        let facility = opt_text(&mut v, "reportingFacility", &self.reporting_facility, 10);
        let accession = opt(&mut v, "accessionNumberHosp", &self.accession_number_hosp, |r| {
            ids::digits(r, 1, 9)
        });
        let stage =
            opt(&mut v, "summaryStage2018", &self.summary_stage2018, SummaryStage2018::parse);
        let first = opt(&mut v, "dateOf1stContact", &self.date_of1st_contact, date);
        let errors = v.into_vec();
        match (site, hist, beh, lat, dx, seq, class) {
            (
                Some(primary_site),
                Some(histology),
                Some(behavior),
                Some(laterality),
                Some(date_of_diagnosis),
                Some(sequence_number_hospital),
                Some(class_of_case),
            ) if errors.is_empty() => Ok(Tumor {
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
            }),
            _ => Err(errors),
        }
    }

    pub fn from_domain(t: &Tumor) -> Self {
        Self {
            primary_site: Some(t.primary_site.to_string()),
            histologic_type_icd_o3: Some(t.histology.to_string()),
            behavior_code_icd_o3: Some(t.behavior.to_string()),
            grade: s(&t.grade),
            grade_clinical: s(&t.grade_clinical),
            grade_pathological: s(&t.grade_pathological),
            grade_post_therapy_clin: s(&t.grade_post_therapy_clin),
            grade_post_therapy: s(&t.grade_post_therapy),
            laterality: Some(t.laterality.to_string()),
            date_of_diagnosis: Some(t.date_of_diagnosis.to_string()),
            diagnostic_confirmation: s(&t.diagnostic_confirmation),
            type_of_reporting_source: s(&t.type_of_reporting_source),
            sequence_number_hospital: Some(t.sequence_number_hospital.to_string()),
            class_of_case: Some(t.class_of_case.to_string()),
            reporting_facility: t.reporting_facility.clone(),
            accession_number_hosp: t.accession_number_hosp.clone(),
            summary_stage2018: s(&t.summary_stage_2018),
            date_of1st_contact: s(&t.date_of_1st_contact),
            ..Self::default()
        }
    }
}
