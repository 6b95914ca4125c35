//! The CoC follow-up rate report: the worksheet computed by
//! `domain::followup::worksheet` over every patient (or those of one facility).

use chrono::NaiveDate;

use super::audit::{self, Action};
use super::followup::{BATCH, FollowUpConfig, Record, load_records};
use super::{Actor, Result, Role};
use crate::db::DbConn;
use crate::db::followup as q;
use crate::domain::followup::{Worksheet, worksheet};
use crate::dto::{FollowUpRateReport, LostPatient, WorksheetData};

fn sheet(w: &Worksheet, numbers: &std::collections::HashMap<String, String>) -> WorksheetData {
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
    }
}

/// The worksheet on `as_of`. Loads the histories in batches and keeps them for the computation, so
/// memory grows with the registry (about 2 KB per patient).
pub fn followup_rate(
    conn: &mut DbConn,
    actor: &Actor,
    cfg: &FollowUpConfig,
    as_of: NaiveDate,
    facility: Option<&str>,
) -> Result<FollowUpRateReport> {
    actor.require(Role::Viewer)?;
    let mut records: Vec<Record> = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let ids = q::patient_ids(conn, facility, after.as_deref(), BATCH)?;
        let Some(last) = ids.last().cloned() else { break };
        records.extend(load_records(conn, &ids)?);
        after = Some(last);
    }
    let rates = worksheet(
        records.iter().map(|r| (r.row.id.as_str(), r.history())),
        &cfg.policy,
        cfg.reference_date,
        as_of,
    );
    let mut lost: Vec<String> = rates.all_since_reference.lost_patient_ids.clone();
    lost.extend(rates.last_five_years.lost_patient_ids.iter().cloned());
    lost.sort();
    lost.dedup();
    let numbers = crate::db::transaction(conn, |c| {
        let mut numbers = std::collections::HashMap::new();
        for chunk in lost.chunks(BATCH as usize) {
            numbers.extend(q::patient_numbers(c, chunk)?);
        }
        let ids: Vec<&str> = lost.iter().map(String::as_str).collect();
        audit::record(c, actor, Action::Read, "patient", &ids)?;
        Ok::<_, super::ServiceError>(numbers)
    })?;
    Ok(FollowUpRateReport {
        as_of,
        reference_date: cfg.reference_date,
        facility: facility.map(str::to_string),
        all_since_reference: sheet(&rates.all_since_reference, &numbers),
        last_five_years: sheet(&rates.last_five_years, &numbers),
    })
}
