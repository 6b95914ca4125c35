//! Who is followed: living patients with at least one analytic tumor that is not
//! excluded, unless the registry stopped following them or they are older than the age limit.

use std::fmt;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::clock::whole_years;
use super::policy::FollowUpPolicy;
use crate::domain::chronology::PatientHistory;
use crate::domain::codes::{Behavior, NextFollowUpSource};
use crate::domain::records::{Patient, Tumor};

/// Why one tumor does not call for follow-up.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", rename_all_fields = "camelCase", tag = "kind")]
pub enum TumorExclusion {
    /// Class of case 30–99: only analytic cases (00–22) are followed.
    NonAnalytic {
        /// The tumor's class of case (#610).
        class_of_case: String,
    },
    /// Diagnosed in the policy's excluded years (CoC: 1988–2004).
    DiagnosedInExcludedYears {
        /// The year of diagnosis.
        year: u16,
    },
    /// Behavior 0 or 1.
    BenignOrBorderline,
    /// Carcinoma in situ of the cervix uteri: C53.x with behavior 2.
    CervixInSitu,
    /// In situ or localized basal/squamous cell carcinoma of the skin.
    SkinBasalSquamous,
}

impl TumorExclusion {
    /// The reason as a key, the same for every tumor it applies to: `non_analytic`,
    /// `excluded_years`, `benign_or_borderline`, `cervix_in_situ`, `skin_basal_squamous`.
    pub fn key(&self) -> &'static str {
        match self {
            Self::NonAnalytic { .. } => "non_analytic",
            Self::DiagnosedInExcludedYears { .. } => "excluded_years",
            Self::BenignOrBorderline => "benign_or_borderline",
            Self::CervixInSitu => "cervix_in_situ",
            Self::SkinBasalSquamous => "skin_basal_squamous",
        }
    }

    /// The reason in plain words.
    pub fn description(&self) -> String {
        match self {
            Self::NonAnalytic { class_of_case } => {
                format!("not an analytic case (class of case {class_of_case})")
            }
            Self::DiagnosedInExcludedYears { year } => {
                format!("diagnosed in {year}, a year whose cases need no follow-up")
            }
            Self::BenignOrBorderline => "a benign or borderline tumor".to_string(),
            Self::CervixInSitu => "carcinoma in situ of the cervix".to_string(),
            Self::SkinBasalSquamous => {
                "in situ or localized basal or squamous cell carcinoma of the skin".to_string()
            }
        }
    }
}

/// Why a patient is not followed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", rename_all_fields = "camelCase", tag = "kind")]
pub enum NotFollowedReason {
    /// A contact records the patient dead.
    Dead,
    /// No tumor is recorded.
    NoTumor,
    /// Next follow-up source 8 on the latest contact that states one.
    ForeignResident,
    /// Next follow-up source 9 on the latest contact that states one.
    MarkedNotFollowed,
    /// Older than the policy's limit on the day asked about.
    OverMaxAge {
        /// The youngest age the patient can be.
        age: i32,
        /// The policy's limit.
        max: u16,
    },
    /// Every tumor is excluded; the distinct reasons, in tumor order.
    NoFollowableTumor {
        /// Each distinct reason once.
        reasons: Vec<TumorExclusion>,
    },
}

impl NotFollowedReason {
    /// A short machine name, e.g. for filters and metrics.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Dead => "dead",
            Self::NoTumor => "noTumor",
            Self::ForeignResident => "foreignResident",
            Self::MarkedNotFollowed => "markedNotFollowed",
            Self::OverMaxAge { .. } => "overMaxAge",
            Self::NoFollowableTumor { .. } => "noFollowableTumor",
        }
    }

    /// The reason in plain words.
    pub fn description(&self) -> String {
        match self {
            Self::Dead => "the patient has died".to_string(),
            Self::NoTumor => "no tumor is recorded for the patient".to_string(),
            Self::ForeignResident => {
                "the patient lives abroad and is not followed (next follow-up source 8)".to_string()
            }
            Self::MarkedNotFollowed => {
                "the registry marked the patient as not followed (next follow-up source 9)"
                    .to_string()
            }
            Self::OverMaxAge { age, max } => {
                format!("the patient is {age}, older than the follow-up limit of {max}")
            }
            Self::NoFollowableTumor { reasons } => {
                let list: Vec<String> = reasons.iter().map(TumorExclusion::description).collect();
                format!("no tumor needs follow-up: {}", list.join("; "))
            }
        }
    }
}

impl fmt::Display for NotFollowedReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.description())
    }
}

/// Whether a patient is followed, and for which tumors.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", rename_all_fields = "camelCase", tag = "status")]
pub enum Eligibility {
    /// Followed; the ids of the tumors that call for it.
    Followed {
        /// Ids of the followable tumors, in record order.
        tumor_ids: Vec<String>,
    },
    /// Not followed, and why.
    NotFollowed {
        /// The first reason that applies.
        reason: NotFollowedReason,
    },
}

impl Eligibility {
    /// Whether the patient is followed.
    pub fn is_followed(&self) -> bool {
        matches!(self, Self::Followed { .. })
    }
}

/// Why `tumor` needs no follow-up, or `None` when it is followable.
///
/// Exclusions from SEER's follow-up requirements (training.seer.cancer.gov/followup/intro/requirements.html)
/// and the CoC 1988–2004 rule, as the CoC counts them:
/// - benign/borderline: behavior 0 or 1;
/// - cervix in situ: primary site C53.0–C53.9 with behavior 2 (this includes CIN III, 8077/2);
/// - skin: primary site C44.0–C44.9 with histology 8000–8110, the range SEER treats as basal and
///   squamous cell skin carcinoma (carcinoma NOS, epithelial, squamous 8050–8089 and basal 8090–8110;
///   genital skin is coded to C51, C60 or C63.2, so it is not C44), when in situ (behavior 2) or
///   localized (Summary Stage 2018 = 1). Without a Summary Stage 2018 (diagnoses before 2018) an
///   invasive skin tumor is kept: not knowing the stage, following it is the safe side.
pub fn tumor_exclusion(tumor: &Tumor, policy: &FollowUpPolicy) -> Option<TumorExclusion> {
    if !tumor.is_analytic() {
        return Some(TumorExclusion::NonAnalytic {
            class_of_case: tumor.class_of_case.map_or_else(String::new, |c| c.code().to_string()),
        });
    }
    // An analytic tumor whose codes are not all known yet is followed: the safe side.
    if let Some(year) = tumor.dx_year()
        && policy.excluded_diagnosis_years.is_some_and(|r| r.contains(year))
    {
        return Some(TumorExclusion::DiagnosedInExcludedYears { year });
    }
    let behavior = tumor.behavior?;
    if matches!(behavior, Behavior::Benign | Behavior::Uncertain) {
        return Some(TumorExclusion::BenignOrBorderline);
    }
    let site = tumor.primary_site?.category();
    if site == 53 && behavior == Behavior::InSitu {
        return Some(TumorExclusion::CervixInSitu);
    }
    let basal_or_squamous = tumor.histology.is_some_and(|h| (8000..=8110).contains(&h.code()));
    // Summary Stage 2018 code 1 = localized.
    let localized = tumor.summary_stage_2018.is_some_and(|s| s.code() == "1");
    if site == 44 && basal_or_squamous && (behavior == Behavior::InSitu || localized) {
        return Some(TumorExclusion::SkinBasalSquamous);
    }
    None
}

/// The tumors of `history` that call for follow-up (analytic and not excluded).
pub fn followable_tumors<'a>(
    history: &PatientHistory<'a>,
    policy: &FollowUpPolicy,
) -> Vec<(&'a str, &'a Tumor)> {
    history.tumors.iter().filter(|(_, t)| tumor_exclusion(t, policy).is_none()).copied().collect()
}

/// The next follow-up source (#1800) in force: from the latest contact that states one. A contact that
/// leaves it blank does not undo an earlier "not followed", as NAACCR keeps the item's last value.
pub fn next_follow_up_source(history: &PatientHistory) -> Option<NextFollowUpSource> {
    history
        .contacts
        .iter()
        .filter_map(|(_, c)| c.next_follow_up_source.map(|s| (c.contact_date.latest(), s)))
        .max_by_key(|(d, _)| *d)
        .map(|(_, s)| s)
}

/// The youngest age the patient can be on `on`: a partial date of birth counts from its latest day,
/// so only a patient certainly over the limit is excluded. `None` when the date of birth is unknown.
pub fn youngest_age_on(patient: &Patient, on: NaiveDate) -> Option<i32> {
    patient.date_of_birth.map(|b| whole_years(b.latest(), on))
}

/// Whether the patient of `history` is followed on `as_of`, and why not.
///
/// Order: dead, no tumor, next follow-up source 8/9, age, then the tumors. "Older than 100" means whole
/// years over `max_age_years` (101 and up); an unknown date of birth never excludes.
pub fn eligibility(
    history: &PatientHistory,
    policy: &FollowUpPolicy,
    as_of: NaiveDate,
) -> Eligibility {
    let not = |reason| Eligibility::NotFollowed { reason };
    if history.date_of_death().is_some() {
        return not(NotFollowedReason::Dead);
    }
    if history.tumors.is_empty() {
        return not(NotFollowedReason::NoTumor);
    }
    if let Some(source) = next_follow_up_source(history)
        && source.excludes_follow_up()
    {
        return not(if source.code() == "8" {
            NotFollowedReason::ForeignResident
        } else {
            NotFollowedReason::MarkedNotFollowed
        });
    }
    if let Some(age) = youngest_age_on(history.patient, as_of)
        && age > i32::from(policy.max_age_years)
    {
        return not(NotFollowedReason::OverMaxAge { age, max: policy.max_age_years });
    }
    let mut reasons: Vec<TumorExclusion> = Vec::new();
    let mut tumor_ids = Vec::new();
    for (id, tumor) in &history.tumors {
        match tumor_exclusion(tumor, policy) {
            None => tumor_ids.push((*id).to_string()),
            Some(r) if !reasons.contains(&r) => reasons.push(r),
            Some(_) => {}
        }
    }
    if tumor_ids.is_empty() {
        not(NotFollowedReason::NoFollowableTumor { reasons })
    } else {
        Eligibility::Followed { tumor_ids }
    }
}
