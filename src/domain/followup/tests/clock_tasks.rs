//! The clock (month ends, leap days, partial dates), cycle keys and task transitions.

use super::*;
use crate::domain::followup::*;

#[test]
fn due_and_lost_dates_table() {
    let p = FollowUpPolicy::default();
    // (DLC, due on, first day lost)
    let cases = [
        ("2024-07-03", "2025-07-03", "2025-10-04"),
        ("2024-02-29", "2025-02-28", "2025-05-30"), // leap day
        ("2023-02-28", "2024-02-28", "2024-05-29"),
        ("2024-01-31", "2025-01-31", "2025-05-01"), // 2025-04-31 does not exist: 04-30, lost from 05-01
        ("2023-11-30", "2024-11-30", "2025-03-01"), // 2025-02-30 clamps to 02-28
        ("2022-11-30", "2023-11-30", "2024-03-01"), // 2024-02-29 then the day after
        ("2024-12-31", "2025-12-31", "2026-04-01"),
        ("2024", "2025-12-31", "2026-04-01"), // partial: latest day of the year
        ("2024-02", "2025-02-28", "2025-05-30"), // latest day of Feb 2024 is the 29th
        ("2024-06", "2025-06-30", "2025-10-01"),
    ];
    for (dlc, due, lost) in cases {
        let c = schedule(&pd(dlc), &p);
        assert_eq!((c.due_on, c.lost_on), (day(due), day(lost)), "DLC {dlc}");
    }
}

#[test]
fn offsets_are_settings_and_month_ends_clamp() {
    let p =
        FollowUpPolicy { due_after_months: 3, lost_after_months: 6, ..FollowUpPolicy::default() };
    let c = schedule(&pd("2024-08-31"), &p);
    assert_eq!(c.due_on, day("2024-11-30"));
    assert_eq!(c.lost_on, day("2025-03-01"));
    assert!(!c.is_due(day("2024-11-29")) && c.is_due(day("2024-11-30")));
    assert!(!c.is_lost(day("2025-02-28")) && c.is_lost(day("2025-03-01")));
}

#[test]
fn policy_validation_and_defaults_from_config() {
    assert!(FollowUpPolicy::default().validate().is_ok());
    let bad = FollowUpPolicy { lost_after_months: 12, ..FollowUpPolicy::default() };
    assert!(bad.validate().is_err());
    let mut unordered = FollowUpPolicy::default();
    unordered.letters.swap(0, 2);
    assert!(unordered.validate().is_err());

    let p: FollowUpPolicy = serde_json::from_value(serde_json::json!({
        "due_after_months": 13,
        "letters": [
            {"recipient": "managing_physician", "offset_days_after_due": 0, "channel": "print"},
            {"recipient": "follow_up_physician_or_patient", "offset_days_after_due": 21, "channel": "email_else_print"}
        ]
    }))
    .expect("policy");
    assert_eq!(p.due_after_months, 13);
    assert_eq!(p.lost_after_months, 15);
    assert_eq!(p.letters.len(), 2);
    assert_eq!(p.excluded_diagnosis_years, Some(YearRange { first: 1988, last: 2004 }));
    assert!(
        serde_json::from_value::<FollowUpPolicy>(serde_json::json!({"due_months": 1})).is_err(),
        "a misspelt setting is an error, not a silent default"
    );
}

#[test]
fn cycle_keys_are_deterministic_per_contact() {
    assert_eq!(cycle_key("p1", &pd("2024-07-03")).as_str(), "p1/2024-07-03");
    assert_eq!(cycle_key("p1", &pd("2024-07-03")), cycle_key("p1", &pd("2024-07-03")));
    assert_eq!(cycle_key("p1", &pd("2024")).as_str(), "p1/2024-12-31");
    assert_ne!(cycle_key("p1", &pd("2024-07-03")), cycle_key("p1", &pd("2024-07-20")));
    assert_ne!(cycle_key("p1", &pd("2024-07-03")), cycle_key("p2", &pd("2024-07-03")));

    // Generating every day of the cycle yields one key.
    let case = Case::new(
        patient(None),
        vec![breast("2019-03-04")],
        vec![contact("2024-07-03", "1", None)],
    );
    let p = FollowUpPolicy::default();
    let mut keys: Vec<CycleKey> = (0..120)
        .filter_map(|i| {
            let as_of = day("2025-07-01") + chrono::Days::new(i);
            task_due("p1", &case.history(), &p, as_of).map(|t| t.cycle_key)
        })
        .collect();
    assert_eq!(keys.len(), 118, "due from 2025-07-03");
    keys.dedup();
    assert_eq!(keys, vec![cycle_key("p1", &pd("2024-07-03"))]);
}

#[test]
fn task_opens_when_due_and_starts_lost_for_an_old_contact() {
    let p = FollowUpPolicy::default();
    let case = Case::new(
        patient(None),
        vec![breast("2019-03-04")],
        vec![contact("2024-07-03", "1", None)],
    );
    let h = case.history();
    assert_eq!(task_due("p1", &h, &p, day("2025-07-02")), None);
    let task = task_due("p1", &h, &p, day("2025-07-03")).expect("due");
    assert_eq!(task.state, TaskState::Open);
    assert_eq!(task.last_contact, pd("2024-07-03"));
    assert_eq!(task_due("p1", &h, &p, day("2025-10-04")).expect("due").state, TaskState::Lost);

    // Without contacts the diagnosis stands in as the last contact.
    let new_case = Case::new(patient(None), vec![breast("2024-03-04")], vec![]);
    let t = task_due("p2", &new_case.history(), &p, day("2025-03-04")).expect("due");
    assert_eq!(t.cycle_key.as_str(), "p2/2024-03-04");

    // Not followed: no task.
    let dead = Case::new(
        patient(None),
        vec![breast("2019-03-04")],
        vec![contact("2024-07-03", "0", None)],
    );
    assert_eq!(task_due("p3", &dead.history(), &p, day("2025-08-01")), None);
}

#[test]
fn a_contact_while_the_task_is_open_completes_it_and_the_next_cycle_follows() {
    let p = FollowUpPolicy::default();
    let mut case = Case::new(
        patient(None),
        vec![breast("2019-03-04")],
        vec![contact("2024-07-03", "1", None)],
    );
    let mut task = task_due("p1", &case.history(), &p, day("2025-07-03")).expect("due");
    task.state = task.state.started();
    assert_eq!(task.state, TaskState::InProgress);
    assert_eq!(next_state(&task, &case.history(), &p, day("2025-08-01")), TaskState::InProgress);

    // The physician replies: seen on 2025-07-20.
    case.contacts.push(contact("2025-07-20", "1", Some("1")));
    assert_eq!(next_state(&task, &case.history(), &p, day("2025-08-01")), TaskState::Completed);
    // The next cycle runs from the new contact.
    assert_eq!(task_due("p1", &case.history(), &p, day("2025-08-01")), None);
    let next = task_due("p1", &case.history(), &p, day("2026-07-20")).expect("next cycle");
    assert_eq!(next.cycle_key.as_str(), "p1/2025-07-20");
    assert_eq!(next.clock.due_on, day("2026-07-20"));
}

#[test]
fn a_late_reported_contact_before_the_due_date_also_completes() {
    let p = FollowUpPolicy::default();
    let mut case = Case::new(
        patient(None),
        vec![breast("2019-03-04")],
        vec![contact("2024-07-03", "1", None)],
    );
    let task = task_due("p1", &case.history(), &p, day("2025-07-03")).expect("due");
    case.contacts.push(contact("2025-05-01", "1", None));
    assert_eq!(next_state(&task, &case.history(), &p, day("2025-07-10")), TaskState::Completed);
    // A back-dated contact older than the cycle's does not.
    let mut other = Case::new(
        patient(None),
        vec![breast("2019-03-04")],
        vec![contact("2024-07-03", "1", None)],
    );
    other.contacts.push(contact("2024-03-01", "1", None));
    assert_eq!(next_state(&task, &other.history(), &p, day("2025-07-10")), TaskState::Open);
}

#[test]
fn lost_after_fifteen_months_and_stays_lost_until_a_new_contact() {
    let p = FollowUpPolicy::default();
    let mut case = Case::new(
        patient(None),
        vec![breast("2019-03-04")],
        vec![contact("2024-07-03", "1", None)],
    );
    let mut task = task_due("p1", &case.history(), &p, day("2025-07-03")).expect("due");
    assert_eq!(next_state(&task, &case.history(), &p, day("2025-10-03")), TaskState::Open);
    task.state = next_state(&task, &case.history(), &p, day("2025-10-04"));
    assert_eq!(task.state, TaskState::Lost);
    assert_eq!(task.state.started(), TaskState::Lost);
    assert_eq!(next_state(&task, &case.history(), &p, day("2027-01-01")), TaskState::Lost);
    case.contacts.push(contact("2026-02-01", "1", None));
    task.state = next_state(&task, &case.history(), &p, day("2026-02-10"));
    assert_eq!(task.state, TaskState::Completed);
    // Completed is final.
    assert_eq!(next_state(&task, &case.history(), &p, day("2030-01-01")), TaskState::Completed);
}

#[test]
fn a_death_or_leaving_follow_up_completes_the_task() {
    let p = FollowUpPolicy::default();
    let base = || {
        Case::new(patient(None), vec![breast("2019-03-04")], vec![contact("2024-07-03", "1", None)])
    };
    let task = task_due("p1", &base().history(), &p, day("2025-07-03")).expect("due");

    let mut died = base();
    died.contacts.push(contact("2025-06-01", "0", None));
    assert_eq!(next_state(&task, &died.history(), &p, day("2025-07-10")), TaskState::Completed);

    // Tumor recoded as non-analytic, no new contact: nothing left to follow.
    let mut recoded = base();
    recoded.tumors[0].class_of_case = ClassOfCase::parse("32").ok();
    assert_eq!(next_state(&task, &recoded.history(), &p, day("2025-07-10")), TaskState::Completed);
}

#[test]
fn task_states_round_trip() {
    for s in TaskState::ALL {
        assert_eq!(TaskState::parse(s.as_str()).expect("state"), s);
    }
    assert!(TaskState::parse("closed").is_err());
    assert!(TaskState::Lost.is_active() && !TaskState::Completed.is_active());
}
