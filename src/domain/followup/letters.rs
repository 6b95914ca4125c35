//! Reminder letters of one follow-up cycle: which step
//! goes to whom, by which channel, on which day, and whether the wording may say "cancer".

use std::collections::BTreeSet;

use chrono::{Days, NaiveDate};
use serde::{Deserialize, Serialize};

use super::eligibility::followable_tumors;
use super::policy::{ChannelPreference, FollowUpPolicy, LetterStep, Recipient};
use super::tasks::FollowUpTask;
use crate::domain::chronology::PatientHistory;
use crate::domain::codes::Behavior;
use crate::domain::records::{Address, Patient, Physician, Tumor};

/// The person a planned letter actually goes to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Addressee {
    /// The managing physician (#2460).
    ManagingPhysician,
    /// The follow-up physician (#2470).
    FollowUpPhysician,
    /// The patient, at the current address.
    Patient,
}

/// How a letter is delivered.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    /// A printed letter for the post.
    Print,
    /// An e-mail.
    Email,
}

/// The ways a recipient can be reached.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reach {
    /// A postal address a letter can go to (street plus city or postal code).
    pub postal: bool,
    /// An e-mail address is known.
    pub email: bool,
}

impl Reach {
    fn of(address: &Address, email: Option<&String>) -> Option<Self> {
        let postal =
            address.street.is_some() && (address.city.is_some() || address.postal_code.is_some());
        let email = email.is_some_and(|e| !e.trim().is_empty());
        (postal || email).then_some(Self { postal, email })
    }
}

/// Who can receive letters; `None` = unknown or unreachable.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Recipients {
    /// The managing physician (#2460).
    pub managing_physician: Option<Reach>,
    /// The follow-up physician (#2470), unless the same person as the managing physician.
    pub follow_up_physician: Option<Reach>,
    /// The patient.
    pub patient: Option<Reach>,
}

impl Recipients {
    /// From the patient record. A follow-up physician who is the managing physician (same NPI, or
    /// same name and address) counts as absent, so one doctor does not get both physician letters.
    pub fn of(patient: &Patient) -> Self {
        let reach = |p: &Physician| Reach::of(&p.address, p.email.as_ref());
        let same = |a: &Physician, b: &Physician| match (&a.npi, &b.npi) {
            (Some(x), Some(y)) => x == y,
            _ => a.name.is_some() && a.name == b.name && a.address == b.address,
        };
        let follow_up = match (&patient.physician_managing, &patient.physician_follow_up) {
            (Some(m), Some(f)) if same(m, f) => None,
            (_, f) => f.as_ref(),
        };
        Self {
            managing_physician: patient.physician_managing.as_ref().and_then(reach),
            follow_up_physician: follow_up.and_then(reach),
            patient: Reach::of(&patient.current_address, patient.email.as_ref()),
        }
    }
}

/// A letter already made in this cycle (queued, held, sent, printed, or cancelled by a registrar:
/// each counts as its step done).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SentLetter {
    /// Index of the step in `FollowUpPolicy::letters`.
    pub step_index: usize,
    /// Who it went to.
    pub addressee: Addressee,
    /// The day it was made; the next step counts its interval from here.
    pub sent_on: NaiveDate,
    /// The round of the sequence it belongs to (0 first).
    pub round: u32,
}

/// Everything the letter plan depends on for one task.
#[derive(Clone, Debug)]
pub struct LetterContext<'a> {
    /// The cycle the letters belong to.
    pub task: &'a FollowUpTask,
    /// Letters already made in this cycle.
    pub sent: &'a [SentLetter],
    /// A reply (or any contact) has come in for this cycle.
    pub replied: bool,
    /// A registrar holds one of the task's letters: nothing new until it is released or cancelled.
    pub held: bool,
    /// No-patient-contact flag (#1854) = 1.
    pub no_patient_contact: bool,
    /// Who can be reached, and how.
    pub recipients: Recipients,
}

impl<'a> LetterContext<'a> {
    /// The context for `task` of `patient`, reading recipients and the flag from the record.
    pub fn new(
        task: &'a FollowUpTask,
        patient: &Patient,
        sent: &'a [SentLetter],
        replied: bool,
    ) -> Self {
        Self {
            task,
            sent,
            replied,
            held: false,
            no_patient_contact: patient.no_contact(),
            recipients: Recipients::of(patient),
        }
    }
}

/// A letter to send (or to be sent on `send_on`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlannedLetter {
    /// Index of the step in `FollowUpPolicy::letters`.
    pub step_index: usize,
    /// The round of the sequence (0 first).
    pub round: u32,
    /// Who it goes to.
    pub addressee: Addressee,
    /// `physician`, `other_physician`, `patient` or `patient_second`.
    pub template: &'static str,
    /// How it goes.
    pub channel: Channel,
    /// The day it is due to go out.
    pub send_on: NaiveDate,
    /// `<cycle key>/letter/<step>` (`/r<round>` appended from the second round): at most one
    /// letter per step, round and cycle, however often the job runs.
    pub idempotency_key: String,
}

fn channel(pref: ChannelPreference, reach: Option<Reach>) -> Option<Channel> {
    let r = reach?;
    match pref {
        ChannelPreference::Print => r.postal.then_some(Channel::Print),
        ChannelPreference::Email => r.email.then_some(Channel::Email),
        ChannelPreference::EmailElsePrint => {
            if r.email {
                Some(Channel::Email)
            } else {
                r.postal.then_some(Channel::Print)
            }
        }
    }
}

/// The addressee and channel of `step`, or `None` when nobody can (or may) receive it.
fn resolve(step: &LetterStep, ctx: &LetterContext) -> Option<(Addressee, Channel)> {
    let r = &ctx.recipients;
    let patient = || {
        if ctx.no_patient_contact {
            None
        } else {
            channel(step.channel, r.patient).map(|c| (Addressee::Patient, c))
        }
    };
    let follow_up =
        || channel(step.channel, r.follow_up_physician).map(|c| (Addressee::FollowUpPhysician, c));
    match step.recipient {
        Recipient::ManagingPhysician => {
            channel(step.channel, r.managing_physician).map(|c| (Addressee::ManagingPhysician, c))
        }
        Recipient::FollowUpPhysician => follow_up(),
        Recipient::Patient => patient(),
        Recipient::FollowUpPhysicianOrPatient => follow_up().or_else(patient),
    }
}

fn add_days(date: NaiveDate, days: i64) -> NaiveDate {
    let n = Days::new(days.unsigned_abs());
    let moved = if days >= 0 { date.checked_add_days(n) } else { date.checked_sub_days(n) };
    moved.unwrap_or(if days >= 0 { NaiveDate::MAX } else { NaiveDate::MIN })
}

/// The letters still to come in this cycle, in order, with their dates.
///
/// - Nothing once the task is completed, a reply came in, or a registrar holds one of its letters.
/// - Steps run in order and never go back: steps before the last one made are passed over.
/// - A step nobody can receive (no such physician, no address, patient letters forbidden by the
///   no-patient-contact flag) is skipped and the next step takes its place in the timetable: the
///   n-th letter actually made goes at the n-th step's offset after the due date, and never sooner
///   after the previous letter than the steps' spacing, so a late run does not bunch letters.
/// - Lost patients are chased like the others: the lost date stops nothing.
/// - A round used up without an answer starts again `repeat_sequence_after_days` after its first
///   letter; without that setting the task waits for a registrar.
pub fn letter_plan(ctx: &LetterContext, policy: &FollowUpPolicy) -> Vec<PlannedLetter> {
    let task = ctx.task;
    if !task.state.is_active() || ctx.replied || ctx.held || policy.letters.is_empty() {
        return Vec::new();
    }
    let round = ctx.sent.iter().map(|s| s.round).max().unwrap_or(0);
    let this_round: Vec<SentLetter> =
        ctx.sent.iter().filter(|s| s.round == round).copied().collect();
    let first_offset = policy.letters[0].offset_days_after_due;
    let began = this_round.iter().map(|s| s.sent_on).min();
    let base = match (round, began) {
        (0, _) | (_, None) => task.clock.due_on,
        (_, Some(day)) => add_days(day, -first_offset),
    };
    let plan = plan_round(ctx, policy, round, &this_round, base);
    match (plan.is_empty(), began, policy.repeat_sequence_after_days) {
        (true, Some(began), Some(days)) => {
            let base = add_days(began, i64::from(days) - first_offset);
            plan_round(ctx, policy, round + 1, &[], base)
        }
        _ => plan,
    }
}

/// The rest of one round: step `i` goes `offset_i` days after `base`.
fn plan_round(
    ctx: &LetterContext,
    policy: &FollowUpPolicy,
    round: u32,
    sent: &[SentLetter],
    base: NaiveDate,
) -> Vec<PlannedLetter> {
    let offsets: Vec<i64> = policy.letters.iter().map(|s| s.offset_days_after_due).collect();
    let sent_steps: BTreeSet<usize> = sent.iter().map(|s| s.step_index).collect();
    let last_sent = sent_steps.iter().max().copied();
    let mut slot = sent_steps.len();
    let mut previous = sent.iter().map(|s| s.sent_on).max();
    let mut patient_letters = sent.iter().filter(|s| s.addressee == Addressee::Patient).count();
    let mut plan = Vec::new();
    for (i, step) in policy.letters.iter().enumerate() {
        if last_sent.is_some_and(|l| i <= l) {
            continue;
        }
        let Some((addressee, channel)) = resolve(step, ctx) else {
            continue;
        };
        let offset = offsets.get(slot).copied().unwrap_or(step.offset_days_after_due);
        let mut send_on = add_days(base, offset);
        if let (Some(prev), Some(prev_offset)) =
            (previous, slot.checked_sub(1).and_then(|s| offsets.get(s)))
        {
            send_on = send_on.max(add_days(prev, offset - prev_offset));
        }
        let template = match addressee {
            Addressee::ManagingPhysician => "physician",
            Addressee::FollowUpPhysician => "other_physician",
            Addressee::Patient if patient_letters == 0 => "patient",
            Addressee::Patient => "patient_second",
        };
        if addressee == Addressee::Patient {
            patient_letters += 1;
        }
        let idempotency_key = match round {
            0 => format!("{}/letter/{i}", ctx.task.cycle_key),
            r => format!("{}/letter/{i}/r{r}", ctx.task.cycle_key),
        };
        plan.push(PlannedLetter {
            step_index: i,
            round,
            addressee,
            template,
            channel,
            send_on,
            idempotency_key,
        });
        previous = Some(send_on);
        slot += 1;
    }
    plan
}

/// The letter to make on `as_of`: the next one of [`letter_plan`] once its day has come, dated
/// `as_of` (the day it is made, from which the next step counts its interval). At most one per
/// call, because each letter waits for the reply to the one before; record it as a [`SentLetter`]
/// and the next call moves on.
pub fn letters_due(
    ctx: &LetterContext,
    policy: &FollowUpPolicy,
    as_of: NaiveDate,
) -> Vec<PlannedLetter> {
    letter_plan(ctx, policy)
        .into_iter()
        .take(1)
        .filter(|l| l.send_on <= as_of)
        .map(|l| PlannedLetter { send_on: as_of, ..l })
        .collect()
}

/// Whether letters about these tumors may say "cancer": false when every one is in situ (behavior 2)
/// or benign/borderline (0/1), and when there is none, so templates fall back to neutral wording
/// ("your condition", "your diagnosis"). Pass the followed tumors (see [`mentions_cancer_for`]).
pub fn mentions_cancer<'a>(tumors: impl IntoIterator<Item = &'a Tumor>) -> bool {
    tumors.into_iter().any(|t| t.behavior == Some(Behavior::Malignant))
}

/// [`mentions_cancer`] over the tumors of `history` that are followed under `policy`.
pub fn mentions_cancer_for(history: &PatientHistory, policy: &FollowUpPolicy) -> bool {
    mentions_cancer(followable_tumors(history, policy).into_iter().map(|(_, t)| t))
}
