//! Bulk queries for NAACCR import and export: a few statements per batch of patients, multi-row
//! inserts. Written once for both backends except the inserts, which match on the backend.

use diesel::prelude::*;

use super::rows::*;
use super::schema::*;
use super::{DbConn, MultiBackend};

type QResult<T> = Result<T, diesel::result::Error>;

macro_rules! insert_all {
    ($conn:expr, $table:expr, $rows:expr) => {{
        insert_many!($conn, $table, $rows);
        Ok(())
    }};
}

pub fn insert_patients(conn: &mut DbConn, rows: &[PatientRow]) -> QResult<()> {
    insert_all!(conn, patients::table, rows)
}

pub fn insert_tumors(conn: &mut DbConn, rows: &[TumorRow]) -> QResult<()> {
    insert_all!(conn, tumors::table, rows)
}

pub fn insert_treatments(conn: &mut DbConn, rows: &[TreatmentRow]) -> QResult<()> {
    insert_all!(conn, treatments::table, rows)
}

pub fn insert_contacts(conn: &mut DbConn, rows: &[ContactRow]) -> QResult<()> {
    insert_all!(conn, contacts::table, rows)
}

pub fn insert_contact_tumors(conn: &mut DbConn, rows: &[ContactTumorRow]) -> QResult<()> {
    insert_all!(conn, contact_tumors::table, rows)
}

pub fn insert_audit_events(conn: &mut DbConn, rows: &[AuditEventRow]) -> QResult<()> {
    insert_all!(conn, audit_events::table, rows)
}

pub fn insert_submission_tumors(conn: &mut DbConn, rows: &[SubmissionTumorRow]) -> QResult<()> {
    insert_all!(conn, submission_tumors::table, rows)
}

pub fn insert_export_forms(conn: &mut DbConn, rows: &[ExportFormRow]) -> QResult<()> {
    insert_all!(conn, export_forms::table, rows)
}

pub fn delete_export_forms(conn: &mut DbConn, patient_ids: &[&str]) -> QResult<()> {
    if patient_ids.is_empty() {
        return Ok(());
    }
    diesel::delete(export_forms::table.filter(export_forms::patient_id.eq_any(patient_ids)))
        .execute(conn)
        .map(|_| ())
}

/// A stored export form: (form, passes, checked on).
pub type StoredForm = (Vec<u8>, bool, chrono::NaiveDate);

/// The next page of patients in id order, with their stored export forms.
pub fn forms_after(
    conn: &mut DbConn,
    after: Option<&str>,
    limit: i64,
) -> QResult<Vec<(String, Option<StoredForm>)>> {
    let after = after.unwrap_or_default().to_string();
    // The key bound on both sides lets PostgreSQL's generic plan for this prepared statement (a
    // merge join) start both index scans at the page instead of at the first form.
    let forms = export_forms::table.on(export_forms::patient_id
        .eq(patients::id)
        .and(export_forms::patient_id.gt(after.clone())));
    let form = (export_forms::form, export_forms::passes, export_forms::checked_on);
    patients::table
        .left_join(forms)
        .filter(patients::id.gt(after))
        .order(patients::id)
        .limit(limit)
        .select((patients::id, form.nullable()))
        .load(conn)
}

pub fn patients_by_id(conn: &mut DbConn, ids: &[&str]) -> QResult<Vec<PatientState>> {
    patients::table
        .filter(patients::id.eq_any(ids))
        .order(patients::id)
        .select(PatientState::as_select())
        .load(conn)
}

pub fn patients_by_number(conn: &mut DbConn, numbers: &[&str]) -> QResult<Vec<PatientState>> {
    patients::table
        .filter(patients::patient_id_number.eq_any(numbers))
        .select(PatientState::as_select())
        .load(conn)
}

pub fn tumors_of(conn: &mut DbConn, patient_ids: &[&str]) -> QResult<Vec<TumorState>> {
    tumors::table
        .filter(tumors::patient_id.eq_any(patient_ids))
        .order(tumors::id)
        .select(TumorState::as_select())
        .load(conn)
}

pub fn treatments_of(conn: &mut DbConn, tumor_ids: &[&str]) -> QResult<Vec<TreatmentState>> {
    treatments::table
        .filter(treatments::tumor_id.eq_any(tumor_ids))
        .order(treatments::id)
        .select(TreatmentState::as_select())
        .load(conn)
}

pub fn contacts_of(conn: &mut DbConn, patient_ids: &[&str]) -> QResult<Vec<ContactDoc>> {
    contacts::table
        .filter(contacts::patient_id.eq_any(patient_ids))
        .order(contacts::id)
        .select(ContactDoc::as_select())
        .load(conn)
}

/// (tumor id, content hash, batch time) of every batch that carried a tumor of these patients.
pub fn sent_hashes(
    conn: &mut DbConn,
    patient_ids: &[&str],
    record_type: &str,
    naaccr_version: &str,
) -> QResult<Vec<(String, String, chrono::NaiveDateTime)>> {
    let tumor_ids = tumors::table.filter(tumors::patient_id.eq_any(patient_ids)).select(tumors::id);
    submission_tumors::table
        .inner_join(submissions::table)
        .filter(submission_tumors::tumor_id.eq_any(tumor_ids))
        .filter(submission_tumors::included)
        .filter(submissions::voided_at.is_null())
        .filter(submissions::record_type.eq(record_type))
        .filter(submissions::naaccr_version.eq(naaccr_version))
        .select((
            submission_tumors::tumor_id,
            submission_tumors::content_hash,
            submissions::created_at,
        ))
        .load(conn)
}

// Updates by an import, which drops the changed patients' export forms once per batch.

pub fn update_patient(conn: &mut DbConn, id: &str, change: &PatientChange) -> QResult<()> {
    diesel::update(patients::table.find(id)).set(change).execute(conn).map(|_| ())
}

/// Stores derived edit findings and status: the record's version stays.
pub fn set_tumor_findings(
    conn: &mut DbConn,
    id: &str,
    findings: &(Option<String>, String),
) -> QResult<()> {
    diesel::update(tumors::table.find(id))
        .set((tumors::findings.eq(&findings.0), tumors::edit_status.eq(&findings.1)))
        .execute(conn)
        .map(|_| ())
}

/// Stores derived edit findings and status: the record's version stays.
pub fn set_patient_findings(
    conn: &mut DbConn,
    id: &str,
    findings: &(Option<String>, String),
) -> QResult<()> {
    diesel::update(patients::table.find(id))
        .set((patients::findings.eq(&findings.0), patients::edit_status.eq(&findings.1)))
        .execute(conn)
        .map(|_| ())
}

pub fn update_tumor(conn: &mut DbConn, id: &str, change: &TumorChange) -> QResult<()> {
    diesel::update(tumors::table.find(id)).set(change).execute(conn).map(|_| ())
}

pub fn update_treatment(conn: &mut DbConn, id: &str, change: &TreatmentChange) -> QResult<()> {
    diesel::update(treatments::table.find(id)).set(change).execute(conn).map(|_| ())
}

pub fn set_follow_up_state(
    conn: &mut DbConn,
    id: &str,
    dlc: Option<String>,
    vital: &str,
) -> QResult<()> {
    super::repo::set_follow_up_state(conn, id, dlc, vital)
}

// --- submissions ----------------------------------------------------------------------------------

pub fn insert_submission(conn: &mut DbConn, row: &SubmissionRow) -> QResult<()> {
    diesel::insert_into(submissions::table).values(row).execute(conn).map(|_| ())
}

/// Stores the final counts and hash of a batch.
pub fn finish_submission(conn: &mut DbConn, row: &SubmissionRow) -> QResult<()> {
    diesel::update(submissions::table.find(&row.id))
        .set((
            submissions::patient_count.eq(row.patient_count),
            submissions::tumor_count.eq(row.tumor_count),
            submissions::excluded_count.eq(row.excluded_count),
            submissions::byte_count.eq(row.byte_count),
            submissions::sha256.eq(&row.sha256),
            submissions::skipped.eq(&row.skipped),
        ))
        .execute(conn)
        .map(|_| ())
}

pub fn get_submission(conn: &mut DbConn, id: &str) -> QResult<Option<SubmissionRow>> {
    submissions::table.find(id).select(SubmissionRow::as_select()).first(conn).optional()
}

pub fn list_submissions(
    conn: &mut DbConn,
    after: Option<&str>,
    limit: i64,
) -> QResult<Vec<SubmissionRow>> {
    let mut q = submissions::table.into_boxed::<MultiBackend>();
    if let Some(a) = after {
        q = q.filter(submissions::id.lt(a.to_string()));
    }
    q.order(submissions::id.desc()).limit(limit).select(SubmissionRow::as_select()).load(conn)
}

/// The tumors a batch left out, with their reasons (at most `limit`).
/// The patients whose tumors a batch's file carries.
pub fn submission_patients(conn: &mut DbConn, submission_id: &str) -> QResult<Vec<String>> {
    submission_tumors::table
        .inner_join(tumors::table.on(tumors::id.eq(submission_tumors::tumor_id)))
        .filter(submission_tumors::submission_id.eq(submission_id))
        .filter(submission_tumors::included.eq(true))
        .select(tumors::patient_id)
        .distinct()
        .order(tumors::patient_id)
        .load(conn)
}

pub fn excluded_of(
    conn: &mut DbConn,
    submission_id: &str,
    limit: i64,
) -> QResult<Vec<SubmissionTumorRow>> {
    submission_tumors::table
        .filter(submission_tumors::submission_id.eq(submission_id))
        // Written out, not bound: a planner matches only a literal `NOT included` to the partial
        // index `submission_tumors_excluded`.
        .filter(diesel::dsl::not(submission_tumors::included))
        .order(submission_tumors::tumor_id)
        .limit(limit)
        .select(SubmissionTumorRow::as_select())
        .load(conn)
}

/// Tombstones no batch reported yet, of one facility when given.
pub fn unreported_tombstones(
    conn: &mut DbConn,
    facility: Option<&str>,
) -> QResult<Vec<TombstoneRow>> {
    let mut q = tumor_tombstones::table
        .filter(tumor_tombstones::reported_in.is_null())
        .into_boxed::<MultiBackend>();
    if let Some(f) = facility {
        q = q.filter(tumor_tombstones::reporting_facility.eq(f.to_string()));
    }
    q.order(tumor_tombstones::tumor_id).select(TombstoneRow::as_select()).load(conn)
}

/// Marks tombstones as reported by a batch.
pub fn report_tombstones(conn: &mut DbConn, ids: &[&str], batch: &str) -> QResult<()> {
    diesel::update(tumor_tombstones::table.filter(tumor_tombstones::tumor_id.eq_any(ids)))
        .set(tumor_tombstones::reported_in.eq(batch))
        .execute(conn)
        .map(|_| ())
}

/// The tombstones a batch reported.
pub fn tombstones_of(conn: &mut DbConn, batch: &str) -> QResult<Vec<TombstoneRow>> {
    tumor_tombstones::table
        .filter(tumor_tombstones::reported_in.eq(batch))
        .order(tumor_tombstones::tumor_id)
        .select(TombstoneRow::as_select())
        .load(conn)
}

/// Voids a batch not voided yet: its tumors count as not sent, its tombstones as not reported.
pub fn void_submission(
    conn: &mut DbConn,
    id: &str,
    at: chrono::NaiveDateTime,
    by: &str,
    reason: &str,
) -> QResult<bool> {
    let n = diesel::update(
        submissions::table.filter(submissions::id.eq(id)).filter(submissions::voided_at.is_null()),
    )
    .set((
        submissions::voided_at.eq(Some(at)),
        submissions::voided_by.eq(Some(by)),
        submissions::void_reason.eq(Some(reason)),
    ))
    .execute(conn)?;
    diesel::update(tumor_tombstones::table.filter(tumor_tombstones::reported_in.eq(id)))
        .set(tumor_tombstones::reported_in.eq(None::<String>))
        .execute(conn)?;
    Ok(n == 1)
}
