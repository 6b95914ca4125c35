//! The CoC follow-up rate report: the worksheet computed by `domain::followup::worksheet` over
//! every patient (or those of one facility), each figure with a link to the patients behind it.

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;

use super::audit::{self, Action};
use super::followup::{BATCH, FollowUpConfig, Record, load_records};
use super::{Actor, PageRequest, Result, Role, ServiceError};
use crate::db::DbConn;
use crate::db::followup as q;
use crate::domain::Violation;
use crate::domain::followup::{EXCLUSION_REASONS, FollowUpRates, Worksheet, worksheet};
use crate::model::{
    ExcludedLine, FollowUpRateReport, LostPatient, Page, PatientMatch, WorksheetData, WorksheetYear,
};

/// Which population of the worksheet: all cases since the reference date, or the last five years.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Population {
    All,
    Recent,
}

impl Population {
    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "all" => Some(Self::All),
            "recent" => Some(Self::Recent),
            _ => None,
        }
    }

    fn as_str(&self) -> &'static str {
        match self {
            Self::All => "all",
            Self::Recent => "recent",
        }
    }
}

/// Where a figure's list lives.
struct Links<'a> {
    as_of: NaiveDate,
    facility: Option<&'a str>,
    population: Population,
}

impl Links<'_> {
    fn href(&self, line: &str, year: Option<i32>) -> String {
        let mut url = format!(
            "/api/v1/reports/followup-rate/patients?asOf={}&population={}&line={line}",
            self.as_of,
            self.population.as_str()
        );
        if let Some(y) = year {
            url.push_str(&format!("&year={y}"));
        }
        if let Some(f) = self.facility {
            url.push_str(&format!("&facility={f}"));
        }
        url
    }

    fn lines(&self, year: Option<i32>) -> BTreeMap<String, String> {
        ["A", "B", "D", "E"]
            .into_iter()
            .map(|l| (l.to_ascii_lowercase(), self.href(l, year)))
            .collect()
    }
}

fn sheet(w: &Worksheet, numbers: &HashMap<String, String>, links: &Links) -> WorksheetData {
    WorksheetData {
        diagnosed_from: w.diagnosed_from,
        a_eligible: w.a_eligible,
        b_dead: w.b_dead,
        c_living: w.c_living,
        d_current: w.d_current,
        e_lost: w.e_lost,
        follow_up_rate: w.follow_up_rate,
        lost_rate: w.lost_rate,
        target_percent: w.target_percent,
        meets_target: w.meets_target,
        lost: w
            .lost_patient_ids
            .iter()
            .map(|id| LostPatient {
                id: id.clone(),
                patient_id_number: numbers.get(id).cloned().unwrap_or_default(),
                href: format!("/api/v1/patients/{id}"),
            })
            .collect(),
        links: links.lines(None),
        excluded: EXCLUSION_REASONS
            .iter()
            .filter_map(|(reason, description)| {
                let ids = w.excluded.get(reason)?;
                Some(ExcludedLine {
                    reason: (*reason).to_string(),
                    description: (*description).to_string(),
                    count: u32::try_from(ids.len()).unwrap_or(u32::MAX),
                    href: links.href(reason, None),
                })
            })
            .collect(),
        years: w
            .years
            .iter()
            .map(|(year, line)| WorksheetYear {
                year: *year,
                a_eligible: line.a_eligible,
                b_dead: line.b_dead,
                d_current: line.d_current,
                e_lost: line.e_lost,
                follow_up_rate: line.follow_up_rate(),
                links: links.lines(Some(*year)),
            })
            .collect(),
    }
}

/// The worksheets on `as_of`. Loads the histories in batches and keeps them for the computation,
/// so memory grows with the registry (about 2 KB per patient).
fn compute(
    conn: &mut DbConn,
    cfg: &FollowUpConfig,
    as_of: NaiveDate,
    facility: Option<&str>,
) -> Result<FollowUpRates> {
    let mut records: Vec<Record> = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let ids = q::patient_ids(conn, facility, after.as_deref(), BATCH)?;
        let Some(last) = ids.last().cloned() else { break };
        records.extend(load_records(conn, &ids)?);
        after = Some(last);
    }
    Ok(worksheet(
        records.iter().map(|r| (r.row.id.as_str(), r.history())),
        &cfg.policy,
        cfg.reference_date,
        as_of,
    ))
}

pub fn followup_rate(
    conn: &mut DbConn,
    actor: &Actor,
    cfg: &FollowUpConfig,
    as_of: NaiveDate,
    facility: Option<&str>,
) -> Result<FollowUpRateReport> {
    actor.require(Role::Viewer)?;
    let rates = compute(conn, cfg, as_of, facility)?;
    let mut lost: Vec<String> = rates.all_since_reference.lost_patient_ids.clone();
    lost.extend(rates.last_five_years.lost_patient_ids.iter().cloned());
    lost.sort();
    lost.dedup();
    let numbers = super::read(conn, actor, |c| {
        let mut numbers = HashMap::new();
        for chunk in lost.chunks(BATCH as usize) {
            numbers.extend(q::patient_numbers(c, chunk)?);
        }
        let ids: Vec<&str> = lost.iter().map(String::as_str).collect();
        audit::record(c, actor, Action::Read, "patient", &ids)?;
        Ok::<_, ServiceError>(numbers)
    })?;
    let links = |population| Links { as_of, facility, population };
    Ok(FollowUpRateReport {
        as_of,
        reference_date: cfg.reference_date,
        facility: facility.map(str::to_string),
        all_since_reference: sheet(&rates.all_since_reference, &numbers, &links(Population::All)),
        last_five_years: sheet(&rates.last_five_years, &numbers, &links(Population::Recent)),
    })
}

/// The figure a drill-down asks for.
#[derive(Clone, Debug)]
pub struct FigureQuery {
    pub as_of: NaiveDate,
    pub facility: Option<String>,
    pub population: Population,
    /// `A`, `B`, `D`, `E` or an exclusion reason.
    pub line: String,
    pub year: Option<i32>,
}

/// The patients behind one figure of the worksheet, in words, a page at a time (audited).
pub fn patients_behind(
    conn: &mut DbConn,
    actor: &Actor,
    cfg: &FollowUpConfig,
    query: &FigureQuery,
    page: &PageRequest,
) -> Result<Page<PatientMatch>> {
    actor.require(Role::Viewer)?;
    let known = ["A", "B", "D", "E"].contains(&query.line.as_str())
        || EXCLUSION_REASONS.iter().any(|(r, _)| *r == query.line);
    if !known {
        return Err(ServiceError::Invalid(vec![Violation {
            field: "line".into(),
            rule: "enum",
            message: "line is A, B, D, E or an exclusion reason of the worksheet".into(),
        }]));
    }
    let after = page.after()?;
    let rates = compute(conn, cfg, query.as_of, query.facility.as_deref())?;
    let sheet = match query.population {
        Population::All => &rates.all_since_reference,
        Population::Recent => &rates.last_five_years,
    };
    let ids = sheet.patients_behind(&query.line, query.year);
    let start = match &after {
        Some(a) => ids.partition_point(|id| id <= a),
        None => 0,
    };
    let rows: Vec<String> = ids.into_iter().skip(start).take(page.limit() as usize + 1).collect();
    let (rows, next_cursor) = page.page(rows, |r| r.as_str());
    super::read(conn, actor, |c| {
        let found: Vec<&str> = rows.iter().map(String::as_str).collect();
        audit::record(c, actor, Action::Read, "patient", &found)?;
        let words = super::worklist::patients_in_words(c, &rows)?;
        let items = rows
            .iter()
            .filter_map(|id| {
                let patient = words.get(id)?.clone();
                Some(PatientMatch {
                    href: format!("/api/v1/patients/{id}"),
                    id: id.clone(),
                    vital_status: patient.vital_status.clone(),
                    patient,
                })
            })
            .collect();
        Ok(Page { items, next_cursor })
    })
}
