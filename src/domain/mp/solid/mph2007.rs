//! The 2007 MP/H rules' site modules (diagnoses 2007–2017; their Other Sites module serves until
//! 2022), step by step in the manual's order. The steps that need the manual's charts of histology
//! branches (the urinary and brain modules) are reviewed, never guessed.

use super::*;

/// Adenocarcinoma in a polyp: in an adenomatous polyp, a villous or a tubulovillous adenoma.
fn in_polyp(h: u16) -> bool {
    matches!(h, 8210 | 8261 | 8263)
}

/// Adenocarcinoma in adenomatous polyposis coli (familial polyposis).
fn polyposis(h: u16) -> bool {
    matches!(h, 8220 | 8221)
}

/// Papillary and follicular carcinomas of the thyroid and their variants.
fn thyroid_papillary_or_follicular(h: u16) -> bool {
    matches!(h, 8050 | 8260 | 8330..=8332 | 8335 | 8340..=8344 | 8350)
}

/// The specific renal cell carcinoma types of the kidney rules (renal cell carcinoma, NOS is
/// 8312 and is none of them).
fn specific_renal_cell(h: u16) -> bool {
    matches!(h, 8260 | 8310 | 8316 | 8317 | 8318 | 8319 | 8320)
}

/// The more specific non-small cell carcinomas of the lung rules' Chart 1: squamous cell and
/// adenocarcinoma with their subtypes, large cell, adenosquamous, sarcomatoid and salivary gland
/// type carcinomas, and carcinoid tumors.
fn specific_non_small_cell(h: u16) -> bool {
    matches!(h, 8012..=8014 | 8022 | 8030..=8033 | 8052 | 8070..=8084 | 8123 | 8140..=8576 | 8972 | 8980)
}

impl Rules<'_> {
    /// The polyp steps shared by the colon and Other Sites modules: a frank adenocarcinoma and
    /// one in a polyp, or two in polyps, are one primary.
    fn polyp_steps(&self, frank_step: &'static str, polyps_step: &'static str) -> Option<MpAnswer> {
        let (ha, hb) = (self.a.histology, self.b.histology);
        if (ha == 8140 && in_polyp(hb)) || (hb == 8140 && in_polyp(ha)) {
            return Some(self.ok(Single, frank_step, "A frank in situ or malignant adenocarcinoma and an in situ or malignant tumor in a polyp are a single primary."));
        }
        if in_polyp(ha) && in_polyp(hb) {
            return Some(self.ok(
                Single,
                polyps_step,
                "Multiple in situ and/or malignant polyps are a single primary.",
            ));
        }
        None
    }

    /// Adenocarcinoma in familial polyposis with in situ or malignant polyps.
    fn polyposis_step(&self, step: &'static str) -> Option<MpAnswer> {
        let polypoid = |t: &MpTumor| polyposis(t.histology) || in_polyp(t.histology);
        (self.either(|t| polyposis(t.histology)) && self.both(polypoid)).then(|| {
            self.ok(Single, step, "Adenocarcinoma in adenomatous polyposis coli (familial polyposis) with one or more in situ or malignant polyps is a single primary.")
        })
    }

    pub(super) fn other_sites_2007(&self) -> MpAnswer {
        if let Some(single) = self.always_single() {
            return single;
        }
        let within_60_days = days_apart(self.a, self.b, 60).map(|apart| !apart);
        if self.both(|t| t.site() == 739 && thyroid_papillary_or_follicular(t.histology)) {
            match within_60_days {
                Some(true) => return self.ok(Single, "M6", "Follicular and papillary tumors in the thyroid within 60 days of diagnosis are a single primary."),
                None => return self.unable("M6", "Known diagnosis dates should be provided."),
                Some(false) => {}
            }
        }
        let ovary_epithelial =
            |t: &MpTumor| t.site() == 569 && (8000..=8799).contains(&t.histology);
        if self.both(ovary_epithelial)
            && matches!((self.a.laterality, self.b.laterality), (1, 2) | (2, 1))
        {
            match within_60_days {
                Some(true) => return self.ok(Single, "M7", "Bilateral epithelial tumors (8000-8799) of the ovary within 60 days are a single primary."),
                None => return self.unable("M7", "Known diagnosis dates should be provided."),
                Some(false) => {}
            }
        }
        if self.bilateral_paired() {
            return self.ok(Multiple, "M8", "Tumors on both sides (right and left) of a site listed in Table 1 are multiple primaries.");
        }
        if let Some(single) = self.polyposis_step("M9") {
            return single;
        }
        if let Some(multiple) = self.years_step("M10", 1, "1 years") {
            return multiple;
        }
        if self.site_differs_2nd_3rd() {
            return self.ok(Multiple, "M11", "Tumors in sites with ICD-O-3 topography codes that are different at the second (C?xx) and/or third (Cx?x) character are multiple primaries.");
        }
        if self.a.subsite != self.b.subsite && fourth_character_sites(self.a.category) {
            return self.ok(Multiple, "M12", "Tumors with ICD-O-3 topography codes that differ only at the fourth character (Cxx?) and are in any one of the following primary sites are multiple primaries: anus and anal canal (C21_), bones, joints and articular cartilage (C40_-C41_), peripheral nerves and autonomic nervous system (C47_), connective, subcutaneous and other soft tissues (C49_), skin (C44_).");
        }
        if let Some(single) = self.polyp_steps("M13", "M14") {
            return single;
        }
        if let Some(multiple) = self.invasive_after_in_situ_step("M15") {
            return multiple;
        }
        if nos_and_specific(self.a.histology, self.b.histology) {
            return self.ok(Single, "M16", "Abstract as a single primary when one tumor is a NOS histology (cancer or malignant neoplasm, carcinoma, adenocarcinoma, squamous cell carcinoma, melanoma or sarcoma, NOS) and the other a more specific histology of the same family.");
        }
        if self.hist_differs_first_three() {
            return self.ok(Multiple, "M17", DIFFERENT_HISTOLOGY);
        }
        self.ok(Single, "M18", NO_CRITERIA)
    }

    pub(super) fn head_neck_2007(&self) -> MpAnswer {
        let sides = (self.a.laterality, self.b.laterality);
        if matches!(sides, (1, 2) | (2, 1)) && self.both(|t| paired_table_1(t.site())) {
            return self.ok(
                Multiple,
                "M3",
                "Tumors on the right side and the left side of a paired site are multiple primaries.",
            );
        }
        let (sa, sb) = (self.a.site(), self.b.site());
        let either_way = |x: &[u16], y: &[u16]| {
            (x.contains(&sa) && y.contains(&sb)) || (x.contains(&sb) && y.contains(&sa))
        };
        if either_way(&[0, 3], &[1, 4]) {
            return self.ok(Multiple, "M4", "Tumors on the upper lip (C000 or C003) and the lower lip (C001 or C004) are multiple primaries.");
        }
        if either_way(&[30], &[31]) {
            return self.ok(
                Multiple,
                "M5",
                "Tumors on the upper gum (C030) and the lower gum (C031) are multiple primaries.",
            );
        }
        if either_way(&[300], &[301]) {
            return self.ok(
                Multiple,
                "M6",
                "Tumors in the nasal cavity (C300) and the middle ear (C301) are multiple primaries.",
            );
        }
        if self.site_differs_2nd_3rd() {
            return self.ok(Multiple, "M7", "Tumors in sites with ICD-O-3 topography codes that are different at the second (C?xx) and/or third (Cx?x) character are multiple primaries.");
        }
        if let Some(multiple) = self.invasive_after_in_situ_step("M8") {
            return multiple;
        }
        if let Some(multiple) = self.years_step("M9", 5, "five (5) years") {
            return multiple;
        }
        if self.hist_differs_first_three() {
            return self.ok(Multiple, "M10", DIFFERENT_HISTOLOGY);
        }
        self.ok(Single, "M11", NO_CRITERIA)
    }

    pub(super) fn kidney_2007(&self) -> MpAnswer {
        if self.both(|t| t.histology == 8960) {
            return self.ok(Single, "M3", "Wilms tumors are a single primary.");
        }
        self.sides_known_or_review("M4", self.kidney_2007_steps())
    }

    fn kidney_2007_steps(&self) -> MpAnswer {
        if matches!((self.a.laterality, self.b.laterality), (1, 2) | (2, 1)) {
            return self.ok(
                Multiple,
                "M4",
                "Tumors in both the right kidney and the left kidney are multiple primaries.",
            );
        }
        if let Some(multiple) = self.years_step("M5", 3, "three (3) years") {
            return multiple;
        }
        if let Some(multiple) = self.invasive_after_in_situ_step("M6") {
            return multiple;
        }
        let (ha, hb) = (self.a.histology, self.b.histology);
        if ha != hb && specific_renal_cell(ha) && specific_renal_cell(hb) {
            return self.ok(Multiple, "M7", "One tumor with a specific renal cell type and another tumor with a different specific renal cell type are multiple primaries.");
        }
        if self.hist_differs_first_three() {
            return self.ok(Multiple, "M8", DIFFERENT_HISTOLOGY);
        }
        self.ok(Single, "M9", NO_CRITERIA)
    }

    pub(super) fn breast_2007(&self) -> MpAnswer {
        if let Some(multiple) = self.years_step("M5", 5, "five (5) years") {
            return multiple;
        }
        if let Some(multiple) = self.invasive_after_in_situ_step("M6") {
            return multiple;
        }
        if matches!((self.a.laterality, self.b.laterality), (1, 2) | (2, 1)) {
            return self.ok(
                Multiple,
                "M7",
                "Tumors on both sides (right and left breast) are multiple primaries.",
            );
        }
        self.sides_known_or_review("M7", self.breast_2007_same_side())
    }

    fn breast_2007_same_side(&self) -> MpAnswer {
        let duct = |h: u16| matches!(h, 8500 | 8501 | 8503 | 8507 | 8201 | 8230);
        let paget = |h: u16| matches!(h, 8540 | 8541 | 8543);
        let (ha, hb) = (self.a.histology, self.b.histology);
        if self.both(|t| t.histology == 8530) {
            return self.ok(
                Single,
                "M8",
                "Inflammatory carcinoma in one or both breasts is a single primary.",
            );
        }
        if (paget(ha) && duct(hb)) || (paget(hb) && duct(ha)) {
            return self.ok(
                Single,
                "M9",
                "Tumors that are intraductal or duct and Paget disease are a single primary.",
            );
        }
        if (ha == 8520 && duct(hb)) || (hb == 8520 && duct(ha)) {
            return self.ok(
                Single,
                "M10",
                "Tumors that are lobular (8520) and intraductal or duct are a single primary.",
            );
        }
        if duct(ha) && duct(hb) {
            return self.ok(
                Single,
                "M11",
                "Multiple intraductal and/or duct carcinomas are a single primary.",
            );
        }
        if self.hist_differs_first_three() {
            return self.ok(Multiple, "M12", DIFFERENT_HISTOLOGY);
        }
        self.ok(Single, "M13", NO_CRITERIA)
    }

    pub(super) fn lung_2007(&self) -> MpAnswer {
        let (ha, hb) = (self.a.histology, self.b.histology);
        let either_way =
            |x: &dyn Fn(u16) -> bool, y: &dyn Fn(u16) -> bool| (x(ha) && y(hb)) || (x(hb) && y(ha));
        let small_cell = |h: u16| (8041..=8045).contains(&h);
        if either_way(&|h| h == 8046, &small_cell) {
            return self.ok(Multiple, "M4", "At least one tumor that is non-small cell carcinoma (8046) and at least one tumor that is small cell carcinoma (8041-8045) are multiple primaries.");
        }
        if either_way(&|h| h == 8255, &|h| (8250..=8254).contains(&h)) {
            return self.ok(Multiple, "M5", "A tumor that is adenocarcinoma with mixed subtypes (8255) and another that is bronchioloalveolar (8250-8254) are multiple primaries.");
        }
        self.sides_known_or_review("M6", self.lung_2007_sides())
    }

    fn lung_2007_sides(&self) -> MpAnswer {
        if matches!((self.a.laterality, self.b.laterality), (1, 2) | (2, 1)) {
            if self.hist_differs_first_three() {
                return self.ok(Multiple, "M7", "Multiple tumors in both lungs with ICD-O-3 histology codes that are different at the first (?xxx), second (x?xx) or third (xx?x) number are multiple primaries.");
            }
            // Tumors apart in time are one tumor in each lung; synchronous ones may be more.
            return match days_apart(self.a, self.b, 60) {
                Some(true) => {
                    self.ok(Multiple, "M6", "A single tumor in each lung is multiple primaries.")
                }
                _ => self.unable("M6", "Unknown if a single tumor exists in each lung."),
            };
        }
        if let Some(multiple) = self.years_step("M8", 3, "three (3) years") {
            return multiple;
        }
        if let Some(multiple) = self.invasive_after_in_situ_step("M9") {
            return multiple;
        }
        let (ha, hb) = (self.a.histology, self.b.histology);
        if (ha == 8046 && specific_non_small_cell(hb))
            || (hb == 8046 && specific_non_small_cell(ha))
        {
            return self.ok(Single, "M10", "Tumors with non-small cell carcinoma, NOS (8046) and a more specific non-small cell carcinoma type (Chart 1) are a single primary.");
        }
        if self.hist_differs_first_three() {
            return self.ok(Multiple, "M11", DIFFERENT_HISTOLOGY);
        }
        self.ok(Single, "M12", NO_CRITERIA)
    }

    pub(super) fn colon_2007(&self) -> MpAnswer {
        if let Some(single) = self.polyposis_step("M3") {
            return single;
        }
        if self.site_differs_2nd_3rd() || self.a.subsite != self.b.subsite {
            return self.ok(Multiple, "M4", "Tumors in sites with ICD-O-3 topography codes that are different at the second (C?xx), third (Cx?x) or fourth (C18?) character are multiple primaries.");
        }
        if let Some(multiple) = self.years_step("M5", 1, "one (1) year") {
            return multiple;
        }
        if let Some(multiple) = self.invasive_after_in_situ_step("M6") {
            return multiple;
        }
        if let Some(single) = self.polyp_steps("M7", "M8") {
            return single;
        }
        if self.hist_differs_first_three() {
            return self.ok(Multiple, "M9", DIFFERENT_HISTOLOGY);
        }
        self.ok(Single, "M10", NO_CRITERIA)
    }

    /// The 2007 melanoma steps after site and laterality (M3, M4, shared with the 2021 rules).
    pub(super) fn melanoma_2007_rest(&self) -> MpAnswer {
        if self.hist_differs_first_three() {
            return self.ok(Multiple, "M5", "Melanomas with ICD-O-3 histology codes that are different at the first (?xxx), second (x?xx) or third (xx?x) number are multiple primaries.");
        }
        let (later, earlier) = later_first(self.a, self.b);
        match days_apart(self.a, self.b, 60) {
            Some(false) if later.behavior == 3 && earlier.behavior == 2 => self.ok(
                Single,
                "M6",
                "An invasive melanoma that follows an in situ melanoma of the same site within 60 days is a single primary.",
            ),
            Some(true) => {
                self.ok(Multiple, "M7", "Melanomas diagnosed more than 60 days apart are multiple primaries.")
            }
            None => self.unable("M7", "Known diagnosis dates should be provided."),
            Some(false) => self.ok(
                Single,
                "M8",
                "Melanomas that do not meet any of the above criteria are abstracted as a single primary.",
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::super::compare;
    use super::super::super::tests::{step, t};
    use super::*;

    #[test]
    fn other_sites_2007_steps() {
        const M: &str = "mph_2007_to_2022_other_sites";
        // M4 retinoblastoma, M5 Kaposi sarcoma: always one primary.
        let r =
            step(t("2012-02-01", "C692", "9510/3", "1"), t("2014-06-01", "C692", "9511/3", "2"));
        assert_eq!(r, (Single, M, "M4"));
        let k =
            step(t("2012-02-01", "C445", "9140/3", "0"), t("2016-06-01", "C160", "9140/3", "0"));
        assert_eq!(k, (Single, M, "M5"));
        // M8: both ovaries (a Table 1 paired site) more than 60 days apart.
        let o =
            step(t("2015-02-01", "C569", "8460/3", "1"), t("2015-06-01", "C569", "8460/3", "2"));
        assert_eq!(o, (Multiple, M, "M8"));
        // M12: anus and anal canal differ at the fourth character.
        let a =
            step(t("2015-02-01", "C210", "8070/3", "0"), t("2015-04-01", "C211", "8070/3", "0"));
        assert_eq!(a, (Multiple, M, "M12"));
        // M15: invasive more than 60 days after in situ.
        let i =
            step(t("2015-01-05", "C530", "8070/2", "0"), t("2015-06-01", "C530", "8070/3", "0"));
        assert_eq!(i, (Multiple, M, "M15"));
        // M16: squamous cell carcinoma, NOS and a specific squamous type.
        let n =
            step(t("2015-01-05", "C530", "8070/3", "0"), t("2015-03-01", "C531", "8071/3", "0"));
        assert_eq!(n, (Single, M, "M16"));
        // M6: papillary and follicular thyroid carcinomas within 60 days; M7: both ovaries.
        let th =
            step(t("2015-01-05", "C739", "8050/3", "0"), t("2015-02-20", "C739", "8340/3", "0"));
        assert_eq!(th, (Single, M, "M6"));
        let th_late =
            step(t("2015-01-05", "C739", "8050/3", "0"), t("2015-06-20", "C739", "8340/3", "0"));
        assert_eq!(th_late, (Multiple, M, "M17"), "more than 60 days apart");
        let ov =
            step(t("2016-03-01", "C569", "8460/3", "1"), t("2016-03-20", "C569", "8441/3", "2"));
        assert_eq!(ov, (Single, M, "M7"));
        // M9: familial polyposis; M13: adenocarcinoma and one in a polyp; M14: two polyps.
        let fap =
            step(t("2015-01-05", "C199", "8220/3", "0"), t("2016-06-01", "C209", "8210/3", "0"));
        assert_eq!(fap, (Single, M, "M9"));
        let polyp =
            step(t("2015-01-05", "C209", "8140/3", "0"), t("2015-03-01", "C209", "8263/2", "0"));
        assert_eq!(polyp, (Single, M, "M13"));
        let polyps =
            step(t("2015-01-05", "C160", "8210/3", "0"), t("2015-03-01", "C162", "8261/3", "0"));
        assert_eq!(polyps, (Single, M, "M14"));
        // M18: one site, one histology, within a year.
        let s =
            step(t("2015-01-05", "C530", "8070/3", "0"), t("2015-03-01", "C531", "8070/3", "0"));
        assert_eq!(s, (Single, M, "M18"));
    }

    #[test]
    fn breast_2007_steps() {
        const M: &str = "mph_2007_to_2017_breast";
        let years =
            step(t("2010-02-01", "C504", "8500/3", "1"), t("2016-03-01", "C504", "8500/3", "1"));
        assert_eq!(years, (Multiple, M, "M5"));
        let sides =
            step(t("2015-02-01", "C504", "8500/3", "1"), t("2016-03-01", "C504", "8500/3", "2"));
        assert_eq!(sides, (Multiple, M, "M7"));
        let lobular =
            step(t("2017-09-30", "C505", "8520/3", "1"), t("2017-10-27", "C504", "8500/3", "1"));
        assert_eq!(lobular, (Single, M, "M10"));
        let side =
            step(t("2017-05-17", "C501", "8500/3", "9"), t("2017-11-06", "C504", "8500/3", "2"));
        assert_eq!(side, (Questionable, M, "M7"), "a side unknown");
    }

    #[test]
    fn breast_2007_same_side_steps() {
        const M: &str = "mph_2007_to_2017_breast";
        let after =
            step(t("2012-02-01", "C504", "8500/2", "1"), t("2012-06-01", "C504", "8500/3", "1"));
        assert_eq!(after, (Multiple, M, "M6"), "invasive more than 60 days after in situ");
        let paget =
            step(t("2012-02-01", "C501", "8540/3", "2"), t("2012-02-10", "C504", "8500/3", "2"));
        assert_eq!(paget, (Single, M, "M9"));
        let ducts =
            step(t("2012-02-01", "C501", "8500/3", "2"), t("2012-02-10", "C504", "8501/3", "2"));
        assert_eq!(ducts, (Single, M, "M11"));
        let other =
            step(t("2012-02-01", "C501", "8500/3", "2"), t("2012-02-10", "C504", "8480/3", "2"));
        assert_eq!(other, (Multiple, M, "M12"));
    }

    #[test]
    fn head_and_neck_2007_steps() {
        const M: &str = "mph_2007_to_2017_head_and_neck";
        let tonsils =
            step(t("2012-02-01", "C099", "8070/3", "1"), t("2012-02-10", "C099", "8070/3", "2"));
        assert_eq!(tonsils, (Multiple, M, "M3"));
        let lips =
            step(t("2012-02-01", "C000", "8070/3", "0"), t("2012-02-10", "C004", "8070/3", "0"));
        assert_eq!(lips, (Multiple, M, "M4"));
        let gums =
            step(t("2012-02-01", "C030", "8070/3", "0"), t("2012-02-10", "C031", "8070/3", "0"));
        assert_eq!(gums, (Multiple, M, "M5"));
        let ear =
            step(t("2012-02-01", "C300", "8070/3", "1"), t("2012-02-10", "C301", "8070/3", "1"));
        assert_eq!(ear, (Multiple, M, "M6"));
        let sites =
            step(t("2012-02-01", "C020", "8070/3", "0"), t("2012-02-10", "C040", "8070/3", "0"));
        assert_eq!(sites, (Multiple, M, "M7"));
        let in_situ =
            step(t("2012-02-01", "C320", "8070/2", "0"), t("2012-09-10", "C321", "8070/3", "0"));
        assert_eq!(in_situ, (Multiple, M, "M8"));
        let years =
            step(t("2010-02-01", "C320", "8070/3", "0"), t("2016-09-10", "C320", "8070/3", "0"));
        assert_eq!(years, (Multiple, M, "M9"));
        let hist =
            step(t("2012-02-01", "C320", "8070/3", "0"), t("2013-09-10", "C320", "8140/3", "0"));
        assert_eq!(hist, (Multiple, M, "M10"));
        let same =
            step(t("2012-02-01", "C320", "8070/3", "0"), t("2013-09-10", "C321", "8071/3", "0"));
        assert_eq!(same, (Single, M, "M11"));
    }

    #[test]
    fn kidney_2007_steps() {
        const M: &str = "mph_2007_to_2017_kidney";
        let wilms =
            step(t("2012-02-01", "C649", "8960/3", "1"), t("2014-02-10", "C649", "8960/3", "2"));
        assert_eq!(wilms, (Single, M, "M3"));
        let sides =
            step(t("2012-02-01", "C649", "8312/3", "1"), t("2012-02-10", "C649", "8312/3", "2"));
        assert_eq!(sides, (Multiple, M, "M4"));
        let years =
            step(t("2010-02-01", "C649", "8312/3", "1"), t("2014-02-10", "C649", "8312/3", "1"));
        assert_eq!(years, (Multiple, M, "M5"));
        let types =
            step(t("2012-02-01", "C649", "8310/3", "1"), t("2012-02-10", "C649", "8317/3", "1"));
        assert_eq!(types, (Multiple, M, "M7"), "two specific renal cell types");
        let nos =
            step(t("2012-02-01", "C649", "8312/3", "1"), t("2012-02-10", "C649", "8310/3", "1"));
        assert_eq!(nos, (Single, M, "M9"), "renal cell carcinoma NOS and clear cell");
        let side =
            step(t("2012-02-01", "C649", "8312/3", "9"), t("2012-02-10", "C649", "8312/3", "1"));
        assert_eq!(side, (Questionable, M, "M4"), "a side unknown");
    }

    #[test]
    fn lung_2007_steps() {
        const M: &str = "mph_2007_to_2017_lung";
        let small =
            step(t("2012-02-01", "C341", "8046/3", "1"), t("2012-02-10", "C343", "8041/3", "1"));
        assert_eq!(small, (Multiple, M, "M4"));
        let bac =
            step(t("2012-02-01", "C341", "8255/3", "1"), t("2012-02-10", "C343", "8252/3", "1"));
        assert_eq!(bac, (Multiple, M, "M5"));
        let each =
            step(t("2012-02-01", "C341", "8140/3", "1"), t("2013-02-10", "C343", "8140/3", "2"));
        assert_eq!(each, (Multiple, M, "M6"));
        let both =
            step(t("2012-02-01", "C341", "8070/3", "1"), t("2012-02-10", "C343", "8140/3", "2"));
        assert_eq!(both, (Multiple, M, "M7"));
        let sync =
            step(t("2012-02-01", "C341", "8140/3", "1"), t("2012-02-10", "C343", "8140/3", "2"));
        assert_eq!(sync, (Questionable, M, "M6"), "more tumors in either lung may be there");
        let years =
            step(t("2010-02-01", "C341", "8140/3", "1"), t("2014-02-10", "C343", "8140/3", "1"));
        assert_eq!(years, (Multiple, M, "M8"));
        let nsclc =
            step(t("2012-02-01", "C341", "8046/3", "1"), t("2012-05-10", "C343", "8070/3", "1"));
        assert_eq!(nsclc, (Single, M, "M10"));
        let hist =
            step(t("2012-02-01", "C341", "8070/3", "1"), t("2012-05-10", "C343", "8140/3", "1"));
        assert_eq!(hist, (Multiple, M, "M11"));
    }

    #[test]
    fn colon_2007_steps() {
        const M: &str = "mph_2007_to_2017_colon";
        let fap =
            step(t("2012-02-01", "C182", "8220/3", "0"), t("2012-02-10", "C187", "8210/3", "0"));
        assert_eq!(fap, (Single, M, "M3"), "familial polyposis, whatever the segments");
        let year =
            step(t("2012-02-01", "C187", "8140/3", "0"), t("2013-04-10", "C187", "8140/3", "0"));
        assert_eq!(year, (Multiple, M, "M5"));
        let polyp =
            step(t("2012-02-01", "C187", "8140/3", "0"), t("2012-04-10", "C187", "8210/3", "0"));
        assert_eq!(polyp, (Single, M, "M7"));
        let polyps =
            step(t("2012-02-01", "C187", "8263/2", "0"), t("2012-04-10", "C187", "8210/2", "0"));
        assert_eq!(polyps, (Single, M, "M8"));
        let hist =
            step(t("2012-02-01", "C187", "8140/3", "0"), t("2012-04-10", "C187", "8240/3", "0"));
        assert_eq!(hist, (Multiple, M, "M9"));
    }

    #[test]
    fn melanoma_2007_steps() {
        const M: &str = "mph_2007_to_2017_melanoma";
        let hist =
            step(t("2012-02-01", "C445", "8720/3", "1"), t("2012-02-10", "C445", "8743/3", "1"));
        assert_eq!(hist, (Multiple, M, "M5"));
        let within =
            step(t("2012-02-01", "C445", "8720/2", "1"), t("2012-03-10", "C445", "8720/3", "1"));
        assert_eq!(within, (Single, M, "M6"));
        let apart =
            step(t("2012-02-01", "C445", "8720/3", "1"), t("2012-06-10", "C445", "8720/3", "1"));
        assert_eq!(apart, (Multiple, M, "M7"));
        let same =
            step(t("2012-02-01", "C445", "8720/3", "1"), t("2012-02-10", "C445", "8721/3", "1"));
        assert_eq!(same, (Single, M, "M8"));
    }

    #[test]
    fn urinary_and_brain_2007_are_reviewed() {
        let u = compare(
            &t("2012-02-01", "C672", "8130/2", "0"),
            &t("2012-02-10", "C679", "8130/2", "0"),
        );
        assert_eq!(u.result, Questionable);
        assert!(u.reason.contains("MPH 2007-2017 Urinary rules"), "{}", u.reason);
    }
}
