//! The audit trail: who read or wrote which patient record, written in the same transaction as the act.

use super::{Actor, Result};
use crate::db::rows::AuditRow;
use crate::db::{DbConn, new_id, now, repo};

#[derive(Clone, Copy, Debug)]
pub enum Action {
    Create,
    Read,
    Update,
    Delete,
    /// A patient search: one row naming each patient found (or none found).
    Search,
}

impl Action {
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Create => "create",
            Self::Read => "read",
            Self::Update => "update",
            Self::Delete => "delete",
            Self::Search => "search",
        }
    }
}

/// Records `action` by `actor` on each of `ids` of `entity` (patient, tumor, treatment, contact, token).
pub fn record(
    conn: &mut DbConn,
    actor: &Actor,
    action: Action,
    entity: &str,
    ids: &[&str],
) -> Result<()> {
    let at = now();
    let rows: Vec<AuditRow> = ids
        .iter()
        .map(|id| AuditRow {
            id: new_id(),
            at: at.into(),
            actor_token_id: actor.token_id.clone(),
            actor_name: actor.name.clone(),
            action: action.as_str().to_string(),
            entity: entity.to_string(),
            entity_id: (*id).to_string(),
        })
        .collect();
    repo::insert_audit(conn, &rows)?;
    Ok(())
}
