//! The CoC follow-up rate worksheet:
//! A eligible, B dead, C living, D current, E lost; rate (B + D) / A, lost rate E / A.

use std::collections::BTreeMap;

use chrono::{Datelike, Months, NaiveDate};
use serde::{Deserialize, Serialize};

use super::clock::schedule;
use super::eligibility::{next_follow_up_source, tumor_exclusion, youngest_age_on};
use super::policy::FollowUpPolicy;
use crate::domain::chronology::PatientHistory;

/// One population's worksheet.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Worksheet {
    /// First day of diagnosis counted (the population's start).
    pub diagnosed_from: NaiveDate,
    /// A: eligible patients.
    pub a_eligible: u32,
    /// B: of A, dead.
    pub b_dead: u32,
    /// C = A − B: living.
    pub c_living: u32,
    /// D: of C, a contact within the lost offset (15 months) before the report day.
    pub d_current: u32,
    /// E = C − D: lost.
    pub e_lost: u32,
    /// (B + D) / A; `None` when A is 0.
    pub follow_up_rate: Option<f64>,
    /// E / A; `None` when A is 0.
    pub lost_rate: Option<f64>,
    /// The target rate in percent (90 or 80 by default).
    pub target_percent: u8,
    /// (B + D) / A ≥ target, in exact integer arithmetic; true when A is 0 (nobody to follow).
    pub meets_target: bool,
    /// The patients behind E, sorted, for the drill-down.
    pub lost_patient_ids: Vec<String>,
    /// The patients behind B and D, sorted (A is B, D and E together).
    pub dead_patient_ids: Vec<String>,
    /// The patients behind D, sorted.
    pub current_patient_ids: Vec<String>,
    /// Patients with a case in the window who are left out, by reason (see [`EXCLUSION_REASONS`]),
    /// each list sorted.
    pub excluded: BTreeMap<&'static str, Vec<String>>,
    /// The worksheet line by line per year of diagnosis (of the patient's first eligible case in
    /// the window).
    pub years: BTreeMap<i32, YearLine>,
    /// The year each patient on A counts under.
    #[serde(skip)]
    pub year_of: std::collections::HashMap<String, i32>,
}

/// Why a patient with a case in the window is not on the worksheet: the tumor reasons of
/// [`TumorExclusion::key`] (when no case of the patient is eligible), then the patient's own.
pub const EXCLUSION_REASONS: [(&str, &str); 7] = [
    ("non_analytic", "not an analytic case (class of case 30-99)"),
    ("excluded_years", "diagnosed in a year whose cases need no follow-up"),
    ("benign_or_borderline", "a benign or borderline tumor"),
    ("cervix_in_situ", "carcinoma in situ of the cervix"),
    ("skin_basal_squamous", "in situ or localized basal or squamous cell carcinoma of the skin"),
    ("foreign_resident", "a foreign resident (next follow-up source 8)"),
    ("over_max_age", "living and older than the policy's age limit"),
];

/// One year of diagnosis on a worksheet.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct YearLine {
    /// A.
    pub a_eligible: u32,
    /// B.
    pub b_dead: u32,
    /// D.
    pub d_current: u32,
    /// E.
    pub e_lost: u32,
}

impl YearLine {
    /// (B + D) / A; `None` when A is 0.
    pub fn follow_up_rate(&self) -> Option<f64> {
        (self.a_eligible > 0)
            .then(|| f64::from(self.b_dead + self.d_current) / f64::from(self.a_eligible))
    }
}

impl Worksheet {
    /// The sorted patients behind one figure: `A`, `B`, `D`, `E` or an exclusion reason key,
    /// optionally of one year of diagnosis (lines A–E only).
    pub fn patients_behind(&self, line: &str, year: Option<i32>) -> Vec<String> {
        let in_year = |id: &String| year.is_none_or(|y| self.year_of.get(id) == Some(&y));
        let mut ids: Vec<String> = match line {
            "A" => self
                .dead_patient_ids
                .iter()
                .chain(&self.current_patient_ids)
                .chain(&self.lost_patient_ids)
                .filter(|id| in_year(id))
                .cloned()
                .collect(),
            "B" => self.dead_patient_ids.iter().filter(|id| in_year(id)).cloned().collect(),
            "D" => self.current_patient_ids.iter().filter(|id| in_year(id)).cloned().collect(),
            "E" => self.lost_patient_ids.iter().filter(|id| in_year(id)).cloned().collect(),
            reason => self.excluded.get(reason).cloned().unwrap_or_default(),
        };
        ids.sort();
        ids
    }

    fn new(diagnosed_from: NaiveDate, target_percent: u8) -> Self {
        Self {
            diagnosed_from,
            a_eligible: 0,
            b_dead: 0,
            c_living: 0,
            d_current: 0,
            e_lost: 0,
            follow_up_rate: None,
            lost_rate: None,
            target_percent,
            meets_target: true,
            lost_patient_ids: Vec::new(),
            dead_patient_ids: Vec::new(),
            current_patient_ids: Vec::new(),
            excluded: BTreeMap::new(),
            years: BTreeMap::new(),
            year_of: std::collections::HashMap::new(),
        }
    }

    fn add(&mut self, patient_id: &str, outcome: Outcome, year: i32) {
        self.a_eligible += 1;
        self.year_of.insert(patient_id.to_string(), year);
        let line = self.years.entry(year).or_default();
        line.a_eligible += 1;
        match outcome {
            Outcome::Dead => {
                self.b_dead += 1;
                line.b_dead += 1;
                self.dead_patient_ids.push(patient_id.to_string());
            }
            Outcome::Current => {
                self.c_living += 1;
                self.d_current += 1;
                line.d_current += 1;
                self.current_patient_ids.push(patient_id.to_string());
            }
            Outcome::Lost => {
                self.c_living += 1;
                self.e_lost += 1;
                line.e_lost += 1;
                self.lost_patient_ids.push(patient_id.to_string());
            }
        }
    }

    fn exclude(&mut self, patient_id: &str, reason: &'static str) {
        self.excluded.entry(reason).or_default().push(patient_id.to_string());
    }

    fn finish(&mut self) {
        let a = self.a_eligible;
        if a > 0 {
            self.follow_up_rate = Some(f64::from(self.b_dead + self.d_current) / f64::from(a));
            self.lost_rate = Some(f64::from(self.e_lost) / f64::from(a));
        }
        self.meets_target = u64::from(self.b_dead + self.d_current) * 100
            >= u64::from(self.target_percent) * u64::from(a);
        for ids in
            [&mut self.lost_patient_ids, &mut self.dead_patient_ids, &mut self.current_patient_ids]
                .into_iter()
                .chain(self.excluded.values_mut())
        {
            ids.sort();
            ids.dedup();
        }
    }
}

/// Both CoC rates on one day.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FollowUpRates {
    /// The report day.
    pub as_of: NaiveDate,
    /// Everything diagnosed since the reference date; target 80% by default.
    pub all_since_reference: Worksheet,
    /// Diagnosed in the last five years or since the reference date, whichever is shorter; target 90%.
    pub last_five_years: Worksheet,
}

#[derive(Clone, Copy)]
enum Outcome {
    Dead,
    Current,
    Lost,
}

/// The worksheets for `patients` (id and history) on `as_of`.
///
/// Counting unit: the **patient**. DLC and vital status belong to the patient, and the
/// CoC standard speaks of "eligible analytic patients", so a patient with two eligible primaries counts
/// once; a population takes the patient when at least one eligible tumor was diagnosed in its window.
///
/// Eligible tumor: analytic (class 00–22), not cervix in situ, not benign/borderline, not in situ or
/// localized basal/squamous skin, not diagnosed in the policy's excluded years (1988–2004), as in
/// [`tumor_exclusion`]. Patients left out: foreign residents (next follow-up source 8) and living
/// patients older than `max_age_years`. Next follow-up source 9 ("not followed") is **not** an
/// exclusion: the registry's own decision to stop must not lift its rate, so those patients count
/// and usually land in E.
///
/// Windows, by the latest day a (partial) date of diagnosis can stand for:
/// - all since reference: diagnosed on or after `reference_date` and not after `as_of`;
/// - last five years: diagnosed on or after the later of `reference_date` and `as_of` minus 60
///   calendar months (clamped at month end), and not after `as_of`.
///
/// Only what was known on `as_of` counts: contacts dated after it are ignored, so a report for a past
/// day can be recomputed. D = living with a date of last contact whose lost date (see
/// [`schedule`]) is after `as_of` — the same rule that makes a follow-up task lost.
pub fn worksheet<'a, I, S>(
    patients: I,
    policy: &FollowUpPolicy,
    reference_date: NaiveDate,
    as_of: NaiveDate,
) -> FollowUpRates
where
    I: IntoIterator<Item = (S, PatientHistory<'a>)>,
    S: AsRef<str>,
{
    let five_years_ago = as_of.checked_sub_months(Months::new(60)).unwrap_or(NaiveDate::MIN);
    let mut all = Worksheet::new(reference_date, policy.target_percent_all);
    let mut recent =
        Worksheet::new(reference_date.max(five_years_ago), policy.target_percent_recent);
    for (id, history) in patients {
        let known = known_on(&history, as_of);
        // Every case diagnosed by the report day, with why it is not eligible (if it is not).
        let cases: Vec<(NaiveDate, Option<&'static str>)> = known
            .tumors
            .iter()
            .filter_map(|(_, t)| {
                let dx = t.date_of_diagnosis?;
                (dx.earliest() <= as_of)
                    .then(|| (dx.latest(), tumor_exclusion(t, policy).map(|e| e.key())))
            })
            .collect();
        let outcome = outcome(&known, policy, as_of);
        for sheet in [&mut all, &mut recent] {
            let in_window: Vec<&(NaiveDate, Option<&'static str>)> =
                cases.iter().filter(|(dx, _)| *dx >= sheet.diagnosed_from).collect();
            let first_eligible =
                in_window.iter().filter(|(_, e)| e.is_none()).map(|(dx, _)| *dx).min();
            match (first_eligible, outcome) {
                (Some(dx), Ok(o)) => sheet.add(id.as_ref(), o, dx.year()),
                (Some(_), Err(reason)) => sheet.exclude(id.as_ref(), reason),
                (None, _) => {
                    if let Some(reason) = in_window.iter().find_map(|(_, e)| *e) {
                        sheet.exclude(id.as_ref(), reason);
                    }
                }
            }
        }
    }
    all.finish();
    recent.finish();
    FollowUpRates { as_of, all_since_reference: all, last_five_years: recent }
}

/// The history without contacts dated after `as_of`.
fn known_on<'a>(history: &PatientHistory<'a>, as_of: NaiveDate) -> PatientHistory<'a> {
    let mut known = history.clone();
    known.contacts.retain(|(_, c)| c.contact_date.earliest() <= as_of);
    known
}

/// Dead, current or lost; the reason key for a patient left out of the worksheet altogether.
fn outcome(
    history: &PatientHistory,
    policy: &FollowUpPolicy,
    as_of: NaiveDate,
) -> Result<Outcome, &'static str> {
    if next_follow_up_source(history).is_some_and(|s| s.code() == "8") {
        return Err("foreign_resident");
    }
    if history.date_of_death().is_some() {
        return Ok(Outcome::Dead);
    }
    if youngest_age_on(history.patient, as_of).is_some_and(|a| a > i32::from(policy.max_age_years))
    {
        return Err("over_max_age");
    }
    let (dlc, _) = history.follow_up_state();
    let current = dlc.is_some_and(|d| !schedule(&d, policy).is_lost(as_of));
    Ok(if current { Outcome::Current } else { Outcome::Lost })
}
