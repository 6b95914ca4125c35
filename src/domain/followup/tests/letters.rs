//! The letter sequence: timing, skipped recipients, the no-patient-contact flag, replies, lost
//! patients chased, rounds, held letters, idempotency keys, and neutral wording.

use super::*;
use crate::domain::followup::*;

/// A task due 2025-07-03 (DLC 2024-07-03), lost from 2025-10-04.
fn open_task() -> FollowUpTask {
    let case = Case::new(
        patient(None),
        vec![breast("2019-03-04")],
        vec![contact("2024-07-03", "1", None)],
    );
    task_due("p1", &case.history(), &FollowUpPolicy::default(), day("2025-07-03")).expect("due")
}

fn plan(
    task: &FollowUpTask,
    patient: &Patient,
    sent: &[SentLetter],
) -> Vec<(String, &'static str, Channel, String)> {
    let ctx = LetterContext::new(task, patient, sent, false);
    letter_plan(&ctx, &FollowUpPolicy::default())
        .into_iter()
        .map(|l| (l.send_on.to_string(), l.template, l.channel, l.idempotency_key))
        .collect()
}

fn templates(task: &FollowUpTask, patient: &Patient) -> Vec<(String, &'static str)> {
    plan(task, patient, &[]).into_iter().map(|(d, t, _, _)| (d, t)).collect()
}

/// (case name, patient, expected (send date, template) sequence)
type PlanRow = (&'static str, Patient, Vec<(String, &'static str)>);

fn s(d: &str, t: &'static str) -> (String, &'static str) {
    (d.to_string(), t)
}

#[test]
fn default_sequence_and_recipient_table() {
    let task = open_task();
    let both_physicians = {
        let mut p = patient(None);
        p.physician_follow_up = Some(physician("Dr Other", None));
        p
    };
    let flagged = {
        let mut p = patient(None);
        p.no_patient_contact_flag = NoPatientContactFlag::parse("1").ok();
        p
    };
    let flagged_two_physicians = {
        let mut p = both_physicians.clone();
        p.no_patient_contact_flag = NoPatientContactFlag::parse("1").ok();
        p
    };
    let no_managing = {
        let mut p = patient(None);
        p.physician_managing = None;
        p
    };
    let no_address = {
        let mut p = patient(None);
        p.current_address = Address::default();
        p
    };
    let same_doctor_twice = {
        let mut p = patient(None);
        p.physician_follow_up = p.physician_managing.clone();
        p
    };
    let cases: Vec<PlanRow> = vec![
        (
            "managing physician, then the patient twice",
            patient(None),
            vec![
                s("2025-07-03", "physician"),
                s("2025-08-02", "patient"),
                s("2025-09-01", "patient_second"),
            ],
        ),
        (
            "follow-up physician takes the second step",
            both_physicians,
            vec![
                s("2025-07-03", "physician"),
                s("2025-08-02", "other_physician"),
                s("2025-09-01", "patient"),
            ],
        ),
        ("no-patient-contact flag: physicians only", flagged, vec![s("2025-07-03", "physician")]),
        (
            "flag with two physicians",
            flagged_two_physicians,
            vec![s("2025-07-03", "physician"), s("2025-08-02", "other_physician")],
        ),
        (
            "no managing physician: the next step moves up",
            no_managing,
            vec![s("2025-07-03", "patient"), s("2025-08-02", "patient_second")],
        ),
        ("no patient address", no_address, vec![s("2025-07-03", "physician")]),
        (
            "the same doctor as managing and follow-up physician gets one letter",
            same_doctor_twice,
            vec![
                s("2025-07-03", "physician"),
                s("2025-08-02", "patient"),
                s("2025-09-01", "patient_second"),
            ],
        ),
    ];
    for (name, p, expected) in &cases {
        assert_eq!(templates(&task, p), *expected, "{name}");
    }
}

#[test]
fn channels_follow_the_step_preference() {
    let task = open_task();
    let mut p = patient(None);
    p.email = Some("alex@example.org".into());
    p.physician_managing = Some(physician("Dr Managing", Some("dr@example.org")));
    let channels: Vec<Channel> = plan(&task, &p, &[]).into_iter().map(|(_, _, c, _)| c).collect();
    // Physician by e-mail; patients on paper even with an e-mail address.
    assert_eq!(channels, vec![Channel::Email, Channel::Print, Channel::Print]);

    // An e-mail-only step is skipped without an e-mail address.
    let policy = FollowUpPolicy {
        letters: vec![LetterStep {
            recipient: Recipient::ManagingPhysician,
            offset_days_after_due: 30,
            channel: ChannelPreference::Email,
        }],
        ..FollowUpPolicy::default()
    };
    let plain = patient(None);
    let ctx = LetterContext::new(&task, &plain, &[], false);
    assert!(letter_plan(&ctx, &policy).is_empty());
    let ctx = LetterContext::new(&task, &p, &[], false);
    let l = letter_plan(&ctx, &policy);
    assert_eq!((l[0].send_on, l[0].channel), (day("2025-08-02"), Channel::Email));
}

#[test]
fn one_letter_at_a_time_as_days_pass() {
    let task = open_task();
    let p = patient(None);
    let policy = FollowUpPolicy::default();
    let due = |sent: &[SentLetter], as_of: &str| {
        letters_due(&LetterContext::new(&task, &p, sent, false), &policy, day(as_of))
    };
    assert!(due(&[], "2025-07-02").is_empty(), "before the due date");
    let first = due(&[], "2025-07-03");
    assert_eq!(first.len(), 1);
    assert_eq!((first[0].step_index, first[0].template), (0, "physician"));
    assert_eq!(first[0].idempotency_key, "p1/2024-07-03/letter/0");
    // Asked again the same day: the same letter, the same key (the sender dedupes on it).
    assert_eq!(due(&[], "2025-07-03"), first);

    // The job was down: the first letter goes out late, on 2025-07-20; the next waits its 30 days.
    let sent = [SentLetter {
        step_index: 0,
        addressee: Addressee::ManagingPhysician,
        sent_on: day("2025-07-20"),
        round: 0,
    }];
    assert!(due(&sent, "2025-08-18").is_empty());
    let second = due(&sent, "2025-08-19");
    assert_eq!((second[0].template, second[0].send_on), ("patient", day("2025-08-19")));
    assert_eq!(second[0].idempotency_key, "p1/2024-07-03/letter/1");
    // Made late, a letter is dated the day it is made, so the next step counts from that day.
    let late = due(&sent, "2025-09-30");
    assert_eq!(late[0].send_on, day("2025-09-30"));
}

#[test]
fn a_backlog_starts_at_the_first_step_and_keeps_the_spacing() {
    // The job was off for a year: the task is long lost. One letter a run, the first step first,
    // and each next step only after its interval since the letter before, however often it runs.
    let task = open_task();
    let p = patient(None);
    let policy = FollowUpPolicy::default();
    let mut sent: Vec<SentLetter> = Vec::new();
    let mut made = Vec::new();
    let mut day_ = day("2026-07-01");
    while day_ < day("2026-10-01") {
        for _run in 0..24 {
            let ctx = LetterContext::new(&task, &p, &sent, false);
            for l in letters_due(&ctx, &policy, day_) {
                made.push((l.send_on.to_string(), l.template));
                sent.push(SentLetter {
                    step_index: l.step_index,
                    addressee: l.addressee,
                    sent_on: l.send_on,
                    round: l.round,
                });
            }
        }
        day_ = day_.succ_opt().expect("next day");
    }
    assert_eq!(
        made,
        vec![
            ("2026-07-01".to_string(), "physician"),
            ("2026-07-31".to_string(), "patient"),
            ("2026-08-30".to_string(), "patient_second"),
        ]
    );
}

#[test]
fn a_used_up_sequence_starts_again_a_year_on_or_waits() {
    let task = open_task();
    let p = patient(None);
    let round0 = [
        SentLetter {
            step_index: 0,
            addressee: Addressee::ManagingPhysician,
            sent_on: day("2025-07-03"),
            round: 0,
        },
        SentLetter {
            step_index: 1,
            addressee: Addressee::Patient,
            sent_on: day("2025-08-02"),
            round: 0,
        },
        SentLetter {
            step_index: 2,
            addressee: Addressee::Patient,
            sent_on: day("2025-09-01"),
            round: 0,
        },
    ];
    let ctx = LetterContext::new(&task, &p, &round0, false);
    let next = letter_plan(&ctx, &FollowUpPolicy::default());
    assert_eq!(next.len(), 3);
    assert_eq!((next[0].round, next[0].send_on), (1, day("2026-07-03")));
    assert_eq!(next[0].idempotency_key, "p1/2024-07-03/letter/0/r1");
    assert_eq!(next[1].template, "patient", "a new round starts the patient letters over");
    let waiting = FollowUpPolicy { repeat_sequence_after_days: None, ..FollowUpPolicy::default() };
    assert!(letter_plan(&ctx, &waiting).is_empty(), "waits for a registrar");
}

#[test]
fn nothing_after_a_reply_a_hold_or_completion_and_lost_is_no_stop() {
    let mut task = open_task();
    let p = patient(None);
    let policy = FollowUpPolicy::default();
    let sent = [SentLetter {
        step_index: 0,
        addressee: Addressee::ManagingPhysician,
        sent_on: day("2025-07-03"),
        round: 0,
    }];
    let replied = LetterContext::new(&task, &p, &sent, true);
    assert!(letters_due(&replied, &policy, day("2025-08-10")).is_empty());
    let mut held = LetterContext::new(&task, &p, &sent, false);
    held.held = true;
    assert!(letters_due(&held, &policy, day("2025-08-10")).is_empty(), "a held letter waits");
    let quiet = LetterContext::new(&task, &p, &sent, false);
    assert_eq!(letters_due(&quiet, &policy, day("2025-10-04")).len(), 1, "lost is chased");
    task.state = TaskState::Lost;
    let lost = LetterContext::new(&task, &p, &sent, false);
    assert_eq!(letters_due(&lost, &policy, day("2025-10-04")).len(), 1, "a lost task too");
    task.state = TaskState::Open;

    // A late second step is planned even past the lost date.
    let late = FollowUpPolicy {
        letters: vec![
            LetterStep {
                recipient: Recipient::ManagingPhysician,
                offset_days_after_due: 0,
                channel: ChannelPreference::Print,
            },
            LetterStep {
                recipient: Recipient::Patient,
                offset_days_after_due: 93,
                channel: ChannelPreference::Print,
            },
        ],
        ..FollowUpPolicy::default()
    };
    let ctx = LetterContext::new(&task, &p, &[], false);
    assert_eq!(letter_plan(&ctx, &late).len(), 2, "the lost date stops nothing");

    task.state = TaskState::Completed;
    let done = LetterContext::new(&task, &p, &[], false);
    assert!(letter_plan(&done, &policy).is_empty());
}

#[test]
fn steps_never_go_back() {
    // Step 1 went to the patient because no follow-up physician was known; one is added later.
    // Step 1 is not redone, and the second patient letter keeps its template.
    let task = open_task();
    let mut p = patient(None);
    let sent = [
        SentLetter {
            step_index: 0,
            addressee: Addressee::ManagingPhysician,
            sent_on: day("2025-07-03"),
            round: 0,
        },
        SentLetter {
            step_index: 1,
            addressee: Addressee::Patient,
            sent_on: day("2025-08-02"),
            round: 0,
        },
    ];
    p.physician_follow_up = Some(physician("Dr Other", None));
    let rest = plan(&task, &p, &sent);
    assert_eq!(rest.len(), 1);
    assert_eq!((rest[0].0.as_str(), rest[0].1), ("2025-09-01", "patient_second"));
}

#[test]
fn wording_avoids_cancer_for_in_situ_and_benign() {
    let insitu = tumor("C50.9", "8500/2", "2020-01-01", "14", Some("0"));
    let benign = tumor("C71.9", "9530/0", "2020-01-01", "14", Some("8"));
    let invasive = breast("2020-01-01");
    assert!(!mentions_cancer([&insitu]));
    assert!(!mentions_cancer([&insitu, &benign]));
    assert!(!mentions_cancer(std::iter::empty::<&Tumor>()));
    assert!(mentions_cancer([&insitu, &invasive]));

    // Only followed tumors count: an excluded invasive tumor (1995) does not bring the word back.
    let case = Case::new(patient(None), vec![insitu.clone(), breast("1995-01-01")], vec![]);
    assert!(!mentions_cancer_for(&case.history(), &FollowUpPolicy::default()));
    let case = Case::new(patient(None), vec![insitu, invasive], vec![]);
    assert!(mentions_cancer_for(&case.history(), &FollowUpPolicy::default()));
}
