//! Sequence numbers, duplicates and ill-defined sites across a patient's tumors.

use super::super::catalogue::*;
use super::*;

fn seq(site: &str, morph: &str, dx: &str, number: &str) -> Tumor {
    let mut t = tumor(site, morph, dx);
    t.sequence_number_hospital = Some(SequenceNumber::parse(number).expect("sequence"));
    t
}

#[test]
fn sequence_number_fits_behavior() {
    let cases = [
        ("8500/3", "00", false),
        ("8500/3", "02", false),
        ("8500/2", "59", false),
        ("8500/3", "99", false),
        ("8500/3", "60", true),
        ("8500/2", "61", true),
        ("8500/3", "88", true),
        ("9530/0", "60", false),
        ("9530/0", "62", false),
        ("9530/0", "88", false),
        ("9530/0", "00", true),
        ("9530/0", "99", true),
        ("8500/3", "98", true),
    ];
    for (morph, number, expected) in cases {
        let site = if morph == "9530/0" { "C70.0" } else { "C50.9" };
        let s = Scenario::new(seq(site, morph, "2019-01-01", number));
        assert_eq!(s.has(SEQ_BEHAVIOR.id, RuleSet::Naaccr), expected, "{morph} {number}");
    }
}

fn pair(this: Tumor, other: Tumor) -> Scenario {
    Scenario::new(this).with(|s| s.others.push(other))
}

#[test]
fn sequence_numbers_across_tumors() {
    check_table(
        SEQ_INTER_RECORD.id,
        RuleSet::Naaccr,
        vec![
            ("single 00", Scenario::new(breast_tumor()), false),
            (
                "00 with another malignant tumor",
                pair(
                    seq("C50.9", "8500/3", "2019-01-01", "00"),
                    seq("C18.7", "8140/3", "2015-01-01", "01"),
                ),
                true,
            ),
            (
                "00 beside a benign tumor (other series)",
                pair(
                    seq("C50.9", "8500/3", "2019-01-01", "00"),
                    seq("C70.0", "9530/0", "2015-01-01", "60"),
                ),
                false,
            ),
            (
                "60 beside a malignant tumor",
                pair(
                    seq("C70.0", "9530/0", "2019-01-01", "60"),
                    seq("C50.9", "8500/3", "2015-01-01", "00"),
                ),
                false,
            ),
            (
                "in order",
                pair(
                    seq("C50.9", "8500/3", "2019-01-01", "02"),
                    seq("C18.7", "8140/3", "2015-01-01", "01"),
                ),
                false,
            ),
            (
                "out of order",
                pair(
                    seq("C50.9", "8500/3", "2019-01-01", "01"),
                    seq("C18.7", "8140/3", "2015-01-01", "02"),
                ),
                true,
            ),
            (
                "same year, order unknown",
                pair(
                    seq("C50.9", "8500/3", "2019", "01"),
                    seq("C18.7", "8140/3", "2019-06-01", "02"),
                ),
                false,
            ),
            (
                "repeated number",
                pair(
                    seq("C50.9", "8500/3", "2019-01-01", "02"),
                    seq("C18.7", "8140/3", "2015-01-01", "02"),
                ),
                true,
            ),
            (
                "unknown 99 twice",
                pair(
                    seq("C50.9", "8500/3", "2019-01-01", "99"),
                    seq("C18.7", "8140/3", "2015-01-01", "99"),
                ),
                true,
            ),
            (
                "a single 02 (earlier tumors elsewhere)",
                Scenario::new(seq("C50.9", "8500/3", "2019-01-01", "02")),
                false,
            ),
            (
                "benign series in order",
                pair(
                    seq("C70.0", "9530/0", "2019-01-01", "62"),
                    seq("C75.1", "8272/0", "2015-01-01", "61"),
                ),
                false,
            ),
            (
                "benign 60 with another benign",
                pair(
                    seq("C70.0", "9530/0", "2019-01-01", "60"),
                    seq("C75.1", "8272/0", "2015-01-01", "61"),
                ),
                true,
            ),
        ],
    );
    // Two 00s: one finding (the 00 rule), not a second one for the repeat.
    let twice = pair(
        seq("C50.9", "8500/3", "2019-01-01", "00"),
        seq("C18.7", "8140/3", "2015-01-01", "00"),
    )
    .run(RuleSet::Naaccr);
    assert_eq!(twice.iter().filter(|f| f.edit_id == SEQ_INTER_RECORD.id).count(), 1);
    let accepted = pair(
        seq("C50.9", "8500/3", "2019-01-01", "01"),
        seq("C18.7", "8140/3", "2015-01-01", "02"),
    )
    .with(|s| s.overrides = Overrides::parse(["overRideSiteLatSeqno"]).expect("flag"))
    .run(RuleSet::Naaccr);
    assert!(accepted.iter().filter(|f| f.edit_id == SEQ_INTER_RECORD.id).all(|f| f.overridden));
}

#[test]
fn possible_duplicate_primaries() {
    let right_breast = || seq("C50.9", "8500/3", "2019-01-01", "01");
    let mut left = seq("C50.9", "8500/3", "2015-01-01", "02");
    left.laterality = Some(Laterality::parse("2").expect("left"));
    check_table(
        DUPLICATE_PRIMARY.id,
        RuleSet::Naaccr,
        vec![
            ("same breast", pair(right_breast(), seq("C50.9", "8500/3", "2015-01-01", "02")), true),
            ("other breast", pair(right_breast(), left), false),
            (
                "other histology",
                pair(right_breast(), seq("C50.9", "8520/3", "2015-01-01", "02")),
                false,
            ),
            ("other site", pair(right_breast(), seq("C50.4", "8500/3", "2015-01-01", "02")), false),
        ],
    );
}

#[test]
fn ill_defined_site_with_another_cancer() {
    let other = || seq("C18.7", "8140/3", "2015-01-01", "01");
    check_table(
        ILL_DEFINED_MULTIPLE.id,
        RuleSet::Naaccr,
        vec![
            ("unknown primary", pair(seq("C80.9", "8000/3", "2019-01-01", "02"), other()), true),
            ("thorax NOS", pair(seq("C76.1", "8140/3", "2019-01-01", "02"), other()), true),
            (
                "carcinoma in a node",
                pair(seq("C77.2", "8140/3", "2019-01-01", "02"), other()),
                true,
            ),
            (
                "lymphoma in a node",
                pair(seq("C77.2", "9680/3", "2019-01-01", "02"), other()),
                false,
            ),
            (
                "unknown primary lymphoma",
                pair(seq("C80.9", "9590/3", "2019-01-01", "02"), other()),
                false,
            ),
            (
                "unknown primary alone",
                Scenario::new(seq("C80.9", "8000/3", "2019-01-01", "00")),
                false,
            ),
            (
                "other tumor only in situ",
                pair(
                    seq("C80.9", "8000/3", "2019-01-01", "02"),
                    seq("C50.9", "8500/2", "2015-01-01", "01"),
                ),
                false,
            ),
            ("specific site", pair(seq("C34.1", "8140/3", "2019-01-01", "02"), other()), false),
        ],
    );
    let accepted = pair(seq("C80.9", "8000/3", "2019-01-01", "02"), other())
        .with(|s| s.overrides = Overrides::parse(["overRideIllDefineSite"]).expect("flag"))
        .run(RuleSet::Naaccr);
    assert!(accepted.iter().any(|f| f.edit_id == ILL_DEFINED_MULTIPLE.id && f.overridden));
}
