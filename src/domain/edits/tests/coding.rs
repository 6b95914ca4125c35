//! Laterality, diagnostic confirmation and class of case.

use super::super::catalogue::*;
use super::*;

fn with_laterality(site: &str, morph: &str, dx: &str, lat: &str) -> Scenario {
    let mut t = tumor(site, morph, dx);
    t.laterality = Some(Laterality::parse(lat).expect("laterality"));
    Scenario::new(t)
}

#[test]
fn laterality_of_paired_and_unpaired_sites() {
    check_table(
        LATERALITY_SITE.id,
        RuleSet::Naaccr,
        vec![
            ("breast right", with_laterality("C50.9", "8500/3", "2019-01-01", "1"), false),
            ("breast side unknown", with_laterality("C50.9", "8500/3", "2019-01-01", "9"), false),
            ("breast 0", with_laterality("C50.9", "8500/3", "2019-01-01", "0"), true),
            ("lung 0", with_laterality("C34.1", "8070/3", "2019-01-01", "0"), true),
            ("kidney left", with_laterality("C64.9", "8312/3", "2019-01-01", "2"), false),
            ("colon 0", with_laterality("C18.7", "8140/3", "2019-01-01", "0"), false),
            ("colon right", with_laterality("C18.7", "8140/3", "2019-01-01", "1"), true),
            ("unknown primary 9", with_laterality("C80.9", "8000/3", "2019-01-01", "9"), true),
            ("unknown primary 0", with_laterality("C80.9", "8000/3", "2019-01-01", "0"), false),
            ("prostate 3", with_laterality("C61.9", "8140/3", "2019-01-01", "3"), true),
            // CNS sites are paired from 2004; before that either code passes.
            ("cerebrum 0 in 2010", with_laterality("C71.0", "9440/3", "2010-01-01", "0"), true),
            ("cerebrum 0 in 2002", with_laterality("C71.0", "9440/3", "2002-01-01", "0"), false),
            (
                "cerebrum right in 2002",
                with_laterality("C71.0", "9440/3", "2002-01-01", "1"),
                false,
            ),
            // C44.0/C44.4 joined the table late: 0 is accepted.
            ("skin of scalp 0", with_laterality("C44.4", "8720/3", "2019-01-01", "0"), false),
            ("skin of trunk 0", with_laterality("C44.5", "8720/3", "2019-01-01", "0"), true),
            // Midline (5) exists from 2010.
            ("midline 2012", with_laterality("C44.5", "8720/3", "2012-01-01", "5"), false),
            ("midline 2008", with_laterality("C44.5", "8720/3", "2008-01-01", "5"), true),
        ],
    );
}

#[test]
fn bilateral_single_primary() {
    check_table(
        LATERALITY_BILATERAL.id,
        RuleSet::Naaccr,
        vec![
            ("ovary", with_laterality("C56.9", "8441/3", "2019-01-01", "4"), false),
            ("retinoblastoma", with_laterality("C69.2", "9510/3", "2019-01-01", "4"), false),
            ("Wilms", with_laterality("C64.9", "8960/3", "2019-01-01", "4"), false),
            ("breast", with_laterality("C50.9", "8500/3", "2019-01-01", "4"), true),
            ("kidney RCC", with_laterality("C64.9", "8312/3", "2019-01-01", "4"), true),
            ("breast right", with_laterality("C50.9", "8500/3", "2019-01-01", "1"), false),
        ],
    );
    let accepted = with_laterality("C50.9", "8500/3", "2019-01-01", "4")
        .with(|s| s.overrides = Overrides::parse(["overRideSiteLatMorph"]).expect("flag"))
        .run(RuleSet::Naaccr);
    assert!(accepted.iter().any(|f| f.edit_id == LATERALITY_BILATERAL.id && f.overridden));
}

fn confirmed(site: &str, morph: &str, dx: &str, conf: &str) -> Scenario {
    let mut t = tumor(site, morph, dx);
    t.diagnostic_confirmation = Some(DiagnosticConfirmation::parse(conf).expect("confirmation"));
    Scenario::new(t)
}

#[test]
fn confirmation_of_in_situ_tumors() {
    check_table(
        DXCONF_BEHAVIOR.id,
        RuleSet::Naaccr,
        vec![
            ("histology", confirmed("C50.9", "8500/2", "2019-01-01", "1"), false),
            ("cytology", confirmed("C53.9", "8070/2", "2019-01-01", "2"), false),
            ("microscopic NOS", confirmed("C50.9", "8500/2", "2019-01-01", "4"), false),
            ("imaging", confirmed("C50.9", "8500/2", "2019-01-01", "7"), true),
            ("clinical", confirmed("C50.9", "8500/2", "2019-01-01", "8"), true),
            ("unknown", confirmed("C50.9", "8500/2", "2019-01-01", "9"), true),
            ("invasive, imaging", confirmed("C50.9", "8500/3", "2019-01-01", "7"), false),
        ],
    );
}

#[test]
fn confirmation_code_3_is_for_heme_from_2010() {
    check_table(
        DXCONF_HEME.id,
        RuleSet::Naaccr,
        vec![
            ("DLBCL 2015", confirmed("C77.2", "9680/3", "2015-01-01", "3"), false),
            ("DLBCL 2008", confirmed("C77.2", "9680/3", "2008-01-01", "3"), true),
            ("breast", confirmed("C50.9", "8500/3", "2015-01-01", "3"), true),
            ("AML 2019", confirmed("C42.1", "9861/3", "2019-01-01", "3"), false),
            ("breast histology", confirmed("C50.9", "8500/3", "2015-01-01", "1"), false),
        ],
    );
}

#[test]
fn specific_histology_needs_microscopy() {
    // (site, morphology, confirmation, NAACCR review, IARC warning)
    let cases = [
        ("C50.9", "8500/3", "7", true, true),
        ("C50.9", "8500/3", "1", false, false),
        ("C80.9", "8000/3", "8", false, false),
        ("C49.2", "8800/3", "7", false, false),
        ("C77.2", "9590/3", "6", false, false),
        ("C34.1", "8010/3", "7", false, false),
        ("C34.1", "8041/3", "9", false, false),
        // US practice accepts AFP for liver cancer and paraprotein for myeloma; IARC does not.
        ("C22.0", "8170/3", "5", false, true),
        ("C42.1", "9732/3", "5", false, true),
        ("C22.0", "8170/3", "7", true, true),
    ];
    for (site, morph, conf, naaccr, iarc) in cases {
        let s = confirmed(site, morph, "2019-01-01", conf);
        assert_eq!(s.has(DXCONF_HISTOLOGY.id, RuleSet::Naaccr), naaccr, "{morph} {conf}");
        assert_eq!(s.has(IARC_BASIS_HISTOLOGY.id, RuleSet::Iarc), iarc, "{morph} {conf}");
        assert!(!s.has(IARC_BASIS_HISTOLOGY.id, RuleSet::Naaccr));
    }
}

fn classed(class: &str, source: &str) -> Scenario {
    let mut t = breast_tumor();
    t.class_of_case = Some(ClassOfCase::parse(class).expect("class"));
    t.type_of_reporting_source = Some(TypeOfReportingSource::parse(source).expect("source"));
    Scenario::new(t)
}

#[test]
fn class_of_case_and_reporting_source() {
    check_table(
        CLASS_OF_CASE.id,
        RuleSet::Naaccr,
        vec![
            ("14 hospital", classed("14", "1"), false),
            ("00 hospital", classed("00", "1"), false),
            ("38 autopsy", classed("38", "6"), false),
            ("38 hospital", classed("38", "1"), true),
            ("49 DCO", classed("49", "7"), false),
            ("49 lab", classed("49", "3"), true),
            ("14 autopsy", classed("14", "6"), true),
            ("22 DCO", classed("22", "7"), true),
            ("43 lab", classed("43", "3"), false),
        ],
    );
}
