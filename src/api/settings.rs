//! /api/v1/settings/registry: the letterhead every letter is rendered under (admin).

use actix_web::{HttpResponse, get, put, web};

use super::docs::{ReadErrors, UpdateErrors};
use super::extract::{Auth, IfMatch, JsonBody};
use super::patients::ok_versioned;
use super::problem::ApiError;
use super::state::AppState;
use crate::model::RegistrySettingsData;
use crate::service::settings;

type Reply = Result<HttpResponse, ApiError>;

/// The registry's letterhead: name, address, phone, fax, return address, signer.
#[utoipa::path(
    tag = "admin", operation_id = "get_registry_settings",
    responses((status = 200, body = RegistrySettingsData, headers(("ETag" = String))), ReadErrors),
    security(("bearer" = []))
)]
#[get("/settings/registry")]
pub async fn get_registry_settings(state: web::Data<AppState>, Auth(actor): Auth) -> Reply {
    let cfg = state.followup.clone();
    let out = state.db(move |c| settings::get(c, &actor, &cfg.registry)).await?;
    Ok(ok_versioned(out.version, &out))
}

/// Replace the letterhead. Letters made from now on use it; letters already made keep theirs, so a
/// letter's text and its PDF never disagree.
#[utoipa::path(
    tag = "admin", operation_id = "put_registry_settings",
    params(
        ("If-Match" = String, Header, pattern = r#"^(W/)?"[1-9][0-9]{0,8}"$"#, description = "ETag of the settings read"),
    ),
    request_body = RegistrySettingsData,
    responses((status = 200, body = RegistrySettingsData, headers(("ETag" = String))), UpdateErrors),
    security(("bearer" = []))
)]
#[put("/settings/registry")]
pub async fn put_registry_settings(
    state: web::Data<AppState>,
    Auth(actor): Auth,
    IfMatch(version): IfMatch,
    body: JsonBody<RegistrySettingsData>,
) -> Reply {
    let cfg = state.followup.clone();
    let out = state.db(move |c| settings::put(c, &actor, &cfg.registry, version, &body.0)).await?;
    Ok(ok_versioned(out.version, &out))
}
