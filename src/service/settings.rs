//! The registry's stored settings: the letterhead every letter is rendered under. Seeded from the
//! `ONCOREG_REGISTRY_*` settings by the first process that needs it; from then on the stored copy
//! wins, so a job run by hand and the server sign letters alike.

use super::audit::{self, Action};
use super::{Actor, Result, Role, ServiceError, check_version};
use crate::db::rows::SettingRow;
use crate::db::settings as q;
use crate::db::{DbConn, now};
use crate::domain::followup::Letterhead;
use crate::model::RegistrySettingsData;

const LETTERHEAD: &str = "letterhead";

fn corrupt(e: serde_json::Error) -> ServiceError {
    ServiceError::Db(crate::db::DbError::Query(diesel::result::Error::DeserializationError(
        Box::new(e),
    )))
}

/// The stored letterhead and its version; stores `seed` first when there is none yet.
pub fn letterhead(conn: &mut DbConn, seed: &Letterhead) -> Result<(Letterhead, i32)> {
    if let Some(row) = q::get(conn, LETTERHEAD)? {
        return Ok((serde_json::from_str(&row.data).map_err(corrupt)?, row.version));
    }
    let row = SettingRow {
        name: LETTERHEAD.into(),
        data: serde_json::to_string(seed).map_err(corrupt)?,
        version: 1,
        updated_at: now(),
        updated_by: "settings".into(),
    };
    if q::insert_first(conn, &row)? {
        return Ok((seed.clone(), 1));
    }
    let row = q::get(conn, LETTERHEAD)?.ok_or(ServiceError::NotFound("letterhead"))?;
    Ok((serde_json::from_str(&row.data).map_err(corrupt)?, row.version))
}

/// `GET /settings/registry` (admin).
pub fn get(conn: &mut DbConn, actor: &Actor, seed: &Letterhead) -> Result<RegistrySettingsData> {
    actor.require(Role::Admin)?;
    crate::db::transaction(conn, |c| {
        let (l, version) = letterhead(c, seed)?;
        Ok(RegistrySettingsData::from_domain(&l, version))
    })
}

/// `PUT /settings/registry` (admin, If-Match): replaces the letterhead. Letters already made keep
/// the letterhead they were rendered under.
pub fn put(
    conn: &mut DbConn,
    actor: &Actor,
    seed: &Letterhead,
    expected_version: i32,
    data: &RegistrySettingsData,
) -> Result<RegistrySettingsData> {
    actor.require(Role::Admin)?;
    let new = data.to_domain().map_err(ServiceError::Invalid)?;
    crate::db::transaction(conn, |c| {
        let (_, version) = letterhead(c, seed)?;
        check_version(version, expected_version)?;
        let row = SettingRow {
            name: LETTERHEAD.into(),
            data: serde_json::to_string(&new).map_err(corrupt)?,
            version: version + 1,
            updated_at: now(),
            updated_by: actor.name.clone(),
        };
        if !q::update(c, &row, expected_version)? {
            return Err(ServiceError::VersionMismatch { current: version + 1 });
        }
        audit::record(c, actor, Action::Update, "settings", &[LETTERHEAD])?;
        Ok(RegistrySettingsData::from_domain(&new, version + 1))
    })
}
