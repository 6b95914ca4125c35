//! Multiple primaries: the batch check over the registry, for review. Each pair the rules call
//! one primary (then each they cannot decide) with the patient, both tumors in words and the rule;
//! a tumor opens in the abstract editor, where the finding and the override are.

use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use crate::api::state::AppState;
use crate::model::{MpCheckPair, MpCheckReport};
use crate::service::mp::{self, CheckRequest};
use crate::web::session::SignedIn;
use crate::web::{Nav, WebError, db, given};

/// Pairs shown at most; the counts cover every pair.
const SHOWN: usize = 500;

#[derive(Debug, Default, Deserialize)]
pub struct Filters {
    #[serde(default)]
    facility: String,
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
    /// "1" to list the pairs the rules cannot decide too.
    #[serde(default)]
    questionable: Option<String>,
}

#[derive(Template)]
#[template(path = "primaries.html", config = "src/web/askama.toml")]
struct PrimariesPage {
    nav: Nav,
    facility: String,
    from: String,
    to: String,
    questionable: bool,
    problem: Option<String>,
    report: MpCheckReport,
    rules: &'static str,
}

impl PrimariesPage {
    fn answer(p: &MpCheckPair) -> &'static str {
        if p.answer.result == "single" { "one primary" } else { "cannot decide: review" }
    }

    fn rule(p: &MpCheckPair) -> String {
        if p.answer.step.is_empty() {
            p.answer.reason.clone()
        } else {
            format!("{} {}: {}", p.answer.module, p.answer.step, p.answer.reason)
        }
    }
}

fn year(raw: &str) -> Result<Option<i32>, String> {
    match given(raw) {
        None => Ok(None),
        Some(v) => match v.parse::<i32>() {
            Ok(y) if (1800..=2099).contains(&y) => Ok(Some(y)),
            _ => Err(format!("{v} is not a year of diagnosis (1800–2099).")),
        },
    }
}

pub async fn page(
    state: web::Data<AppState>,
    signed: SignedIn,
    q: web::Query<Filters>,
) -> Result<HttpResponse, WebError> {
    let f = q.into_inner();
    let questionable = f.questionable.as_deref() == Some("1");
    let years = year(&f.from).and_then(|a| year(&f.to).map(|b| (a, b)));
    let (problem, report) = match years {
        Err(p) => (Some(p), MpCheckReport::default()),
        Ok((from, to)) => {
            let req = CheckRequest {
                facility: given(&f.facility),
                dx_year_from: from,
                dx_year_to: to,
                rules: None,
                questionable,
                limit: SHOWN,
            };
            let (actor, rule_set) = (signed.actor.clone(), state.ctx().rule_set);
            (None, db(&state, move |c| mp::check(c, &actor, &req, rule_set)).await?)
        }
    };
    let page = PrimariesPage {
        nav: Nav::new(&signed, "primaries"),
        rules: if report.rules == "iarc" { "IARC/IACR rules" } else { "SEER rules" },
        facility: f.facility,
        from: f.from,
        to: f.to,
        questionable,
        problem,
        report,
    };
    crate::web::page(&page)
}
