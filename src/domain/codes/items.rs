//! Code lists of single NAACCR items (NAACCR v26 lookups, imsweb/layout `naaccr-lookups-260`, and the
//! NAACCR Data Dictionary). Each type only holds a listed code.

use std::fmt;

use crate::domain::validation::RuleError;

/// Declares a code type over a fixed list of `(code, label)` pairs.
macro_rules! code_list {
    ($(#[$doc:meta])* $name:ident, $item:literal, [$(($code:literal, $label:literal)),+ $(,)?]) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(&'static str);

        impl $name {
            /// The NAACCR XML id of the item.
            pub const ITEM: &'static str = $item;
            pub const CODES: &'static [(&'static str, &'static str)] = &[$(($code, $label)),+];

            pub fn parse(raw: &str) -> Result<Self, RuleError> {
                let raw = raw.trim();
                Self::CODES
                    .iter()
                    .find(|(c, _)| *c == raw)
                    .map(|(c, _)| Self(c))
                    .ok_or_else(|| {
                        let codes: Vec<&str> = Self::CODES.iter().map(|(c, _)| *c).collect();
                        RuleError::new(
                            "code.unknown",
                            // The value is not repeated: a name typed into a code field must
                            // not come back in an error message.
                            format!("not a {} code; allowed: {}", $item, codes.join(", ")),
                        )
                    })
            }

            pub fn code(&self) -> &'static str {
                self.0
            }

            pub fn label(&self) -> &'static str {
                Self::CODES.iter().find(|(c, _)| *c == self.0).map(|(_, l)| *l).unwrap_or("")
            }

            /// The codes as strings, for API schemas.
            pub fn codes() -> Vec<&'static str> {
                Self::CODES.iter().map(|(c, _)| *c).collect()
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.0)
            }
        }
    };
}

code_list!(
    /// Sex assigned at birth (#225, NAACCR v26).
    SexAssignedAtBirth, "sexAssignedAtBirth", [("1", "Male"), ("2", "Female"), ("9", "Not stated/unknown")]
);

impl SexAssignedAtBirth {
    pub fn is_male(&self) -> bool {
        self.0 == "1"
    }
    pub fn is_female(&self) -> bool {
        self.0 == "2"
    }
}

code_list!(
    /// Race 1–5 (#160–#164).
    Race, "race1", [
        ("01", "White"), ("02", "Black or African American"), ("03", "American Indian or Alaska Native"),
        ("04", "Chinese"), ("05", "Japanese"), ("06", "Filipino"), ("07", "Native Hawaiian"), ("08", "Korean"),
        ("10", "Vietnamese"), ("11", "Laotian"), ("12", "Hmong"), ("13", "Cambodian"), ("14", "Thai"),
        ("15", "Asian Indian, NOS or Pakistani, NOS"), ("16", "Asian Indian"), ("17", "Pakistani"),
        ("20", "Micronesian, NOS"), ("21", "Chamorro"), ("22", "Guamanian, NOS"), ("25", "Polynesian, NOS"),
        ("26", "Tahitian"), ("27", "Samoan"), ("28", "Tongan"), ("30", "Melanesian, NOS"),
        ("31", "Fiji Islander"), ("32", "Papua New Guinean"), ("88", "No further race documented"),
        ("96", "Other Asian"), ("97", "Pacific Islander, NOS"), ("98", "Other"), ("99", "Unknown"),
    ]
);

code_list!(
    /// Spanish/Hispanic origin (#190).
    SpanishHispanicOrigin, "spanishHispanicOrigin", [
        ("0", "Non-Spanish"), ("1", "Mexican"), ("2", "Puerto Rican"), ("3", "Cuban"),
        ("4", "South or Central American (except Brazil)"), ("5", "Other Spanish"), ("6", "Spanish, NOS"),
        ("7", "Spanish surname only"), ("8", "Dominican Republic"), ("9", "Unknown"),
    ]
);

code_list!(
    /// Class of case (#610); 00–22 are analytic.
    ClassOfCase, "classOfCase", [
        ("00", "Diagnosed here, all treatment elsewhere"), ("10", "Diagnosed and part or all of first course here"),
        ("11", "Diagnosed by staff physician, part of first course here"),
        ("12", "Diagnosed by staff physician, all of first course here"),
        ("13", "Diagnosed and part of first course here"), ("14", "Diagnosed and all of first course here"),
        ("20", "Diagnosed elsewhere, part or all of first course here"),
        ("21", "Diagnosed elsewhere, part of first course here"),
        ("22", "Diagnosed elsewhere, all of first course here"),
        ("30", "Diagnostic workup only"), ("31", "In-transit care"), ("32", "Recurrence or persistence"),
        ("33", "History of cancer only"), ("34", "Not required by CoC, diagnosed and treated here"),
        ("35", "Before reference date, diagnosed and treated here"),
        ("36", "Not required by CoC, diagnosed elsewhere, treated here"),
        ("37", "Before reference date, diagnosed elsewhere, treated here"), ("38", "Diagnosed at autopsy"),
        ("40", "Diagnosed and treated in one staff physician office"),
        ("41", "Diagnosed and treated in several staff physician offices"),
        ("42", "Non-staff physician or non-CoC facility"), ("43", "Pathology or laboratory specimen only"),
        ("49", "Death certificate only"), ("99", "Unknown relationship to facility"),
    ]
);

impl ClassOfCase {
    /// Analytic cases (00–22) go into CoC reports and are followed for life.
    pub fn is_analytic(&self) -> bool {
        self.0.starts_with('0') || self.0.starts_with('1') || self.0.starts_with('2')
    }
}

code_list!(
    /// Laterality (#410).
    Laterality, "laterality", [
        ("0", "Not a paired site"), ("1", "Right"), ("2", "Left"), ("3", "One side, origin unspecified"),
        ("4", "Bilateral, single primary"), ("5", "Paired site, midline"), ("9", "Paired site, side unknown"),
    ]
);

code_list!(
    /// Diagnostic confirmation (#490).
    DiagnosticConfirmation, "diagnosticConfirmation", [
        ("1", "Positive histology"), ("2", "Positive cytology"),
        ("3", "Positive histology plus immunophenotyping or genetic studies"),
        ("4", "Positive microscopic confirmation, method not specified"), ("5", "Positive laboratory test or marker"),
        ("6", "Direct visualization without microscopic confirmation"),
        ("7", "Imaging without microscopic confirmation"), ("8", "Clinical diagnosis only"),
        ("9", "Unknown whether microscopically confirmed"),
    ]
);

code_list!(
    /// Type of reporting source (#500).
    TypeOfReportingSource, "typeOfReportingSource", [
        ("1", "Hospital inpatient or outpatient"), ("2", "Radiation or medical oncology center"),
        ("3", "Laboratory only"), ("4", "Physician office"), ("5", "Nursing home or hospice"),
        ("6", "Autopsy only"), ("7", "Death certificate only"), ("8", "Other outpatient unit or surgery center"),
    ]
);

code_list!(
    /// SEER Summary Stage 2018 (#764). Code 5 does not exist in SS2018.
    SummaryStage2018, "summaryStage2018", [
        ("0", "In situ"), ("1", "Localized"), ("2", "Regional by direct extension"), ("3", "Regional lymph nodes"),
        ("4", "Regional by extension and nodes"), ("7", "Distant"), ("8", "Benign or borderline"), ("9", "Unknown"),
    ]
);

code_list!(
    /// Grade (#440), ICD-O sixth digit, diagnoses before 2018.
    Grade, "grade", [
        ("1", "Well differentiated"), ("2", "Moderately differentiated"), ("3", "Poorly differentiated"),
        ("4", "Undifferentiated, anaplastic"), ("5", "T-cell"), ("6", "B-cell"), ("7", "Null cell"),
        ("8", "NK cell"), ("9", "Unknown or not applicable"),
    ]
);

code_list!(
    /// Grade clinical/pathological/post-therapy (#3843, #3844, #3845, #1068), diagnoses 2018 and later.
    /// The valid subset depends on the Grade ID of the schema; this is the union.
    Grade2018, "gradeClinical", [
        ("1", "Grade 1"), ("2", "Grade 2"), ("3", "Grade 3"), ("4", "Grade 4"), ("5", "Grade 5"),
        ("A", "Well differentiated"), ("B", "Moderately differentiated"), ("C", "Poorly differentiated"),
        ("D", "Undifferentiated, anaplastic"), ("E", "Gleason 7, patterns not documented"),
        ("L", "Low grade"), ("M", "Intermediate grade"), ("H", "High grade"), ("S", "Sarcomatoid"),
        ("8", "Not applicable"), ("9", "Cannot be assessed, unknown"),
    ]
);

code_list!(
    /// Vital status (#1760).
    VitalStatus, "vitalStatus", [("0", "Dead"), ("1", "Alive")]
);

impl VitalStatus {
    pub const DEAD: VitalStatus = VitalStatus("0");
    pub const ALIVE: VitalStatus = VitalStatus("1");
    pub fn is_dead(&self) -> bool {
        self.0 == "0"
    }
}

code_list!(
    /// Cancer status (#1770), per tumor.
    CancerStatus, "cancerStatus", [("1", "No evidence of tumor"), ("2", "Evidence of tumor"), ("9", "Unknown")]
);

code_list!(
    /// Follow-up source (#1790): how the last contact was obtained.
    FollowUpSource, "followUpSource", [
        ("0", "Reported hospitalization"), ("1", "Readmission"), ("2", "Physician"), ("3", "Patient"),
        ("4", "Department of Motor Vehicles"), ("5", "Medicare/Medicaid file"), ("7", "Death certificate"),
        ("8", "Other"), ("9", "Unknown"),
    ]
);

code_list!(
    /// Next follow-up source (#1800): how the next contact will be sought.
    NextFollowUpSource, "nextFollowUpSource", [
        ("0", "Chart requisition"), ("1", "Physician letter"), ("2", "Contact letter"), ("3", "Phone call"),
        ("4", "Other hospital contact"), ("5", "Other, NOS"), ("8", "Foreign resident, not followed"),
        ("9", "Not followed"),
    ]
);

impl NextFollowUpSource {
    /// 8 (foreign resident) and 9 (not followed) take the patient out of follow-up.
    pub fn excludes_follow_up(&self) -> bool {
        matches!(self.0, "8" | "9")
    }
}

code_list!(
    /// No patient contact flag (#1854).
    NoPatientContactFlag, "noPatientContactFlag", [("0", "Patient may be contacted"), ("1", "Patient may NOT be contacted")]
);

impl NoPatientContactFlag {
    pub const MAY_CONTACT: NoPatientContactFlag = NoPatientContactFlag("0");
    pub fn forbids_contact(&self) -> bool {
        self.0 == "1"
    }
}

/// Sequence number (#560 hospital, #380 central): 00–59 and 99 for in situ/malignant tumors,
/// 60–88 for non-malignant ones, 98 (central only) for cervix CIS 1996–2002.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SequenceNumber(u8);

impl SequenceNumber {
    pub fn parse(raw: &str) -> Result<Self, RuleError> {
        let raw = raw.trim();
        let err = || {
            RuleError::new("code.unknown", "not a sequence number; allowed: 00–59, 60–88, 98, 99")
        };
        if raw.len() != 2 || !raw.bytes().all(|b| b.is_ascii_digit()) {
            return Err(err());
        }
        let n: u8 = raw.parse().map_err(|_| err())?;
        if n <= 88 || n == 98 || n == 99 { Ok(Self(n)) } else { Err(err()) }
    }

    pub fn value(&self) -> u8 {
        self.0
    }

    /// The series for in situ and malignant tumors (00–59, 98, 99).
    pub fn is_malignant_series(&self) -> bool {
        self.0 <= 59 || self.0 >= 98
    }
}

impl fmt::Display for SequenceNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:02}", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_lists_accept_listed_codes_only() {
        assert_eq!(
            ClassOfCase::parse("14").expect("valid").label(),
            "Diagnosed and all of first course here"
        );
        assert!(ClassOfCase::parse("14").expect("valid").is_analytic());
        assert!(ClassOfCase::parse("22").expect("valid").is_analytic());
        assert!(!ClassOfCase::parse("30").expect("valid").is_analytic());
        assert!(ClassOfCase::parse("23").is_err());
        assert!(ClassOfCase::parse("4").is_err());
        assert!(Laterality::parse("6").is_err());
        assert!(SummaryStage2018::parse("5").is_err(), "SS2018 has no code 5");
        assert!(SexAssignedAtBirth::parse("3").is_err(), "v26 has only 1, 2, 9");
        assert!(Race::parse("1").is_err(), "race is zero padded");
        assert!(Race::parse("01").is_ok());
        assert!(Grade2018::parse("H").is_ok());
        assert!(Grade::parse("H").is_err());
        let err = VitalStatus::parse("2").expect_err("not listed");
        assert_eq!(err.rule, "code.unknown");
        assert!(err.message.contains("0, 1"));
        assert!(NextFollowUpSource::parse("8").expect("valid").excludes_follow_up());
        assert!(!NextFollowUpSource::parse("1").expect("valid").excludes_follow_up());
    }

    #[test]
    fn sequence_numbers() {
        for ok in ["00", "01", "59", "60", "88", "98", "99"] {
            assert!(SequenceNumber::parse(ok).is_ok(), "{ok}");
        }
        for bad in ["89", "97", "1", "100", "0a", ""] {
            assert!(SequenceNumber::parse(bad).is_err(), "{bad}");
        }
        assert!(SequenceNumber::parse("02").expect("valid").is_malignant_series());
        assert!(!SequenceNumber::parse("61").expect("valid").is_malignant_series());
        assert_eq!(SequenceNumber::parse("07").expect("valid").to_string(), "07");
    }
}
