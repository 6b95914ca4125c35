//! API tokens: random bearer secrets stored as SHA-256 hashes, each with one role.

use rand::RngCore;
use sha2::{Digest, Sha256};

use super::{Result, ServiceError};
use crate::db::rows::TokenRow;
use crate::db::{DbConn, new_id, now, repo};

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Role {
    Viewer,
    Registrar,
    Admin,
}

impl Role {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "viewer" => Some(Self::Viewer),
            "registrar" => Some(Self::Registrar),
            "admin" => Some(Self::Admin),
            _ => None,
        }
    }

    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Viewer => "viewer",
            Self::Registrar => "registrar",
            Self::Admin => "admin",
        }
    }
}

/// Who is acting: the token's id and name (never a patient's data) and its role.
#[derive(Clone, Debug)]
pub struct Actor {
    pub token_id: Option<String>,
    pub name: String,
    pub role: Role,
    /// The request's audit event, when acting within a request; work outside one writes its own.
    pub audit: Option<super::audit::AuditSink>,
}

impl Actor {
    /// A principal for work the service does on its own (jobs, CLI).
    pub fn system(name: &str) -> Self {
        Self { token_id: None, name: name.to_string(), role: Role::Admin, audit: None }
    }

    /// Fails unless the actor's role is at least `role` (viewer < registrar < admin).
    pub fn require(&self, role: Role) -> Result<()> {
        if self.role >= role { Ok(()) } else { Err(ServiceError::Forbidden(role.as_str())) }
    }
}

pub fn hash_token(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

/// A new token; the secret is returned once and only its hash is stored.
pub struct IssuedToken {
    pub row: TokenRow,
    pub secret: String,
}

pub fn issue(conn: &mut DbConn, name: &str, role: Role) -> Result<IssuedToken> {
    let allowed = |c: char| c.is_ascii_alphanumeric() || " ._@-".contains(c);
    let as_sent_ok = name.len() <= 100 && name.chars().all(allowed);
    let name = name.trim();
    if name.is_empty() || !as_sent_ok {
        return Err(ServiceError::Invalid(vec![crate::domain::Violation {
            field: "name".into(),
            rule: "text.length",
            message: "a token name has 1 to 100 letters, digits, spaces or . _ @ -".into(),
        }]));
    }
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    let secret = format!("ocr_{}", hex::encode(bytes));
    let row = TokenRow {
        id: new_id(),
        name: name.to_string(),
        role: role.as_str().to_string(),
        token_hash: hash_token(&secret),
        created_at: now(),
        revoked_at: None,
    };
    repo::insert_token(conn, &row)?;
    Ok(IssuedToken { row, secret })
}

/// The actor a bearer secret stands for, if the token exists and is not revoked.
pub fn authenticate(conn: &mut DbConn, secret: &str) -> Result<Option<Actor>> {
    let Some(row) = repo::find_active_token(conn, &hash_token(secret))? else {
        return Ok(None);
    };
    Ok(Role::parse(&row.role).map(|role| Actor {
        token_id: Some(row.id),
        name: row.name,
        role,
        audit: None,
    }))
}
