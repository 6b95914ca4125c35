//! Home: the registrar's queues with their counts, each a link to its list.

use actix_web::{HttpResponse, web};
use askama::Template;

use crate::api::state::AppState;
use crate::service::queues::{self, Queues};
use crate::web::session::SignedIn;
use crate::web::{Nav, WebError, db};

#[derive(Template)]
#[template(path = "home.html", config = "src/web/askama.toml")]
struct HomePage {
    nav: Nav,
    today: String,
    queues: Vec<(&'static str, &'static str, i64, &'static str)>,
}

pub async fn page(state: web::Data<AppState>, signed: SignedIn) -> Result<HttpResponse, WebError> {
    let today = state.clock.today();
    let actor = signed.actor.clone();
    let q: Queues = db(&state, move |c| queues::queues(c, &actor, today)).await?;
    let page = HomePage {
        nav: Nav::new(&signed, "home"),
        today: today.format("%-d %B %Y").to_string(),
        queues: vec![
            (
                "/worklist?view=due",
                "Follow-up due this month",
                q.followup_due,
                "patients to contact",
            ),
            (
                "/worklist?view=overdue",
                "Follow-up overdue",
                q.followup_overdue,
                "past their due month",
            ),
            ("/worklist?view=lost", "Lost to follow-up", q.followup_lost, "no contact in time"),
            (
                "/edits-review",
                "Tumors with edit errors",
                q.tumors_with_errors,
                "kept out of submissions",
            ),
            ("/worklist?view=print", "Letters to print", q.letters_to_print, "in today's batch"),
            ("/imports", "Imports with rejected records", q.imports_with_rejections, "to look at"),
        ],
    };
    crate::web::page(&page)
}
