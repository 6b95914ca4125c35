//! Draws one synthetic patient with tumors, treatment and contacts from a seeded random source.

use chrono::{Datelike, Duration, NaiveDate};
use rand::Rng;
use rand::rngs::StdRng;

use super::profiles::{CITIES, FIRST_NAMES, LAST_NAMES, PROFILES, Profile};
use crate::domain::PartialDate;
use crate::domain::codes::*;
use crate::domain::edits::Overrides;
use crate::domain::identifiers::{Npi, PatientIdNumber, Ssn};
use crate::domain::records::*;

/// A patient as generated, with record ids drawn from the same seeded source.
pub struct SynthPatient {
    pub id: String,
    pub patient: Patient,
    /// Tumor ids, in the order of `tumors`.
    pub ids: Vec<String>,
    pub tumors: Vec<Tumor>,
    /// (treatment id, tumor index, treatment)
    pub treatments: Vec<(String, usize, Treatment)>,
    pub contacts: Vec<Contact>,
}

fn pick<'a, T>(rng: &mut StdRng, items: &'a [T]) -> &'a T {
    &items[rng.random_range(0..items.len())]
}

fn weighted<'a, T>(rng: &mut StdRng, items: &'a [(T, u32)]) -> &'a T {
    let total: u32 = items.iter().map(|(_, w)| w).sum();
    let mut n = rng.random_range(0..total.max(1));
    for (item, w) in items {
        if n < *w {
            return item;
        }
        n -= w;
    }
    &items[0].0
}

fn profile(rng: &mut StdRng, sex: char, not: &[&str]) -> &'static Profile {
    let fits: Vec<(&Profile, u32)> = PROFILES
        .iter()
        .filter(|p| p.sex.is_none_or(|s| s == sex) && !not.contains(&p.name))
        .map(|p| (p, p.weight))
        .collect();
    let chosen: &&Profile = weighted(rng, &fits);
    chosen
}

/// A standard normal draw (Box–Muller), to shape ages.
fn normal(rng: &mut StdRng) -> f64 {
    let u1: f64 = rng.random_range(f64::EPSILON..1.0);
    let u2: f64 = rng.random::<f64>();
    (-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos()
}

fn code<T>(r: Result<T, crate::domain::RuleError>) -> T {
    // The profiles hold valid codes; a typo there is a programming error caught by the demo test.
    r.unwrap_or_else(|e| panic!("demo profile code: {e}"))
}

/// A physician from a seeded pool of 500: synthetic name, valid NPI, some with e-mail.
pub fn physician(n: u32) -> Physician {
    let base = 1_000_000_000u64 + u64::from(n) * 10;
    let npi = (0..10).map(|d| base + d).map(|v| v.to_string()).find_map(|s| Npi::parse(&s).ok());
    let (city, state, zip, _) = CITIES[(n as usize) % CITIES.len()];
    Physician {
        name: Some(format!("Dr. Synthetic Physician {n:03}")),
        npi,
        address: Address {
            street: Some(format!("{} Clinic Way", 100 + n)),
            city: Some(city.into()),
            state: Some(state.into()),
            postal_code: Some(zip.into()),
            country: None,
        },
        email: (!n.is_multiple_of(5)).then(|| format!("physician{n:03}@clinic.example.org")),
    }
}

fn partial(d: NaiveDate) -> PartialDate {
    PartialDate::from_naive(d)
}

fn grade_for(
    t_dx: NaiveDate,
    hist: u16,
    heme: bool,
    rng: &mut StdRng,
) -> (Option<Grade>, Option<Grade2018>) {
    if t_dx.year() < 2018 {
        let g = if heme {
            if (9590..=9729).contains(&hist) || hist == 9823 { "6" } else { "9" }
        } else {
            *pick(rng, &["1", "2", "3", "9"])
        };
        (Some(code(Grade::parse(g))), None)
    } else {
        let g = if heme { "9" } else { *pick(rng, &["1", "2", "3", "9"]) };
        (None, Some(code(Grade2018::parse(g))))
    }
}

/// Deterministic time-ordered ids: a UUIDv7 whose clock is the demo's base time plus a counter.
pub struct Ids {
    pub base_millis: u64,
    pub next: u64,
}

impl Ids {
    pub fn id(&mut self, rng: &mut StdRng) -> String {
        let random: [u8; 10] = rng.random();
        let millis = self.base_millis + self.next / 64;
        self.next += 1;
        uuid::Builder::from_unix_timestamp_millis(millis, &random).into_uuid().to_string()
    }
}

/// Draws patient number `n` diagnosed within 25 years before `as_of`.
pub fn patient(
    rng: &mut StdRng,
    ids: &mut Ids,
    number: u32,
    as_of: NaiveDate,
    physicians: u32,
) -> SynthPatient {
    let sex = if rng.random_bool(0.5) { '1' } else { '2' };
    let first = profile(rng, sex, &[]);
    let age =
        (first.age_mean + first.age_sd * normal(rng)).clamp(f64::from(first.min_age), 95.0) as i64;
    let window_days = 25 * 365;
    let dx = as_of - Duration::days(rng.random_range(30..window_days));
    let birth = dx - Duration::days(age * 365 + rng.random_range(0..365));
    let (city, state, zip, county) = *pick(rng, CITIES);
    let race = *weighted(
        rng,
        &[("01", 75), ("02", 13), ("04", 2), ("05", 1), ("06", 2), ("96", 2), ("99", 5)],
    );
    let origin = *weighted(rng, &[("0", 82), ("1", 8), ("2", 2), ("6", 3), ("9", 5)]);
    let managing = rng.random_range(0..physicians);
    let following = rng.random_range(0..physicians);
    let patient = Patient {
        patient_id_number: code(PatientIdNumber::parse(&number.to_string())),
        name_last: Some((*pick(rng, LAST_NAMES)).to_string()),
        name_first: Some((*pick(rng, FIRST_NAMES)).to_string()),
        name_middle: None,
        date_of_birth: Some(partial(birth)),
        sex_assigned_at_birth: Some(code(SexAssignedAtBirth::parse(&sex.to_string()))),
        race: [Some(code(Race::parse(race))), None, None, None, None],
        spanish_hispanic_origin: Some(code(SpanishHispanicOrigin::parse(origin))),
        // 9xx area numbers are never issued as SSNs: plainly synthetic.
        ssn: Some(code(Ssn::parse(&format!("9{:08}", number % 100_000_000)))),
        current_address: Address {
            street: Some(format!("{} Example Street", 1 + number % 9000)),
            city: Some(city.into()),
            state: Some(state.into()),
            postal_code: Some(zip.into()),
            country: Some("USA".into()),
        },
        phone: Some(format!("555{:07}", number % 10_000_000)),
        email: rng.random_bool(0.3).then(|| format!("patient{number}@mail.example.org")),
        address_at_diagnosis: AddressAtDiagnosis {
            city: Some(city.into()),
            state: Some(state.into()),
            postal_code: Some(zip.into()),
            county: Some(county.into()),
        },
        physician_managing: Some(physician(managing)),
        physician_follow_up: (following != managing).then(|| physician(following)),
        no_patient_contact_flag: Some(code(NoPatientContactFlag::parse(
            if rng.random_bool(0.02) { "1" } else { "0" },
        ))),
    };

    // 1–3 primaries, each a different site, diagnosed in order.
    let count = *weighted(rng, &[(1usize, 85), (2, 12), (3, 3)]);
    let mut drawn: Vec<(&Profile, NaiveDate)> = vec![(first, dx)];
    for _ in 1..count {
        let last = drawn.last().map_or(dx, |(_, d)| *d);
        let next = last + Duration::days(rng.random_range(200..3000));
        if next >= as_of - Duration::days(30) {
            break;
        }
        let names: Vec<&str> = drawn.iter().map(|(p, _)| p.name).collect();
        drawn.push((profile(rng, sex, &names), next));
    }
    let several = drawn.len() > 1;
    let id = ids.id(rng);
    let mut out = SynthPatient {
        id,
        patient,
        ids: vec![],
        tumors: vec![],
        treatments: vec![],
        contacts: vec![],
    };
    for (i, (p, tdx)) in drawn.iter().enumerate() {
        let tumor = tumor(rng, p, *tdx, i, several, number);
        out.ids.push(ids.id(rng));
        for (m, c, days) in p.treatment {
            if *tdx + Duration::days(i64::from(*days) + 42) < as_of {
                let rx = treatment(m, c, *tdx, *days, &tumor);
                out.treatments.push((ids.id(rng), i, rx));
            }
        }
        out.tumors.push(tumor);
    }

    // Yearly contacts from the first diagnosis; a death ends them, a few patients are lost.
    let lost = rng.random_bool(0.05);
    let stop = if lost { as_of - Duration::days(rng.random_range(500..1500)) } else { as_of };
    let mut contacts = Vec::new();
    for year in 1.. {
        let date = dx + Duration::days(365 * year + rng.random_range(-20..20));
        if date >= stop {
            break;
        }
        let active: Vec<usize> =
            drawn.iter().enumerate().filter(|(_, (_, d))| *d < date).map(|(i, _)| i).collect();
        let hazard = active.iter().map(|i| drawn[*i].0.yearly_death).fold(0.0, f64::max);
        let tumors: Vec<TumorStatus> = active
            .iter()
            .map(|i| TumorStatus {
                tumor_id: out.ids[*i].clone(),
                cancer_status: code(CancerStatus::parse(if rng.random_bool(0.1) {
                    "2"
                } else {
                    "1"
                })),
            })
            .collect();
        if rng.random_bool(hazard.min(0.9)) {
            let cause = active.last().map_or("7797", |i| drawn[*i].0.cause_of_death);
            contacts.push(Contact {
                contact_date: partial(date),
                vital_status: VitalStatus::DEAD,
                follow_up_source: code(FollowUpSource::parse("7")),
                next_follow_up_source: None,
                cause_of_death: Some(code(CauseOfDeath::parse(cause))),
                tumors,
                note: None,
            });
            break;
        }
        let source = *pick(rng, &["0", "1", "2", "2", "3"]);
        let next = if rng.random_bool(0.005) { "8" } else { *pick(rng, &["1", "1", "2", "0"]) };
        contacts.push(Contact {
            contact_date: partial(date),
            vital_status: VitalStatus::ALIVE,
            follow_up_source: code(FollowUpSource::parse(source)),
            next_follow_up_source: Some(code(NextFollowUpSource::parse(next))),
            cause_of_death: None,
            tumors,
            note: None,
        });
    }
    // Registries keep the recent history; older yearly contacts were summarized at conversion.
    let keep_from = contacts.len().saturating_sub(8);
    out.contacts = contacts.split_off(keep_from);
    out
}

fn tumor(
    rng: &mut StdRng,
    p: &Profile,
    dx: NaiveDate,
    index: usize,
    several: bool,
    number: u32,
) -> Tumor {
    let site: &&str = pick(rng, p.sites);
    let site = code(Topography::parse(site));
    let morph = *weighted(rng, p.morphologies);
    let (h, b) = morph.split_once('/').unwrap_or((morph, "3"));
    let histology = code(Histology::parse(h));
    let behavior = code(Behavior::parse(b));
    let paired = matches!(site.category(), 50 | 34 | 64)
        || (site.category() == 44 && matches!(site.subsite(), 5..=7));
    let laterality = if paired { *pick(rng, &["1", "2"]) } else { "0" };
    let in_situ = behavior == Behavior::InSitu;
    let (grade, g2018) = grade_for(dx, histology.code(), p.heme, rng);
    let confirmation = if p.heme && dx.year() >= 2010 { "3" } else { "1" };
    let stage = if dx.year() < 2018 {
        None
    } else if p.heme {
        // Leukemias and myeloma are systemic: distant (7) in Summary Stage 2018.
        Some("7")
    } else if in_situ {
        Some("0")
    } else {
        Some(*weighted(rng, &[("1", 50), ("2", 15), ("3", 15), ("4", 5), ("7", 12), ("9", 3)]))
    };
    let sequence = if several { format!("{:02}", index + 1) } else { "00".into() };
    let class = *weighted(
        rng,
        &[
            ("14", 55),
            ("10", 10),
            ("13", 10),
            ("22", 10),
            ("21", 5),
            ("00", 5),
            ("30", 3),
            ("32", 2),
        ],
    );
    let facility = format!("00061000{:02}", 1 + number % 10);
    Tumor {
        primary_site: Some(site),
        histology: Some(histology),
        behavior: Some(behavior),
        grade,
        grade_clinical: g2018,
        grade_pathological: g2018,
        grade_post_therapy_clin: None,
        grade_post_therapy: None,
        laterality: Some(code(Laterality::parse(laterality))),
        date_of_diagnosis: Some(partial(dx)),
        diagnostic_confirmation: Some(code(DiagnosticConfirmation::parse(confirmation))),
        type_of_reporting_source: Some(code(TypeOfReportingSource::parse("1"))),
        sequence_number_hospital: Some(code(SequenceNumber::parse(&sequence))),
        class_of_case: Some(code(ClassOfCase::parse(class))),
        reporting_facility: Some(facility),
        accession_number_hosp: Some(format!(
            "{}{:05}",
            dx.year(),
            (number * 3 + index as u32) % 100_000
        )),
        summary_stage_2018: stage.map(|s| code(SummaryStage2018::parse(s))),
        date_of_1st_contact: Some(partial(dx)),
        overrides: Overrides::none(),
    }
}

fn treatment(modality: &str, raw: &str, dx: NaiveDate, days: u32, tumor: &Tumor) -> Treatment {
    let modality = code(Modality::parse(modality));
    // Surgery is coded with the four-character #1291 codes from 2023 on.
    let raw = if modality == Modality::Surgery && dx.year() >= 2023 {
        format!("A{raw}0")
    } else {
        raw.to_string()
    };
    let start = dx + Duration::days(i64::from(days));
    let end = matches!(modality, Modality::Radiation | Modality::Chemotherapy)
        .then(|| start + Duration::days(42));
    let _ = tumor;
    Treatment {
        modality,
        code: code(TreatmentCode::parse(modality, &raw)),
        first_course: true,
        start_date: Some(partial(start)),
        end_date: end.map(partial),
        facility: None,
        text: None,
    }
}
