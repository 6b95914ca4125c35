//! Queries, written once for both backends. Each function takes the connection it runs on, so callers
//! decide the transaction.

use diesel::dsl::exists;
use diesel::prelude::*;

use super::rows::*;
use super::schema::*;
use super::stamp::Stamp;
use super::{DbConn, MultiBackend};

type QResult<T> = Result<T, diesel::result::Error>;

/// List filters shared by the patient and tumor lists. A patient matches tumor filters when one of its
/// tumors does.
#[derive(Clone, Debug, Default)]
pub struct RecordFilter {
    pub site_from: Option<String>,
    pub site_to: Option<String>,
    pub histology: Option<String>,
    pub dx_year_from: Option<i32>,
    pub dx_year_to: Option<i32>,
    pub class_of_case: Option<String>,
    pub facility: Option<String>,
    pub vital_status: Option<String>,
    pub patient_id_number: Option<String>,
    /// Lower-case prefix of the last name, or of "last first".
    pub name_prefix: Option<String>,
    /// `clean`, `warnings` or `errors`: the listed record's own edit status.
    pub edit_status: Option<String>,
}

impl RecordFilter {
    fn has_tumor_filter(&self) -> bool {
        self.site_from.is_some()
            || self.site_to.is_some()
            || self.histology.is_some()
            || self.dx_year_from.is_some()
            || self.dx_year_to.is_some()
            || self.class_of_case.is_some()
            || self.facility.is_some()
    }
}

/// Escapes LIKE wildcards so a name prefix matches literally.
fn like_prefix(prefix: &str) -> String {
    let escaped = prefix.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_");
    format!("{escaped}%")
}

/// Applies the tumor filters to any query that has the `tumors` table in its FROM clause.
macro_rules! filter_tumors {
    ($q:ident, $f:expr) => {{
        let f: &RecordFilter = $f;
        if let Some(v) = &f.site_from {
            $q = $q.filter(tumors::primary_site.ge(v.clone()));
        }
        if let Some(v) = &f.site_to {
            $q = $q.filter(tumors::primary_site.le(v.clone()));
        }
        if let Some(v) = &f.histology {
            $q = $q.filter(tumors::histology.eq(v.clone()));
        }
        if let Some(v) = f.dx_year_from {
            $q = $q.filter(tumors::diagnosis_year.ge(v));
        }
        if let Some(v) = f.dx_year_to {
            $q = $q.filter(tumors::diagnosis_year.le(v));
        }
        if let Some(v) = &f.class_of_case {
            $q = $q.filter(tumors::class_of_case.eq(v.clone()));
        }
        if let Some(v) = &f.facility {
            $q = $q.filter(tumors::reporting_facility.eq(v.clone()));
        }
    }};
}

/// Applies the patient filters to any query that has the `patients` table in its FROM clause.
macro_rules! filter_patients {
    ($q:ident, $f:expr) => {{
        let f: &RecordFilter = $f;
        if let Some(v) = &f.vital_status {
            $q = $q.filter(patients::vital_status.eq(v.clone()));
        }
        if let Some(v) = &f.patient_id_number {
            $q = $q.filter(patients::patient_id_number.eq(v.clone()));
        }
        if let Some(v) = &f.name_prefix {
            $q = $q.filter(patients::name_search.like(like_prefix(v)).escape('\\'));
        }
    }};
}

// --- tokens -------------------------------------------------------------------------------------

pub fn insert_token(conn: &mut DbConn, row: &TokenRow) -> QResult<()> {
    diesel::insert_into(api_tokens::table).values(row).execute(conn).map(|_| ())
}

pub fn find_active_token(conn: &mut DbConn, hash: &str) -> QResult<Option<TokenRow>> {
    api_tokens::table
        .filter(api_tokens::token_hash.eq(hash))
        .filter(api_tokens::revoked_at.is_null())
        .select(TokenRow::as_select())
        .first(conn)
        .optional()
}

pub fn list_tokens(conn: &mut DbConn) -> QResult<Vec<TokenRow>> {
    api_tokens::table.order(api_tokens::id).select(TokenRow::as_select()).load(conn)
}

pub fn revoke_token(conn: &mut DbConn, id: &str, at: chrono::NaiveDateTime) -> QResult<usize> {
    diesel::update(
        api_tokens::table.filter(api_tokens::id.eq(id)).filter(api_tokens::revoked_at.is_null()),
    )
    .set(api_tokens::revoked_at.eq(Some(at)))
    .execute(conn)
}

pub fn count_tokens(conn: &mut DbConn) -> QResult<i64> {
    api_tokens::table.count().get_result(conn)
}

// --- users --------------------------------------------------------------------------------------

pub fn insert_user(conn: &mut DbConn, row: &UserRow) -> QResult<()> {
    diesel::insert_into(users::table).values(row).execute(conn).map(|_| ())
}

pub fn find_user_by_name(conn: &mut DbConn, name: &str) -> QResult<Option<UserRow>> {
    users::table.filter(users::name.eq(name)).select(UserRow::as_select()).first(conn).optional()
}

/// Every account, by name.
pub fn list_users(conn: &mut DbConn) -> QResult<Vec<UserRow>> {
    users::table.order(users::name).select(UserRow::as_select()).load(conn)
}

/// Stores the outcome of a sign-in: the failures counted so far and the lock they set.
pub fn set_sign_in_state(
    conn: &mut DbConn,
    id: &str,
    failed: i32,
    locked_until: Option<chrono::NaiveDateTime>,
) -> QResult<()> {
    diesel::update(users::table.filter(users::id.eq(id)))
        .set((users::failed_sign_ins.eq(failed), users::locked_until.eq(locked_until)))
        .execute(conn)
        .map(|_| ())
}

pub fn find_user(conn: &mut DbConn, id: &str) -> QResult<Option<UserRow>> {
    users::table.find(id).select(UserRow::as_select()).first(conn).optional()
}

pub fn insert_session(conn: &mut DbConn, row: &SessionRow) -> QResult<()> {
    diesel::insert_into(sessions::table).values(row).execute(conn).map(|_| ())
}

/// A session not yet ended.
pub fn find_open_session(conn: &mut DbConn, id: &str) -> QResult<Option<SessionRow>> {
    sessions::table
        .filter(sessions::id.eq(id))
        .filter(sessions::ended_at.is_null())
        .select(SessionRow::as_select())
        .first(conn)
        .optional()
}

pub fn touch_session(conn: &mut DbConn, id: &str, at: chrono::NaiveDateTime) -> QResult<()> {
    diesel::update(sessions::table.filter(sessions::id.eq(id)))
        .set(sessions::last_seen_at.eq(at))
        .execute(conn)
        .map(|_| ())
}

pub fn end_session(conn: &mut DbConn, id: &str, at: chrono::NaiveDateTime) -> QResult<()> {
    diesel::update(sessions::table.filter(sessions::id.eq(id)))
        .set(sessions::ended_at.eq(Some(at)))
        .execute(conn)
        .map(|_| ())
}

// --- audit --------------------------------------------------------------------------------------

pub fn insert_audit_events(conn: &mut DbConn, rows: &[AuditEventRow]) -> QResult<()> {
    insert_many!(conn, audit_events::table, rows);
    Ok(())
}

/// `%` and `_` match literally in the `LIKE` filters below.
fn like_literal(s: &str) -> String {
    s.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_")
}

/// Audit events, oldest first. The entity and id filters look into each event's records (a
/// scan: the log is read rarely and kept short by archiving).
pub fn list_audit(
    conn: &mut DbConn,
    after: Option<&str>,
    entity: Option<&str>,
    entity_id: Option<&str>,
    limit: i64,
) -> QResult<Vec<AuditEventRow>> {
    let mut q = audit_events::table.into_boxed::<MultiBackend>();
    if let Some(a) = after {
        q = q.filter(audit_events::id.gt(a.to_string()));
    }
    if let Some(e) = entity {
        let pattern = format!("%\"entity\":\"{}\"%", like_literal(e));
        q = q.filter(audit_events::records.like(pattern).escape('\\'));
    }
    if let Some(e) = entity_id {
        let pattern = format!("%\"{}\"%", like_literal(e));
        q = q.filter(audit_events::records.like(pattern).escape('\\'));
    }
    q.order(audit_events::id).limit(limit).select(AuditEventRow::as_select()).load(conn)
}

/// Up to `limit` events from before `before`, oldest first (for the archive).
pub fn audit_events_before(
    conn: &mut DbConn,
    before: chrono::NaiveDateTime,
    after_id: Option<&str>,
    limit: i64,
) -> QResult<Vec<AuditEventRow>> {
    let mut q = audit_events::table
        .filter(audit_events::at.lt(Stamp::from(before)))
        .into_boxed::<MultiBackend>();
    if let Some(a) = after_id {
        q = q.filter(audit_events::id.gt(a.to_string()));
    }
    q.order(audit_events::id).limit(limit).select(AuditEventRow::as_select()).load(conn)
}

pub fn delete_audit_events(conn: &mut DbConn, ids: &[String]) -> QResult<usize> {
    let mut n = 0;
    for chunk in ids.chunks(500) {
        n += diesel::delete(audit_events::table.filter(audit_events::id.eq_any(chunk)))
            .execute(conn)?;
    }
    Ok(n)
}

// --- export forms -------------------------------------------------------------------------------

// A patient's export form is derived from all its records, so every write below drops it; the next
// export computes it again.

fn drop_export_form(conn: &mut DbConn, patient_id: &str) -> QResult<()> {
    diesel::delete(export_forms::table.find(patient_id)).execute(conn).map(|_| ())
}

fn drop_export_form_of_tumor(conn: &mut DbConn, tumor_id: &str) -> QResult<()> {
    let patient = tumors::table.filter(tumors::id.eq(tumor_id)).select(tumors::patient_id);
    diesel::delete(export_forms::table.filter(export_forms::patient_id.eq_any(patient)))
        .execute(conn)
        .map(|_| ())
}

// --- patients -----------------------------------------------------------------------------------

pub fn insert_patient(conn: &mut DbConn, row: &PatientRow) -> QResult<()> {
    diesel::insert_into(patients::table).values(row).execute(conn).map(|_| ())
}

pub fn get_patient(conn: &mut DbConn, id: &str) -> QResult<Option<PatientRow>> {
    patients::table.find(id).select(PatientRow::as_select()).first(conn).optional()
}

pub fn patient_id_number_taken(conn: &mut DbConn, number: &str, except_id: &str) -> QResult<bool> {
    diesel::select(exists(
        patients::table
            .filter(patients::patient_id_number.eq(number))
            .filter(patients::id.ne(except_id)),
    ))
    .get_result(conn)
}

/// Writes `row` if the stored version is still `expected`; false when someone else changed it first.
pub fn update_patient(conn: &mut DbConn, row: &PatientRow, expected: i32) -> QResult<bool> {
    let n = diesel::update(
        patients::table.filter(patients::id.eq(&row.id)).filter(patients::version.eq(expected)),
    )
    .set(row)
    .execute(conn)?;
    drop_export_form(conn, &row.id)?;
    Ok(n == 1)
}

/// Stores the derived follow-up state without bumping the record version.
pub fn set_follow_up_state(
    conn: &mut DbConn,
    id: &str,
    dlc: Option<String>,
    vital_status: &str,
) -> QResult<()> {
    diesel::update(patients::table.find(id))
        .set((patients::date_of_last_contact.eq(dlc), patients::vital_status.eq(vital_status)))
        .execute(conn)?;
    drop_export_form(conn, id)
}

/// What a patient search may ask for; every given criterion must match.
#[derive(Clone, Debug, Default)]
pub struct PatientSearch {
    /// Prefix of the lower-case "last first".
    pub name_prefix: Option<String>,
    /// Birth date as stored (partial ISO), or a prefix of it (`1956`, `1956-03`).
    pub date_of_birth: Option<String>,
    pub patient_id_number: Option<String>,
    pub ssn_last_four: Option<String>,
}

/// (id, vital status) of the patients a search finds, by name then id; keyset on id within the name.
pub fn search_patients(
    conn: &mut DbConn,
    s: &PatientSearch,
    after: Option<(String, String)>,
    limit: i64,
) -> QResult<Vec<(String, String, String)>> {
    let mut q = patients::table
        .select((patients::id, patients::name_search, patients::vital_status))
        .into_boxed::<MultiBackend>();
    if let Some(v) = &s.name_prefix {
        q = q.filter(patients::name_search.like(like_prefix(v)).escape('\\'));
    }
    if let Some(v) = &s.date_of_birth {
        q = q.filter(patients::date_of_birth.like(like_prefix(v)).escape('\\'));
    }
    if let Some(v) = &s.patient_id_number {
        q = q.filter(patients::patient_id_number.eq(v.clone()));
    }
    if let Some(v) = &s.ssn_last_four {
        q = q.filter(patients::ssn_last_four.eq(v.clone()));
    }
    if let Some((name, id)) = after {
        q = q.filter(
            patients::name_search
                .gt(name.clone())
                .or(patients::name_search.eq(name).and(patients::id.gt(id))),
        );
    }
    q.order((patients::name_search, patients::id)).limit(limit).load(conn)
}

/// The name key of a patient, where a search page that ended on it continues.
pub fn patient_name_key(conn: &mut DbConn, id: &str) -> QResult<Option<String>> {
    patients::table.find(id).select(patients::name_search).first(conn).optional()
}

pub fn list_patients(
    conn: &mut DbConn,
    f: &RecordFilter,
    after: Option<&str>,
    limit: i64,
) -> QResult<Vec<PatientRow>> {
    if f.has_tumor_filter() {
        let mut q = patients::table
            .inner_join(tumors::table)
            .select(PatientRow::as_select())
            .distinct()
            .into_boxed::<MultiBackend>();
        filter_patients!(q, f);
        filter_tumors!(q, f);
        if let Some(v) = &f.edit_status {
            q = q.filter(patients::edit_status.eq(v.clone()));
        }
        if let Some(a) = after {
            q = q.filter(patients::id.gt(a.to_string()));
        }
        q.order(patients::id).limit(limit).load(conn)
    } else {
        let mut q = patients::table.select(PatientRow::as_select()).into_boxed::<MultiBackend>();
        filter_patients!(q, f);
        if let Some(v) = &f.edit_status {
            q = q.filter(patients::edit_status.eq(v.clone()));
        }
        if let Some(a) = after {
            q = q.filter(patients::id.gt(a.to_string()));
        }
        q.order(patients::id).limit(limit).load(conn)
    }
}

// --- tumors -------------------------------------------------------------------------------------

pub fn insert_tumor(conn: &mut DbConn, row: &TumorRow) -> QResult<()> {
    diesel::insert_into(tumors::table).values(row).execute(conn)?;
    drop_export_form(conn, &row.patient_id)
}

pub fn get_tumor(conn: &mut DbConn, id: &str) -> QResult<Option<TumorRow>> {
    tumors::table.find(id).select(TumorRow::as_select()).first(conn).optional()
}

pub fn update_tumor(conn: &mut DbConn, row: &TumorRow, expected: i32) -> QResult<bool> {
    let n = diesel::update(
        tumors::table.filter(tumors::id.eq(&row.id)).filter(tumors::version.eq(expected)),
    )
    .set(row)
    .execute(conn)?;
    drop_export_form(conn, &row.patient_id)?;
    Ok(n == 1)
}

pub fn tumors_of_patient(conn: &mut DbConn, patient_id: &str) -> QResult<Vec<TumorRow>> {
    tumors::table
        .filter(tumors::patient_id.eq(patient_id))
        .order(tumors::id)
        .select(TumorRow::as_select())
        .load(conn)
}

pub fn list_tumors(
    conn: &mut DbConn,
    f: &RecordFilter,
    patient_id: Option<&str>,
    after: Option<&str>,
    limit: i64,
) -> QResult<Vec<TumorRow>> {
    let mut q = tumors::table
        .inner_join(patients::table)
        .select(TumorRow::as_select())
        .into_boxed::<MultiBackend>();
    filter_tumors!(q, f);
    filter_patients!(q, f);
    if let Some(v) = &f.edit_status {
        q = q.filter(tumors::edit_status.eq(v.clone()));
    }
    if let Some(p) = patient_id {
        q = q.filter(tumors::patient_id.eq(p.to_string()));
    }
    if let Some(a) = after {
        q = q.filter(tumors::id.gt(a.to_string()));
    }
    q.order(tumors::id).limit(limit).load(conn)
}

// --- treatments ---------------------------------------------------------------------------------

pub fn insert_treatment(conn: &mut DbConn, row: &TreatmentRow) -> QResult<()> {
    diesel::insert_into(treatments::table).values(row).execute(conn)?;
    drop_export_form_of_tumor(conn, &row.tumor_id)
}

pub fn get_treatment(conn: &mut DbConn, id: &str) -> QResult<Option<TreatmentRow>> {
    treatments::table.find(id).select(TreatmentRow::as_select()).first(conn).optional()
}

pub fn update_treatment(conn: &mut DbConn, row: &TreatmentRow, expected: i32) -> QResult<bool> {
    let n = diesel::update(
        treatments::table
            .filter(treatments::id.eq(&row.id))
            .filter(treatments::version.eq(expected)),
    )
    .set(row)
    .execute(conn)?;
    drop_export_form_of_tumor(conn, &row.tumor_id)?;
    Ok(n == 1)
}

pub fn list_treatments(
    conn: &mut DbConn,
    tumor_id: &str,
    after: Option<&str>,
    limit: i64,
) -> QResult<Vec<TreatmentRow>> {
    let mut q = treatments::table
        .filter(treatments::tumor_id.eq(tumor_id.to_string()))
        .into_boxed::<MultiBackend>();
    if let Some(a) = after {
        q = q.filter(treatments::id.gt(a.to_string()));
    }
    q.order(treatments::id).limit(limit).select(TreatmentRow::as_select()).load(conn)
}

pub fn treatments_of_patient(conn: &mut DbConn, patient_id: &str) -> QResult<Vec<TreatmentRow>> {
    treatments::table
        .inner_join(tumors::table)
        .filter(tumors::patient_id.eq(patient_id))
        .order(treatments::id)
        .select(TreatmentRow::as_select())
        .load(conn)
}

// --- contacts -----------------------------------------------------------------------------------

pub fn insert_contact(
    conn: &mut DbConn,
    row: &ContactRow,
    tumors: &[ContactTumorRow],
) -> QResult<()> {
    diesel::insert_into(contacts::table).values(row).execute(conn)?;
    for t in tumors {
        diesel::insert_into(contact_tumors::table).values(t).execute(conn)?;
    }
    drop_export_form(conn, &row.patient_id)
}

pub fn get_contact(conn: &mut DbConn, id: &str) -> QResult<Option<ContactRow>> {
    contacts::table.find(id).select(ContactRow::as_select()).first(conn).optional()
}

pub fn update_contact(
    conn: &mut DbConn,
    row: &ContactRow,
    expected: i32,
    tumors: &[ContactTumorRow],
) -> QResult<bool> {
    let n = diesel::update(
        contacts::table.filter(contacts::id.eq(&row.id)).filter(contacts::version.eq(expected)),
    )
    .set(row)
    .execute(conn)?;
    if n != 1 {
        return Ok(false);
    }
    diesel::delete(contact_tumors::table.filter(contact_tumors::contact_id.eq(&row.id)))
        .execute(conn)?;
    for t in tumors {
        diesel::insert_into(contact_tumors::table).values(t).execute(conn)?;
    }
    drop_export_form(conn, &row.patient_id)?;
    Ok(true)
}

pub fn list_contacts(
    conn: &mut DbConn,
    patient_id: &str,
    after: Option<&str>,
    limit: i64,
) -> QResult<Vec<ContactRow>> {
    let mut q = contacts::table
        .filter(contacts::patient_id.eq(patient_id.to_string()))
        .into_boxed::<MultiBackend>();
    if let Some(a) = after {
        q = q.filter(contacts::id.gt(a.to_string()));
    }
    q.order(contacts::id).limit(limit).select(ContactRow::as_select()).load(conn)
}

pub fn contacts_of_patient(conn: &mut DbConn, patient_id: &str) -> QResult<Vec<ContactRow>> {
    contacts::table
        .filter(contacts::patient_id.eq(patient_id))
        .order(contacts::id)
        .select(ContactRow::as_select())
        .load(conn)
}

/// (tumor id, contact date, cancer status) of every contact that reported on one of `tumor_ids`.
pub fn cancer_statuses(
    conn: &mut DbConn,
    tumor_ids: &[&str],
) -> QResult<Vec<(String, String, String)>> {
    if tumor_ids.is_empty() {
        return Ok(vec![]);
    }
    contact_tumors::table
        .inner_join(contacts::table)
        .filter(
            contact_tumors::tumor_id
                .eq_any(tumor_ids.iter().map(|s| s.to_string()).collect::<Vec<_>>()),
        )
        .select((contact_tumors::tumor_id, contacts::contact_date, contact_tumors::cancer_status))
        .load(conn)
}

/// Stores a tumor's edit findings and status (derived: the record version stays).
pub fn set_tumor_findings(
    conn: &mut DbConn,
    id: &str,
    findings: Option<String>,
    status: &str,
) -> QResult<()> {
    diesel::update(tumors::table.find(id))
        .set((tumors::findings.eq(findings), tumors::edit_status.eq(status)))
        .execute(conn)
        .map(|_| ())
}

/// Stores a patient's edit findings and status (derived: the record version stays).
pub fn set_patient_findings(
    conn: &mut DbConn,
    id: &str,
    findings: Option<String>,
    status: &str,
) -> QResult<()> {
    diesel::update(patients::table.find(id))
        .set((patients::findings.eq(findings), patients::edit_status.eq(status)))
        .execute(conn)
        .map(|_| ())
}

// --- batches ------------------------------------------------------------------------------------

/// A page of patients in id order, for work over the whole registry.
/// What the batch readers need of a tumor: no timestamps to parse, no findings.
#[derive(Queryable, Debug)]
pub struct TumorDoc {
    pub id: String,
    pub patient_id: String,
    pub reporting_facility: Option<String>,
    pub diagnosis_year: Option<i32>,
    pub data: String,
    pub items: Option<String>,
}

/// (id, document, item map) of the next page of patients in id order.
pub fn patient_docs_page(
    conn: &mut DbConn,
    after: Option<&str>,
    limit: i64,
) -> QResult<Vec<(String, String, Option<String>)>> {
    let mut q = patients::table
        .select((patients::id, patients::data, patients::items))
        .into_boxed::<MultiBackend>();
    if let Some(a) = after {
        q = q.filter(patients::id.gt(a.to_string()));
    }
    q.order(patients::id).limit(limit).load(conn)
}

/// Ids of the patients with two or more tumors, in id order.
pub fn patients_with_several_tumors(conn: &mut DbConn) -> QResult<Vec<String>> {
    use diesel::dsl::count_star;
    tumors::table
        .group_by(tumors::patient_id)
        .having(count_star().gt(1))
        .select(tumors::patient_id)
        .order(tumors::patient_id)
        .load(conn)
}

pub fn tumor_docs_of_patients(conn: &mut DbConn, ids: &[String]) -> QResult<Vec<TumorDoc>> {
    tumors::table
        .filter(tumors::patient_id.eq_any(ids))
        .order(tumors::id)
        .select((
            tumors::id,
            tumors::patient_id,
            tumors::reporting_facility,
            tumors::diagnosis_year,
            tumors::data,
            tumors::items,
        ))
        .load(conn)
}

/// (id, tumor id, patient id, document) of the treatments of these patients.
pub fn treatment_docs_of_patients(
    conn: &mut DbConn,
    ids: &[String],
) -> QResult<Vec<(String, String, String, String)>> {
    treatments::table
        .inner_join(tumors::table)
        .filter(tumors::patient_id.eq_any(ids))
        .order(treatments::id)
        .select((treatments::id, treatments::tumor_id, tumors::patient_id, treatments::data))
        .load(conn)
}

/// (id, patient id, document) of the contacts of these patients.
pub fn contact_docs_of_patients(
    conn: &mut DbConn,
    ids: &[String],
) -> QResult<Vec<(String, String, String)>> {
    contacts::table
        .filter(contacts::patient_id.eq_any(ids))
        .order(contacts::id)
        .select((contacts::id, contacts::patient_id, contacts::data))
        .load(conn)
}

// --- edit runs ----------------------------------------------------------------------------------

pub fn insert_edit_run(conn: &mut DbConn, row: &EditRunRow) -> QResult<()> {
    diesel::insert_into(edit_runs::table).values(row).execute(conn).map(|_| ())
}

pub fn finish_edit_run(conn: &mut DbConn, row: &EditRunRow) -> QResult<()> {
    diesel::update(edit_runs::table.find(&row.id))
        .set((
            edit_runs::finished_at.eq(row.finished_at),
            edit_runs::tumors_checked.eq(row.tumors_checked),
            edit_runs::tumors_failing.eq(row.tumors_failing),
            edit_runs::counts.eq(&row.counts),
        ))
        .execute(conn)
        .map(|_| ())
}

pub fn get_edit_run(conn: &mut DbConn, id: &str) -> QResult<Option<EditRunRow>> {
    edit_runs::table.find(id).select(EditRunRow::as_select()).first(conn).optional()
}

pub fn insert_edit_run_failures(conn: &mut DbConn, rows: &[EditRunFailureRow]) -> QResult<()> {
    for row in rows {
        diesel::insert_into(edit_run_failures::table).values(row).execute(conn)?;
    }
    Ok(())
}

pub fn list_edit_run_failures(
    conn: &mut DbConn,
    run_id: &str,
    after: Option<&str>,
    limit: i64,
) -> QResult<Vec<EditRunFailureRow>> {
    let mut q = edit_run_failures::table
        .filter(edit_run_failures::run_id.eq(run_id.to_string()))
        .select(EditRunFailureRow::as_select())
        .into_boxed::<MultiBackend>();
    if let Some(a) = after {
        q = q.filter(edit_run_failures::tumor_id.gt(a.to_string()));
    }
    q.order(edit_run_failures::tumor_id).limit(limit).load(conn)
}

// --- bulk loading -------------------------------------------------------------------------------

/// Inserts many rows of each table in multi-row statements (demo data).
pub fn bulk_insert(
    conn: &mut DbConn,
    patient_rows: &[PatientRow],
    tumor_rows: &[TumorRow],
    treatment_rows: &[TreatmentRow],
    contact_rows: &[ContactRow],
    contact_tumor_rows: &[ContactTumorRow],
) -> QResult<()> {
    insert_many!(conn, patients::table, patient_rows);
    insert_many!(conn, tumors::table, tumor_rows);
    insert_many!(conn, treatments::table, treatment_rows);
    insert_many!(conn, contacts::table, contact_rows);
    insert_many!(conn, contact_tumors::table, contact_tumor_rows);
    Ok(())
}

/// The highest patient id number in use, to number new synthetic patients after it.
pub fn max_patient_id_number(conn: &mut DbConn) -> QResult<Option<String>> {
    patients::table.select(diesel::dsl::max(patients::patient_id_number)).first(conn)
}

// --- history ------------------------------------------------------------------------------------

pub fn insert_changes(conn: &mut DbConn, rows: &[RecordChangeRow]) -> QResult<()> {
    insert_many!(conn, record_changes::table, rows);
    Ok(())
}

/// When and by whom a record was created: (created_at, created_by); `None` when no `entity`
/// record has this id.
pub fn creation_of(conn: &mut DbConn, entity: &str, id: &str) -> QResult<Option<(Stamp, String)>> {
    macro_rules! of {
        ($t:ident) => {
            $t::table
                .find(id)
                .select(($t::created_at, $t::created_by))
                .first::<(Stamp, String)>(conn)
                .optional()
        };
    }
    match entity {
        "patient" => of!(patients),
        "tumor" => of!(tumors),
        "treatment" => of!(treatments),
        "contact" => of!(contacts),
        _ => Ok(None),
    }
}

/// The changes of one record in time order, after `after`.
pub fn changes_of(
    conn: &mut DbConn,
    entity_id: &str,
    after: Option<&str>,
    limit: i64,
) -> QResult<Vec<RecordChangeRow>> {
    let mut q = record_changes::table
        .filter(record_changes::entity_id.eq(entity_id.to_string()))
        .into_boxed::<MultiBackend>();
    if let Some(a) = after {
        q = q.filter(record_changes::id.gt(a.to_string()));
    }
    q.order(record_changes::id).limit(limit).select(RecordChangeRow::as_select()).load(conn)
}

// --- deletions ----------------------------------------------------------------------------------

/// Deletes a treatment still at version `expected`; false when it changed or is gone.
pub fn delete_treatment(conn: &mut DbConn, id: &str, expected: i32) -> QResult<bool> {
    let patient = tumors::table
        .inner_join(treatments::table)
        .filter(treatments::id.eq(id))
        .select(tumors::patient_id)
        .first::<String>(conn)
        .optional()?;
    let n = diesel::delete(
        treatments::table.filter(treatments::id.eq(id)).filter(treatments::version.eq(expected)),
    )
    .execute(conn)?;
    if let Some(p) = patient {
        drop_export_form(conn, &p)?;
    }
    Ok(n == 1)
}

/// Deletes a contact still at version `expected`, with the cancer statuses it reported.
pub fn delete_contact(
    conn: &mut DbConn,
    id: &str,
    patient_id: &str,
    expected: i32,
) -> QResult<bool> {
    let current = contacts::table
        .filter(contacts::id.eq(id))
        .select(contacts::version)
        .first::<i32>(conn)
        .optional()?;
    if current != Some(expected) {
        return Ok(false);
    }
    diesel::delete(contact_tumors::table.filter(contact_tumors::contact_id.eq(id)))
        .execute(conn)?;
    diesel::delete(contacts::table.filter(contacts::id.eq(id))).execute(conn)?;
    drop_export_form(conn, patient_id)?;
    Ok(true)
}

/// The contacts that report a cancer status for a tumor.
pub fn contacts_reporting_on(conn: &mut DbConn, tumor_id: &str) -> QResult<Vec<ContactRow>> {
    contacts::table
        .inner_join(contact_tumors::table)
        .filter(contact_tumors::tumor_id.eq(tumor_id))
        .select(ContactRow::as_select())
        .order(contacts::id)
        .load(conn)
}

/// Deletes a tumor still at version `expected`: its treatments and the cancer statuses contacts
/// reported for it go with it (the caller records their history first).
pub fn delete_tumor(conn: &mut DbConn, id: &str, patient_id: &str, expected: i32) -> QResult<bool> {
    let current = tumors::table
        .filter(tumors::id.eq(id))
        .select(tumors::version)
        .first::<i32>(conn)
        .optional()?;
    if current != Some(expected) {
        return Ok(false);
    }
    diesel::delete(treatments::table.filter(treatments::tumor_id.eq(id))).execute(conn)?;
    diesel::delete(contact_tumors::table.filter(contact_tumors::tumor_id.eq(id))).execute(conn)?;
    diesel::delete(tumors::table.filter(tumors::id.eq(id))).execute(conn)?;
    drop_export_form(conn, patient_id)?;
    Ok(true)
}

pub fn insert_tombstone(conn: &mut DbConn, row: &TombstoneRow) -> QResult<()> {
    diesel::insert_into(tumor_tombstones::table).values(row).execute(conn).map(|_| ())
}

/// How many tumors and contacts a patient has, and letters sent or printed about them.
pub fn patient_dependents(conn: &mut DbConn, patient_id: &str) -> QResult<(i64, i64, i64)> {
    let tumors: i64 =
        tumors::table.filter(tumors::patient_id.eq(patient_id)).count().get_result(conn)?;
    let contacts: i64 =
        contacts::table.filter(contacts::patient_id.eq(patient_id)).count().get_result(conn)?;
    let letters: i64 = letters::table
        .filter(letters::patient_id.eq(patient_id))
        .filter(letters::sent_at.is_not_null().or(letters::printed_at.is_not_null()))
        .count()
        .get_result(conn)?;
    Ok((tumors, contacts, letters))
}

/// Deletes a patient still at version `expected`, with its follow-up tasks and their unsent
/// letters and its export form (the caller checked it has no tumors, contacts or sent letters).
pub fn delete_patient(conn: &mut DbConn, id: &str, expected: i32) -> QResult<bool> {
    let current = patients::table
        .filter(patients::id.eq(id))
        .select(patients::version)
        .first::<i32>(conn)
        .optional()?;
    if current != Some(expected) {
        return Ok(false);
    }
    diesel::delete(letters::table.filter(letters::patient_id.eq(id))).execute(conn)?;
    diesel::delete(followup_tasks::table.filter(followup_tasks::patient_id.eq(id)))
        .execute(conn)?;
    drop_export_form(conn, id)?;
    diesel::delete(patients::table.filter(patients::id.eq(id))).execute(conn)?;
    Ok(true)
}

/// Stores a contact's document at a new version (a tumor it reported on was deleted).
pub fn set_contact_data(conn: &mut DbConn, id: &str, data: &str, version: i32) -> QResult<()> {
    diesel::update(contacts::table.find(id))
        .set((
            contacts::data.eq(data),
            contacts::version.eq(version),
            contacts::updated_at.eq(super::now()),
        ))
        .execute(conn)
        .map(|_| ())
}

// --- imports ------------------------------------------------------------------------------------

pub fn insert_import(conn: &mut DbConn, row: &ImportRow) -> QResult<()> {
    diesel::insert_into(imports::table).values(row).execute(conn).map(|_| ())
}

/// The counts an import keeps as it goes.
pub struct ImportCounts {
    pub patients_read: i64,
    pub patients_created: i64,
    pub patients_updated: i64,
    pub patients_unchanged: i64,
    pub patients_rejected: i64,
    pub tumors_read: i64,
}

/// How an import ended.
pub struct ImportEnd {
    pub status: String,
    pub refused_reason: Option<String>,
    pub report: Option<String>,
}

pub fn update_import(
    conn: &mut DbConn,
    id: &str,
    n: &ImportCounts,
    end: Option<&ImportEnd>,
    at: chrono::NaiveDateTime,
) -> QResult<()> {
    diesel::update(imports::table.find(id))
        .set((
            imports::patients_read.eq(n.patients_read),
            imports::patients_created.eq(n.patients_created),
            imports::patients_updated.eq(n.patients_updated),
            imports::patients_unchanged.eq(n.patients_unchanged),
            imports::patients_rejected.eq(n.patients_rejected),
            imports::tumors_read.eq(n.tumors_read),
            imports::updated_at.eq(Some(at)),
        ))
        .execute(conn)?;
    match end {
        Some(end) => end_import(conn, id, end, at),
        None => Ok(()),
    }
}

pub fn end_import(
    conn: &mut DbConn,
    id: &str,
    end: &ImportEnd,
    at: chrono::NaiveDateTime,
) -> QResult<()> {
    diesel::update(imports::table.find(id))
        .set((
            imports::status.eq(&end.status),
            imports::refused_reason.eq(&end.refused_reason),
            imports::report.eq(&end.report),
            imports::updated_at.eq(Some(at)),
        ))
        .execute(conn)
        .map(|_| ())
}

pub fn running_imports(conn: &mut DbConn) -> QResult<Vec<String>> {
    imports::table.filter(imports::status.eq("running")).select(imports::id).load(conn)
}

pub fn request_import_cancel(conn: &mut DbConn, id: &str) -> QResult<usize> {
    diesel::update(imports::table.find(id).filter(imports::status.eq("running")))
        .set(imports::cancel_requested.eq(true))
        .execute(conn)
}

pub fn get_import(conn: &mut DbConn, id: &str) -> QResult<Option<ImportRow>> {
    imports::table.find(id).select(ImportRow::as_select()).first(conn).optional()
}

/// Imports newest first, before `before` (a cursor of ids).
pub fn list_imports(
    conn: &mut DbConn,
    before: Option<&str>,
    limit: i64,
) -> QResult<Vec<ImportRow>> {
    let mut q = imports::table.into_boxed::<MultiBackend>();
    if let Some(b) = before {
        q = q.filter(imports::id.lt(b.to_string()));
    }
    q.order(imports::id.desc()).limit(limit).select(ImportRow::as_select()).load(conn)
}
