//! /api/v1/tokens and /api/v1/audit (admin role).

use actix_web::{HttpResponse, delete, get, post, web};
use serde::Deserialize;
use utoipa::IntoParams;

use super::docs::{CreateErrors, ReadErrors, StateErrors};
use super::extract::{Auth, JsonBody};
use super::problem::ApiError;
use super::state::AppState;
use crate::model::{AuditEntry, NewToken, Page, TokenInfo, TokenRequest};
use crate::service::{Role, admin};

type Reply = Result<HttpResponse, ApiError>;

/// List API tokens (never their secrets).
#[utoipa::path(
    tag = "admin", operation_id = "list_tokens",
    responses((status = 200, body = Vec<TokenInfo>), ReadErrors),
    security(("bearer" = []))
)]
#[get("/tokens")]
pub async fn list_tokens(state: web::Data<AppState>, Auth(actor): Auth) -> Reply {
    let out = state.db(move |c| admin::list_tokens(c, &actor)).await?;
    Ok(HttpResponse::Ok().json(out))
}

/// Issue an API token; the secret is in the response only.
#[utoipa::path(
    tag = "admin", operation_id = "create_token",
    request_body = TokenRequest,
    responses((status = 201, body = NewToken), CreateErrors),
    security(("bearer" = []))
)]
#[post("/tokens")]
pub async fn create_token(
    state: web::Data<AppState>,
    Auth(actor): Auth,
    body: JsonBody<TokenRequest>,
) -> Reply {
    actor.require(Role::Admin)?;
    let role = Role::parse(body.0.role.trim()).ok_or_else(|| {
        ApiError::Invalid(vec![super::problem::FieldError {
            field: "role".into(),
            rule: "code.unknown".into(),
            message: "role must be viewer, registrar or admin".into(),
            ..super::problem::FieldError::default()
        }])
    })?;
    let out = state.db(move |c| admin::create_token(c, &actor, &body.0.name, role)).await?;
    Ok(HttpResponse::Created().json(out))
}

/// Revoke an API token; 409 (`token.self`) for the token the request is made with.
#[utoipa::path(
    tag = "admin", operation_id = "revoke_token",
    params(("id" = String, Path, description = "Token id")),
    responses((status = 204, description = "Revoked"), StateErrors),
    security(("bearer" = []))
)]
#[delete("/tokens/{id}")]
pub async fn revoke_token(
    state: web::Data<AppState>,
    Auth(actor): Auth,
    id: web::Path<String>,
) -> Reply {
    state.db(move |c| admin::revoke_token(c, &actor, &id)).await?;
    state.forget_tokens();
    Ok(HttpResponse::NoContent().finish())
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct AuditParams {
    /// patient, tumor, treatment, contact or token
    #[param(pattern = r"^[^\u0000-\u001F]*$")]
    pub entity: Option<String>,
    #[param(pattern = r"^[^\u0000-\u001F]*$")]
    pub entity_id: Option<String>,
    #[param(pattern = "^[0-9a-fA-F-]{1,64}$")]
    pub cursor: Option<String>,
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<u32>,
}

/// The audit log: every create, update and read of patient data, oldest first.
#[utoipa::path(
    tag = "admin", operation_id = "list_audit",
    params(AuditParams),
    responses((status = 200, body = Page<AuditEntry>), ReadErrors),
    security(("bearer" = []))
)]
#[get("/audit")]
pub async fn list_audit(
    state: web::Data<AppState>,
    Auth(actor): Auth,
    q: web::Query<AuditParams>,
) -> Reply {
    let q = q.into_inner();
    let page = super::params::PageParams { cursor: q.cursor, limit: q.limit }.page()?;
    let out = state
        .db(move |c| {
            admin::list_audit(c, &actor, q.entity.as_deref(), q.entity_id.as_deref(), &page)
        })
        .await?;
    Ok(HttpResponse::Ok().json(out))
}
