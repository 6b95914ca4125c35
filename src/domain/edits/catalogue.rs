//! The list of edits: ids, severities, fields and override flags.
//! Ids are stable: a changed check gets a new id, so stored findings keep their meaning.
//!
//! Not implemented, for lack of data or items: the Cancer PathCHART SMVL edit for 2024+ (N7040; the
//! SMVL table is not bundled), Mets at DX heme (IF1148; no mets item on `Tumor`), grade codes per
//! schema Grade ID (no schema id on `Tumor`), post-therapy grades without neoadjuvant therapy (not
//! recorded), and the code-set field edits, which the code types already enforce at parse time.

use super::{EditDef, RuleSet, Severity};
use RuleSet::{Both, Iarc, Naaccr};
use Severity::{Error, Review, Warning};

const SITE: &str = "primarySite";
const HIST: &str = "histologicTypeIcdO3";
const BEH: &str = "behaviorCodeIcdO3";
const DX: &str = "dateOfDiagnosis";
const LAT: &str = "laterality";
const CONF: &str = "diagnosticConfirmation";
const SEX: &str = "sexAssignedAtBirth";
const AGE: &str = "ageAtDiagnosis";
const SEQ: &str = "sequenceNumberHospital";

/// Builds an entry; keeps the table below readable.
const fn def(
    id: &'static str,
    name: &'static str,
    severity: Severity,
    fields: &'static [&'static str],
    override_flag: Option<&'static str>,
    rule_set: RuleSet,
    description: &'static str,
) -> EditDef {
    EditDef { id, name, severity, fields, override_flag, rule_set, description }
}

pub const MORPH_DX_YEAR: EditDef = def(
    "morph-type-behavior-dx-year",
    "Morph Type&Behav ICDO3 (SEER MORPH)",
    Review,
    &[HIST, BEH, DX],
    Some("overRideHistology"),
    Naaccr,
    "The histology/behavior pair is in the ICD-O edition used for the year of diagnosis: ICD-O-3 from 2001, \
     ICD-O-3.1 heme terms from 2010 and other terms from 2014, ICD-O-3.2 from 2021, NAACCR additions from 2022. \
     ICD-O matrix variants in the NAACCR lookup are accepted for any year.",
);
pub const SITE_MORPH_SEER: EditDef = def(
    "site-morphology-seer",
    "Primary Site, Morphology-Type,Beh ICDO3 (SEER IF25)",
    Review,
    &[SITE, HIST, BEH],
    Some("overRideSiteType"),
    Naaccr,
    "The site and histology/behavior are on the SEER Site/Histology Validation List 2022.",
);
pub const SITE_MORPH_IMPOSSIBLE: EditDef = def(
    "site-morphology-impossible",
    "Primary Site, Morphology-Imposs ICDO3 (SEER IF38)",
    Error,
    &[SITE, HIST, BEH],
    None,
    Both,
    "Combinations that cannot exist: hematopoietic histology in situ; in situ at C42.x or C77.x; systemic \
     leukemias outside blood and bone marrow; retinoblastoma outside the eye.",
);
pub const HEME_PREFERRED_SITE: EditDef = def(
    "heme-preferred-site",
    "Primary Site, Heme Morph, DateDX (SEER IF1138)",
    Review,
    &[SITE, HIST, DX],
    Some("overRideSiteType"),
    Naaccr,
    "Diagnoses from 2010: some hematopoietic histologies are coded to their preferred sites (nodal lymphomas \
     to C77.x, cutaneous lymphomas to C44.x, leukemias to C42.1 …).",
);
pub const SITE_BEHAVIOR_IN_SITU: EditDef = def(
    "site-behavior-in-situ",
    "Primary Site, Behavior Code ICDO3 (SEER IF39)",
    Review,
    &[SITE, BEH],
    Some("overRideSiteBehavior"),
    Naaccr,
    "Behavior 2 (in situ) is not expected at C26.9, C39.9, C55.9, C57.9, C63.9, C68.9, C72.9, C75.9, \
     C76.0–C76.8 and C80.9.",
);
pub const IARC_MORPH_SITE: EditDef = def(
    "iarc-morphology-topography",
    "IARC morphology/topography",
    Warning,
    &[SITE, HIST],
    None,
    Iarc,
    "The histology's IARC CHECK family allows the site (site_must_be_in / site_must_not_be_in).",
);
pub const IARC_BEHAVIOR_SITE: EditDef = def(
    "iarc-behaviour-site",
    "IARC behaviour/site",
    Warning,
    &[SITE, BEH],
    None,
    Iarc,
    "In situ tumours are rare at C40, C41, C42, C47, C49 and C70–C72.",
);
pub const IARC_BEHAVIOR_HISTOLOGY: EditDef = def(
    "iarc-behaviour-histology",
    "IARC behaviour/histology",
    Warning,
    &[HIST, BEH],
    None,
    Iarc,
    "The histology/behaviour pair is listed in ICD-O-3, 3.1 or 3.2.",
);
pub const LATERALITY_SITE: EditDef = def(
    "laterality-site",
    "Laterality, Primary Site; Unknown Site, Laterality (IF914)",
    Error,
    &[LAT, SITE, DX],
    None,
    Naaccr,
    "Paired sites take laterality 1–5 or 9; other sites and C80.9 take 0; code 5 (midline) from 2010.",
);
pub const LATERALITY_BILATERAL: EditDef = def(
    "laterality-bilateral",
    "Laterality, Primary Site, Morph",
    Review,
    &[LAT, SITE, HIST],
    Some("overRideSiteLatMorph"),
    Naaccr,
    "Bilateral single primary (4) is expected only for ovary, retinoblastoma and Wilms tumor.",
);
pub const DXCONF_BEHAVIOR: EditDef = def(
    "dxconf-behavior",
    "Diagnostic Confirm, Behavior ICDO3 (SEER IF31)",
    Review,
    &[CONF, BEH],
    Some("overRideHistology"),
    Naaccr,
    "An in situ tumor needs microscopic confirmation (1, 2, 3 or 4).",
);
pub const DXCONF_HEME: EditDef = def(
    "dxconf-heme",
    "Diagnostic Confirmation, heme",
    Error,
    &[CONF, HIST, DX],
    None,
    Naaccr,
    "Code 3 (histology plus immunophenotyping or genetics) is only for 9590–9993 diagnosed from 2010.",
);
pub const DXCONF_HISTOLOGY: EditDef = def(
    "dxconf-histology",
    "Diagnostic Confirm, Histology",
    Review,
    &[CONF, HIST],
    Some("overRideHistology"),
    Naaccr,
    "A specific histology needs microscopic confirmation; NOS codes and marker-based diagnoses are exempt.",
);
pub const IARC_BASIS_HISTOLOGY: EditDef = def(
    "iarc-basis-histology",
    "IARC basis/histology",
    Warning,
    &[CONF, HIST],
    None,
    Iarc,
    "A specific histology needs a microscopic basis of diagnosis; NOS codes are exempt.",
);
pub const CLASS_OF_CASE: EditDef = def(
    "class-of-case",
    "Class of Case, Type of Reporting Source",
    Error,
    &["classOfCase", "typeOfReportingSource"],
    None,
    Naaccr,
    "Autopsy-only and death-certificate-only cases are classes 38 and 49, never analytic (00–22).",
);
pub const SEX_SITE: EditDef = def(
    "sex-site",
    "Sex, Primary Site",
    Error,
    &[SEX, SITE],
    None,
    Both,
    "Female genital sites (C51–C58) need a female or unknown sex; male genital sites (C60–C63) a male or unknown sex.",
);
pub const SEX_HISTOLOGY: EditDef = def(
    "sex-histology",
    "Sex, Histology",
    Error,
    &[SEX, HIST],
    None,
    Naaccr,
    "Histologies of one sex's organs (placental and uterine tumors; seminoma) in a patient of the other sex.",
);
pub const IARC_SEX_HISTOLOGY: EditDef = def(
    "iarc-sex-histology",
    "IARC sex/histology",
    Warning,
    &[SEX, HIST],
    None,
    Iarc,
    "Female-genital histology in a male or penile/testicular histology in a female.",
);
pub const AGE_SITE_MORPH: EditDef = def(
    "age-site-morphology",
    "Age, Primary Site, Morphology ICDO3 (SEER IF15)",
    Review,
    &[AGE, SITE, HIST],
    Some("overRideAgeSiteMorph"),
    Naaccr,
    "Childhood tumors in adults and adult carcinomas in children.",
);
pub const IARC_AGE_SITE_MORPH: EditDef = def(
    "iarc-age-site-histology",
    "IARC age/site/histology",
    Warning,
    &[AGE, SITE, HIST],
    None,
    Iarc,
    "Childhood tumors in adults and adult carcinomas in children (IARC CHECK).",
);
pub const AGE_DATES: EditDef = def(
    "age-dob-dx",
    "Age at Diagnosis, Date of Birth, Date of Diagnosis",
    Error,
    &[AGE, "dateOfBirth", DX],
    None,
    Both,
    "The reported age (999 = unknown) equals the age computed from the dates of birth and diagnosis.",
);
pub const SEQ_BEHAVIOR: EditDef = def(
    "sequence-behavior",
    "Behavior Code ICDO3, Seq Num (IF114)",
    Error,
    &[SEQ, BEH],
    None,
    Naaccr,
    "Behavior 2/3 takes 00–59 or 99; behavior 0/1 takes 60–88; 98 is for the central sequence number only.",
);
pub const SEQ_INTER_RECORD: EditDef = def(
    "sequence-inter-record",
    "Inter-record sequence number edits (SEER IR)",
    Review,
    &[SEQ, DX],
    Some("overRideSiteLatSeqno"),
    Naaccr,
    "00/60 only for a patient's single tumor of that series; no number twice; numbers follow the dates of diagnosis.",
);
pub const DUPLICATE_PRIMARY: EditDef = def(
    "duplicate-primary",
    "Inter-record duplicate site, laterality, histology",
    Review,
    &[SITE, LAT, HIST],
    Some("overRideSiteLatSeqno"),
    Naaccr,
    "Another tumor of the patient has the same site, laterality and histology: possibly the same primary.",
);
pub const SAME_PRIMARY: EditDef = def(
    "multiple-primary-same",
    "Same primary by the multiple-primary rules",
    Review,
    &[SITE, HIST, BEH, LAT, DX],
    Some("overRideSiteLatSeqno"),
    Both,
    "The multiple-primary rules (SEER's, or IARC/IACR's under the IARC rule set) call the tumor the \
     same primary as one diagnosed before it: one abstract, not two, unless a physician says otherwise.",
);
pub const SEQ_PRIMARIES: EditDef = def(
    "sequence-primaries",
    "Sequence number and the primaries the rules find",
    Review,
    &[SEQ, "sequenceNumberCentral", DX],
    Some("overRideSiteLatSeqno"),
    Both,
    "A sequence number, hospital (#560) or central (#380), is at least the number of separate \
     primaries of its series the rules find diagnosed before the tumor, plus one.",
);
pub const ILL_DEFINED_MULTIPLE: EditDef = def(
    "ill-defined-site-multiple-primaries",
    "Ill-defined site, multiple primaries (SEER IF22)",
    Review,
    &[SITE, HIST, SEQ],
    Some("overRideIllDefineSite"),
    Naaccr,
    "C76.x/C80.9 (histology below 9590) or C77.x (not a lymphoma) in a patient with another malignant tumor \
     may be a metastasis of that tumor.",
);
pub const SUMMARY_STAGE_2018: EditDef = def(
    "summary-stage-2018",
    "Summary Stage 2018 edits",
    Error,
    &["summaryStage2018", BEH, SITE, DX],
    None,
    Naaccr,
    "Diagnoses from 2018 only; 0 if and only if behavior 2; 8 only for benign/borderline brain, CNS and \
     intracranial gland tumors.",
);
pub const GRADE: EditDef = def(
    "grade",
    "Grade edits",
    Error,
    &["grade", "gradeClinical", "gradePathological", HIST, DX],
    None,
    Naaccr,
    "Grade (#440) only before 2018 and 5–8 only for 9590+; from 2018 clinical and pathological grade are \
     required. Post-therapy grades are not checked (neoadjuvant therapy is not recorded).",
);
pub const IARC_GRADE_HISTOLOGY: EditDef = def(
    "iarc-grade-histology",
    "IARC grade/histology",
    Warning,
    &["grade", HIST, BEH],
    None,
    Iarc,
    "Non-malignant tumours take grade 9; 5–8 only for 9590+; histologies with a fixed grade or lineage.",
);
pub const DATE_ORDER: EditDef = def(
    "date-order",
    "Date order: birth, diagnosis, treatment, contact, death",
    Error,
    &[
        "dateOfBirth",
        DX,
        "rxDateSurgery",
        "rxDateRadiation",
        "rxDateRadiationEnded",
        "rxDateChemo",
        "rxDateHormone",
        "rxDateBrm",
        "rxDateSystemic",
        "rxDateOther",
        "dateOfLastContact",
    ],
    None,
    Both,
    "Birth ≤ diagnosis ≤ treatment ≤ death, none in the future (the chronology rules).",
);
pub const DLC_DX: EditDef = def(
    "last-contact-diagnosis",
    "Date of Last Contact, Date of Diagnosis",
    Error,
    &["dateOfLastContact", DX],
    None,
    Both,
    "The date of last contact is not before the date of diagnosis.",
);
pub const TREATMENT_DATES: EditDef = def(
    "treatment-code-date",
    "Treatment code, treatment date",
    Warning,
    &[
        "rxSummSurgPrimSite",
        "rxSummRadiation",
        "rxSummChemo",
        "rxSummHormone",
        "rxSummBrm",
        "rxSummTransplntEndocr",
        "rxSummOther",
        "rxDateSurgery",
        "rxDateRadiation",
        "rxDateChemo",
        "rxDateHormone",
        "rxDateBrm",
        "rxDateSystemic",
        "rxDateOther",
    ],
    None,
    Naaccr,
    "A treatment coded as given has a start date; one coded as not given has none.",
);
pub const SURGERY_CODE: EditDef = def(
    "surgery-code-site-year",
    "RX Summ--Surg Prim Site, Primary Site, Date of Diagnosis",
    Error,
    &["rxSummSurgPrimSite", "rxSummSurgPrimSite2023", SITE, DX],
    None,
    Naaccr,
    "Two-digit surgery codes (#1290) up to 2022, four-character codes (#1291) from 2023; 98 only for \
     hematopoietic (C42.x), ill-defined (C76.x) and unknown (C80.9) sites.",
);
pub const VITAL_STATUS_COD: EditDef = def(
    "vital-status-cause-of-death",
    "Vital Status, Cause of Death",
    Error,
    &["vitalStatus", "causeOfDeath"],
    None,
    Both,
    "A contact recording death has a cause of death (7777/7797 when unknown); one recording the patient \
     alive has none.",
);

pub const REQUIRED_CORE: EditDef = def(
    "required-core",
    "Required items: site, morphology, diagnosis date, laterality, sequence number",
    Error,
    &[SITE, HIST, BEH, DX, LAT, SEQ, "sequenceNumberCentral"],
    None,
    Both,
    "Every tumor needs its primary site, histology, behavior, date of diagnosis and laterality, and a \
     sequence number (hospital #560 or central #380). A tumor is stored without them and stays \
     incomplete until they are coded.",
);
pub const REQUIRED_HOSPITAL: EditDef = def(
    "required-hospital",
    "Required items of hospital cases: class of case, hospital sequence number",
    Error,
    &["classOfCase", SEQ],
    None,
    Naaccr,
    "A tumor abstracted by a hospital (one with a hospital sequence or accession number) needs its class \
     of case; an analytic case (class 00–22) needs its hospital sequence number. Central registry \
     records (central sequence number only) need neither.",
);
pub const REQUIRED_ANALYTIC_2018: EditDef = def(
    "required-analytic-2018",
    "Required items of analytic cases diagnosed from 2018",
    Error,
    &["summaryStage2018", "diagnosticConfirmation", "classOfCase", DX],
    None,
    Naaccr,
    "Analytic cases (class 00–22) diagnosed from 2018 need Summary Stage 2018 and the diagnostic \
     confirmation.",
);
pub const REQUIRED_PATIENT: EditDef = def(
    "required-patient",
    "Required patient items",
    Error,
    &[SEX],
    None,
    Both,
    "Every patient needs the sex assigned at birth (9 when unknown).",
);
pub const NAME_MISSING: EditDef = def(
    "name-last-missing",
    "Name--Last",
    Warning,
    &["nameLast"],
    None,
    Naaccr,
    "Name--Last is blank (incidence records carry no names): record it, or UNKNOWN when it is not known, \
     before the patient is followed or sent in a confidential or abstract record.",
);
pub const VALUE_KEPT: EditDef = def(
    "value-kept",
    "Value kept as read",
    Error,
    &[],
    None,
    Both,
    "A file gave a value its item cannot hold (a code not in the item's list, an impossible or future date, \
     a wrong length or format). The value is kept exactly as read, exported unchanged, and flagged here \
     until it is coded again.",
);

static CATALOGUE: &[EditDef] = &[
    REQUIRED_CORE,
    REQUIRED_HOSPITAL,
    REQUIRED_ANALYTIC_2018,
    REQUIRED_PATIENT,
    NAME_MISSING,
    VALUE_KEPT,
    MORPH_DX_YEAR,
    SITE_MORPH_SEER,
    SITE_MORPH_IMPOSSIBLE,
    HEME_PREFERRED_SITE,
    SITE_BEHAVIOR_IN_SITU,
    IARC_MORPH_SITE,
    IARC_BEHAVIOR_SITE,
    IARC_BEHAVIOR_HISTOLOGY,
    LATERALITY_SITE,
    LATERALITY_BILATERAL,
    DXCONF_BEHAVIOR,
    DXCONF_HEME,
    DXCONF_HISTOLOGY,
    IARC_BASIS_HISTOLOGY,
    CLASS_OF_CASE,
    SEX_SITE,
    SEX_HISTOLOGY,
    IARC_SEX_HISTOLOGY,
    AGE_SITE_MORPH,
    IARC_AGE_SITE_MORPH,
    AGE_DATES,
    SEQ_BEHAVIOR,
    SEQ_INTER_RECORD,
    DUPLICATE_PRIMARY,
    SAME_PRIMARY,
    SEQ_PRIMARIES,
    ILL_DEFINED_MULTIPLE,
    SUMMARY_STAGE_2018,
    GRADE,
    IARC_GRADE_HISTOLOGY,
    DATE_ORDER,
    DLC_DX,
    TREATMENT_DATES,
    SURGERY_CODE,
    VITAL_STATUS_COD,
];

/// Every edit this engine runs, in a stable order.
pub fn catalogue() -> &'static [EditDef] {
    CATALOGUE
}
