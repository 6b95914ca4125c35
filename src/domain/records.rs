//! The registry's records as validated values: patient, tumor, treatment and follow-up contact.

use std::collections::BTreeMap;

use super::codes::*;
use super::edits::Overrides;
use super::identifiers::{Npi, PatientIdNumber, Ssn};
use super::partial_date::PartialDate;
use super::validation::RuleError;

/// NAACCR items without a typed field, as read or written: naaccrId → value, ordered for stable
/// documents. A typed item appears here only when its value could not be stored in its field.
pub type ItemMap = BTreeMap<String, String>;

/// A postal address (street lines are confidential items in NAACCR).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Address {
    pub street: Option<String>,
    pub city: Option<String>,
    pub state: Option<String>,
    pub postal_code: Option<String>,
    pub country: Option<String>,
}

/// The address at diagnosis, with the county FIPS code.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AddressAtDiagnosis {
    pub city: Option<String>,
    pub state: Option<String>,
    pub postal_code: Option<String>,
    pub county: Option<String>,
}

/// A managing or follow-up physician, who receives follow-up letters.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Physician {
    pub name: Option<String>,
    pub npi: Option<Npi>,
    pub address: Address,
    pub email: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Patient {
    /// The one item a patient cannot be stored without: records are matched on it.
    pub patient_id_number: PatientIdNumber,
    pub name_last: Option<String>,
    pub name_first: Option<String>,
    pub name_middle: Option<String>,
    pub date_of_birth: Option<PartialDate>,
    pub sex_assigned_at_birth: Option<SexAssignedAtBirth>,
    pub race: [Option<Race>; 5],
    pub spanish_hispanic_origin: Option<SpanishHispanicOrigin>,
    pub ssn: Option<Ssn>,
    pub current_address: Address,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub address_at_diagnosis: AddressAtDiagnosis,
    pub physician_managing: Option<Physician>,
    pub physician_follow_up: Option<Physician>,
    /// `None` when no source gave it (an export writes nothing then).
    pub no_patient_contact_flag: Option<NoPatientContactFlag>,
}

impl Patient {
    /// Whether the patient asked not to be contacted (#1854 = 1); an absent flag does not forbid it.
    pub fn no_contact(&self) -> bool {
        self.no_patient_contact_flag.is_some_and(|f| f.forbids_contact())
    }
}

/// A primary tumor as abstracted so far: any item may still be unknown (an abstract in progress, a
/// central registry's incidence record without hospital items). What is missing is an edit finding.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Tumor {
    pub primary_site: Option<Topography>,
    pub histology: Option<Histology>,
    pub behavior: Option<Behavior>,
    pub grade: Option<Grade>,
    pub grade_clinical: Option<Grade2018>,
    pub grade_pathological: Option<Grade2018>,
    pub grade_post_therapy_clin: Option<Grade2018>,
    pub grade_post_therapy: Option<Grade2018>,
    pub laterality: Option<Laterality>,
    pub date_of_diagnosis: Option<PartialDate>,
    pub diagnostic_confirmation: Option<DiagnosticConfirmation>,
    pub type_of_reporting_source: Option<TypeOfReportingSource>,
    pub sequence_number_hospital: Option<SequenceNumber>,
    pub class_of_case: Option<ClassOfCase>,
    pub reporting_facility: Option<String>,
    pub accession_number_hosp: Option<String>,
    pub summary_stage_2018: Option<SummaryStage2018>,
    pub date_of_1st_contact: Option<PartialDate>,
    /// Override flags (#1985–#2074) a reviewer set to accept a rare but correct combination.
    pub overrides: Overrides,
}

impl Tumor {
    pub fn morphology(&self) -> Option<Morphology> {
        Some(Morphology::new(self.histology?, self.behavior?))
    }

    /// Year of diagnosis, when known.
    pub fn dx_year(&self) -> Option<u16> {
        self.date_of_diagnosis.map(|d| d.year())
    }

    /// Whether the class of case is analytic (00–22); unknown counts as not analytic.
    pub fn is_analytic(&self) -> bool {
        self.class_of_case.is_some_and(|c| c.is_analytic())
    }

    /// The tumor with its core codes known: what the coding edits need.
    pub fn coded(&self) -> Option<Coded<'_>> {
        Some(Coded {
            tumor: self,
            site: self.primary_site?,
            histology: self.histology?,
            behavior: self.behavior?,
            dx: self.date_of_diagnosis?,
        })
    }
}

/// A tumor whose site, histology, behavior and date of diagnosis are known.
#[derive(Clone, Copy, Debug)]
pub struct Coded<'a> {
    pub tumor: &'a Tumor,
    pub site: Topography,
    pub histology: Histology,
    pub behavior: Behavior,
    pub dx: PartialDate,
}

impl Coded<'_> {
    pub fn morphology(&self) -> Morphology {
        Morphology::new(self.histology, self.behavior)
    }

    pub fn dx_year(&self) -> u16 {
        self.dx.year()
    }
}

/// Treatment modality; each maps to one NAACCR RX Summ item with its own code list.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Modality {
    Surgery,
    Radiation,
    Chemotherapy,
    Hormone,
    Immunotherapy,
    TransplantEndocrine,
    Other,
}

impl Modality {
    pub const ALL: [Modality; 7] = [
        Self::Surgery,
        Self::Radiation,
        Self::Chemotherapy,
        Self::Hormone,
        Self::Immunotherapy,
        Self::TransplantEndocrine,
        Self::Other,
    ];

    pub fn parse(raw: &str) -> Result<Self, RuleError> {
        Self::ALL.into_iter().find(|m| m.as_str() == raw.trim()).ok_or_else(|| {
            RuleError::new(
                "code.unknown",
                "modality must be one of surgery, radiation, chemotherapy, hormone, immunotherapy, \
                 transplantEndocrine, other",
            )
        })
    }

    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Surgery => "surgery",
            Self::Radiation => "radiation",
            Self::Chemotherapy => "chemotherapy",
            Self::Hormone => "hormone",
            Self::Immunotherapy => "immunotherapy",
            Self::TransplantEndocrine => "transplantEndocrine",
            Self::Other => "other",
        }
    }

    /// The NAACCR RX Summ item that carries this modality's first-course code.
    pub fn naaccr_item(&self) -> &'static str {
        match self {
            Self::Surgery => "rxSummSurgPrimSite",
            Self::Radiation => "rxSummRadiation",
            Self::Chemotherapy => "rxSummChemo",
            Self::Hormone => "rxSummHormone",
            Self::Immunotherapy => "rxSummBrm",
            Self::TransplantEndocrine => "rxSummTransplntEndocr",
            Self::Other => "rxSummOther",
        }
    }

    /// Codes that mean the treatment was given (as opposed to none, refused, planned or unknown).
    pub fn is_given(&self, code: &str) -> bool {
        match self {
            Self::Surgery => !matches!(code, "00" | "98" | "99" | "A000" | "B000"),
            Self::Radiation => matches!(code, "1" | "2" | "3" | "4" | "5" | "6"),
            Self::Other => matches!(code, "1" | "2" | "3" | "6"),
            Self::TransplantEndocrine => matches!(code, "10" | "11" | "12" | "20" | "30" | "40"),
            _ => matches!(code, "01" | "02" | "03"),
        }
    }
}

/// A treatment code valid for its modality.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TreatmentCode(String);

impl TreatmentCode {
    pub fn parse(modality: Modality, raw: &str) -> Result<Self, RuleError> {
        let c = raw.trim();
        let list: &[&str] = match modality {
            Modality::Surgery => &[],
            Modality::Radiation => &["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"],
            Modality::Chemotherapy => &["00", "01", "02", "03", "82", "85", "86", "87", "88", "99"],
            Modality::Hormone | Modality::Immunotherapy => {
                &["00", "01", "82", "85", "86", "87", "88", "99"]
            }
            Modality::TransplantEndocrine => {
                &["00", "10", "11", "12", "20", "30", "40", "82", "85", "86", "87", "88", "99"]
            }
            Modality::Other => &["0", "1", "2", "3", "6", "7", "8", "9"],
        };
        let ok = if modality == Modality::Surgery {
            // #1290 (dx ≤ 2022): 00, 10–90, 98, 99. #1291 (dx 2023+): A or B and three digits.
            let b = c.as_bytes();
            match b.len() {
                2 => {
                    c.parse::<u8>()
                        .is_ok_and(|n| n == 0 || (10..=90).contains(&n) || n == 98 || n == 99)
                        && b.iter().all(u8::is_ascii_digit)
                }
                4 => matches!(b[0], b'A' | b'B') && b[1..].iter().all(u8::is_ascii_digit),
                _ => false,
            }
        } else {
            list.contains(&c)
        };
        if ok {
            Ok(Self(c.to_string()))
        } else {
            let allowed = if modality == Modality::Surgery {
                "00, 10–90, 98, 99 (#1290) or A000–B999 (#1291, 2023+)".to_string()
            } else {
                list.join(", ")
            };
            Err(RuleError::new(
                "code.unknown",
                format!(
                    "not a {} code ({}); allowed: {allowed}",
                    modality.as_str(),
                    modality.naaccr_item()
                ),
            ))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Treatment {
    pub modality: Modality,
    pub code: TreatmentCode,
    pub first_course: bool,
    pub start_date: Option<PartialDate>,
    pub end_date: Option<PartialDate>,
    pub facility: Option<String>,
    pub text: Option<String>,
}

/// Cause of death (#1910): an ICD code without the dot; 7777 no certificate, 7797 not coded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CauseOfDeath(String);

impl CauseOfDeath {
    pub fn parse(raw: &str) -> Result<Self, RuleError> {
        let c: String =
            raw.trim().chars().filter(|c| *c != '.').collect::<String>().to_ascii_uppercase();
        let b = c.as_bytes();
        let ok = b.len() == 4
            && (b[0].is_ascii_uppercase() || b[0].is_ascii_digit())
            && b[1..].iter().all(u8::is_ascii_digit);
        if !ok || c == "0000" {
            return Err(RuleError::new(
                "code.format",
                "cause of death is an ICD code of four characters without the dot (C509), 7777 or 7797",
            ));
        }
        Ok(Self(c))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The cancer status of one tumor at a contact.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TumorStatus {
    pub tumor_id: String,
    pub cancer_status: CancerStatus,
}

/// One follow-up contact; the history of contacts derives the patient's follow-up state.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Contact {
    pub contact_date: PartialDate,
    pub vital_status: VitalStatus,
    pub follow_up_source: FollowUpSource,
    pub next_follow_up_source: Option<NextFollowUpSource>,
    pub cause_of_death: Option<CauseOfDeath>,
    pub tumors: Vec<TumorStatus>,
    pub note: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn treatment_codes_per_modality() {
        let ok = [
            (Modality::Surgery, "00"),
            (Modality::Surgery, "27"),
            (Modality::Surgery, "A200"),
            (Modality::Radiation, "1"),
            (Modality::Chemotherapy, "03"),
            (Modality::Hormone, "01"),
            (Modality::Immunotherapy, "88"),
            (Modality::TransplantEndocrine, "12"),
            (Modality::Other, "6"),
        ];
        for (m, c) in ok {
            assert!(TreatmentCode::parse(m, c).is_ok(), "{m:?} {c}");
        }
        let bad = [
            (Modality::Surgery, "05"),
            (Modality::Surgery, "95"),
            (Modality::Surgery, "C200"),
            (Modality::Radiation, "01"),
            (Modality::Chemotherapy, "04"),
            (Modality::Hormone, "02"),
            (Modality::TransplantEndocrine, "13"),
            (Modality::Other, "4"),
        ];
        for (m, c) in bad {
            let err = TreatmentCode::parse(m, c).expect_err(c);
            assert!(err.message.contains(m.naaccr_item()), "{}", err.message);
        }
        assert!(Modality::Chemotherapy.is_given("02"));
        assert!(!Modality::Chemotherapy.is_given("87"));
        assert_eq!(
            Modality::parse("transplantEndocrine").expect("valid"),
            Modality::TransplantEndocrine
        );
        assert!(Modality::parse("Surgery").is_err());
    }

    #[test]
    fn cause_of_death() {
        assert_eq!(CauseOfDeath::parse("C50.9").expect("valid").as_str(), "C509");
        assert!(CauseOfDeath::parse("7777").is_ok());
        assert!(CauseOfDeath::parse("0000").is_err(), "0000 means alive");
        assert!(CauseOfDeath::parse("C5").is_err());
    }
}
