//! Solid tumors: the module a pair falls in by site, histology and the year of the later diagnosis,
//! and the steps of each module, in the manuals' order. A step that needs a histology table not
//! written down here yet answers `questionable` with the table to look at, never a guess.

use super::{MpAnswer, MpResult, MpTumor, answer, days_apart, later_first, years_apart};

use MpResult::{Multiple, Questionable, Single};

mod mph2007;

/// The rule modules, named as SEER's implementation names its groups.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Module {
    OtherSites2007,
    OtherSites2023,
    Breast2007,
    Breast2018,
    Lung2007,
    Lung2018,
    Colon2007,
    Colon2018,
    HeadNeck2007,
    HeadNeck2018,
    Kidney2007,
    Kidney2018,
    Urinary2007,
    Urinary2018,
    Melanoma2007,
    Melanoma2021,
    MalignantCns2007,
    MalignantCns2018,
    BenignCns2007,
    NonMalignantCns2018,
}

impl Module {
    pub fn id(&self) -> &'static str {
        match self {
            Self::OtherSites2007 => "mph_2007_to_2022_other_sites",
            Self::OtherSites2023 => "str_2023_and_later_other_sites",
            Self::Breast2007 => "mph_2007_to_2017_breast",
            Self::Breast2018 => "str_2018_and_later_breast",
            Self::Lung2007 => "mph_2007_to_2017_lung",
            Self::Lung2018 => "str_2018_and_later_lung",
            Self::Colon2007 => "mph_2007_to_2017_colon",
            Self::Colon2018 => "str_2018_and_later_colon",
            Self::HeadNeck2007 => "mph_2007_to_2017_head_and_neck",
            Self::HeadNeck2018 => "str_2018_and_later_head_and_neck",
            Self::Kidney2007 => "mph_2007_to_2017_kidney",
            Self::Kidney2018 => "str_2018_and_later_kidney",
            Self::Urinary2007 => "mph_2007_to_2017_urinary",
            Self::Urinary2018 => "str_2018_and_later_urinary",
            Self::Melanoma2007 => "mph_2007_to_2017_melanoma",
            Self::Melanoma2021 => "str_2021_and_later_cutaneous_melanoma",
            Self::MalignantCns2007 => "mph_2007_to_2017_malignant_brain",
            Self::MalignantCns2018 => "str_2018_and_later_malignant_cns",
            Self::BenignCns2007 => "mph_2007_to_2017_benign_brain",
            Self::NonMalignantCns2018 => "str_2018_and_later_non_malignant_cns",
        }
    }

    fn name(&self) -> &'static str {
        match self {
            Self::OtherSites2023 => "Solid Tumor 2023+ Other Sites",
            Self::Breast2018 => "Solid Tumor 2018+ Breast",
            Self::Lung2018 => "Solid Tumor 2018+ Lung",
            Self::Colon2018 => "Solid Tumor 2018+ Colon",
            Self::HeadNeck2018 => "Solid Tumor 2018+ Head And Neck",
            Self::Kidney2018 => "Solid Tumor 2018+ Kidney",
            Self::Urinary2018 => "Solid Tumor 2018+ Urinary",
            Self::Melanoma2021 => "Solid Tumor 2021+ Cutaneous Melanoma",
            Self::MalignantCns2018 => "Solid Tumor 2018+ Malignant CNS",
            Self::NonMalignantCns2018 => "Solid Tumor 2018+ Non-Malignant CNS",
            Self::OtherSites2007 => "MPH 2007-2022 Other Sites",
            Self::Breast2007 => "MPH 2007-2017 Breast",
            Self::Lung2007 => "MPH 2007-2017 Lung",
            Self::Colon2007 => "MPH 2007-2017 Colon",
            Self::HeadNeck2007 => "MPH 2007-2017 Head and Neck",
            Self::Kidney2007 => "MPH 2007-2017 Kidney",
            Self::Urinary2007 => "MPH 2007-2017 Urinary",
            Self::Melanoma2007 => "MPH 2007-2017 Melanoma",
            Self::MalignantCns2007 => "MPH 2007-2017 Malignant Brain",
            Self::BenignCns2007 => "MPH 2007-2017 Benign Brain",
        }
    }
}

fn is_cns(t: &MpTumor) -> bool {
    matches!(t.category, 70..=72) || matches!(t.site(), 751..=753)
}

/// The module of one tumor when the later diagnosis of the pair is in `year`; `None` when no rule
/// set covers it (a borderline or benign tumor outside the CNS).
pub fn module(t: &MpTumor, year: i32) -> Option<Module> {
    let (cat, site, hist) = (t.category, t.site(), t.histology);
    let melanoma = cat == 44 && (8720..=8790).contains(&hist);
    if year >= 2018 {
        if is_cns(t) {
            return Some(if t.behavior == 3 {
                Module::MalignantCns2018
            } else {
                Module::NonMalignantCns2018
            });
        }
        if t.behavior < 2 {
            return None;
        }
        return Some(match cat {
            50 => Module::Breast2018,
            34 => Module::Lung2018,
            18 => Module::Colon2018,
            _ if site == 199 || site == 209 => Module::Colon2018,
            64 => Module::Kidney2018,
            65..=68 => Module::Urinary2018,
            0..=14 | 30..=32 => Module::HeadNeck2018,
            _ if melanoma && year >= 2021 => Module::Melanoma2021,
            _ if melanoma => Module::Melanoma2007,
            _ if year >= 2023 => Module::OtherSites2023,
            _ => Module::OtherSites2007,
        });
    }
    if is_cns(t) {
        return Some(if t.behavior == 3 {
            Module::MalignantCns2007
        } else {
            Module::BenignCns2007
        });
    }
    if t.behavior < 2 {
        return None;
    }
    Some(match cat {
        50 => Module::Breast2007,
        34 => Module::Lung2007,
        18 => Module::Colon2007,
        64 => Module::Kidney2007,
        65..=68 => Module::Urinary2007,
        0..=14 | 30..=32 => Module::HeadNeck2007,
        _ if melanoma => Module::Melanoma2007,
        _ => Module::OtherSites2007,
    })
}

pub fn compare(a: &MpTumor, b: &MpTumor, year: i32) -> MpAnswer {
    let (ma, mb) = (module(a, year), module(b, year));
    let (ma, mb) = match (ma, mb) {
        (Some(ma), Some(mb)) => (ma, mb),
        _ => {
            let t = if ma.is_none() { a } else { b };
            return answer(
                Questionable,
                "",
                "",
                format!(
                    "Could not find rule sets for {}, {} with year of diagnosis {}.",
                    t.site_code(),
                    t.morphology(),
                    t.year
                ),
            );
        }
    };
    if ma != mb {
        return answer(
            Multiple,
            "",
            "",
            format!(
                "Tumors in different rule modules ({} and {}) are multiple primaries.",
                ma.id(),
                mb.id()
            ),
        );
    }
    let m = ma;
    let r = Rules { m, a, b };
    match m {
        Module::OtherSites2007 => r.other_sites_2007(),
        Module::OtherSites2023 => r.other_sites_2023(),
        Module::Breast2018 => r.breast_2018(),
        Module::Lung2018 => r.lung_2018(),
        Module::Colon2018 => r.colon_2018(),
        Module::HeadNeck2018 => r.head_neck_2018(),
        Module::Kidney2018 => r.kidney_2018(),
        Module::Urinary2018 => r.urinary_2018(),
        Module::Melanoma2021 | Module::Melanoma2007 => r.melanoma(),
        Module::Breast2007 => r.breast_2007(),
        Module::Lung2007 => r.lung_2007(),
        Module::Colon2007 => r.colon_2007(),
        Module::HeadNeck2007 => r.head_neck_2007(),
        Module::Kidney2007 => r.kidney_2007(),
        Module::MalignantCns2018 => r.malignant_cns_2018(),
        Module::NonMalignantCns2018 => r.non_malignant_cns_2018(),
        _ => r.generic(),
    }
}

/// Paired organs of the Other Sites modules' Table 1 (both sides are separate primaries).
fn paired_table_1(site: u16) -> bool {
    matches!(site,
        79 | 80..=81 | 90..=99 | 300 | 301 | 310 | 312 | 340..=349 | 384 | 400..=403 | 413 | 414
        | 441..=447 | 471 | 472 | 491 | 492 | 500..=509 | 569 | 570 | 620..=629 | 630 | 631
        | 649 | 659 | 669 | 690..=699 | 700 | 710..=714 | 722..=725 | 740..=749 | 754)
}

/// Head and neck M3: subsites that are separate primaries although their codes differ only at
/// the fourth character. `None` when the pair is not one of them.
fn head_neck_subsites_apart(a: u16, b: u16) -> Option<&'static str> {
    const GROUPS: &[(&[u16], &str)] = &[
        (&[320, 321, 322, 323], "the glottis, supraglottis, subglottis and laryngeal cartilage"),
        (&[50, 51, 52], "the hard palate, soft palate and uvula"),
        (&[310, 311, 312, 313], "the maxillary, ethmoid, frontal and sphenoid sinuses"),
        (&[300, 301], "the nasal cavity and the middle ear"),
        (
            &[130, 131, 132],
            "the postcricoid region, the hypopharyngeal aspect of the aryepiglottic fold and the posterior wall of the hypopharynx",
        ),
        (&[80, 81], "the submandibular and sublingual glands"),
        (&[30, 31], "the upper and lower gum"),
        (&[410, 411], "the maxilla and the mandible"),
        (&[754, 755], "the carotid body and the aortic body"),
    ];
    if a == b {
        return None;
    }
    let upper = |s: u16| matches!(s, 0 | 3);
    let lower = |s: u16| matches!(s, 1 | 4);
    if (upper(a) && lower(b)) || (lower(a) && upper(b)) {
        return Some("the upper lip and the lower lip");
    }
    GROUPS.iter().find(|(g, _)| g.contains(&a) && g.contains(&b)).map(|(_, words)| *words)
}

/// The parts of the CNS the non-malignant rules' M8 names (the NOS sites and the glands are none).
fn cns_part(site: u16) -> Option<&'static str> {
    match site {
        710..=719 => Some("the brain"),
        720 => Some("the spinal cord"),
        721 => Some("the cauda equina"),
        700 => Some("the cerebral meninges"),
        701 => Some("the spinal meninges"),
        722..=725 => Some("the cranial nerves"),
        _ => None,
    }
}

/// Sites whose fourth character alone separates primaries (MP/H 2007 Other Sites M12).
fn fourth_character_sites(cat: u8) -> bool {
    matches!(cat, 21 | 40 | 41 | 44 | 47 | 49)
}

/// A NOS histology and a more specific one of its family (the NOS rules).
fn nos_and_specific(h1: u16, h2: u16) -> bool {
    let pair = |nos: u16, specific: u16| {
        nos != specific
            && match nos {
                8000 => true,
                // Carcinoma and adenocarcinoma, NOS against each other are two histologies.
                8010 => (8011..=8576).contains(&specific) && specific != 8140,
                8070 => (8051..=8084).contains(&specific),
                8720 => (8720..=8790).contains(&specific),
                8800 => (8800..=8991).contains(&specific),
                _ => false,
            }
    };
    pair(h1, h2) || pair(h2, h1)
}

/// Histologies the lung rules' Table 3 does not list (NOS and obsolete codes): a pair with one
/// cannot be placed on the table's rows.
const LUNG_NOT_IN_TABLE_3: &[u16] = &[8000, 8001, 8010, 8020, 8042, 8046, 8251, 8481, 8550];

/// The row of the lung rules' Table 3 a histology sits on: squamous cell carcinoma and
/// adenocarcinoma with their subtypes share a row each; any other code is its own row.
fn lung_row(h: u16) -> u16 {
    match h {
        8070..=8072 | 8052 | 8083 | 8084 => 8070,
        8140 | 8250 | 8253..=8257 | 8260 | 8265 | 8230 | 8333 | 8480 | 8551 => 8140,
        other => other,
    }
}

/// Histologies the colon rules' Table 1 does not list.
const COLON_NOT_IN_TABLE_1: &[u16] = &[8000, 8010, 8210, 8245, 8261, 8262, 8481];

/// The colon rules' Table 1 rows of neuroendocrine tumors and carcinomas (NET, NEC, MiNEN).
const COLON_NEUROENDOCRINE: &[u16] = &[8013, 8041, 8240, 8241, 8242, 8244, 8246, 8249];

/// Histologies the breast rules' Tables 2 and 3 do not list.
const BREAST_NOT_IN_TABLE_3: &[u16] = &[8000, 8010, 8050, 8140, 8141, 8501, 8512, 8521];

/// "8010/3 is not in the table." or "Both 8010/3 and 8046/3 are not in the table."
fn not_in_table(a: &MpTumor, b: &MpTumor, listed: impl Fn(&MpTumor) -> bool) -> String {
    match (listed(a), listed(b)) {
        (false, false) => {
            format!("Both {} and {} are not in the table.", a.morphology(), b.morphology())
        }
        (false, true) => format!("{} is not in the table.", a.morphology()),
        _ => format!("{} is not in the table.", b.morphology()),
    }
}

const DIFFERENT_HISTOLOGY: &str = "Tumors with ICD-O-3 histology codes that are different at the first (?xxx), second (x?xx) or third (xx?x) number are multiple primaries.";
const NO_CRITERIA: &str =
    "Tumors that do not meet any of the criteria are abstracted as a single primary.";
const INVASIVE_AFTER_IN_SITU: &str = "An invasive tumor following an in situ tumor more than 60 days after diagnosis are multiple primaries.";

struct Rules<'a> {
    m: Module,
    a: &'a MpTumor,
    b: &'a MpTumor,
}

impl Rules<'_> {
    fn ok(&self, result: MpResult, step: &'static str, reason: impl Into<String>) -> MpAnswer {
        answer(result, self.m.id(), step, reason)
    }

    fn unable(&self, step: &'static str, why: impl std::fmt::Display) -> MpAnswer {
        self.ok(
            Questionable,
            step,
            format!("Unable to apply Rule {step} of {}. {why}", self.m.name()),
        )
    }

    fn both(&self, f: impl Fn(&MpTumor) -> bool) -> bool {
        f(self.a) && f(self.b)
    }

    fn either(&self, f: impl Fn(&MpTumor) -> bool) -> bool {
        f(self.a) || f(self.b)
    }

    /// "Multiple" when the later tumor is invasive more than 60 days after an in situ one.
    fn invasive_after_in_situ_step(&self, step: &'static str) -> Option<MpAnswer> {
        match self.invasive_after_in_situ() {
            Some(true) => Some(self.ok(Multiple, step, INVASIVE_AFTER_IN_SITU)),
            None => Some(self.unable(step, "Known diagnosis dates should be provided.")),
            Some(false) => None,
        }
    }

    /// "Multiple" when the diagnoses are more than `years` apart.
    fn years_step(&self, step: &'static str, years: i32, words: &str) -> Option<MpAnswer> {
        match years_apart(self.a, self.b, years) {
            Some(true) => Some(self.ok(
                Multiple,
                step,
                format!("Tumors diagnosed more than {words} apart are multiple primaries."),
            )),
            None => Some(self.unable(step, "Known diagnosis dates should be provided.")),
            Some(false) => None,
        }
    }

    /// The answer of the steps after a sides step (`step`) when a side may be unknown: only a
    /// "multiple" holds whatever the sides are; anything else might be two organs, so the record
    /// is reviewed.
    fn sides_known_or_review(&self, step: &'static str, rest: MpAnswer) -> MpAnswer {
        if !self.both(|t| matches!(t.laterality, 1 | 2)) && rest.result != Multiple {
            return self.unable(step, "Valid and known laterality should be provided.");
        }
        rest
    }

    fn prostate(&self) -> bool {
        self.both(|t| t.site() == 619 && t.histology == 8140)
    }

    /// Both sides of one organ of Table 1 (its entries name whole organs: C62.1 and C62.9 are
    /// both the testis).
    fn bilateral_paired(&self) -> bool {
        self.a.category == self.b.category
            && self.both(|t| paired_table_1(t.site()))
            && matches!((self.a.laterality, self.b.laterality), (1, 2) | (2, 1))
    }

    fn site_differs_2nd_3rd(&self) -> bool {
        self.a.category != self.b.category
    }

    fn hist_differs_first_three(&self) -> bool {
        self.a.histology / 10 != self.b.histology / 10
    }

    /// An invasive tumor diagnosed more than 60 days after an in situ one.
    fn invasive_after_in_situ(&self) -> Option<bool> {
        let (later, earlier) = later_first(self.a, self.b);
        if later.behavior == 3 && earlier.behavior == 2 {
            days_apart(later, earlier, 60)
        } else {
            Some(false)
        }
    }

    fn in_situ_after_invasive(&self) -> bool {
        let (later, earlier) = later_first(self.a, self.b);
        later.behavior == 2 && earlier.behavior == 3
    }

    /// Steps M3–M5 of both Other Sites modules: prostate adenocarcinoma, retinoblastoma and
    /// Kaposi sarcoma are always one primary.
    fn always_single(&self) -> Option<MpAnswer> {
        if self.prostate() {
            return Some(self.ok(
                Single,
                "M3",
                "Adenocarcinoma of the prostate is always a single primary.",
            ));
        }
        if self.both(|t| (9510..=9514).contains(&t.histology)) {
            return Some(self.ok(
                Single,
                "M4",
                "Retinoblastoma is always a single primary (unilateral or bilateral).",
            ));
        }
        if self.both(|t| t.histology == 9140) {
            return Some(self.ok(
                Single,
                "M5",
                "Kaposi sarcoma (any site or sites) is always a single primary.",
            ));
        }
        None
    }

    fn other_sites_2023(&self) -> MpAnswer {
        if let Some(single) = self.always_single() {
            return single;
        }
        if self.bilateral_paired() {
            return self.ok(Multiple, "M10", "Tumors on both sides (right and left) of a site listed in Table 1 are multiple primaries.");
        }
        match years_apart(self.a, self.b, 1) {
            Some(true) => return self.ok(Multiple, "M12", "Abstract multiple primaries when the patient has a subsequent tumor after being clinically disease-free for greater than one year after the original diagnosis or last recurrence."),
            None => return self.unable("M12", "Known diagnosis dates should be provided."),
            Some(false) => {}
        }
        if self.site_differs_2nd_3rd() {
            return self.ok(Multiple, "M13", "Tumors in sites with ICD-O-3 topography codes that are different at the second (C?xx) and/or third (Cx?x) character are multiple primaries.");
        }
        if self.a.histology != self.b.histology {
            // Table 2–23 (the histology rows of each site) is not written down here yet.
            return self.unable(
                "M19",
                format!(
                    "Check {} and {} against Table 2-23 of the Other Sites rules.",
                    self.a.morphology(),
                    self.b.morphology()
                ),
            );
        }
        self.ok(Single, "M21", NO_CRITERIA)
    }

    fn breast_2018(&self) -> MpAnswer {
        if self.both(|t| t.histology == 8530) {
            return self.ok(
                Single,
                "M3",
                "Inflammatory carcinoma in one or both breasts is a single primary.",
            );
        }
        if let Some(multiple) = self.years_step("M5", 5, "5 years") {
            return multiple;
        }
        if matches!((self.a.laterality, self.b.laterality), (1, 2) | (2, 1)) {
            return self.ok(
                Multiple,
                "M7",
                "Tumors on both sides (right and left breast) are multiple primaries.",
            );
        }
        self.sides_known_or_review("M7", self.breast_2018_same_side())
    }

    fn breast_2018_same_side(&self) -> MpAnswer {
        let pair = |x: u16, y: u16| {
            (self.a.histology == x && self.b.histology == y)
                || (self.a.histology == y && self.b.histology == x)
        };
        let (later, earlier) = later_first(self.a, self.b);
        let _ = pair;
        if later.behavior == earlier.behavior
            && later.histology == 8500
            && matches!(earlier.histology, 8522 | 8523)
        {
            return self.ok(Single, "M10", "The following conditions are a single primary: DCIS following DCIS and lobular carcinoma in situ (8522/2) or DCIS and another in situ type (8523/2); invasive duct carcinoma following duct and lobular carcinoma (8522/3) or duct carcinoma mixed with another type (8523/3), and the reverse.");
        }
        if self.a.histology != self.b.histology {
            let listed = |t: &MpTumor| !BREAST_NOT_IN_TABLE_3.contains(&t.histology);
            if !self.both(listed) {
                return self.unable("M13", not_in_table(self.a, self.b, listed));
            }
            // Carcinoma of no special type (duct) and its in situ patterns share a row.
            let nst_row = |t: &MpTumor| matches!(t.histology, 8500 | 8201 | 8230);
            if !self.both(nst_row) {
                return self.ok(Multiple, "M13", "Separate/non-contiguous tumors on different rows in Table 3 or a combination code in Table 2 and a code from Table 3 in the Site-group Instructions are multiple primaries.");
            }
        }
        if self.a.behavior == self.b.behavior && days_apart(self.a, self.b, 60) == Some(false) {
            return self.ok(Single, "M12", "Synchronous, separate/non-contiguous tumors on the same row in Table 3 in the Site-group Instructions is a single primary.");
        }
        if self.in_situ_after_invasive() {
            return self.ok(
                Single,
                "M14",
                "An in situ tumor diagnosed following an invasive tumor is a single primary.",
            );
        }
        if let Some(multiple) = self.invasive_after_in_situ_step("M16") {
            return multiple;
        }
        self.ok(Single, "M17", NO_CRITERIA)
    }
    fn lung_2018(&self) -> MpAnswer {
        if let Some(multiple) = self.years_step("M4", 3, "3 years") {
            return multiple;
        }
        // Small cell (8041, combined 8045), large cell neuroendocrine (8013) and the
        // neuroendocrine tumors (8240–8249); the obsolete small cell codes are not counted.
        let neuroendocrine = |t: &MpTumor| matches!(t.histology, 8041 | 8045 | 8013 | 8240..=8249);
        let listed = |t: &MpTumor| !LUNG_NOT_IN_TABLE_3.contains(&t.histology);
        // Non-small cell carcinoma, NOS (8046) is known not to be neuroendocrine; other codes the
        // table does not list cannot be placed either way.
        let placed = |t: &MpTumor| listed(t) || t.histology == 8046;
        if self.both(placed) && neuroendocrine(self.a) != neuroendocrine(self.b) {
            return self.ok(Multiple, "M5", "Abstract multiple primaries when there is at least one tumor with neuroendocrine carcinoma or subtype/variant of neuroendocrine carcinoma or neuroendocrine tumor and at least one tumor that is not neuroendocrine.");
        }
        // Two tumors of one specific histology are on one row whether the table lists it or
        // not; cancer or carcinoma NOS may stand for any row.
        let one_specific =
            self.a.histology == self.b.histology && !matches!(self.a.histology, 8000 | 8001 | 8010);
        if !self.both(listed) && !one_specific {
            return self.unable("M7", not_in_table(self.a, self.b, listed));
        }
        let row_head = |t: &MpTumor| lung_row(t.histology) == t.histology;
        if self.a.histology != self.b.histology
            && lung_row(self.a.histology) == lung_row(self.b.histology)
            && !self.either(row_head)
        {
            return self.ok(Multiple, "M6", "Separate/non-contiguous tumors that are two or more different subtypes/variants in Column 2, Table 3 in the Site-group Instructions are multiple primaries.");
        }
        if lung_row(self.a.histology) != lung_row(self.b.histology) {
            return self.ok(Multiple, "M8", "Separate/non-contiguous tumors on different rows in Table 3 in the Site-group Instructions or a combination code in Table 2 and a code from Table 3 are multiple primaries.");
        }
        if self.a.laterality == self.b.laterality
            && matches!(self.a.laterality, 1 | 2)
            && days_apart(self.a, self.b, 60) == Some(false)
        {
            return self.ok(Single, "M7", "Synchronous separate/non-contiguous tumors in the same lung on the same row in Table 3 in the Site-group Instructions are a single primary.");
        }
        match (self.a.laterality, self.b.laterality) {
            // Synchronous tumors in both lungs: whether either lung holds more tumors decides,
            // and the items do not say.
            (1, 2) | (2, 1) if days_apart(self.a, self.b, 60) != Some(true) => {
                return self.unable("M9", "Unknown if multiple tumors exist.");
            }
            (1, 2) | (2, 1) => {
                return self.ok(
                    Multiple,
                    "M11",
                    "A single tumor in each lung is multiple primaries.",
                );
            }
            (l1, l2) if !matches!(l1, 1 | 2) || !matches!(l2, 1 | 2) => {
                return self.unable("M11", "Valid and known laterality should be provided.");
            }
            _ => {}
        }
        self.ok(Single, "M14", NO_CRITERIA)
    }

    fn colon_2018(&self) -> MpAnswer {
        if self.site_differs_2nd_3rd() {
            return self.ok(Multiple, "M4", "Tumors in sites with ICD-O-3 topography codes that are different at the second (C?xx) and/or third (Cx?x) character are multiple primaries.");
        }
        if self.a.histology != self.b.histology {
            let listed = |t: &MpTumor| !COLON_NOT_IN_TABLE_1.contains(&t.histology);
            if !self.both(listed) {
                return self.unable("M6", not_in_table(self.a, self.b, listed));
            }
            // Adenocarcinoma, NOS heads the row of its subtypes (Column 2).
            if self.a.histology != 8140 && self.b.histology != 8140 {
                return self.ok(Multiple, "M5", "Separate/non-contiguous tumors that are two or more different subtypes/variants in Column 2, Table 1 in the Site-group Instructions are multiple primaries.");
            }
            // The neuroendocrine tumors and carcinomas are rows of their own.
            if self.either(|t| COLON_NEUROENDOCRINE.contains(&t.histology)) {
                return self.ok(Multiple, "M6", "Separate/non-contiguous tumors that are on different rows in Table 1 in the Site-group Instructions are multiple primaries.");
            }
        }
        let unknown_subsite = self.a.category == 18
            && self.a.subsite != self.b.subsite
            && self.either(|t| t.site() == 189);
        if self.a.category == 18 && self.a.subsite != self.b.subsite && !unknown_subsite {
            return self.ok(Multiple, "M9", "Tumors in sites with ICD-O site codes that differ at the fourth character (C18X) are multiple primaries.");
        }
        if let Some(multiple) = self.years_step("M10", 1, "1 years") {
            return multiple;
        }
        if unknown_subsite {
            return self.unable("M9", "One of the sites is C189.");
        }
        if days_apart(self.a, self.b, 60) == Some(false) {
            return self.ok(Single, "M11", "Synchronous, separate/non-contiguous tumors that are on the same row in Table 1 in the Site-group Instructions are a single primary.");
        }
        if self.in_situ_after_invasive() {
            return self.ok(
                Single,
                "M12",
                "An in situ tumor diagnosed following an invasive tumor is a single primary.",
            );
        }
        self.ok(Single, "M15", NO_CRITERIA)
    }

    fn head_neck_2018(&self) -> MpAnswer {
        if let Some(sites) = head_neck_subsites_apart(self.a.site(), self.b.site()) {
            return self.ok(Multiple, "M3", format!("Tumors on {sites} are multiple primaries."));
        }
        if self.site_differs_2nd_3rd() {
            return self.ok(Multiple, "M4", "Tumors in sites with ICD-O-3 topography codes that are different at the second (C?xx) and/or third (Cx?x) character are multiple primaries.");
        }
        let sides = (self.a.laterality, self.b.laterality);
        if matches!(sides, (1, 2) | (2, 1)) && self.both(|t| paired_table_1(t.site())) {
            return self.ok(Multiple, "M5", "Separate, non-contiguous tumors on the right side and the left side of a paired site are multiple primaries.");
        }
        // Cancer and carcinoma, NOS are on none of Tables 1–9's rows.
        let listed = |t: &MpTumor| !matches!(t.histology, 8000 | 8010);
        if self.a.histology != self.b.histology && !self.both(listed) {
            return self.unable("M7", not_in_table(self.a, self.b, listed));
        }
        self.generic()
    }

    /// The steps of the non-malignant CNS rules the five items decide without Table 6: parts of
    /// the CNS apart (M8) and meningiomas of the cranial meninges (M10). Sides that differ, and the
    /// NOS sites, are left to review: a step before these may separate them.
    fn non_malignant_cns_2018(&self) -> MpAnswer {
        let nos = |t: &MpTumor| matches!(t.site(), 709 | 728 | 729);
        let (pa, pb) = (cns_part(self.a.site()), cns_part(self.b.site()));
        if !self.either(nos) && pa != pb && (pa.is_some() || pb.is_some()) {
            return self.ok(
                Multiple,
                "M8",
                format!(
                    "Abstract multiple primaries when multiple tumors are present in {} and {}.",
                    pa.unwrap_or("another part of the CNS"),
                    pb.unwrap_or("another part of the CNS")
                ),
            );
        }
        let sides_differ = matches!((self.a.laterality, self.b.laterality), (1, 2) | (2, 1));
        let meningioma = |t: &MpTumor| t.site() == 700 && (9530..=9539).contains(&t.histology);
        if self.both(meningioma) && !sides_differ {
            return self.ok(Single, "M10", "Two or more separate/non-contiguous meningiomas arising in the cranial meninges is a single primary.");
        }
        self.generic()
    }

    fn kidney_2018(&self) -> MpAnswer {
        self.sides_known_or_review("M5", self.kidney_2018_steps())
    }

    fn kidney_2018_steps(&self) -> MpAnswer {
        if matches!((self.a.laterality, self.b.laterality), (1, 2) | (2, 1)) {
            return self.ok(
                Multiple,
                "M5",
                "Tumors in both the right kidney and in the left kidney are multiple primaries.",
            );
        }
        if let Some(multiple) = self.years_step("M6", 3, "3 years") {
            return multiple;
        }
        let rcc = |t: &MpTumor| {
            matches!(t.histology, 8312 | 8310 | 8260 | 8317 | 8316 | 8311 | 8319 | 8323)
        };
        if self.a.histology != self.b.histology && !self.both(rcc) {
            return self.ok(Multiple, "M9", "Separate/non-contiguous tumors that are on different rows in Table 1 in the Site-group Instructions are multiple primaries.");
        }
        if days_apart(self.a, self.b, 60) == Some(false) {
            return self.ok(Single, "M8", "Synchronous, separate/non-contiguous tumors that are on the same row in Table 1 in the Site-group Instructions are a single primary.");
        }
        self.ok(Single, "M13", NO_CRITERIA)
    }

    fn urinary_2018(&self) -> MpAnswer {
        let urothelial = |t: &MpTumor| (8120..=8131).contains(&t.histology);
        let bladder = |t: &MpTumor| t.category == 67;
        if let Some(multiple) = self.invasive_after_in_situ_step("M6") {
            return multiple;
        }
        if self.both(|t| bladder(t) && matches!(t.histology, 8120 | 8130) && t.behavior == 2) {
            return self.ok(Single, "M7", "Multiple occurrences of noninvasive in situ /2 urothelial carcinoma (flat tumor) 8120/2 and/or noninvasive papillary urothelial carcinoma 8130/2 in the bladder is a single primary.");
        }
        if self.both(|t| bladder(t) && urothelial(t) && t.behavior == 3) {
            return self.ok(
                Single,
                "M9",
                "Multiple invasive urothelial cell carcinomas in the bladder is a single primary.",
            );
        }
        // An in situ tumor after an invasive one in the same organ is M16's, however late.
        let same_organ_in_situ =
            self.in_situ_after_invasive() && self.a.category == self.b.category;
        let apart = if same_organ_in_situ { Some(false) } else { years_apart(self.a, self.b, 3) };
        match apart {
            Some(true) => return self.ok(Multiple, "M10", "Abstract multiple primaries when the patient has a subsequent tumor after being clinically disease-free for greater than three years after the original diagnosis or last recurrence."),
            None => return self.unable("M10", "Known diagnosis dates should be provided."),
            Some(false) => {}
        }
        if self.both(urothelial) && self.a.category != self.b.category {
            return self.ok(
                Single,
                "M11",
                "Urothelial carcinomas in multiple urinary organs is a single primary.",
            );
        }
        if self.a.histology != self.b.histology
            && self.either(|t| matches!(t.histology, 8000 | 8010))
        {
            let listed = |t: &MpTumor| !matches!(t.histology, 8000 | 8010);
            return self.unable("M13", not_in_table(self.a, self.b, listed));
        }
        if self.in_situ_after_invasive() {
            return self.ok(
                Single,
                "M16",
                "An in situ tumor following an invasive tumor is a single primary.",
            );
        }
        self.generic()
    }

    fn melanoma(&self) -> MpAnswer {
        let unknown_subsite = self.m == Module::Melanoma2021
            && self.a.category == self.b.category
            && self.a.subsite != self.b.subsite
            && self.either(|t| t.site() == 449);
        if unknown_subsite {
            // C44.9 may be the other tumor's subsite: only a later "multiple" decides.
            // The C44.9 tumor read at the other's subsite.
            let (unknown, known) =
                if self.a.site() == 449 { (self.a, self.b) } else { (self.b, self.a) };
            let flat = MpTumor { category: known.category, subsite: known.subsite, ..*unknown };
            let rest = Rules { m: self.m, a: &flat, b: known }.melanoma();
            return if rest.result == Multiple {
                rest
            } else {
                self.unable("M3", "One of the sites is C449.")
            };
        }
        if self.a.site() != self.b.site() {
            return self.ok(Multiple, "M3", "Melanomas in sites with ICD-O-3 topography codes that are different at the second (C?xx), third (Cx?x) or fourth (C44?) character are multiple primaries.");
        }
        if matches!((self.a.laterality, self.b.laterality), (1, 2) | (2, 1)) {
            return self.ok(
                Multiple,
                "M4",
                "Melanomas with different laterality are multiple primaries.",
            );
        }
        if self.m == Module::Melanoma2007 {
            return self.melanoma_2007_rest();
        }
        // Table 2: melanoma NOS (8720) heads the row of its subtypes.
        let subtype = |t: &MpTumor| t.histology != 8720;
        if self.a.histology != self.b.histology && self.both(subtype) {
            return self.ok(Multiple, "M5", "Abstract multiple primaries when separate/non-contiguous tumors are two or more different subtypes/variants in Column 2, Table 2 in the Site-group Instructions.");
        }
        // Melanomas of one histology on a paired site need both sides known.
        let side_unknown = |t: &MpTumor| matches!(t.laterality, 0 | 3 | 9);
        if self.a.histology == self.b.histology
            && self.either(side_unknown)
            && paired_table_1(self.a.site())
        {
            return self.unable("M6", "Valid and known laterality should be provided.");
        }
        match days_apart(self.a, self.b, 60) {
            Some(true) => {
                return self.ok(
                    Multiple,
                    "M7",
                    "Melanomas diagnosed more than 60 days apart are multiple primaries.",
                );
            }
            None => return self.unable("M7", "Known diagnosis dates should be provided."),
            Some(false) => {}
        }
        self.generic()
    }

    /// Of the malignant CNS steps, the one the five items decide without the manual's Table 3:
    /// the brain (C71.0–C71.9) is one site, and neither laterality nor timing separates tumors.
    fn malignant_cns_2018(&self) -> MpAnswer {
        if self.both(|t| t.category == 71) && self.a.histology == self.b.histology {
            return self.ok(Single, "M8", "Tumors which are separate, non-contiguous, in the brain (multicentric/multifocal), and have the same histology are a single primary.");
        }
        self.generic()
    }

    /// Where the deciding steps need a manual's histology tables or charts that oncoreg does not
    /// hold: the registrar reviews the pair.
    fn generic(&self) -> MpAnswer {
        self.ok(Questionable, "", format!("Review the pair with the {} rules of the SEER manual: the steps that decide it need the manual's histology tables, which oncoreg does not hold.", self.m.name()))
    }
}

#[cfg(test)]
mod tests {
    use super::super::compare;
    use super::super::tests::t;
    use super::*;

    #[test]
    fn prostate_adenocarcinoma_is_one_primary() {
        let a = compare(
            &t("2021-04-20", "C619", "8140/3", "0"),
            &t("2020-04-14", "C619", "8140/3", "0"),
        );
        assert_eq!((a.result, a.module, a.step), (Single, "mph_2007_to_2022_other_sites", "M3"));
        let b = compare(
            &t("2023-03-18", "C619", "8140/3", "0"),
            &t("2015-08-22", "C619", "8140/3", "0"),
        );
        assert_eq!(
            (b.module, b.step),
            ("str_2023_and_later_other_sites", "M3"),
            "the later diagnosis picks the rules"
        );
    }

    #[test]
    fn timing_site_and_histology_in_order() {
        let a = compare(
            &t("2019-01-10", "C739", "8260/3", "0"),
            &t("2021-06-01", "C739", "8260/3", "0"),
        );
        assert_eq!((a.result, a.step), (Multiple, "M10"));
        let b = compare(
            &t("2019-01-10", "C739", "8260/3", "0"),
            &t("2019-05-01", "C619", "8500/3", "0"),
        );
        assert_eq!((b.result, b.step), (Multiple, "M11"));
        let c = compare(
            &t("2019-01-10", "C739", "8010/3", "0"),
            &t("2019-05-01", "C739", "8260/3", "0"),
        );
        assert_eq!((c.result, c.step), (Single, "M16"));
        let d = compare(
            &t("2019-01-10", "C739", "8330/3", "0"),
            &t("2019-05-01", "C739", "8260/3", "0"),
        );
        assert_eq!((d.result, d.step), (Multiple, "M17"));
    }

    #[test]
    fn breast_needs_known_laterality() {
        let a = compare(
            &t("2019-01-10", "C504", "8500/3", "1"),
            &t("2019-05-01", "C502", "8500/3", "2"),
        );
        assert_eq!((a.result, a.step), (Multiple, "M7"));
        let b = compare(
            &t("2019-01-10", "C504", "8500/3", "9"),
            &t("2019-05-01", "C502", "8500/3", "2"),
        );
        assert_eq!((b.result, b.step), (Questionable, "M7"));
        let c = compare(
            &t("2012-01-10", "C504", "8500/3", "1"),
            &t("2019-05-01", "C502", "8500/3", "2"),
        );
        assert_eq!((c.result, c.step), (Multiple, "M5"), "more than five years apart");
    }

    #[test]
    fn borderline_tumors_outside_the_cns_have_no_rule_set() {
        let a = compare(
            &t("2019-01-10", "C569", "8442/1", "1"),
            &t("2019-05-01", "C569", "8442/1", "2"),
        );
        assert_eq!(a.result, Questionable);
        assert!(a.reason.starts_with("Could not find rule sets for C569, 8442/1"), "{}", a.reason);
    }
}

#[cfg(test)]
mod module_tests {
    use super::super::tests::{step, t};
    use super::*;

    #[test]
    fn other_sites_2023_steps() {
        const M: &str = "str_2023_and_later_other_sites";
        let o =
            step(t("2023-02-01", "C569", "8460/3", "1"), t("2023-02-01", "C569", "8460/3", "2"));
        assert_eq!(o, (Multiple, M, "M10"));
        let testes =
            step(t("2018-07-09", "C621", "9061/3", "1"), t("2023-09-07", "C629", "9065/3", "2"));
        assert_eq!(testes, (Multiple, M, "M10"), "both testes, whatever the subsites");
        let y =
            step(t("2021-02-01", "C739", "8260/3", "0"), t("2023-06-01", "C739", "8260/3", "0"));
        assert_eq!(y, (Multiple, M, "M12"));
        let d =
            step(t("2023-02-01", "C739", "8260/3", "0"), t("2023-03-01", "C169", "8140/3", "0"));
        assert_eq!(d, (Multiple, M, "M13"));
        // Table 2–23 is not written down: different histologies at one site are reviewed.
        let q =
            step(t("2023-02-01", "C739", "8260/3", "0"), t("2023-03-01", "C739", "8330/3", "0"));
        assert_eq!(q, (Questionable, M, "M19"));
    }

    #[test]
    fn malignant_cns_2018_steps() {
        const M: &str = "str_2018_and_later_malignant_cns";
        // The brain is one site; laterality and time do not separate tumors of one histology.
        let gbm =
            step(t("2019-02-01", "C711", "9440/3", "1"), t("2022-03-01", "C714", "9440/3", "2"));
        assert_eq!(gbm, (Single, M, "M8"));
        // Different histologies need the manual's Table 3: reviewed.
        let other =
            step(t("2019-02-01", "C711", "9400/3", "1"), t("2022-03-01", "C714", "9440/3", "2"));
        assert_eq!((other.0, other.1), (Questionable, M));
    }

    #[test]
    fn head_and_neck_2018_steps() {
        const M: &str = "str_2018_and_later_head_and_neck";
        let larynx =
            step(t("2019-02-01", "C321", "8070/3", "0"), t("2019-02-01", "C320", "8070/3", "0"));
        assert_eq!(larynx, (Multiple, M, "M3"));
        let lips =
            step(t("2019-02-01", "C000", "8070/3", "0"), t("2020-02-01", "C004", "8070/3", "0"));
        assert_eq!(lips, (Multiple, M, "M3"));
        let upper =
            step(t("2019-02-01", "C000", "8070/3", "0"), t("2020-02-01", "C003", "8070/3", "0"));
        assert_eq!(upper.0, Questionable, "both on the upper lip: the tables decide");
        let sites =
            step(t("2019-02-01", "C099", "8070/3", "1"), t("2019-02-01", "C062", "8070/3", "0"));
        assert_eq!(sites, (Multiple, M, "M4"));
        let parotids =
            step(t("2021-02-01", "C079", "8140/3", "1"), t("2022-02-01", "C079", "8070/3", "2"));
        assert_eq!(parotids, (Multiple, M, "M5"));
        let nos =
            step(t("2019-09-03", "C079", "8430/3", "2"), t("2023-04-15", "C079", "8000/3", "2"));
        assert_eq!(nos, (Questionable, M, "M7"), "cancer, NOS is on no row of the tables");
    }

    #[test]
    fn non_malignant_cns_2018_steps() {
        const M: &str = "str_2018_and_later_non_malignant_cns";
        let parts =
            step(t("2019-02-01", "C700", "9530/0", "2"), t("2020-02-01", "C724", "9560/0", "2"));
        assert_eq!(parts, (Multiple, M, "M8"));
        let pituitary =
            step(t("2019-02-01", "C711", "9380/1", "1"), t("2020-02-01", "C751", "8272/0", "0"));
        assert_eq!(pituitary, (Multiple, M, "M8"));
        let meningiomas =
            step(t("2023-02-01", "C700", "9537/0", "1"), t("2023-05-01", "C700", "9530/0", "1"));
        assert_eq!(meningiomas, (Single, M, "M10"));
        // Meninges NOS beside the pituitary: Table 6 decides; sides apart: an earlier step may.
        let nos =
            step(t("2021-02-01", "C709", "9530/0", "0"), t("2022-02-01", "C751", "8272/0", "0"));
        assert_eq!(nos.0, Questionable);
        let sides =
            step(t("2023-02-01", "C700", "9537/0", "1"), t("2023-05-01", "C700", "9530/0", "2"));
        assert_eq!(sides.0, Questionable);
    }

    #[test]
    fn kidney_2018_steps_in_order() {
        const M: &str = "str_2018_and_later_kidney";
        let years =
            step(t("2018-01-05", "C649", "8312/3", "1"), t("2022-03-01", "C649", "8312/3", "1"));
        assert_eq!(years, (Multiple, M, "M6"));
        let rows =
            step(t("2020-01-05", "C649", "8312/3", "1"), t("2020-06-01", "C649", "8960/3", "1"));
        assert_eq!(rows, (Multiple, M, "M9"), "renal cell carcinoma and Wilms tumor");
        let rest =
            step(t("2020-01-05", "C649", "8312/3", "1"), t("2021-06-01", "C649", "8312/3", "1"));
        assert_eq!(rest, (Single, M, "M13"));
        let side =
            step(t("2021-01-05", "C649", "8312/3", "9"), t("2021-06-01", "C649", "8312/3", "1"));
        assert_eq!(side, (Questionable, M, "M5"), "a side unknown, and only 'single' reached");
    }

    #[test]
    fn urinary_2018_steps_in_order() {
        const M: &str = "str_2018_and_later_urinary";
        let years =
            step(t("2017-01-05", "C679", "8120/3", "0"), t("2021-06-01", "C659", "8120/3", "1"));
        assert_eq!(years, (Multiple, M, "M10"));
        let organs =
            step(t("2020-01-05", "C679", "8120/3", "0"), t("2021-03-01", "C659", "8130/3", "1"));
        assert_eq!(organs, (Single, M, "M11"), "urothelial carcinomas of several urinary organs");
        let nos =
            step(t("2020-01-05", "C679", "8010/3", "0"), t("2020-05-01", "C679", "8120/3", "0"));
        assert_eq!(nos, (Questionable, M, "M13"));
        let in_situ_after =
            step(t("2019-01-05", "C679", "8120/3", "0"), t("2023-05-01", "C679", "8120/2", "0"));
        assert_eq!(in_situ_after, (Single, M, "M16"), "in situ after invasive, however late");
    }

    #[test]
    fn breast_2018_steps() {
        const M: &str = "str_2018_and_later_breast";
        let inflammatory =
            step(t("2019-02-01", "C504", "8530/3", "1"), t("2019-03-01", "C502", "8530/3", "2"));
        assert_eq!(inflammatory, (Single, M, "M3"));
        let m10 =
            step(t("2019-02-01", "C504", "8522/3", "1"), t("2019-09-01", "C504", "8500/3", "1"));
        assert_eq!(m10, (Single, M, "M10"));
        let m12 =
            step(t("2019-02-01", "C504", "8500/3", "1"), t("2019-03-01", "C501", "8500/3", "1"));
        assert_eq!(m12, (Single, M, "M12"));
        let m13 =
            step(t("2019-02-01", "C504", "8500/3", "1"), t("2019-03-01", "C501", "8520/3", "1"));
        assert_eq!(m13, (Multiple, M, "M13"));
        let m14 =
            step(t("2019-02-01", "C504", "8500/3", "1"), t("2020-03-01", "C504", "8500/2", "1"));
        assert_eq!(m14, (Single, M, "M14"));
        let m16 =
            step(t("2019-02-01", "C504", "8500/2", "1"), t("2020-03-01", "C504", "8500/3", "1"));
        assert_eq!(m16, (Multiple, M, "M16"));
    }

    #[test]
    fn lung_steps() {
        let lung = "str_2018_and_later_lung";
        let far =
            step(t("2018-01-05", "C341", "8140/3", "1"), t("2021-02-01", "C343", "8140/3", "1"));
        assert_eq!(far, (Multiple, lung, "M4"), "more than three years apart");
        let ne =
            step(t("2021-01-05", "C341", "8041/3", "1"), t("2021-03-01", "C343", "8140/3", "1"));
        assert_eq!(ne, (Multiple, lung, "M5"), "small cell and adenocarcinoma");
        let nos =
            step(t("2021-01-05", "C341", "8010/3", "1"), t("2021-03-01", "C343", "8140/3", "1"));
        assert_eq!(nos, (Questionable, lung, "M7"), "carcinoma, NOS is not on Table 3");
        let rows =
            step(t("2021-01-05", "C341", "8070/3", "1"), t("2021-09-01", "C343", "8140/3", "1"));
        assert_eq!(rows, (Multiple, lung, "M8"), "squamous and adenocarcinoma rows");
        let same =
            step(t("2021-01-05", "C341", "8140/3", "1"), t("2021-02-01", "C343", "8250/3", "1"));
        assert_eq!(same, (Single, lung, "M7"), "synchronous, one lung, one row");
        let sides =
            step(t("2021-01-05", "C341", "8140/3", "1"), t("2021-09-01", "C341", "8140/3", "2"));
        assert_eq!(sides, (Multiple, lung, "M11"), "one tumor in each lung");
    }

    #[test]
    fn lung_histologies_the_table_does_not_list() {
        let lung = "str_2018_and_later_lung";
        let nsclc =
            step(t("2017-12-12", "C341", "8046/3", "2"), t("2019-08-02", "C341", "8046/3", "2"));
        assert_eq!(nsclc, (Single, lung, "M14"), "one specific histology is one row");
        let each_lung =
            step(t("2018-04-12", "C341", "8046/3", "1"), t("2018-08-09", "C343", "8046/3", "2"));
        assert_eq!(each_lung, (Multiple, lung, "M11"));
        let nos =
            step(t("2019-01-12", "C341", "8010/3", "1"), t("2019-08-09", "C343", "8010/3", "1"));
        assert_eq!((nos.0, nos.2), (Questionable, "M7"), "carcinoma NOS may be any row");
        let subtypes =
            step(t("2019-11-20", "C341", "8260/3", "1"), t("2020-09-09", "C348", "8250/3", "2"));
        assert_eq!(subtypes, (Multiple, lung, "M6"), "two adenocarcinoma subtypes");
        let both_lungs =
            step(t("2023-08-01", "C343", "8041/3", "1"), t("2023-09-19", "C341", "8041/3", "2"));
        assert_eq!(both_lungs, (Questionable, lung, "M9"), "synchronous, one in each lung");
    }

    #[test]
    fn colon_steps() {
        let colon = "str_2018_and_later_colon";
        let rectum =
            step(t("2021-01-05", "C187", "8140/3", "0"), t("2021-03-01", "C209", "8140/3", "0"));
        assert_eq!(rectum, (Multiple, colon, "M4"));
        let subsites =
            step(t("2021-01-05", "C182", "8140/3", "0"), t("2021-03-01", "C187", "8140/3", "0"));
        assert_eq!(subsites, (Multiple, colon, "M9"));
        let unknown =
            step(t("2021-01-05", "C189", "8140/3", "0"), t("2021-03-01", "C187", "8140/3", "0"));
        assert_eq!(unknown, (Questionable, colon, "M9"), "C18.9 may be the same subsite");
        let year =
            step(t("2019-01-05", "C187", "8140/3", "0"), t("2021-03-01", "C187", "8140/3", "0"));
        assert_eq!(year, (Multiple, colon, "M10"));
        let subtypes =
            step(t("2021-01-05", "C187", "8480/3", "0"), t("2021-03-01", "C187", "8490/3", "0"));
        assert_eq!(subtypes, (Multiple, colon, "M5"), "two different subtypes");
        let rows =
            step(t("2020-09-05", "C209", "8240/3", "0"), t("2021-08-01", "C209", "8140/3", "0"));
        assert_eq!(rows, (Multiple, colon, "M6"), "a neuroendocrine tumor is a row of its own");
        let same_row =
            step(t("2021-01-05", "C187", "8140/3", "0"), t("2021-02-01", "C187", "8480/3", "0"));
        assert_eq!(same_row, (Single, colon, "M11"), "mucinous is a subtype of adenocarcinoma");
    }

    #[test]
    fn urinary_kidney_and_melanoma_steps() {
        let urinary = "str_2018_and_later_urinary";
        let flat =
            step(t("2020-01-05", "C672", "8120/2", "0"), t("2021-03-01", "C679", "8130/2", "0"));
        assert_eq!(
            flat,
            (Single, urinary, "M7"),
            "noninvasive urothelial carcinomas of the bladder"
        );
        let invasive =
            step(t("2020-01-05", "C672", "8120/3", "0"), t("2022-03-01", "C679", "8130/3", "0"));
        assert_eq!(invasive, (Single, urinary, "M9"));
        let after =
            step(t("2020-01-05", "C672", "8120/2", "0"), t("2020-06-01", "C679", "8120/3", "0"));
        assert_eq!(after, (Multiple, urinary, "M6"), "invasive more than 60 days after in situ");
        let kidney = "str_2018_and_later_kidney";
        let both =
            step(t("2020-01-05", "C649", "8312/3", "1"), t("2020-02-01", "C649", "8312/3", "2"));
        assert_eq!(both, (Multiple, kidney, "M5"));
        let sync =
            step(t("2021-10-24", "C649", "8312/3", "2"), t("2021-09-22", "C649", "8310/3", "2"));
        assert_eq!(sync, (Single, kidney, "M8"), "synchronous, one row of Table 1");
        let melanoma = "str_2021_and_later_cutaneous_melanoma";
        let sites =
            step(t("2022-01-05", "C445", "8720/3", "0"), t("2022-02-01", "C446", "8720/3", "1"));
        assert_eq!(sites, (Multiple, melanoma, "M3"));
        let days =
            step(t("2022-01-05", "C445", "8720/3", "1"), t("2022-05-01", "C445", "8720/3", "1"));
        assert_eq!(days, (Multiple, melanoma, "M7"), "more than 60 days apart");
        let subtypes =
            step(t("2018-03-05", "C445", "8742/2", "2"), t("2022-01-01", "C445", "8743/3", "9"));
        assert_eq!(subtypes, (Multiple, melanoma, "M5"), "two different subtypes");
        let side =
            step(t("2023-03-05", "C447", "8743/3", "9"), t("2023-04-01", "C447", "8743/3", "2"));
        assert_eq!(side, (Questionable, melanoma, "M6"), "one histology, a side unknown");
        let unknown_site =
            step(t("2021-04-30", "C447", "8720/3", "2"), t("2022-04-02", "C449", "8720/3", "0"));
        assert_eq!(unknown_site, (Questionable, melanoma, "M3"), "C44.9 may be the same subsite");
    }
}
