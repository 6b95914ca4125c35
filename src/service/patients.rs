//! Register, read, correct and list patients.

use super::audit::{self, Action};
use super::changes::{self, Subject};
use super::edits;
use super::history::Loaded;
use super::items;
use super::{
    Actor, Ctx, PageRequest, RecordFilter, Result, Role, ServiceError, check_version, stamped_doc,
    to_doc,
};
use crate::db::rows::PatientRow;
use crate::db::{DbConn, is_unique_violation, new_id, now, repo};
use crate::domain::Violation;
use crate::domain::chronology::{Focus, PatientHistory};
use crate::domain::codes::VitalStatus;
use crate::domain::edits::EditStatus;
use crate::domain::identifiers::{mask_ssn, masked_ssn_last_four};
use crate::domain::naaccr::Level;
use crate::domain::records::ItemMap;
use crate::domain::records::Patient;
use crate::formats::mapping;
use crate::model::{Page, PatientData, PatientMatch, PatientSearchRequest};

/// The birth date and the SSN's last four digits, the columns patient search looks in.
pub(crate) fn search_keys(p: &Patient) -> (Option<String>, Option<String>) {
    let last_four = p.ssn.as_ref().and_then(|s| s.last_four()).map(String::from);
    (p.date_of_birth.map(|d| d.to_string()), last_four)
}

/// The lower-case "last first" the name filter matches a prefix of.
pub(crate) fn name_search(p: &Patient) -> String {
    let last = p.name_last.as_deref().unwrap_or("");
    format!("{last} {}", p.name_first.as_deref().unwrap_or("")).trim().to_lowercase()
}

/// The patient as answers show it: the SSN masked (minimum necessary).
fn out(row: &PatientRow) -> Result<PatientData> {
    let mut doc = out_in_full(row)?;
    doc.social_security_number = doc.social_security_number.as_deref().map(mask_ssn);
    // A value kept as read (not nine digits) is masked too.
    if let Some(kept) = doc.items.as_mut().and_then(|i| i.get_mut("socialSecurityNumber")) {
        *kept = mask_ssn(kept);
    }
    Ok(doc)
}

fn out_in_full(row: &PatientRow) -> Result<PatientData> {
    let mut doc: PatientData =
        stamped_doc(&row.data, &row.id, row.version, row.created_at.0, row.updated_at.0)?;
    doc.date_of_last_contact = row.date_of_last_contact.clone();
    doc.vital_status = Some(row.vital_status.clone());
    doc.items = Some(super::history::item_map(row.items.as_deref())?);
    doc.findings = Some(match &row.findings {
        Some(f) => super::parse_doc(f)?,
        None => vec![],
    });
    doc.edit_status = Some(row.edit_status.clone());
    Ok(doc)
}

/// The patient as stored after a write, with the findings the write stored.
fn stored(conn: &mut DbConn, id: &str) -> Result<PatientData> {
    out(&repo::get_patient(conn, id)?.ok_or(ServiceError::NotFound("patient"))?)
}

fn duplicate() -> ServiceError {
    ServiceError::Conflict {
        rule: "unique",
        field: "patientIdNumber",
        message: "another patient already has this patient id number".into(),
    }
}

pub fn create(
    conn: &mut DbConn,
    actor: &Actor,
    data: &PatientData,
    ctx: Ctx,
) -> Result<PatientData> {
    actor.require(Role::Registrar)?;
    let patient = data.to_domain().map_err(ServiceError::Invalid)?;
    let history =
        PatientHistory { patient: &patient, tumors: vec![], treatments: vec![], contacts: vec![] };
    let violations = history.future(&Focus::Patient, ctx.today);
    if !violations.is_empty() {
        return Err(ServiceError::Invalid(violations));
    }
    let items = items::for_write(Level::Patient, data.items.as_ref(), &ItemMap::new(), |_| false)?;
    let at = now();
    let row = PatientRow {
        id: new_id(),
        version: 1,
        patient_id_number: patient.patient_id_number.to_string(),
        name_search: name_search(&patient),
        date_of_last_contact: None,
        vital_status: VitalStatus::ALIVE.code().to_string(),
        data: to_doc(&PatientData::from_domain(&patient))?,
        created_at: at.into(),
        updated_at: at.into(),
        items: items::doc(&items)?,
        findings: None,
        edit_status: EditStatus::Clean.as_str().to_string(),
        created_by: actor.name.clone(),
        date_of_birth: search_keys(&patient).0,
        ssn_last_four: search_keys(&patient).1,
    };
    crate::db::transaction(conn, |c| {
        if repo::patient_id_number_taken(c, &row.patient_id_number, &row.id)? {
            return Err(duplicate());
        }
        repo::insert_patient(c, &row)
            .map_err(|e| if is_unique_violation(&e) { duplicate() } else { e.into() })?;
        let loaded = Loaded::load(c, &row.id)?;
        edits::store_review(c, &row.id, &loaded, &ctx)?;
        audit::record(c, actor, Action::Create, "patient", &[&row.id])?;
        stored(c, &row.id)
    })
}

/// One patient; with `reveal_ssn` (registrars and admins) the SSN in full, audited as such.
pub fn get(conn: &mut DbConn, actor: &Actor, id: &str, reveal_ssn: bool) -> Result<PatientData> {
    actor.require(if reveal_ssn { Role::Registrar } else { Role::Viewer })?;
    super::read(conn, actor, |c| {
        let row = repo::get_patient(c, id)?.ok_or(ServiceError::NotFound("patient"))?;
        audit::record(c, actor, Action::Read, "patient", &[&row.id])?;
        if reveal_ssn {
            audit::record(c, actor, Action::Reveal, "patient.socialSecurityNumber", &[&row.id])?;
            return out_in_full(&row);
        }
        out(&row)
    })
}

/// A masked SSN sent back as read stands for the stored number; any other masked value is no
/// number at all.
fn unmask_ssn(conn: &mut DbConn, id: &str, data: &PatientData) -> Result<Option<PatientData>> {
    let Some(last_four) = data.social_security_number.as_deref().and_then(masked_ssn_last_four)
    else {
        return Ok(None);
    };
    let stored = repo::get_patient(conn, id)?.ok_or(ServiceError::NotFound("patient"))?;
    let full = out_in_full(&stored)?.social_security_number;
    match full {
        Some(full) if full.ends_with(last_four) => {
            Ok(Some(PatientData { social_security_number: Some(full), ..data.clone() }))
        }
        _ => Err(ServiceError::Invalid(vec![Violation {
            field: "socialSecurityNumber".into(),
            rule: "ssn.masked",
            message: "a masked number is not the stored one: send the full nine digits, or the \
                      masked value as read to keep the stored number"
                .into(),
        }])),
    }
}

pub fn update(
    conn: &mut DbConn,
    actor: &Actor,
    id: &str,
    expected_version: i32,
    data: &PatientData,
    ctx: Ctx,
) -> Result<PatientData> {
    actor.require(Role::Registrar)?;
    let unmasked = unmask_ssn(conn, id, data)?;
    let data = unmasked.as_ref().unwrap_or(data);
    let patient = data.to_domain().map_err(ServiceError::Invalid)?;
    crate::db::transaction(conn, |c| {
        let mut loaded = Loaded::load(c, id)?;
        check_version(loaded.row.version, expected_version)?;
        loaded.patient = patient;
        loaded.refuse_future(&Focus::Patient, ctx.today)?;
        let number = loaded.patient.patient_id_number.to_string();
        if repo::patient_id_number_taken(c, &number, id)? {
            return Err(duplicate());
        }
        let typed = PatientData::from_domain(&loaded.patient);
        let items =
            items::for_write(Level::Patient, data.items.as_ref(), &loaded.patient_items, |id| {
                mapping::patient_field(id).is_some_and(|f| (f.get)(&typed).is_some())
            })?;
        let row = PatientRow {
            version: expected_version + 1,
            patient_id_number: number,
            name_search: name_search(&loaded.patient),
            date_of_birth: search_keys(&loaded.patient).0,
            ssn_last_four: search_keys(&loaded.patient).1,
            data: to_doc(&typed)?,
            items: items::doc(&items)?,
            updated_at: now().into(),
            ..loaded.row.clone()
        };
        loaded.patient_items = items;
        let written = repo::update_patient(c, &row, expected_version)
            .map_err(|e| if is_unique_violation(&e) { duplicate() } else { e.into() })?;
        if !written {
            return Err(ServiceError::VersionMismatch { current: expected_version + 1 });
        }
        crate::db::followup::rename_patient_tasks(c, id, &row.name_search)?;
        edits::store_review(c, id, &loaded, &ctx)?;
        let before = changes::fields(&loaded.row.data, loaded.row.items.as_deref())?;
        let after = changes::fields(&row.data, row.items.as_deref())?;
        let subject = Subject { entity: "patient", id, patient_id: id, version: row.version };
        changes::record(c, actor, subject, Action::Update, Some(&before), Some(&after))?;
        audit::record(c, actor, Action::Update, "patient", &[id])?;
        stored(c, id)
    })
}

/// Corrects some fields (an RFC 7396 merge patch over the stored patient and its items): what the
/// patch leaves out stays as it is.
pub fn patch(
    conn: &mut DbConn,
    actor: &Actor,
    id: &str,
    expected_version: i32,
    patch: &serde_json::Value,
    ctx: Ctx,
) -> Result<PatientData> {
    actor.require(Role::Registrar)?;
    let current = repo::get_patient(conn, id)?.ok_or(ServiceError::NotFound("patient"))?;
    check_version(current.version, expected_version)?;
    let data: PatientData = super::merge_patch(&current.data, current.items.as_deref(), patch)?;
    update(conn, actor, id, expected_version, &data, ctx)
}

/// Deletes a patient registered by mistake (a duplicate, say). Its tumors and contacts must be
/// deleted first, and a patient letters were sent or printed about stays (the record of that
/// disclosure); its follow-up tasks and unsent letters go with it. Its last values stay in its
/// history.
pub fn delete(conn: &mut DbConn, actor: &Actor, id: &str, expected_version: i32) -> Result<()> {
    actor.require(Role::Registrar)?;
    crate::db::transaction(conn, |c| {
        let current = repo::get_patient(c, id)?.ok_or(ServiceError::NotFound("patient"))?;
        check_version(current.version, expected_version)?;
        let (tumors, contacts, letters) = repo::patient_dependents(c, id)?;
        let in_use =
            |message: String| ServiceError::Conflict { field: "id", rule: "record.inUse", message };
        if tumors > 0 || contacts > 0 {
            return Err(in_use(format!(
                "the patient still has {tumors} tumor(s) and {contacts} follow-up contact(s): \
                 delete them first"
            )));
        }
        if letters > 0 {
            return Err(in_use(
                "follow-up letters were sent or printed about this patient; the patient stays \
                 as the record of that disclosure"
                    .into(),
            ));
        }
        let before = changes::fields(&current.data, current.items.as_deref())?;
        if !repo::delete_patient(c, id, expected_version)? {
            return Err(ServiceError::VersionMismatch { current: expected_version + 1 });
        }
        let subject = Subject { entity: "patient", id, patient_id: id, version: current.version };
        changes::record_deleted(
            c,
            actor,
            subject,
            (current.created_at, &current.created_by),
            &before,
        )?;
        Ok(())
    })
}

pub fn list(
    conn: &mut DbConn,
    actor: &Actor,
    filter: &RecordFilter,
    page: &PageRequest,
) -> Result<Page<PatientData>> {
    actor.require(Role::Viewer)?;
    let after = page.after()?;
    super::read(conn, actor, |c| {
        let rows = repo::list_patients(c, filter, after.as_deref(), page.limit() + 1)?;
        let (rows, next_cursor) = page.page(rows, |r| &r.id);
        let ids: Vec<&str> = rows.iter().map(|r| r.id.as_str()).collect();
        audit::record(c, actor, Action::Read, "patient", &ids)?;
        Ok(Page { items: rows.iter().map(out).collect::<Result<_>>()?, next_cursor })
    })
}

/// Checks a search: at least one criterion, each in its form. The values are never echoed.
fn search_criteria(
    req: &PatientSearchRequest,
) -> std::result::Result<repo::PatientSearch, Vec<Violation>> {
    fn given(v: &Option<String>) -> Option<&str> {
        v.as_deref().map(str::trim).filter(|s| !s.is_empty())
    }
    let mut errors = Vec::new();
    let mut bad = |field: &str, rule: &'static str, message: &str| {
        errors.push(Violation { field: field.into(), rule, message: message.into() })
    };
    let name = given(&req.name).map(|n| {
        let (last, first) = n.split_once(',').unwrap_or((n, ""));
        format!("{} {}", last.trim(), first.trim()).trim().to_lowercase()
    });
    let raw_name = req.name.as_deref().unwrap_or("");
    if raw_name.chars().count() > 80 || raw_name.chars().any(char::is_control) {
        bad("name", "text.format", "a name is at most 80 printable characters");
    }
    let dob = given(&req.date_of_birth).map(String::from);
    let dob_ok = |d: &str| {
        let parts: Vec<&str> = d.split('-').collect();
        let lens: Vec<usize> = parts.iter().map(|p| p.len()).collect();
        matches!(lens.as_slice(), [4] | [4, 2] | [4, 2, 2])
            && parts.iter().all(|p| p.bytes().all(|b| b.is_ascii_digit()))
    };
    if dob.as_deref().is_some_and(|d| !dob_ok(d)) {
        bad("dateOfBirth", "date.format", "a birth date is YYYY, YYYY-MM or YYYY-MM-DD");
    }
    let number = given(&req.patient_id_number).map(|n| {
        // Stored zero-padded to eight digits, as NAACCR writes it.
        if n.len() < 8 && n.bytes().all(|b| b.is_ascii_digit()) {
            format!("{n:0>8}")
        } else {
            n.to_string()
        }
    });
    let raw_number = req.patient_id_number.as_deref().unwrap_or("");
    if raw_number.chars().count() > 20 || raw_number.chars().any(char::is_control) {
        bad("patientIdNumber", "text.format", "a patient id number is at most 20 characters");
    }
    let ssn = given(&req.ssn_last_four).map(String::from);
    if ssn.as_deref().is_some_and(|s| s.len() != 4 || !s.bytes().all(|b| b.is_ascii_digit())) {
        bad("ssnLastFour", "code.format", "give the last four digits of the SSN, nothing more");
    }
    if req.limit.is_some_and(|l| !(1..=500).contains(&l)) {
        bad("limit", "range", "a page holds 1 to 500 patients");
    }
    if name.is_none() && dob.is_none() && number.is_none() && ssn.is_none() {
        bad("name", "required", "give a name, birth date, patient id number or SSN last four");
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(repo::PatientSearch {
        name_prefix: name,
        date_of_birth: dob,
        patient_id_number: number,
        ssn_last_four: ssn,
    })
}

/// Finds patients by name, birth date, patient id number or SSN last four, in name order, with
/// their tumors in words. Audited as a search naming each patient found; nothing searched for is
/// logged or returned.
pub fn search(
    conn: &mut DbConn,
    actor: &Actor,
    req: &PatientSearchRequest,
) -> Result<Page<PatientMatch>> {
    actor.require(Role::Viewer)?;
    let criteria = search_criteria(req).map_err(ServiceError::Invalid)?;
    let page = PageRequest { cursor: req.cursor.clone(), limit: req.limit };
    let after = page.after()?;
    super::read(conn, actor, |c| {
        let after = match after {
            Some(id) => {
                let name = repo::patient_name_key(c, &id)?.ok_or_else(super::unknown_cursor)?;
                Some((name, id))
            }
            None => None,
        };
        let rows = repo::search_patients(c, &criteria, after, page.limit() + 1)?;
        let (rows, next_cursor) = page.page(rows, |r| &r.0);
        let ids: Vec<String> = rows.iter().map(|r| r.0.clone()).collect();
        let found: Vec<&str> = ids.iter().map(String::as_str).collect();
        audit::record(
            c,
            actor,
            Action::Search,
            "patient",
            if found.is_empty() { &[""] } else { &found },
        )?;
        let words = super::worklist::patients_in_words(c, &ids)?;
        let items = rows
            .into_iter()
            .filter_map(|(id, _, vital)| {
                let patient = words.get(&id)?.clone();
                Some(PatientMatch {
                    href: format!("/api/v1/patients/{id}"),
                    id,
                    vital_status: vital,
                    patient,
                })
            })
            .collect();
        Ok(Page { items, next_cursor })
    })
}
