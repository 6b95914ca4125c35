//! Queries of the registry's stored settings (the letterhead): one JSON row per setting.

use diesel::prelude::*;

use super::rows::SettingRow;
use super::schema::registry_settings;
use super::{DbConn, insert_unless_taken};

type QResult<T> = Result<T, diesel::result::Error>;

pub fn get(conn: &mut DbConn, name: &str) -> QResult<Option<SettingRow>> {
    registry_settings::table.find(name).select(SettingRow::as_select()).first(conn).optional()
}

/// Inserts the first value of a setting; false when another process stored it first.
pub fn insert_first(conn: &mut DbConn, row: &SettingRow) -> QResult<bool> {
    insert_unless_taken(conn, |c| {
        diesel::insert_into(registry_settings::table).values(row).execute(c)
    })
}

/// Replaces a setting if it is still at `expected_version`; false otherwise.
pub fn update(conn: &mut DbConn, row: &SettingRow, expected_version: i32) -> QResult<bool> {
    let n = diesel::update(
        registry_settings::table
            .filter(registry_settings::name.eq(&row.name))
            .filter(registry_settings::version.eq(expected_version)),
    )
    .set((
        registry_settings::data.eq(&row.data),
        registry_settings::version.eq(row.version),
        registry_settings::updated_at.eq(row.updated_at),
        registry_settings::updated_by.eq(&row.updated_by),
    ))
    .execute(conn)?;
    Ok(n == 1)
}
