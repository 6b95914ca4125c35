//! Patients: search by name, birth date, patient id number or the SSN's last four. The search is
//! sent as a form post, so what was searched for never appears in an address or an access log.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use crate::api::state::AppState;
use crate::model::{PatientMatch, PatientSearchRequest};
use crate::service::{ServiceError, patients};
use crate::web::session::{SignedIn, Submitted};
use crate::web::{Nav, WebError, db, given, render};

#[derive(Template)]
#[template(path = "patients.html", config = "src/web/askama.toml")]
struct PatientsPage {
    nav: Nav,
    form: SearchForm,
    searched: bool,
    problems: Vec<(String, String)>,
    found: Vec<PatientMatch>,
    more: bool,
}

#[derive(Clone, Default, Deserialize)]
pub struct SearchForm {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub birth: String,
    #[serde(default)]
    pub number: String,
    #[serde(default)]
    pub ssn4: String,
}

pub async fn page(signed: SignedIn) -> Result<HttpResponse, WebError> {
    let page = PatientsPage {
        nav: Nav::new(&signed, "patients"),
        form: SearchForm::default(),
        searched: false,
        problems: vec![],
        found: vec![],
        more: false,
    };
    crate::web::page(&page)
}

pub async fn search(
    state: web::Data<AppState>,
    sent: Submitted<SearchForm>,
) -> Result<HttpResponse, WebError> {
    let Submitted { signed, form } = sent;
    let req = PatientSearchRequest {
        name: given(&form.name),
        date_of_birth: given(&form.birth),
        patient_id_number: given(&form.number),
        ssn_last_four: given(&form.ssn4),
        cursor: None,
        limit: Some(50),
    };
    let actor = signed.actor.clone();
    let result = db(&state, move |c| patients::search(c, &actor, &req)).await;
    let mut page = PatientsPage {
        nav: Nav::new(&signed, "patients"),
        form,
        searched: true,
        problems: vec![],
        found: vec![],
        more: false,
    };
    match result {
        Ok(found) => {
            page.more = found.next_cursor.is_some();
            page.found = found.items;
            crate::web::page(&page)
        }
        Err(ServiceError::Invalid(v)) => {
            page.problems = v.into_iter().map(|v| (label(&v.field), v.message)).collect();
            Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &page))
        }
        Err(e) => Err(e.into()),
    }
}

/// The search form's label of a field the service names.
fn label(field: &str) -> String {
    match field {
        "name" => "Name",
        "dateOfBirth" => "Birth date",
        "patientIdNumber" => "Patient id number",
        "ssnLastFour" => "SSN last four",
        _ => "Search",
    }
    .to_string()
}
