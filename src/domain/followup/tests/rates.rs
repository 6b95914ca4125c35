//! The CoC worksheet, computed by hand for a small registry.

use super::*;
use crate::domain::followup::*;

const AS_OF: &str = "2025-06-30";
const REFERENCE: &str = "2015-01-01";

fn alive(d: &str) -> Contact {
    contact(d, "1", Some("1"))
}

fn dead(d: &str) -> Contact {
    contact(d, "0", None)
}

fn one(dx: Tumor, contacts: Vec<Contact>) -> Case {
    Case::new(patient(Some("1950-05-05")), vec![dx], contacts)
}

/// Seventeen patients; the comment says where each lands (all since reference | last five years).
/// Five years before 2025-06-30 is 2020-06-30, later than the reference date, so that window applies.
fn registry() -> Vec<(&'static str, Case)> {
    vec![
        // D | D
        ("p01", one(breast("2021-03-01"), vec![alive("2025-01-10")])),
        // B | — (diagnosed before the five-year window)
        ("p02", one(tumor("C18.7", "8140/3", "2016-05-01", "14", None), vec![dead("2023-02-01")])),
        // B | B
        (
            "p03",
            one(tumor("C34.1", "8140/3", "2022-08-01", "10", Some("7")), vec![dead("2024-01-01")]),
        ),
        // E | — : last seen 2023-12-01, lost from 2025-03-02
        ("p04", one(breast("2018-01-01"), vec![alive("2023-12-01")])),
        // D | D : 2024-03-31 + 15 months = 2025-06-30, still current on that day
        (
            "p05",
            one(tumor("C61.9", "8140/3", "2023-04-01", "14", Some("1")), vec![alive("2024-03-31")]),
        ),
        // E | E : 2024-03-29 + 15 months = 2025-06-29, lost from 2025-06-30
        ("p06", one(breast("2023-01-01"), vec![alive("2024-03-29")])),
        // excluded: foreign resident
        ("p07", one(breast("2021-01-01"), vec![contact("2022-01-01", "1", Some("8"))])),
        // excluded: cervix in situ only
        (
            "p08",
            one(tumor("C53.9", "8077/2", "2021-01-01", "14", Some("0")), vec![alive("2025-01-01")]),
        ),
        // excluded: diagnosed in 2000
        ("p09", one(breast("2000-01-01"), vec![alive("2022-01-01")])),
        // excluded: living and 102 years old
        (
            "p10",
            Case::new(
                patient(Some("1923-01-01")),
                vec![breast("2019-01-01")],
                vec![alive("2022-01-01")],
            ),
        ),
        // E | — : "not followed" (9) is no exclusion from the rates
        ("p11", one(breast("2017-01-01"), vec![contact("2022-01-01", "1", Some("9"))])),
        // D | D : a 2002 tumor (excluded) and a 2024 tumor (eligible); counted once
        (
            "p12",
            Case::new(
                patient(Some("1950-05-05")),
                vec![breast("2002-01-01"), tumor("C18.7", "8140/3", "2024-02-01", "14", Some("2"))],
                vec![alive("2025-05-01")],
            ),
        ),
        // D | D : partial dates, diagnosed "2020" (may be after 2020-06-30), last seen "2024"
        ("p13", one(breast("2020"), vec![alive("2024")])),
        // B | — : dead patients count whatever their age
        (
            "p14",
            Case::new(
                patient(Some("1920-01-01")),
                vec![breast("2019-05-01")],
                vec![dead("2022-03-03")],
            ),
        ),
        // E | E : the 2025-08-01 contact is after the report day and does not count
        ("p15", one(breast("2021-01-01"), vec![alive("2023-01-01"), alive("2025-08-01")])),
        // excluded: non-analytic
        ("p16", one(tumor("C50.9", "8500/3", "2021-01-01", "38", None), vec![dead("2021-01-01")])),
        // excluded: diagnosed before the reference date
        ("p17", one(breast("2014-06-01"), vec![alive("2025-01-01")])),
    ]
}

fn rates(reference: &str) -> FollowUpRates {
    let reg = registry();
    worksheet(
        reg.iter().map(|(id, c)| (*id, c.history())),
        &FollowUpPolicy::default(),
        day(reference),
        day(AS_OF),
    )
}

#[test]
fn hand_computed_worksheet() {
    let r = rates(REFERENCE);
    let all = &r.all_since_reference;
    assert_eq!(all.diagnosed_from, day("2015-01-01"));
    assert_eq!(
        (all.a_eligible, all.b_dead, all.c_living, all.d_current, all.e_lost),
        (11, 3, 8, 4, 4)
    );
    assert_eq!(all.follow_up_rate, Some(7.0 / 11.0));
    assert_eq!(all.lost_rate, Some(4.0 / 11.0));
    assert_eq!((all.target_percent, all.meets_target), (80, false));
    assert_eq!(all.lost_patient_ids, vec!["p04", "p06", "p11", "p15"]);

    let recent = &r.last_five_years;
    assert_eq!(recent.diagnosed_from, day("2020-06-30"));
    assert_eq!(
        (recent.a_eligible, recent.b_dead, recent.c_living, recent.d_current, recent.e_lost),
        (7, 1, 6, 4, 2)
    );
    assert_eq!(recent.follow_up_rate, Some(5.0 / 7.0));
    assert_eq!(recent.lost_rate, Some(2.0 / 7.0));
    assert_eq!((recent.target_percent, recent.meets_target), (90, false));
    assert_eq!(recent.lost_patient_ids, vec!["p06", "p15"]);

    for sheet in [all, recent] {
        assert_eq!(sheet.a_eligible, sheet.b_dead + sheet.c_living);
        assert_eq!(sheet.c_living, sheet.d_current + sheet.e_lost);
        let by_year: u32 = sheet.years.values().map(|y| y.a_eligible).sum();
        assert_eq!(by_year, sheet.a_eligible, "every patient under one year");
    }

    // Left out, by reason: only cases in the window (p09, p17 fall before the reference date).
    let excluded: Vec<(&str, Vec<String>)> =
        all.excluded.iter().map(|(k, v)| (*k, v.clone())).collect();
    let ids = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    assert_eq!(
        excluded,
        vec![
            ("cervix_in_situ", ids(&["p08"])),
            ("foreign_resident", ids(&["p07"])),
            ("non_analytic", ids(&["p16"])),
            ("over_max_age", ids(&["p10"])),
        ]
    );
    // 2023: p05 current, p06 lost; the lists behind the figures follow.
    let y2023 = &all.years[&2023];
    assert_eq!((y2023.a_eligible, y2023.b_dead, y2023.d_current, y2023.e_lost), (2, 0, 1, 1));
    assert_eq!(all.patients_behind("E", Some(2023)), ids(&["p06"]));
    assert_eq!(all.patients_behind("A", Some(2023)), ids(&["p05", "p06"]));
    assert_eq!(all.patients_behind("B", None), all.dead_patient_ids);
    assert_eq!(all.patients_behind("over_max_age", None), ids(&["p10"]));
    // p12's 2002 tumor is excluded, its 2024 tumor is not: the patient counts under 2024.
    assert_eq!(all.year_of.get("p12"), Some(&2024));
}

#[test]
fn a_later_reference_date_shortens_the_recent_window() {
    // Reference 2022-01-01: both windows start there; p01, p13 and p15 (dx 2020–2021) drop out.
    let r = rates("2022-01-01");
    assert_eq!(r.last_five_years.diagnosed_from, day("2022-01-01"));
    assert_eq!(
        r.last_five_years,
        Worksheet { target_percent: 90, ..r.all_since_reference.clone() }
    );
    let s = &r.last_five_years;
    assert_eq!((s.a_eligible, s.b_dead, s.d_current, s.e_lost), (4, 1, 2, 1));
    assert_eq!(s.lost_patient_ids, vec!["p06"]);
}

#[test]
fn targets_compare_exactly_and_an_empty_registry_meets_them() {
    // Ten patients diagnosed in 2023: eight current, one dead, one lost: exactly 90%.
    let mut cases: Vec<(String, Case)> = (0..8)
        .map(|i| (format!("c{i}"), one(breast("2023-01-01"), vec![alive("2025-01-01")])))
        .collect();
    cases.push(("d".into(), one(breast("2023-01-01"), vec![dead("2024-01-01")])));
    cases.push(("l".into(), one(breast("2023-01-01"), vec![alive("2023-02-01")])));
    let r = worksheet(
        cases.iter().map(|(id, c)| (id.as_str(), c.history())),
        &FollowUpPolicy::default(),
        day(REFERENCE),
        day(AS_OF),
    );
    assert_eq!(r.last_five_years.follow_up_rate, Some(0.9));
    assert!(r.last_five_years.meets_target);
    assert!(r.all_since_reference.meets_target);
    assert_eq!(r.last_five_years.lost_patient_ids, vec!["l"]);

    let empty = worksheet(
        std::iter::empty::<(&str, crate::domain::chronology::PatientHistory)>(),
        &FollowUpPolicy::default(),
        day(REFERENCE),
        day(AS_OF),
    );
    assert_eq!(empty.all_since_reference.a_eligible, 0);
    assert_eq!(empty.all_since_reference.follow_up_rate, None);
    assert!(empty.all_since_reference.meets_target);
}
