//! The history of every record: who changed which field when, from what to what. Written in the
//! transaction of the change; a deleted record's last values stay. Values are compared as the
//! record's stored document flattened (`physicianManaging.name`) plus its items (`items.<id>`).

use std::collections::BTreeMap;

use serde_json::Value;

use super::audit::{self, Action};
use super::{Actor, PageRequest, Result, ServiceError, parse_doc, storable, utc};
use crate::db::rows::RecordChangeRow;
use crate::db::{DbConn, new_id, now, repo};
use crate::dto::{ChangeData, Page};

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

/// The rows of one change: one per field that differs (a creation: one row; a change of nothing:
/// one row, so every version has an entry).
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
    if matches!(action, Action::Create) {
        return vec![row(None, None, None)];
    }
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

fn exists(conn: &mut DbConn, entity: &str, id: &str) -> Result<bool> {
    Ok(match entity {
        "patient" => repo::get_patient(conn, id)?.is_some(),
        "tumor" => repo::get_tumor(conn, id)?.is_some(),
        "treatment" => repo::get_treatment(conn, id)?.is_some(),
        "contact" => repo::get_contact(conn, id)?.is_some(),
        _ => false,
    })
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
    crate::db::transaction(conn, |c| {
        let rows = repo::changes_of(c, id, after.as_deref(), page.limit() + 1)?;
        // A treatment or contact an import created has no entry until its first change.
        if rows.is_empty() && after.is_none() && !exists(c, entity, id)? {
            return Err(ServiceError::NotFound(entity));
        }
        if rows.iter().any(|r| r.entity != entity) {
            return Err(ServiceError::NotFound(entity));
        }
        let (rows, next_cursor) = page.page(rows, |r| &r.id);
        audit::record(c, actor, Action::Read, entity, &[id])?;
        let items = rows
            .into_iter()
            .map(|r| ChangeData {
                at: utc(r.at.0),
                by: r.actor_name,
                action: r.action,
                version: r.version,
                field: r.field,
                old_value: r.old_value,
                new_value: r.new_value,
            })
            .collect();
        Ok(Page { items, next_cursor })
    })
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
