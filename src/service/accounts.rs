//! People's accounts for the web pages: created by an administrator (or `oncoreg user create`),
//! passwords kept as argon2id hashes, and sign-in with the lock-out of `domain::accounts`. Every
//! sign-in, let in or refused, leaves an audit event; none names the password, and a refusal never
//! says whether the name or the password was wrong.

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use chrono::NaiveDateTime;
use rand::RngCore;

use super::audit::{self, Action, AuditSink};
use super::{Actor, Result, Role, ServiceError};
use crate::db::rows::{SessionRow, UserRow};
use crate::db::{self, DbConn, new_id, repo};
use crate::domain::accounts;

/// An account as made.
#[derive(Clone, Debug)]
pub struct User {
    pub id: String,
    pub name: String,
    pub role: Role,
}

/// Why a sign-in was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// No such account, a disabled one, or the wrong password: the same answer for each.
    WrongNameOrPassword,
    /// Too many failures in a row; the account opens again at the time given.
    Locked { until: NaiveDateTime },
}

/// The outcome of a sign-in.
#[derive(Debug)]
pub enum SignIn {
    Signed { actor: Actor, user_id: String },
    Refused(Refusal),
}

/// A signed-in session as the pages use it: who acts, and the CSRF token its forms must carry.
#[derive(Clone, Debug)]
pub struct Session {
    pub actor: Actor,
    pub user_id: String,
    pub csrf_token: String,
}

fn random_hex() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    hex::encode(bytes)
}

fn hash(password: &str) -> Result<String> {
    let mut bytes = [0u8; 16];
    rand::rng().fill_bytes(&mut bytes);
    let salt = SaltString::encode_b64(&bytes).map_err(|e| ServiceError::File(e.to_string()))?;
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| ServiceError::File(format!("password hash: {e}")))
}

fn verify(password: &str, stored: &str) -> bool {
    PasswordHash::new(stored)
        .is_ok_and(|h| Argon2::default().verify_password(password.as_bytes(), &h).is_ok())
}

/// Creates an account (administrators; the CLI acts as the system).
pub fn create_user(
    conn: &mut DbConn,
    actor: &Actor,
    name: &str,
    role: Role,
    password: &str,
    now: NaiveDateTime,
) -> Result<User> {
    actor.require(Role::Admin)?;
    let name = name.trim();
    let problems = accounts::check_new(name, password);
    if !problems.is_empty() {
        return Err(ServiceError::Invalid(problems));
    }
    let row = UserRow {
        id: new_id(),
        name: name.to_string(),
        role: role.as_str().to_string(),
        password_hash: hash(password)?,
        failed_sign_ins: 0,
        locked_until: None,
        created_at: now,
        disabled_at: None,
    };
    db::transaction(conn, |c| {
        if repo::find_user_by_name(c, &row.name)?.is_some() {
            return Err(ServiceError::Conflict {
                field: "name",
                rule: "unique",
                message: "a user of this name exists".into(),
            });
        }
        repo::insert_user(c, &row)?;
        audit::record(c, actor, Action::Create, "user", &[&row.id])
    })?;
    Ok(User { id: row.id, name: row.name, role })
}

/// An account as the administration page lists it.
#[derive(Clone, Debug)]
pub struct UserInfo {
    pub id: String,
    pub name: String,
    pub role: Role,
    pub created_at: NaiveDateTime,
    pub locked_until: Option<NaiveDateTime>,
    pub disabled: bool,
}

/// Every account (administrators).
pub fn list_users(conn: &mut DbConn, actor: &Actor) -> Result<Vec<UserInfo>> {
    actor.require(Role::Admin)?;
    Ok(repo::list_users(conn)?
        .into_iter()
        .map(|u| UserInfo {
            role: Role::parse(&u.role).unwrap_or(Role::Viewer),
            id: u.id,
            name: u.name,
            created_at: u.created_at,
            locked_until: u.locked_until,
            disabled: u.disabled_at.is_some(),
        })
        .collect())
}

/// One event of a person's sign-in or sign-out: who, the operation, its outcome as an HTTP-like
/// status where there is one, and the account when known.
fn record(
    conn: &mut DbConn,
    name: &str,
    operation: &str,
    status: Option<u16>,
    user: Option<&str>,
) -> Result<()> {
    let actor = Actor::system(name);
    let sink = AuditSink::default();
    if let Some(id) = user {
        sink.note(Action::SignIn, "user", &[id], None);
    }
    let row = audit::event(&actor, operation, status, sink.take())?;
    repo::insert_audit_events(conn, &[row])?;
    Ok(())
}

/// Checks a name and password at `now`; counts failures and locks the account at the limit.
pub fn sign_in(
    conn: &mut DbConn,
    name: &str,
    password: &str,
    now: NaiveDateTime,
) -> Result<SignIn> {
    let name = name.trim();
    let user = repo::find_user_by_name(conn, name)?.filter(|u| u.disabled_at.is_none());
    let Some(user) = user else {
        // As long as a real check, so the time taken does not tell whether the name exists.
        let _ = verify(password, &hash(password)?);
        record(conn, name, "sign-in", Some(401), None)?;
        return Ok(SignIn::Refused(Refusal::WrongNameOrPassword));
    };
    if let Some(until) = user.locked_until.filter(|_| accounts::is_locked(user.locked_until, now)) {
        record(conn, name, "sign-in", Some(423), Some(&user.id))?;
        return Ok(SignIn::Refused(Refusal::Locked { until }));
    }
    if verify(password, &user.password_hash) {
        db::transaction(conn, |c| {
            repo::set_sign_in_state(c, &user.id, 0, None)?;
            record(c, name, "sign-in", Some(200), Some(&user.id))
        })?;
        let role = Role::parse(&user.role).unwrap_or(Role::Viewer);
        let actor = Actor { token_id: None, name: user.name, role, audit: None };
        return Ok(SignIn::Signed { actor, user_id: user.id });
    }
    let (failed, lock) = accounts::after_failure(user.failed_sign_ins, user.locked_until, now);
    db::transaction(conn, |c| {
        repo::set_sign_in_state(c, &user.id, failed, lock)?;
        let status = if lock.is_some() { 423 } else { 401 };
        record(c, name, "sign-in", Some(status), Some(&user.id))
    })?;
    Ok(SignIn::Refused(match lock {
        Some(until) => Refusal::Locked { until },
        None => Refusal::WrongNameOrPassword,
    }))
}

/// Starts a session for a user just signed in: returns the secret for the cookie (only its hash is
/// stored) and the session.
pub fn start_session(
    conn: &mut DbConn,
    user_id: &str,
    now: NaiveDateTime,
) -> Result<(String, Session)> {
    let user = repo::find_user(conn, user_id)?.ok_or(ServiceError::NotFound("user"))?;
    let secret = random_hex();
    let row = SessionRow {
        id: super::auth::hash_token(&secret),
        user_id: user.id.clone(),
        csrf_token: random_hex(),
        created_at: now,
        last_seen_at: now,
        ended_at: None,
    };
    repo::insert_session(conn, &row)?;
    Ok((secret, session_of(user, row.csrf_token)))
}

fn session_of(user: UserRow, csrf_token: String) -> Session {
    let role = Role::parse(&user.role).unwrap_or(Role::Viewer);
    let actor = Actor { token_id: None, name: user.name, role, audit: None };
    Session { actor, user_id: user.id, csrf_token }
}

/// The session a cookie's secret opens at `now`, seen again; `None` when there is none, it was
/// ended, or it has been idle for `idle` (then it is ended here, and the sign-out audited).
pub fn session(
    conn: &mut DbConn,
    secret: &str,
    now: NaiveDateTime,
    idle: chrono::Duration,
) -> Result<Option<Session>> {
    let id = super::auth::hash_token(secret);
    let Some(row) = repo::find_open_session(conn, &id)? else { return Ok(None) };
    let user = repo::find_user(conn, &row.user_id)?.filter(|u| u.disabled_at.is_none());
    let Some(user) = user else { return Ok(None) };
    if accounts::is_idle(row.last_seen_at, now, idle) {
        db::transaction(conn, |c| {
            repo::end_session(c, &id, now)?;
            record(c, &user.name, "sign-out (idle)", None, Some(&user.id))
        })?;
        return Ok(None);
    }
    repo::touch_session(conn, &id, now)?;
    Ok(Some(session_of(user, row.csrf_token)))
}

/// Ends the session a cookie's secret opens (sign-out); nothing to do for an unknown one.
pub fn sign_out(conn: &mut DbConn, secret: &str, now: NaiveDateTime) -> Result<()> {
    let id = super::auth::hash_token(secret);
    let Some(row) = repo::find_open_session(conn, &id)? else { return Ok(()) };
    let Some(user) = repo::find_user(conn, &row.user_id)? else { return Ok(()) };
    db::transaction(conn, |c| {
        repo::end_session(c, &id, now)?;
        record(c, &user.name, "sign-out", None, Some(&user.id))
    })
}
