//! The history of every record: who created it, and who changed which field when, from what to
//! what. Written in the transaction of the change; a deleted record's creation and last values
//! stay. Values are compared as the record's stored document flattened (`physicianManaging.name`)
//! plus its items (`items.<id>`). A record's creation is read from the record itself (its
//! `created_at` and `created_by`), so creating records writes no history rows.

use std::collections::BTreeMap;

use serde_json::Value;

use super::audit::{self, Action};
use super::{Actor, PageRequest, Result, ServiceError, parse_doc, storable, utc};
use crate::db::rows::RecordChangeRow;
use crate::db::stamp::Stamp;
use crate::db::{DbConn, new_id, now, repo};
use crate::model::{ChangeData, Page};

/// A record's fields: `field → value`.
pub(crate) type Fields = BTreeMap<String, String>;

fn flatten(prefix: &str, v: &Value, out: &mut Fields) {
    match v {
        Value::Null => {}
        Value::Object(map) => {
            for (k, v) in map {
                let key = if prefix.is_empty() { k.clone() } else { format!("{prefix}.{k}") };
                flatten(&key, v, out);
            }
        }
        Value::String(s) => {
            out.insert(prefix.to_owned(), storable(s));
        }
        other => {
            out.insert(prefix.to_owned(), other.to_string());
        }
    }
}

/// The fields of a stored record: its document and its item map (`None`: no items).
pub(crate) fn fields(data: &str, items: Option<&str>) -> Result<Fields> {
    let mut out = Fields::new();
    flatten("", &parse_doc::<Value>(data)?, &mut out);
    if let Some(items) = items {
        let map: BTreeMap<String, String> = parse_doc(items)?;
        out.extend(map.into_iter().map(|(k, v)| (format!("items.{k}"), storable(&v))));
    }
    Ok(out)
}

/// The record a change is about.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Subject<'a> {
    /// `patient`, `tumor`, `treatment` or `contact`.
    pub entity: &'static str,
    pub id: &'a str,
    pub patient_id: &'a str,
    /// The version after the change (the last one for a deletion).
    pub version: i32,
}

/// The rows of an update or deletion: one per field that differs (a change of nothing: one row,
/// so every version has an entry).
pub(crate) fn rows(
    actor: &Actor,
    s: Subject,
    action: Action,
    before: Option<&Fields>,
    after: Option<&Fields>,
) -> Vec<RecordChangeRow> {
    let at = now();
    let row = |field: Option<&str>, old: Option<&String>, new: Option<&String>| RecordChangeRow {
        id: new_id(),
        entity: s.entity.to_owned(),
        entity_id: s.id.to_owned(),
        patient_id: s.patient_id.to_owned(),
        version: s.version,
        action: action.as_str().to_owned(),
        at: at.into(),
        actor_token_id: actor.token_id.clone(),
        actor_name: actor.name.clone(),
        field: field.map(str::to_owned),
        old_value: old.cloned(),
        new_value: new.cloned(),
    };
    let empty = Fields::new();
    let (before, after) = (before.unwrap_or(&empty), after.unwrap_or(&empty));
    let mut keys: Vec<&String> = before.keys().chain(after.keys()).collect();
    keys.sort();
    keys.dedup();
    let out: Vec<RecordChangeRow> = keys
        .into_iter()
        .filter(|k| before.get(*k) != after.get(*k))
        .map(|k| row(Some(k), before.get(k), after.get(k)))
        .collect();
    if out.is_empty() { vec![row(None, None, None)] } else { out }
}

/// A record's creation as a history row: version 1, at its `created_at`, by its `created_by`.
/// Its id is the time-ordered id of that instant with no random part, so it sorts before every
/// later change of the record.
fn creation(s: Subject, at: Stamp, by: String) -> RecordChangeRow {
    let millis = u64::try_from(at.0.and_utc().timestamp_millis()).unwrap_or(0);
    let id = uuid::Builder::from_unix_timestamp_millis(millis, &[0; 10]).into_uuid();
    RecordChangeRow {
        id: id.to_string(),
        entity: s.entity.to_owned(),
        entity_id: s.id.to_owned(),
        patient_id: s.patient_id.to_owned(),
        version: 1,
        action: Action::Create.as_str().to_owned(),
        at,
        actor_token_id: None,
        actor_name: if by.is_empty() { NOT_RECORDED.to_owned() } else { by },
        field: None,
        old_value: None,
        new_value: None,
    }
}

/// The creator shown for records created before creators were kept.
const NOT_RECORDED: &str = "(not recorded)";

/// Writes a deletion: the record's creation (the record will no longer tell it) and its last
/// values.
pub(crate) fn record_deletion(
    conn: &mut DbConn,
    actor: &Actor,
    s: Subject,
    (created_at, created_by): (Stamp, &str),
    before: &Fields,
) -> Result<()> {
    let mut rows = vec![creation(s, created_at, created_by.to_owned())];
    rows.extend(self::rows(actor, s, Action::Delete, Some(before), None));
    repo::insert_changes(conn, &rows)?;
    Ok(())
}

/// A record deleted by `actor`: its creation and last values kept in the history, and the deletion
/// in the audit trail.
pub(crate) fn record_deleted(
    conn: &mut DbConn,
    actor: &Actor,
    s: Subject,
    created: (Stamp, &str),
    before: &Fields,
) -> Result<()> {
    record_deletion(conn, actor, s, created, before)?;
    super::audit::record(conn, actor, super::audit::Action::Delete, s.entity, &[s.id])
}

/// Writes the rows of one change.
pub(crate) fn record(
    conn: &mut DbConn,
    actor: &Actor,
    s: Subject,
    action: Action,
    before: Option<&Fields>,
    after: Option<&Fields>,
) -> Result<()> {
    repo::insert_changes(conn, &rows(actor, s, action, before, after))?;
    Ok(())
}

/// The history of one record, oldest first; a read of the record's patient data, audited.
pub fn history(
    conn: &mut DbConn,
    actor: &Actor,
    entity: &'static str,
    id: &str,
    page: &PageRequest,
) -> Result<Page<ChangeData>> {
    actor.require(super::Role::Viewer)?;
    let after = page.after()?;
    super::read(conn, actor, |c| {
        let created = repo::creation_of(c, entity, id)?;
        let stored = repo::changes_of(c, id, after.as_deref(), page.limit() + 1)?;
        if created.is_none() && stored.is_empty() && after.is_none() {
            return Err(ServiceError::NotFound(entity));
        }
        if stored.iter().any(|r| r.entity != entity) {
            return Err(ServiceError::NotFound(entity));
        }
        let subject = Subject { entity, id, patient_id: "", version: 1 };
        let mut rows: Vec<RecordChangeRow> = created
            .map(|(at, by)| creation(subject, at, by))
            .filter(|r| after.as_deref().is_none_or(|a| r.id.as_str() > a))
            .into_iter()
            .collect();
        rows.extend(stored);
        let (rows, next_cursor) = page.page(rows, |r| &r.id);
        audit::record(c, actor, Action::Read, entity, &[id])?;
        let items = rows
            .into_iter()
            .map(|r| ChangeData {
                at: utc(r.at.0),
                by: r.actor_name,
                action: r.action,
                version: r.version,
                old_value: masked(r.field.as_deref(), r.old_value),
                new_value: masked(r.field.as_deref(), r.new_value),
                field: r.field,
            })
            .collect();
        Ok(Page { items, next_cursor })
    })
}

/// A history shows an SSN masked, as reads do.
fn masked(field: Option<&str>, value: Option<String>) -> Option<String> {
    match field {
        Some("socialSecurityNumber" | "items.socialSecurityNumber") => value.map(|v| {
            let text = serde_json::from_str::<String>(&v).unwrap_or(v);
            serde_json::Value::String(crate::domain::identifiers::mask_ssn(&text)).to_string()
        }),
        _ => value,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_flatten_documents_and_items() {
        let f = fields(
            r#"{"nameLast":"Roe","physicianManaging":{"name":"Dr A"},"tumors":[{"x":1}],"n":null}"#,
            Some(r#"{"nameAlias":"R"}"#),
        )
        .expect("fields");
        assert_eq!(f["nameLast"], "Roe");
        assert_eq!(f["physicianManaging.name"], "Dr A");
        assert_eq!(f["tumors"], r#"[{"x":1}]"#);
        assert_eq!(f["items.nameAlias"], "R");
        assert!(!f.contains_key("n"));
    }

    #[test]
    fn a_change_lists_each_field_once_with_both_values() {
        let actor = Actor::system("t");
        let s = Subject { entity: "tumor", id: "t1", patient_id: "p1", version: 2 };
        let before: Fields = [("a".into(), "1".into()), ("b".into(), "2".into())].into();
        let after: Fields = [("a".into(), "1".into()), ("c".into(), "3".into())].into();
        let rows = rows(&actor, s, Action::Update, Some(&before), Some(&after));
        let got: Vec<_> = rows
            .iter()
            .map(|r| (r.field.clone(), r.old_value.clone(), r.new_value.clone()))
            .collect();
        assert_eq!(
            got,
            vec![
                (Some("b".into()), Some("2".into()), None),
                (Some("c".into()), None, Some("3".into()))
            ]
        );
        let same = rows_of_nothing(&actor, s);
        assert_eq!(same.len(), 1, "a change of nothing still has its entry");
    }

    fn rows_of_nothing(actor: &Actor, s: Subject) -> Vec<RecordChangeRow> {
        let f = Fields::new();
        rows(actor, s, Action::Update, Some(&f), Some(&f))
    }
}
