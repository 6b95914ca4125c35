//! Edits review: the tumors with error findings, grouped by edit, each a link to fix it in the
//! abstract editor (the finding is shown beside its field there).

use std::collections::BTreeMap;

use actix_web::{HttpResponse, web};
use askama::Template;

use crate::api::state::AppState;
use crate::domain::codes::site_and_histology;
use crate::service::{PageRequest, RecordFilter, tumors};
use crate::web::session::SignedIn;
use crate::web::{Nav, WebError, db};

/// One edit and the tumors failing it.
pub struct EditGroup {
    pub edit_id: String,
    pub message: String,
    pub tumors: Vec<(String, String)>,
}

#[derive(Template)]
#[template(path = "edits_review.html", config = "src/web/askama.toml")]
struct EditsPage {
    nav: Nav,
    groups: Vec<EditGroup>,
    tumor_count: usize,
    more: bool,
}

pub async fn page(state: web::Data<AppState>, signed: SignedIn) -> Result<HttpResponse, WebError> {
    let actor = signed.actor.clone();
    let filter = RecordFilter { edit_status: Some("errors".into()), ..RecordFilter::default() };
    let page = PageRequest { cursor: None, limit: Some(500) };
    let found = db(&state, move |c| tumors::list(c, &actor, None, &filter, &page)).await?;
    let mut groups: BTreeMap<String, EditGroup> = BTreeMap::new();
    for t in &found.items {
        let words = site_and_histology(
            t.primary_site.as_deref(),
            t.histologic_type_icd_o3.as_deref(),
            t.behavior_code_icd_o3.as_deref(),
        );
        let id = t.id.clone().unwrap_or_default();
        for f in t.findings.iter().flatten().filter(|f| f.severity == "error") {
            let group = groups.entry(f.edit_id.clone()).or_insert_with(|| EditGroup {
                edit_id: f.edit_id.clone(),
                message: f.message.clone(),
                tumors: vec![],
            });
            group.tumors.push((id.clone(), words.clone()));
        }
    }
    let mut groups: Vec<EditGroup> = groups.into_values().collect();
    groups.sort_by(|a, b| b.tumors.len().cmp(&a.tumors.len()).then(a.edit_id.cmp(&b.edit_id)));
    let page = EditsPage {
        nav: Nav::new(&signed, "edits"),
        tumor_count: found.items.len(),
        more: found.next_cursor.is_some(),
        groups,
    };
    crate::web::page(&page)
}
