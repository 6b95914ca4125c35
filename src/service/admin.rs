//! Administration: API tokens and the audit log (admin role only).

use super::audit::{self, Action};
use super::{Actor, PageRequest, Result, Role, ServiceError, auth, utc};
use crate::db::rows::{AuditEventRow, TokenRow};
use crate::db::{DbConn, now, repo};
use crate::model::{AuditEntry, NewToken, Page, TokenInfo};

fn info(row: &TokenRow) -> TokenInfo {
    TokenInfo {
        id: row.id.clone(),
        name: row.name.clone(),
        role: row.role.clone(),
        created_at: utc(row.created_at),
        revoked_at: row.revoked_at.map(utc),
    }
}

pub fn create_token(conn: &mut DbConn, actor: &Actor, name: &str, role: Role) -> Result<NewToken> {
    actor.require(Role::Admin)?;
    crate::db::transaction(conn, |c| {
        let issued = auth::issue(c, name, role)?;
        audit::record(c, actor, Action::Create, "token", &[&issued.row.id])?;
        Ok(NewToken { info: info(&issued.row), token: issued.secret })
    })
}

pub fn list_tokens(conn: &mut DbConn, actor: &Actor) -> Result<Vec<TokenInfo>> {
    actor.require(Role::Admin)?;
    Ok(repo::list_tokens(conn)?.iter().map(info).collect())
}

/// Revokes a token. A token cannot revoke itself: an administrator's automation would lock itself
/// out mid-run; another administrator's token revokes it.
pub fn revoke_token(conn: &mut DbConn, actor: &Actor, id: &str) -> Result<()> {
    actor.require(Role::Admin)?;
    if actor.token_id.as_deref() == Some(id) {
        return Err(ServiceError::Conflict {
            field: "id",
            rule: "token.self",
            message: "a token cannot revoke itself: revoke it with another administrator's token"
                .into(),
        });
    }
    crate::db::transaction(conn, |c| {
        if repo::revoke_token(c, id, now())? == 0 {
            return Err(ServiceError::NotFound("token"));
        }
        audit::record(c, actor, Action::Update, "token", &[id])
    })
}

/// An event as the API and the archive show it.
pub fn audit_entry(row: AuditEventRow) -> AuditEntry {
    AuditEntry {
        id: row.id,
        at: utc(row.at.0),
        actor_token_id: row.actor_token_id,
        actor_name: row.actor_name,
        operation: row.operation,
        status: row.status,
        records: serde_json::from_str(&row.records).unwrap_or_default(),
    }
}

pub fn list_audit(
    conn: &mut DbConn,
    actor: &Actor,
    entity: Option<&str>,
    entity_id: Option<&str>,
    page: &PageRequest,
) -> Result<Page<AuditEntry>> {
    actor.require(Role::Admin)?;
    let after = page.after()?;
    let rows = repo::list_audit(conn, after.as_deref(), entity, entity_id, page.limit() + 1)?;
    let (rows, next_cursor) = page.page(rows, |r| &r.id);
    // Reading the audit log is itself a disclosure: the events read are named in this request's.
    let ids: Vec<&str> = rows.iter().map(|r| r.id.as_str()).collect();
    audit::record(conn, actor, Action::Read, "audit", &ids)?;
    Ok(Page { items: rows.into_iter().map(audit_entry).collect(), next_cursor })
}
