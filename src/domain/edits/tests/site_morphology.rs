//! Site/morphology edits, including where SEER and IARC disagree.

use super::super::catalogue::*;
use super::*;

fn rows(
    cases: &[(&'static str, &'static str, &'static str, bool)],
) -> Vec<(&'static str, Scenario, bool)> {
    cases
        .iter()
        .map(|(site, morph, dx, expected)| {
            (*morph, Scenario::new(tumor(site, morph, dx)), *expected)
        })
        .collect()
}

#[test]
fn morphology_valid_for_diagnosis_year() {
    check_table(
        MORPH_DX_YEAR.id,
        RuleSet::Naaccr,
        rows(&[
            // 8023/3 NUT carcinoma is new in ICD-O-3.2.
            ("C34.9", "8023/3", "2019-01-01", true),
            ("C34.9", "8023/3", "2021-01-01", false),
            // 9993/3 is new in 3.2 as well.
            ("C42.1", "9993/3", "2020-06-01", true),
            ("C42.1", "9993/3", "2023-06-01", false),
            // 9811/3 (B lymphoblastic leukemia NOS): 3.1 heme term, valid from 2010.
            ("C42.1", "9811/3", "2009-06-01", true),
            ("C42.1", "9811/3", "2010-06-01", false),
            // 8158/1: non-heme 3.1 term, valid 2014–2020, gone in 3.2.
            ("C73.9", "8158/1", "2012-06-01", true),
            ("C73.9", "8158/1", "2015-06-01", false),
            ("C73.9", "8158/1", "2021-06-01", true),
            // 8150/1 left the code list with ICD-O-3.2.
            ("C25.4", "8150/1", "2019-06-01", false),
            ("C25.4", "8150/1", "2022-06-01", true),
            // 9366/3: NAACCR addition on the SEER 2022 list.
            ("C40.2", "9366/3", "2021-06-01", true),
            ("C40.2", "9366/3", "2022-06-01", false),
            // 8000/2: matrix variant from the NAACCR lookup, any year.
            ("C80.9", "8000/2", "2005-06-01", false),
            ("C80.9", "8000/2", "2023-06-01", false),
            // 9421/3: North American pilocytic astrocytoma, any year.
            ("C71.6", "9421/3", "2004-06-01", false),
            // Long-standing code.
            ("C50.9", "8500/3", "2002-06-01", false),
            ("C50.9", "8500/3", "2024-06-01", false),
        ]),
    );
}

#[test]
fn site_histology_on_seer_list() {
    check_table(
        SITE_MORPH_SEER.id,
        RuleSet::Naaccr,
        rows(&[
            ("C50.9", "8500/3", "2019-01-01", false),
            ("C61.9", "8140/3", "2019-01-01", false),
            ("C61.9", "8500/2", "2019-01-01", false),
            ("C61.9", "8720/3", "2019-01-01", true),
            ("C00.0", "9590/3", "2019-01-01", true),
            ("C02.9", "9823/3", "2019-01-01", false),
            ("C50.9", "8170/3", "2019-01-01", true),
            ("C22.0", "8170/3", "2019-01-01", false),
            ("C71.6", "9421/3", "2019-01-01", false),
            ("C34.9", "8000/2", "2019-01-01", true),
        ]),
    );
    // The edit belongs to the NAACCR set only.
    check_table(
        SITE_MORPH_SEER.id,
        RuleSet::Iarc,
        rows(&[("C00.0", "9590/3", "2019-01-01", false)]),
    );
}

#[test]
fn impossible_combinations_are_errors() {
    check_table(
        SITE_MORPH_IMPOSSIBLE.id,
        RuleSet::Both,
        rows(&[
            ("C42.1", "9823/2", "2019-01-01", true),
            ("C77.2", "8500/2", "2019-01-01", true),
            ("C42.2", "8010/2", "2019-01-01", true),
            ("C50.9", "9840/3", "2019-01-01", true),
            ("C34.1", "9875/3", "2019-01-01", true),
            ("C42.1", "9840/3", "2019-01-01", false),
            ("C42.0", "9875/3", "2019-01-01", false),
            ("C71.0", "9510/3", "2019-01-01", true),
            ("C69.2", "9510/3", "2019-01-01", false),
            ("C50.9", "8500/2", "2019-01-01", false),
            ("C02.9", "9823/3", "2019-01-01", false),
        ]),
    );
    // An impossible combination is not reported a second time as a SEER-list review.
    let s = Scenario::new(tumor("C50.9", "9840/3", "2019-01-01"));
    assert!(!s.has(SITE_MORPH_SEER.id, RuleSet::Naaccr));
    // Impossible under either rule set.
    assert!(s.has(SITE_MORPH_IMPOSSIBLE.id, RuleSet::Iarc));
}

#[test]
fn heme_preferred_sites_from_2010() {
    check_table(
        HEME_PREFERRED_SITE.id,
        RuleSet::Naaccr,
        rows(&[
            ("C50.9", "9650/3", "2015-01-01", true),
            ("C77.1", "9650/3", "2015-01-01", false),
            ("C50.9", "9650/3", "2008-01-01", false),
            ("C18.2", "9690/3", "2015-01-01", true),
            ("C77.4", "9690/3", "2015-01-01", false),
            ("C51.9", "9700/3", "2015-01-01", true),
            ("C44.5", "9700/3", "2015-01-01", false),
            ("C49.2", "9708/3", "2015-01-01", false),
            ("C77.3", "9708/3", "2015-01-01", true),
            ("C77.0", "9689/3", "2015-01-01", true),
            ("C42.2", "9689/3", "2015-01-01", false),
            ("C38.1", "9679/3", "2015-01-01", false),
            ("C34.1", "9679/3", "2015-01-01", true),
            ("C42.0", "9840/3", "2015-01-01", true),
            ("C42.1", "9840/3", "2015-01-01", false),
            ("C42.4", "9861/3", "2015-01-01", false),
            ("C77.2", "9680/3", "2015-01-01", false),
        ]),
    );
}

#[test]
fn in_situ_at_ill_defined_sites() {
    check_table(
        SITE_BEHAVIOR_IN_SITU.id,
        RuleSet::Naaccr,
        rows(&[
            ("C80.9", "8000/2", "2019-01-01", true),
            ("C76.0", "8070/2", "2019-01-01", true),
            ("C55.9", "8140/2", "2019-01-01", true),
            ("C57.9", "8140/2", "2019-01-01", true),
            ("C26.9", "8140/2", "2019-01-01", true),
            ("C53.9", "8070/2", "2019-01-01", false),
            ("C50.9", "8500/2", "2019-01-01", false),
            ("C80.9", "8000/3", "2019-01-01", false),
        ]),
    );
    let accepted = Scenario::new(tumor("C80.9", "8000/2", "2019-01-01"))
        .with(|s| s.overrides = Overrides::parse(["overRideSiteBehavior"]).expect("flag"))
        .run(RuleSet::Naaccr);
    assert!(accepted.iter().any(|f| f.edit_id == SITE_BEHAVIOR_IN_SITU.id && f.overridden));
}

#[test]
fn iarc_morphology_families() {
    check_table(
        IARC_MORPH_SITE.id,
        RuleSet::Iarc,
        rows(&[
            // 8170 hepatocellular: family "Liver tumours", C22 only.
            ("C22.0", "8170/3", "2019-01-01", false),
            ("C50.9", "8170/3", "2019-01-01", true),
            // 8140 adenocarcinoma: "Not site-specific carcinomas", not at bone, marrow, CNS, nodes.
            ("C18.7", "8140/3", "2019-01-01", false),
            ("C41.2", "8140/3", "2019-01-01", true),
            ("C71.1", "8140/3", "2019-01-01", true),
            ("C77.2", "8140/3", "2019-01-01", true),
            // 8720 melanoma: skin, eye, mucosae.
            ("C44.5", "8720/3", "2019-01-01", false),
            ("C69.3", "8720/3", "2019-01-01", false),
            ("C50.9", "8720/3", "2019-01-01", true),
            // 8041 small cell: lung family.
            ("C34.1", "8041/3", "2019-01-01", false),
            ("C61.9", "8041/3", "2019-01-01", true),
            // 9590 lymphoma NOS: any site.
            ("C00.0", "9590/3", "2019-01-01", false),
            // 9823 CLL: haematopoietic family, C42 only.
            ("C42.1", "9823/3", "2019-01-01", false),
            ("C02.9", "9823/3", "2019-01-01", true),
            ("C77.3", "9823/3", "2019-01-01", true),
        ]),
    );
}

#[test]
fn rule_sets_disagree_on_site_and_morphology() {
    // (site, morphology, NAACCR finds something, IARC finds something)
    let cases = [
        // SEER lists CLL/SLL at extranodal sites; IARC keeps 9823 in the haematopoietic family.
        ("C02.9", "9823/3", false, true),
        ("C77.3", "9823/3", false, true),
        // IARC: lymphoma NOS at any site; SEER: not at the lip.
        ("C00.0", "9590/3", true, false),
        ("C00.1", "9590/3", true, false),
        // North America codes pilocytic astrocytoma /3; ICD-O (IARC) has /1.
        ("C71.6", "9421/3", false, true),
    ];
    for (site, morph, naaccr, iarc) in cases {
        let s = Scenario::new(tumor(site, morph, "2019-01-01"))
            .with(|s| s.patient = patient("9", Some("1950-01-01")));
        assert_eq!(!s.run(RuleSet::Naaccr).is_empty(), naaccr, "{site} {morph} NAACCR");
        assert_eq!(!s.run(RuleSet::Iarc).is_empty(), iarc, "{site} {morph} IARC");
    }
}

#[test]
fn iarc_behaviour_checks() {
    check_table(
        IARC_BEHAVIOR_SITE.id,
        RuleSet::Iarc,
        rows(&[
            ("C71.0", "9380/2", "2019-01-01", true),
            ("C49.2", "8800/2", "2019-01-01", true),
            ("C50.9", "8500/2", "2019-01-01", false),
            ("C71.0", "9380/3", "2019-01-01", false),
        ]),
    );
    check_table(
        IARC_BEHAVIOR_HISTOLOGY.id,
        RuleSet::Iarc,
        rows(&[
            ("C71.6", "9421/3", "2019-01-01", true),
            ("C80.9", "8000/2", "2019-01-01", true),
            ("C40.2", "9366/3", "2022-01-01", true),
            ("C71.6", "9421/1", "2019-01-01", false),
            ("C34.9", "8023/3", "2022-01-01", false),
            ("C50.9", "8500/3", "2019-01-01", false),
        ]),
    );
}
