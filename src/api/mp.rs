//! /api/v1/mp/compare: the multiple-primary calculator.

use actix_web::{HttpResponse, post, web};

use super::docs::CreateErrors;
use super::extract::{Auth, JsonBody};
use super::problem::ApiError;
use crate::model::{MpAnswerData, MpCompareRequest};
use crate::service::mp;

/// Whether two tumors of one patient are one primary or two, under the SEER rules in force for the
/// later diagnosis (Solid Tumor Rules 2018+, MP/H 2007, Hematopoietic 2010+): the result, the rule
/// module, the step that decided and the rule in words. `questionable` means the items given cannot
/// decide and the record needs review. Reads nothing stored; each missing or invalid item is named.
#[utoipa::path(
    tag = "mp", operation_id = "compare_tumors",
    request_body = MpCompareRequest,
    responses((status = 200, body = MpAnswerData), CreateErrors),
    security(("bearer" = []))
)]
#[post("/mp/compare")]
pub async fn compare_tumors(
    Auth(actor): Auth,
    body: JsonBody<MpCompareRequest>,
) -> Result<HttpResponse, ApiError> {
    let out = web::block(move || mp::compare_pair(&actor, &body.0))
        .await
        .map_err(|e| ApiError::Internal(format!("blocking task: {e}")))??;
    Ok(HttpResponse::Ok().json(out))
}
