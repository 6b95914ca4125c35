//! A new patient: the demographics a registrar has at first contact. Only the patient id number is
//! required; the rest can follow, and the findings say what is still missing.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use crate::api::state::AppState;
use crate::model::PatientData;
use crate::service::{ServiceError, patients};
use crate::web::session::{SignedIn, Submitted};
use crate::web::{Nav, WebError, db, given as text, render, see_other};

#[derive(Clone, Default, Deserialize)]
pub struct PatientForm {
    #[serde(default, rename = "patientIdNumber")]
    number: String,
    #[serde(default, rename = "nameLast")]
    last: String,
    #[serde(default, rename = "nameFirst")]
    first: String,
    #[serde(default, rename = "dateOfBirth")]
    birth: String,
    #[serde(default, rename = "sexAssignedAtBirth")]
    sex: String,
    #[serde(default, rename = "addrCurrentNoStreet")]
    street: String,
    #[serde(default, rename = "addrCurrentCity")]
    city: String,
    #[serde(default, rename = "addrCurrentState")]
    state: String,
    #[serde(default, rename = "addrCurrentPostalCode")]
    postal: String,
}

#[derive(Template)]
#[template(path = "patient_new.html", config = "src/web/askama.toml")]
struct NewPatientPage {
    nav: Nav,
    form: PatientForm,
    problems: Vec<(String, String)>,
}

impl NewPatientPage {
    /// The form's fields: NAACCR id, label, value, hint.
    fn fields(&self) -> Vec<(&'static str, &'static str, &str, &'static str)> {
        let f = &self.form;
        vec![
            ("patientIdNumber", "Patient id number", &f.number, "required; up to 8 digits"),
            ("nameLast", "Last name", &f.last, ""),
            ("nameFirst", "First name", &f.first, ""),
            ("dateOfBirth", "Birth date", &f.birth, "YYYY-MM-DD"),
            ("sexAssignedAtBirth", "Sex assigned at birth", &f.sex, "1 male, 2 female, 9 unknown"),
            ("addrCurrentNoStreet", "Street", &f.street, ""),
            ("addrCurrentCity", "City", &f.city, ""),
            ("addrCurrentState", "State", &f.state, "two letters"),
            ("addrCurrentPostalCode", "Postal code", &f.postal, ""),
        ]
    }

    /// The problems of one field, by its NAACCR id.
    fn problems_of(&self, field: &str) -> Vec<&str> {
        self.problems.iter().filter(|(f, _)| f == field).map(|(_, m)| m.as_str()).collect()
    }
}

pub async fn form(signed: SignedIn) -> Result<HttpResponse, WebError> {
    if !signed.can_write() {
        return Err(WebError::Forbidden);
    }
    crate::web::page(&NewPatientPage {
        nav: Nav::new(&signed, "patients"),
        form: PatientForm::default(),
        problems: vec![],
    })
}

pub async fn create(
    state: web::Data<AppState>,
    sent: Submitted<PatientForm>,
) -> Result<HttpResponse, WebError> {
    let Submitted { signed, form } = sent;
    let data = PatientData {
        patient_id_number: text(&form.number),
        name_last: text(&form.last),
        name_first: text(&form.first),
        date_of_birth: text(&form.birth),
        sex_assigned_at_birth: text(&form.sex),
        addr_current_no_street: text(&form.street),
        addr_current_city: text(&form.city),
        addr_current_state: text(&form.state),
        addr_current_postal_code: text(&form.postal),
        ..PatientData::default()
    };
    let (actor, ctx) = (signed.actor.clone(), state.ctx());
    let problems: Vec<(String, String)> =
        match db(&state, move |c| patients::create(c, &actor, &data, ctx)).await {
            Ok(p) => return see_other(&format!("/patients/{}", p.id.unwrap_or_default())),
            Err(ServiceError::Invalid(v) | ServiceError::BadRequest(v)) => {
                v.into_iter().map(|v| (v.field, v.message)).collect()
            }
            Err(ServiceError::Conflict { field, message, .. }) => {
                vec![(field.to_string(), message)]
            }
            Err(e) => return Err(e.into()),
        };
    let page = NewPatientPage { nav: Nav::new(&signed, "patients"), form, problems };
    Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &page))
}
