//! Sex, age and the patient's dates against the tumor.

use super::super::catalogue::*;
use super::*;

fn of_sex(sex: &str, site: &str, morph: &str) -> Scenario {
    Scenario::new(tumor(site, morph, "2019-01-01"))
        .with(|s| s.patient = patient(sex, Some("1960-05-10")))
}

#[test]
fn sex_and_site() {
    check_table(
        SEX_SITE.id,
        RuleSet::Both,
        vec![
            ("female prostate", of_sex("2", "C61.9", "8140/3"), true),
            ("female testis", of_sex("2", "C62.9", "9061/3"), true),
            ("female penis", of_sex("2", "C60.9", "8070/3"), true),
            ("male cervix", of_sex("1", "C53.9", "8070/3"), true),
            ("male ovary", of_sex("1", "C56.9", "8441/3"), true),
            ("male vulva", of_sex("1", "C51.9", "8070/3"), true),
            ("male placenta", of_sex("1", "C58.9", "9100/3"), true),
            ("male prostate", of_sex("1", "C61.9", "8140/3"), false),
            ("female ovary", of_sex("2", "C56.9", "8441/3"), false),
            ("unknown sex prostate", of_sex("9", "C61.9", "8140/3"), false),
            ("male breast", of_sex("1", "C50.9", "8500/3"), false),
        ],
    );
    // Both rule sets report it.
    assert!(of_sex("2", "C61.9", "8140/3").has(SEX_SITE.id, RuleSet::Iarc));
    let message = of_sex("2", "C61.9", "8140/3")
        .run(RuleSet::Naaccr)
        .into_iter()
        .find(|f| f.edit_id == SEX_SITE.id)
        .expect("finding")
        .message;
    assert_eq!(
        message,
        "Prostate gland (C61.9) cannot be coded for a patient whose sex assigned at birth is female"
    );
}

#[test]
fn sex_and_histology_error_or_warning_by_rule_set() {
    // (sex, site, morphology, expected) — the NAACCR edit is an error, the IARC one a warning.
    let cases = [
        ("1", "C71.0", "8930/3", true),
        ("1", "C80.9", "9104/1", true),
        ("1", "C80.9", "8931/3", true),
        // Brenner tumors also arise in the testis: not flagged.
        ("1", "C62.9", "9000/3", false),
        ("2", "C38.3", "9061/3", true),
        ("2", "C80.9", "9063/3", true),
        ("2", "C56.9", "9060/3", false),
        ("1", "C62.9", "9100/3", false),
        ("1", "C62.9", "9061/3", false),
        ("2", "C54.1", "8930/3", false),
        ("9", "C54.1", "8930/3", false),
    ];
    for (sex, site, morph, expected) in cases {
        let s = of_sex(sex, site, morph);
        let naaccr = s.run(RuleSet::Naaccr);
        let iarc = s.run(RuleSet::Iarc);
        assert_eq!(naaccr.iter().any(|f| f.edit_id == SEX_HISTOLOGY.id), expected, "{sex} {morph}");
        assert_eq!(
            iarc.iter().any(|f| f.edit_id == IARC_SEX_HISTOLOGY.id),
            expected,
            "{sex} {morph}"
        );
        assert!(!naaccr.iter().any(|f| f.edit_id == IARC_SEX_HISTOLOGY.id));
        assert!(!iarc.iter().any(|f| f.edit_id == SEX_HISTOLOGY.id));
    }
}

fn aged(site: &str, morph: &str, age: u16) -> Scenario {
    Scenario::new(tumor(site, morph, "2019-01-01")).with(|s| {
        s.patient = patient("9", None);
        s.age = Some(age);
    })
}

#[test]
fn age_site_histology() {
    let cases = [
        ("C69.2", "9510/3", 3, false),
        ("C69.2", "9510/3", 15, true),
        ("C74.9", "9500/3", 2, false),
        ("C74.9", "9500/3", 40, true),
        ("C64.9", "8960/3", 4, false),
        ("C64.9", "8960/3", 30, true),
        ("C22.0", "8970/3", 1, false),
        ("C22.0", "8970/3", 16, true),
        ("C61.9", "8140/3", 39, true),
        ("C61.9", "8140/3", 40, false),
        ("C42.1", "9823/3", 25, true),
        ("C42.1", "9823/3", 26, false),
        ("C50.9", "8500/3", 12, true),
        ("C18.7", "8140/3", 14, true),
        ("C18.7", "8140/3", 15, false),
        ("C73.9", "8260/3", 12, false),
        ("C34.1", "8070/3", 999, false),
    ];
    for (site, morph, age, expected) in cases {
        let s = aged(site, morph, age);
        let naaccr = s.run(RuleSet::Naaccr);
        let iarc = s.run(RuleSet::Iarc);
        let n = naaccr.iter().find(|f| f.edit_id == AGE_SITE_MORPH.id);
        let i = iarc.iter().find(|f| f.edit_id == IARC_AGE_SITE_MORPH.id);
        assert_eq!(n.is_some(), expected, "{morph} at {age}");
        assert_eq!(i.is_some(), expected, "{morph} at {age}");
        if let (Some(n), Some(i)) = (n, i) {
            assert_eq!(n.severity, super::super::Severity::Review);
            assert_eq!(i.severity, super::super::Severity::Warning);
        }
    }
    // Over-ride Age/Site/Morph accepts the NAACCR review; the IARC warning has no flag.
    let flagged = aged("C69.2", "9510/3", 40)
        .with(|s| s.overrides = Overrides::parse(["overRideAgeSiteMorph"]).expect("flag"));
    let both = flagged.run(RuleSet::Both);
    assert!(both.iter().any(|f| f.edit_id == AGE_SITE_MORPH.id && f.overridden));
    assert!(both.iter().any(|f| f.edit_id == IARC_AGE_SITE_MORPH.id && !f.overridden));
}

#[test]
fn age_from_dates_when_not_reported() {
    // Born 1960: 58 at a 2019 diagnosis; a retinoblastoma then is flagged without a reported age.
    let s = Scenario::new(tumor("C69.2", "9510/3", "2019-01-01"));
    assert!(s.has(AGE_SITE_MORPH.id, RuleSet::Naaccr));
    let child = Scenario::new(tumor("C69.2", "9510/3", "2019-01-01"))
        .with(|s| s.patient = patient("9", Some("2016-02-01")));
    assert!(!child.has(AGE_SITE_MORPH.id, RuleSet::Naaccr));
}

fn reported(dob: Option<&str>, dx: &str, age: Option<u16>) -> Scenario {
    Scenario::new(tumor("C18.7", "8140/3", dx)).with(|s| {
        s.patient = patient("2", dob);
        s.age = age;
    })
}

#[test]
fn reported_age_against_dates() {
    check_table(
        AGE_DATES.id,
        RuleSet::Both,
        vec![
            ("matches", reported(Some("1960-05-10"), "2019-05-10", Some(59)), false),
            ("day before birthday", reported(Some("1960-05-10"), "2019-05-09", Some(58)), false),
            ("off by one", reported(Some("1960-05-10"), "2019-05-09", Some(59)), true),
            ("far off", reported(Some("1960-05-10"), "2019-05-10", Some(35)), true),
            ("unknown but computable", reported(Some("1960-05-10"), "2019-05-10", Some(999)), true),
            ("unknown, no birth date", reported(None, "2019-05-10", Some(999)), false),
            ("partial dates", reported(Some("1960"), "2019-05-10", Some(40)), false),
            ("not reported", reported(Some("1960-05-10"), "2019-05-10", None), false),
            ("impossible age", reported(None, "2019-05-10", Some(130)), true),
        ],
    );
}
