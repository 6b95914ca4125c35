//! /api/v1/mp/compare: the multiple-primary calculator.

use actix_web::{HttpResponse, post, web};

use super::docs::CreateErrors;
use super::extract::{Auth, JsonBody};
use super::problem::ApiError;
use super::state::AppState;
use crate::model::{MpAnswerData, MpCompareRequest};
use crate::service::mp;

/// Whether two tumors of one patient are one primary or two, under the SEER rules in force for the
/// later diagnosis (Solid Tumor Rules 2018+, MP/H 2007, Hematopoietic 2010+) or the IARC/IACR
/// rules (`rules`, by default after the registry's edit rule set): the result, the rule module,
/// the step that decided and the rule in words. `questionable` means the items given cannot
/// decide and the record needs review. Reads nothing stored; each missing or invalid item is named.
#[utoipa::path(
    tag = "mp", operation_id = "compare_tumors",
    request_body = MpCompareRequest,
    responses((status = 200, body = MpAnswerData), CreateErrors),
    security(("bearer" = []))
)]
#[post("/mp/compare")]
pub async fn compare_tumors(
    state: web::Data<AppState>,
    Auth(actor): Auth,
    body: JsonBody<MpCompareRequest>,
) -> Result<HttpResponse, ApiError> {
    let rule_set = state.ctx().rule_set;
    let out = web::block(move || mp::compare_pair(&actor, &body.0, rule_set))
        .await
        .map_err(|e| ApiError::Internal(format!("blocking task: {e}")))??;
    Ok(HttpResponse::Ok().json(out))
}
