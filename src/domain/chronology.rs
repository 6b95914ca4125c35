//! Date-order rules across one patient's records, and the follow-up state derived from contacts.
//!
//! birth ≤ diagnosis ≤ treatment and contacts ≤ death, nothing in the future. Partial dates are compared
//! only on the parts both know, so `2019` never conflicts with `2019-07-14`.

use chrono::NaiveDate;

use super::codes::VitalStatus;
use super::partial_date::PartialDate;
use super::records::{Contact, Patient, Treatment, Tumor};
use super::validation::Violation;

/// Which record a write touches; violations are reported on its fields.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Focus {
    Patient,
    Tumor(String),
    Treatment(String),
    Contact(String),
}

/// One patient with everything recorded about them, as it would be after a write.
#[derive(Clone, Debug)]
pub struct PatientHistory<'a> {
    pub patient: &'a Patient,
    pub tumors: Vec<(&'a str, &'a Tumor)>,
    /// (treatment id, tumor id, treatment)
    pub treatments: Vec<(&'a str, &'a str, &'a Treatment)>,
    pub contacts: Vec<(&'a str, &'a Contact)>,
}

/// A record of the history by borrowed id: checking a write compares every dated fact with the
/// record in focus, once per record the write touches, so the ids are not copied.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Key<'a> {
    Patient,
    Tumor(&'a str),
    Treatment(&'a str),
    Contact(&'a str),
}

impl Key<'_> {
    fn is(self, focus: &Focus) -> bool {
        match (self, focus) {
            (Key::Patient, Focus::Patient) => true,
            (Key::Tumor(a), Focus::Tumor(b))
            | (Key::Treatment(a), Focus::Treatment(b))
            | (Key::Contact(a), Focus::Contact(b)) => a == b,
            _ => false,
        }
    }
}

/// A dated fact, labelled with the record and field it comes from.
struct Dated<'a> {
    focus: Key<'a>,
    field: &'static str,
    what: &'static str,
    date: &'a PartialDate,
}

impl PatientHistory<'_> {
    /// The date of death: the earliest contact that records the patient dead.
    pub fn date_of_death(&self) -> Option<PartialDate> {
        self.contacts
            .iter()
            .filter(|(_, c)| c.vital_status.is_dead())
            .map(|(_, c)| c.contact_date)
            .min_by_key(PartialDate::earliest)
    }

    /// Date of last contact (#1750) and vital status (#1760), derived from the contact history.
    /// Without contacts, the latest first-contact or diagnosis date stands in (the patient was alive then).
    pub fn follow_up_state(&self) -> (Option<PartialDate>, VitalStatus) {
        let last_contact =
            self.contacts.iter().map(|(_, c)| c.contact_date).max_by_key(PartialDate::latest);
        let vital =
            if self.date_of_death().is_some() { VitalStatus::DEAD } else { VitalStatus::ALIVE };
        let dlc = last_contact.or_else(|| {
            self.tumors
                .iter()
                .flat_map(|(_, t)| [t.date_of_diagnosis, t.date_of_1st_contact])
                .flatten()
                .max_by_key(PartialDate::latest)
        });
        (dlc, vital)
    }

    /// Every date rule broken by the record in `focus`, as of `today`.
    pub fn check(&self, focus: &Focus, today: NaiveDate) -> Vec<Violation> {
        let mut out = self.future(focus, today);
        out.extend(self.order(focus));
        out
    }

    /// The dates of the record in `focus` that lie after `today`: no such date can be a value.
    pub fn future(&self, focus: &Focus, today: NaiveDate) -> Vec<Violation> {
        let today_p = PartialDate::from_naive(today);
        self.dated()
            .iter()
            .filter(|d| d.focus.is(focus) && d.date.is_after(&today_p))
            .map(|d| violation(d.field, "date.future", format!("{} is in the future", d.what)))
            .collect()
    }

    /// Every dated fact of the history, labelled with its record and field.
    fn dated(&self) -> Vec<Dated<'_>> {
        let birth = self.patient.date_of_birth.as_ref();
        let mut dated: Vec<Dated> = Vec::with_capacity(
            1 + 2 * self.tumors.len() + 2 * self.treatments.len() + self.contacts.len(),
        );
        if let Some(b) = birth {
            dated.push(Dated {
                focus: Key::Patient,
                field: "dateOfBirth",
                what: "the date of birth",
                date: b,
            });
        }
        for (id, t) in &self.tumors {
            let f = Key::Tumor(id);
            if let Some(d) = &t.date_of_diagnosis {
                dated.push(Dated {
                    focus: f,
                    field: "dateOfDiagnosis",
                    what: "the date of diagnosis",
                    date: d,
                });
            }
            if let Some(d) = &t.date_of_1st_contact {
                dated.push(Dated {
                    focus: f,
                    field: "dateOf1stContact",
                    what: "the date of first contact",
                    date: d,
                });
            }
        }
        for (id, _, rx) in &self.treatments {
            let f = Key::Treatment(id);
            if let Some(d) = &rx.start_date {
                dated.push(Dated {
                    focus: f,
                    field: "startDate",
                    what: "the treatment start date",
                    date: d,
                });
            }
            if let Some(d) = &rx.end_date {
                dated.push(Dated {
                    focus: f,
                    field: "endDate",
                    what: "the treatment end date",
                    date: d,
                });
            }
        }
        for (id, c) in &self.contacts {
            dated.push(Dated {
                focus: Key::Contact(id),
                field: "contactDate",
                what: "the contact date",
                date: &c.contact_date,
            });
        }
        dated
    }

    /// Every order rule (birth, diagnosis, treatment, contact, death) broken by the record in `focus`.
    pub fn order(&self, focus: &Focus) -> Vec<Violation> {
        let mut out = Vec::new();
        let dated = self.dated();

        // Birth comes first.
        if let Some(b) = dated.iter().find(|d| d.focus == Key::Patient) {
            for d in dated.iter().filter(|d| d.focus != Key::Patient) {
                if d.date.is_before(b.date) {
                    pair(
                        &mut out,
                        focus,
                        d,
                        b,
                        "date.beforeBirth",
                        "is before the date of birth",
                        "is after",
                    );
                }
            }
        }

        // Treatment and contacts come after the diagnosis they belong to.
        for (rx_id, tumor_id, rx) in &self.treatments {
            let Some(tumor_dx) = self
                .tumors
                .iter()
                .find(|(id, _)| id == tumor_id)
                .and_then(|(_, t)| t.date_of_diagnosis.as_ref())
            else {
                continue;
            };
            let dx = Dated {
                focus: Key::Tumor(tumor_id),
                field: "dateOfDiagnosis",
                what: "the date of diagnosis",
                date: tumor_dx,
            };
            let f = Key::Treatment(rx_id);
            if let Some(start) = &rx.start_date {
                let d = Dated {
                    focus: f,
                    field: "startDate",
                    what: "the treatment start date",
                    date: start,
                };
                if start.is_before(tumor_dx) {
                    pair(
                        &mut out,
                        focus,
                        &d,
                        &dx,
                        "date.beforeDiagnosis",
                        "is before the date of diagnosis",
                        "is after",
                    );
                }
                if let Some(end) = &rx.end_date
                    && end.is_before(start)
                    && f.is(focus)
                {
                    out.push(violation(
                        "endDate",
                        "date.order",
                        "the treatment end date is before its start date",
                    ));
                }
            }
            if let Some(end) = &rx.end_date {
                let d =
                    Dated { focus: f, field: "endDate", what: "the treatment end date", date: end };
                if end.is_before(tumor_dx) {
                    pair(
                        &mut out,
                        focus,
                        &d,
                        &dx,
                        "date.beforeDiagnosis",
                        "is before the date of diagnosis",
                        "is after",
                    );
                }
            }
        }
        for (c_id, c) in &self.contacts {
            for ts in &c.tumors {
                let Some((t_id, tumor_dx)) = self
                    .tumors
                    .iter()
                    .find(|(id, _)| *id == ts.tumor_id)
                    .and_then(|(id, t)| Some((id, t.date_of_diagnosis.as_ref()?)))
                else {
                    continue;
                };
                if c.contact_date.is_before(tumor_dx) {
                    let d = Dated {
                        focus: Key::Contact(c_id),
                        field: "contactDate",
                        what: "the contact date",
                        date: &c.contact_date,
                    };
                    let dx = Dated {
                        focus: Key::Tumor(t_id),
                        field: "dateOfDiagnosis",
                        what: "the date of diagnosis",
                        date: tumor_dx,
                    };
                    pair(
                        &mut out,
                        focus,
                        &d,
                        &dx,
                        "date.beforeDiagnosis",
                        "is before the date of diagnosis of a tumor it reports on",
                        "is after a contact that reports on the tumor",
                    );
                }
            }
        }

        // Nothing after death.
        if let Some((death_id, death)) = self
            .contacts
            .iter()
            .filter(|(_, c)| c.vital_status.is_dead())
            .min_by_key(|(_, c)| c.contact_date.earliest())
        {
            let death_d = Dated {
                focus: Key::Contact(death_id),
                field: "contactDate",
                what: "the date of death",
                date: &death.contact_date,
            };
            for d in dated.iter().filter(|d| d.focus != death_d.focus) {
                if d.date.is_after(&death.contact_date) {
                    pair(
                        &mut out,
                        focus,
                        d,
                        &death_d,
                        "date.afterDeath",
                        "is after the date of death",
                        "is before",
                    );
                }
            }
            // A second death record is a contradiction, whatever its date.
            for (id, c) in &self.contacts {
                if c.vital_status.is_dead()
                    && *id != *death_id
                    && (Key::Contact(id).is(focus) || death_d.focus.is(focus))
                {
                    out.push(violation(
                        "vitalStatus",
                        "vitalStatus.deadTwice",
                        "the patient is already recorded as dead",
                    ));
                }
            }
        }
        // One finding per field and rule: the first conflict found says enough.
        let mut seen = std::collections::HashSet::new();
        out.retain(|v| seen.insert((v.field.clone(), v.rule)));
        out
    }
}

fn violation(field: &str, rule: &'static str, message: impl Into<String>) -> Violation {
    Violation { field: field.to_string(), rule, message: message.into() }
}

/// Reports a broken order between `later` (which should not be earlier) and `earlier` on whichever is in focus.
/// Dates are not echoed: they are protected health information.
fn pair(
    out: &mut Vec<Violation>,
    focus: &Focus,
    d: &Dated,
    other: &Dated,
    rule: &'static str,
    text: &str,
    reverse: &str,
) {
    if d.focus.is(focus) {
        out.push(violation(d.field, rule, format!("{} {text}", d.what)));
    } else if other.focus.is(focus) {
        out.push(violation(
            other.field,
            rule,
            format!("{} {reverse} {} already recorded", other.what, d.what),
        ));
    }
}
