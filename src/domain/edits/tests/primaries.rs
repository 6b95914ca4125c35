//! The multiple-primary rules over a patient's tumors: same primary, sequence numbers.

use super::super::catalogue::*;
use super::*;

fn seq(site: &str, morph: &str, dx: &str, number: &str) -> Tumor {
    let mut t = tumor(site, morph, dx);
    t.sequence_number_hospital = Some(SequenceNumber::parse(number).expect("sequence"));
    t
}

fn with_others(this: Tumor, others: Vec<Tumor>) -> Scenario {
    Scenario::new(this).with(|s| s.others = others)
}

#[test]
fn a_tumor_the_rules_call_the_same_primary_is_a_review_finding() {
    // Colon: two adenocarcinomas of the sigmoid within a year (SEER: one primary).
    let earlier = || seq("C18.7", "8140/3", "2020-02-01", "00");
    check_table(
        SAME_PRIMARY.id,
        RuleSet::Naaccr,
        vec![
            (
                "the same primary, entered twice",
                with_others(seq("C18.7", "8140/3", "2020-05-01", "00"), vec![earlier()]),
                true,
            ),
            (
                "the earlier tumor itself",
                with_others(earlier(), vec![seq("C18.7", "8140/3", "2020-05-01", "00")]),
                false,
            ),
            (
                "a lung tumor beside it",
                with_others(seq("C34.1", "8070/3", "2020-05-01", "02"), vec![earlier()]),
                false,
            ),
            ("alone", Scenario::new(earlier()), false),
        ],
    );
    let f = with_others(seq("C18.7", "8140/3", "2020-05-01", "00"), vec![earlier()])
        .run(RuleSet::Naaccr);
    let same = f.iter().find(|f| f.edit_id == SAME_PRIMARY.id).expect("finding");
    assert!(same.message.contains("Sigmoid colon (C18.7)"), "{}", same.message);
    assert!(same.message.contains("SEER"), "{}", same.message);
    assert!(same.message.contains("set Over-ride Site/Lat/SeqNo"), "{}", same.message);
    assert!(same.message.contains("sequence number 00"), "the primary's number: {}", same.message);
    // Accepted: the override flag the registrar sets after review.
    let accepted = with_others(seq("C18.7", "8140/3", "2020-05-01", "00"), vec![earlier()])
        .with(|s| s.overrides = Overrides::parse(["overRideSiteLatSeqno"]).expect("flag"))
        .run(RuleSet::Naaccr);
    assert!(accepted.iter().filter(|f| f.edit_id == SAME_PRIMARY.id).all(|f| f.overridden));
}

#[test]
fn the_iarc_rule_set_counts_by_the_iarc_rules() {
    // Ten years apart, one organ, one histological group: SEER two primaries, IARC one.
    let s = with_others(
        seq("C18.2", "8140/3", "2018-05-02", "02"),
        vec![seq("C18.7", "8140/3", "2008-01-10", "01")],
    );
    assert!(!s.has(SAME_PRIMARY.id, RuleSet::Naaccr));
    assert!(s.has(SAME_PRIMARY.id, RuleSet::Iarc));
    let f = s.run(RuleSet::Iarc);
    let same = f.iter().find(|f| f.edit_id == SAME_PRIMARY.id).expect("finding");
    assert!(same.message.contains("IARC/IACR"), "{}", same.message);
}

#[test]
fn sequence_numbers_follow_the_primaries_the_rules_find() {
    let breast = || seq("C50.4", "8500/3", "2015-03-01", "01");
    let lung = || seq("C34.1", "8070/3", "2017-06-01", "02");
    check_table(
        SEQ_PRIMARIES.id,
        RuleSet::Naaccr,
        vec![
            (
                "third primary numbered 03",
                with_others(seq("C18.7", "8140/3", "2020-01-01", "03"), vec![breast(), lung()]),
                false,
            ),
            (
                "third primary numbered 02",
                with_others(seq("C18.7", "8140/3", "2020-01-01", "02"), vec![breast(), lung()]),
                true,
            ),
            (
                "numbered higher (a primary treated elsewhere)",
                with_others(seq("C18.7", "8140/3", "2020-01-01", "04"), vec![breast(), lung()]),
                false,
            ),
            (
                "unknown 99",
                with_others(seq("C18.7", "8140/3", "2020-01-01", "99"), vec![breast(), lung()]),
                false,
            ),
            (
                "two breast tumors of one primary: two primaries before, not three",
                with_others(
                    seq("C18.7", "8140/3", "2021-01-01", "03"),
                    vec![
                        seq("C50.4", "8500/3", "2019-03-01", "01"),
                        seq("C50.4", "8500/3", "2019-04-01", "01"),
                        seq("C34.1", "8070/3", "2019-06-01", "02"),
                    ],
                ),
                false,
            ),
            (
                "the breast tumors counted once more would be three",
                with_others(
                    seq("C18.7", "8140/3", "2021-01-01", "02"),
                    vec![
                        seq("C50.4", "8500/3", "2019-03-01", "01"),
                        seq("C50.4", "8500/3", "2019-04-01", "01"),
                        seq("C34.1", "8070/3", "2019-06-01", "02"),
                    ],
                ),
                true,
            ),
            (
                "a pair the rules cannot decide counts once",
                with_others(
                    seq("C18.7", "8140/3", "2020-01-01", "03"),
                    vec![breast(), seq("C50.4", "8500/3", "2015-04-01", "01"), lung()],
                ),
                false,
            ),
            (
                "a benign tumor does not count in the malignant series",
                with_others(
                    seq("C18.7", "8140/3", "2020-01-01", "02"),
                    vec![breast(), seq("C70.0", "9530/0", "2017-01-01", "60")],
                ),
                false,
            ),
        ],
    );
    let f = with_others(seq("C18.7", "8140/3", "2020-01-01", "02"), vec![breast(), lung()])
        .run(RuleSet::Naaccr);
    let low = f.iter().find(|f| f.edit_id == SEQ_PRIMARIES.id).expect("finding");
    assert!(low.message.contains("at least 03"), "{}", low.message);
}

#[test]
fn the_central_sequence_number_is_checked_too() {
    let central = |number: &str| {
        with_others(
            tumor("C18.7", "8140/3", "2020-01-01"),
            vec![
                seq("C50.4", "8500/3", "2015-03-01", "01"),
                seq("C34.1", "8070/3", "2017-06-01", "02"),
            ],
        )
        .with(|s| {
            s.items.insert("sequenceNumberCentral".into(), number.into());
        })
    };
    assert!(!central("03").has(SEQ_PRIMARIES.id, RuleSet::Naaccr));
    assert!(!central("05").has(SEQ_PRIMARIES.id, RuleSet::Naaccr), "other registries' primaries");
    let f = central("01").run(RuleSet::Naaccr);
    let low = f.iter().find(|f| f.edit_id == SEQ_PRIMARIES.id).expect("finding");
    assert!(low.message.starts_with("Central sequence number 01 is too low"), "{}", low.message);
    assert!(low.fields.iter().any(|f| f == "sequenceNumberCentral"), "{:?}", low.fields);
    assert!(!low.fields.iter().any(|f| f == "sequenceNumberHospital"), "{:?}", low.fields);
}
