//! One file per screen; each handler takes `SignedIn` (a read) or `Submitted<T>` (a form post with
//! its CSRF token checked) and calls the services.

mod abstract_editor;
mod admin;
mod codes;
mod edits_review;
mod home;
mod imports;
pub mod patient;
mod patient_new;
mod patients;
mod primaries;
mod reports;
mod sign_in;
mod submissions;
mod worklist;

use actix_web::web;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/sign-in", web::get().to(sign_in::form))
        .route("/sign-in", web::post().to(sign_in::submit))
        .route("/sign-out", web::post().to(sign_in::sign_out))
        .route("/", web::get().to(home::page))
        .route("/patients", web::get().to(patients::page))
        .route("/patients/search", web::post().to(patients::search))
        .route("/patients/new", web::get().to(patient_new::form))
        .route("/patients/new", web::post().to(patient_new::create))
        .route("/patients/{id}", web::get().to(patient::page))
        .route("/patients/{id}/tumors/new", web::get().to(abstract_editor::new_form))
        .route("/patients/{id}/tumors/new", web::post().to(abstract_editor::create))
        .route("/tumors/{id}", web::get().to(abstract_editor::edit_form))
        .route("/tumors/{id}", web::post().to(abstract_editor::update))
        .route("/tumors/{id}/treatments", web::post().to(abstract_editor::add_treatment))
        .route("/codes/site", web::get().to(codes::sites))
        .route("/codes/morphology", web::get().to(codes::morphologies))
        .route("/codes/site/pick", web::get().to(codes::pick_site))
        .route("/codes/morphology/pick", web::get().to(codes::pick_morphology))
        .route("/worklist", web::get().to(worklist::page))
        .route("/worklist/tasks/{id}/assign", web::post().to(worklist::assign))
        .route("/worklist/tasks/{id}/contact", web::post().to(worklist::record_contact))
        .route("/worklist/print-batch.pdf", web::get().to(worklist::print_batch))
        .route("/worklist/batch-printed", web::post().to(worklist::batch_printed))
        .route("/worklist/letters/{id}/printed", web::post().to(worklist::printed))
        .route("/worklist/letters/{id}/hold", web::post().to(worklist::hold))
        .route("/worklist/letters/{id}/cancel", web::post().to(worklist::cancel))
        .route("/edits-review", web::get().to(edits_review::page))
        .route("/primaries", web::get().to(primaries::page))
        .route("/submissions", web::get().to(submissions::page))
        .route("/submissions", web::post().to(submissions::create))
        .route("/submissions/{id}", web::get().to(submissions::one))
        .route("/submissions/{id}/file", web::get().to(submissions::file))
        .route("/imports", web::get().to(imports::page))
        .route("/imports", web::post().to(imports::upload))
        .route("/imports/{id}", web::get().to(imports::one))
        .route("/reports", web::get().to(reports::page))
        .route("/reports/patients", web::get().to(reports::patients))
        .route("/admin", web::get().to(admin::page))
        .route("/admin/users", web::post().to(admin::create_user))
        .route("/admin/tokens", web::post().to(admin::create_token))
        .route("/admin/tokens/{id}/revoke", web::post().to(admin::revoke_token))
        .route("/admin/letterhead", web::post().to(admin::save_letterhead));
}
