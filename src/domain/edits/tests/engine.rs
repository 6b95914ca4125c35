//! The engine itself: catalogue, overrides, rule sets, clean records, table loading and speed.

use std::collections::HashSet;
use std::time::Instant;

use super::super::catalogue::*;
use super::super::{OVERRIDE_ITEMS, Severity};
use super::*;

#[test]
fn catalogue_is_consistent() {
    let defs = super::super::catalogue();
    assert!(defs.len() >= 30);
    let ids: HashSet<&str> = defs.iter().map(|d| d.id).collect();
    assert_eq!(ids.len(), defs.len(), "ids are unique");
    for d in defs {
        // A kept value can be any item: its findings name the item each time.
        assert!(!d.fields.is_empty() || d.id == VALUE_KEPT.id, "{}", d.id);
        assert!(!d.description.is_empty() && !d.name.is_empty(), "{}", d.id);
        match d.severity {
            // Only review findings can be accepted by an override flag.
            Severity::Review => {
                let flag = d.override_flag.expect("review edits have an override flag");
                assert!(OVERRIDE_ITEMS.iter().any(|(id, _)| *id == flag), "{flag}");
            }
            _ => assert!(d.override_flag.is_none(), "{}", d.id),
        }
        if d.id.starts_with("iarc-") {
            assert_eq!(d.rule_set, RuleSet::Iarc, "{}", d.id);
        }
    }
}

#[test]
fn override_numbers_match_the_dictionary() {
    for (id, num) in [
        ("overRideAgeSiteMorph", 1990),
        ("overRideSiteType", 2030),
        ("overRideHistology", 2040),
        ("overRideSiteBehavior", 2071),
        ("overRideSiteLatMorph", 2074),
        ("overRideSiteLatSeqno", 2010),
        ("overRideIllDefineSite", 2060),
    ] {
        assert!(OVERRIDE_ITEMS.contains(&(id, num)), "{id}");
    }
    assert!(OVERRIDE_ITEMS.len() <= 32, "fits the bit set");
}

#[test]
fn overrides_parse_and_round_trip() {
    let o = Overrides::parse(["overRideSiteType", " overRideHistology "]).expect("known ids");
    assert!(o.is_set("overRideSiteType"));
    assert!(o.is_set("overRideHistology"));
    assert!(!o.is_set("overRideAgeSiteMorph"));
    assert_eq!(o.ids(), vec!["overRideSiteType", "overRideHistology"]);
    assert_eq!(Overrides::parse(o.ids()).expect("round trip"), o);
    assert_eq!(o.to_string(), "overRideSiteType overRideHistology");
    assert_eq!(Overrides::parse([]).expect("empty"), Overrides::none());
    for bad in ["overRideNameSex", "overRideCs1", "siteType", "", "2030"] {
        let err = Overrides::parse([bad]).expect_err(bad);
        assert_eq!(err.rule, "override.unknown");
    }
}

#[test]
fn rule_sets_select_edits() {
    use RuleSet::*;
    let table = [
        (Naaccr, Naaccr, true),
        (Naaccr, Iarc, false),
        (Naaccr, Both, true),
        (Iarc, Naaccr, false),
        (Iarc, Iarc, true),
        (Both, Naaccr, true),
        (Both, Iarc, true),
    ];
    for (edit, requested, runs) in table {
        assert_eq!(edit.runs_under(requested), runs, "{edit:?} under {requested:?}");
    }
}

#[test]
fn clean_records_pass_every_edit() {
    let male = |s: &mut Scenario| s.patient = patient("1", Some("1950-02-03"));
    let child = |s: &mut Scenario| s.patient = patient("9", Some("2015-02-03"));
    let rows: Vec<(&str, Scenario, &[RuleSet])> = vec![
        ("breast", Scenario::new(breast_tumor()), &[RuleSet::Naaccr, RuleSet::Iarc, RuleSet::Both]),
        (
            "prostate",
            Scenario::new(tumor("C61.9", "8140/3", "2019-06-01")).with(male),
            &[RuleSet::Naaccr, RuleSet::Iarc],
        ),
        (
            "lung 2012",
            Scenario::new(tumor("C34.1", "8070/3", "2012-01-20")),
            &[RuleSet::Naaccr, RuleSet::Iarc],
        ),
        (
            "colon 2016",
            Scenario::new(tumor("C18.7", "8140/3", "2016-11")),
            &[RuleSet::Naaccr, RuleSet::Iarc],
        ),
        (
            "nodal DLBCL",
            Scenario::new(tumor("C77.2", "9680/3", "2020-02-02")),
            &[RuleSet::Naaccr, RuleSet::Iarc],
        ),
        (
            "CLL",
            Scenario::new(tumor("C42.1", "9823/3", "2021-07-07")),
            &[RuleSet::Naaccr, RuleSet::Iarc],
        ),
        (
            "melanoma",
            Scenario::new(tumor("C44.5", "8720/3", "2022-03-03")),
            &[RuleSet::Naaccr, RuleSet::Iarc],
        ),
        (
            "meningioma",
            Scenario::new(tumor("C70.0", "9530/0", "2020-05-05")),
            &[RuleSet::Naaccr, RuleSet::Iarc],
        ),
        (
            "DCIS",
            Scenario::new(tumor("C50.4", "8500/2", "2021-09-09")),
            &[RuleSet::Naaccr, RuleSet::Iarc],
        ),
        (
            "pilocytic astrocytoma /3, child",
            Scenario::new(tumor("C71.6", "9421/3", "2019-08-08")).with(child),
            &[RuleSet::Naaccr],
        ),
        (
            "NUT carcinoma 2022",
            Scenario::new(tumor("C34.9", "8023/3", "2022-04-04")),
            &[RuleSet::Naaccr],
        ),
        (
            "unknown primary",
            Scenario::new(tumor("C80.9", "8000/3", "2018-01-01")),
            &[RuleSet::Naaccr, RuleSet::Iarc],
        ),
    ];
    for (name, scenario, sets) in rows {
        for rs in sets {
            let findings = scenario.run(*rs);
            assert!(findings.is_empty(), "{name} under {rs:?}: {findings:#?}");
        }
    }
}

#[test]
fn overridden_review_findings_are_marked() {
    // 9590/3 at the lip is not on the SEER list: a review finding, cleared by Over-ride Site/Type.
    let lip = || Scenario::new(tumor("C00.0", "9590/3", "2019-01-01"));
    let plain = lip().run(RuleSet::Naaccr);
    let f = plain.iter().find(|f| f.edit_id == SITE_MORPH_SEER.id).expect("review finding");
    assert_eq!(f.severity, Severity::Review);
    assert!(!f.overridden);
    assert_eq!(f.fields, vec!["primarySite", "histologicTypeIcdO3", "behaviorCodeIcdO3"]);
    let accepted = lip()
        .with(|s| s.overrides = Overrides::parse(["overRideSiteType"]).expect("flag"))
        .run(RuleSet::Naaccr);
    let f = accepted.iter().find(|f| f.edit_id == SITE_MORPH_SEER.id).expect("still reported");
    assert!(f.overridden);
    // Another flag does not accept it.
    let other = lip()
        .with(|s| s.overrides = Overrides::parse(["overRideHistology"]).expect("flag"))
        .run(RuleSet::Naaccr);
    assert!(other.iter().any(|f| f.edit_id == SITE_MORPH_SEER.id && !f.overridden));
}

#[test]
fn errors_are_never_overridden() {
    // Male with a cervix primary: an error, whatever flags are set.
    let all: Vec<&str> = OVERRIDE_ITEMS.iter().map(|(id, _)| *id).collect();
    let findings = Scenario::new(tumor("C53.9", "8070/3", "2019-01-01"))
        .with(|s| {
            s.patient = patient("1", Some("1960-01-01"));
            s.overrides = Overrides::parse(all.iter().copied()).expect("flags");
        })
        .run(RuleSet::Both);
    let f = findings.iter().find(|f| f.edit_id == SEX_SITE.id).expect("sex/site error");
    assert_eq!(f.severity, Severity::Error);
    assert!(!f.overridden);
    assert_eq!(
        f.message,
        "Cervix uteri (C53.9) cannot be coded for a patient whose sex assigned at birth is male"
    );
}

#[test]
fn tables_load_quickly_and_completely() {
    let start = Instant::now();
    let [morph, seer, iarc, iarc_sites, paired] = tables::table_sizes();
    let elapsed = start.elapsed();
    assert!(morph >= 1_400, "{morph}");
    assert_eq!(seer, 52_412);
    assert_eq!(iarc, 807);
    assert_eq!(iarc_sites, 486);
    assert_eq!(paired, 78);
    eprintln!("edit tables loaded in {elapsed:?}");
}

/// `run` on one tumor takes microseconds once the tables are loaded: nothing is parsed per call.
/// The time is printed, not asserted (shared CI machines are noisy).
#[test]
fn run_is_fast_after_warm_up() {
    let scenario = Scenario::new(breast_tumor()).with(|s| {
        s.others.push(tumor("C18.7", "8140/3", "2015-01-01"));
        s.treatments.push(treatment(Modality::Surgery, "40", Some("2019-03-20")));
        s.contacts.push(contact("2024-01-01", false, None));
    });
    scenario.run(RuleSet::Both);
    let n = 200;
    let start = Instant::now();
    for _ in 0..n {
        std::hint::black_box(scenario.run(RuleSet::Both));
    }
    eprintln!("run: {:?} per tumor (debug build)", start.elapsed() / n);
}
