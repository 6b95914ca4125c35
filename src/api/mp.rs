//! /api/v1/mp: the multiple-primary calculator and the batch check over the registry.

use actix_web::{HttpResponse, get, post, web};
use serde::Deserialize;
use utoipa::IntoParams;

use super::docs::{CreateErrors, RangeReadErrors};
use super::extract::{Auth, JsonBody};
use super::problem::{ApiError, FieldError};
use super::state::AppState;
use crate::domain::mp::Rules;
use crate::model::{MpAnswerData, MpCheckReport, MpCompareRequest};
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

/// Filters of the batch check.
#[derive(Clone, Debug, Default, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct MpCheckParams {
    /// Only patients with a tumor of this reporting facility (#540).
    #[param(pattern = r"^[^\u0000-\u001F]*$")]
    pub facility: Option<String>,
    /// First year of diagnosis of the tumors looked at.
    #[param(minimum = 1800, maximum = 2099)]
    pub dx_year_from: Option<i32>,
    /// Last year of diagnosis of the tumors looked at.
    #[param(minimum = 1800, maximum = 2099)]
    pub dx_year_to: Option<i32>,
    /// `seer` or `iarc`; by default after the registry's edit rule set.
    #[param(pattern = "^(seer|iarc)$")]
    pub rules: Option<String>,
    /// Also list the pairs the rules cannot decide (default `true`).
    pub questionable: Option<bool>,
    /// Pairs listed, 1–10000 (default 1000); the counts cover every pair.
    #[param(minimum = 1, maximum = 10000)]
    pub limit: Option<u32>,
}

impl MpCheckParams {
    fn parse(&self) -> Result<mp::CheckRequest, ApiError> {
        let mut errors = Vec::new();
        let year = |name: &str, v: Option<i32>, errors: &mut Vec<FieldError>| {
            if v.is_some_and(|y| !(1800..=2099).contains(&y)) {
                errors.push(FieldError::new(name, "range", format!("{name} is a year 1800–2099")));
            }
        };
        year("dxYearFrom", self.dx_year_from, &mut errors);
        year("dxYearTo", self.dx_year_to, &mut errors);

        let rules = match self.rules.as_deref() {
            None => None,
            Some(r) => match Rules::parse(r) {
                Some(r) => Some(r),
                None => {
                    errors.push(FieldError::new("rules", "enum", "rules is `seer` or `iarc`"));
                    None
                }
            },
        };
        let limit = self.limit.unwrap_or(1000);
        if !(1..=10_000).contains(&limit) {
            errors.push(FieldError::new("limit", "range", "limit must be between 1 and 10000"));
        }
        if !errors.is_empty() {
            return Err(ApiError::BadRequest(errors));
        }
        // Each year is well-formed; a range that ends before it starts is a request that cannot
        // be answered as meant (422), not a malformed one.
        if let (Some(a), Some(b)) = (self.dx_year_from, self.dx_year_to)
            && a > b
        {
            let e = FieldError::new("dxYearTo", "order", "dxYearTo is before dxYearFrom");
            return Err(ApiError::Invalid(vec![e]));
        }
        Ok(mp::CheckRequest {
            facility: self.facility.clone().filter(|f| !f.trim().is_empty()),
            dx_year_from: self.dx_year_from,
            dx_year_to: self.dx_year_to,
            rules,
            questionable: self.questionable.unwrap_or(true),
            limit: limit as usize,
        })
    }
}

/// The batch check: every pair of tumors of one patient compared under the rules (SEER's, or the
/// IARC/IACR rules), listing the pairs the rules call one primary, then those they cannot decide,
/// each with the rule path, for a registrar's review. The rules never merge records.
#[utoipa::path(
    tag = "mp", operation_id = "check_primaries",
    params(MpCheckParams),
    responses((status = 200, body = MpCheckReport), RangeReadErrors),
    security(("bearer" = []))
)]
#[get("/mp/check")]
pub async fn check_primaries(
    state: web::Data<AppState>,
    Auth(actor): Auth,
    q: web::Query<MpCheckParams>,
) -> Result<HttpResponse, ApiError> {
    let req = q.parse()?;
    let rule_set = state.ctx().rule_set;
    let out = state.db(move |c| mp::check(c, &actor, &req, rule_set)).await?;
    Ok(HttpResponse::Ok().json(out))
}
