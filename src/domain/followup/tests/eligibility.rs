//! Who is followed: every exclusion, several tumors, death, age and the next follow-up source.

use super::*;
use crate::domain::followup::*;

const AS_OF: &str = "2025-06-15";

fn reason_of(case: &Case) -> Option<&'static str> {
    match eligibility(&case.history(), &FollowUpPolicy::default(), day(AS_OF)) {
        Eligibility::Followed { .. } => None,
        Eligibility::NotFollowed { reason } => Some(reason.code()),
    }
}

/// (site, morphology, dx, class of case, SS2018, expected exclusion)
type TumorRow = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    Option<&'static str>,
    Option<TumorExclusion>,
);

#[test]
fn tumor_exclusions_table() {
    let p = FollowUpPolicy::default();
    let cases: &[TumorRow] = &[
        ("C50.9", "8500/3", "2019-03-04", "14", Some("2"), None),
        ("C50.9", "8500/2", "2019-03-04", "14", Some("0"), None), // breast in situ is followed
        ("C50.9", "8500/3", "2019-03-04", "00", Some("2"), None), // class 00 is analytic
        ("C50.9", "8500/3", "2019-03-04", "22", Some("2"), None),
        (
            "C50.9",
            "8500/3",
            "2019-03-04",
            "30",
            Some("2"),
            Some(TumorExclusion::NonAnalytic { class_of_case: "30".into() }),
        ),
        (
            "C50.9",
            "8500/3",
            "2019-03-04",
            "38",
            None,
            Some(TumorExclusion::NonAnalytic { class_of_case: "38".into() }),
        ),
        ("C53.9", "8070/2", "2020-01-10", "14", Some("0"), Some(TumorExclusion::CervixInSitu)),
        ("C53.0", "8077/2", "2020-01-10", "14", Some("0"), Some(TumorExclusion::CervixInSitu)),
        ("C53.9", "8070/3", "2020-01-10", "14", Some("1"), None), // invasive cervix is followed
        (
            "C71.9",
            "9530/0",
            "2020-01-10",
            "14",
            Some("8"),
            Some(TumorExclusion::BenignOrBorderline),
        ),
        (
            "C75.1",
            "8272/1",
            "2020-01-10",
            "14",
            Some("8"),
            Some(TumorExclusion::BenignOrBorderline),
        ),
        ("C44.3", "8090/3", "2020-01-10", "14", Some("1"), Some(TumorExclusion::SkinBasalSquamous)),
        ("C44.5", "8070/2", "2020-01-10", "14", Some("0"), Some(TumorExclusion::SkinBasalSquamous)),
        ("C44.7", "8110/3", "2020-01-10", "14", Some("1"), Some(TumorExclusion::SkinBasalSquamous)),
        ("C44.3", "8090/3", "2020-01-10", "14", Some("2"), None), // regional skin is followed
        ("C44.3", "8070/3", "2016-01-10", "14", None, None),      // no SS2018: stage unknown, keep
        ("C44.5", "8720/3", "2020-01-10", "14", Some("1"), None), // melanoma of skin is followed
        ("C44.5", "8720/2", "2020-01-10", "14", Some("0"), None), // melanoma in situ too
        (
            "C50.9",
            "8500/3",
            "1988-01-01",
            "14",
            None,
            Some(TumorExclusion::DiagnosedInExcludedYears { year: 1988 }),
        ),
        (
            "C50.9",
            "8500/3",
            "2004-12",
            "14",
            None,
            Some(TumorExclusion::DiagnosedInExcludedYears { year: 2004 }),
        ),
        ("C50.9", "8500/3", "1987-12-31", "14", None, None),
        ("C50.9", "8500/3", "2005", "14", None, None),
    ];
    for (site, morph, dx, class, stage, expected) in cases {
        let t = tumor(site, morph, dx, class, *stage);
        assert_eq!(
            tumor_exclusion(&t, &p),
            *expected,
            "{site} {morph} {dx} class {class} stage {stage:?}"
        );
    }
}

#[test]
fn excluded_years_are_a_setting() {
    let t = breast("1995-05-05");
    assert!(tumor_exclusion(&t, &FollowUpPolicy::default()).is_some());
    let none = FollowUpPolicy { excluded_diagnosis_years: None, ..FollowUpPolicy::default() };
    assert_eq!(tumor_exclusion(&t, &none), None);
}

#[test]
fn patient_level_reasons_table() {
    let alive = |d: &str| contact(d, "1", Some("1"));
    let cases: Vec<(&str, Case, Option<&str>)> = vec![
        (
            "followed",
            Case::new(
                patient(Some("1960-01-01")),
                vec![breast("2019-03-04")],
                vec![alive("2024-09-01")],
            ),
            None,
        ),
        (
            "death recorded",
            Case::new(
                patient(Some("1960-01-01")),
                vec![breast("2019-03-04")],
                vec![alive("2023-09-01"), contact("2024-09-01", "0", None)],
            ),
            Some("dead"),
        ),
        ("no tumor", Case::new(patient(None), vec![], vec![]), Some("noTumor")),
        (
            "foreign resident (8)",
            Case::new(
                patient(None),
                vec![breast("2019-03-04")],
                vec![contact("2024-01-01", "1", Some("8"))],
            ),
            Some("foreignResident"),
        ),
        (
            "not followed (9)",
            Case::new(
                patient(None),
                vec![breast("2019-03-04")],
                vec![contact("2024-01-01", "1", Some("9"))],
            ),
            Some("markedNotFollowed"),
        ),
        (
            "9 on an older contact, 1 on the latest",
            Case::new(
                patient(None),
                vec![breast("2019-03-04")],
                vec![contact("2024-01-01", "1", Some("1")), contact("2023-01-01", "1", Some("9"))],
            ),
            None,
        ),
        (
            "9 stays in force when the latest contact leaves the source blank",
            Case::new(
                patient(None),
                vec![breast("2019-03-04")],
                vec![contact("2023-01-01", "1", Some("9")), contact("2024-01-01", "1", None)],
            ),
            Some("markedNotFollowed"),
        ),
        (
            "aged 101",
            Case::new(patient(Some("1924-06-15")), vec![breast("2019-03-04")], vec![]),
            Some("overMaxAge"),
        ),
        (
            "aged 100 the day before the 101st birthday",
            Case::new(patient(Some("1924-06-16")), vec![breast("2019-03-04")], vec![]),
            None,
        ),
        (
            "born in 1924, day unknown: may still be 100",
            Case::new(patient(Some("1924")), vec![breast("2019-03-04")], vec![]),
            None,
        ),
        (
            "born in 1923, day unknown: certainly over 100",
            Case::new(patient(Some("1923")), vec![breast("2019-03-04")], vec![]),
            Some("overMaxAge"),
        ),
        (
            "date of birth unknown",
            Case::new(patient(None), vec![breast("2019-03-04")], vec![]),
            None,
        ),
        (
            "only excluded tumors",
            Case::new(
                patient(None),
                vec![
                    tumor("C53.9", "8077/2", "2019-01-01", "14", Some("0")),
                    breast("1999-01-01"),
                    tumor("C50.9", "8500/3", "2019-01-01", "32", None),
                ],
                vec![],
            ),
            Some("noFollowableTumor"),
        ),
        (
            "several tumors, one followable is enough",
            Case::new(
                patient(None),
                vec![
                    tumor("C53.9", "8077/2", "2019-01-01", "14", Some("0")),
                    tumor("C44.3", "8090/3", "2020-01-01", "14", Some("1")),
                    tumor("C18.7", "8140/3", "2021-01-01", "21", Some("3")),
                ],
                vec![],
            ),
            None,
        ),
    ];
    for (name, case, expected) in &cases {
        assert_eq!(reason_of(case), *expected, "{name}");
    }
}

#[test]
fn followed_lists_the_followable_tumors_and_reasons_read_plainly() {
    let case = Case::new(
        patient(None),
        vec![
            tumor("C53.9", "8077/2", "2019-01-01", "14", Some("0")),
            tumor("C18.7", "8140/3", "2021-01-01", "21", Some("3")),
        ],
        vec![],
    );
    let e = eligibility(&case.history(), &FollowUpPolicy::default(), day(AS_OF));
    assert_eq!(e, Eligibility::Followed { tumor_ids: vec!["t2".to_string()] });
    let excluded = Case::new(
        patient(None),
        vec![
            tumor("C53.9", "8077/2", "2019-01-01", "14", Some("0")),
            tumor("C53.9", "8070/2", "2020-01-01", "14", Some("0")),
            breast("1990-01-01"),
        ],
        vec![],
    );
    let Eligibility::NotFollowed { reason } =
        eligibility(&excluded.history(), &FollowUpPolicy::default(), day(AS_OF))
    else {
        panic!("expected not followed");
    };
    assert_eq!(
        reason.description(),
        "no tumor needs follow-up: carcinoma in situ of the cervix; diagnosed in 1990, a year whose \
         cases need no follow-up"
    );
    assert_eq!(
        NotFollowedReason::OverMaxAge { age: 101, max: 100 }.to_string(),
        "the patient is 101, older than the follow-up limit of 100"
    );
}

#[test]
fn the_age_limit_is_a_setting() {
    let case = Case::new(patient(Some("1930-01-01")), vec![breast("2019-03-04")], vec![]);
    let strict = FollowUpPolicy { max_age_years: 90, ..FollowUpPolicy::default() };
    assert!(!eligibility(&case.history(), &strict, day(AS_OF)).is_followed());
    assert!(eligibility(&case.history(), &FollowUpPolicy::default(), day(AS_OF)).is_followed());
}

#[test]
fn eligibility_serializes_in_camel_case() {
    let e = Eligibility::NotFollowed {
        reason: NotFollowedReason::NoFollowableTumor {
            reasons: vec![TumorExclusion::NonAnalytic { class_of_case: "30".into() }],
        },
    };
    assert_eq!(
        serde_json::to_value(&e).expect("json"),
        serde_json::json!({
            "status": "notFollowed",
            "reason": {"kind": "noFollowableTumor", "reasons": [{"kind": "nonAnalytic", "classOfCase": "30"}]}
        })
    );
    let f = Eligibility::Followed { tumor_ids: vec!["t1".into()] };
    assert_eq!(
        serde_json::to_value(&f).expect("json"),
        serde_json::json!({"status": "followed", "tumorIds": ["t1"]})
    );
}
