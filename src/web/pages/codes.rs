//! The code pickers' answers (htmx fragments): the codes matching what was typed, and the field
//! again with a picked code in it.

use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use crate::domain::codes::{CodeChoice, Topography, find_morphologies, find_sites};
use crate::web::WebError;
use crate::web::pages::abstract_editor::{MORPHOLOGY, PickerField, morphology_label};
use crate::web::session::SignedIn;

const SHOWN: usize = 15;

#[derive(Template)]
#[template(path = "picker_options.html", config = "src/web/askama.toml")]
struct Options {
    kind: &'static str,
    choices: Vec<CodeChoice>,
    typed: bool,
}

#[derive(Deserialize)]
pub struct SiteQuery {
    #[serde(default, rename = "primarySite")]
    q: String,
}

#[derive(Deserialize)]
pub struct MorphologyQuery {
    #[serde(default, rename = "morphology")]
    q: String,
}

pub async fn sites(_: SignedIn, q: web::Query<SiteQuery>) -> Result<HttpResponse, WebError> {
    let page =
        Options { kind: "site", choices: find_sites(&q.q, SHOWN), typed: !q.q.trim().is_empty() };
    crate::web::page(&page)
}

pub async fn morphologies(
    _: SignedIn,
    q: web::Query<MorphologyQuery>,
) -> Result<HttpResponse, WebError> {
    let choices = find_morphologies(&q.q, SHOWN);
    crate::web::page(&Options { kind: "morphology", choices, typed: !q.q.trim().is_empty() })
}

#[derive(Deserialize)]
pub struct Pick {
    #[serde(default)]
    code: String,
}

pub async fn pick_site(_: SignedIn, q: web::Query<Pick>) -> Result<HttpResponse, WebError> {
    let words = Topography::parse(&q.code).map(|t| t.label().to_string()).unwrap_or_default();
    crate::web::page(&PickerField {
        name: "primarySite",
        label: "Primary site",
        hint: "type a code (C50.4) or words (upper outer breast)",
        value: q.code.clone(),
        words,
        kind: "site",
        focus: true,
        invalid: false,
    })
}

pub async fn pick_morphology(_: SignedIn, q: web::Query<Pick>) -> Result<HttpResponse, WebError> {
    crate::web::page(&PickerField {
        name: MORPHOLOGY,
        label: "Histology and behavior",
        hint: "type a code (8500/3) or words (duct carcinoma)",
        value: q.code.clone(),
        words: morphology_label(&q.code),
        kind: "morphology",
        focus: true,
        invalid: false,
    })
}
